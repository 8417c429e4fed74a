"""Past conversations, paged (never all loaded), searchable (`/`, full text over prompts and
answers), and reopened in the chat to be continued with their context and tier."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from modeltui.ui.widgets.meter import money

PAGE = 20


class HistoryScreen(Screen):
    BINDINGS = [("escape", "back", "Back"), ("slash", "search", "Search"), ("n", "page(1)", "Older"),
                ("p", "page(-1)", "Newer")]

    def __init__(self):
        super().__init__()
        self.page_start = 0  # (not `offset`: that is every Widget's screen offset)
        self.results: dict[str, str] = {}  # row key -> conversation, while search results are shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search prompts and answers (enter searches, escape clears)", id="search")
        yield Static(id="page", markup=False)
        yield DataTable(id="conversations", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#search").display = False
        await self.load()
        self.query_one(DataTable).focus()

    async def load(self) -> None:
        from modeltui import reports

        self.results = {}
        rows = await reports.conversations(self.app.engine, limit=PAGE, offset=self.page_start)
        t = self.query_one(DataTable)
        t.clear(columns=True)
        t.add_columns("started", "prompts", "cost", "first prompt")
        for r in rows:
            t.add_row(datetime.fromtimestamp(r["started"]).strftime("%Y-%m-%d %H:%M"), int(r["prompts"] or 0),
                      money(r["cost_usd"] or 0.0), r["title"], key=r["conversation"])
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

    async def action_back(self) -> None:
        box = self.query_one("#search", Input)
        if box.display:  # escape first closes the search
            box.value, box.display = "", False
            await self.load()
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        from modeltui import reports

        text = event.value.strip()
        if not text:
            return await self.action_back()
        rows = await reports.search(self.app.engine, text)
        t = self.query_one(DataTable)
        t.clear(columns=True)
        t.add_columns("time", "model", "match")
        self.results = {}
        for r in rows:
            key = str(r["id"])
            self.results[key] = r["conversation"] or f"session:{r['session']}"
            t.add_row(datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M"), r["model"],
                      " ".join((r["snippet"] or "").split()), key=key)
        self.query_one("#page", Static).update(f"{len(rows)} calls match '{text}' · enter continues that "
                                               "conversation · escape clears")
        t.focus()

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        conversation = self.results.get(key, key)
        self.app.pop_screen()
        await self.app.chat.resume(conversation)
