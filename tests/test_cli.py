"""The headless CLI as a user runs it: fast help, demo answers with no keys, one-line errors."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import CANARY
from helpers import damage, server_config, write_config
from modeltui import cli

PROBE = """
import sys
from modeltui import cli
try:
    cli.main([{arg!r}])
except SystemExit:
    pass
print("HEAVY", sorted({{m.split('.')[0] for m in sys.modules}} & {{'litellm', 'textual', 'pydantic', 'aiosqlite', 'rich'}}))
"""


@pytest.mark.parametrize("arg", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(arg):
    out = subprocess.run([sys.executable, "-c", PROBE.format(arg=arg)], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    assert ("usage: modeltui" in out) if arg == "--help" else ("modeltui 0." in out)


def run(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=stdin, timeout=120)


def test_ask_json_answers_from_demo_model_and_logs_it(isolated_env):
    p = run("ask", "What is 2+2?", "--tier", "budget", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    for key in ("model", "tier", "tokens_in", "tokens_out", "cost_usd", "latency_ms", "status", "reasons"):
        assert key in out
    assert out["model"].startswith("demo/") and out["simulated"] and out["status"] == "ok"
    assert out["tier"] == "budget" and out["text"].strip() == "4"
    assert any(d["reason"] == "OPENAI_API_KEY not set" for d in out["reasons"]["dropped"])
    con = sqlite3.connect(isolated_env / "data" / "log.sqlite3")
    row = con.execute("SELECT model, status, tokens_out, cost_usd, response FROM calls").fetchall()
    assert row == [(out["model"], "ok", out["tokens_out"], out["cost_usd"], out["text"])]

    log = run("log", "--json")
    assert json.loads(log.stdout)[0]["id"] == out["call_id"]


@pytest.mark.parametrize("text, expect", [
    ("[budget\nmonthly_usd = 5\n", "invalid TOML"),
    ("[budget]\nmonthly_usd = 'lots'\n", "key 'budget.monthly_usd'"),
    ("[budget]\nmontly_usd = 5\n", "unknown key 'budget.montly_usd'"),
])
def test_bad_config_is_one_line_exit_2(isolated_env, capsys, text, expect):
    path = isolated_env / "bad.toml"
    path.write_text(text)
    code = cli.main(["--config", str(path), "ask", "hi"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and str(path) in err and expect in err
    assert "Traceback" not in err
    if "TOML" in expect:
        assert "line 1" in err


def test_unknown_model_lists_closest(isolated_env, capsys):
    code = cli.main(["ask", "hi", "--model", "demo/smal"])
    err = capsys.readouterr().err
    assert code == 2 and "unknown model 'demo/smal'" in err and "demo/small" in err


def test_bad_date_is_one_line(isolated_env, capsys):
    with pytest.raises(SystemExit) as stopped:  # the argument parser says it, before anything loads
        cli.main(["export", "--since", "yesterday"])
    assert stopped.value.code == 2
    assert "--since: 'yesterday' is not an ISO date" in capsys.readouterr().err


def test_canary_key_is_nowhere(server, isolated_env):
    cfg = write_config(server_config(server.url, isolated_env), isolated_env / "config.toml")
    env = {"OPENAI_API_KEY": CANARY, "MODELTUI_CONFIG": str(cfg)}
    outputs = []
    for model in ("openai/unauthorized", "openai/ok"):
        p = run("ask", "hello", "--model", model, "--explain", env=env)
        outputs += [p.stdout, p.stderr]
    assert server.requests[0]["auth"] == f"Bearer {CANARY}"  # the fake server got it and echoed it back
    assert "invalid_api_key" in outputs[1] or "auth" in outputs[1]
    exports = []
    for fmt in ("jsonl", "csv", "md"):
        p = run("export", "--format", fmt, "-o", str(isolated_env / f"x.{fmt}"), env=env)
        assert p.returncode == 0, p.stderr
        exports.append((isolated_env / f"x.{fmt}").read_bytes())
    log = run("log", env=env)
    outputs += [log.stdout, log.stderr]
    data = isolated_env / "data"
    files = [f.read_bytes() for f in data.iterdir() if f.name.startswith("log.sqlite3")]
    assert files  # the database and, if not yet checkpointed, its WAL
    assert b"Incorrect API key" in b"".join(files)  # the error was logged...
    for blob in [*files, *exports, *(o.encode() for o in outputs)]:
        assert CANARY.encode() not in blob  # ...but never the key
        assert CANARY[10:30].encode() not in blob


@pytest.mark.parametrize("args", [("budget",), ()])
def test_modeltui_config_naming_a_missing_file_is_an_error(isolated_env, args):
    missing = isolated_env / "nowhere" / "config.toml"
    p = run(*args, env={"MODELTUI_CONFIG": str(missing)})
    assert p.returncode == 2
    assert p.stderr.strip() == f"modeltui: {missing}: config file not found"


def test_a_key_given_through_a_custom_env_var_is_nowhere(server, isolated_env):
    secret = "acme0f3b9c2d7e1a4ffe28c6d0b9"  # no key-like name, no sk- shape: only the config names it
    data = server_config(server.url, isolated_env, {"openai/echokey:k": {
        "quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1_000}})
    data["providers"]["openai"]["env_var"] = "ACMECORP_AUTH"
    cfg = write_config(data, isolated_env / "config.toml")
    env = {"ACMECORP_AUTH": secret, "MODELTUI_CONFIG": str(cfg)}
    outputs = []
    for args in (("--model", "openai/unauthorized", "--json"), ("--model", "openai/unauthorized"),
                 ("--model", "openai/echokey:k"), ("--model", "openai/echokey:k", "--json")):
        p = run("ask", "hello", *args, env=env)
        outputs += [p.stdout, p.stderr]
    assert server.requests[0]["auth"] == f"Bearer {secret}"  # the server got it, echoed it in an error
    assert secret[:5] in server.requests[-1]["auth"]  # ...and split across two chunks of an answer
    assert "your key is [REDACTED] ok" in outputs[4]
    exports = []
    for fmt in ("jsonl", "csv", "md"):
        for extra in ((), ("--no-text",)):
            p = run("export", "--format", fmt, "-o", "-", *extra, env=env)
            assert p.returncode == 0, p.stderr
            exports.append(p.stdout)
    files = [f.read_bytes() for f in (isolated_env / "data").iterdir() if f.name.startswith("log.sqlite3")]
    assert b"Incorrect API key" in b"".join(files)
    for blob in [*files, *(o.encode() for o in outputs + exports)]:
        assert secret.encode() not in blob and secret[:12].encode() not in blob


def _wait_for_output(p: subprocess.Popen, text: str, timeout: float) -> bool:
    """Read the process's stdout until `text` appears (True) or `timeout` passes (False)."""
    import select
    import time

    seen, deadline = b"", time.time() + timeout
    while text.encode() not in seen and (left := deadline - time.time()) > 0:
        if select.select([p.stdout], [], [], left)[0]:
            if not (chunk := os.read(p.stdout.fileno(), 4096)):
                return False
            seen += chunk
    return text.encode() in seen


