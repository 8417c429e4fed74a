"""A judge for tournaments whose answers disagree: an optional model (`[tournament] judge`) is
asked which answer is best, only when the agreement checker found a disagreement.

Its verdict is shown beside the agreement and stored as evidence with `judge_weight` (below a
person's vote, which weighs 1); it is never a vote: the votes table and the Bradley-Terry
ratings built from it only ever hold what people chose.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from modeltui.calls.request import AskRequest
from modeltui.errors import ModeltuiError
from modeltui.learning import evidence, observe
from modeltui.vocab import GENERAL, CallKind, EvidenceSource

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine

_CHOICE = re.compile(r"^\W*(?:answer\s*)?([ABC]|none)\b", re.I)


def prompt_for(question: str, answers: dict[str, str]) -> str:
    parts = [f"Question:\n{question}\n"]
    parts += [f"Answer {slot}:\n{text}\n" for slot, text in answers.items()]
    parts.append(f"Which answer is best? Reply with the letter alone ({', '.join(answers)}), or NONE if every answer is wrong.")
    return "\n".join(parts)


def parse(reply: str, slots: list[str]) -> str | None:
    """The judge's choice: a slot letter, 'none', or None when the reply says neither."""
    m = _CHOICE.match(reply or "")
    if not m:
        return None
    c = m.group(1).upper()
    return "none" if c == "NONE" else c if c in slots else None


async def judge(engine: Engine, tid: str, question: str, answers: dict[str, str], models: dict[str, str],
                use_case: str | None) -> dict | None:
    """Ask the configured judge about a disagreement; record its verdict as evidence. `answers`
    and `models` are keyed by slot. Returns what to show, or None when no judge is set."""
    judge_model = engine.cfg.tournament.judge
    if not judge_model or judge_model not in engine.catalog:
        return None
    try:
        result = await engine.ask(AskRequest(prompt_for(question, answers), model=judge_model, kind=CallKind.JUDGE,
                                             use_case=use_case, max_tokens=16))
    except ModeltuiError as exc:
        return {"model": judge_model, "choice": None, "reason": str(exc)}
    choice = parse(result.final.text, list(answers)) if result.final.status == "ok" else None
    shown = {"model": judge_model, "choice": choice, "call_id": result.call_id,
             "reason": "no clear choice in its reply" if choice is None else "judged"}
    if choice is not None:
        await _record(engine, tid, choice, models, use_case or GENERAL)
    return shown


async def _record(engine: Engine, tid: str, choice: str, models: dict[str, str], use_case: str) -> None:
    now, store = time.time(), engine.store
    value = "all_bad" if choice == "none" else models[choice]
    obs = evidence.judged(value, list(models.values()), now, engine.cfg.tournament.judge_weight)
    await observe.observe_answers(store, EvidenceSource.JUDGE, [(await store.tournament_call(tid, m), use_case, m, o) for m, o in obs.items()])
