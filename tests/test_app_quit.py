"""Quitting the real process (a pseudo-terminal, as a user's): the app leaves with os._exit once
the log is closed (ui/run.py), so this checks what that must not lose: the answered call, and the
one in flight logged as cancelled, in a log that opens cleanly afterwards."""

import fcntl
import os
import pty
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time


def rows(db):
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute("SELECT prompt, status FROM calls ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []


def wait(pred, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_quit_keeps_the_answered_call_and_logs_the_one_in_flight(isolated_env):
    cfg = isolated_env / "quit.toml"
    cfg.write_text('ollama_url = "http://127.0.0.1:9"\n[demo]\nspeed = 1.0\n')
    db = isolated_env / "data" / "log.sqlite3"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "MODELTUI_CONFIG": str(cfg)}
    p = subprocess.Popen([sys.executable, "-m", "modeltui"], stdin=slave, stdout=slave, stderr=slave, env=env,
                         start_new_session=True)
    os.close(slave)
    screen = bytearray()
    reader = threading.Thread(target=lambda: _drain(master, screen), daemon=True)
    reader.start()
    try:
        assert wait(lambda: b"ready" in screen, 60), "the app did not say ready"
        os.write(master, b"What is 2+2?")
        time.sleep(0.3)
        os.write(master, b"\x13")  # ctrl+s sends
        assert wait(lambda: ("What is 2+2?", "ok") in rows(db), 60), rows(db)
        os.write(master, b"Write a long essay about rivers and the sea")
        time.sleep(0.3)
        os.write(master, b"\x13")
        # in flight now: its row is written (status started) before the request leaves; a long
        # essay at speed 1 takes several seconds (waiting for the row, not a fixed second: a
        # loaded machine may not have sent it yet)
        assert wait(lambda: any(q.startswith("Write a long essay") for q, _ in rows(db)), 60), rows(db)
        time.sleep(0.5)  # (a quit before the request leaves drops the row with its reservation: nothing was sent)
        os.write(master, b"\x11")  # ctrl+q
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
    logged = rows(db)
    assert ("What is 2+2?", "ok") in logged
    essay = [s for prompt, s in logged if prompt.startswith("Write a long essay")]
    assert essay in (["cancelled"], ["ok"]), logged  # in flight at the quit: logged, never lost
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _drain(fd, into: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.extend(chunk)
