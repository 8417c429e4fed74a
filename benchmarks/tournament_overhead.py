"""Tournament wall time over the slowest single call, against a local OpenAI-compatible server
whose three models answer after fixed delays (0.2, 0.4, 0.6 s). Median over runs.
Target: ratio <= 1.05 (the three run concurrently; the tournament adds bookkeeping only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests"))
from _common import median, report  # noqa: E402

DELAYS = {"slowstream:fast": 0.2, "slowstream:mid": 0.4, "slowstream:slow": 0.6}


async def measure(runs: int) -> dict:
    from modeltui.calls.engine import Engine
    from modeltui.settings.config import Config
    from modeltui.signals import tournament
    from servers import openai_server

    server = openai_server()
    server.delays.update(DELAYS)
    tmp = Path(tempfile.mkdtemp())
    os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
    cfg = Config.model_validate({
        "builtin_models": False, "demo": {"mode": "never"}, "ollama_url": "http://127.0.0.1:9",
        "storage": {"path": str(tmp / "log.sqlite3")}, "providers": {"openai": {"api_base": server.url + "/v1"}},
        "models": {f"openai/{m}": {"quality": 7, "input_per_mtok": 1, "output_per_mtok": 2} for m in DELAYS}})
    from modeltui.calls.request import AskRequest

    engine = await Engine.open(cfg=cfg, probe_ollama=False)
    await engine.preload()
    models = [f"openai/{m}" for m in DELAYS]
    await tournament.run(engine, "warm up", models)
    singles, walls, ratios = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        await engine.ask(AskRequest("Say hello", model=models[-1]))
        single = time.perf_counter() - t
        t = time.perf_counter()
        await tournament.run(engine, "Say hello", models)
        wall = time.perf_counter() - t
        singles.append(single)
        walls.append(wall)
        ratios.append(wall / single)
    await engine.close()
    server.stop()
    return {"ratio": round(median(ratios), 4), "tournament_s": round(median(walls), 4),
            "slowest_single_s": round(median(singles), 4), "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    f = asyncio.run(measure(args.runs))
    report(f"tournament overhead (median of {args.runs} runs, model delays {sorted(DELAYS.values())} s)", [
        f"slowest single call: {f['slowest_single_s']:.3f} s",
        f"tournament of three: {f['tournament_s']:.3f} s",
        f"ratio:               {f['ratio']:.3f}   (target <= 1.05)",
    ], f, args.json)


if __name__ == "__main__":
    main()
