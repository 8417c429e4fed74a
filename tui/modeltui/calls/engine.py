"""The one object the CLI and the UI talk to: route, reserve, call, fall back, log.

It owns the session: the catalog (with providers disabled after auth failures), cool-downs and
the store. Callers hand `ask()` a frozen `AskRequest` and one `AskObserver`, and render.
`async with Engine.open(...) as engine:` closes the log whatever happens.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import replace

from modeltui.calls.budget import Ledger, Reservation
from modeltui.calls.fallback import after_disabling, next_step
from modeltui.calls.listeners import Listener
from modeltui.calls.request import AskObserver, AskRequest, AskResult, Opening, record, started
from modeltui.vocab.ids import new_session_id
from modeltui.errors import BudgetRefused, StoreError, UsageError
from modeltui.learning import observe
from modeltui.learning.embed import pack
from modeltui.learning.router_memory import Knowledge
from modeltui.providers import catalog as catalog_mod
from modeltui.providers import gateway
from modeltui.providers.attempt import Attempt, Timeouts
from modeltui.providers.catalog import Catalog
from modeltui.providers.health import Health, endpoint_of
from modeltui.routing import RouteDecision, RouteRequest, decide
from modeltui.settings import config as config_mod
from modeltui.settings.config import Config
from modeltui.store import CallRecord, DatabaseError, Store
from modeltui.vocab import ErrorKind, Status, Tier

MAX_ATTEMPTS = 5
BACKGROUND_GRACE_S = 10.0  # closing waits this long for background work (shadow checks) still running
_SILENT = AskObserver()


async def to_the_end(work: Coroutine):
    """Run `work` to its end even if we are cancelled meanwhile (once or many times: SIGTERM, then
    Ctrl+C), then raise the cancel. `asyncio.shield` alone lets the caller go on while the work
    is still running, and the loop's shutdown would then cancel it: a row half-written is lost."""
    task = asyncio.ensure_future(work)
    interrupted = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            interrupted = interrupted or not task.done()
    result = task.result()  # the work's own error wins
    if interrupted:
        raise asyncio.CancelledError
    return result