@pytest.mark.parametrize("signame,code", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_killed_call_is_logged_as_cancelled_and_releases_its_reservation(server, isolated_env, signame, code):
    import signal
    import time

    m = {"quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1_000}
    data = server_config(server.url, isolated_env, {f"openai/trickle:{x}": m for x in "kab"},
                         budget={"monthly_usd": 5.0}, gateway={"total_timeout_s": 60.0})
    cfg = write_config(data, isolated_env / "config.toml")
    env = {**os.environ, "OPENAI_API_KEY": CANARY, "MODELTUI_CONFIG": str(cfg)}
    for cmd in (["ask", "hello", "--model", "openai/trickle:k"],
                ["tournament", "hello", "--models", "openai/trickle:a,openai/trickle:b"]):
        server.reset()
        p = subprocess.Popen([sys.executable, "-m", "modeltui", *cmd], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        # mid-stream, by what was seen, not by a sleep: the answer's first word is on stdout (ask),
        # or every stream has sent two words (tournament); each has 40, one every 0.4 s
        if cmd[0] == "ask":
            assert _wait_for_output(p, "Hello0", timeout=60)
        deadline = time.time() + 60
        while (len(sent := server.streaming()) < 2 or min(sent) < 2) and cmd[0] != "ask" and time.time() < deadline:
            time.sleep(0.02)
        p.send_signal(getattr(signal, signame))
        out, err = p.communicate(timeout=60)
        assert p.returncode == code, err
        assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("modeltui: ")
    con = sqlite3.connect(isolated_env / "data" / "log.sqlite3")
    rows = con.execute("SELECT kind, status, response, cost_usd FROM calls ORDER BY id").fetchall()
    left = con.execute("SELECT COUNT(*) FROM reservations").fetchone()[0]
    con.close()
    assert [(k, s) for k, s, _, _ in rows] == [("cli", "cancelled"), ("tournament", "cancelled"), ("tournament", "cancelled")]
    assert rows[0][2].startswith("Hello") and rows[0][3] > 0  # partial text and its estimated cost
    assert left == 0


def test_export_hygiene_and_unknown_keymap_id(isolated_env):
    p = run("export", "-o", "-")
    assert p.returncode == 1 and p.stdout == "" and p.stderr.strip() == "modeltui: no calls match (nothing exported)"
    missing = isolated_env / "no" / "such" / "x.jsonl"
    p = run("export", "-o", str(missing))
    assert p.returncode == 2 and p.stderr.strip() == f"modeltui: -o: folder {missing.parent} does not exist"
    assert not missing.parent.exists()
    (isolated_env / "config.toml").write_text('[keymap]\n"tier.premiun" = "f12"\n')
    p = run("budget")
    assert p.returncode == 2 and "unknown binding id 'keymap.tier.premiun'" in p.stderr and "Traceback" not in p.stderr


def test_fallback_notes_go_to_stderr_and_stdout_is_only_the_answer(server, isolated_env):
    m = {"quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1_000}
    data = server_config(server.url, isolated_env)
    data["models"] = {"openai/error500:a": {**m, "input_per_mtok": 0.1}, "openai/ok:b": m}
    write_config(data, isolated_env / "config.toml")
    p = run("ask", "hello", "--tier", "budget", env={"OPENAI_API_KEY": CANARY})
    assert p.returncode == 0, p.stderr
    assert p.stdout == "Hello from the local server. \n"
    assert "next in chain" in p.stderr and "2 attempts" in p.stderr and "openai/error500:a · error (server)" in p.stderr


def run_read_only(folder, *args, env=None):
    """Run modeltui with `folder` read-only: by file modes, or (root ignores modes) in a private
    mount namespace where the folder is bind-mounted read-only."""
    if os.geteuid() != 0:
        return run(*args, env=env)
    import shlex

    cmd = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "modeltui", *args))
    f = shlex.quote(str(folder))
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           f"mount --bind {f} {f} && mount -o remount,ro,bind {f} {f} && exec {cmd}"],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_a_read_only_log_serves_read_commands_and_refuses_calls_before_paying(server, isolated_env):
    data = server_config(server.url, isolated_env)
    write_config(data, isolated_env / "config.toml")
    env = {"OPENAI_API_KEY": CANARY}
    assert run("ask", "hello", "--model", "openai/ok", env=env).returncode == 0
    folder = isolated_env / "data"
    files = list(folder.iterdir())
    try:
        for f in files:
            f.chmod(0o400)
        folder.chmod(0o500)
        for cmd in (("log",), ("export", "-o", "-"), ("budget",), ("rankings",), ("savings",)):
            p = run_read_only(folder, *cmd, env=env)
            assert p.returncode == 0, (cmd, p.stderr)
            assert "Hello from the local server" in p.stdout or cmd[0] != "export"
        server.reset()
        p = run_read_only(folder, "ask", "hello", "--model", "openai/ok", env=env)
        assert p.returncode == 1 and "the log is read-only" in p.stderr and len(p.stderr.strip().splitlines()) == 1
        assert server.count() == 0  # nothing was sent
    finally:
        folder.chmod(0o700)
        for f in files:
            f.chmod(0o600)


def test_a_damaged_log_is_one_line_and_nothing_is_sent(server, isolated_env):
    data = server_config(server.url, isolated_env)
    write_config(data, isolated_env / "config.toml")
    env = {"OPENAI_API_KEY": CANARY}
    assert run("ask", "hello", "--model", "openai/ok", env=env).returncode == 0
    damage(isolated_env / "data" / "log.sqlite3")
    server.reset()
    p = run("ask", "hello", "--model", "openai/ok", env=env)
    assert p.returncode == 1 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert p.stderr.startswith("modeltui: ") and server.count() == 0


def test_log_search_finds_a_past_answer_by_a_word_in_it(isolated_env):
    assert run("ask", "What is the capital of France?", "--tier", "budget").returncode == 0
    assert run("ask", "What is 2+2?", "--tier", "budget").returncode == 0
    p = run("log", "--search", "capital", "--json")
    found = json.loads(p.stdout)
    assert p.returncode == 0 and len(found) == 1 and "France" in found[0]["prompt"]
    p = run("log", "--search", "aubergine")
    assert p.returncode == 1 and "no call matches 'aubergine'" in p.stderr
