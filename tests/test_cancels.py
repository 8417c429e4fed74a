"""Cancels (Ctrl+C, SIGTERM, stop) are never lost and never lose a row: a row is written to its
end even when cancels arrive while it is written (SIGTERM while a finished answer was being
logged rolled the row back: paid for, not logged), and a cancel that lands just as a chunk
arrives stops the stream (asyncio.wait_for on 3.11 returned the chunk and dropped the cancel:
a stopped tournament entrant streamed on to its end)."""

import asyncio

import pytest

from modeltui.calls.engine import to_the_end
from modeltui.providers.gateway import _next_chunk


async def test_work_finishes_through_repeated_cancels_then_the_cancel_is_raised():
    done, started = [], asyncio.Event()

    async def write_row():
        started.set()
        for _ in range(5):
            await asyncio.sleep(0.01)
        done.append("row")

    task = asyncio.ensure_future(to_the_end(write_row()))
    await started.wait()
    task.cancel()
    await asyncio.sleep(0.015)
    task.cancel()  # a second signal
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == ["row"]


async def test_the_works_own_error_is_what_the_caller_sees():
    async def fails():
        raise ValueError("disk full")

    with pytest.raises(ValueError, match="disk full"):
        await to_the_end(fails())


async def test_a_cancel_that_lands_as_a_chunk_arrives_stops_the_stream():
    loop = asyncio.get_running_loop()
    chunk = loop.create_future()

    class Stream:
        async def __anext__(self):
            return await chunk

    read = asyncio.ensure_future(_next_chunk(Stream(), 5.0))
    await asyncio.sleep(0)
    chunk.set_result("a word")  # in the same turn of the loop as the cancel
    assert not read.done()  # the cancel comes before the reader has taken the chunk
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read
