"""A call's row is written to its end even when cancels arrive while it is written (SIGTERM
while a finished answer was being logged used to roll the row back: paid for, not logged)."""

import asyncio

import pytest

from modeltui.calls.engine import to_the_end


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
