"""The only door to providers: streams one attempt through litellm and reports what happened.

litellm is imported lazily (it takes seconds) after pointing it at its bundled price map, so no
network is touched at import. Retries are ours alone: the SDK's are turned off, so every HTTP
attempt is one the log knows of. Timeouts are enforced here with asyncio, the same way for
every provider: connect (until the stream opens), stall (between chunks), total.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from modeltui.providers import http_watch
from modeltui.providers.catalog import ModelInfo
from modeltui.providers.failures import classify, retry_after
from modeltui.providers.redact import StreamRedactor, redact
from modeltui.providers.tokens import estimate_messages, estimate_tokens
from modeltui.providers.usage import Usage, from_litellm, price
from modeltui.vocab import ErrorKind

_lock = threading.Lock()
_litellm = None
GUARD_SLACK = 1.15  # our token estimate (chars / 4) runs high for some text: allow for it before cutting


def load():
    """Import and configure litellm once (thread-safe; the UI calls it from a worker)."""
    global _litellm
    with _lock:
        if _litellm is not None:
            return _litellm
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_LOG", "CRITICAL")
        import litellm

        from modeltui.providers import demo

        litellm.suppress_debug_info = True
        litellm.set_verbose = False
        litellm.telemetry = False
        litellm.num_retries = 0
        litellm.drop_params = False  # True makes litellm re-send after a 422: a request the log would not see
        litellm.aclient_session = http_watch.client()  # keeps the body of a 200 that is not a stream
        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm", "httpx"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        litellm.custom_provider_map = [{"provider": "demo", "custom_handler": demo.handler}]
        _litellm = litellm
        return litellm


async def warm_up() -> None:
    """Run litellm's request path once without network (a mock answer, then a refused loopback
    connection) so that the user's first real call does not pay ~0.8 s of lazy loading."""
    litellm = load()
    messages = [{"role": "user", "content": "warm-up"}]
    for extra in ({"mock_response": "ok"}, {"api_base": "http://127.0.0.1:9/v1", "max_retries": 0, "num_retries": 0}):
        try:
            async with asyncio.timeout(3):
                resp = await litellm.acompletion(model="openai/warm-up", messages=messages, stream=True,
                                                 api_key="warm-up", timeout=2, **extra)
            async for _ in resp:
                pass
        except Exception:  # noqa: BLE001,S110 - a refused connection is the point of the second run
            pass


def is_loaded() -> bool:
    return _litellm is not None


def set_demo_speed(speed: float) -> None:
    from modeltui.providers import demo

    demo.SPEED = speed


@dataclass
class Timeouts:
    connect_s: float = 10.0
    stall_s: float = 30.0
    total_s: float = 300.0


