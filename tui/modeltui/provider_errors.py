"""What went wrong with a provider call, in one of a few kinds the fallback rules act on, and how
long a 429 asks us to wait. Pure functions over the exception litellm (or httpx, or asyncio)
raised; no litellm import."""

from __future__ import annotations

import asyncio
import re
import time
from email.utils import parsedate_to_datetime

ERROR_KINDS = ("auth", "not_found", "rate_limit", "context_window", "content_policy", "bad_request",
               "server", "timeout", "connection", "bad_response", "cancelled")
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
    if name == "APIConnectionError" or isinstance(exc, (ConnectionError, OSError)) or _CONNECTION.search(text):
        return "connection", code
    if code is not None and code >= 500 or name in ("InternalServerError", "ServiceUnavailableError", "BadGatewayError"):
        return "server", code
    if name in ("BadRequestError", "UnprocessableEntityError") or code in (400, 422):
        return "bad_request", code
    return "bad_response", code
