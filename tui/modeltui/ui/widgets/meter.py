"""Live cost and budget meter: this answer while it streams, session, today, month against the
cap as a bar that changes colour near and at the cap, money reserved by calls in flight, and a
per-model breakdown on demand."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

NEAR = 0.8


from modeltui.vocab.words import money  # noqa: F401 - the one format (views import it from here)


class CostMeter(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(id="meter-live", markup=False)
        yield Static(id="meter-spend", markup=False)
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=True, id="meter-bar")
        yield Static(id="meter-cap", markup=False)
        yield Static(id="meter-models", markup=False)

    def on_mount(self) -> None:
        self.query_one("#meter-models").display = False
        self.set_live(None)

    def set_live(self, cost: float | None, model: str | None = None) -> None:
        if model is None:
            text = "this answer: —"
        else:  # a model with no known price is "unpriced", never $0
            text = f"this answer: {'unpriced' if cost is None else money(cost)} ({model})"
        self.query_one("#meter-live", Static).update(text)

    def update_figures(self, figures, by_model: list[dict] | None = None) -> None:
        """`figures`: budget.BudgetFigures."""
        fig = vars(figures)
        self.query_one("#meter-spend", Static).update(
            f"session {money(fig['session_usd'])}\ntoday   {money(fig['today_usd'])}\n"
            f"month   {money(fig['month_usd'])}\nreserved {money(fig['reserved_usd'])}"
            + (f"\nlearning {money(fig['learning_usd'])} this month" if fig.get("learning_usd") else "")
            + (f"\n+ {fig['month_unpriced_calls']} unpriced this month" if fig.get("month_unpriced_calls") else "")
            + _team_lines(fig.get("team"))
            + ("\nteam    unreachable: nothing is sent; retrying" if fig.get("team_offline") else ""))
        cap = fig["monthly_cap_usd"]
        bar = self.query_one("#meter-bar", ProgressBar)
        line = self.query_one("#meter-cap", Static)
        self.remove_class("near", "over")
        if (team := fig.get("team")) is not None and not cap:  # team mode: the bar is the team's month
            cap, fig = team.monthly_usd, {**fig, "month_usd": team.spent_usd, "reserved_usd": team.reserved_usd}
        if cap:
            used = fig["month_usd"] + fig["reserved_usd"]
            ratio = used / cap
            bar.update(total=cap, progress=min(used, cap))
            bar.display = True
            if ratio >= 1:
                self.add_class("over")
            elif ratio >= NEAR:
                self.add_class("near")
            line.update(f"cap {money(cap)} · left {money(fig['left_usd'])}")
        else:
            bar.display = False
            line.update("no monthly cap set")
        if by_model is not None:
            t = Text("by model this month\n", style="bold")
            for r in by_model[:8]:
                t.append(f"{r['model'][:22]:<22} {'unpriced' if r['cost_usd'] is None else money(r['cost_usd'])}\n")
            self.query_one("#meter-models", Static).update(t)

    def toggle_breakdown(self) -> None:
        w = self.query_one("#meter-models")
        w.display = not w.display


def _team_lines(team) -> str:
    """Team mode: the team's month and the member's own (from the team database)."""
    if team is None:
        return ""
    mine = team.member(team.me)
    own = "" if mine is None else (f"\nyou     {money(mine.spent_usd)}"
                                   + ("" if mine.monthly_usd is None else f" of {money(mine.monthly_usd)}"))
    return f"\nteam    {money(team.spent_usd)} of {money(team.monthly_usd)}" + own
