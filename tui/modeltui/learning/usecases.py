"""Discovered use cases in the log: fit from logged prompts, list, rename (which keeps them)."""

from __future__ import annotations

import json
import time

from modeltui.errors import UsageError
from modeltui.learning.discovery import Classifier, discover

MAX_PROMPTS = 5000


async def load(db) -> list[dict]:
    async with db.execute("SELECT * FROM use_case_clusters ORDER BY size DESC") as cur:
        rows = [dict(r) for r in await cur.fetchall()]
    for r in rows:
        r["terms"], r["centroid"], r["idf"] = json.loads(r["terms"]), json.loads(r["centroid"]), json.loads(r["idf"])
    return rows


def classifier(rows: list[dict], min_similarity: float) -> Classifier | None:
    return Classifier([(r["name"], r["centroid"], r["idf"]) for r in rows], min_similarity) if rows else None


async def refit(store, k: int, seed: int = 0) -> list[dict]:
    """Cluster the latest logged prompts into k use cases; renamed (kept) clusters survive."""
    async with store.db.execute("SELECT prompt FROM calls WHERE prompt IS NOT NULL AND parent_id IS NULL "
                                "ORDER BY id DESC LIMIT ?", (MAX_PROMPTS,)) as cur:
        prompts = [r[0] for r in await cur.fetchall()]
    if len(prompts) < max(2, k):
        raise UsageError(f"need at least {max(2, k)} logged prompts to find {k} use cases (have {len(prompts)})")
    found = discover(prompts, k, seed)
    async with store.transaction() as db:
        await db.execute("DELETE FROM use_case_clusters WHERE kept = 0")
        async with db.execute("SELECT name FROM use_case_clusters") as cur:
            taken = {r[0] for r in await cur.fetchall()}
        for c in found:
            name, i = c["name"], 2
            while name in taken:
                name, i = f"{c['name']}-{i}", i + 1
            taken.add(name)
            await db.execute(
                "INSERT INTO use_case_clusters (name, terms, centroid, idf, size, kept, created) VALUES (?,?,?,?,?,0,?)",
                (name, json.dumps(c["terms"]), json.dumps(c["centroid"]), json.dumps(c["idf"]), c["size"], time.time()))
    return await load(store.db)


async def rename(store, old: str, new: str) -> None:
    async with store._write:
        cur = await store.db.execute("UPDATE use_case_clusters SET name = ?, kept = 1 WHERE name = ?", (new, old))
    if cur.rowcount == 0:
        raise UsageError(f"no discovered use case named '{old}'")
