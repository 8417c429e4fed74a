"""Past conversations, paged (never all loaded), searchable (`/`, full text over prompts and
answers), and reopened in the chat to be continued with their context and tier."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Input, Static

from modeltui.ui import messages as msg
from modeltui.ui.screens.view import View
from modeltui.ui.widgets.meter import money
from modeltui.vocab.words import plural, snippet_text

PAGE = 20


def source(row: dict) -> str:
    """Where a conversation was had: this app, the CLI, or the tool that asked through `modeltui serve`."""
    return (row.get("client") or "a tool").split(" (")[0][:16] if row.get("kind") == "api" else "cli" if row.get("kind") == "cli" else "app"


class HistoryScreen(View):
    BINDINGS = [("escape", "close_search", "Back"), ("slash", "search", "Search"), ("n", "page(1)", "Older"),
                ("p", "page(-1)", "Newer")]

    def __init__(self):
        super().__init__()
        self.page_start = 0  # (not `offset`: that is every Widget's screen offset)
        self.results: dict[str, tuple[str, str]] = {}  # a search's row key -> what enter opens (kind, id)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search prompts and answers (enter searches, escape clears)", id="search")
        yield Static(id="page", markup=False)
        yield DataTable(id="conversations", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#search").display = False
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        if not self.results:  # the log has grown since this view was last on screen
            self.run_worker(self.load, group="reload", exclusive=True)

    def on_log_changed(self, message: msg.LogChanged) -> None:
        """New calls (another tool's through `modeltui serve`, too) show as they are logged; a
        search's results stay as they are, and a view not on screen reloads when it comes back."""
        if not self.results and self.is_current:
            self.run_worker(self.load, group="reload", exclusive=True)

    def on_focus_prompt(self, message: msg.FocusPrompt) -> None:
        self.query_one("#search" if self.query_one("#search").display else DataTable).focus()

    async def load(self) -> None:
        from modeltui import reports

        self.results = {}
        rows = await reports.conversations(self.engine, limit=PAGE, offset=self.page_start)
        t = self.query_one(DataTable)
        t.clear(columns=True)
        t.add_columns("started", "from", "prompts", "cost", "first prompt")
        for r in rows:
            t.add_row(datetime.fromtimestamp(r["started"]).strftime("%Y-%m-%d %H:%M"), Text(source(r)),
                      int(r["prompts"] or 0), money(r["cost_usd"] or 0.0), Text(r["title"]), key=r["conversation"])
        shown = f"{self.page_start + 1}–{self.page_start + len(rows)}" if rows else "none yet"
        self.query_one("#page", Static).update(f"conversations {shown} · enter continues one · / searches · "
                                               "n older · p newer")

    async def action_page(self, step: int) -> None:
        if self.results or (step > 0 and self.query_one(DataTable).row_count < PAGE):
            return
        self.page_start = max(0, self.page_start + step * PAGE)
        await self.load()

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    async def action_close_search(self) -> None:
        """escape first closes the search and its results; then it goes back to the chat."""
        box = self.query_one("#search", Input)
        if not box.display and not self.results:
            await self.run_action("app.back")
            return
        box.value, box.display = "", False
        await self.load()
        self.query_one(DataTable).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        from modeltui import reports

        text = event.value.strip()
        if not text:
            return await self.action_close_search()
        rows = await reports.search(self.engine, text)
        t = self.query_one(DataTable)
        t.clear(columns=True)
        t.add_columns("time", "model", "match")
        self.results = {}
        for r in rows:
            key = str(r["id"])
            self.results[key] = (("tournament", r["tournament_id"]) if r["tournament_id"]
                                 else ("conversation", r["conversation"] or f"session:{r['session']}"))
            t.add_row(datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M"), r["model"],
                      snippet_text(r["snippet"]), key=key)
        self.query_one("#page", Static).update(f"{plural(len(rows), 'call')} {'matches' if len(rows) == 1 else 'match'}"
                                               f" '{text}' · enter opens it (a tournament in its view) · escape clears")
        t.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        kind, value = self.results.get(key, ("conversation", key))
        self.tell(msg.ShowTournament(value) if kind == "tournament" else msg.Resume(value))
