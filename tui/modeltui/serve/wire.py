"""The OpenAI wire format, both ways: a chat-completions body into an `AskRequest`, and a result
into a completion, a stream's chunks or an error. Plain dicts only (no web framework here), so
the shapes can be read and tested on their own."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from modeltui.calls.request import AskRequest
from modeltui.vocab import TIERS, CallKind

TIER_PREFIX = "modeltui/"  # `modeltui/auto`, `modeltui/budget`, ...: routed by that tier
ROLES = ("system", "developer", "user", "assistant")


class WireError(Exception):
    """A request we refuse, with the HTTP status and the OpenAI error type and code to say it with."""

    def __init__(self, status: int, message: str, code: str, type_: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.code, self.type = status, message, code, type_


def error_body(message: str, type_: str, code: str | None) -> dict:
    return {"error": {"message": message, "type": type_, "code": code, "param": None}}


def error_of(exc: BaseException) -> tuple[int, str, str, str]:
    """An error of ours as (HTTP status, redacted message, OpenAI code, OpenAI type): one mapping
    for a JSON reply and for an error event in a stream."""
    from modeltui.errors import (BudgetRefused, ModeltuiError, NoModelAvailable, StoreError, TeamUnavailable,
                                 UnknownModel, UsageError)
    from modeltui.providers.redact import redact

    if isinstance(exc, WireError):
        return exc.status, exc.message, exc.code, exc.type
    message = redact(str(exc))
    if isinstance(exc, BudgetRefused):  # 402, not 429: the openai SDK retries a 429 by itself
        return 402, message, "budget_exceeded", "insufficient_quota"
    if isinstance(exc, NoModelAvailable):
        return 503, message, "no_model_available", "server_error"
    if isinstance(exc, UnknownModel):
        return 404, message, "model_not_found", "invalid_request_error"
    if isinstance(exc, UsageError):
        return 400, message, "invalid_request", "invalid_request_error"
    if isinstance(exc, TeamUnavailable):  # nothing was sent: the team's cap cannot be checked
        return 503, message, "team_database_unreachable", "server_error"
    if isinstance(exc, StoreError):
        return 503, message, "log_unavailable", "server_error"
    if isinstance(exc, ModeltuiError):
        return 500, message, "modeltui_error", "server_error"
    return (500, f"internal error ({type(exc).__name__}); the call, if one started, is in the log",
            "internal_error", "server_error")


def tier_models() -> list[str]:
    return [TIER_PREFIX + t for t in TIERS]


def _text(content, where: str) -> str:
    """A message's content as text: a string, or a list of text parts (images are refused)."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise WireError(400, f"{where}: only text content is supported (got a '{kind}' part)", "unsupported_content")
            parts.append(part["text"])
        return "".join(parts)
    raise WireError(400, f"{where}: content must be a string or a list of text parts", "invalid_content")


@dataclass(frozen=True)
class ChatAsk:
    """A parsed request: what to ask, whether to stream, whether to send usage in the stream."""

    request: AskRequest
    stream: bool
    include_usage: bool
    asked_for: str  # the model name the client sent (answers echo the model that answered)


def _number(body: dict, key: str, low: float, high: float, whole: bool = False):
    value = body.get(key)
    if value is None:
        return None
    ok = isinstance(value, int) if whole else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise WireError(400, f"'{key}' must be {kind} from {low:g} to {high:g} (got {value!r})", "invalid_value")
    return value


def conversation_of(client: str | None, turns: list[dict]) -> str:
    """A client resends the whole conversation with each turn: its tool and its opening (the
    system text and the first user message) name it, so its turns group as one in history. Two
    conversations that open with the same words from the same tool are one there."""
    opening = []
    for t in turns:
        opening.append((t["role"], t["content"]))
        if t["role"] == "user":
            break
    digest = hashlib.sha256(json.dumps([client or "", opening]).encode("utf-8", "surrogatepass")).hexdigest()
    return f"api-{digest[:16]}"


