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

from modeltui.providers import http_watch
from modeltui.providers.attempt import Attempt, Timeouts
from modeltui.providers.catalog import ModelInfo
from modeltui.providers.failures import classify, retry_after
from modeltui.providers.redact import StreamRedactor
from modeltui.providers.usage import from_litellm
from modeltui.vocab import ErrorKind

_lock = threading.Lock()
_litellm = None


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
