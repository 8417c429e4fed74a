"""What went wrong with a provider call, in one of a few kinds the fallback rules act on, and how
long a 429 asks us to wait. Pure functions over the exception litellm (or httpx, or asyncio)
raised; no litellm import."""

from __future__ import annotations

import asyncio
import re
import time
from email.utils import parsedate_to_datetime

from modeltui.vocab import ErrorKind

_MALFORMED = re.compile(r"expecting (property name|value|',' delimiter)|jsondecodeerror|unterminated string|"
                        r"invalid json|extra data: line|malformed")
# a refused, reset or half-closed connection, however litellm wrapped it (often as a "500")
_CONNECTION = re.compile(r"connection error|connection refused|connecterror|connection reset|remoteprotocolerror|"
                         r"peer closed connection|incomplete chunked read|server disconnected|readerror|"
                         r"all connection attempts failed|cannot connect")


def _headers(exc: BaseException) -> dict[str, str]:
    headers: dict[str, str] = {}
    for attr in ("litellm_response_headers", "response"):
        obj = getattr(exc, attr, None)
        obj = getattr(obj, "headers", obj)
        try:
            headers.update({str(k).lower(): str(v) for k, v in dict(obj or {}).items()})
        except (TypeError, ValueError):
            continue
    return headers


def retry_after(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds to wait: `retry-after-ms` (precise) wins over `retry-after`, which may be seconds
    or an HTTP date."""
    headers = _headers(exc)
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def cause(exc: BaseException) -> BaseException:
    """The exception a wrapper carries. litellm re-raises a stream cut mid-way as
    `MidStreamFallbackError` (a 503 it made up) with the real failure in `original_exception`;
    other wrappers may chain it as `__cause__`."""
    seen = {id(exc)}
    while True:
        inner = getattr(exc, "original_exception", None)
        if not isinstance(inner, BaseException) and type(exc).__name__ == "MidStreamFallbackError":
            inner = exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException) or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def classify(exc: BaseException) -> tuple[ErrorKind, int | None]:
    """Map a litellm/httpx/asyncio exception to an ErrorKind (and the HTTP status if any), by
    its cause, not by the wrapper's class: the wrapper decides only when its cause is unclear."""
    inner = cause(exc)
    if inner is not exc:
        kind, code = _classify(inner)
        if kind != ErrorKind.BAD_RESPONSE or code is not None:  # the cause said something definite
            return kind, code
    return _classify(exc)


def _classify(exc: BaseException) -> tuple[ErrorKind, int | None]:
    name = type(exc).__name__
    code = getattr(exc, "status_code", None)
    code = code if isinstance(code, int) else None
    text = str(exc).lower()
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) or name in ("Timeout", "APITimeoutError"):
        return ErrorKind.TIMEOUT, code
    if name == "ContextWindowExceededError" or "context length" in text or "context window" in text:
        return ErrorKind.CONTEXT_WINDOW, code
    if name == "ContentPolicyViolationError":
        return ErrorKind.CONTENT_POLICY, code
    if name in ("AuthenticationError", "PermissionDeniedError") or code in (401, 403):
        return ErrorKind.AUTH, code
    if name == "NotFoundError" or code == 404:
        return ErrorKind.NOT_FOUND, code
    if name == "RateLimitError" or code == 429:
        return ErrorKind.RATE_LIMIT, code
    if _MALFORMED.search(text):  # litellm wraps a parse failure mid-stream as a 500
        return ErrorKind.BAD_RESPONSE, code
    if name == "APIConnectionError" or isinstance(exc, (ConnectionError, OSError)) or _CONNECTION.search(text):
        return ErrorKind.CONNECTION, code
    if code is not None and code >= 500 or name in ("InternalServerError", "ServiceUnavailableError", "BadGatewayError"):
        return ErrorKind.SERVER, code
    if name in ("BadRequestError", "UnprocessableEntityError") or code in (400, 422):
        return ErrorKind.BAD_REQUEST, code
    return ErrorKind.BAD_RESPONSE, code
