"""What only the admin does: create or upgrade the schema, set the caps, add members (each a
PostgreSQL login role in the group `modeltui_member`). Run with the admin's URL (a role that
may create roles); the database refuses these to a member's role, whatever modeltui does.
"""

from __future__ import annotations

from psycopg import sql

from modeltui.team.db import TeamDB
from modeltui.team.schema import MEMBER_ROLE


async def init(db: TeamDB, monthly_usd: float, member_monthly_usd: float | None, admin: str) -> tuple[int, int]:
    """The schema (migrated), the team's caps, and the admin as a member; (schema from, to)."""
    versions = await db.migrate()

    async def work(conn):
        await conn.execute("INSERT INTO modeltui.team (id, monthly_usd, member_monthly_usd) VALUES (1, %s, %s) "
                           "ON CONFLICT (id) DO UPDATE SET monthly_usd = excluded.monthly_usd, "
                           "member_monthly_usd = excluded.member_monthly_usd", (monthly_usd, member_monthly_usd))
        await conn.execute("INSERT INTO modeltui.members (name, role) VALUES (%s, 'admin') "
                           "ON CONFLICT (name) DO UPDATE SET role = 'admin'", (admin,))
    await db.run(work)
    return versions


async def set_caps(db: TeamDB, monthly_usd: float | None = None, member_monthly_usd: float | None = None) -> None:
    async def work(conn):
        if monthly_usd is not None:
            await conn.execute("UPDATE modeltui.team SET monthly_usd = %s WHERE id = 1", (monthly_usd,))
        if member_monthly_usd is not None:
            await conn.execute("UPDATE modeltui.team SET member_monthly_usd = %s WHERE id = 1", (member_monthly_usd,))
    await db.run(work)


async def add_member(db: TeamDB, name: str, monthly_usd: float | None = None, password: str | None = None) -> None:
    """A member row and its login role (created if missing; its password set when given)."""
    role = sql.Identifier(name)

    async def work(conn):
        cur = await conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        if await cur.fetchone() is None:
            await conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
        await conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(MEMBER_ROLE), role))
        if password:
            await conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
        await conn.execute("INSERT INTO modeltui.members (name, monthly_usd) VALUES (%s, %s) "
                           "ON CONFLICT (name) DO UPDATE SET monthly_usd = COALESCE(excluded.monthly_usd, "
                           "modeltui.members.monthly_usd)", (name, monthly_usd))
    await db.run(work)


async def set_member_cap(db: TeamDB, name: str, monthly_usd: float) -> bool:
    async def work(conn):
        cur = await conn.execute("UPDATE modeltui.members SET monthly_usd = %s WHERE name = %s", (monthly_usd, name))
        return cur.rowcount > 0
    return await db.run(work)


async def remove_member(db: TeamDB, name: str) -> str | None:
    """Take `name` out of the team: its role leaves `modeltui_member` and may no longer log in,
    and its own cap becomes 0 (were it let back in by hand, it could still reserve nothing). Its
    rows stay: what it spent this month is still the team's (the cap holds). None when done,
    else why not (no such member; the admin cannot remove an admin)."""
    role = sql.Identifier(name)

    async def work(conn):
        cur = await conn.execute("SELECT role FROM modeltui.members WHERE name = %s", (name,))
        found = await cur.fetchone()
        if found is None:
            return f"{name} is not a member"
        if found[0] == "admin":
            return f"{name} is an admin: an admin is not removed with --remove-member"
        await conn.execute("UPDATE modeltui.members SET monthly_usd = 0 WHERE name = %s", (name,))
        cur = await conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        if await cur.fetchone() is not None:
            await conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(MEMBER_ROLE), role))
            await conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(role))
        return None
    return await db.run(work)
