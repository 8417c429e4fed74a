"""Median wall time of `modeltui --help` and `modeltui --version` (fresh process each run).

Target: <= 0.15 s. Uses the installed console script, as a user would.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402


def timed(cmd: list[str], runs: int) -> list[float]:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    exe = shutil.which("modeltui") or str(Path(sys.executable).with_name("modeltui"))
    helps = timed([exe, "--help"], args.runs)
    versions = timed([exe, "--version"], args.runs)
    bare = timed([sys.executable, "-c", "pass"], args.runs)
    figures = {"help_s": round(median(helps), 4), "version_s": round(median(versions), 4),
               "python_startup_s": round(median(bare), 4), "runs": args.runs}
    report("modeltui startup (median of %d runs)" % args.runs, [
        f"modeltui --help     {figures['help_s']:.3f} s   (target <= 0.15 s)",
        f"modeltui --version  {figures['version_s']:.3f} s",
        f"python -c pass      {figures['python_startup_s']:.3f} s   (interpreter floor)",
    ], figures, args.json)


if __name__ == "__main__":
    main()
