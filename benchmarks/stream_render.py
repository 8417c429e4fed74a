"""Three answer panes (the app's own Answer widget) each receiving 200 chunks per second for
10 s, while a key is pressed every 50 ms. Reports the worst and median delay between a key
press and its effect (the handler updating a counter on screen), and checks that every pane's
text equals the chunks sent. Runs under Textual's headless driver (rendering happens; the
output is discarded). Target: worst_key_ms < 100. `--load K` runs K busy processes beside it
(the setting the App issue measures in: two on a two-core machine).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import report  # noqa: E402


def make_app(seconds: float, rate: int):
    from textual.app import App
    from textual.containers import Horizontal
    from textual.widgets import Static

    from modeltui.ui.widgets.answer import Answer

    class Bench(App):
        CSS = "Horizontal { height: 1fr; } Answer { width: 1fr; height: 1fr; overflow-y: auto; }"
        BINDINGS = [("k", "key", "key")]

        def __init__(self):
            super().__init__()
            self.pressed: list[float] = []
            self.handled: list[float] = []
            self.sent = ["", "", ""]

        def compose(self):
            yield Static("0", id="counter")
            with Horizontal():
                for i in range(3):
                    yield Answer(f"pane {i}", id=f"p{i}")

        def action_key(self) -> None:
            self.handled.append(time.perf_counter())
            self.query_one("#counter", Static).update(str(len(self.handled)))

        async def feed(self, i: int) -> None:
            pane = self.query_one(f"#p{i}", Answer)
            n = int(seconds * rate)
            start = time.perf_counter()
            for k in range(n):
                chunk = f"word{k} " + ("\n\n" if k % 40 == 39 else "")
                self.sent[i] += chunk
                pane.write(chunk)
                delay = start + (k + 1) / rate - time.perf_counter()
                await asyncio.sleep(max(0.0, delay))
            await pane.finish()

    return Bench()


async def measure(seconds: float, rate: int) -> dict:
    app = make_app(seconds, rate)
    async with app.run_test(size=(160, 40)) as pilot:
        feeders = [asyncio.create_task(app.feed(i)) for i in range(3)]
        t_end = time.perf_counter() + seconds
        from textual import events

        while time.perf_counter() < t_end:
            # a key event arriving as from the terminal; pilot.press would wait for an idle screen
            app.pressed.append(time.perf_counter())
            app.post_message(events.Key("k", "k"))
            await asyncio.sleep(0.05)
        await asyncio.gather(*feeders)
        await pilot.pause(0.5)
        from modeltui.ui.widgets.answer import Answer

        texts_ok = all(app.query_one(f"#p{i}", Answer).query_one(".body").source == app.sent[i] for i in range(3))
        chunks = sum(s.count("word") for s in app.sent)
    delays = [(h - p) * 1000 for p, h in zip(app.pressed, app.handled)]
    return {"worst_key_ms": round(max(delays), 1), "median_key_ms": round(statistics.median(delays), 2),
            "keys": len(delays), "keys_pressed": len(app.pressed), "chunks": chunks, "texts_equal": texts_ok}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=int, default=200, help="chunks per second per pane")
    ap.add_argument("--load", type=int, default=0, help="busy processes to run beside it")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    try:
        f = asyncio.run(measure(args.seconds, args.rate))
    finally:
        for b in busy:
            b.kill()
            b.wait()
    f["load"] = args.load
    report(f"stream render: 3 panes x {args.rate} chunks/s for {args.seconds:g} s, {args.load} busy processes beside", [
        f"key press -> effect: worst {f['worst_key_ms']} ms, median {f['median_key_ms']} ms over {f['keys']} presses "
        f"(target worst < 100 ms)",
        f"chunks sent: {f['chunks']}; every pane's text equals the chunks sent: {f['texts_equal']}",
    ], f, args.json)
    if not f["texts_equal"] or f["keys"] != f["keys_pressed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
