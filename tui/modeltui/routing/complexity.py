"""Prompt complexity low / medium / high from cheap signals: length, code, math, multi-step asks,
explicit requests for reasoning. Each signal adds points; the thresholds are deliberately simple
so that the decision's reasons can name what pushed a prompt up.

Routing runs on every prompt, so this is written for speed: one lower-casing, one word split and
plain substring tests (alternation regexes over a long prompt cost ~70 µs each)."""

from __future__ import annotations

import re

_PUNCT = str.maketrans({c: " " for c in "!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~\n\t"})
_ARITH = re.compile(r"\d ?[-+*/^=] ?\d")
_CODE_WORDS = {"def", "class", "function", "return", "import", "const", "var", "lambda", "fn", "struct", "select"}
_CODE_MARKS = ("```", "=>", ";\n", "{\n", "\n    ")
_MATH_WORDS = {"integral", "derivative", "equation", "prove", "probability", "matrix", "theorem", "solve"}
_STEP_WORDS = ("first", "then", "finally")
_STEP_PHRASES = ("step by step", "after that", "and also")
_REASON_WORDS = {"reason", "reasoning", "analyze", "analyse", "tradeoff", "tradeoffs", "justify", "derive", "design"}
_REASON_PHRASES = ("explain why", "trade-off", "think carefully", "think hard", "in depth")


def _numbered_lines(text: str) -> int:
    n = 0
    for line in text.splitlines():
        s = line.lstrip()
        if len(s) > 2 and ((s[0].isdigit() and s[1] in ".)") or (s[0] in "-*•" and s[1] == " ")):
            n += 1
    return n


def estimate_complexity(prompt: str) -> tuple[str, list[str]]:
    """Return the level and the signals that set it."""
    points, signals = 0, []
    n = len(prompt)
    lower = prompt.lower()
    words = set(lower.translate(_PUNCT).split())
    if n > 2000:
        points += 2
        signals.append(f"long prompt ({n} chars)")
    elif n > 400:
        points += 1
        signals.append(f"medium-length prompt ({n} chars)")
    if not words.isdisjoint(_CODE_WORDS) or any(m in prompt for m in _CODE_MARKS):
        points += 1
        signals.append("contains code")
    if not words.isdisjoint(_MATH_WORDS) or _ARITH.search(prompt):
        points += 1
        signals.append("math")
    steps = _numbered_lines(prompt) + sum(w in words for w in _STEP_WORDS) + sum(p in lower for p in _STEP_PHRASES)
    if steps >= 2:
        points += 2 if steps >= 4 else 1
        signals.append(f"multi-step ({steps} steps)")
    if not words.isdisjoint(_REASON_WORDS) or any(p in lower for p in _REASON_PHRASES):
        points += 1
        signals.append("asks for reasoning")
    level = "low" if points <= 1 else "medium" if points <= 2 else "high"
    return level, signals or ["short, plain prompt"]
