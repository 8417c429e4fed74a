"""Edges of the file system: an export never destroys the log or any SQLite file and fails
whole; only folders modeltui creates are made private."""

import os
import sqlite3
import stat

import pytest

from test_cli import run


@pytest.fixture
def three_calls(isolated_env):
    for q in ("What is 1+1?", "What is 2+2?", "What is 3+3?"):
        p = run("ask", q, "--model", "demo/small")
        assert p.returncode == 0, p.stderr
    return isolated_env / "data" / "log.sqlite3"


def _calls(log) -> int:
    con = sqlite3.connect(log)
    try:
        return con.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    finally:
        con.close()


def test_an_export_never_writes_over_the_log_or_any_sqlite_file(three_calls, isolated_env):
    log = three_calls
    other = isolated_env / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    before = other.read_bytes()
    for target, says in ((log, "is the log itself"), (log.with_name(log.name + "-wal"), "is the log itself"),
                         (log.with_name(log.name + "-shm"), "is the log itself"),
                         (other, "is an SQLite database"), (isolated_env, "is a folder"),
                         (str(isolated_env / "new") + "/", "is a folder"), ("/dev/full", "not a regular file")):
        p = run("export", "-o", str(target))
        assert p.returncode == 2 and p.stderr.startswith("modeltui: -o: ") and says in p.stderr, (target, p.stderr)
        assert "Traceback" not in p.stderr
    assert other.read_bytes() == before
    assert _calls(log) == 3
    p = run("log", "--json")
    assert p.returncode == 0, p.stderr


def test_an_export_is_written_whole_and_private(three_calls, isolated_env):
    out = isolated_env / "calls.jsonl"
    out.write_text("old export\n")
    p = run("export", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert len(out.read_text().splitlines()) == 3 and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [f.name for f in isolated_env.iterdir() if f.name.startswith(".calls.jsonl.")] == []  # no temp left


def test_only_folders_modeltui_creates_are_made_private(isolated_env):
    shared = isolated_env / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    log = shared / "new" / "deeper" / "log.sqlite3"
    (isolated_env / "config.toml").write_text(f'[storage]\npath = "{log}"\n[learning.shadow]\nrate = 0.0\n')
    p = run("ask", "What is 2+2?", "--model", "demo/small")
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # the user's folder: untouched
    assert stat.S_IMODE((shared / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700 and stat.S_IMODE(log.stat().st_mode) == 0o600
