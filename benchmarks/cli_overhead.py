"""CLI overhead: wall time of `modeltui ask "What is 2+2?" --model demo/small --json` minus the
model's own latency (the call's latency_ms, which it reports), median of 9 runs: in-process
(litellm imported, then left without its teardown) and through a running `modeltui serve` for
the same log (no litellm). And the time to report a bad model (`--model nope/nope`).
Targets: <= 0.3 s through the server, <= 0.2 s for a bad model. The CPU time of the child
(user + system) is printed beside the wall time: on a busy machine the wall time waits for a core.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402
from _serve import config, start, stop  # noqa: E402

EXE = str(Path(sys.executable).with_name("modeltui"))
RUNS = 9


def timed(args: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, child CPU s, the finished process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=300)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), p


def overhead(env: dict, runs: int, via: str) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, p = timed(["ask", "What is 2+2?", "--model", "demo/small", "--json"], env)
        if p.returncode != 0:
            raise SystemExit(f"ask failed ({via}): {p.stderr}")
        out = json.loads(p.stdout.strip().splitlines()[-1])
        walls.append(wall - out["latency_ms"] / 1000)
        cpus.append(cpu)
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=RUNS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cli-overhead-"))
    try:
        demo = {"demo": {"mode": "always"}}
        _, alone = config(tmp / "alone", demo)
        in_walls, in_cpus = overhead(alone, args.runs, "in-process")
        _, shared = config(tmp / "served", demo)
        proc, base = start(shared)
        try:
            sv_walls, sv_cpus = overhead(shared, args.runs, "through the server")
        finally:
            stop(proc)
        bad_walls, bad_cpus = [], []
        for _ in range(args.runs):
            wall, cpu, p = timed(["ask", "hi", "--model", "nope/nope"], alone)
            if p.returncode != 2 or "unknown model" not in p.stderr:
                raise SystemExit(f"a bad model was not reported: {p.returncode} {p.stderr}")
            bad_walls.append(wall)
            bad_cpus.append(cpu)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {
        "runs": args.runs,
        "in_process_overhead_s": round(median(in_walls), 3), "in_process_cpu_s": round(median(in_cpus), 3),
        "served_overhead_s": round(median(sv_walls), 3), "served_cpu_s": round(median(sv_cpus), 3),
        "bad_model_s": round(median(bad_walls), 3), "bad_model_cpu_s": round(median(bad_cpus), 3),
        "served_target_s": 0.3, "bad_model_target_s": 0.2,
        "served_within_target": median(sv_walls) <= 0.3, "bad_model_within_target": median(bad_walls) <= 0.2,
    }
    lines = [
        f"in-process:          {figures['in_process_overhead_s']:.3f} s wall minus model latency "
        f"(CPU {figures['in_process_cpu_s']:.3f} s)",
        f"through the server:  {figures['served_overhead_s']:.3f} s (CPU {figures['served_cpu_s']:.3f} s) "
        f"— target <= 0.3 s: {'met' if figures['served_within_target'] else 'NOT met'}",
        f"bad model reported:  {figures['bad_model_s']:.3f} s (CPU {figures['bad_model_cpu_s']:.3f} s) "
        f"— target <= 0.2 s: {'met' if figures['bad_model_within_target'] else 'NOT met'}",
        f"(median of {args.runs} runs each; `modeltui ask \"What is 2+2?\" --model demo/small --json`)",
    ]
    report("modeltui ask: overhead beyond the model's own latency", lines, figures, args.json)


if __name__ == "__main__":
    main()
