"""Rankings per use case: a sortable table beside a savings summary."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Select, Static

from modeltui.ui.widgets.meter import money

class Cell(float):
    """A number that sorts as a number and shows as formatted text (None-safe via NA)."""

    def __new__(cls, value: float, text: str):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __rich__(self):
        return self.text


def cell(value, fmt) -> Cell:
    return Cell(float("-inf"), "—") if value is None else Cell(value, fmt(value))


COLUMNS = ("model", "composite", "Bradley-Terry (95% CI)", "success", "median ms", "cost/call", "obs")


class RankingsScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("s", "sort", "Sort by next column"), ("r", "reload", "Reload")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Select([], prompt="use case", id="usecase", allow_blank=True)
        yield DataTable(id="table", zebra_stripes=True, cursor_type="row")
        yield Static(id="savings", markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        self.sort_col = 1
        table = self.query_one(DataTable)
        for c in COLUMNS:
            table.add_column(c, key=c)
        await self.action_reload()

    async def action_reload(self) -> None:
        from modeltui import reports

        engine = self.app.engine
        if engine is None:
            return
        self.data = await reports.rankings(engine, bootstrap=100)
        select = self.query_one(Select)
        current = select.value if select.value in self.data else (next(iter(self.data)) if self.data else Select.BLANK)
        select.set_options([(uc, uc) for uc in self.data])
        if current is not Select.BLANK:
            select.value = current
        s = await reports.savings(engine, ranked=self.data)
        flags = ("; " + "; ".join(s["flags"])) if s["flags"] else ""
        self.query_one("#savings", Static).update(
            f"this month: spent {money(s['actual_usd'])}, best-ranked adequate models would cost "
            f"{money(s['alternative_usd'])} (possible saving {money(s['possible_savings_usd'])}){flags}")
        self.fill()

    def on_select_changed(self) -> None:
        self.fill()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        uc = self.query_one(Select).value
        for r in self.data.get(uc, []) if uc is not Select.BLANK else []:
            bt = f"{r.bt_rating:.0f} ({r.bt_lo:.0f}–{r.bt_hi:.0f})" if r.bt_rating is not None else "—"
            table.add_row(r.model, cell(r.composite, "{:.3f}".format),
                          cell(r.bt_rating, lambda _: bt), cell(r.success_rate, "{:.2f}".format),
                          cell(r.median_latency_ms, "{:.0f}".format), cell(r.cost_per_call_usd, money),
                          cell(r.observations, "{:d}".format))
        self._sort()

    def _sort(self) -> None:
        key = COLUMNS[self.sort_col]
        reverse = key in ("composite", "Bradley-Terry (95% CI)", "success", "obs")
        self.query_one(DataTable).sort(key, reverse=reverse)

    def action_sort(self) -> None:
        self.sort_col = (self.sort_col + 1) % len(COLUMNS)
        self._sort()
        self.notify(f"sorted by {COLUMNS[self.sort_col]}")

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.sort_col = event.column_index
        self._sort()
