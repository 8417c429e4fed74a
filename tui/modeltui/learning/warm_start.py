"""A warm start from the user's own history: calls logged by another tool become imported calls.

Each imported call is logged as the app logs one (`observe.log_call`): its row, its prompt's
embedding, and what an answered call says about its model (counts, latency; no quality verdict,
which the other tool never recorded). So discovery, rankings, savings, search and the per-prompt
embeddings see the history on day one. An imported call has no cost of its own (`cost_usd` NULL:
unpriced, never 0, and never charged to this month's budget); when the model is in the catalog
with a known price, what its tokens cost at that price goes to `cost_computed_usd`, which savings
reads for imported calls. Importing twice adds nothing: each call keeps its source reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from modeltui.learning import observe
from modeltui.learning.router_memory import Knowledge
from modeltui.providers.catalog import Catalog
from modeltui.routing.complexity import estimate_complexity
from modeltui.store import CallRecord, Store
from modeltui.store.import_llm import LlmCall, read_llm_logs
from modeltui.vocab import CallKind

SESSION = "import:llm"
REF_PREFIX = "llm:"


class Engine(Protocol):
    """What an import needs (the engine is one): the log, the catalog, how a prompt gets its use case."""

    store: Store
    catalog: Catalog
    knowledge: Knowledge


@dataclass(frozen=True)
class Imported:
    found: int  # calls in the file
    added: int  # new rows
    skipped: int  # already imported
    shapes: dict[str, int]  # calls read from each of llm's schema shapes (turns, responses)
    models: dict[str, int]  # added rows per model, as logged here


def _model_id(engine: Engine, model: str) -> tuple[str, str]:
    """(model id, provider): the catalog's own id when llm's name is one (or one's tail:
    llm says 'gpt-4o-mini' where the catalog says 'openai/gpt-4o-mini'), else llm's name."""
    catalog = engine.catalog
    if model in catalog:
        return model, catalog[model].provider
    tails = [m for m in catalog.all() if m.id.rsplit("/", 1)[-1] == model]
    if len(tails) == 1:
        return tails[0].id, tails[0].provider
    return model, "llm"


def _record(engine: Engine, call: LlmCall) -> CallRecord:
    model, provider = _model_id(engine, call.model)
    use_case = engine.knowledge.use_case(call.prompt)[0] if call.prompt else None
    computed = None
    if model in engine.catalog and call.tokens_in is not None and call.tokens_out is not None:
        computed = engine.catalog[model].cost(call.tokens_in, call.tokens_out)
    return CallRecord(session=SESSION, kind=CallKind.IMPORTED, model=model, provider=provider, status="ok", ts=call.ts,
                      use_case=use_case, complexity=estimate_complexity(call.prompt)[0] if call.prompt else None,
                      prompt=call.prompt, response=call.response, tokens_in=call.tokens_in, tokens_out=call.tokens_out,
                      cost_usd=None, cost_computed_usd=computed, latency_ms=call.latency_ms,
                      finish_reason=call.finish_reason, conversation=call.conversation, step=REF_PREFIX + call.ref)


async def import_llm_logs(engine: Engine, path: str | Path) -> Imported:
    """Import every call of an llm logs.db not imported before, in one transaction."""
    from modeltui.learning.embed import pack

    calls, shapes = read_llm_logs(path)
    store = engine.store
    done = await store.imported_refs(REF_PREFIX)
    added: dict[str, int] = {}
    async with store.transaction():
        for call in calls:
            if REF_PREFIX + call.ref in done:
                continue
            rec = _record(engine, call)
            vec = engine.knowledge.embed(call.prompt)
            await observe.log_call(store, rec, vector=pack(vec) if vec is not None else None)
            added[rec.model] = added.get(rec.model, 0) + 1
            done.add(REF_PREFIX + call.ref)
    n = sum(added.values())
    return Imported(found=len(calls), added=n, skipped=len(calls) - n, shapes=shapes, models=added)