class Engine:
    def __init__(self, cfg: Config, catalog: Catalog, store: Store, session: str | None = None):
        self.cfg = cfg
        self.listeners: list[Listener] = []
        self.catalog = catalog
        self.store = store
        self.session = session or new_session_id()
        self.ledger = Ledger(store, cfg.budget, self.session)
        self.health = Health(cfg.routing.cooldown_failures, cfg.routing.cooldown_s)
        self.team = None  # team mode: the team's evidence (calls/team_ledger.TeamEvidence)
        self.knowledge = Knowledge(cfg, store, {m.id: m.quality for m in catalog.all()} if catalog else None)
        self.rng = self.knowledge.rng  # Thompson samples (tests seed it)
        self.resolve_use_case = self.knowledge.use_case
        self.reload_use_cases = self.knowledge.reload_use_cases
        self._background: set[asyncio.Task] = set()  # what listeners spawned (shadow checks)
        self.timeouts = Timeouts(cfg.gateway.connect_timeout_s, cfg.gateway.stall_timeout_s,
                                 cfg.gateway.total_timeout_s)
        if gateway.is_loaded():
            gateway.set_demo_speed(cfg.demo.speed)

    @classmethod
    def open(cls, config_path=None, cfg: Config | None = None, probe_ollama: bool = True,
             read_only: bool = False, session: str | None = None,
             listeners: Callable[[Engine], Iterable[Listener]] | None = None, team_retry: bool = False) -> Opening:
        """`read_only`: the command only reads the log (it may then be a read-only file);
        `session`: log into this session (default: a new one); `listeners`: made for the open
        engine, they act on every ask (`signals.standard` is what the app and the CLI use);
        `team_retry`: an unreachable team database does not stop the opening, it is retried
        (the app; the ledger refuses every call meanwhile)."""
        async def opener() -> Engine:
            c = cfg or config_mod.load(config_path)
            cat = await asyncio.to_thread(catalog_mod.build, c, None, True if probe_ollama else None)
            store = await Store.open(c.db_path(), c.learning.half_life_days * 86_400, read_only=read_only)
            engine = cls(c, cat, store, session)
            engine.listeners.extend(listeners(engine) if listeners else ())
            try:
                if c.team.url():  # team mode: the caps live in PostgreSQL (psycopg is imported only then)
                    from modeltui.calls.team_ledger import open_team_ledger
                    await open_team_ledger(engine, keep_trying=team_retry)
                if not store.read_only:
                    await store.check_writable()
                    await engine.ledger.reclaim_stale()
                await engine.reload_use_cases()
            except DatabaseError as exc:  # damaged beyond what opening it showed
                await store.close()
                raise StoreError(f"{store.path}: not a usable modeltui log: {exc}") from None
            except BaseException:
                await store.close()  # aiosqlite's thread would otherwise keep the process alive
                raise
            return engine
        return Opening(opener)

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self, wait_s: float = BACKGROUND_GRACE_S) -> None:
        """Let background work still running finish (up to `wait_s`), then close the log."""
        await self.close_background(wait_s)
        await self.ledger.close()
        await self.store.close()

    async def close_background(self, timeout: float = BACKGROUND_GRACE_S) -> None:
        """Wait up to `timeout` for background work still running; cancel the rest (a call among
        it is logged as cancelled, with what it cost so far)."""
        if self._background:
            pending = set(self._background)
            if timeout > 0:
                _, pending = await asyncio.wait(pending, timeout=timeout)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def spawn(self, work: Coroutine) -> asyncio.Task:
        """Run `work` beside the caller; closing the engine waits for it (then cancels it)."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def preload(self, warm: bool = False) -> None:
        """Import litellm off the event loop (seconds) so the first call does not wait for it;
        with `warm`, also run its request path once (the app does, while the user types)."""
        await asyncio.to_thread(gateway.load)
        if self.cfg.learning.prompt_model:
            from modeltui.learning import embed
            try:
                await asyncio.to_thread(embed.load)
            except embed.EmbeddingUnavailable:
                pass  # routing goes on per use case only
        gateway.set_demo_speed(self.cfg.demo.speed)
        if warm and any(not m.simulated for m in self.catalog.available()):
            await gateway.warm_up()

    # -- routing -----------------------------------------------------------------------------
    async def route(self, req: RouteRequest, budget_left: float | None = None) -> RouteDecision:
        """Decide with what the budget has left now (or `budget_left`), the models resting now
        and the evidence logged so far. `req` is not changed."""
        if req.model:
            self.catalog.require(req.model)
        use_case, source = req.use_case, req.use_case_source
        if not use_case:
            use_case, source = self.resolve_use_case(str(req.messages[-1].get("content", "")) if req.messages else "")
        left = budget_left if budget_left is not None else await self.ledger.left()
        req = replace(req, cooling=self.health.cooling(self.catalog.all()), budget_left=left, use_case=use_case, use_case_source=source)
        vec = self.knowledge.embed(req.messages[-1].get("content") if req.messages else None)
        sampler = None
        if req.tier == Tier.AUTO:
            prompts = await self.knowledge.prompt_model(len(vec)) if vec is not None else None
            sampler = self.knowledge.sampler(await self.knowledge.bandit(), prompts, vec, self.cfg.learning.exploration, time.time())
        decision = decide(self.catalog.all(), req, self.cfg, sampler=sampler)
        decision.vector = vec
        if req.tier == Tier.AUTO and vec is not None and decision.ranked and decision.ranked[0].mean is not None:
            mode = self.cfg.learning.prompt_weight  # (a weight only where it is earned)
            say = f"weight {self.knowledge.trust.weight(decision.use_case):.2f}" if mode == "earned" else mode
            decision.notes.append(f"per-prompt estimate ({prompts.n:.0f} evidence, {say}): "
                                  + ", ".join(f"{c.model.id} {c.mean:.2f}" for c in decision.ranked[:3]))
        return decision

    async def _reserve(self, req: RouteRequest, model: str, row: CallRecord) -> tuple[str, Reservation]:
        """Reserve the worst case for `model` with the attempt's `row`; if a parallel call took
        the room, re-route."""
        for _ in range(10):
            res = await self.ledger.reserve(model, self.catalog[model].worst_case(req.tokens_in(), req.max_tokens) or 0.0,
                                            replace(row, provider=self.catalog[model].provider))
            if res is not None:
                return model, res
            model = (await self.route(req)).model  # raises BudgetRefused when nothing fits
        raise BudgetRefused("budget: could not reserve room for the call (too many parallel calls)")

    # -- the call ----------------------------------------------------------------------------
    async def ask(self, request: AskRequest, observer: AskObserver | None = None,
                  reservation: Reservation | None = None) -> AskResult:
        """Route, reserve, stream and log one prompt, following the fallback rules. A caller
        that reserved already (the tournament reserves all three first) passes `reservation`;
        whatever happens, a reservation not settled by a logged row is released."""
        if not request.prompt.strip():
            raise UsageError("empty prompt")
        try:
            result = await self._ask(request, observer or _SILENT, reservation)
            for listener in self.listeners:
                await listener.answered(request, result)
            return result
        finally:
            if reservation is not None and not reservation.settled:
                await to_the_end(self.ledger.release(reservation))

    async def _ask(self, request: AskRequest, obs: AskObserver, reservation: Reservation | None) -> AskResult:
        use_case, source = self.resolve_use_case(request.prompt, request.use_case)
        req = RouteRequest(messages=request.messages(), tier=request.tier or self.cfg.default_tier,
                           use_case=use_case, use_case_source=source, complexity=request.complexity,
                           model=request.model, max_tokens=request.max_tokens or self.cfg.gateway.max_tokens,
                           stronger_than=request.stronger_than, exclude=request.exclude)
        left = None
        if reservation is not None and (left := await self.ledger.left()) is not None:
            left += reservation.amount  # the caller's own reservation is room for this call
        result = AskResult(await self.route(req, left))
        if (routed := getattr(obs, "routed", None)) is not None:  # (observers predating it need not have it)
            routed(result.decision)
        for listener in self.listeners:
            await listener.routed(request, result)
        current: str | None = result.decision.model
        parent: int | None = None
        while current is not None:
            if reservation is not None and reservation.model == current and not reservation.settled:
                res = reservation
            else:
                chosen, res = await self._reserve(req, current, started(self.session, self.catalog[current],
                                                                        result.decision, request, parent))
                if chosen != current:
                    result.decision.notes.append(f"{current} no longer fits the budget (parallel calls): using {chosen}")
                    current = chosen
            info = self.catalog[current]
            attempt = Attempt(info, req.messages, min(req.max_tokens, info.max_output), budget_usd=res.amount,
                                      params=request.params())
            try:  # nothing has left yet: a failure (or a cancel) here gives the reservation back
                obs.reserved(res.amount)
                if (row := getattr(obs, "row", None)) is not None:  # (serve/ tells its client the row's id)
                    row(res.call_id)
                obs.attempt(attempt)  # about to be sent: the UI prices the live text with attempt.cost_so_far()
            except BaseException:
                await to_the_end(self.ledger.release(res))
                raise
            req = replace(req, exclude=req.exclude | {current})
            result.attempts.append(attempt)
            try:
                await gateway.stream(attempt, self.timeouts, obs.text)
            except BaseException as exc:  # cancelled (or a UI callback failed): log it, settle, go on up
                if attempt.status == "running":
                    attempt.finish("error", "bad_response", f"internal error: {exc!r}")
                await to_the_end(self._log(attempt, result, request, parent, res))
                raise
            # the provider was paid: a cancel arriving now waits for the row, then goes on up
            await to_the_end(self._log(attempt, result, request, parent, res))
            parent = parent or result.call_ids[0]
            if attempt.status == Status.OK:
                self.health.succeeded(current, endpoint_of(info))
                break
            self.health.failed(current)
            if attempt.error_kind in (ErrorKind.CONNECTION, ErrorKind.TIMEOUT) and attempt.ttft_ms is None:
                self.health.unreachable(endpoint_of(info))  # its other models are skipped too
            if len(result.attempts) >= MAX_ATTEMPTS:
                break
            step = await next_step(self, attempt, req, result, forced=request.model is not None)
            if step.disable:  # their provider refused the key: off for the rest of the session
                self.catalog.mark_unavailable(step.disable, step.why)
                step = await after_disabling(self, step, attempt, result)
            current, why, req = step.model, step.why, step.request
            result.decision.notes.append(why)
            obs.event(why)
            if current is not None and attempt.text:
                obs.text("\n\n")  # partial text stays visible above the retry
        return result

    async def _log(self, a: Attempt, result: AskResult, request: AskRequest, parent: int | None,
                   res: Reservation) -> None:
        rec = record(self.session, a, result.decision, request, parent)
        vec = result.decision.vector
        result.call_ids.append(await observe.log_call(self.store, rec, reservation_id=res.id, call_id=res.call_id,
                                                      vector=None if vec is None else pack(vec)))
        await self.ledger.logged(res, rec)
