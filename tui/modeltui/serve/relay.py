"""One ask run for an HTTP client: the engine's callbacks turned into a queue the response reads,
and the client's disconnect turned into a cancel of the call.

The call runs as its own task, spawned on the engine (closing the engine waits for it), not in
the web framework's task: when the client goes away, we cancel it; the engine then logs the
attempt as cancelled (partial text, estimated cost) and releases its reservation, whatever
happens to the response that was writing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from modeltui.calls.engine import Engine
from modeltui.calls.request import AskObserver, AskRequest, AskResult

TEXT, DONE = "text", "done"


class Relay(AskObserver):
    """What the engine says while the call runs, for the response to pass on."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self.model: str | None = None  # the attempt running now
        self.call_id: int | None = None  # its row
        self.reserved_usd: float | None = None
        self.sending = asyncio.Event()  # set once the first attempt is about to be sent

    def text(self, chunk: str) -> None:
        self.queue.put_nowait((TEXT, chunk))

    def reserved(self, amount_usd: float) -> None:
        self.reserved_usd = amount_usd

    def row(self, call_id: int | None) -> None:
        self.call_id = call_id

    def attempt(self, attempt) -> None:
        self.model = attempt.model.id
        self.sending.set()


def watch(receive: Callable[[], Awaitable[dict]], task: asyncio.Task, left: Callable[[], None] | None = None) -> None:
    """Cancel `task` when the client of this request disconnects (ASGI `receive`, read after the
    body); the watch ends with the task."""
    async def watching() -> None:
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                if left is not None:
                    left()
                task.cancel()
                return
    watcher = asyncio.ensure_future(watching())
    task.add_done_callback(lambda t: watcher.cancel())


class Call:
    """An ask running for one client; `cancel_on_disconnect(receive)` ties it to the connection."""

    def __init__(self, engine: Engine, request: AskRequest):
        self.relay = Relay()
        self.task: asyncio.Task[AskResult] = engine.spawn(engine.ask(request, self.relay))
        self.task.add_done_callback(self._ended)
        self.disconnected = False

    def _ended(self, task: asyncio.Task) -> None:
        self.relay.queue.put_nowait((DONE, None))
        if not task.cancelled():
            task.exception()  # retrieved here: a client that left never awaits it

    def cancel_on_disconnect(self, receive: Callable[[], Awaitable[dict]]) -> None:
        """Watch the connection (ASGI `receive`, after the body was read): a client that leaves
        cancels the call."""
        def left() -> None:
            self.disconnected = True
        watch(receive, self.task, left)

    async def started(self) -> bool:
        """Wait until the first attempt is sent (True) or the call ended before (False: an error
        such as a budget refusal, which the caller gets from `result()`)."""
        sending = asyncio.ensure_future(self.relay.sending.wait())
        try:
            await asyncio.wait({self.task, sending}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sending.cancel()
        return self.relay.sending.is_set()

    async def result(self) -> AskResult:
        return await asyncio.shield(self.task)

    def abandon(self) -> None:
        """The response stopped (its client is gone): cancel the call if it still runs."""
        if not self.task.done():
            self.disconnected = True
            self.task.cancel()
