"""What one logged attempt holds (the columns of `calls`)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields


@dataclass
class CallRecord:
    session: str
    kind: str
    model: str
    provider: str
    status: str
    ts: float = field(default_factory=time.time)
    tier: str | None = None
    use_case: str | None = None
    complexity: str | None = None
    simulated: bool = False
    prompt: str | None = None
    response: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    tokens_estimated: bool = False
    # the usage parts as the provider reported them (NULL: not reported, or a row from before)
    tokens_cache_read: int | None = None  # of tokens_in: read from the prompt cache
    tokens_cache_write: int | None = None  # of tokens_in: written to it
    tokens_reasoning: int | None = None  # of tokens_out
    cost_usd: float | None = None  # what counts: the provider's own figure when it gave one, else ours
    cost_computed_usd: float | None = None  # ours, from the prices, beside a reported one
    cost_reported: bool = False  # cost_usd is the provider's figure
    latency_ms: float | None = None
    ttft_ms: float | None = None
    error_kind: str | None = None
    error_message: str | None = None
    parent_id: int | None = None
    tournament_id: str | None = None
    decision: str | None = None  # JSON
    finish_reason: str | None = None  # stop, length, content_filter, cut_max_tokens, cut_budget, ...
    conversation: str | None = None
    origin_id: int | None = None  # the call an escalation or retry re-asks
    run_id: str | None = None  # the pipeline run or benchmark it belongs to (flows/)
    step: str | None = None  # its step, or the suite prompt's id
    client: str | None = None  # the tool that asked through `modeltui serve` (from its User-Agent)
    id: int | None = None

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name != "id"]

    def values(self) -> list:
        d = asdict(self)
        return [d[c] for c in self.columns()]
