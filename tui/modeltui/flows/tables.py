"""What the CLI and the app show for runs, computed from the stored run items (so an old run
reads the same as a fresh one): a suite's model × use case matrix, and two runs side by side."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

ALL = "all"


@dataclass
class Cell:
    model: str
    use_case: str
    answered: int = 0  # scored (not skipped)
    passed: int = 0
    cost_usd: float = 0.0
    latencies: list[float] | None = None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.answered if self.answered else None

    @property
    def median_latency_ms(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    def to_dict(self) -> dict:
        return {"model": self.model, "use_case": self.use_case, "answered": self.answered, "passed": self.passed,
                "pass_rate": self.pass_rate, "cost_usd": self.cost_usd, "median_latency_ms": self.median_latency_ms}


def bench_matrix(items: list[dict], models: list[str]) -> tuple[dict[str, dict[str, Cell]], dict[str, str | None]]:
    """use case -> model -> Cell (plus an 'all' row), and per use case the cheapest model that
    passes at least as often as the best one."""
    cells: dict[str, dict[str, Cell]] = defaultdict(dict)
    for it in items:
        for uc in (it["use_case"] or "general", ALL):
            c = cells[uc].setdefault(it["model"], Cell(it["model"], uc, latencies=[]))
            if it["status"] == "skipped":
                continue
            c.answered += 1
            c.passed += bool(it["passed"])
            c.cost_usd += it["cost_usd"] or 0.0
            if it["latency_ms"] is not None:
                c.latencies.append(it["latency_ms"])
    order = {m: i for i, m in enumerate(models)}
    matrix = {uc: dict(sorted(row.items(), key=lambda kv: order.get(kv[0], len(order))))
              for uc, row in sorted(cells.items(), key=lambda kv: (kv[0] == ALL, kv[0]))}
    best = {}
    for uc, row in matrix.items():
        rated = [c for c in row.values() if c.pass_rate is not None]
        top = max((c.pass_rate for c in rated), default=None)
        best[uc] = min((c for c in rated if c.pass_rate >= top - 1e-9), key=lambda c: (c.cost_usd / c.answered, c.model)).model \
            if rated and top > 0 else None  # none passes: no model is "good enough"
    return matrix, best


@dataclass
class StepFigures:
    step: str
    runs: int = 0  # passes in which the step ran
    cost_usd: float = 0.0  # mean per pass, escalations included
    tokens: float = 0.0  # mean per pass (in + out)
    latency_ms: float | None = None  # median per pass
    checked: int = 0  # first tries that had a check
    passed: int = 0  # ... and passed it
    escalations: int = 0
    models: str = ""

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.checked if self.checked else None


def step_figures(items: list[dict]) -> dict[str, StepFigures]:
    """Per step, over a run's passes (a step a loop visits twice counts both in its pass)."""
    per: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for it in items:
        per[it["item"]][it["rep"]].append(it)
    out = {}
    for step, reps in per.items():
        f = StepFigures(step, runs=len(reps))
        lat = []
        models = []
        for rows in reps.values():
            f.cost_usd += sum(r["cost_usd"] or 0.0 for r in rows)
            f.tokens += sum((r["tokens_in"] or 0) + (r["tokens_out"] or 0) for r in rows)
            lat.append(sum(r["latency_ms"] or 0.0 for r in rows))
            for r in rows:
                f.escalations += r["attempt"] > 0
                if r["attempt"] == 0 and r["passed"] is not None:
                    f.checked += 1
                    f.passed += bool(r["passed"])
                if r["model"] and r["model"] not in models:
                    models.append(r["model"])
        f.cost_usd /= f.runs
        f.tokens /= f.runs
        f.latency_ms = statistics.median(lat) if lat else None
        f.models = ", ".join(models)
        out[step] = f
    return out


