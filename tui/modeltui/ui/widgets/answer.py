"""One answer in the chat: header (model, tier, use case, tokens, cost, latency), a one-line
"why this model" that expands to the full decision, the streamed Markdown, and its actions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Collapsible, Markdown, Static

ACTIONS = (("up", "▲ good"), ("down", "▼ bad"), ("escalate", "escalate"), ("copy", "copy"), ("retry", "retry with…"))


class Answer(Vertical):
    class Action(Message):
        def __init__(self, answer: "Answer", action: str):
            super().__init__()
            self.answer = answer
            self.action = action

    def __init__(self, prompt: str, **kw):
        super().__init__(**kw)
        self.prompt = prompt
        self.call_id: int | None = None
        self.context: list[dict] = []  # the conversation it was asked in (a retry re-sends just this)
        self.text = ""
        self.stream = None

    def compose(self) -> ComposeResult:
        yield Static(f"> {self.prompt}", classes="you", markup=False)
        yield Static("waiting for the engine…", classes="meta", markup=False)
        with Collapsible(title="why this model", collapsed=True, classes="why"):
            yield Static("", classes="decision", markup=False)
        yield Markdown("", classes="body")
        with Horizontal(classes="actions"):
            for action, label in ACTIONS:
                yield Button(label, name=action, compact=True, disabled=True)

    def on_mount(self) -> None:
        self.stream = Markdown.get_stream(self.query_one(".body", Markdown))

    def write(self, chunk: str) -> None:
        """Append streamed text; MarkdownStream batches chunks so the document is not re-parsed per chunk."""
        self.text += chunk
        self.call_next(self.stream.write, chunk)  # queued in order; the stream awaits the widget

    async def finish(self) -> None:
        if self.stream is not None:
            self.call_next(self.stream.stop)  # after the writes already queued

    def set_meta(self, text: str) -> None:
        self.query_one(".meta", Static).update(text)

    def set_decision(self, why: str, full: str) -> None:
        self.query_one(Collapsible).title = "why: " + why
        self.query_one(".decision", Static).update(full)

    def set_error(self, text: str) -> None:
        self.add_class("failed")
        self.query_one(".meta", Static).update(text)

    def enable_actions(self, call_id: int | None) -> None:
        self.call_id = call_id
        for b in self.query(Button):
            b.disabled = call_id is None and b.name != "copy"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Action(self, event.button.name))
