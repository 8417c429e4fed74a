"""`modeltui import llm-logs`: a logs.db written by the real `llm` package (its own migrations,
prompts sent to the local OpenAI-compatible server) becomes imported calls, read-only and once."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from modeltui import cli
from modeltui.settings.paths import default_db as db_path
from modeltui.store import Store

LLM = Path(sys.executable).parent / "llm"
OLD_SHAPE = {"id": "01old0000000000000000000aa", "model": "gpt-4o-mini", "prompt": "Translate 'cat' into French",
             "response": "chat", "conversation_id": "01oldconv00000000000000000", "duration_ms": 420,
             "datetime_utc": "2024-05-01T10:00:00.000000", "input_tokens": 9, "output_tokens": 2}


def _llm(home: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    out = subprocess.run([str(LLM), *args], env={**env, "LLM_USER_PATH": str(home)}, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def logs_db(tmp_path_factory, oai) -> Path:
    """A logs.db as llm 0.36 writes it (threads / turns / messages; `responses` left empty),
    plus one row in `responses` as llm 0.35 and earlier wrote it (a log upgraded to 0.36 keeps them)."""
    home = tmp_path_factory.mktemp("llm-home")
    (home / "extra-openai-models.yaml").write_text(
        f"- model_id: gpt-4o-mini\n  model_name: echo\n  api_base: {oai.url}/v1\n  api_key_name: local\n"
        f"- model_id: local-echo\n  model_name: echo\n  api_base: {oai.url}/v1\n  api_key_name: local\n")
    (home / "keys.json").write_text(json.dumps({"local": "not-a-real-key"}))
    _llm(home, "-m", "gpt-4o-mini", "Summarize the plot of Hamlet in one line")
    _llm(home, "-c", "Now summarize Macbeth the same way")
    _llm(home, "-m", "local-echo", "Write a python function that reverses a string")
    path = home / "logs.db"
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0  # what 0.36 leaves empty
    db.execute(f"INSERT INTO conversations (id, name, model) VALUES ('{OLD_SHAPE['conversation_id']}', 'old', 'gpt-4o-mini')")
    db.execute(f"INSERT INTO responses ({', '.join(OLD_SHAPE)}) VALUES ({', '.join('?' * len(OLD_SHAPE))})",
               list(OLD_SHAPE.values()))
    db.commit()
    db.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _rows() -> tuple[list[dict], int]:
    store = await Store.open(db_path(), read_only=True)
    try:
        rows = [r for r in await store.select_calls() if r["kind"] == "imported"]
        vectors = [await store.prompt_vector(r["id"]) for r in rows]
    finally:
        await store.close()
    return rows, sum(v is not None for v in vectors)


def test_import_reads_both_shapes_once_and_leaves_the_file_alone(logs_db, capsys):
    before = _digest(logs_db)
    assert cli.main(["import", "llm-logs", str(logs_db), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["found"] == 4 and first["added"] == 4 and first["shapes"] == {"turns": 3, "responses": 1}
    assert cli.main(["import", "llm-logs", str(logs_db), "--json"]) == 0  # twice: nothing new
    second = json.loads(capsys.readouterr().out)
    assert second["added"] == 0 and second["skipped"] == 4
    assert _digest(logs_db) == before

    rows, with_vectors = asyncio.run(_rows())
    assert len(rows) == 4 and with_vectors == 4  # every prompt embedded: the prompt model sees them
    by_prompt = {r["prompt"]: r for r in rows}
    hamlet, macbeth = by_prompt["Summarize the plot of Hamlet in one line"], by_prompt["Now summarize Macbeth the same way"]
    assert hamlet["response"].strip() == "Summarize the plot of Hamlet in one line"  # the echo server's answer
    assert hamlet["model"] == "gpt-4o-mini" and hamlet["tokens_in"] == 11 and hamlet["tokens_out"] == 7
    assert hamlet["conversation"] == macbeth["conversation"] and hamlet["conversation"].startswith("llm:")
    assert hamlet["latency_ms"] > 0 and hamlet["finish_reason"] == "stop"
    assert hamlet["cost_usd"] is None and hamlet["cost_computed_usd"] > 0  # priced model: list price aside
    local = by_prompt["Write a python function that reverses a string"]
    assert local["provider"] == "llm" and local["cost_usd"] is None and local["cost_computed_usd"] is None
    old = by_prompt[OLD_SHAPE["prompt"]]
    assert old["response"] == "chat" and old["tokens_in"] == 9 and old["latency_ms"] == 420
    assert old["conversation"] == "llm:" + OLD_SHAPE["conversation_id"]
    assert abs(old["ts"] - 1714557600.0) < 1  # 2024-05-01 10:00 UTC

    # the rankings and savings see the history (the imported model's calls counted)
    assert cli.main(["rankings", "--json"]) == 0
    rankings = capsys.readouterr().out
    assert "gpt-4o-mini" in rankings and "local-echo" in rankings
    assert cli.main(["savings", "--days", "100000", "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["calls"] == 4 and saved["actual_usd"] > 0


@pytest.mark.parametrize("make", ["missing", "folder", "text", "modeltui_log"])
def test_not_an_llm_log_is_one_line(tmp_path, capsys, make):
    path = tmp_path / "logs.db"
    if make == "folder":
        path.mkdir()
    elif make == "text":
        path.write_text("not a database at all\n" * 50)
    elif make == "modeltui_log":  # a SQLite database, but ours
        assert cli.main(["log", "--json"]) == 0
        path = db_path()
    before = _digest(path) if path.is_file() else None
    capsys.readouterr()
    assert cli.main(["import", "llm-logs", str(path)]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert {"missing": "no such file", "folder": "a folder"}.get(make, "not an llm logs.db") in err
    if before is not None:
        assert _digest(path) == before
