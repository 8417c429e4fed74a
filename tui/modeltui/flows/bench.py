"""Run a benchmark suite: every prompt on every model, `repeat` times, in parallel up to
`[flows] concurrency` calls, each reserved against the budget like any call (kind `bench`).

Each answer is scored by its check, stored as a run item, and fed to the statistics and the
per-prompt evidence (weight `[flows] bench_weight`), so rankings and the auto tier learn from
it. A call the budget refuses is kept as a skipped item and counts in no pass rate.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from modeltui.calls.request import AskObserver, AskRequest
from modeltui.errors import ModeltuiError, UsageError
from modeltui.flows import checks
from modeltui.flows.pipeline import new_run_id
from modeltui.flows.spec import Suite
from modeltui.learning import evidence, observe
from modeltui.store.runs import RunItem
from modeltui.vocab import CallKind, EvidenceSource

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine


class BenchObserver:
    def done(self, item: RunItem, finished: int, total: int) -> None:
        """One (prompt, model) answered and scored."""


@dataclass
class BenchResult:
    run_id: str
    suite: str
    models: list[str]
    items: list[RunItem] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def sum_latency_s(self) -> float:
        """What the calls would have taken one after another."""
        return sum(i.latency_ms or 0.0 for i in self.items) / 1000.0


def check_models(engine: Engine, models: list[str]) -> list[str]:
    models = [m.strip() for m in models if m.strip()]
    if not models:
        raise UsageError("--models needs at least one model id")
    for m in models:
        engine.catalog.require(m)
    if len(set(models)) != len(models):
        raise UsageError("--models lists a model twice")
    return models


async def bench(engine: Engine, suite: Suite, models: list[str], repeat: int = 1, observer: BenchObserver | None = None) -> BenchResult:
    if repeat < 1:
        raise UsageError("--repeat must be at least 1")
    models = check_models(engine, models)
    obs = observer or BenchObserver()
    out = BenchResult(new_run_id("bench"), suite.name, models)
    await engine.store.create_run(out.run_id, "bench", suite.name, ",".join(models), None, None, repeat)
    jobs = [(p, m, rep) for rep in range(repeat) for p in suite.prompts for m in models]
    gate = asyncio.Semaphore(engine.cfg.flows.concurrency)

    async def one(prompt, model: str, rep: int) -> None:
        async with gate:
            item = await _score(engine, suite, prompt, model, rep, out.run_id)
        out.items.append(item)
        obs.done(item, len(out.items), len(jobs))

    t = time.perf_counter()
    status, error = "failed", "interrupted"
    try:
        async with asyncio.TaskGroup() as group:
            for p, m, rep in jobs:
                group.create_task(one(p, m, rep))
        skipped = sum(i.status == "skipped" for i in out.items)
        status, error = ("ok", None) if not skipped else ("failed", f"{skipped} of {len(jobs)} calls skipped (budget or no model)")
    finally:
        out.wall_s = time.perf_counter() - t
        await engine.store.finish_run(out.run_id, status, error)
    return out


async def _score(engine: Engine, suite: Suite, prompt, model: str, rep: int, run_id: str) -> RunItem:
    request = AskRequest(prompt.prompt, model=model, kind=CallKind.BENCH, use_case=prompt.use_case, run_id=run_id,
                         step=prompt.id, max_tokens=prompt.max_tokens or suite.max_tokens)
    try:
        result = await engine.ask(request, AskObserver())
    except ModeltuiError as exc:
        item = RunItem(run_id, prompt.id, "skipped", rep, use_case=prompt.use_case, model=model, note=str(exc))
        await engine.store.add_run_item(item)
        return item
    s = result.summary()
    verdict = None
    if s.status == "ok":
        verdict = await checks.verify(engine, prompt.check, s.text, prompt.prompt, run_id, prompt.id, prompt.use_case)
        await observe.observe_answers(engine.store, EvidenceSource.BENCH, [(s.call_id, prompt.use_case, model, evidence.checked(
            verdict.passed, time.time(), engine.cfg.flows.bench_weight))])
    item = RunItem(run_id, prompt.id, "ok" if s.status == "ok" else "error", rep, use_case=prompt.use_case, model=model,
                   call_id=s.call_id, passed=False if verdict is None else verdict.passed,  # an error is a failed answer
                   note=verdict.note if verdict else f"{s.error_kind}: {s.error}", cost_usd=s.total_cost_usd,
                   tokens_in=s.tokens_in, tokens_out=s.tokens_out, latency_ms=s.latency_ms)
    await engine.store.add_run_item(item)
    return item
