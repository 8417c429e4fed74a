"""What users say about answers: thumbs, tournament votes, escalation. Each is stored with its
statistics in one transaction, through the evidence table (learning/evidence.py). One thumb per
answer and one vote per tournament: a new one replaces the old, and the statistics move with it
(the old evidence is retracted as the stats row has decayed it)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from modeltui.calls.listeners import Listener
from modeltui.calls.request import AskObserver, AskRequest, AskResult
from modeltui.errors import NoModelAvailable, UsageError
from modeltui.learning import evidence, observe
from modeltui.vocab import GENERAL, TIERS, CallKind, EvidenceSource, Tier

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine

LETTERS = "ABC"


async def thumb(engine: Engine, call_id: int, up: bool) -> None:
    """Thumbs up/down on an answer (replacing an earlier thumb on it)."""
    store, now = engine.store, time.time()
    row = await store.get_call(call_id)
    if row is None:
        raise UsageError(f"no call with id {call_id}")
    uc = row["use_case"] or GENERAL
    async with store.transaction():
        old = await store.votes(call_id=call_id, kind="thumb")
        pairs = [(uc, row["model"], evidence.retraction(evidence.thumb(v["value"] == "+1", v["ts"]), now,
                                                         store.half_life_s)) for v in old]
        await store.delete_votes([v["id"] for v in old])
        await store.add_vote("thumb", "+1" if up else "-1", call_id=call_id, session=engine.session, ts=now)
        await observe.retract(store, EvidenceSource.THUMB, pairs)
        await observe.observe_answers(store, EvidenceSource.THUMB, [(call_id, uc, row["model"], evidence.thumb(up, now))])


class FollowUps(Listener):
    """Before a chat prompt is answered: what it says about the answer just before it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    async def routed(self, request: AskRequest, result: AskResult) -> None:
        if request.conversation and request.kind == CallKind.CHAT and result.decision.vector is not None:
            await follow_up(self.engine, request.conversation, result.decision.vector)


async def follow_up(engine: Engine, conversation: str, vec, now: float | None = None) -> str | None:
    """A new prompt in a conversation says something about the answer just before it: re-asking
    the same thing (embeddings close) is a weak failure, moving on a weak success. Returns the
    signal recorded, if any."""
    from modeltui.learning.embed import unpack

    now = now or time.time()
    last = await engine.store.last_answer(conversation)
    w = engine.cfg.learning.evidence
    if last is None or last.vec is None or now - last.ts > w.window_s:
        return None
    signal = "rephrased" if float(unpack(last.vec) @ vec) >= w.rephrase_similarity else "continued"
    await _implicit(engine, last.call_id, last.model, last.use_case or GENERAL, signal, now)
    return signal


async def copied(engine: Engine, call_id: int) -> None:
    """The user copied an answer: a weak success of its model."""
    row = await engine.store.get_call(call_id)
    if row is not None and row["status"] == "ok":
        await _implicit(engine, call_id, row["model"], row["use_case"] or GENERAL, "copied", time.time())


async def _implicit(engine: Engine, call_id: int, model: str, use_case: str, signal: str, now: float) -> None:
    await observe.observe_answers(engine.store, EvidenceSource(signal), [(call_id, use_case, model, evidence.implicit(signal, now, engine.cfg.learning.evidence))])


def _choice(choice: str) -> str:
    c = choice.strip()
    if c.upper() in LETTERS:
        return c.upper()
    if c.lower() in ("tie", "all_bad"):
        return c.lower()
    raise UsageError(f"vote must be one of {', '.join(evidence.VOTE_CHOICES)} (got '{choice}')")


async def vote(engine: Engine, tournament_id: str, choice: str, note: str | None = None) -> int:
    """A tournament vote: winner A/B/C (any case), tie, or all_bad; it replaces an earlier vote
    on the same tournament. The value stored is the winning model id."""
    store, now = engine.store, time.time()
    choice = _choice(choice)
    t = await store.get_tournament(tournament_id)
    if t is None:
        raise UsageError(f"no tournament with id {tournament_id}")
    value, call_id = choice, None
    if choice in LETTERS:
        slot = LETTERS.index(choice)
        if slot >= len(t["models"]):
            raise UsageError(f"tournament {tournament_id} has no entrant {choice}")
        value = t["models"][slot]
        call_id = await store.tournament_call(tournament_id, value)
    uc = t["use_case"] or GENERAL
    async with store.transaction():
        old = await store.votes(tournament_id=tournament_id, kind="vote")
        pairs = [(uc, m, evidence.retraction(o, now, store.half_life_s))
                 for v in old for m, o in evidence.vote(v["value"], t["models"], v["ts"]).items()]
        await store.delete_votes([v["id"] for v in old])
        vid = await store.add_vote("vote", value, call_id=call_id, tournament_id=tournament_id,
                                   session=engine.session, note=note or ",".join(t["models"]), ts=now)
        await observe.retract(store, EvidenceSource.VOTE, pairs)
        await observe.observe_answers(store, EvidenceSource.VOTE, [(await store.tournament_call(tournament_id, m), uc, m, o)
                                             for m, o in evidence.vote(value, t["models"], now).items()])
    return vid


async def escalate(engine: Engine, call_id: int, observer: AskObserver | None = None) -> AskResult:
    """Re-ask a logged call one tier up, with the conversation it was part of, on a model stronger
    than the one that answered; the new call is linked to it (origin_id), and the answer escalated
    from counts as a failure of its model."""
    row = await engine.store.get_call(call_id)
    if row is None:
        raise UsageError(f"no call with id {call_id}")
    logged = json.loads(row["decision"])["effective_tier"] if row["decision"] else row["tier"]
    effective = Tier(logged) if logged in TIERS else Tier.BALANCED  # (`user`, `tournament`: chosen, not routed)
    tier = effective.up() or Tier.PREMIUM
    history: tuple[dict, ...] = ()
    if row["conversation"]:
        for prompt, answer in await engine.store.conversation_turns(row["conversation"], call_id):
            history += ({"role": "user", "content": prompt}, {"role": "assistant", "content": answer})
    answered = engine.catalog.models.get(row["model"])
    floor = answered.quality if answered is not None else None
    request = AskRequest(row["prompt"], history=history, tier=tier, use_case=row["use_case"], kind=CallKind.ESCALATE,
                         conversation=row["conversation"], origin_id=call_id, stronger_than=floor,
                         exclude=frozenset({row["model"]}))
    try:
        result = await engine.ask(request, observer)
    except NoModelAvailable:
        q = f" (quality {floor:.1f})" if floor is not None else ""
        raise NoModelAvailable(f"cannot escalate call {call_id}: no available model is stronger than "
                               f"{row['model']}{q}") from None
    result.decision.notes.insert(0, f"escalated from call {call_id} ({row['model']}, {effective} -> {tier})")
    return result
