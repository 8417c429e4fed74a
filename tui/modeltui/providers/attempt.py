"""One HTTP attempt's accounting: what it was asked, what it streamed, what it costs so far and
when to stop reading it. Pure bookkeeping, no provider code: the gateway (providers/gateway.py)
streams into it, the engine logs it, the live meter reads it while it runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from modeltui.providers.catalog import ModelInfo
from modeltui.providers.redact import redact
from modeltui.providers.tokens import estimate_messages, estimate_tokens
from modeltui.providers.usage import Usage, price

GUARD_SLACK = 1.15  # our token estimate (chars / 4) runs high for some text: allow for it before cutting


@dataclass
class Timeouts:
    connect_s: float = 10.0
    stall_s: float = 30.0
    total_s: float = 300.0


@dataclass
class Attempt:
    """One HTTP attempt. Mutated while streaming so a cancelled caller still sees partial text."""

    model: ModelInfo
    messages: list[dict]
    max_tokens: int
    text: str = ""
    tokens_in: int | None = None
    tokens_out: int | None = None
    estimated: bool = False
    reported: Usage | None = None  # what the provider reported (cache parts, reasoning, its own cost)
    cost: float | None = None  # what is counted: the provider's own figure if it gave one, else ours
    cost_computed: float | None = None  # ours, from the price map, always (beside a reported one)
    started: float = field(default_factory=time.perf_counter)
    ttft_ms: float | None = None
    latency_ms: float | None = None
    status: str = "running"  # running, ok, error, cancelled
    error_kind: str | None = None
    error_message: str | None = None
    status_code: int | None = None
    retry_after: float | None = None
    budget_usd: float | None = None  # the reservation: reading stops, and billing is capped, here
    finish_reason: str | None = None  # the provider's, or ours when we stopped reading (cut_*)
    params: dict = field(default_factory=dict)  # temperature, stop: passed on as the caller set them
    prompt_estimate: int = field(init=False, repr=False, default=0)  # the messages don't change: estimated once

    def __post_init__(self) -> None:
        self.prompt_estimate = estimate_messages(self.messages)

    @property
    def cut_short(self) -> bool:
        """The answer is incomplete: the model hit max_tokens, or we stopped reading it."""
        return self.finish_reason in ("length", "cut_max_tokens", "cut_budget")

    def usage_so_far(self) -> tuple[int, int, bool]:
        """(tokens in, tokens out, estimated): the provider's figures once it reported them, else
        the prompt's and the text's estimates. The live cost and the logged cost both come from here."""
        if self.tokens_in is not None and self.tokens_out is not None:
            return self.tokens_in, self.tokens_out, self.estimated
        return self.prompt_estimate, estimate_tokens(self.text) if self.text else 0, True

    def usage(self) -> Usage:
        """The usage to price: the provider's parts once reported, else our estimates (no cache)."""
        tokens_in, tokens_out, estimated = self.usage_so_far()
        r = self.reported
        if r is not None and not estimated and (r.input_tokens, r.output_tokens) == (tokens_in, tokens_out):
            return r
        return Usage(tokens_in, tokens_out, estimated=estimated)

    def report(self, usage: Usage | None) -> None:
        """The provider's usage (or None: it reported none, estimates stand)."""
        self.reported = usage
        self.tokens_in, self.tokens_out = (usage.input_tokens, usage.output_tokens) if usage else (None, None)

    def cost_so_far(self) -> float | None:
        """What this attempt has cost so far, prompt included from the start (None: unpriced):
        the computation the logged cost makes, on the estimates until the provider reports."""
        usage = self.usage()
        cost = usage.reported_cost if usage.reported_cost is not None else price(self.model, usage)
        return cost if cost is None or self.budget_usd is None else min(cost, self.budget_usd)

    def finish(self, status: str, kind: str | None = None, message: str | None = None) -> None:
        self.status = status
        self.error_kind = kind
        self.error_message = redact(message) if message else None
        self.text = redact(self.text) if self.text else self.text
        self.latency_ms = (time.perf_counter() - self.started) * 1000
        self.tokens_in, self.tokens_out, self.estimated = self.usage_so_far()
        usage = self.usage()
        self.cost_computed = price(self.model, usage)
        self.cost = usage.reported_cost if usage.reported_cost is not None else self.cost_computed
        if status == "error" and not self.text and self.estimated and self.cost:
            self.cost = self.cost_computed = 0.0  # refused before any output (4xx, 429, no connection): not billed
        if self.cost is not None and self.budget_usd is not None and self.cost > self.budget_usd:
            # a provider that ignored max_tokens or reported inflated usage: never record more than
            # was reserved (we stopped reading there), so spend cannot pass a cap
            self.cost = self.budget_usd
            self.finish_reason = self.finish_reason or "cut_budget"

    def running_cost(self) -> float:
        """The estimate the guard compares with the reservation (the prompt counted once, at start)."""
        return self.model.cost(self.prompt_estimate, estimate_tokens(self.text)) or 0.0

    def guard(self) -> str | None:
        """Why to stop reading now, if the stream has gone past what was asked or reserved."""
        if estimate_tokens(self.text) > self.max_tokens * GUARD_SLACK + 8:
            return "cut_max_tokens"
        if self.budget_usd is not None and not self.model.free and self.running_cost() > self.budget_usd * GUARD_SLACK:
            return "cut_budget"
        return None
