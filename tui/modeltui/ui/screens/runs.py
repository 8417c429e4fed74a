"""Pipeline runs and benchmark suites: the recent runs in a table; below it the highlighted run,
as `modeltui bench` and `modeltui compare` print it (a suite's model × use case matrix, an A/B's
steps side by side). `m` marks a run to compare any other pipeline run against."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from modeltui.flows import tables
from modeltui.ui.screens.view import View
from modeltui.ui.widgets.meter import money


def matrix_table(d: dict) -> Table:
    t = Table(title="pass rate · cost · median latency", expand=True, show_edge=False, pad_edge=False)
    t.add_column("use case")
    for m in d["models"]:
        t.add_column(m, overflow="fold")
    t.add_column("cheapest as good", overflow="fold")
    for uc, row in d["matrix"].items():
        t.add_row(uc, *(tables.matrix_cell(row.get(m), money) for m in d["models"]), d["best"].get(uc) or "none passes")
    return t


def steps_table(d: dict) -> Table:
    t = Table(title="per pass", expand=True, show_edge=False, pad_edge=False)
    for col in ("step", "models", "cost", "tokens", "ms", "check", "escalations"):
        t.add_column(col, overflow="fold")
    for f in d["steps"]:
        t.add_row(f.step, f.models, money(f.cost_usd), f"{f.tokens:.0f}", f"{f.latency_ms:.0f}",
                  "—" if f.pass_rate is None else f"{f.pass_rate:.0%} of {f.checked}", str(f.escalations))
    return t


def compare_table(d: dict) -> Table:
    a, b = d["a"], d["b"]
    t = Table(title=f"A {a['id']} ({a['variant'] or a['name']})  ·  B {b['id']} ({b['variant'] or b['name']})",
              expand=True, show_edge=False, pad_edge=False)
    for col in ("step", "", "A", "B", "B − A"):
        t.add_column(col, overflow="fold")
    for line in tables.comparison_lines(d["rows"], money):
        t.add_row(*line)
    return t


class RunsScreen(View):
    BINDINGS = [("r", "reload", "Reload"), ("m", "mark", "Mark to compare")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="runs", zebra_stripes=True, cursor_type="row")
        with VerticalScroll(id="run-detail"):
            yield Static(id="detail", markup=False)
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict] = {}
        self.marked: dict | None = None

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for col in ("run (kind-date-time)", "name", "variant / models", "status", "cost"):
            table.add_column(col, key=col)

    def on_screen_resume(self) -> None:
        self.run_worker(self.action_reload, group="reload", exclusive=True)  # the log has grown meanwhile

    async def action_reload(self) -> None:
        engine = self.engine
        if engine is None:
            return
        runs = await engine.store.recent_runs(limit=200)
        self.rows = {r["id"]: r for r in runs}
        table = self.query_one(DataTable)
        table.clear()
        for r in runs:
            variant = r["variant"] or ""
            table.add_row(r["id"], r["name"][:16], variant if len(variant) <= 22 else variant[:21] + "…", r["status"],
                          money(r["cost_usd"]), key=r["id"])
        if not runs:
            self.query_one("#detail", Static).update("No runs yet. From a shell: modeltui run triage --input \"…\" · "
                                                     "modeltui bench basics --models demo/small,demo/medium,demo/large")
        else:
            await self.show(runs[0]["id"])

    async def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value in self.rows:
            await self.show(event.row_key.value)

    async def show(self, run_id: str) -> None:
        run = self.rows[run_id]
        against = self.marked if self.marked and self.marked["id"] != run_id and run["kind"] == "pipeline" else None
        d = await tables.detail(self.engine.store, run, against)
        render = {"bench": matrix_table, "pipeline": steps_table, "compare": compare_table}[d["kind"]]
        head = f"{run['id']} · {run['status']}" + (f": {run['error']}" if run["error"] else "")
        if self.marked:
            head += f" · marked: {self.marked['id']}"
        self.query_one("#detail", Static).update(_stack(head, render(d)))

    async def action_mark(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        run_id = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        run = self.rows[run_id]
        if run["kind"] != "pipeline":
            self.notify("only pipeline runs compare; a suite shows its matrix", severity="warning")
            return
        self.marked = None if self.marked and self.marked["id"] == run_id else run
        self.notify(f"marked {run_id}: highlight another run to compare" if self.marked else "unmarked")
        await self.show(run_id)


def _stack(head: str, table: Table):
    from rich.console import Group
    from rich.text import Text

    return Group(Text(head), table)
