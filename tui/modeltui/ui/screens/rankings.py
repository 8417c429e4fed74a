"""Rankings per use case: a sortable table beside a savings summary; fits 80 columns.

Where the user has voted in a use case, its table is sorted by the vote rating at first (what
the user said outranks the speed-and-cost score, which put the model voted worst on top); where
not, by the score. `s` or a click on a heading sorts by another column."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Select, Static

from modeltui.ui.screens.view import View
from modeltui.ui.widgets.meter import money
from modeltui.vocab.words import plural

# (heading, the row's value to sort by, how it is shown, largest first?)
COLUMNS = (
    ("model", lambda r: r.model, lambda r: r.model, False),
    ("score", lambda r: r.composite, lambda r: f"{r.composite:.3f}", True),
    ("BT (95% CI)", lambda r: r.bt_rating if r.bt_rating is not None else float("-inf"),
     lambda r: f"{r.bt_rating:.0f} ({r.bt_lo:.0f}–{r.bt_hi:.0f})" if r.bt_rating is not None else "—", True),
    ("ok", lambda r: r.success_rate if r.success_rate is not None else -1.0,
     lambda r: f"{r.success_rate:.2f}" if r.success_rate is not None else "—", True),
    ("ms", lambda r: r.median_latency_ms or float("inf"),
     lambda r: f"{r.median_latency_ms:.0f}" if r.median_latency_ms else "—", False),
    ("$/call", lambda r: r.cost_per_call_usd if r.cost_per_call_usd is not None else float("inf"),
     lambda r: money(r.cost_per_call_usd), False),
    ("n", lambda r: r.observations, lambda r: f"{int(r.observations):d}", True),
)
MODEL_WIDTH = 24


def short(model: str) -> str:
    return model if len(model) <= MODEL_WIDTH else model[: MODEL_WIDTH - 1] + "…"


class RankingsScreen(View):
    BINDINGS = [("s", "sort", "Sort"), ("r", "reload", "Reload")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Select([], prompt="use case", id="usecase", allow_blank=True)
        yield Static(id="sorted", markup=False)
        yield DataTable(id="table", zebra_stripes=True, cursor_type="row")
        yield Static(id="savings", markup=False)
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self.sort_col: int | None = None  # None: by vote rating where there are votes, else by score
        self.data = {}

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for heading, *_ in COLUMNS:
            table.add_column(heading, key=heading)

    def on_screen_resume(self) -> None:
        self.run_worker(self.action_reload, group="reload", exclusive=True)  # the log has grown meanwhile

    async def action_reload(self) -> None:
        from modeltui import reports

        engine = self.engine
        if engine is None:
            return
        self.data = await reports.rankings(engine)
        select = self.query_one(Select)
        current = select.value if select.value in self.data else (next(iter(self.data)) if self.data else Select.BLANK)
        select.set_options([(uc, uc) for uc in self.data])
        if current is not Select.BLANK:
            select.value = current
        s = await reports.savings(engine, ranked=self.data)
        flags = ("; " + "; ".join(s["flags"])) if s["flags"] else ""
        m = s["month"]
        self.query_one("#savings", Static).update(
            f"score = {reports.weights_title(engine)}, votes and thumbs included. This month: {money(m['usd'])} over "
            f"{m['calls']} calls (every kind). Its {s['calls']} answered calls cost {money(s['actual_usd'])}; the "
            f"best-ranked adequate models would cost {money(s['alternative_usd'])} "
            f"(possible saving {money(s['possible_savings_usd'])}){flags}"
            + (f". The team's {plural(t['calls'], 'answered call')} this month cost {money(t['actual_usd'])}; "
               f"would cost {money(t['alternative_usd'])}" if (t := s.get("team")) else "")
            + (f". Evidence: {s['evidence']}" if engine.team is not None else ""))
        self.fill()

    def on_select_changed(self) -> None:
        self.fill()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        uc = self.query_one(Select).value
        rows = list(self.data.get(uc, [])) if uc is not Select.BLANK else []
        col = self.sort_col
        if col is None:
            col = 2 if any(r.bt_rating is not None for r in rows) else 1
            why = "your votes here" if col == 2 else "no votes in this use case yet"
            said = f"sorted by {'vote rating (BT)' if col == 2 else 'score'}: {why}; s sorts by another column"
        else:
            said = f"sorted by {COLUMNS[col][0]} (s: next column)"
        self.query_one("#sorted", Static).update(said)
        heading, key, _, largest_first = COLUMNS[col]
        ranked = sorted(rows, key=lambda r: -r.composite)  # ties (no rating, same ms) keep the score's order
        for r in sorted(ranked, key=key, reverse=largest_first):
            table.add_row(short(r.model), *(show(r) for _, _, show, _ in COLUMNS[1:]))

    def action_sort(self) -> None:
        self.sort_col = ((self.sort_col if self.sort_col is not None else 1) + 1) % len(COLUMNS)
        self.fill()
        self.notify(f"sorted by {COLUMNS[self.sort_col][0]}")

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.sort_col = event.column_index
        self.fill()