def parse_chat(body, client: str | None, known: Callable[[str], bool]) -> ChatAsk:
    """The body of `POST /v1/chat/completions` as an ask. `known(model_id)` says whether the
    catalog has a model (an unknown one is a 404, as OpenAI answers it)."""
    if not isinstance(body, dict):
        raise WireError(400, "the body must be a JSON object", "invalid_body")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise WireError(400, "'model' is required: a catalog id or one of " + ", ".join(tier_models()), "missing_model")
    tier, forced = None, None
    if model.startswith(TIER_PREFIX) and model.removeprefix(TIER_PREFIX) in TIERS:
        tier = model.removeprefix(TIER_PREFIX)
    elif known(model):
        forced = model
    else:
        raise WireError(404, f"The model `{model}` does not exist (GET /v1/models lists them)", "model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise WireError(400, "'messages' must be a non-empty list", "invalid_messages")
    turns = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise WireError(400, f"messages[{i}]: role must be one of {', '.join(ROLES)}", "invalid_role")
        role = "system" if m["role"] == "developer" else m["role"]
        turns.append({"role": role, "content": _text(m.get("content"), f"messages[{i}]")})
    if turns[-1]["role"] != "user":
        raise WireError(400, "the last message must be the user's", "invalid_messages")
    if body.get("tools") or body.get("functions"):
        raise WireError(400, "tools and functions are not supported: modeltui routes plain chat", "unsupported_parameter")
    if _number(body, "n", 1, 1, whole=True) not in (None, 1):
        raise WireError(400, "'n' must be 1", "unsupported_parameter")
    max_tokens = _number(body, "max_completion_tokens", 1, 1_000_000, whole=True)
    max_tokens = max_tokens if max_tokens is not None else _number(body, "max_tokens", 1, 1_000_000, whole=True)
    temperature = _number(body, "temperature", 0, 2)
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None and (not isinstance(stop, list) or len(stop) > 4 or not all(isinstance(s, str) and s for s in stop)):
        raise WireError(400, "'stop' must be a string or a list of up to 4 strings", "invalid_value")
    ours = body.get("modeltui") if isinstance(body.get("modeltui"), dict) else {}
    kind = CallKind.CLI if ours.get("kind") == CallKind.CLI else CallKind.API
    stream_options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
    try:
        request = AskRequest(
            turns[-1]["content"], history=tuple(turns[:-1]), tier=tier, model=forced, kind=kind,
            use_case=ours.get("use_case") if isinstance(ours.get("use_case"), str) else None,
            complexity=ours.get("complexity") if ours.get("complexity") in ("low", "medium", "high") else None,
            max_tokens=max_tokens, temperature=temperature, stop=tuple(stop or ()), client=client,
            conversation=conversation_of(client, turns) if kind == CallKind.API else None)
    except ValueError as exc:  # (UsageError: text that is not valid Unicode)
        raise WireError(400, str(exc), "invalid_text") from None
    return ChatAsk(request, bool(body.get("stream")), bool(stream_options.get("include_usage")), model)


def finish_reason(reason: str | None) -> str:
    """Ours (cut_max_tokens, cut_budget: we stopped reading) in the words clients know."""
    return "length" if reason in ("length", "cut_max_tokens", "cut_budget") else "stop"


def ours(summary: dict) -> dict:
    """What modeltui adds to an answer (the `modeltui` field): which model, what it cost, the row."""
    keep = ("call_id", "model", "simulated", "tier", "effective_tier", "use_case", "complexity", "cost_usd",
            "total_cost_usd", "tokens_estimated", "latency_ms", "ttft_ms", "status", "attempts", "attempt_list",
            "finish_reason", "cut_short", "gave_up", "tokens_in", "tokens_out", "error_kind", "error", "reasons",
            "total_ms")
    return {k: summary[k] for k in keep if k in summary}


def usage(summary: dict) -> dict:
    tin, tout = summary.get("tokens_in") or 0, summary.get("tokens_out") or 0
    return {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout}


def completion(summary: dict) -> dict:
    return {"id": f"chatcmpl-modeltui-{summary['call_id']}", "object": "chat.completion", "created": int(time.time()),
            "model": summary["model"], "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": summary["text"]},
                         "finish_reason": finish_reason(summary.get("finish_reason")), "logprobs": None}],
            "usage": usage(summary), "modeltui": ours(summary)}


def chunk(cid: str, model: str, content: str | None = None, finish: str | None = None, role: bool = False,
          extra: dict | None = None, usage_: dict | None = None) -> dict:
    delta = ({"role": "assistant"} if role else {}) | ({"content": content} if content is not None else {})
    body = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [] if usage_ is not None else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
    if usage_ is not None:
        body["usage"] = usage_
    if extra is not None:
        body["modeltui"] = extra
    return body
