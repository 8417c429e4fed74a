"""Past sessions, paged (never all loaded), and one reopened read-only."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, Static

from modeltui.ui.widgets.meter import money

PAGE = 20


class HistoryScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("n", "page(1)", "Older"), ("p", "page(-1)", "Newer")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="page", markup=False)
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        self.offset = 0
        t = self.query_one(DataTable)
        for c in ("session", "started", "calls", "cost"):
            t.add_column(c)
        await self.load()

    async def load(self) -> None:
        from modeltui import reports

        rows = await reports.sessions(self.app.engine, limit=PAGE, offset=self.offset)
        t = self.query_one(DataTable)
        t.clear()
        for r in rows:
            t.add_row(r["session"], datetime.fromtimestamp(r["started"]).strftime("%Y-%m-%d %H:%M"), r["calls"],
                      money(r["cost_usd"]), key=r["session"])
        self.query_one("#page", Static).update(f"sessions {self.offset + 1}–{self.offset + len(rows)} (n older, p newer, enter opens)")

    async def action_page(self, step: int) -> None:
        new = max(0, self.offset + step * PAGE)
        if step > 0 and self.query_one(DataTable).row_count < PAGE:
            return
        self.offset = new
        await self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(SessionView(event.row_key.value))


class SessionView(Screen):
    """One past session, read-only."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def __init__(self, session: str):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Markdown(id="transcript")
        yield Footer()

    async def on_mount(self) -> None:
        from modeltui import reports

        rows = await reports.calls(self.app.engine, session=self.session)
        parts = [f"# Session {self.session} (read-only)"]
        for r in rows:
            cost = money(r["cost_usd"]) if r["cost_usd"] is not None else "unknown"
            parts += [f"### {r['model']} · {r['tier']} · {r['status']} · {cost}", "", "> " + (r["prompt"] or "").replace("\n", "\n> "),
                      "", r["response"] or f"*{r['error_kind']}*", ""]
        await self.query_one(Markdown).update("\n".join(parts))
