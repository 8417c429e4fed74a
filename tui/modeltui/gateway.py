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
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from modeltui.catalog import ModelInfo
from modeltui.redact import redact
from modeltui.tokens import estimate_messages, estimate_tokens

_lock = threading.Lock()
_litellm = None

_MALFORMED = re.compile(r"expecting (property name|value|',' delimiter)|jsondecodeerror|unterminated string|"
                        r"invalid json|extra data: line|malformed")
ERROR_KINDS = ("auth", "not_found", "rate_limit", "context_window", "content_policy", "bad_request",
               "server", "timeout", "connection", "bad_response", "cancelled")


def load():
    """Import and configure litellm once (thread-safe; the UI calls it from a worker)."""
    global _litellm
    with _lock:
        if _litellm is not None:
            return _litellm
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_LOG", "CRITICAL")
        import litellm

        from modeltui import demo

        litellm.suppress_debug_info = True
        litellm.set_verbose = False
        litellm.telemetry = False
        litellm.num_retries = 0
        litellm.drop_params = True
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
            resp = await asyncio.wait_for(litellm.acompletion(model="openai/warm-up", messages=messages, stream=True,
                                                              api_key="warm-up", timeout=2, **extra), 3)
            async for _ in resp:
                pass
        except Exception:  # noqa: BLE001,S110 - a refused connection is the point of the second run
            pass


def is_loaded() -> bool:
    return _litellm is not None


def set_demo_speed(speed: float) -> None:
    from modeltui import demo

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
    cost: float | None = None
    started: float = field(default_factory=time.perf_counter)
    ttft_ms: float | None = None
    latency_ms: float | None = None
    status: str = "running"  # running, ok, error, cancelled
    error_kind: str | None = None
    error_message: str | None = None
    status_code: int | None = None
    retry_after: float | None = None

    def finish(self, status: str, kind: str | None = None, message: str | None = None) -> None:
        self.status = status
        self.error_kind = kind
        self.error_message = redact(message) if message else None
        self.latency_ms = (time.perf_counter() - self.started) * 1000
        if self.tokens_in is None or self.tokens_out is None:
            self.tokens_in = estimate_messages(self.messages)
            self.tokens_out = estimate_tokens(self.text) if self.text else 0
            self.estimated = True
        self.cost = self.model.cost(self.tokens_in, self.tokens_out)
        if status == "error" and not self.text and self.estimated and self.cost:
            self.cost = 0.0  # refused before any output (4xx, 429, no connection): nothing was billed


def _call_args(model: ModelInfo, messages: list[dict], max_tokens: int, timeouts: Timeouts) -> dict:
    name = model.id
    if model.provider == "ollama":
        name = "ollama_chat/" + model.id.split("/", 1)[1]  # /api/chat keeps roles
    kwargs = {
        "model": name, "messages": messages, "stream": True, "max_tokens": max_tokens,
        "stream_options": {"include_usage": True}, "num_retries": 0, "max_retries": 0,
        "timeout": timeouts.total_s,
    }
    if model.api_base:
        kwargs["api_base"] = model.api_base
    if model.env_var and os.environ.get(model.env_var):
        kwargs["api_key"] = os.environ[model.env_var]
    return kwargs


def _retry_after(exc: BaseException) -> float | None:
    headers = {}
    for attr in ("litellm_response_headers", "response"):
        obj = getattr(exc, attr, None)
        obj = getattr(obj, "headers", obj)
        try:
            headers.update({str(k).lower(): v for k, v in dict(obj or {}).items()})
        except (TypeError, ValueError):
            continue
    value = headers.get("retry-after") or headers.get("retry-after-ms")
    try:
        secs = float(value)
    except (TypeError, ValueError):
        return None
    return secs / 1000 if "retry-after" not in headers else secs


def classify(exc: BaseException) -> tuple[str, int | None]:
    """Map a litellm/httpx/asyncio exception to one of ERROR_KINDS (and the HTTP status if any)."""
    name = type(exc).__name__
    code = getattr(exc, "status_code", None)
    code = code if isinstance(code, int) else None
    text = str(exc).lower()
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) or name in ("Timeout", "APITimeoutError"):
        return "timeout", code
    if name == "ContextWindowExceededError" or "context length" in text or "context window" in text:
        return "context_window", code
    if name == "ContentPolicyViolationError":
        return "content_policy", code
    if name in ("AuthenticationError", "PermissionDeniedError") or code in (401, 403):
        return "auth", code
    if name == "NotFoundError" or code == 404:
        return "not_found", code
    if name == "RateLimitError" or code == 429:
        return "rate_limit", code
    if _MALFORMED.search(text):  # litellm wraps a parse failure mid-stream as a 500
        return "bad_response", code
    if code is not None and code >= 500 or name in ("InternalServerError", "ServiceUnavailableError", "BadGatewayError"):
        return "server", code
    if name == "APIConnectionError" or isinstance(exc, (ConnectionError, OSError)):
        return "connection", code
    if name == "BadRequestError" or code == 400:
        return "bad_request", code
    return "bad_response", code


async def stream(attempt: Attempt, timeouts: Timeouts, on_text: Callable[[str], None] | None = None) -> Attempt:
    """Run `attempt` to the end. Never raises for provider errors (they land in the attempt);
    re-raises CancelledError after marking the attempt cancelled."""
    litellm = load()
    try:
        async with asyncio.timeout(timeouts.total_s):
            resp = await asyncio.wait_for(
                litellm.acompletion(**_call_args(attempt.model, attempt.messages, attempt.max_tokens, timeouts)),
                timeouts.connect_s)
            it = resp.__aiter__()
            finished = False
            while True:
                try:
                    chunk = await asyncio.wait_for(it.__anext__(), timeouts.stall_s)
                except StopAsyncIteration:
                    break
                usage = getattr(chunk, "usage", None)
                if usage and getattr(usage, "completion_tokens", None) is not None:
                    attempt.tokens_in = usage.prompt_tokens
                    attempt.tokens_out = usage.completion_tokens
                choices = getattr(chunk, "choices", None) or []
                # litellm invents a final "stop" when a stream just ends; trust only what the
                # provider sent (`received_finish_reason`, where the wrapper exposes it)
                if choices and getattr(choices[0], "finish_reason", None):
                    finished = getattr(resp, "received_finish_reason", "stop") is not None
                piece = (choices[0].delta.content if choices and choices[0].delta else None) or ""
                if piece:
                    if attempt.ttft_ms is None:
                        attempt.ttft_ms = (time.perf_counter() - attempt.started) * 1000
                    attempt.text += piece
                    if on_text:
                        on_text(piece)
        if not finished:  # the connection closed before the model said it was done
            attempt.tokens_in = attempt.tokens_out = None  # litellm's usage here is its own guess
            attempt.finish("error", "connection", "stream ended before the model finished")
        elif not attempt.text and attempt.tokens_out is None:
            attempt.finish("error", "bad_response", "empty response")
        else:
            attempt.finish("ok")
    except asyncio.CancelledError:
        attempt.finish("cancelled", "cancelled", "cancelled by user")
        raise
    except Exception as exc:  # noqa: BLE001 - every provider failure becomes a logged kind
        kind, code = classify(exc)
        attempt.status_code = code
        if kind == "rate_limit":
            attempt.retry_after = _retry_after(exc)
        message = str(exc) or type(exc).__name__
        if kind == "timeout" and not str(exc):
            message = "no response within the timeout"
        attempt.finish("error", kind, f"{type(exc).__name__}: {message}"[:2000])
    return attempt
