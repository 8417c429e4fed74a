"""A pipeline invocation as the CLI and the app start it: one run row per variant, `repeat`
passes over the same input, and an A/B as two such runs sharing an id."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from modeltui.errors import UsageError
from modeltui.flows.pipeline import RunObserver, RunResult, apply_overrides, check_models, new_run_id, run
from modeltui.flows.spec import Pipeline

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine


async def start(engine: Engine, pipe: Pipeline, input_text: str, sets: list[str] = (), repeat: int = 1,
                ab: list[str] | None = None, observer: RunObserver | None = None) -> list[tuple[str, str, list[RunResult]]]:
    """Run `pipe` (with `sets` applied) `repeat` times; with `ab`, once per variant (each a
    space-separated list of STEP.FIELD=VALUE) on the same input. Returns (run id, variant,
    results) per variant. A pass that fails does not stop the next one; the cap does."""
    if repeat < 1:
        raise UsageError("--repeat must be at least 1")
    if not input_text.strip():
        raise UsageError("the input is empty")
    variants = [(v, apply_overrides(apply_overrides(pipe, list(sets)), v.split())) for v in ab] if ab else \
               [(" ".join(sets) or None, apply_overrides(pipe, list(sets)))]  # every --set is checked before anything runs
    if ab is not None and len(ab) != 2:
        raise UsageError("--ab takes two variants, e.g. --ab 'analyse.model=A' 'analyse.model=B'")
    for _, variant in variants:
        check_models(engine, variant)
    ab_id = f"ab-{uuid.uuid4().hex[:8]}" if ab else None
    out = []
    for label, variant in variants:
        run_id = new_run_id()
        await engine.store.create_run(run_id, "pipeline", pipe.name, label, ab_id, input_text, repeat)
        results: list[RunResult] = []
        try:
            for rep in range(repeat):
                results.append(await run(engine, variant, input_text, run_id, rep, observer))
                if results[-1].budget_stopped:
                    break  # the next pass would stop at the same cap
        finally:
            failed = [r for r in results if r.status != "ok"]
            status = "ok" if results and not failed and len(results) == repeat else "failed"
            error = failed[0].error if failed else (None if len(results) == repeat else "interrupted")
            await engine.store.finish_run(run_id, status, error)
        out.append((run_id, label or "", results))
    return out
