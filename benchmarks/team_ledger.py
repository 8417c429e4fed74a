"""Team ledger: N processes over 3 data dirs ("laptops", members a, b, c), each running parallel
asks against a slow priced model on a local OpenAI-compatible server, under a team cap and
member caps held in PostgreSQL; some processes are killed with SIGKILL mid-run.

Prints:
  spend vs caps      the team's month spend against its cap, each member's against theirs
  rows vs attempts   call rows in the team database against the HTTP requests the server saw
                     (a request without a row must not exist: `unlogged` must be 0)
  lost               calls charged as lost (killed processes' leases that ran out), at their
                     reservation
  latency            one reservation's time (p50 / p99), team ledger (PostgreSQL) against the
                     local SQLite ledger with the same processes on one data dir
The server: MODELTUI_TEST_PG (an admin URL) when set, else one started from the PostgreSQL
server binaries (tests/pg_server.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from _common import report  # noqa: E402

MODEL = "openai/slowstream:priced"
PRICED = {"quality": 7.0, "input_per_mtok": 0.0, "output_per_mtok": 1000.0, "context_window": 16_000, "max_output": 7}
PER_CALL = 0.007
TEAM_CAP, MEMBER_CAP = 0.35, 0.14  # 50 calls for the team, 20 each: the team's binds first
LEASE_S = 5.0  # short, so that the killed calls are charged within the run; renewed every third of it


def config(home: Path, server_url: str, team_url: str | None, member: str) -> Path:
    import tomli_w

    data = {"ollama_url": "http://127.0.0.1:9", "demo": {"mode": "never"}, "builtin_models": False,
            "storage": {"path": str(home / "data" / "log.sqlite3")},
            "providers": {"openai": {"api_base": server_url + "/v1"}},
            "gateway": {"connect_timeout_s": 20.0, "stall_timeout_s": 20.0, "total_timeout_s": 60.0, "max_tokens": 7},
            "budget": {"lease_s": LEASE_S} if team_url else {"lease_s": LEASE_S, "monthly_usd": TEAM_CAP},
            "routing": {"cooldown_s": 1.0}, "learning": {"shadow": {"rate": 0.0}}, "models": {MODEL: PRICED}}
    if team_url:
        data["team"] = {"database": team_url, "member": member}
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(tomli_w.dumps(data))
    return path


async def worker(cfg_path: str, out: str, tasks: int) -> None:
    """One process: `tasks` askers until the budget refuses; each reservation's time appended to `out`."""
    from modeltui.calls.engine import Engine
    from modeltui.calls.request import AskRequest
    from modeltui.errors import BudgetRefused, ModeltuiError

    sink = open(out, "a", buffering=1)
    async with Engine.open(cfg_path, probe_ollama=False) as engine:
        await engine.preload()
        reserve = engine.ledger.reserve

        async def timed(*args, **kw):
            t = time.perf_counter()
            try:
                return await reserve(*args, **kw)
            finally:
                sink.write(f"{(time.perf_counter() - t) * 1000:.3f}\n")
        engine.ledger.reserve = timed

        async def asker():
            while True:
                try:
                    await engine.ask(AskRequest("hello", model=MODEL))
                except BudgetRefused:
                    return
                except ModeltuiError as exc:  # (a loaded machine: a call timed out, its endpoint rests 1 s)
                    print(f"worker: {exc}", file=sys.stderr)
                    await asyncio.sleep(1.0)
        await asyncio.gather(*(asker() for _ in range(tasks)))


def run_fleet(homes: list[Path], procs: int, tasks: int, kills: int, rnd: random.Random, server) -> tuple[int, Path, list]:
    """`procs` workers spread over the data dirs; `kills` of them SIGKILLed at random moments
    once requests flow. Returns (killed, latency file, the workers' one-line errors)."""
    lat = Path(tempfile.mkdtemp(prefix="modeltui-lat-")) / "ms.txt"
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench-local-0000", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    ps = [subprocess.Popen([sys.executable, __file__, "--worker", str(homes[i % len(homes)] / "config.toml"),
                            "--out", str(lat), "--tasks", str(tasks)], env=env, stderr=subprocess.PIPE, text=True)
          for i in range(procs)]
    victims = rnd.sample(range(procs), min(kills, procs))
    killed = 0
    start = len(server.requests)
    deadline = time.time() + 120
    while len(server.requests) == start and time.time() < deadline:
        time.sleep(0.05)
    for v in victims:
        time.sleep(rnd.uniform(0.1, 0.8))
        if ps[v].poll() is None:
            os.kill(ps[v].pid, signal.SIGKILL)
            killed += 1
    errors = []
    for p in ps:
        _, err = p.communicate(timeout=600)
        errors += [line for line in err.splitlines() if line.startswith("worker:") or "Traceback" in line]
        if "Traceback" in err:
            print(err[-1500:], file=sys.stderr)
    return killed, lat, errors


