"""One answer in the chat: header (model, tier, use case, tokens, cost, latency), a one-line
"why this model" that expands to the decision as a small table, the streamed Markdown, and its
actions. Updates after the answer left the screen (a new conversation mid-stream) are dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Collapsible, Markdown, Static

from modeltui.ui.widgets.meter import money

if TYPE_CHECKING:  # (the calls layer loads pydantic: not needed to paint an answer)
    from modeltui.calls.request import AskSummary

ACTIONS = (("up", "▲ good"), ("down", "▼ bad"), ("escalate", "escalate"), ("copy", "copy"), ("retry", "retry with…"))
PROMPT_SHOWN = 400  # characters of a long prompt shown; the rest is folded
WHY_SHOWN = 72


def fold(prompt: str) -> str:
    lines = prompt.splitlines() or [""]
    head = "\n".join(lines[:4])[:PROMPT_SHOWN]
    hidden = len(prompt) - len(head)
    return head + (f" … ({hidden:,} more characters, sent in full)" if hidden > 0 else "")


def ellipsis(text: str, width: int = WHY_SHOWN) -> str:
    """Cut at a word boundary, with an ellipsis (never mid-word)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—") + "…"


def decision_table(reasons: dict):
    """The scored candidates (best first) and the dropped ones grouped by reason."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    head = Text(f"{reasons['chosen']} · tier {reasons['tier']} → {reasons['effective_tier']} · "
                f"use case {reasons['use_case']} · {reasons['complexity']} complexity")
    scored = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    for col, just in (("candidate", "left"), ("quality", "right"), ("up to", "right"), ("score", "right")):
        scored.add_column(col, justify=just)
    for s in reasons["scored"][:8]:
        score = s["score"]
        shown = "free" if score == float("inf") else f"{score:.3g}" if isinstance(score, (int, float)) else str(score)
        scored.add_row(s["model"], f"{s['quality']:.1f}",
                       "free" if s["est_cost_usd"] == 0 else money(s["est_cost_usd"]) if s["est_cost_usd"] is not None
                       else "?", shown)
    groups: dict[str, list[str]] = {}
    for d in reasons["dropped"]:
        reason = d["reason"]
        key = "key not set" if reason.endswith(" not set") else reason
        groups.setdefault(key, []).append(d["model"])
    dropped = Text()
    for reason, models in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        names = ", ".join(models[:3]) + (f", +{len(models) - 3}" if len(models) > 3 else "")
        dropped.append(f"{len(models)} model{'s' if len(models) > 1 else ''}: {reason} ({names})\n")
    notes = Text("".join(f"note: {n}\n" for n in reasons["notes"]))
    return Group(head, notes, scored, Text("dropped", style="bold") if groups else Text(""), dropped)


def meta_line(s: AskSummary) -> str:
    sim = " (simulated)" if s.simulated else ""
    est = "~" if s.tokens_estimated else ""
    return (f"{s.model}{sim} · {s.effective_tier} · {s.use_case} · {s.tokens_in}→{s.tokens_out}{est} tok · "
            f"{money(s.cost_usd) if s.cost_usd is not None else 'unpriced'} · {s.latency_ms:.0f} ms"
            + (f" · {len(s.attempt_list)} attempts, {s.total_ms / 1000:.1f} s" if len(s.attempt_list) > 1 else "")
            + (" · CUT SHORT" + (" (max tokens)" if s.finish_reason == "length" else " (reading stopped)")
               if s.cut_short else "")
            + "".join(f"\ngave up: {g}" for g in s.gave_up))


def stopped_line(attempt, decision) -> str:
    """A stopped answer's header: what was asked of whom, and what it cost up to the stop."""
    if attempt is None:
        return "stopped before any model was called: nothing was spent"
    tokens_in, tokens_out, estimated = attempt.usage_so_far()
    tier = f" · {decision.effective_tier}" if decision is not None else ""
    sim = " (simulated)" if attempt.model.simulated else ""
    cost = attempt.cost if attempt.status != "running" else attempt.cost_so_far()
    return (f"{attempt.model.id}{sim}{tier} · {tokens_in}→{tokens_out}{'~' if estimated else ''} tok · "
            f"{money(cost) if cost is not None else 'unpriced'} · stopped: logged as cancelled with this partial cost")


class Answer(Vertical):
    class Action(Message):
        def __init__(self, answer: "Answer", action: str):
            super().__init__()
            self.answer = answer
            self.action = action

    def __init__(self, prompt: str, forced: str | None = None, **kw):
        super().__init__(**kw)
        self.prompt = prompt
        self.forced = forced  # "retry of call N: model, chosen by you"
        self.call_id: int | None = None
        self.context: list[dict] = []  # the conversation it was asked in (a retry re-sends just this)
        self.text = ""
        self.stream = None

    def compose(self) -> ComposeResult:
        yield Static(f"> {fold(self.prompt)}", classes="you", markup=False)
        if self.forced:
            yield Static(self.forced, classes="forced", markup=False)
        yield Static("waiting for the engine…", classes="meta", markup=False)
        with Collapsible(title="why this model", collapsed=True, classes="why"):
            yield Static("", classes="decision", markup=False)
        yield Markdown("", classes="body")
        with Horizontal(classes="actions"):
            for action, label in ACTIONS:
                yield Button(label, name=action, compact=True, disabled=True)

    def on_mount(self) -> None:
        self.stream = Markdown.get_stream(self.query_one(".body", Markdown))

    def _part(self, selector: str):
        """A child, or None once this answer has left the screen."""
        if not self.is_attached:
            return None
        found = self.query(selector)
        return found.first() if found else None

    def write(self, chunk: str) -> None:
        """Append streamed text; MarkdownStream batches chunks so the document is not re-parsed per chunk."""
        self.text += chunk
        if self.is_attached and self.stream is not None:
            self.call_next(self.stream.write, chunk)  # queued in order; the stream awaits the widget

    async def finish(self) -> None:
        if self.stream is not None and self.is_attached:
            self.call_next(self.stream.stop)  # after the writes already queued

    def set_meta(self, text: str) -> None:
        if (meta := self._part(".meta")) is not None:
            meta.update(text)

    def set_decision(self, why: str, reasons: dict) -> None:
        self.reasons = reasons
        if (box := self._part(Collapsible)) is not None:
            box.title = "why: " + ellipsis(why)
            self.query_one(".decision", Static).update(decision_table(reasons))

    def set_error(self, text: str) -> None:
        if self.is_attached:
            self.add_class("failed")
            self.set_meta(text)

    def enable_actions(self, call_id: int | None) -> None:
        self.call_id = call_id
        for b in self.query(Button) if self.is_attached else ():
            b.disabled = call_id is None and b.name != "copy"

    def mark_thumb(self, which: str) -> None:
        """Show which thumb is set (a new one replaces the other, as the log does)."""
        for b in self.query(Button) if self.is_attached else ():
            if b.name in ("up", "down"):
                label = dict(ACTIONS)[b.name]
                b.label = label + " ✓" if b.name == which else label
                b.set_class(b.name == which, "-set")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Action(self, event.button.name))
