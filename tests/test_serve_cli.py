"""The fast CLI: arguments checked before anything heavy loads; `ask` through a running server for
the same log (never importing litellm); in-process otherwise; and the log complete after the
process leaves with os._exit."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from serving import Served

PROBE = """
import sys
from modeltui import cli
try:
    code = cli.main({args!r})
except SystemExit as exc:  # the argument parser's own refusals
    code = exc.code
print("CODE", code)
print("HEAVY", sorted({{m.split('.')[0] for m in sys.modules}} & {{'litellm', 'pydantic', 'aiosqlite', 'starlette', 'httpx'}}))
"""


def probe(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=120,
                          env=env or os.environ.copy())


@pytest.mark.parametrize("args, said", [
    (["ask", "hi", "--model", "nope/nope"], "unknown model 'nope/nope'"),
    (["ask", "hi", "--model", "demo/smal"], "closest: demo/small"),
    (["ask", "   "], "empty prompt"),
    (["tournament", "hi", "--models", "demo/small,nope/x"], "--models: unknown model 'nope/x'"),
    (["tournament", "hi", "--models", "demo/small"], "two or three different model ids"),
    (["ask", "hi", "--tier", "nope"], "invalid choice: 'nope'"),
    (["ask", "hi", "--bogus"], "unrecognized arguments: --bogus"),
    (["export", "--since", "notadate"], "--since: 'notadate' is not an ISO date"),
    (["export", "--until", "2026-13-01"], "--until: '2026-13-01' is not an ISO date"),
])
def test_bad_arguments_are_said_before_anything_heavy_loads(isolated_env, args, said):
    p = probe(args)
    assert "CODE 2" in p.stdout and "HEAVY []" in p.stdout, p.stdout + p.stderr
    assert p.stderr.count("\n") == 1 and said in p.stderr


def test_a_model_from_the_config_is_known_to_the_check(isolated_env):
    (isolated_env / "config.toml").write_text('[models."openai/mine"]\nquality = 5.0\n[models."demo/small"]\nenabled = false\n')
    assert "unknown model" not in probe(["ask", "   ", "--model", "openai/mine"]).stderr
    assert "unknown model 'demo/small'" in probe(["ask", "hi", "--model", "demo/small"]).stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    srv = Served(tmp_path_factory.mktemp("serve"), {"demo": {"mode": "always", "speed": 50.0},
                                                     "budget": {"monthly_usd": 0.01}})
    yield srv
    srv.stop()
    assert not (srv.root / "data" / "serve.json").exists()  # removed at exit


def test_ask_goes_through_a_running_server_without_importing_litellm(served):
    assert json.loads(served.discovery_text())["pid"] == served.proc.pid
    p = probe(["ask", "What is 2+2?", "--tier", "budget", "--json"], served.env)
    assert "CODE 0" in p.stdout and "HEAVY []" in p.stdout, p.stdout + p.stderr
    out = json.loads(p.stdout.splitlines()[0])
    assert out["text"].strip() == "4" and out["model"] == "demo/small" and out["status"] == "ok"
    row = served.rows("SELECT kind, client, model, status, cost_usd FROM calls WHERE id = ?", out["call_id"])
    assert row[0][:1] + row[0][2:] == ("cli", "demo/small", "ok", out["cost_usd"])
    assert row[0][1].startswith("modeltui ask (modeltui-cli/")


def test_ask_through_the_server_streams_and_refuses_like_in_process(served):
    p = subprocess.run([sys.executable, "-m", "modeltui", "ask", "What is 3+4?", "--model", "demo/medium"],
                       capture_output=True, text=True, timeout=60, env=served.env)
    assert p.returncode == 0 and "7" in p.stdout and "via modeltui serve" in p.stderr
    unknown = subprocess.run([sys.executable, "-m", "modeltui", "ask", "hi", "--use-case", "nope"],
                             capture_output=True, text=True, timeout=60, env=served.env)
    assert unknown.returncode == 2 and "unknown use case 'nope'" in unknown.stderr
    over = subprocess.run([sys.executable, "-m", "modeltui", "ask", "hi " * 3000, "--model", "demo/large",
                           "--max-tokens", "4000"], capture_output=True, text=True, timeout=60, env=served.env)
    assert over.returncode == 3 and over.stderr.startswith("modeltui: budget") and over.stderr.count("\n") == 1


def test_without_a_server_ask_runs_in_process_and_its_row_outlives_the_quick_exit(isolated_env):
    data = isolated_env / "data"
    data.mkdir()
    (data / "serve.json").write_text(json.dumps({"host": "127.0.0.1", "port": 9, "pid": 2 ** 22 + 7,
                                                 "url": "http://127.0.0.1:9/v1"}))  # left by a server that died
    p = subprocess.run([sys.executable, "-m", "modeltui", "ask", "What is 2+2?", "--tier", "budget", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    con = sqlite3.connect(data / "log.sqlite3")
    assert con.execute("SELECT kind, status, response FROM calls WHERE id = ?", (out["call_id"],)).fetchall() == \
        [("cli", "ok", out["text"])]
    assert con.execute("SELECT count(*) FROM reservations").fetchone()[0] == 0


def test_tournament_goes_through_a_running_server_without_importing_litellm(served):
    p = probe(["tournament", "What is 2+2?", "--models", "demo/small,demo/medium", "--json"], served.env)
    assert "CODE 0" in p.stdout and "HEAVY []" in p.stdout, p.stdout + p.stderr
    out = json.loads(p.stdout.splitlines()[0])
    assert [e["model"] for e in out["entrants"]] == ["demo/small", "demo/medium"]
    assert all(e["status"] == "ok" and e["text"].strip() for e in out["entrants"])
    rows = served.rows("SELECT kind, status FROM calls WHERE tournament_id = ?", out["tournament_id"])
    assert rows == [("tournament", "ok")] * 2
    shown = subprocess.run([sys.executable, "-m", "modeltui", "tournament", "Is water wet?", "--models",
                            "demo/small,demo/medium"], capture_output=True, text=True, timeout=60, env=served.env)
    assert shown.returncode == 0 and "verdict:" in shown.stdout and "modeltui vote" in shown.stdout
