"""Prompt complexity low / medium / high from cheap signals: length, code, math, multi-step asks,
explicit requests for reasoning. Each signal adds points; the thresholds are deliberately simple
so that the decision's reasons can name what pushed a prompt up."""

from __future__ import annotations

import re

_CODE = re.compile(r"```|^\s{4}\S|\bdef |\bclass |\bfunction\b|[{};]\s*$|=>", re.M)
_MATH = re.compile(r"\d\s*[-+*/^=]\s*\d|\b(integral|derivative|equation|prove|probability|matrix|theorem)\b|\\frac|∑|√", re.I)
_STEPS = re.compile(r"^\s*(\d+[.)]|[-*•])\s+\S|\b(first|then|after that|finally|step by step|and also)\b", re.I | re.M)
_REASON = re.compile(r"\b(explain why|reason(ing)?|analy[sz]e|trade-?offs?|justify|think (carefully|hard)|in depth|derive|design)\b", re.I)


def estimate_complexity(prompt: str) -> tuple[str, list[str]]:
    """Return the level and the signals that set it."""
    points, signals = 0, []
    n = len(prompt)
    if n > 2000:
        points, signals = points + 2, signals + [f"long prompt ({n} chars)"]
    elif n > 400:
        points, signals = points + 1, signals + [f"medium-length prompt ({n} chars)"]
    if _CODE.search(prompt):
        points, signals = points + 1, signals + ["contains code"]
    if _MATH.search(prompt):
        points, signals = points + 1, signals + ["math"]
    steps = len(_STEPS.findall(prompt))
    if steps >= 2:
        points, signals = points + (2 if steps >= 4 else 1), signals + [f"multi-step ({steps} steps)"]
    if _REASON.search(prompt):
        points, signals = points + 1, signals + ["asks for reasoning"]
    level = "low" if points <= 1 else "medium" if points <= 2 else "high"
    return level, signals or ["short, plain prompt"]
