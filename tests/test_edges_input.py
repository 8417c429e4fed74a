"""Bad input is one line on stderr and a non-zero exit, never a traceback; a file that is not
ours is refused and left untouched; numbers that cannot be right and use cases nobody declared
are refused."""

import sqlite3
import subprocess
import sys

import pytest

from test_cli import run


def run_bytes(*args: bytes, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, input=stdin, timeout=120)


def one_line(stderr) -> str:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modeltui: "), text
    return lines[0]


@pytest.mark.parametrize("prompt_model", [True, False])
def test_a_prompt_that_is_not_utf8_is_one_line_and_nothing_is_sent(isolated_env, prompt_model):
    if not prompt_model:
        (isolated_env / "config.toml").write_text("[learning]\nprompt_model = false\n[learning.shadow]\nrate = 0.0\n")
    p = run_bytes(b"ask", b"caf\xe9", b"--model", b"demo/small")
    assert p.returncode == 2 and "not valid UTF-8 (byte 0xe9)" in one_line(p.stderr)
    for args in ((b"tournament", b"caf\xe9"), (b"run", b"triage", b"--input", b"caf\xe9"),
                 (b"ask", b"hi", b"--use-case", b"caf\xe9")):
        p = run_bytes(*args)
        assert p.returncode == 2 and "not valid UTF-8 (byte 0xe9) at character 3" in one_line(p.stderr), args
    p = run_bytes(b"ask", b"-", b"--model", b"demo/small", stdin=b"caf\xe9 au lait")
    assert p.returncode == 2 and "not UTF-8 (byte 0xe9 at 3)" in one_line(p.stderr)
    db = isolated_env / "data" / "log.sqlite3"
    if db.exists():
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0


def test_a_closed_pipe_is_one_line(isolated_env):
    """`modeltui budget | head -1`: the reader is gone before the output is written."""
    p = subprocess.Popen([sys.executable, "-m", "modeltui", "budget"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=120) == 1
    assert "broken pipe" in one_line(err)


def test_a_foreign_database_is_refused_and_not_changed(isolated_env):
    foreign = isolated_env / "theirs.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE calls (who TEXT, number TEXT)")
    con.execute("INSERT INTO calls VALUES ('alice', '555')")
    con.commit()
    con.close()
    before = foreign.read_bytes()
    (isolated_env / "config.toml").write_text(f'[storage]\npath = "{foreign}"\n')
    for args in (("ask", "hi", "--model", "demo/small"), ("log",)):
        p = run(*args)
        assert p.returncode != 0 and "not a modeltui log" in one_line(p.stderr)
    assert foreign.read_bytes() == before
    assert sorted(f.name for f in isolated_env.iterdir() if f.name.startswith("theirs")) == ["theirs.db"]


@pytest.mark.parametrize("args", [("log", "-n", "-3"), ("log", "-n", "0"), ("estimate", "--calls", "code=10", "--tokens-in", "-100000"),
                                  ("estimate", "--calls", "code=10", "--tokens-in", "0"), ("savings", "--days", "-3"),
                                  ("savings", "--days", "nan"), ("runs", "-n", "x")])
def test_numbers_that_cannot_be_right_are_refused(isolated_env, args):
    p = run(*args)
    assert p.returncode == 2, p.stdout
    one_line(p.stderr)


def test_a_use_case_nobody_declared_is_refused_with_the_closest(isolated_env):
    p = run("ask", "hi", "--model", "demo/small", "--use-case", "cdoe")
    assert p.returncode == 2 and "unknown use case 'cdoe' (did you mean code" in one_line(p.stderr)
    p = run("rankings", "--use-case", "nonsense")
    assert p.returncode == 2 and "usecases --add nonsense" in one_line(p.stderr)
    assert run("usecases", "--add", "haiku").returncode == 0
    p = run("ask", "a haiku about autumn", "--model", "demo/small", "--use-case", "haiku", "--json")
    assert p.returncode == 0, p.stderr
    assert run("rankings", "--use-case", "haiku").returncode == 0
