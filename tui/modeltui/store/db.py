"""Opening the log: private files, WAL, busy timeout, migrations, refusal of newer databases."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import aiosqlite

from modeltui.errors import StoreError
from modeltui.settings.paths import ensure_private_dir
from modeltui.store.schema import LATEST, MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite does; SQLite gives -wal/-shm the same mode."""
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


async def _version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cur:
        return (await cur.fetchone())[0]


async def _refuse_foreign(path: Path) -> None:
    """Before anything writes (even the switch to WAL rewrites the header), look at the file
    read-only: a log from a newer modeltui, or a database of something else (tables but no
    schema version of ours), is refused and left exactly as it was."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        db = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open log: {exc}") from None
    try:
        version = await _version(db)
        async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                              "ORDER BY name LIMIT 4") as cur:
            tables = [r[0] for r in await cur.fetchall()]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable modeltui log: {exc} (the file was not touched)") from None
    finally:
        await db.close()
    if version > LATEST:
        raise StoreError(f"{path}: log is schema version {version}, newer than this modeltui "
                         f"understands ({LATEST}); upgrade modeltui — the file was not touched")
    if version == 0 and tables:
        raise StoreError(f"{path}: not a modeltui log (a database with tables of its own: {', '.join(tables)}); "
                         "the file was not touched")


def statements(script: str) -> list[str]:
    """Split a migration into statements (a trigger's body has semicolons of its own); not
    executescript, which would commit the migration's transaction half-way."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out


async def _migrate(db: aiosqlite.Connection) -> None:
    version = await _version(db)
    while version < LATEST:
        # BEGIN IMMEDIATE takes the write lock, so two processes racing on a fresh file
        # serialise here; re-read the version under the lock.
        await db.execute("BEGIN IMMEDIATE")  # outside the try: if it fails there is nothing to undo
        try:
            version = await _version(db)
            if version >= LATEST:
                await db.execute("ROLLBACK")
                break
            for stmt in statements(MIGRATIONS[version]):
                await db.execute(stmt)
            await db.execute(f"PRAGMA user_version = {version + 1}")
            await db.execute("COMMIT")
            version += 1
        except BaseException:
            await db.execute("ROLLBACK")
            raise


async def _setup(db: aiosqlite.Connection) -> None:
    async with db.execute("PRAGMA journal_mode = WAL") as cur:
        await cur.fetchone()
    await db.execute("PRAGMA synchronous = FULL")  # a reported commit survives a crash
    await db.execute("PRAGMA foreign_keys = ON")
    await _migrate(db)


async def _setup_with_retry(db: aiosqlite.Connection) -> None:
    """Switching a fresh file to WAL can report SQLITE_BUSY without calling the busy handler
    when another process is doing the same; retry that case for up to the busy timeout."""
    deadline = asyncio.get_running_loop().time() + BUSY_TIMEOUT_MS / 1000
    delay = 0.01
    while True:
        try:
            return await _setup(db)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)


def writable(path: Path) -> bool:
    """Can SQLite write the log here (the file, and the folder for its -wal and -shm files)?"""
    folder = path.parent if path.parent.exists() else next((p for p in path.parents if p.exists()), path.parent)
    return os.access(folder, os.W_OK | os.X_OK) and (not path.exists() or os.access(path, os.W_OK))


async def connect_read_only(path: Path) -> aiosqlite.Connection:
    """Open an existing log that cannot be written (a read-only file or folder) for reading."""
    if not path.exists():
        raise StoreError(f"{path}: no log here yet, and the folder is read-only")
    last = None
    for query in ("mode=ro", "mode=ro&immutable=1"):  # immutable: no -shm can be made in a read-only folder
        try:
            db = await aiosqlite.connect(f"file:{path}?{query}", uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            db.row_factory = aiosqlite.Row
            version = await _version(db)
            if version != LATEST:
                raise StoreError(f"{path}: log is schema version {version} (this modeltui reads {LATEST}) and is "
                                 "read-only, so it cannot be upgraded")
            return db
        except sqlite3.Error as exc:
            last = exc
            await db.close()
        except BaseException:
            await db.close()
            raise
    raise StoreError(f"{path}: cannot read the read-only log: {last}")


async def connect(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the log at `path`."""
    path = Path(path).expanduser()
    if not writable(path):
        raise StoreError(f"{path}: the log is read-only; modeltui must write it before calling a model "
                         "(read-only commands such as log, export, budget and rankings still work)")
    await _refuse_foreign(path)
    try:
        if not path.exists():
            _create_private(path)
        db = await aiosqlite.connect(path, isolation_level=None)  # we manage transactions
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open log: {exc}") from None
    try:
        db.row_factory = aiosqlite.Row
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await _setup_with_retry(db)
    except sqlite3.DatabaseError as exc:
        await db.close()
        raise StoreError(f"{path}: not a usable modeltui log: {exc}") from None
    except BaseException:
        await db.close()
        raise
    return db
