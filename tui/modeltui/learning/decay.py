"""Exponential time decay: an observation's weight halves every `half_life_s` seconds."""

from __future__ import annotations

import math

from modeltui.store.store import DEFAULT_HALF_LIFE_S  # noqa: F401  (one default: the store carries it for its readers)


def factor(dt_s: float, half_life_s: float) -> float:
    """Weight left after `dt_s` seconds (1 at dt=0, 0.5 at one half-life)."""
    if dt_s <= 0 or half_life_s <= 0 or math.isinf(half_life_s):
        return 1.0
    return 0.5 ** (dt_s / half_life_s)
