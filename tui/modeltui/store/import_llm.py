"""Reading a logs.db of Simon Willison's `llm`, read-only, for `modeltui import llm-logs`.

Its schema changed across releases, so both shapes are read:

- `turns` (llm 0.36 and later, migration m023): one row per model call, in a thread; the typed
  prompt and the answer's text are in `turn_search` (else rebuilt from the message chain
  between the turn's parent and tip messages, in `messages` / `parts`). 0.36 leaves
  `responses` empty.
- `responses` (llm 0.5 to 0.35, migration m010 on; tokens from m013): one row per call, with
  its `conversation_id`. A log upgraded to 0.36 keeps these old rows beside the new turns.

The file is opened with SQLite's URI `mode=ro`: this module never writes to it, and a file that
is not an llm log (no `_llm_migrations`, neither table) is refused in one line.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from modeltui.errors import UsageError


@dataclass(frozen=True)
class LlmCall:
    """One model call as llm logged it. `ref` is unique in the file ("turn:ID" / "response:ID")."""

    ref: str
    model: str
    prompt: str | None
    response: str | None
    ts: float
    tokens_in: int | None
    tokens_out: int | None
    latency_ms: float | None
    conversation: str | None
    finish_reason: str | None = None


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "no such file"
        raise UsageError(f"{path}: {what} (expected an llm logs.db: `llm logs path` prints where it is)")
    try:
        db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path}: not an llm logs.db ({exc})") from None
    if "_llm_migrations" not in tables or not tables & {"turns", "responses"}:
        db.close()
        if "_llm_migrations" in tables:
            raise UsageError(f"{path}: an llm logs.db from before llm 0.5 (its `logs` table is not read; "
                             "run any llm 0.5 or later once to migrate it)")
        raise UsageError(f"{path}: not an llm logs.db (no _llm_migrations, turns or responses table)")
    return db


def _ts(text: str | None) -> float:
    """llm writes UTC times as ISO text, with or without an offset ('2024-05-01T10:00:00.123+00:00')."""
    if not text:
        return 0.0
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}  # table: one of ours, never input


def _finish(response_json: str | None) -> str | None:
    try:
        value = json.loads(response_json) if response_json else None
    except ValueError:
        return None
    return value.get("finish_reason") if isinstance(value, dict) else None


def _chain_text(db: sqlite3.Connection, tip: str | None, stop: str | None) -> tuple[str | None, str | None]:
    """(prompt, answer): the user's and the assistant's text parts of the messages from `tip` back
    to (not including) `stop`, oldest first."""
    prompt, answer, seen = [], [], set()
    while tip and tip != stop and tip not in seen:
        seen.add(tip)
        row = db.execute("SELECT parent_hash, role FROM messages WHERE hash = ?", (tip,)).fetchone()
        if row is None:
            break
        texts = [r[0] for r in db.execute("SELECT text FROM parts WHERE message_hash = ? AND type = 'text' "
                                          "AND text IS NOT NULL ORDER BY position", (tip,))]
        (prompt if row["role"] == "user" else answer if row["role"] == "assistant" else []).insert(0, "\n".join(texts))
        tip = row["parent_hash"]
    return ("\n".join(prompt) or None), ("\n".join(answer) or None)


def _turns(db: sqlite3.Connection, tables: set[str]) -> list[LlmCall]:
    cols = _columns(db, "turns")
    search = "turn_search" in tables
    sql = ("SELECT t.*, s.prompt AS s_prompt, s.response AS s_response FROM turns t "
           "LEFT JOIN turn_search s ON s.turn_id = t.id ORDER BY t.datetime_utc, t.id") if search else \
        "SELECT t.*, NULL AS s_prompt, NULL AS s_response FROM turns t ORDER BY t.datetime_utc, t.id"
    out = []
    for r in db.execute(sql).fetchall():
        prompt, answer = r["s_prompt"], r["s_response"]
        if prompt is None and answer is None and {"messages", "parts"} <= tables:
            prompt, answer = _chain_text(db, r["tip_message_hash"], r["parent_message_hash"])
        out.append(LlmCall(ref=f"turn:{r['id']}", model=r["resolved_model"] or r["model"] if "resolved_model" in cols else r["model"],
                           prompt=prompt, response=answer, ts=_ts(r["datetime_utc"]), tokens_in=r["input_tokens"],
                           tokens_out=r["output_tokens"], latency_ms=r["duration_ms"],
                           conversation=f"llm:{r['thread_id']}" if r["thread_id"] else None,
                           finish_reason=_finish(r["response_json"]) if "response_json" in cols else None))
    return out


def _responses(db: sqlite3.Connection) -> list[LlmCall]:
    cols = _columns(db, "responses")
    pick = [c if c in cols else f"NULL AS {c}" for c in
            ("id", "model", "resolved_model", "prompt", "response", "conversation_id", "duration_ms", "datetime_utc",
             "input_tokens", "output_tokens")]
    out = []
    for r in db.execute(f"SELECT {', '.join(pick)} FROM responses ORDER BY datetime_utc, id").fetchall():
        out.append(LlmCall(ref=f"response:{r['id']}", model=r["resolved_model"] or r["model"], prompt=r["prompt"],
                           response=r["response"], ts=_ts(r["datetime_utc"]), tokens_in=r["input_tokens"],
                           tokens_out=r["output_tokens"], latency_ms=r["duration_ms"],
                           conversation=f"llm:{r['conversation_id']}" if r["conversation_id"] else None))
    return out


def read_llm_logs(path: str | Path) -> tuple[list[LlmCall], dict[str, int]]:
    """Every call in the file, oldest first, and how many came from each shape."""
    db = _open(Path(path).expanduser())
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        turns = _turns(db, tables) if "turns" in tables else []
        responses = _responses(db) if "responses" in tables else []
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path}: cannot read it as an llm logs.db ({exc})") from None
    finally:
        db.close()
    calls = sorted(turns + responses, key=lambda c: (c.ts, c.ref))
    return [c for c in calls if c.model], {"turns": len(turns), "responses": len(responses)}
