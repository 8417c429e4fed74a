"""The log: permissions, migrations, refusal of newer files, crash safety, concurrent opening, export."""

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from modeltui.errors import StoreError
from modeltui.learning import observe
from modeltui.store import CallRecord, Store, export
from modeltui.store.schema import LATEST


def rec(**kw) -> CallRecord:
    base = dict(session="s1", kind="chat", model="demo/small", provider="demo", status="ok", prompt="p",
                response="r", tokens_in=3, tokens_out=4, cost_usd=0.001, latency_ms=12.0)
    return CallRecord(**{**base, **kw})


async def test_private_files_wal_and_version(isolated_env):
    path = isolated_env / "data" / "sub" / "log.sqlite3"
    store = await Store.open(path)
    await observe.log_call(store, rec())
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    for f in (path, path.with_name(path.name + "-wal")):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f
    async with store.db.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with store.db.execute("PRAGMA user_version") as cur:
        assert (await cur.fetchone())[0] == LATEST
    await store.close()


async def test_newer_database_is_refused_untouched(isolated_env):
    path = isolated_env / "new.sqlite3"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer than this modeltui"):
        await Store.open(path)
    assert path.read_bytes() == before


async def test_aggregates_follow_the_log(isolated_env):
    store = await Store.open(isolated_env / "a.sqlite3")
    await observe.log_call(store, rec(use_case="code"))
    await observe.log_call(store, rec(use_case="code", status="error", error_kind="server", cost_usd=None))
    await observe.log_call(store, rec(use_case="code", status="cancelled"))
    async with store.db.execute("SELECT raw_calls, ok, errors, cost_usd FROM stats WHERE use_case='code'") as cur:
        raw, ok, errors, cost = await cur.fetchone()
    assert raw == 2 and ok == pytest.approx(1, rel=1e-6) and errors == pytest.approx(1, rel=1e-6)
    assert cost == pytest.approx(0.001, rel=1e-6)
    await store.close()


WRITER = """
import asyncio, sys
from modeltui.store import CallRecord, Store
from modeltui.learning import observe
async def main():
    store = await Store.open(sys.argv[1])
    i = 0
    while True:
        i += 1
        cid = await observe.log_call(store, CallRecord(session="crash", kind="bench", model="m", provider="p",
                                              status="ok", prompt="x" * (i % 500), response="y" * 300))
        print(cid, flush=True)
asyncio.run(main())
"""


def test_sigkill_never_loses_a_reported_commit(isolated_env):
    path = isolated_env / "crash.sqlite3"
    reported: set[int] = set()
    rnd = random.Random(7)
    for _ in range(10):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        time.sleep(rnd.uniform(0.6, 1.2))
        os.kill(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        reported |= {int(x) for x in out.split() if x.isdigit()}
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in con.execute("SELECT id FROM calls")}
    con.close()
    assert len(reported) > 10
    assert reported <= stored


OPENER = """
import asyncio, sys
from modeltui.store import CallRecord, Store
from modeltui.learning import observe
async def main():
    store = await Store.open(sys.argv[1])
    await observe.log_call(store, CallRecord(session=sys.argv[2], kind="chat", model="m", provider="p", status="ok"))
    await store.close()
asyncio.run(main())
"""


def test_two_processes_open_a_fresh_database_at_once(isolated_env):
    path = isolated_env / "race" / "log.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(path), f"p{i}"], stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 2
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST


async def test_export_formats_neutralise_and_drop_text(isolated_env):
    store = await Store.open(isolated_env / "e.sqlite3")
    await observe.log_call(store, rec(prompt="=HYPERLINK(\"http://x\")", response="+cmd|' /C calc'!A0"))
    await observe.log_call(store, rec(session="s2", prompt="@SUM(1)", response="-2+3"))
    rows = await store.select_calls(session="s1")
    await store.close()
    assert len(rows) == 1
    csv_text = export.render(rows, "csv")
    assert "'=HYPERLINK" in csv_text and "'+cmd" in csv_text
    assert "\n=" not in csv_text and ",=" not in csv_text
    jl = [json.loads(x) for x in export.render(rows, "jsonl").splitlines()]
    assert jl[0]["prompt"].startswith("=HYPERLINK")  # JSONL keeps the exact text
    no_text = export.render(rows, "jsonl", texts=False)
    assert "prompt" not in json.loads(no_text) and "HYPERLINK" not in no_text
    md = export.render(rows, "md")
    assert md.startswith("# modeltui log export") and "| demo/small |" not in md or "demo/small" in md
    out = export.write(rows, "md", isolated_env / "x" / "e.md")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


async def test_date_range_selection(isolated_env):
    store = await Store.open(isolated_env / "d.sqlite3")
    await observe.log_call(store, rec(ts=1000.0))
    await observe.log_call(store, rec(ts=2000.0))
    await observe.log_call(store, rec(ts=3000.0))
    assert [r["ts"] for r in await store.select_calls(since=1500, until=3000)] == [2000.0]
    await store.close()
