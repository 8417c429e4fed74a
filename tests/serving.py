"""`modeltui serve` as a real subprocess on a free port, in its own data dir, for the tests (and
the benchmarks): started, waited for until it says where it listens, stopped with SIGINT."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import tomli_w


class Served:
    def __init__(self, root: Path, config: dict, env: dict | None = None, args: tuple = ()):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        config.setdefault("storage", {})["path"] = str(root / "data" / "log.sqlite3")
        config.setdefault("learning", {}).setdefault("shadow", {"rate": 0.0})
        (root / "config.toml").write_text(tomli_w.dumps(config))
        self.env = {**os.environ, "MODELTUI_DATA_DIR": str(root / "data"), "MODELTUI_CONFIG": str(root / "config.toml"),
                    "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "modeltui", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        self.line = self._first_line(90)
        if not self.line.startswith("modeltui serve: http"):
            self.proc.kill()
            raise RuntimeError(f"server did not start: {self.line!r} {self.proc.stderr.read()}")
        self.base = self.line.split()[2]  # http://127.0.0.1:PORT/v1

    def _first_line(self, timeout: float) -> str:
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return got[0].strip() if got else ""

    @property
    def db(self) -> Path:
        return self.root / "data" / "log.sqlite3"

    def discovery_text(self) -> str:
        path = self.root / "data" / "serve.json"
        return path.read_text() if path.exists() else ""

    def rows(self, sql: str, *params) -> list[tuple]:
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def wait_rows(self, sql: str, want, timeout: float = 15.0, *params) -> list[tuple]:
        """Poll until `want(rows)` holds (a call's row is written as its task ends)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.rows(sql, *params)
            if want(rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode, self.proc.stderr.read()
