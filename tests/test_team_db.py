"""The team database on a real PostgreSQL server: schema versions, caps that hold under parallel
reservations from several connections, and what the server refuses a member's role."""

import asyncio

import psycopg
import pytest

from pg_server import pg_admin, pg_db  # noqa: F401 - fixtures

from modeltui.errors import TeamError, TeamUnavailable
from modeltui.team import TeamBook, TeamDB, admin
from modeltui.team.schema import LATEST


def member_url(db_url: str, name: str, password: str) -> str:
    host = db_url.split("@", 1)[1]
    return f"postgresql://{name}:{password}@{host}"


async def team(url, monthly=1.0, member_monthly=None, members=()):
    db = TeamDB(url)
    await admin.init(db, monthly, member_monthly, "boss")
    for name, pw in members:
        await admin.add_member(db, name, password=pw)
    return db


async def test_init_migrates_once_and_refuses_a_newer_schema(pg_db):
    url, _ = pg_db
    db = await team(url)
    assert await admin.init(db, 2.0, None, "boss") == (LATEST, LATEST)  # again: nothing to migrate, caps updated
    async with db.session() as conn:
        await conn.execute("UPDATE modeltui.schema_version SET version = %s", (LATEST + 1,))
        before = await (await conn.execute("SELECT monthly_usd FROM modeltui.team")).fetchone()
    with pytest.raises(TeamError, match="newer"):
        await admin.init(db, 9.0, None, "boss")
    with pytest.raises(TeamError, match="newer"):
        await db.check_version()
    async with db.session() as conn:
        assert await (await conn.execute("SELECT monthly_usd FROM modeltui.team")).fetchone() == before
    await db.close()


@pytest.mark.parametrize("monthly, expected", [(1.0, 18), (0.5, 10)])  # the member caps bind, then the team's
async def test_parallel_reservations_from_many_connections_never_pass_the_caps(pg_db, monthly, expected):
    url, name = pg_db
    suffix = name[-6:]
    names = [f"m{i}_{suffix}" for i in range(3)]
    db = await team(url, monthly=monthly, member_monthly=0.30, members=[(n, "pw-" + n) for n in names])
    books = [TeamBook(TeamDB(member_url(url, n, "pw-" + n)), n) for n in names for _ in range(3)]  # 9 connections

    async def grab(book):
        got = []
        for _ in range(20):
            rid = await book.reserve("m", 0.05, "owner", 60, "s")
            if rid is not None:
                got.append(rid)
        return got

    results = await asyncio.gather(*(grab(b) for b in books))
    figs = await TeamBook(db, "boss").figures()
    assert figs.reserved_usd <= monthly + 1e-9
    assert all(m.reserved_usd <= 0.30 + 1e-9 for m in figs.members)
    assert sum(map(len, results)) == expected  # every room taken, none twice
    for b in books:
        await b.db.close()
    await db.close()


async def test_the_server_refuses_a_member_raising_a_cap_or_writing_anothers_rows(pg_db):
    url, name = pg_db
    a, b = f"a_{name[-6:]}", f"b_{name[-6:]}"
    db = await team(url, members=[(a, "pw-a1"), (b, "pw-b1")])
    with psycopg.connect(member_url(url, a, "pw-a1"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE modeltui.team SET monthly_usd = 1000")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE modeltui.members SET monthly_usd = 1000")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # row-level security
            conn.execute("INSERT INTO modeltui.calls (member, model, status, cost_usd) VALUES (%s, 'm', 'ok', 0)", (b,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT modeltui.reserve(%s, 'm', 0.01, 'o', 60, 's')", (b,))
        with pytest.raises(psycopg.errors.CheckViolation):  # spend cannot be written back with a negative cost
            conn.execute("INSERT INTO modeltui.calls (member, model, status, cost_usd) VALUES (%s, 'm', 'ok', -5)", (a,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # nor its rows deleted
            conn.execute("DELETE FROM modeltui.calls")
        conn.execute("INSERT INTO modeltui.calls (member, model, status, cost_usd) VALUES (%s, 'm', 'ok', 0.01)", (a,))
    with psycopg.connect(member_url(url, b, "pw-b1"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM modeltui.calls").fetchone() == (0,)  # a's row is not b's to read
        assert conn.execute("SELECT spent_usd FROM modeltui.member_totals() WHERE member = %s", (a,)).fetchone() == (0.01,)
    book = TeamBook(TeamDB(member_url(url, a, "pw-a1")), a)
    from modeltui.team import admin as adm
    with pytest.raises(TeamError):
        await adm.set_caps(book.db, monthly_usd=1000.0)
    assert (await book.figures()).monthly_usd == 1.0
    await book.db.close()
    await db.close()


async def test_an_unreachable_database_is_one_line_without_the_password():
    db = TeamDB("postgresql://alice:s3cret-pass-xyz@127.0.0.1:1/team")
    with pytest.raises(TeamUnavailable) as err:
        await db.check_version()
    assert "s3cret-pass-xyz" not in str(err.value) and "unreachable" in str(err.value)
    assert err.value.exit_code == 3 and "\n" not in str(err.value)


async def test_an_expired_lease_is_charged_as_lost_by_another_member_once(pg_db):
    url, name = pg_db
    a, b = f"a_{name[-6:]}", f"b_{name[-6:]}"
    db = await team(url, monthly=1.0, members=[(a, "pw-a2"), (b, "pw-b2")])
    book_a = TeamBook(TeamDB(member_url(url, a, "pw-a2")), a)
    book_b = TeamBook(TeamDB(member_url(url, b, "pw-b2")), b)
    rid = await book_a.reserve("m", 0.25, "dead-owner", 0.2, "s")  # its process "dies": never renewed
    await asyncio.sleep(0.5)
    assert await book_b.reserve("m", 0.75, "live-owner", 60, "s") is not None  # room: the lost 0.25 is charged
    assert await book_b.reserve("m", 0.01, "live-owner", 60, "s") is None  # 0.25 lost + 0.75 reserved: full
    async with db.session() as conn:
        rows = await (await conn.execute("SELECT member, status, cost_usd FROM modeltui.calls")).fetchall()
    assert rows == [(a, "lost", 0.25)]
    from modeltui.team import Settled
    assert await book_a.settle(rid, Settled("s", "chat", "m", "p", "ok", cost_usd=0.1)) is False  # not twice
    figs = await book_b.figures()
    assert figs.member(a).spent_usd == 0.25 and figs.member(a).lost == 1 and figs.left_usd == 0.0
    for d in (book_a.db, book_b.db, db):
        await d.close()
