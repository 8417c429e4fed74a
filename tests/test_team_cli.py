"""`modeltui team init | set | status` and `modeltui budget` in team mode, as a user runs them,
against a real PostgreSQL server; one line and exit 3 when the team database is unreachable."""

import json
import os
import subprocess
import sys

from conftest import CANARY
from helpers import server_config, write_config
from pg_server import pg_admin, pg_db  # noqa: F401 - fixtures

MODEL = "openai/ok"
PRICED = {"quality": 7.0, "input_per_mtok": 0.0, "output_per_mtok": 1000.0, "context_window": 16_000, "max_output": 7}

ROOMY = {"connect_timeout_s": 15.0, "stall_timeout_s": 15.0, "total_timeout_s": 40.0}  # a loaded machine is not "unreachable"

def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def member_config(server, tmp, name, url):
    data = server_config(server.url, tmp, team={"database": url, "member": name}, gateway={"max_tokens": 7, **ROOMY})
    data["models"] = {MODEL: PRICED}
    return write_config(data, tmp / "config.toml")


def test_init_set_status_and_budget_as_admin_and_member(server, isolated_env, pg_db):
    url, dbname = pg_db
    name = f"a_{dbname[-6:]}"
    p = run("team", "status", "--database", url)
    assert p.returncode == 1 and "team init" in p.stderr, p.stderr
    p = run("team", "init", "--monthly-usd", "0.05", "--member-monthly-usd", "0.02", "--database", url)
    assert p.returncode == 0 and "schema 2 (created)" in p.stdout, p.stderr
    p = run("team", "set", "--add-member", name, "--password-env", "PW", "--member-cap", f"{name}=0.03",
            "--database", url, env={"PW": "member-pass-123"})
    assert p.returncode == 0 and f"member {name} added" in p.stdout, p.stderr

    member_url = f"postgresql://{name}:member-pass-123@{url.split('@', 1)[1]}"
    member_config(server, isolated_env, name, member_url)
    env = {"OPENAI_API_KEY": CANARY}
    p = run("ask", "hello", "--model", MODEL, "--json", env=env)
    assert p.returncode == 0, p.stderr
    assert server.count() == 1

    p = run("team", "set", "--monthly-usd", "100")  # a member's role: the server refuses
    assert p.returncode != 0 and "refused" in p.stderr and "member-pass-123" not in p.stderr + p.stdout
    assert len(p.stderr.strip().splitlines()) == 1

    p = run("team", "status", "--json")
    status = json.loads(p.stdout)
    assert status["monthly_usd"] == 0.05 and status["member"] == name
    me = next(m for m in status["members"] if m["member"] == name)
    assert me["monthly_usd"] == 0.03 and me["calls"] == 1 and abs(me["spent_usd"] - 0.007) < 1e-9

    p = run("budget", "--json", env=env)
    assert p.returncode == 0, p.stderr
    fig = json.loads(p.stdout)
    assert abs(fig["team"]["spent_usd"] - 0.007) < 1e-9 and abs(fig["month_usd"] - 0.007) < 1e-9
    assert abs(fig["left_usd"] - 0.023) < 1e-9  # the member's cap is the nearest
    p = run("budget", env=env)
    assert "team month (utc): $0.007000 of $0.050000" in p.stdout and f"you ({name})" in p.stdout
    assert "member-pass-123" not in p.stdout + p.stderr

    # rankings say whose evidence they stand on
    p = run("rankings", "--json", env=env)
    said = json.loads(p.stdout)["evidence"]
    assert p.returncode == 0 and said.startswith("the team's evidence (2 members") and f"({name}'s)" in said, p.stderr
    p = run("rankings", env=env)
    assert "evidence: the team's evidence" in p.stdout and "member-pass-123" not in p.stdout

    # the admin removes the member: its role can no longer reserve; what it spent stays the team's
    p = run("team", "set", "--remove-member", name, "--database", url)
    assert p.returncode == 0 and f"member {name} removed" in p.stdout, p.stderr
    p = run("ask", "hello", "--model", MODEL, env=env)
    assert p.returncode == 3 and "not permitted to log in" in p.stderr and "nothing was sent" in p.stderr, p.stderr
    assert server.count() == 1 and "member-pass-123" not in p.stderr
    status = json.loads(run("team", "status", "--json", "--database", url).stdout)
    gone = next(m for m in status["members"] if m["member"] == name)
    assert gone["monthly_usd"] == 0 and abs(gone["spent_usd"] - 0.007) < 1e-9 and abs(status["spent_usd"] - 0.007) < 1e-9
    admin_name = next(m["member"] for m in status["members"] if m["role"] == "admin")  # (who ran init)
    p = run("team", "set", "--remove-member", admin_name, "--database", url)
    assert p.returncode == 2 and "is an admin" in p.stderr, p.stderr
    p = run("team", "set", "--remove-member", "nobody", "--database", url)
    assert p.returncode == 2 and "nobody is not a member" in p.stderr, p.stderr


def test_unreachable_team_database_is_one_line_exit_3_and_nothing_sent(server, isolated_env):
    member_config(server, isolated_env, "a", "postgresql://a:pw-secret-999@127.0.0.1:1/team")
    p = run("ask", "hello", "--model", MODEL, env={"OPENAI_API_KEY": CANARY})
    assert p.returncode == 3
    assert len(p.stderr.strip().splitlines()) == 1 and "unreachable" in p.stderr and "nothing was sent" in p.stderr
    assert "pw-secret-999" not in p.stderr + p.stdout
    assert server.count() == 0
    p = run("team", "status")
    assert p.returncode == 3 and "pw-secret-999" not in p.stderr
