"""Every key, and where modeltui keeps its files (as elia's help does): F1 from anywhere."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from modeltui.settings.actions import key_rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape", "dismiss", "Close"), ("f1", "dismiss", "Close"), ("q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        from rich.table import Table

        from modeltui.settings import paths

        app = self.app
        keys = Table(title="keys", expand=True, show_edge=False, pad_edge=False)
        for col in ("where", "key", "does"):
            keys.add_column(col, overflow="fold")
        for where, key, what in key_rows(app.keymap):
            keys.add_row(where, key, what)
        cfg_file = paths.config_file(app.config_path)
        log = app.cfg.db_path() if app.cfg is not None else paths.default_db()
        files = Table(title="files", expand=True, show_edge=False, pad_edge=False, show_header=False)
        files.add_column("what")
        files.add_column("path", overflow="fold")
        files.add_row("config (only read)", f"{cfg_file}{'' if cfg_file.exists() else ' (not created: defaults)'}")
        files.add_row("log", str(log))
        files.add_row("tier and theme", str(log.parent / "state.toml"))
        files.add_row("data folder", str(paths.data_dir()))
        files.add_row("exports", str(paths.exports_dir()))
        self.tables = (keys, files)
        with VerticalScroll(classes="dialog help"):
            yield Static(keys)
            yield Static(files)
            yield Static("escape closes", classes="hint")
