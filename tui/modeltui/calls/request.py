"""What a caller hands `Engine.ask` and gets back: a frozen request, one observer for what
happens while it runs, and the result with its summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from modeltui.errors import UsageError, not_utf8
from modeltui.providers.attempt import Attempt
from modeltui.providers.catalog import ModelInfo
from modeltui.routing import RouteDecision
from modeltui.store.records import CallRecord
from modeltui.vocab import Status


@dataclass(frozen=True)
class AskRequest:
    prompt: str
    history: tuple[dict, ...] = ()  # earlier turns, oldest first (OpenAI message dicts)
    tier: str | None = None  # None: the config's default tier
    model: str | None = None  # forced by the user: no routing, no fallback to another model
    use_case: str | None = None  # declared; else resolved from the prompt (Engine.resolve_use_case)
    complexity: str | None = None
    max_tokens: int | None = None  # None: the config's gateway.max_tokens
    kind: str = "chat"  # chat, cli, tournament, escalate, ...
    tournament_id: str | None = None
    conversation: str | None = None  # the app's conversation id (history can be found and resumed)
    origin_id: int | None = None  # the call this one re-asks (escalation, retry with another model)
    stronger_than: float | None = None  # escalation: only models of higher quality than this
    exclude: frozenset[str] = frozenset()  # models not to use (e.g. the one being escalated from)
    system: str | None = None  # the conversation's system prompt, sent first
    run_id: str | None = None  # a pipeline run or benchmark (flows/), with the step it asks for
    step: str | None = None
    temperature: float | None = None  # passed on to the provider as given (None: the provider's default)
    stop: tuple[str, ...] = ()  # stop sequences, passed on
    client: str | None = None  # the tool that asked through `modeltui serve` (logged in `client`)

    def params(self) -> dict:
        """Sampling parameters a caller set, as the provider's request takes them."""
        return {**({"temperature": self.temperature} if self.temperature is not None else {}),
                **({"stop": list(self.stop)} if self.stop else {})}

    def __post_init__(self) -> None:
        """Text that is not valid Unicode (a shell's invalid UTF-8 arrives as surrogates) is
        refused here, at the one door to the engine: it could be neither sent nor logged."""
        for what, text in (("prompt", self.prompt), ("system prompt", self.system),
                           *(("history", str(m.get("content", ""))) for m in self.history)):
            if (why := not_utf8(text)) is not None:
                raise UsageError(f"the {what} is {why}")

    def chosen_by(self, tier: str | None) -> str | None:
        """The log's `tier`: the tier that routed the call, or what chose its model instead
        (`tournament` for entrants, `user` for a model named in the chat or the CLI, else the kind)."""
        if self.model is None:
            return tier
        if self.kind == "tournament":
            return "tournament"
        return "user" if self.kind in ("chat", "retry", "cli") else str(self.kind)

    def messages(self) -> list[dict]:
        head = [{"role": "system", "content": self.system}] if self.system else []
        return [*head, *self.history, {"role": "user", "content": self.prompt}]


class AskObserver:
    """Callbacks while a call runs; every one is optional (override what you render)."""

    def text(self, chunk: str) -> None:
        """A piece of the streamed answer."""

    def event(self, note: str) -> None:
        """A fallback or wait, said in one line."""

    def reserved(self, amount_usd: float) -> None:
        """Budget reserved for the attempt about to start."""

    def routed(self, decision) -> None:
        """The route chosen (RouteDecision: its model, why, the scored candidates)."""

    def attempt(self, attempt) -> None:
        """The attempt (providers/attempt.py: its `model`, its text and cost so far) about to be sent."""

    def row(self, call_id: int | None) -> None:
        """The id of the attempt's row in the log (written `started` with its reservation)."""


