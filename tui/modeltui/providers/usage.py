"""Usage as providers bill it, read from what litellm hands back, and priced part by part.

litellm normalises the shapes: `prompt_tokens` is every input token, cached ones included
(OpenAI reports cached reads in `prompt_tokens_details.cached_tokens`; for Anthropic litellm adds
`cache_read_input_tokens` and `cache_creation_input_tokens` into it), and `completion_tokens`
holds the reasoning tokens (`completion_tokens_details.reasoning_tokens`). So the uncached input
is what is left after the cache parts: counting `prompt_tokens` at the input price and the cached
reads again at their price bills them twice (aider #5516). A provider or gateway that reports its
own cost (OpenRouter's `usage.cost`, a litellm proxy's `x-litellm-response-cost` header, which
litellm puts in `usage.cost`) is logged as reported, beside the figure computed here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    input_tokens: int  # every input token (OpenTelemetry's gen_ai.usage.input_tokens), cached ones included
    output_tokens: int  # reasoning included
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int | None = None  # None: not reported
    estimated: bool = False  # the token counts are ours (the provider reported none)
    reported_cost: float | None = None  # the provider's own figure, when it gave one

    @property
    def uncached_input_tokens(self) -> int:
        return max(0, self.input_tokens - self.cache_read_tokens - self.cache_write_tokens)


def _int(obj, name: str) -> int | None:
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def _part(obj, *path: str) -> int | None:
    for name in path[:-1]:
        obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if obj is None:
            return None
    return _int(obj, path[-1])


def from_litellm(u) -> Usage | None:
    """A litellm Usage (or the same as a dict, from a JSON body) -> Usage; None without token counts."""
    if u is None:
        return None
    tin, tout = _int(u, "prompt_tokens"), _int(u, "completion_tokens")
    if tin is None or tout is None:
        return None
    read = _part(u, "cache_read_input_tokens") or _part(u, "prompt_tokens_details", "cached_tokens") or 0
    write = _part(u, "cache_creation_input_tokens") or _part(u, "prompt_tokens_details", "cache_creation_tokens") or 0
    cost = u.get("cost") if isinstance(u, dict) else getattr(u, "cost", None)
    reported = float(cost) if isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost >= 0 else None
    return Usage(tin, tout, read, write, _part(u, "completion_tokens_details", "reasoning_tokens"),
                 reported_cost=reported)


def price(model, usage: Usage) -> float | None:
    """What `usage` costs at `model`'s prices (ModelInfo), cache parts at their own; None: unpriced.
    A cache price the map does not know is the input price (no discount assumed)."""
    if model.free:
        return 0.0
    if not model.price_known:
        return None
    read = model.cache_read_per_mtok if model.cache_read_per_mtok is not None else model.input_per_mtok
    write = model.cache_write_per_mtok if model.cache_write_per_mtok is not None else model.input_per_mtok
    return (usage.uncached_input_tokens * model.input_per_mtok + usage.cache_read_tokens * read
            + usage.cache_write_tokens * write + usage.output_tokens * model.output_per_mtok) / 1e6
