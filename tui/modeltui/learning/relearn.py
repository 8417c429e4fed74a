"""Keeping what the log has learned in order: rebuild the statistics from the log, discover use
cases from logged prompts, rename (and so keep) a discovered one."""

from __future__ import annotations

from typing import Protocol

from modeltui.errors import UsageError
from modeltui.learning import stats
from modeltui.learning.discovery import MAX_PROMPTS, discover
from modeltui.learning.rebuild import replay
from modeltui.settings.config import Config
from modeltui.store import Store
from modeltui.vocab import EvidenceSource


class Relearner(Protocol):
    """What keeping the log's knowledge in order needs (the engine is one)."""

    store: Store
    cfg: Config

    async def reload_use_cases(self) -> None: ...


async def rebuild_stats(engine: Relearner) -> int:
    """Recompute the `stats` table by replaying the log; returns the number of events replayed."""
    store = engine.store
    calls = [row async for batch in store.call_outcomes() for row in batch]
    rows, n = replay(calls, await store.thumb_rows(), await store.vote_rows(), store.half_life_s,
                     await store.escalation_rows(), await store.evidence_without_table(EvidenceSource.only_per_call()))
    await store.replace_stats([stats.to_db(uc, m, r) for (uc, m), r in rows.items()])
    return n


async def discover_use_cases(engine: Relearner, k: int, seed: int = 0) -> list[dict]:
    """Cluster the latest logged prompts into k use cases; renamed (kept) clusters survive."""
    prompts = await engine.store.recent_prompts(MAX_PROMPTS)
    if len(prompts) < max(2, k):
        raise UsageError(f"need at least {max(2, k)} logged prompts to find {k} use cases (have {len(prompts)})")
    vectors = None
    if engine.cfg.learning.prompt_model:
        from modeltui.learning import embed
        try:
            vectors = [embed.embed(p) for p in prompts]
        except embed.EmbeddingUnavailable:
            pass  # TF-IDF clusters then
    await engine.store.replace_discovered(discover(prompts, k, seed, vectors=vectors))
    await engine.reload_use_cases()
    return await engine.store.clusters()


async def rename_use_case(engine: Relearner, old: str, new: str) -> None:
    if not await engine.store.rename_cluster(old, new):
        raise UsageError(f"no discovered use case named '{old}'")
    await engine.reload_use_cases()
