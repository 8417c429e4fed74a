"""A look at the HTTP exchange under litellm, for what its stream wrapper hides: the body of a
200 that was not an event stream (a complete JSON answer to a
streamed request is accepted; HTML or text is a bad response, not a dropped connection).

`litellm.aclient_session` is pointed at one httpx client with these hooks (OpenAI-compatible
providers use it); each attempt opens a `Watch` in a context variable that the hooks fill in.
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
from dataclasses import dataclass

_current: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("modeltui_http_watch", default=None)
MAX_BODY = 200_000


@dataclass
class Watch:
    content_type: str | None = None
    body: bytes | None = None  # kept only for a 200 that is not an event stream
    reported_cost: float | None = None  # a litellm proxy's x-litellm-response-cost header
    # for an event stream: did the provider send a usage object? (None: not watched.) litellm
    # counts tokens itself when it did not, and hands that back as if reported
    saw_usage: bool | None = None

    def json_answer(self) -> tuple[str, dict, str | None] | None:
        """(text, usage as sent, finish reason) of a complete chat completion."""
        if not self.body or "json" not in (self.content_type or ""):
            return None
        try:
            data = json.loads(self.body)
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return None
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        if self.reported_cost is not None and usage.get("cost") is None:
            usage = {**usage, "cost": self.reported_cost}
        return text, usage, choice.get("finish_reason")


def start() -> Watch:
    w = Watch()
    _current.set(w)
    return w


async def _on_response(response) -> None:
    w = _current.get()
    if w is None:
        return
    w.content_type = response.headers.get("content-type", "").lower()
    try:
        w.reported_cost = float(response.headers["x-litellm-response-cost"])
    except (KeyError, ValueError):
        pass
    if response.status_code == 200 and "event-stream" not in w.content_type:
        await response.aread()  # cached: the SDK's stream reader then sees the same bytes
        w.body = response.content[:MAX_BODY]
    elif response.status_code == 200:
        w.saw_usage = False
        response.stream = _usage_tee()(response.stream, w)


_USAGE = re.compile(rb'"usage"\s*:\s*\{')


@functools.cache
def _usage_tee():
    import httpx

    class UsageTee(httpx.AsyncByteStream):
        """The event stream passed on as it is, noting whether a usage object went by."""

        def __init__(self, inner, watch: Watch):
            self.inner, self.watch, self.tail = inner, watch, b""

        async def __aiter__(self):
            async for chunk in self.inner:
                if not self.watch.saw_usage:
                    seen = self.tail + chunk
                    self.watch.saw_usage = bool(_USAGE.search(seen))
                    self.tail = seen[-16:]  # a match split between two reads
                yield chunk

        async def aclose(self) -> None:
            await self.inner.aclose()

    return UsageTee


def client():
    """An httpx client with the hooks, for `litellm.aclient_session`."""
    import httpx

    return httpx.AsyncClient(event_hooks={"response": [_on_response]},
                             timeout=httpx.Timeout(None), follow_redirects=False)
