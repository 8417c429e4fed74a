"""How the app ends with calls in flight: quitting cancels them and waits for each to log itself
as cancelled; SIGTERM and SIGHUP quit the same way, or die at once when nothing is streaming."""

from __future__ import annotations

import asyncio

QUIT_WAIT_S = 5.0  # quitting waits this long for cancelled calls to write their rows
SIGNAL_GRACE_S = 8.0  # the terminal may be gone: never outlive a signal by more than this


def streaming(app) -> list:
    """The workers with a call in flight (chat answers and tournaments)."""
    return [w for w in app.workers if w.group in ("calls", "tournament") and not w.is_finished]


def cancel_calls(app) -> list:
    """Cancel the calls in flight (each logs itself as cancelled, with its partial cost): the stop
    key and quitting alike. Returns their workers."""
    running = streaming(app)
    for w in running:
        w.cancel()
    return running


async def quit_app(app) -> None:
    """Cancel the calls in flight, let them log themselves as cancelled, then exit."""
    if running := cancel_calls(app):
        await asyncio.wait([asyncio.ensure_future(w.wait()) for w in running], timeout=QUIT_WAIT_S)
    app.exit()


def watch_signals(app) -> None:
    """SIGTERM and SIGHUP handled on the app's loop (not in tests, off the main thread)."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            asyncio.get_running_loop().add_signal_handler(sig, _on_signal, app, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no signals here


def _on_signal(app, signum: int) -> None:
    """With calls in flight, quit as ctrl+q does so they are logged as cancelled; with none, die at
    once as the signal would (nothing is being written)."""
    import os
    import signal
    import threading

    if streaming(app):
        app.call_later(app.action_quit)
        timer = threading.Timer(SIGNAL_GRACE_S, exit_late, (signum,))
        timer.daemon = True
        timer.start()
        return
    signal.signal(signum, signal.SIG_DFL)  # here on the main thread (the loop's handler)
    os.kill(os.getpid(), signum)


def exit_late(signum: int) -> None:
    """The grace period is over and the app has not quit: end now, with the status a shell gives
    a process the signal killed. It runs on the timer's thread, where the signal's default action
    cannot be restored (`signal.signal` works on the main thread only), so it exits directly."""
    import os

    os._exit(128 + signum)
