"""Ask for a model id (retry an answer with a named model); tab completes the suggestion."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label


class CompletingInput(Input):
    """Tab takes the suggestion shown in grey (as a shell does) instead of moving focus."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, priority=True)]

    def action_complete(self) -> None:
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)


class PickModel(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss(None)", "Cancel")]

    def __init__(self, models: list[str]):
        super().__init__()
        self.models = models

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Retry with which model? (tab completes, enter retries)")
            yield CompletingInput(placeholder=self.models[0] if self.models else "model id",
                                  suggester=SuggestFromList(self.models, case_sensitive=False))
            yield Label("available: " + ", ".join(self.models[:8]), classes="hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value not in self.models:
            self.notify(f"'{value}' is not an available model", severity="error")
            return
        self.dismiss(value)