def percentiles(path: Path) -> dict:
    xs = sorted(float(x) for x in path.read_text().split())
    if not xs:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    return {"n": len(xs), "p50_ms": round(xs[len(xs) // 2], 2), "p99_ms": round(xs[min(len(xs) - 1, int(len(xs) * 0.99))], 2)}


async def team_setup(admin_url: str, suffix: str) -> tuple[str, list[str]]:
    import psycopg

    from modeltui.team import TeamDB, admin

    name = f"bench_{suffix}"
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as conn:
        await conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    db = TeamDB(url)
    await admin.init(db, TEAM_CAP, MEMBER_CAP, "boss")
    members = [f"{m}_{suffix}" for m in "abc"]
    for m in members:
        await admin.add_member(db, m, password="pw-" + m)
    await db.close()
    return url, members


def team_figures(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT modeltui.charge_expired()")  # what a next start would reclaim
        rows = conn.execute("SELECT member, status, cost_usd FROM modeltui.calls").fetchall()
        statuses = dict(conn.execute("SELECT status || ':' || COALESCE(error_kind, ''), count(*) FROM modeltui.calls "
                                     "GROUP BY 1").fetchall())
        left = conn.execute("SELECT count(*) FROM modeltui.reservations").fetchone()[0]
    per = {}
    for m, _, c in rows:
        per[m] = per.get(m, 0.0) + (c or 0.0)
    return {"rows": len(rows), "lost": sum(s == "lost" for _, s, _ in rows), "spend_usd": round(sum(per.values()), 6),
            "member_spend_usd": {k: round(v, 6) for k, v in sorted(per.items())}, "reservations_left": left,
            "statuses": statuses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", type=int, default=6, help="worker processes, spread over the 3 data dirs")
    ap.add_argument("--tasks", type=int, default=2, help="parallel asks per process")
    ap.add_argument("--kills", type=int, default=2, help="processes killed with SIGKILL mid-run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        asyncio.run(worker(args.worker, args.out, args.tasks))
        return
    from pg_server import LocalServer, find_bin
    from servers import openai_server

    local_pg = None
    admin_url = os.environ.get("MODELTUI_TEST_PG")
    if not admin_url:
        if find_bin() is None:
            sys.exit("no PostgreSQL: set MODELTUI_TEST_PG or install the server binaries")
        local_pg = LocalServer(Path(tempfile.mkdtemp(prefix="modeltui-pg-")), find_bin())
        local_pg.start()
        admin_url = local_pg.url
    server = openai_server()
    server.delays[MODEL.removeprefix("openai/")] = 0.3
    rnd = random.Random(args.seed)
    try:
        url, members = asyncio.run(team_setup(admin_url, uuid.uuid4().hex[:8]))
        base = Path(tempfile.mkdtemp(prefix="modeltui-team-bench-"))
        host = url.split("@", 1)[1]
        homes = [base / m for m in members]
        for m, home in zip(members, homes):
            config(home, server.url, f"postgresql://{m}:pw-{m}@{host}", m)
        t = time.perf_counter()
        killed, lat, errors = run_fleet(homes, args.processes, args.tasks, args.kills, rnd, server)
        wall = time.perf_counter() - t
        attempts = len(server.requests)
        time.sleep(LEASE_S + 0.5)
        team = team_figures(url)

        solo = base / "sqlite"
        config(solo, server.url, None, "solo")
        server.reset()
        server.delays[MODEL.removeprefix("openai/")] = 0.3
        _, lat_sqlite, _ = run_fleet([solo], args.processes, args.tasks, 0, rnd, server)
    finally:
        server.stop()
        if local_pg is not None:
            local_pg.stop()
    figures = {"processes": args.processes, "tasks_per_process": args.tasks, "killed": killed,
               "team_cap_usd": TEAM_CAP, "member_cap_usd": MEMBER_CAP, **team, "attempts": attempts,
               "unlogged": max(0, attempts - team["rows"]),
               "team_over_cap_usd": round(max(0.0, team["spend_usd"] - TEAM_CAP), 9),
               "members_over_cap": sum(v > MEMBER_CAP + 1e-9 for v in team["member_spend_usd"].values()),
               "worker_errors": len(errors), "tracebacks": sum("Traceback" in e for e in errors),
               "reserve_team": percentiles(lat), "reserve_sqlite": percentiles(lat_sqlite), "wall_s": round(wall, 1)}
    rt, rs = figures["reserve_team"], figures["reserve_sqlite"]
    lines = [f"{args.processes} processes x {args.tasks} asks over 3 data dirs, {killed} killed with SIGKILL; "
             f"{figures['wall_s']} s",
             f"team spend ${team['spend_usd']:.6f} of cap ${TEAM_CAP:.2f} (over: ${figures['team_over_cap_usd']:.6f}); "
             f"members {json.dumps(team['member_spend_usd'])} of ${MEMBER_CAP:.2f} each "
             f"(over: {figures['members_over_cap']})",
             f"HTTP attempts {attempts}, rows in the team database {team['rows']} (requests without a row: "
             f"{figures['unlogged']}); charged as lost: {team['lost']}; reservations left: {team['reservations_left']}",
             f"team rows by status: {json.dumps(team['statuses'])}; workers' one-line errors (then retried): "
             f"{figures['worker_errors']}, tracebacks: {figures['tracebacks']}",
             f"reservation latency, team (PostgreSQL): p50 {rt['p50_ms']} ms, p99 {rt['p99_ms']} ms over {rt['n']}",
             f"reservation latency, local SQLite ledger: p50 {rs['p50_ms']} ms, p99 {rs['p99_ms']} ms over {rs['n']}"]
    report("team ledger: processes on three laptops, one PostgreSQL budget", lines, figures, args.json)


if __name__ == "__main__":
    main()
