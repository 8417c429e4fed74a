"""Launch to first screen: `modeltui` started in a real terminal (tmux), timed until the chat
screen has painted with the prompt input focused (the app writes a mark after that refresh when
MODELTUI_PAINT_MARK is set). Also times until tmux shows the screen's text. Median of runs.
Target: <= 0.45 s. Also times a bare Textual app that paints one word, launched the same way with
the same interpreter, and reports the ratio (target <= 1.3x): the part of start-up that is ours.
With --compare CMD, times another TUI the same way (until its screen shows
any text), e.g. elia installed in a scratch venv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def one_run(cmd: str, env: dict, mark: Path | None, expect: str, timeout: float = 20.0) -> tuple[float, float | None]:
    session = f"fp{os.getpid()}"
    tmux("kill-session", "-t", session)
    if mark and mark.exists():
        mark.unlink()
    env_prefix = " ".join(f"{k}={v}" for k, v in env.items())
    t0 = time.time()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", f"{env_prefix} {cmd}"], check=True)
    seen = None
    marked = None
    try:
        while time.time() - t0 < timeout:
            if seen is None and expect in tmux("capture-pane", "-t", session, "-p"):
                seen = time.time() - t0
            if mark and marked is None and mark.exists() and mark.read_text().strip():
                ts, focused = mark.read_text().split(" ", 1)
                marked = float(ts) - t0
                if focused.strip() != "prompt":
                    raise SystemExit(f"first screen painted with '{focused}' focused, not the prompt")
            if seen is not None and (mark is None or marked is not None):
                break
            time.sleep(0.005)
    finally:
        tmux("kill-session", "-t", session)
    if seen is None:
        raise SystemExit(f"no screen within {timeout}s for: {cmd}")
    return seen, marked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--compare", help="another TUI command to time the same way")
    ap.add_argument("--compare-text", default="", help="text that shows its first screen has painted")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not shutil.which("tmux"):
        sys.exit("first_paint.py needs tmux")
    exe = shutil.which("modeltui") or str(Path(sys.executable).with_name("modeltui"))
    # keep one tmux session open so that each launch does not also start a tmux server
    # (a user launches from a terminal that is already running)
    keep = f"fpkeep{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keep, "sleep 600"], check=True)
    try:
        run_all(args, exe)
    finally:
        tmux("kill-session", "-t", keep)


BARE = ("from textual.app import App\nfrom textual.widgets import Static\n"
        "class Bare(App):\n    def compose(self):\n        yield Static('barepainted')\n"
        "Bare().run()\n")
# the same widgets as the chat's first screen (header, a text area, a footer), nothing of ours:
# the floor that Textual itself sets for a screen like ours
FLOOR = ("from textual.app import App\nfrom textual.widgets import Footer, Header, Static, TextArea\n"
         "class Floor(App):\n    BINDINGS = [('ctrl+p', 'command_palette', 'palette')]\n"
         "    def compose(self):\n        yield Header()\n        yield Static('floorpainted')\n"
         "        yield TextArea()\n        yield Footer()\n"
         "Floor().run()\n")


def run_all(args, exe: str) -> None:
    tmp = Path(tempfile.mkdtemp())
    mark = tmp / "paint.mark"
    (tmp / "config.toml").write_text("")  # MODELTUI_CONFIG must name a file that exists
    env = {"MODELTUI_DATA_DIR": tmp / "data", "MODELTUI_CONFIG": tmp / "config.toml", "MODELTUI_PAINT_MARK": mark}
    one_run(exe, env, mark, "palette")  # warm the file cache
    runs = [one_run(exe, env, mark, "palette") for _ in range(args.runs)]
    figures = {"first_paint_s": round(median([m for _, m in runs]), 3),
               "first_screen_text_s": round(median([s for s, _ in runs]), 3), "runs": args.runs}
    lines = [f"modeltui: painted with the input focused  {figures['first_paint_s']:.3f} s   (target <= 0.45 s)",
             f"modeltui: screen text visible in tmux     {figures['first_screen_text_s']:.3f} s"]
    for name, source, word, label, target in (
            ("bare", BARE, "barepainted", "bare Textual app, one word: screen text  ", " (target <= 1.3x)"),
            ("floor", FLOOR, "floorpainted", "Textual app with header, text area, footer", "")):
        script = tmp / f"{name}.py"
        script.write_text(source)
        cmd = f"{sys.executable} {script}"
        one_run(cmd, {}, None, word)  # warm
        took = round(median([one_run(cmd, {}, None, word)[0] for _ in range(args.runs)]), 3)
        figures[f"{name}_textual_s"] = took
        figures[f"ratio_to_{name}"] = round(figures["first_screen_text_s"] / took, 2)
        lines.append(f"{label} {took:.3f} s   -> ratio {figures[f'ratio_to_{name}']:.2f}x{target}")
    if args.compare:
        one_run(args.compare, {}, None, args.compare_text)
        other = [one_run(args.compare, {}, None, args.compare_text)[0] for _ in range(args.runs)]
        figures["compare_s"] = round(median(other), 3)
        figures["compare_cmd"] = args.compare
        lines.append(f"{args.compare}: screen text visible in tmux  {figures['compare_s']:.3f} s")
    report(f"first paint (median of {args.runs} launches in tmux)", lines, figures, args.json)


if __name__ == "__main__":
    main()
