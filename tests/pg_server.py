"""A real PostgreSQL server for the team tests: `MODELTUI_TEST_PG` (an admin URL) when set, else
one started here from the server binaries (`initdb` + `postgres` on 127.0.0.1, a free port, its
sockets and data in a temporary folder). PostgreSQL refuses to run as root, so as root the
server runs as the unprivileged `postgres` user (setpriv). No server: the tests skip with the
reason, unless `CI_REQUIRE_PG=1` (set by .ci/run), where they fail instead.

Also a script: `python tests/pg_server.py` starts one in a new temporary folder, prints its
admin URL and stays in the foreground until SIGTERM (.ci/pg uses it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

SUPERUSER = "modeltui_admin"


def find_bin() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian's layout, then $PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """One postgres process on 127.0.0.1 with its data in `root` (removed when stopped)."""

    def __init__(self, root: Path, bindir: Path):
        self.root, self.bindir = root, bindir
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _as_user(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        setpriv = shutil.which("setpriv")  # execs: no process in between to forward signals
        if setpriv is None:
            raise RuntimeError("running as root and there is no setpriv to drop to the postgres user")
        return [setpriv, "--reuid=postgres", "--regid=postgres", "--init-groups"]

    def start(self) -> None:
        data = self.root / "data"
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no unprivileged 'postgres' user") from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
        os.chmod(self.root, 0o700)
        init = subprocess.run([*self._as_user(), str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                               "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"],
                              capture_output=True, text=True, timeout=120)
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {(init.stderr or init.stdout).strip().splitlines()[-1:]}")
        # trust on the loopback for the admin only; members log in with their passwords (RLS tests)
        (data / "pg_hba.conf").write_text(f"local all all trust\nhost all {SUPERUSER} 127.0.0.1/32 trust\n"
                                          "host all all 127.0.0.1/32 scram-sha-256\n")
        self.log = open(self.root / "postgres.log", "wb")
        self.proc = subprocess.Popen(
            [*self._as_user(), str(self.bindir / "postgres"), "-D", str(data), "-p", str(self.port),
             "-h", "127.0.0.1", "-k", str(self.root), "-c", "fsync=off", "-c", "max_connections=200",
             "-c", "shared_buffers=16MB"], stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.root / 'postgres.log').read_text()[-300:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    if self._ready():
                        return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("postgres did not accept connections within 30 s")

    def _ready(self) -> bool:
        return subprocess.run([str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                              capture_output=True).returncode == 0

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # fast shutdown, then kill
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _required() -> bool:
    return os.environ.get("CI_REQUIRE_PG") == "1"


def _no_server(reason: str):
    if _required():
        pytest.fail(f"no PostgreSQL server (CI_REQUIRE_PG=1): {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


@pytest.fixture(scope="session")
def pg_admin():
    """An admin (superuser) URL of a running PostgreSQL server, for the whole session."""
    url = os.environ.get("MODELTUI_TEST_PG")
    if url:
        import psycopg

        try:
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            from modeltui.providers.redact import redact, watch_urls

            watch_urls([url])
            _no_server(f"MODELTUI_TEST_PG cannot be reached: {redact(str(exc).strip().splitlines()[0])}")
        yield url
        return
    bindir = find_bin()
    if bindir is None:
        _no_server("no server binaries (/usr/lib/postgresql/*/bin) and MODELTUI_TEST_PG is not set")
    server = LocalServer(Path(tempfile.mkdtemp(prefix="modeltui-pg-")), bindir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        _no_server(str(exc))
    yield server.url
    server.stop()


@pytest.fixture
def pg_db(pg_admin):
    """A fresh database on the server for one test (dropped after), as (admin URL of it, name)."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin.rsplit("/", 1)[0]
    yield f"{base}/{name}", name
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # the members' roles a test made (named NAME_<the database's last 6 characters>): roles are the server's
        for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", ("%\\_" + name[-6:],)).fetchall():
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


if __name__ == "__main__":  # .ci/pg: start one, print its URL, run until killed
    srv = LocalServer(Path(tempfile.mkdtemp(prefix="modeltui-pg-")), find_bin() or sys.exit("no PostgreSQL server binaries"))
    srv.start()
    print(srv.url, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (srv.stop(), sys.exit(0)))
    try:
        while srv.proc.poll() is None:
            time.sleep(1)
    finally:
        srv.stop()
