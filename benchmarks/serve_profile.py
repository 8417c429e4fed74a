"""Where `modeltui serve`'s CPU goes under load: py-spy samples the server while bursts of
streaming clients (as in serve_load.py, under a cap that holds them all) go through it, and each
busy sample is put in one place: litellm (its stream wrapper, chunk assembly and cost code), the
server stack (starlette, uvicorn, h11), the log (aiosqlite, sqlite3), modeltui's own code, or
other. Idle samples (a thread waiting) are left out.

py-spy is not a dependency: `pip install py-spy` (a binary wheel) and run this with it on PATH.
It reads another process's memory, so it needs ptrace rights (root, or CAP_SYS_PTRACE).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import report  # noqa: E402
from _serve import FakeProvider, cpu_s, fake_env, start, stop  # noqa: E402
from serve_load import burst  # noqa: E402

IDLE = ("Condition.wait", "Queue.get", "select ", "EpollSelector.select", "Event.wait", "_wait_for_tstate_lock")
PLACES = (  # the first place whose marks appear anywhere in a sample's stack
    ("litellm", ("litellm/", "streaming_handler.py", "streaming_chunk_builder_utils.py", "cost_calculator.py")),
    ("server stack", ("starlette/", "uvicorn/", "h11/")),
    ("log (aiosqlite, sqlite3)", ("aiosqlite/", "sqlite3/")),
    ("modeltui", ("modeltui/",)),
)


def place(stack: str) -> str | None:
    leaf = stack.rsplit(";", 1)[-1]
    if any(mark in leaf for mark in IDLE):
        return None
    return next((name for name, marks in PLACES if any(m in stack for m in marks)), "other")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--bursts", type=int, default=3)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples a second")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    spy_exe = shutil.which("py-spy")
    if spy_exe is None:
        raise SystemExit("serve_profile: py-spy is not on PATH (pip install py-spy)")
    provider = FakeProvider()
    tmp = Path(tempfile.mkdtemp(prefix="serve-profile-"))
    try:
        env = fake_env(tmp, provider, 1000.0)
        proc, base = start(env)
        try:
            asyncio.run(burst(base, "openai/fake", 1))
            out = tmp / "samples.txt"
            spy = subprocess.Popen([spy_exe, "record", "-p", str(proc.pid), "-o", str(out), "-f", "raw",
                                    "-r", str(args.rate), "--nonblocking"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            cpu0, t0 = cpu_s(proc.pid), time.perf_counter()
            for _ in range(args.bursts):
                asyncio.run(burst(base, "openai/fake", args.clients))
            wall, cpu = time.perf_counter() - t0, cpu_s(proc.pid) - cpu0
            spy.send_signal(2)
            spy.wait(60)
        finally:
            stop(proc)
        places: Counter = Counter()
        for line in out.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            if (where := place(stack)) is not None:
                places[where] += int(n)
    finally:
        provider.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    busy = sum(places.values()) or 1
    requests = args.clients * args.bursts
    figures = {"requests": requests, "server_cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
               "cpu_ms_per_request": round(cpu / requests * 1000, 1),
               "share": {k: round(v / busy, 3) for k, v in places.most_common()}}
    lines = [f"{requests} streamed requests ({args.bursts} bursts of {args.clients}): server CPU {cpu:.2f} s over "
             f"{wall:.1f} s ({figures['cpu_ms_per_request']} ms a request, py-spy sampling at {args.rate}/s included)"]
    lines += [f"{share:6.1%}  {name}" for name, share in figures["share"].items()]
    report("where modeltui serve's CPU goes", lines, figures, args.json)


if __name__ == "__main__":
    main()
