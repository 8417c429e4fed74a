"""Connecting to the team database (psycopg 3, async), and what its failures mean for the user.

Every failure becomes one line: unreachable -> `TeamUnavailable` (exit 3: nothing is sent under
the team's cap), refused -> `TeamError`. The URL is shown without its password, and every
message passes through the redactor with the URL's credentials watched.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors

from modeltui.errors import TeamError, TeamUnavailable
from modeltui.providers.redact import redact, watch_urls
from modeltui.team.schema import LATEST, MIGRATIONS, SCHEMA

CONNECT_TIMEOUT_S = 5
RETRIES = 5  # a transaction that lost a serialization race (or a deadlock) is run again
RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


def shown(url: str) -> str:
    """The URL as it may be shown: no password, no query (it may carry one)."""
    try:
        p = urlsplit(url)
        host = p.hostname or ""
        netloc = (f"{p.username}@" if p.username else "") + host + (f":{p.port}" if p.port else "")
        return urlunsplit((p.scheme, netloc, p.path, "", ""))
    except ValueError:
        return "the team database"


def explain(exc: Exception, url: str) -> Exception:
    """The one-line error for a psycopg failure."""
    text = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return TeamError(f"team database {shown(url)} refused: {text}")
    if isinstance(exc, (psycopg.OperationalError, OSError, asyncio.TimeoutError)):
        return TeamUnavailable(f"team database {shown(url)} unreachable: {text}; nothing was sent")
    return TeamError(f"team database {shown(url)}: {text}")


class TeamDB:
    """One async connection (autocommit; transactions explicit), reconnected when it broke, one
    user at a time (the engine's parallel asks share it)."""

    def __init__(self, url: str):
        watch_urls([url])
        self.url = url
        self.conn: psycopg.AsyncConnection | None = None
        self.lock = asyncio.Lock()

    async def _connect(self) -> psycopg.AsyncConnection:
        if self.conn is None or self.conn.closed or self.conn.broken:
            self.conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True,
                                                              connect_timeout=CONNECT_TIMEOUT_S,
                                                              options=f"-c search_path={SCHEMA}")
        return self.conn

    @asynccontextmanager
    async def session(self):
        """The connection, for one unit of work; psycopg failures come out as our one-liners."""
        async with self.lock:
            try:
                yield await self._connect()
            except (psycopg.Error, OSError, asyncio.TimeoutError) as exc:
                raise explain(exc, self.url) from None

    async def run(self, work):
        """`await work(conn)` in one transaction, again when it lost a serialization race."""
        for attempt in range(RETRIES):
            try:
                async with self.session() as conn:
                    async with conn.transaction():
                        return await work(conn)
            except TeamError as exc:
                if attempt + 1 < RETRIES and isinstance(exc.__context__, RETRYABLE):
                    await asyncio.sleep(0.01 * (attempt + 1))
                    continue
                raise

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    # -- schema ---------------------------------------------------------------------------------
    async def version(self, conn) -> int:
        cur = await conn.execute("SELECT to_regclass('modeltui.schema_version') IS NOT NULL")
        if not (await cur.fetchone())[0]:
            return 0
        cur = await conn.execute("SELECT COALESCE(MAX(version), 0) FROM modeltui.schema_version")
        return (await cur.fetchone())[0]

    async def check_version(self) -> None:
        """A member's connection: the schema must be exactly ours."""
        async with self.session() as conn:
            found = await self.version(conn)
        if found > LATEST:
            raise TeamError(f"team database {shown(self.url)} has schema {found}, newer than this modeltui's "
                            f"({LATEST}): upgrade modeltui; nothing was changed")
        if found < LATEST:
            raise TeamError(f"team database {shown(self.url)} has " + ("no modeltui schema" if not found else
                            f"schema {found}") + ": run `modeltui team init` with the admin URL")

    async def migrate(self) -> tuple[int, int]:
        """Bring the schema to LATEST, each migration in one transaction; (from, to)."""
        async with self.session() as conn:
            await conn.execute("SELECT pg_advisory_lock(hashtext('modeltui.migrate'))")
            try:
                start = await self.version(conn)
                if start > LATEST:
                    raise TeamError(f"team database {shown(self.url)} has schema {start}, newer than this "
                                    f"modeltui's ({LATEST}): refused, nothing was changed")
                for v in range(start + 1, LATEST + 1):
                    async with conn.transaction():
                        for sql in MIGRATIONS[v]:
                            await conn.execute(sql)
                        await conn.execute("DELETE FROM modeltui.schema_version")
                        await conn.execute("INSERT INTO modeltui.schema_version VALUES (%s)", (v,))
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext('modeltui.migrate'))")
        return start, LATEST
