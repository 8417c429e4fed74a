"""Events become statistics here, inside the store's transaction: a logged attempt, a thumb, a
vote, a re-ask, a check. The store only reads and writes rows; which event counts for which
answer, and by how much (`evidence.py`), is decided in this module and nowhere else."""

from __future__ import annotations

from modeltui.learning import evidence, stats
from modeltui.store import CallRecord, Store
from modeltui.vocab import GENERAL, CallKind, EvidenceSource

Item = tuple[int | None, str, str, stats.Obs]  # (call id or None, use case, model, observation)


async def observe(store: Store, pairs: list[tuple[str, str, stats.Obs]]) -> None:
    """Evidence for several (use case, model) pairs, in one transaction."""
    async with store.transaction():
        for use_case, model, obs in pairs:
            row = await store.stat_row(use_case, model)
            await store.put_stat_rows([stats.to_db(use_case, model, stats.apply(row, obs, store.half_life_s))])


async def observe_answers(store: Store, source: EvidenceSource, items: list[Item]) -> None:
    """Evidence about answers: each goes to the statistics and, tied to its call (when known),
    to the per-prompt evidence, in one transaction."""
    source = EvidenceSource(source)
    async with store.transaction():
        await observe(store, [(uc, model, obs) for _, uc, model, obs in items])
        await store.add_prompt_evidence([(cid, model, uc, obs.ts, source, *evidence.quality(obs))
                                         for cid, uc, model, obs in items if cid is not None])
    for hook in store.evidence_hooks:  # after the commit: (model, use case, source, successes, failures)
        await hook([(model, uc, str(source), *evidence.quality(obs)) for _, uc, model, obs in items])


async def retract(store: Store, source: EvidenceSource, pairs: list[tuple[str, str, stats.Obs]]) -> None:
    """Replaced evidence (`evidence.retraction` of a thumb or a vote): out of the statistics, and
    told to the same hooks as evidence is (team mode: the team's copy is cancelled by a negative
    row, weighed as the local statistics weighed it, so the team's sums move as this machine's)."""
    await observe(store, pairs)
    if pairs:
        for hook in store.evidence_hooks:
            await hook([(model, uc, str(EvidenceSource(source)), *evidence.quality(obs)) for uc, model, obs in pairs])


async def log_call(store: Store, rec: CallRecord, reservation_id: int | None = None, vector: bytes | None = None,
                   call_id: int | None = None) -> int:
    """One attempt: its row (with the prompt's embedding), what it says about its model, what a
    re-ask says about the answer it re-asks, and its budget reservation dropped, all in one
    transaction: spend is never counted twice or lost. `call_id`: the row written `started`
    with the reservation, completed now (else a new row). Returns its id."""
    async with store.transaction():
        if call_id is not None:
            call_id = await store.complete_call(call_id, rec, vector)
        else:
            call_id = await store.insert_call(rec, vector)
        if (obs := evidence.call(rec.status, rec.ts, rec.latency_ms, rec.cost_usd)) is not None:
            await observe(store, [(rec.use_case or GENERAL, rec.model, obs)])
        if rec.kind in CallKind.re_asks() and rec.origin_id is not None and rec.parent_id is None:
            if (origin := await store.get_call(rec.origin_id)) is not None:
                await observe_answers(store, EvidenceSource(rec.kind), [(rec.origin_id, origin["use_case"] or GENERAL,
                                                                         origin["model"], evidence.escalation(rec.ts))])
        if reservation_id is not None:
            await store.delete_reservation(reservation_id)
    return call_id
