"""Set or clear the conversation's system prompt (enter keeps it, an empty one clears it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class SystemPrompt(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss(None)", "Cancel")]

    def __init__(self, current: str):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("System prompt for this conversation (empty clears it; enter keeps it)")
            yield Input(value=self.current, placeholder="e.g. Answer in one short paragraph.")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
