"""Every source of evidence (vocab.EvidenceSource) is replayed by a rebuild of the statistics:
the live path and `rankings --rebuild` must give the same table, whatever the source. A new
source added to the enum is covered here without editing the test."""

from types import SimpleNamespace

import pytest

from modeltui.learning import observe, relearn, stats
from modeltui.signals import feedback
from modeltui.store import CallRecord, Store
from modeltui.vocab import CallKind, EvidenceSource


async def _give(store: Store, source: EvidenceSource, i: int) -> None:
    """One piece of evidence of `source` about a fresh answer of model m{i}, as the app gives it."""
    model = f"m{i}"
    call = CallRecord(session="s", kind=CallKind.TOURNAMENT if source == EvidenceSource.VOTE else CallKind.CHAT,
                      model=model, provider="p", status="ok", use_case="uc", prompt=f"prompt {i}", response="answer",
                      tournament_id=f"t{i}" if source == EvidenceSource.VOTE else None)
    call_id = await observe.log_call(store, call)
    engine = SimpleNamespace(store=store, session="s")
    if source == EvidenceSource.THUMB:
        await feedback.thumb(engine, call_id, up=False)
    elif source == EvidenceSource.VOTE:
        other = await observe.log_call(store, CallRecord(session="s", kind=CallKind.TOURNAMENT, model="rival", provider="p",
                                                        status="ok", use_case="uc", tournament_id=f"t{i}"))
        assert other
        await store.save_tournament(f"t{i}", "s", f"prompt {i}", [model, "rival"], "uc", None)
        await feedback.vote(engine, f"t{i}", "B")
    elif source in CallKind.re_asks():
        await observe.log_call(store, CallRecord(session="s", kind=CallKind(source), model="stronger", provider="p",
                                                 status="ok", use_case="uc", origin_id=call_id))
    else:  # what users do unasked, shadow checks, judges, checks, suites: evidence tied to the call
        await observe.observe_answers(store, source, [(call_id, "uc", model, stats.Obs(ts=call.ts, success=0.25, failure=0.5))])


async def _stats(store: Store) -> dict:
    async with store.db.execute("SELECT use_case, model, n, ok, errors, up, down, s, f FROM stats") as cur:
        return {(r[0], r[1]): tuple(round(x, 9) for x in r[2:]) for r in await cur.fetchall()}


@pytest.mark.parametrize("source", list(EvidenceSource))
async def test_a_rebuild_replays_every_evidence_source(isolated_env, source):
    store = await Store.open(isolated_env / "log.sqlite3", half_life_s=float("inf"))  # no decay: exact sums
    try:
        await _give(store, source, 0)
        live = await _stats(store)
        assert live[("uc", "m0")][-2:] != (0.0, 0.0)  # the evidence moved the answer's model
        await relearn.rebuild_stats(SimpleNamespace(store=store))
        assert await _stats(store) == live
    finally:
        await store.close()
