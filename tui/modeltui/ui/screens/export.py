"""Export from the app: this session or a date range, JSONL / CSV / Markdown, with or without texts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet


class ExportScreen(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export calls")
            with RadioSet(id="scope"):
                yield RadioButton("this session", value=True, id="session")
                yield RadioButton("date range", id="range")
            with Horizontal():
                yield Input(placeholder="since (2026-11-01)", id="since")
                yield Input(placeholder="until (exclusive)", id="until")
            with RadioSet(id="format"):
                yield RadioButton("JSONL", value=True, id="jsonl")
                yield RadioButton("CSV", id="csv")
                yield RadioButton("Markdown", id="md")
            yield Checkbox("include prompts and answers", value=True, id="texts")
            yield Button("Export", variant="primary", id="go")

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        from modeltui import reports

        engine = self.app.engine
        fmt = self.query_one("#format", RadioSet).pressed_button.id
        session = engine.session if self.query_one("#scope", RadioSet).pressed_button.id == "session" else None
        since = until = None
        if session is None:
            try:
                since = self._when("#since")
                until = self._when("#until")
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
        n, out, _ = await reports.export(engine, fmt, reports.default_export_path(fmt),
                                         self.query_one("#texts", Checkbox).value, session, since, until)
        self.dismiss(f"exported {n} calls to {out}" if n else "no calls match: nothing exported")

    def _when(self, sel: str) -> float | None:
        from modeltui.vocab.when import parse_when

        text = self.query_one(sel, Input).value.strip()
        return parse_when(text) if text else None
