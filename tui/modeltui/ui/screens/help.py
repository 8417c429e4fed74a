"""Every key, and where modeltui keeps its files (as elia's help does): F1 from anywhere."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from modeltui.settings.actions import key_rows


def real_models(app):
    """How to leave the demo: the key each provider reads (names only, never a value) and Ollama."""
    from rich.table import Table

    from modeltui.providers.catalog import PROVIDER_ENV

    t = Table(title="real models (the banner's DEMO ends once one is found at start)", expand=True,
              show_edge=False, pad_edge=False, show_header=False)
    t.add_column("how")
    t.add_column("what", overflow="fold")
    names = ", ".join(v for v in PROVIDER_ENV.values() if v)
    t.add_row("a provider key", f"export one of {names} in the shell that starts modeltui")
    url = app.cfg.ollama_url if app.cfg is not None else "http://127.0.0.1:11434"
    t.add_row("Ollama (local, free)", f"`ollama serve` and `ollama pull llama3.2`; modeltui looks at {url}")
    t.add_row("then", "`modeltui models` lists what is available and why the rest is not; "
                      "a click on the DEMO line hides it")
    return t


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
        self.tables = (real_models(app), keys, files)  # first: the banner sends a newcomer here for it
        with VerticalScroll(classes="dialog help"):
            for table in self.tables:
                yield Static(table)
            yield Static("escape closes", classes="hint")
