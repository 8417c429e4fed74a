"""A look at the HTTP exchange under litellm, for what its stream wrapper hides: the body of a
200 that was not an event stream (a complete JSON answer to a
streamed request is accepted; HTML or text is a bad response, not a dropped connection).

`litellm.aclient_session` is pointed at one httpx client with these hooks (OpenAI-compatible
providers use it); each attempt opens a `Watch` in a context variable that the hooks fill in.
"""

from __future__ import annotations

import contextvars
import json
from dataclasses import dataclass

_current: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("modeltui_http_watch", default=None)
MAX_BODY = 200_000


@dataclass
class Watch:
    content_type: str | None = None
    body: bytes | None = None  # kept only for a 200 that is not an event stream

    def json_answer(self) -> tuple[str, int | None, int | None, str | None] | None:
        """(text, prompt tokens, completion tokens, finish reason) of a complete chat completion."""
        if not self.body or "json" not in (self.content_type or ""):
            return None
        try:
            data = json.loads(self.body)
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return None
        usage = data.get("usage") or {}
        return text, usage.get("prompt_tokens"), usage.get("completion_tokens"), choice.get("finish_reason")


def start() -> Watch:
    w = Watch()
    _current.set(w)
    return w


async def _on_response(response) -> None:
    w = _current.get()
    if w is None:
        return
    w.content_type = response.headers.get("content-type", "").lower()
    if response.status_code == 200 and "event-stream" not in w.content_type:
        await response.aread()  # cached: the SDK's stream reader then sees the same bytes
        w.body = response.content[:MAX_BODY]


def client():
    """An httpx client with the hooks, for `litellm.aclient_session`."""
    import httpx

    return httpx.AsyncClient(event_hooks={"response": [_on_response]},
                             timeout=httpx.Timeout(None), follow_redirects=False)
