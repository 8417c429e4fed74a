"""Quit: `modeltui` started in a real terminal (tmux), one prompt answered on the demo models,
then ctrl+q; timed from the key to the process being gone (the shell after it prints a mark).
Then the log is opened and the answered call must be in it. Median of runs. Target: <= 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def wait_for(session: str, text: str, timeout: float) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if text in tmux("capture-pane", "-t", session, "-p"):
            return True
        time.sleep(0.005)
    return False


def one_run(exe: str, tmp: Path, i: int) -> float:
    session = f"qt{os.getpid()}"
    data = tmp / f"data{i}"
    env = f"MODELTUI_DATA_DIR={data} MODELTUI_CONFIG={tmp / 'config.toml'}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                    f"{env} {exe}; echo QUIT-DONE-$?; sleep 30"], check=True)
    try:
        if not wait_for(session, "ready", 30):
            raise SystemExit("the app did not become ready within 30 s")
        tmux("send-keys", "-t", session, "-l", "What is 2+2?")
        tmux("send-keys", "-t", session, "C-s")
        if not wait_for(session, " tok · ", 30):  # the header of a finished answer (its buttons show from the start)
            raise SystemExit("no answer within 30 s")
        t0 = time.perf_counter()
        tmux("send-keys", "-t", session, "C-q")
        if not wait_for(session, "QUIT-DONE-0", 30):
            raise SystemExit("the app did not exit 0 within 30 s: " + tmux("capture-pane", "-t", session, "-p")[-300:])
        took = time.perf_counter() - t0
    finally:
        tmux("kill-session", "-t", session)
    with sqlite3.connect(next(data.rglob("*.sqlite3"))) as db:
        n = db.execute("SELECT count(*) FROM calls WHERE prompt = 'What is 2+2?' AND status = 'ok'").fetchone()[0]
    if n != 1:
        raise SystemExit(f"run {i}: the answered call is not in the log after quitting ({n} rows)")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not shutil.which("tmux"):
        sys.exit("quit_time.py needs tmux")
    exe = shutil.which("modeltui") or str(Path(sys.executable).with_name("modeltui"))
    tmp = Path(tempfile.mkdtemp())
    (tmp / "config.toml").write_text('ollama_url = "http://127.0.0.1:9"\n[demo]\nspeed = 50.0\n')
    keep = f"qtkeep{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keep, "sleep 600"], check=True)
    try:
        times = [one_run(exe, tmp, i) for i in range(args.runs)]
    finally:
        tmux("kill-session", "-t", keep)
    f = {"quit_s_median": round(median(times), 3), "quit_s_max": round(max(times), 3), "runs": args.runs,
         "rows_present": True}
    report(f"quit (ctrl+q to the process gone, median of {args.runs} in tmux)", [
        f"quit: median {f['quit_s_median']:.3f} s, worst {f['quit_s_max']:.3f} s (target <= 0.3 s)",
        "the answered call was in the log after every quit",
    ], f, args.json)


if __name__ == "__main__":
    main()