@dataclass(frozen=True)
class AskSummary:
    """One call as the CLI prints it and `--json` writes it."""

    call_id: int
    model: str
    simulated: bool
    tier: str
    effective_tier: str
    use_case: str
    complexity: str
    tokens_in: int | None
    tokens_out: int | None
    tokens_estimated: bool
    cost_usd: float | None
    total_cost_usd: float
    latency_ms: float
    ttft_ms: float | None
    status: str
    error_kind: str | None
    error: str | None
    attempts: int
    text: str
    finish_reason: str | None
    cut_short: bool
    total_ms: float
    attempt_list: list[dict]  # every HTTP attempt: model, status, error kind, ms
    gave_up: list[str]  # what a fallback gave up of the tier (quality floor, price order), if anything
    reasons: dict = field(repr=False)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AskResult:
    decision: RouteDecision
    attempts: list[Attempt] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]

    @property
    def call_id(self) -> int:
        return self.call_ids[-1]

    def summary(self) -> AskSummary:
        a, d = self.final, self.decision
        return AskSummary(
            call_id=self.call_id, model=a.model.id, simulated=a.model.simulated, tier=d.tier,
            effective_tier=d.effective_tier, use_case=d.use_case, complexity=d.complexity, tokens_in=a.tokens_in,
            tokens_out=a.tokens_out, tokens_estimated=a.estimated,
            cost_usd=None if a.cost is None else round(a.cost, 10),
            total_cost_usd=round(sum(x.cost or 0 for x in self.attempts), 10),
            latency_ms=round(a.latency_ms or 0, 1), ttft_ms=a.ttft_ms and round(a.ttft_ms, 1), status=a.status,
            error_kind=a.error_kind, error=a.error_message, attempts=len(self.attempts), text=a.text,
            finish_reason=a.finish_reason, cut_short=a.cut_short,
            total_ms=round(sum(x.latency_ms or 0 for x in self.attempts), 1),
            attempt_list=[{"model": x.model.id, "status": x.status, "error_kind": x.error_kind,
                           "ms": round(x.latency_ms or 0, 1)} for x in self.attempts],
            gave_up=list(self.gave_up), reasons=d.reasons())


class Opening:
    """`await Engine.open(...)` or `async with Engine.open(...) as engine` (closed on exit)."""

    def __init__(self, opener):  # opener: a coroutine function returning an object with close()
        self._opener = opener
        self._engine = None

    def __await__(self):
        return self._opener().__await__()

    async def __aenter__(self):
        self._engine = await self._opener()
        return self._engine

    async def __aexit__(self, *exc) -> None:
        await self._engine.close()


def usage_parts(a: Attempt) -> dict:
    """The reported usage parts and both cost figures of an attempt, as `calls` columns."""
    u = a.usage()
    reported = not u.estimated and a.reported is not None
    return {"tokens_cache_read": u.cache_read_tokens if reported else None,
            "tokens_cache_write": u.cache_write_tokens if reported else None,
            "tokens_reasoning": u.reasoning_tokens if reported else None,
            "cost_computed_usd": a.cost_computed, "cost_reported": u.reported_cost is not None}


def record(session: str, a: Attempt, d: RouteDecision, request: AskRequest, parent: int | None) -> CallRecord:
    """The row one attempt is logged as."""
    return CallRecord(
        session=session, kind=request.kind, model=a.model.id, provider=a.model.provider, status=a.status,
        tier=request.chosen_by(d.tier), use_case=d.use_case, complexity=d.complexity, simulated=a.model.simulated,
        prompt=request.prompt, response=a.text, tokens_in=a.tokens_in, tokens_out=a.tokens_out,
        tokens_estimated=a.estimated, cost_usd=a.cost, latency_ms=a.latency_ms, ttft_ms=a.ttft_ms,
        **usage_parts(a), error_kind=a.error_kind, error_message=a.error_message, parent_id=parent,
        tournament_id=request.tournament_id, decision=d.to_json(), finish_reason=a.finish_reason,
        conversation=request.conversation, origin_id=request.origin_id, run_id=request.run_id, step=request.step,
        client=request.client)


def started(session: str, model: ModelInfo, d: RouteDecision | None, request: AskRequest, parent: int | None) -> CallRecord:
    """The row an attempt has before it is sent (status `started`): what a killed process leaves."""
    return CallRecord(
        session=session, kind=request.kind, model=model.id, provider=model.provider, status=Status.STARTED,
        tier=request.chosen_by(d.tier if d else request.tier), use_case=d.use_case if d else request.use_case,
        complexity=d.complexity if d else request.complexity, simulated=model.simulated, prompt=request.prompt,
        parent_id=parent, tournament_id=request.tournament_id, conversation=request.conversation,
        origin_id=request.origin_id, run_id=request.run_id, step=request.step, client=request.client)
