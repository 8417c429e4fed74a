"""Exports other tools read: OpenTelemetry's names for the usage parts, thumbs and votes on every
row, conversations as OpenAI chat JSONL, tournament votes as OpenAI preference pairs."""

import csv
import io
import json
import os
import subprocess
import sys

from conftest import CANARY
from helpers import make_config, server_config, write_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.signals import feedback, tournament

M = {"quality": 7.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1000}


def cli(cfg_path, *args, code=0):
    p = subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "MODELTUI_CONFIG": str(cfg_path)})
    assert p.returncode == code, p.stderr
    return p


async def session(server, tmp, monkeypatch):
    """Two conversations (one turn retried on another model), a tournament with a winner, one
    with a tie, and a thumb; returns (config path, rows, tournament ids)."""
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp)
    data["models"] = {f"openai/{n}": M for n in ("ok:a", "ok:b", "ok:c")}
    cfg_path = write_config(data, tmp / "x.toml")
    eng = await Engine.open(cfg=make_config(data), probe_ollama=False)
    try:
        first = await eng.ask(AskRequest("First question", model="openai/ok:a", conversation="c1"))
        await eng.ask(AskRequest("Second question", model="openai/ok:a", conversation="c1"))
        await eng.ask(AskRequest("First question", model="openai/ok:b", conversation="c1", kind="retry",
                                 origin_id=first.call_id))
        await eng.ask(AskRequest("Another talk", model="openai/ok:c", conversation="c2"))
        await feedback.thumb(eng, first.call_id, up=False)
        won = await tournament.run(eng, "Which is larger, 9 or 11?", ["openai/ok:a", "openai/ok:b", "openai/ok:c"])
        await feedback.vote(eng, won.id, "B")
        tied = await tournament.run(eng, "Name a colour", ["openai/ok:a", "openai/ok:b"])
        await feedback.vote(eng, tied.id, "tie")
        rows = await eng.store.select_calls()
    finally:
        await eng.close()
    return cfg_path, rows, won, tied, first.call_id


async def test_jsonl_and_csv_carry_otel_usage_names_thumbs_and_votes(server, isolated_env, monkeypatch):
    cfg_path, rows, won, tied, thumbed = await session(server, isolated_env, monkeypatch)
    lines = [json.loads(x) for x in cli(cfg_path, "export", "-o", "-").stdout.splitlines()]
    assert len(lines) == len(rows)
    by_id = {r["id"]: r for r in lines}
    for r in rows:
        out = by_id[r["id"]]
        assert out["gen_ai.usage.input_tokens"] == r["tokens_in"] and out["gen_ai.usage.output_tokens"] == r["tokens_out"]
        assert "tokens_in" not in out and "gen_ai.usage.cache_read.input_tokens" in out
    assert by_id[thumbed]["thumb"] == -1
    assert sum(1 for r in lines if r["thumb"] is not None) == 1
    votes = {(r["tournament_id"], r["model"]): r["vote"] for r in lines if r["tournament_id"]}
    assert votes == {(won.id, "openai/ok:a"): "lost", (won.id, "openai/ok:b"): "won",
                     (won.id, "openai/ok:c"): "lost",
                     (tied.id, "openai/ok:a"): "tie", (tied.id, "openai/ok:b"): "tie"}
    table = list(csv.DictReader(io.StringIO(cli(cfg_path, "export", "--format", "csv", "-o", "-").stdout)))
    assert {"gen_ai.usage.input_tokens", "gen_ai.usage.reasoning.output_tokens", "thumb", "vote"} <= set(table[0])
    md = cli(cfg_path, "export", "--format", "md", "-o", "-").stdout
    assert "| thumb | vote |" in md and "| -1 |" in md


async def test_conversations_as_openai_chat_jsonl(server, isolated_env, monkeypatch):
    cfg_path, rows, *_ = await session(server, isolated_env, monkeypatch)
    p = cli(cfg_path, "export", "--format", "chat", "-o", "-")
    convs = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(convs) == 2
    c1 = next(c for c in convs if c["messages"][0]["content"] == "First question")
    # the retried first turn stands in for the first answer: two turns, in order, not three
    assert [m["role"] for m in c1["messages"]] == ["user", "assistant", "user", "assistant"]
    assert [m["content"] for m in c1["messages"][::2]] == ["First question", "Second question"]
    retry = next(r for r in rows if r["kind"] == "retry")
    assert c1["messages"][1]["content"] == retry["response"]
    assert all(set(m) == {"role", "content"} for c in convs for m in c["messages"])  # nothing a trainer rejects
    out = isolated_env / "chat.jsonl"
    assert "exported 2 conversations to" in cli(cfg_path, "export", "--format", "chat", "-o", str(out)).stdout
    assert out.read_text() == p.stdout
    bad = cli(cfg_path, "export", "--format", "chat", "--no-text", "-o", "-", code=2)
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


async def test_votes_as_preference_pairs(server, isolated_env, monkeypatch):
    cfg_path, rows, won, tied, _ = await session(server, isolated_env, monkeypatch)
    pairs = [json.loads(x) for x in cli(cfg_path, "export", "--format", "preferences", "-o", "-").stdout.splitlines()]
    assert len(pairs) == 2  # B over A and B over C; the tie gives none
    answer = {(r["tournament_id"], r["model"]): r["response"] for r in rows if r["tournament_id"]}
    assert {p["metadata"]["non_preferred_model"] for p in pairs} == {"openai/ok:a", "openai/ok:c"}
    for p in pairs:
        assert set(p) == {"input", "preferred_output", "non_preferred_output", "metadata"}
        assert p["input"]["messages"] == [{"role": "user", "content": "Which is larger, 9 or 11?"}]
        assert p["metadata"]["tournament_id"] == won.id and p["metadata"]["preferred_model"] == "openai/ok:b"
        assert p["preferred_output"] == [{"role": "assistant", "content": answer[(won.id, "openai/ok:b")]}]
        loser = p["metadata"]["non_preferred_model"]
        assert p["non_preferred_output"] == [{"role": "assistant", "content": answer[(won.id, loser)]}]


def test_no_vote_means_no_pairs_one_line(isolated_env):
    p = subprocess.run([sys.executable, "-m", "modeltui", "export", "--format", "preferences", "-o", "-"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip() == "modeltui: no tournament vote naming a winner matches (nothing exported)"