@dataclass
class Attempt:
    """One HTTP attempt. Mutated while streaming so a cancelled caller still sees partial text."""

    model: ModelInfo
    messages: list[dict]
    max_tokens: int
    text: str = ""
    tokens_in: int | None = None
    tokens_out: int | None = None
    estimated: bool = False
    reported: Usage | None = None  # what the provider reported (cache parts, reasoning, its own cost)
    cost: float | None = None  # what is counted: the provider's own figure if it gave one, else ours
    cost_computed: float | None = None  # ours, from the price map, always (beside a reported one)
    started: float = field(default_factory=time.perf_counter)
    ttft_ms: float | None = None
    latency_ms: float | None = None
    status: str = "running"  # running, ok, error, cancelled
    error_kind: str | None = None
    error_message: str | None = None
    status_code: int | None = None
    retry_after: float | None = None
    budget_usd: float | None = None  # the reservation: reading stops, and billing is capped, here
    finish_reason: str | None = None  # the provider's, or ours when we stopped reading (cut_*)
    params: dict = field(default_factory=dict)  # temperature, stop: passed on as the caller set them
    prompt_estimate: int = field(init=False, repr=False, default=0)  # the messages don't change: estimated once

    def __post_init__(self) -> None:
        self.prompt_estimate = estimate_messages(self.messages)

    @property
    def cut_short(self) -> bool:
        """The answer is incomplete: the model hit max_tokens, or we stopped reading it."""
        return self.finish_reason in ("length", "cut_max_tokens", "cut_budget")

    def usage_so_far(self) -> tuple[int, int, bool]:
        """(tokens in, tokens out, estimated): the provider's figures once it reported them, else
        the prompt's and the text's estimates. The live cost and the logged cost both come from here."""
        if self.tokens_in is not None and self.tokens_out is not None:
            return self.tokens_in, self.tokens_out, self.estimated
        return self.prompt_estimate, estimate_tokens(self.text) if self.text else 0, True

    def usage(self) -> Usage:
        """The usage to price: the provider's parts once reported, else our estimates (no cache)."""
        tokens_in, tokens_out, estimated = self.usage_so_far()
        r = self.reported
        if r is not None and not estimated and (r.input_tokens, r.output_tokens) == (tokens_in, tokens_out):
            return r
        return Usage(tokens_in, tokens_out, estimated=estimated)

    def report(self, usage: Usage | None) -> None:
        """The provider's usage (or None: it reported none, estimates stand)."""
        self.reported = usage
        self.tokens_in, self.tokens_out = (usage.input_tokens, usage.output_tokens) if usage else (None, None)

    def cost_so_far(self) -> float | None:
        """What this attempt has cost so far, prompt included from the start (None: unpriced):
        the computation the logged cost makes, on the estimates until the provider reports."""
        usage = self.usage()
        cost = usage.reported_cost if usage.reported_cost is not None else price(self.model, usage)
        return cost if cost is None or self.budget_usd is None else min(cost, self.budget_usd)

    def finish(self, status: str, kind: str | None = None, message: str | None = None) -> None:
        self.status = status
        self.error_kind = kind
        self.error_message = redact(message) if message else None
        self.text = redact(self.text) if self.text else self.text
        self.latency_ms = (time.perf_counter() - self.started) * 1000
        self.tokens_in, self.tokens_out, self.estimated = self.usage_so_far()
        usage = self.usage()
        self.cost_computed = price(self.model, usage)
        self.cost = usage.reported_cost if usage.reported_cost is not None else self.cost_computed
        if status == "error" and not self.text and self.estimated and self.cost:
            self.cost = self.cost_computed = 0.0  # refused before any output (4xx, 429, no connection): not billed
        if self.cost is not None and self.budget_usd is not None and self.cost > self.budget_usd:
            # a provider that ignored max_tokens or reported inflated usage: never record more than
            # was reserved (we stopped reading there), so spend cannot pass a cap
            self.cost = self.budget_usd
            self.finish_reason = self.finish_reason or "cut_budget"

    def running_cost(self) -> float:
        """The estimate the guard compares with the reservation (the prompt counted once, at start)."""
        return self.model.cost(self.prompt_estimate, estimate_tokens(self.text)) or 0.0

    def guard(self) -> str | None:
        """Why to stop reading now, if the stream has gone past what was asked or reserved."""
        if estimate_tokens(self.text) > self.max_tokens * GUARD_SLACK + 8:
            return "cut_max_tokens"
        if self.budget_usd is not None and not self.model.free and self.running_cost() > self.budget_usd * GUARD_SLACK:
            return "cut_budget"
        return None


def _call_args(model: ModelInfo, messages: list[dict], max_tokens: int, timeouts: Timeouts,
               params: dict | None = None) -> dict:
    name = model.id
    if model.provider == "ollama":
        name = "ollama_chat/" + model.id.split("/", 1)[1]  # /api/chat keeps roles
    kwargs = {
        "model": name, "messages": messages, "stream": True, "max_tokens": max_tokens,
        "stream_options": {"include_usage": True}, "num_retries": 0, "max_retries": 0,
        "timeout": timeouts.total_s, "drop_params": False, **(params or {}),
    }
    if model.api_base:
        kwargs["api_base"] = model.api_base
    if model.env_var and os.environ.get(model.env_var):
        kwargs["api_key"] = os.environ[model.env_var]
    return kwargs


def _tool_calls(choice) -> bool:
    delta = getattr(choice, "delta", None)
    return bool(delta is not None and getattr(delta, "tool_calls", None))


