"""Chaos: 4 `modeltui ask` processes and a `modeltui tournament` at once, round after round,
against a server that injects faults at random (benchmarks/_fault_server.py), under a small
monthly cap, with the provider key given through a custom variable (ACMECORP_AUTH).

Prints, and tests/test_chaos.py asserts on a shorter run:
  attempts           HTTP requests the server saw
  rows               rows in the log (every request is one row: rows >= attempts; a row of its own
                     comes only from a process killed between its reservation and its request, or
                     from a request that timed out or lost its connection before the server read
                     it, which a loaded machine makes happen: `unseen_unexplained` counts the rest)
  unlogged           requests with no row (attempts - rows, if positive: must be 0)
  killed, lost       processes killed with SIGKILL mid-call, and the calls charged as lost for them
                     (at their reservation, once their lease ran out)
  pid_namespace      whether an `ask` also ran in a second PID namespace (`unshare --pid`, as root)
  spend_over_cap     month spend minus the cap, if positive (must be 0)
  reservations_left  reservations in the log after every process exited (must be 0)
  key_leaks          places the key's value was found: database, WAL, exports, stdout, stderr (must be 0)
  tracebacks         processes that printed a traceback (must be 0)
and `dead_endpoint_s`: how long one prompt takes to give up on an endpoint that accepts
connections and never answers, with three models behind it and the default timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import report  # noqa: E402
from _fault_server import Blackhole, FaultServer  # noqa: E402

KEY = "acme7d1e0c9b4a8f2e6d3c5b7a9f1e"  # custom variable: no key-like name, no known key shape
CAP = 0.15
LEASE_S = 2.0  # short, so that the calls of killed processes are charged within the run
MODEL = {"quality": 6.0, "input_per_mtok": 100.0, "output_per_mtok": 2000.0, "context_window": 16_000, "max_output": 1000}


def write_config(home: Path, url: str) -> Path:
    import tomli_w

    models = {f"openai/m{i}": {**MODEL, "quality": 5.0 + i, "output_per_mtok": 200.0 * (i + 1)} for i in range(4)}
    data = {"ollama_url": "http://127.0.0.1:9", "demo": {"mode": "never"}, "builtin_models": False,
            "default_tier": "balanced", "storage": {"path": str(home / "data" / "log.sqlite3")},
            "providers": {"openai": {"api_base": url + "/v1", "env_var": "ACMECORP_AUTH"}},
            "budget": {"monthly_usd": CAP, "lease_s": LEASE_S},
            "gateway": {"connect_timeout_s": 3.0, "stall_timeout_s": 1.0, "total_timeout_s": 6.0, "max_tokens": 20,
                        "max_retry_after_s": 0.5},
            "routing": {"cooldown_s": 5.0},
            "models": models}
    path = home / "config.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def run_rounds(rounds: int, seed: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix="modeltui-chaos-"))
    server = FaultServer(seed=seed, stall_s=2.0)
    cfg = write_config(home, server.url)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(ACMECORP_AUTH=KEY, MODELTUI_CONFIG=str(cfg), MODELTUI_DATA_DIR=str(home / "data"),
               LITELLM_LOCAL_MODEL_COST_MAP="True")
    exe = [sys.executable, "-m", "modeltui"]
    outputs: list[str] = []
    codes: list[int] = []
    tiers = ("budget", "balanced", "premium", "auto")
    for r in range(rounds):
        procs = [subprocess.Popen([*exe, "ask", f"round {r} question {i}: what is six times seven?", "--tier", tiers[i]]
                                  + (["--json"] if i % 2 else []), env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(4)]
        procs.append(subprocess.Popen([*exe, "tournament", f"round {r}: what is six times seven?", "--json"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for p in procs:
            out, err = p.communicate(timeout=300)
            outputs += [out, err]
            codes.append(p.returncode)
    killed, pidns = _kills_and_namespaces(exe, env, server, outputs, codes, seed)
    exports = []
    for fmt in ("jsonl", "csv", "md"):
        for extra in ([], ["--no-text"]):
            p = subprocess.run([*exe, "export", "--format", fmt, "-o", str(home / f"x-{fmt}-{len(extra)}.{fmt}"), *extra],
                               env=env, capture_output=True, text=True, timeout=120)
            outputs += [p.stdout, p.stderr]
    exports = [f.read_bytes() for f in home.glob("x-*")]
    time.sleep(0.2)
    attempts = len(server.seen)
    server.stop()
    db = home / "data" / "log.sqlite3"
    blobs = [f.read_bytes() for f in (home / "data").iterdir() if f.name.startswith("log.sqlite3")]  # db, -wal, -shm
    con = sqlite3.connect(db)
    rows = con.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    spend = con.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM calls").fetchone()[0]
    reservations = con.execute("SELECT COUNT(*) FROM reservations").fetchone()[0]
    statuses = dict(con.execute("SELECT status || ':' || COALESCE(error_kind, finish_reason, ''), COUNT(*) "
                                "FROM calls GROUP BY 1").fetchall())
    con.close()
    leaks = sum(KEY.encode() in b or KEY[:12].encode() in b for b in [*blobs, *exports, *(o.encode() for o in outputs)])
    behaviours: dict[str, int] = {}
    for b in server.seen:
        behaviours[b] = behaviours.get(b, 0) + 1
    lost = statuses.get("lost:lost", 0)
    undelivered = statuses.get("error:timeout", 0) + statuses.get("error:connection", 0)
    return {"attempts": attempts, "rows": rows, "unlogged": max(0, attempts - rows), "killed": killed, "lost": lost,
            "unseen_unexplained": max(0, rows - attempts - killed - undelivered),
            "pid_namespace": pidns, "spend_usd": round(spend, 6), "cap_usd": CAP,
            "spend_over_cap": round(max(0.0, spend - CAP), 9), "reservations_left": reservations, "key_leaks": leaks,
            "tracebacks": sum("Traceback" in o for o in outputs), "exit_codes": {str(c): codes.count(c) for c in set(codes)},
            "faults_served": behaviours, "logged": statuses, "processes": len(codes), "home": str(home)}


def _kills_and_namespaces(exe, env, server, outputs, codes, seed) -> tuple[int, str]:
    """SIGKILL a few calls at random moments after their request reached the server; run one
    `ask` in a second PID namespace beside one in ours (as root, where `unshare` exists); then,
    once the killed calls' leases ran out, one more `ask` reclaims them."""
    import random
    import shutil
    import signal

    rnd, killed = random.Random(seed), 0
    for i in range(4):
        before = len(server.seen)
        p = subprocess.Popen([*exe, "ask", f"killed call {i}: what is six times seven?"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while len(server.seen) == before and p.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(rnd.uniform(0.0, 0.4))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            killed += 1
        p.wait()
    pidns = "skipped (needs root and unshare)"
    if os.geteuid() == 0 and shutil.which("unshare"):
        procs = [subprocess.Popen(prefix + [*exe, "ask", f"namespace {j}: what is six times seven?"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for j, prefix in enumerate(([], ["unshare", "--pid", "--fork"]))]
        for p in procs:
            out, err = p.communicate(timeout=300)
            outputs += [out, err]
            codes.append(p.returncode)
        pidns = "ran"
    time.sleep(LEASE_S + 0.5)
    p = subprocess.run([*exe, "ask", "after the kills: what is six times seven?"], env=env, capture_output=True,
                       text=True, timeout=300)
    outputs += [p.stdout, p.stderr]
    codes.append(p.returncode)
    return killed, pidns


async def dead_endpoint() -> float:
    """Seconds until one prompt gives up on a hung endpoint with three models, default timeouts."""
    from modeltui.calls.engine import Engine
    from modeltui.calls.request import AskRequest
    from modeltui.settings.config import Config

    hole = Blackhole()
    home = Path(tempfile.mkdtemp(prefix="modeltui-dead-"))
    os.environ["ACMECORP_AUTH"] = KEY
    cfg = Config.model_validate({
        "ollama_url": "http://127.0.0.1:9", "demo": {"mode": "never"}, "builtin_models": False,
        "storage": {"path": str(home / "log.sqlite3")},
        "providers": {"openai": {"api_base": hole.url + "/v1", "env_var": "ACMECORP_AUTH"}},
        "models": {f"openai/dead{i}": MODEL for i in range(3)}})
    async with Engine.open(cfg=cfg, probe_ollama=False) as engine:
        await engine.preload()
        t = time.perf_counter()
        result = await engine.ask(AskRequest("hello", tier="budget"))
        took = time.perf_counter() - t
    hole.stop()
    assert result.final.status == "error"
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-dead-endpoint", dest="dead", action="store_false", help="skip the ~10 s dead-endpoint timing")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    t = time.perf_counter()
    figures = run_rounds(args.rounds, args.seed)
    figures["wall_s"] = round(time.perf_counter() - t, 1)
    if args.dead:
        figures["dead_endpoint_s"] = round(asyncio.run(dead_endpoint()), 2)
    lines = [f"{figures['processes']} processes over {args.rounds} rounds, {figures['wall_s']} s",
             f"HTTP attempts the server saw: {figures['attempts']}   rows in the log: {figures['rows']}   "
             f"requests without a row: {figures['unlogged']}",
             f"killed with SIGKILL mid-call: {figures['killed']}   charged as lost: {figures['lost']}   "
             f"second PID namespace: {figures['pid_namespace']}",
             f"month spend ${figures['spend_usd']:.6f} of cap ${CAP:.2f}; over the cap: ${figures['spend_over_cap']:.6f}",
             f"reservations left: {figures['reservations_left']}   key leaks: {figures['key_leaks']}   "
             f"tracebacks: {figures['tracebacks']}",
             f"exit codes: {json.dumps(figures['exit_codes'])}",
             f"faults served: {json.dumps(figures['faults_served'])}",
             f"logged as: {json.dumps(figures['logged'])}"]
    if args.dead:
        lines.append(f"giving up on a hung endpoint with 3 models, default timeouts: {figures['dead_endpoint_s']} s "
                     "(target <= 12 s)")
    report("chaos: parallel CLI processes against a fault-injecting server", lines, figures, args.json)


if __name__ == "__main__":
    main()
