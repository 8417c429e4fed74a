"""The log as datasets other tools read: conversations as OpenAI chat JSONL (`{"messages": [...]}`,
what fine-tuning and eval tools take) and tournament votes as preference pairs (OpenAI's
preference fine-tuning format: `input.messages`, `preferred_output`, `non_preferred_output`), so a
user's own blind votes become data. Plain functions over logged rows: the store selects them.

Choices: a conversation keeps its answered turns in order; an escalation or a retry replaces the
answer it re-asked (the conversation went on from the better one). A vote for one entrant gives
a pair against each other entrant that answered; a tie or "all bad" gives none. The system
prompt is not in the log, so no conversation carries one.
"""

from __future__ import annotations

import json

from modeltui.vocab import CallKind, Status

_CONVERSATION = {k.value for k in CallKind.conversation()}
_RE_ASKS = {k.value for k in CallKind.re_asks()}


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def chat_jsonl(rows: list[dict]) -> tuple[int, str]:
    """(conversations, text): one line per conversation of the rows' answered chat turns."""
    turns: dict[str, dict[int, dict]] = {}  # conversation -> first-asked call id -> answered row
    origin_of: dict[int, int] = {}  # a re-ask's id -> the turn it stands in
    for r in rows:
        if r.get("status") != Status.OK or r.get("kind") not in _CONVERSATION or not r.get("response"):
            continue
        key = r.get("conversation") or f"session:{r['session']}"
        slot = r["id"]
        if r.get("kind") in _RE_ASKS and r.get("origin_id") is not None:
            slot = origin_of.get(r["origin_id"], r["origin_id"])
        origin_of[r["id"]] = slot
        conv = turns.setdefault(key, {})
        if slot in conv or slot == r["id"]:
            conv[slot] = r
    text = ""
    for conv in turns.values():
        messages = []
        for r in conv.values():
            messages += [{"role": "user", "content": r.get("prompt") or ""},
                         {"role": "assistant", "content": r["response"]}]
        text += _line({"messages": messages})
    return len(turns), text


def preference_jsonl(rows: list[dict], votes: list[dict]) -> tuple[int, str]:
    """(pairs, text): from each tournament vote that names a winner, the winner preferred over
    each other entrant that answered."""
    entrants: dict[str, dict[str, dict]] = {}
    for r in rows:
        if r.get("tournament_id") and r.get("status") == Status.OK and r.get("response") is not None:
            entrants.setdefault(r["tournament_id"], {})[r["model"]] = r
    last_vote = {v["tournament_id"]: v for v in votes if v.get("kind") == "vote" and v.get("tournament_id")}
    n, text = 0, ""
    for tid, vote in last_vote.items():
        answers = entrants.get(tid, {})
        winner = answers.get(vote["value"])
        if winner is None:  # a tie, all bad, or the winner's answer is outside the export
            continue
        for model, loser in answers.items():
            if model == vote["value"]:
                continue
            n += 1
            text += _line({"input": {"messages": [{"role": "user", "content": winner.get("prompt") or ""}]},
                           "preferred_output": [{"role": "assistant", "content": winner["response"]}],
                           "non_preferred_output": [{"role": "assistant", "content": loser["response"]}],
                           "metadata": {"tournament_id": tid, "preferred_model": vote["value"],
                                        "non_preferred_model": model}})
    return n, text


def with_feedback(rows: list[dict], votes: list[dict]) -> list[dict]:
    """Each row with its thumb (+1, -1 or None, the latest) and, for a tournament entrant, how the
    vote went for it (won, lost, tie, all_bad, or None before a vote)."""
    thumbs = {v["call_id"]: int(v["value"]) for v in votes if v.get("kind") == "thumb" and v.get("call_id")}
    verdict = {v["tournament_id"]: v["value"] for v in votes if v.get("kind") == "vote" and v.get("tournament_id")}
    out = []
    for r in rows:
        tid, vote = r.get("tournament_id"), None
        if tid in verdict:
            value = verdict[tid]
            vote = value if value in ("tie", "all_bad") else "won" if value == r.get("model") else "lost"
        out.append({**r, "thumb": thumbs.get(r["id"]), "vote": vote})
    return out
