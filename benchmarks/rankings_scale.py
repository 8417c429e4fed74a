"""Rankings at scale: a log of synthetic calls over 50 models and 20 use cases, at 100k and at
1M rows. Prints the median time to read the rankings (target <= 20 ms at 1M: they read the
running statistics, not the log) and the time to rebuild the statistics from the whole log.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402

MODELS = [f"provider{i % 5}/model-{i}" for i in range(50)]
USE_CASES = [f"usecase-{j}" for j in range(20)]
COLS = ("ts", "session", "kind", "tier", "use_case", "complexity", "model", "provider", "simulated", "prompt",
        "response", "tokens_in", "tokens_out", "tokens_estimated", "cost_usd", "latency_ms", "ttft_ms", "status")


def fill(path: Path, start: int, count: int, seed: int) -> None:
    """Append synthetic calls with plain sqlite3 (fast bulk load; the schema is the app's)."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    sql = f"INSERT INTO calls ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})"
    t0 = 1_750_000_000.0
    batch = []
    for i in range(start, start + count):
        m = rng.randrange(50)
        ok = rng.random() < 0.7 + 0.005 * m
        batch.append((t0 + i * 2.0, f"s{i // 500}", "chat", "auto", USE_CASES[rng.randrange(20)], "low", MODELS[m],
                      MODELS[m].split("/")[0], 0, "synthetic prompt", "synthetic answer", 200, 300, 0,
                      0.0001 * (1 + m % 7), rng.lognormvariate(6.5, 0.5), 150.0, "ok" if ok else "error"))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    con.executemany(sql, batch)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as the app's own checkpoints would, over time
    con.close()


async def measure(path: Path, reads: int) -> dict:
    from modeltui import reports
    from modeltui.calls.engine import Engine
    from modeltui.learning import relearn as upkeep
    from modeltui.settings.config import Config
    from modeltui.store import Store

    store = await Store.open(path)
    engine = Engine(Config(), None, store)  # the paths the CLI and the app take (no catalog needed)
    t = time.perf_counter()
    events = await upkeep.rebuild_stats(engine)
    rebuild_s = time.perf_counter() - t
    samples = []
    for _ in range(reads):
        t = time.perf_counter()
        r = await reports.rankings(engine)
        samples.append(time.perf_counter() - t)
    await store.close()
    assert len(r) == 20 and all(len(v) == 50 for v in r.values())
    return {"events": events, "rebuild_s": rebuild_s, "read_ms": median(samples) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reads", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from modeltui.store import Store

    path = Path(tempfile.mkdtemp()) / "scale.sqlite3"

    async def create():
        s = await Store.open(path)
        await s.close()

    asyncio.run(create())
    small = args.rows // 10
    fill(path, 0, small, seed=1)
    at_small = asyncio.run(measure(path, args.reads))
    fill(path, small, args.rows - small, seed=2)
    at_full = asyncio.run(measure(path, args.reads))
    figures = {"rankings_read_ms_100k": round(at_small["read_ms"], 2), "rankings_read_ms_1m": round(at_full["read_ms"], 2),
               "rebuild_s_100k": round(at_small["rebuild_s"], 2), "rebuild_s_1m": round(at_full["rebuild_s"], 2),
               "read_growth": round(at_full["read_ms"] / at_small["read_ms"], 2),
               "rebuild_growth": round(at_full["rebuild_s"] / at_small["rebuild_s"], 2), "rows": args.rows}
    report(f"rankings over a synthetic log (50 models x 20 use cases; {small:,} then {args.rows:,} calls)", [
        f"read rankings   {small:>9,} rows: {figures['rankings_read_ms_100k']:7.2f} ms   {args.rows:>9,} rows: "
        f"{figures['rankings_read_ms_1m']:7.2f} ms   (x{figures['read_growth']}; target <= 20 ms)",
        f"rebuild stats   {small:>9,} rows: {figures['rebuild_s_100k']:7.2f} s    {args.rows:>9,} rows: "
        f"{figures['rebuild_s_1m']:7.2f} s    (x{figures['rebuild_growth']})",
        "reading uses the running statistics (1,000 rows) whatever the log size; rebuilding replays the log.",
    ], figures, args.json)


if __name__ == "__main__":
    main()