def compare(items_a: list[dict], items_b: list[dict], steps: list[str]) -> list[dict]:
    """Rows per step (in `steps` order, then any other) and a total: A, B and B − A."""
    fa, fb = step_figures(items_a), step_figures(items_b)
    names = [s for s in steps if s in fa or s in fb] + sorted((set(fa) | set(fb)) - set(steps))
    rows = []
    for name in names:
        a, b = fa.get(name), fb.get(name)
        rows.append({"step": name, "a": a, "b": b,
                     "d_cost_usd": _diff(a, b, "cost_usd"), "d_tokens": _diff(a, b, "tokens"),
                     "d_latency_ms": _diff(a, b, "latency_ms"), "d_pass_rate": _diff(a, b, "pass_rate")})
    return rows


def totals(items: list[dict]) -> dict:
    reps = {it["rep"] for it in items} or {0}
    return {"passes": len(reps), "cost_usd": sum(it["cost_usd"] or 0.0 for it in items) / len(reps),
            "tokens": sum((it["tokens_in"] or 0) + (it["tokens_out"] or 0) for it in items) / len(reps),
            "latency_ms": statistics.median([sum(it["latency_ms"] or 0.0 for it in items if it["rep"] == r) for r in reps])}


def matrix_cell(c: Cell | None, money) -> str:
    """One model × use case cell as both faces show it (`money` formats dollars their way)."""
    if c is None or c.pass_rate is None:
        return "—"
    lat = f" · {c.median_latency_ms:.0f} ms" if c.median_latency_ms is not None else ""
    return f"{c.pass_rate:.0%} ({c.passed}/{c.answered}) · {money(c.cost_usd)}{lat}"


def comparison_lines(rows: list[dict], money) -> list[list[str]]:
    """[step, measure, A, B, B − A] per step and measure, as the CLI and the app show a comparison;
    the check line only for steps that had a check."""
    def signed(v, fmt):
        return "—" if v is None else ("+" if v >= 0 else "−") + fmt(abs(v))

    def rate(f):
        return "—" if f.pass_rate is None else f"{f.pass_rate:.0%} of {f.checked}"

    measures = [("models", lambda f: f.models, None),
                ("cost / pass", lambda f: money(f.cost_usd), ("d_cost_usd", money)),
                ("tokens / pass", lambda f: f"{f.tokens:.0f}", ("d_tokens", lambda v: f"{v:.0f}")),
                ("ms / pass", lambda f: f"{f.latency_ms:.0f}", ("d_latency_ms", lambda v: f"{v:.0f}")),
                ("check passed", rate, ("d_pass_rate", lambda v: f"{v:.0%}")),
                ("escalations", lambda f: str(f.escalations), None)]
    out = []
    for r in rows:
        checked = any(f is not None and f.checked for f in (r["a"], r["b"]))
        lines = [["", name, show(r["a"]) if r["a"] else "—", show(r["b"]) if r["b"] else "—",
                  signed(r[diff[0]], diff[1]) if diff else ""]
                 for name, show, diff in measures if checked or name != "check passed"]
        lines[0][0] = r["step"]
        out += lines
    return out


def _diff(a, b, attr: str) -> float | None:
    va, vb = getattr(a, attr, None), getattr(b, attr, None)
    return None if va is None or vb is None else vb - va


async def detail(store, run: dict, against: dict | None = None) -> dict:
    """What a runs view shows for `run`: a suite's matrix, or a pipeline run's steps compared with
    `against` (else with the other variant of its A/B, if any)."""
    items = await store.run_items(run["id"])
    if run["kind"] == "bench":
        matrix, best = bench_matrix(items, (run["variant"] or "").split(","))
        return {"kind": "bench", "matrix": matrix, "best": best, "models": (run["variant"] or "").split(",")}
    if against is None:
        against = await store.ab_partner(run)
    if against is None or against["kind"] != "pipeline":
        return {"kind": "pipeline", "steps": list(step_figures(items).values()), "totals": totals(items)}
    a, b = sorted([run, against], key=lambda r: r["ts"])
    items_a, items_b = (items, await store.run_items(against["id"])) if a is run else (await store.run_items(against["id"]), items)
    steps = list(dict.fromkeys(it["item"] for it in items_a + items_b))
    return {"kind": "compare", "a": a, "b": b, "rows": compare(items_a, items_b, steps),
            "totals": (totals(items_a), totals(items_b))}
