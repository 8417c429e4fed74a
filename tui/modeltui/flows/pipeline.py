"""Run a pipeline: each step is one `Engine.ask` (kind `pipeline`, tagged with the run and the
step), so routing, budget reservations, fallback and logging are the engine's, unchanged.

A step whose check fails is asked again one tier up, on a stronger model, linked to the answer
it re-asks (`origin_id`), at most `retries` times; the check's verdict is evidence for the model
that answered. A run that cannot go on (the budget, no model, an error, a check that still
fails) stops at that step and says why; what it logged stays logged.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from modeltui.calls.request import AskObserver, AskRequest
from modeltui.errors import BudgetRefused, ModeltuiError, UsageError
from modeltui.flows import checks
from modeltui.flows.spec import END, Pipeline, Step, render
from modeltui.learning import evidence, observe
from modeltui.routing import RouteRequest
from modeltui.store.runs import RunItem
from modeltui.vocab import CallKind, EvidenceSource, Tier

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine

OVERRIDABLE = ("model", "tier", "max_tokens")


def new_run_id(kind: str = "run") -> str:
    return f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"  # runs started in one second must not collide


class RunObserver(AskObserver):
    """What a run reports while it goes; every callback is optional."""

    def step(self, name: str, attempt: int, rep: int) -> None:
        """A step (attempt 0) or its escalation (1, 2...) is about to be asked."""

    def step_done(self, item: RunItem) -> None:
        """A step answered (or failed): its model, cost and check."""


@dataclass
class RunResult:
    run_id: str
    pipeline: str
    rep: int = 0
    items: list[RunItem] = field(default_factory=list)
    status: str = "ok"  # ok, failed
    error: str | None = None  # "step 'x': why"
    output: str = ""
    budget_stopped: bool = False  # the cap refused a step: later passes would stop there too

    @property
    def cost_usd(self) -> float:
        return sum(i.cost_usd or 0.0 for i in self.items)

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "pipeline": self.pipeline, "rep": self.rep, "status": self.status,
                "error": self.error, "cost_usd": self.cost_usd, "output": self.output,
                "steps": [asdict(i) for i in self.items]}


def apply_overrides(pipe: Pipeline, sets: list[str]) -> Pipeline:
    """`--set step.model=M` (or tier=, max_tokens=) on a copy of the pipeline."""
    steps = {s.name: s for s in pipe.steps}
    for s in sets:
        key, eq, value = s.partition("=")
        name, dot, what = key.strip().rpartition(".")
        if not eq or not dot or what not in OVERRIDABLE:
            raise UsageError(f"override '{s}': expected STEP.model=ID, STEP.tier=TIER or STEP.max_tokens=N")
        if name not in steps:
            raise UsageError(f"override '{s}': pipeline '{pipe.name}' has no step '{name}' (steps: {', '.join(steps)})")
        value = value.strip()
        if what == "tier":
            if value not in Tier.__members__.values():
                raise UsageError(f"override '{s}': tier must be one of {', '.join(Tier)}")
            update = {"tier": Tier(value), "model": None}
        elif what == "max_tokens":
            if not value.isdigit() or int(value) <= 0:
                raise UsageError(f"override '{s}': max_tokens must be a positive whole number")
            update = {"max_tokens": int(value)}
        else:
            update = {"model": value}
        steps[name] = steps[name].model_copy(update=update)
    return pipe.model_copy(update={"steps": [steps[s.name] for s in pipe.steps]})


def check_models(engine: Engine, pipe: Pipeline) -> None:
    """Every model the pipeline names (steps, default, judges) is in the catalog: a typo is a
    usage error before anything is paid for, not a failed run half-way."""
    named = [(f"step '{s.name}'", s.model) for s in pipe.steps] + [("the pipeline", pipe.model)]
    named += [(f"step '{s.name}' judge", s.check.judge) for s in pipe.steps if s.check is not None]
    for where, model in named:
        if model:
            engine.catalog.require(model, where)


def routing(pipe: Pipeline, step: Step) -> tuple[str | None, str | None, str]:
    """(model, tier, where it came from): the step's model, else its tier, else the pipeline's
    model or tier, else the config's default tier (None)."""
    if step.model:
        return step.model, None, "step model"
    if step.tier:
        return None, str(step.tier), "step tier"
    if pipe.model:
        return pipe.model, None, "pipeline model"
    if pipe.tier:
        return None, str(pipe.tier), "pipeline tier"
    return None, None, "config tier"


