"""Serve under load: 50 concurrent streaming clients through `modeltui serve` under a monthly cap
that cannot hold them all, against a fake OpenAI-compatible provider on 127.0.0.1.

Prints the time to first token seen by the clients, directly at the provider and through the
server (p50 / p99, and the overhead), the spend against the cap (it must never pass it), the
log's rows against the requests answered (one row each; refused requests have none and get a
402), and the server's memory (resident now and at its peak).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402
from _serve import FakeProvider, cpu_s, fake_env, rss_mb, start, stop  # noqa: E402

CLIENTS = 50
CAP = 0.1  # about 24 calls' worth of reservations, 30 answers' worth of spend: the cap must refuse some


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


async def one(client: httpx.AsyncClient, url: str, model: str) -> tuple[int, float | None]:
    """(status, seconds to the first text chunk)."""
    t0 = time.perf_counter()
    body = {"model": model, "stream": True, "max_tokens": 200, "messages": [{"role": "user", "content": "Say words"}]}
    async with client.stream("POST", url + "/chat/completions", json=body) as resp:
        ttft = None
        async for line in resp.aiter_lines():
            if ttft is None and line.startswith("data: ") and '"content"' in line:
                ttft = time.perf_counter() - t0
        return resp.status_code, ttft


async def burst(url: str, model: str, n: int) -> list[tuple[int, float | None]]:
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits, headers={"x-modeltui-client": "serve_load"}) as client:
        return await asyncio.gather(*(one(client, url, model) for _ in range(n)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=CLIENTS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    provider = FakeProvider()
    tmp = Path(tempfile.mkdtemp(prefix="serve-load-"))
    try:
        direct = asyncio.run(burst(provider.url, "fake", args.clients))
        env = fake_env(tmp, provider, CAP)
        proc, base = start(env)
        try:
            asyncio.run(burst(base, "openai/fake", 1))  # one call first: the server's first request path warmed
            before, cpu0, t0 = provider.count, cpu_s(proc.pid), time.perf_counter()
            served = asyncio.run(burst(base, "openai/fake", args.clients))
            burst_s, server_cpu = time.perf_counter() - t0, cpu_s(proc.pid) - cpu0
            sent_to_provider = provider.count - before
            rss_now, rss_peak = rss_mb(proc.pid)
        finally:
            stop(proc)
        con = sqlite3.connect(tmp / "data" / "log.sqlite3")
        rows = con.execute("SELECT count(*), count(*) FILTER (WHERE status = 'ok') FROM calls WHERE id > 1").fetchone()
        spend = con.execute("SELECT coalesce(sum(cost_usd), 0) FROM calls").fetchone()[0]
        held = con.execute("SELECT count(*) FROM reservations").fetchone()[0]
        con.close()
    finally:
        provider.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    d_ttft = [t for s, t in direct if s == 200 and t is not None]
    ok = [t for s, t in served if s == 200 and t is not None]
    refused = sum(1 for s, _ in served if s == 402)
    other = [s for s, _ in served if s not in (200, 402)]
    figures = {
        "clients": args.clients, "cap_usd": CAP,
        "direct_ttft_p50_ms": round(median(d_ttft) * 1000, 1), "direct_ttft_p99_ms": round(pct(d_ttft, 0.99) * 1000, 1),
        "served_ttft_p50_ms": round(median(ok) * 1000, 1) if ok else None,
        "served_ttft_p99_ms": round(pct(ok, 0.99) * 1000, 1) if ok else None,
        "answered": len(ok), "refused_402": refused, "other_statuses": other,
        "rows": rows[0], "rows_ok": rows[1], "sent_to_provider": sent_to_provider,
        "spend_usd": round(spend, 6), "spend_within_cap": spend <= CAP + 1e-12, "reservations_left": held,
        "server_rss_mb": round(rss_now, 1), "server_peak_rss_mb": round(rss_peak, 1),
        "burst_s": round(burst_s, 2), "server_cpu_s": round(server_cpu, 2),
    }
    if ok:
        figures["ttft_overhead_p50_ms"] = round(figures["served_ttft_p50_ms"] - figures["direct_ttft_p50_ms"], 1)
        figures["ttft_overhead_p99_ms"] = round(figures["served_ttft_p99_ms"] - figures["direct_ttft_p99_ms"], 1)
    figures["rows_equal_answered"] = rows[0] == len(ok) == sent_to_provider
    lines = [
        f"{args.clients} concurrent streaming clients, cap ${CAP} a month, fake provider (0.1 s to first token)",
        f"TTFT direct:   p50 {figures['direct_ttft_p50_ms']} ms · p99 {figures['direct_ttft_p99_ms']} ms",
        f"TTFT served:   p50 {figures['served_ttft_p50_ms']} ms · p99 {figures['served_ttft_p99_ms']} ms",
        f"overhead:      p50 {figures.get('ttft_overhead_p50_ms')} ms · p99 {figures.get('ttft_overhead_p99_ms')} ms",
        f"answered {len(ok)}, refused over the cap (402) {refused}, other {other or 'none'}",
        f"rows in the log {rows[0]} ({rows[1]} ok), requests the provider saw {sent_to_provider}: "
        f"{'one row per answered request' if figures['rows_equal_answered'] else 'MISMATCH'}",
        f"spend ${spend:.6f} of the ${CAP} cap: {'within' if figures['spend_within_cap'] else 'OVER'}; "
        f"reservations left {held}",
        f"server memory: {rss_now:.0f} MiB resident, {rss_peak:.0f} MiB at peak",
        f"server CPU for the burst: {server_cpu:.2f} s over {burst_s:.1f} s of wall time "
        f"({server_cpu / max(1, args.clients) * 1000:.0f} ms a request)",
    ]
    report("modeltui serve under load", lines, figures, args.json)


if __name__ == "__main__":
    main()
