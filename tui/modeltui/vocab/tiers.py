"""Quality tiers, importable without pydantic (the UI needs them before the config is validated).

One enum owns the order of the tiers: `up()` and `down()` are the only place that knows which
tier is stronger, so fallback, escalation, the tournament and the CLI cannot disagree.
"""

from __future__ import annotations

from enum import StrEnum

GENERAL = "general"  # the use case of a prompt nothing else classified


class Tier(StrEnum):
    BUDGET = "budget"
    BALANCED = "balanced"
    PREMIUM = "premium"
    AUTO = "auto"

    def up(self) -> Tier | None:
        """The next stronger routed tier (None at the top); auto counts as balanced."""
        return {Tier.BUDGET: Tier.BALANCED, Tier.BALANCED: Tier.PREMIUM, Tier.AUTO: Tier.PREMIUM}.get(self)

    def down(self) -> Tier | None:
        """The next cheaper routed tier (None at the bottom); auto falls back to budget."""
        return {Tier.PREMIUM: Tier.BALANCED, Tier.BALANCED: Tier.BUDGET, Tier.AUTO: Tier.BUDGET}.get(self)

    @classmethod
    def routed(cls) -> tuple[Tier, ...]:
        """The fixed-policy tiers, cheapest first (auto learns among them)."""
        return (cls.BUDGET, cls.BALANCED, cls.PREMIUM)

    @classmethod
    def for_complexity(cls, complexity: str) -> Tier:
        """Where auto starts for a prompt of this complexity."""
        return {"low": cls.BUDGET, "medium": cls.BALANCED, "high": cls.PREMIUM}[complexity]


TIERS: tuple[str, ...] = tuple(t.value for t in Tier)