def following(pipe: Pipeline, i: int, text: str) -> int | None:
    """The next step's index (None: the run ends): the `choose` word the output says first,
    else `next`, else the step below."""
    step = pipe.steps[i]
    low = text.lower()
    said = [(m.start(), t) for word, t in step.choose.items()
            if (m := re.search(rf"\b{re.escape(word.lower())}\b", low))]
    target = min(said)[1] if said else step.next
    if target == END:
        return None
    if target:
        return pipe.index(target)
    return i + 1 if i + 1 < len(pipe.steps) else None


def successors(pipe: Pipeline, i: int) -> set[int | None]:
    """Every step `following` can pick after step i (None: the run ends)."""
    step = pipe.steps[i]
    default = step.next or (pipe.steps[i + 1].name if i + 1 < len(pipe.steps) else END)
    return {None if t == END else pipe.index(t) for t in (*step.choose.values(), default)}


def dearest_path(pipe: Pipeline, costs: list[float | None]) -> tuple[float, list[int]]:
    """The most a pass can cost: the dearest way through the steps, a branch taking its dearest
    arm and a loop going round until `max_steps` steps have run (a step with no price counts 0;
    the caller says so). (cost, the step indexes in order)."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def worst(i: int | None, left: int) -> tuple[float, tuple[int, ...]]:
        if i is None or left == 0:
            return 0.0, ()
        after = max((worst(j, left - 1) for j in successors(pipe, i)), key=lambda w: w[0])
        return (costs[i] or 0.0) + after[0], (i, *after[1])

    total, path = worst(0, pipe.max_steps)
    return total, list(path)


async def run(engine: Engine, pipe: Pipeline, input_text: str, run_id: str, rep: int = 0,
              observer: RunObserver | None = None) -> RunResult:
    """One pass of `pipe` over `input_text`; its steps are logged under `run_id` (the caller
    created the run row)."""
    obs = observer or RunObserver()
    out = RunResult(run_id, pipe.name, rep)
    outputs: dict[str, str] = {}
    last = ""
    i: int | None = 0
    for _ in range(pipe.max_steps):
        if i is None:
            return out
        step = pipe.steps[i]
        last, why = await _step(engine, pipe, step, render(step.prompt, input_text, outputs, last), out, obs)
        if why is not None:
            out.status, out.error = "failed", f"step '{step.name}': {why}"
            return out
        outputs[step.name] = last
        if step.store_as:
            outputs[step.store_as] = last
        out.output = outputs.get(pipe.output, last) if pipe.output else last
        i = following(pipe, i, last)
    if i is not None:
        out.status, out.error = "failed", f"step '{pipe.steps[i].name}': more than max_steps ({pipe.max_steps}) steps ran"
    return out


async def _step(engine: Engine, pipe: Pipeline, step: Step, prompt: str, out: RunResult, obs: RunObserver) -> tuple[str, str | None]:
    """Ask one step, escalating while its check fails. (output, None) or (partial, why it stopped)."""
    model, tier, _ = routing(pipe, step)
    request = AskRequest(prompt, model=model, tier=tier, kind=CallKind.PIPELINE, run_id=out.run_id, step=step.name,
                         max_tokens=step.max_tokens or pipe.max_tokens)
    verdict = None
    text = ""
    for attempt in range(step.retries + 1):
        obs.step(step.name, attempt, out.rep)
        try:
            result = await engine.ask(request, obs)
        except ModeltuiError as exc:
            if attempt > 0 and not isinstance(exc, BudgetRefused):  # nothing stronger: the last verdict stands
                obs.event(f"cannot escalate step '{step.name}': {exc}")
                break
            out.budget_stopped = isinstance(exc, BudgetRefused)
            item = RunItem(out.run_id, step.name, "skipped", out.rep, attempt, note=str(exc))
            await engine.store.add_run_item(item)
            out.items.append(item)
            obs.step_done(item)
            return text, str(exc)
        s = result.summary()
        verdict = None
        if step.check is not None and s.status == "ok":
            verdict = await checks.verify(engine, step.check, s.text, prompt, out.run_id, step.name, s.use_case)
        item = RunItem(out.run_id, step.name, "ok" if s.status == "ok" else "error", out.rep, attempt, s.use_case,
                       s.model, s.call_id, None if verdict is None else verdict.passed,
                       verdict.note if verdict else (None if s.status == "ok" else f"{s.error_kind}: {s.error}"),
                       s.total_cost_usd, s.tokens_in, s.tokens_out, s.latency_ms)
        await engine.store.add_run_item(item)
        out.items.append(item)
        obs.step_done(item)
        if s.status != "ok":
            return s.text, f"{s.error_kind}: {s.error}"
        text = s.text
        if verdict is None:
            return text, None
        await observe.observe_answers(engine.store, EvidenceSource.CHECK, [(s.call_id, s.use_case, s.model, evidence.checked(
            verdict.passed, time.time(), engine.cfg.flows.check_weight))])
        if verdict.passed:
            return text, None
        up = Tier(result.decision.effective_tier).up()
        if attempt == step.retries or up is None:
            break
        obs.event(f"check failed ({verdict.note}): step '{step.name}' escalates to {up}")
        answered = engine.catalog.models.get(s.model)
        request = replace(request, model=None, tier=str(up), origin_id=s.call_id, exclude=request.exclude | {s.model},
                          stronger_than=answered.quality if answered is not None else None)
    if step.on_fail == "continue":
        return text, None
    return text, f"check failed: {verdict.note}" if verdict else "check failed"



async def plan(engine: Engine, pipe: Pipeline, input_text: str) -> list[dict]:
    """`--dry-run`: each step's routing and worst-case cost, calling nothing. A later step's
    prompt counts each earlier output it uses at that step's max_tokens."""
    rows = []
    sizes = {}
    for step in pipe.steps:
        max_tokens = step.max_tokens or pipe.max_tokens or engine.cfg.gateway.max_tokens
        model, tier, source = routing(pipe, step)
        filler = {name: "x " * n for name, n in sizes.items()}
        prompt = render(step.prompt, input_text, filler, "x " * max(sizes.values(), default=0))
        req = RouteRequest([{"role": "user", "content": prompt}], tier=tier or engine.cfg.default_tier, model=model,
                           max_tokens=max_tokens)
        row = {"step": step.name, "source": source, "max_tokens": max_tokens, "tokens_in": req.tokens_in(),
               "check": _describe(step), "next": _next_text(pipe, step)}
        try:
            d = await engine.route(req)
            info = engine.catalog[d.model]
            row |= {"model": d.model, "tier": d.effective_tier, "worst_case_usd": info.worst_case(req.tokens_in(), max_tokens),
                    "note": None}
        except ModeltuiError as exc:
            row |= {"model": None, "tier": tier, "worst_case_usd": None, "note": str(exc)}
        sizes[step.name] = max_tokens
        if step.store_as:
            sizes[step.store_as] = max_tokens
        rows.append(row)
    return rows


def _describe(step: Step) -> str:
    if step.check is None:
        return "—"
    c = step.check
    kinds = [k for k, v in (("contains", c.contains), ("regex", c.regex), ("number", c.number), ("exact", c.exact),
                            ("choice", c.choice), ("json", c.is_json or None), ("json_keys", c.json_keys or None),
                            ("judge", c.judge)) if v is not None]
    return ", ".join(kinds) + f" (≤{step.retries} escalation{'s' if step.retries != 1 else ''})"


def _next_text(pipe: Pipeline, step: Step) -> str:
    if step.choose:
        return " / ".join(f"{w} → {t}" for w, t in step.choose.items()) + (f" / else → {step.next}" if step.next else "")
    if step.next:
        return step.next
    i = pipe.index(step.name)
    return pipe.steps[i + 1].name if i + 1 < len(pipe.steps) else END