def _conclude(attempt: Attempt, finished: bool, tool_call: bool, watch: http_watch.Watch,
              emit: Callable[[str], None]) -> None:
    """Set the attempt's status from how the stream ended."""
    reason = attempt.finish_reason
    not_a_stream = not finished and not attempt.text and watch.body is not None
    if not_a_stream and (answer := watch.json_answer()) is not None:
        text, usage, reason = answer  # a complete JSON answer to a streamed request: accept it
        attempt.finish_reason = reason or "stop"
        attempt.text = text
        emit(text)
        attempt.report(from_litellm(usage))
        finished, not_a_stream = True, False
    if reason in ("cut_max_tokens", "cut_budget"):
        attempt.report(None)  # usage after we stopped reading is unknown: estimate
        attempt.finish("ok")
    elif not_a_stream:
        kind = (watch.content_type or "no content type").split(";")[0]
        attempt.finish("error", "bad_response", f"HTTP 200 but not an event stream ({kind}): "
                       + (watch.body or b"").decode("utf-8", "replace")[:200])
    elif not finished:  # the connection closed before the model said it was done
        attempt.report(None)  # litellm's usage here is its own guess
        attempt.finish("error", "connection", "stream ended before the model finished")
    elif reason == "content_filter":
        attempt.finish("error", "content_policy", "the provider filtered the answer (finish_reason=content_filter)")
    elif not attempt.text and (tool_call or reason in ("tool_calls", "function_call")):
        attempt.finish("error", "bad_response", "the model answered with a tool call, not text (modeltui sends no tools)")
    elif not attempt.text.strip():
        attempt.finish("error", "bad_response", "empty answer")
    else:
        attempt.finish("ok")


async def stream(attempt: Attempt, timeouts: Timeouts, on_text: Callable[[str], None] | None = None) -> Attempt:
    """Run `attempt` to the end. Never raises for provider errors (they land in the attempt);
    re-raises CancelledError after marking the attempt cancelled. Text reaches `on_text` with
    secret values masked; reading stops when the answer passes max_tokens or the reservation."""
    litellm = load()
    redactor = StreamRedactor()
    watch = http_watch.start()

    def emit(piece: str) -> None:
        if on_text and (shown := redactor.feed(piece)):
            on_text(shown)

    try:
        async with asyncio.timeout(timeouts.total_s):
            async with asyncio.timeout(timeouts.connect_s):  # (not wait_for: see _next_chunk)
                resp = await litellm.acompletion(**_call_args(attempt.model, attempt.messages, attempt.max_tokens,
                                                              timeouts, attempt.params))
            it = resp.__aiter__()
            finished, tool_call = False, False
            while True:
                try:
                    chunk = await _next_chunk(it, timeouts.stall_s)
                except StopAsyncIteration:
                    break
                if (usage := from_litellm(getattr(chunk, "usage", None))) is not None:
                    attempt.report(usage)
                choices = getattr(chunk, "choices", None) or []
                tool_call = tool_call or (bool(choices) and _tool_calls(choices[0]))
                # litellm invents a final "stop" when a stream just ends; trust only what the
                # provider sent (`received_finish_reason`, where the wrapper exposes it)
                if choices and getattr(choices[0], "finish_reason", None):
                    sent = getattr(resp, "received_finish_reason", choices[0].finish_reason)
                    finished = sent is not None
                    attempt.finish_reason = sent
                piece = (choices[0].delta.content if choices and choices[0].delta else None) or ""
                if piece:
                    if attempt.ttft_ms is None:
                        attempt.ttft_ms = (time.perf_counter() - attempt.started) * 1000
                    attempt.text += piece
                    emit(piece)
                    if (why := attempt.guard()) is not None:
                        attempt.finish_reason, finished = why, True
                        await _close(resp)
                        break
        if on_text and (rest := redactor.flush()):
            on_text(rest)
        if watch.saw_usage is False:
            attempt.report(None)  # the provider sent no usage: litellm's count is a guess, ours is marked as one
        _conclude(attempt, finished, tool_call, watch, emit)
    except asyncio.CancelledError:
        attempt.finish("cancelled", "cancelled", "cancelled by user")
        raise
    except Exception as exc:  # noqa: BLE001 - every provider failure becomes a logged kind
        kind, code = classify(exc)
        attempt.status_code = code
        if kind == ErrorKind.RATE_LIMIT:
            attempt.retry_after = retry_after(exc)
        message = str(exc) or type(exc).__name__
        if kind == ErrorKind.TIMEOUT and not str(exc):
            message = "no response within the timeout"
        attempt.finish("error", kind, f"{type(exc).__name__}: {message}"[:2000])
    return attempt


async def _next_chunk(it, stall_s: float):
    """The stream's next chunk, or TimeoutError after `stall_s` without one. Not
    `asyncio.wait_for`: on Python 3.11 it returns the chunk and swallows a cancel that lands as
    the chunk arrives (gh-86296), so a stopped stream, streaming fast, went on to its end."""
    async with asyncio.timeout(stall_s):
        return await it.__anext__()


async def _close(resp) -> None:
    """Stop reading: close the provider's stream so it stops generating (and billing)."""
    try:
        async with asyncio.timeout(2.0):
            await resp.aclose()
    except Exception:  # noqa: BLE001,S110 - closing is best effort; the attempt is already settled
        pass
