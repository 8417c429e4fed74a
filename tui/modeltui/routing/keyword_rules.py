"""Use case of a prompt from the config's keyword rules (first rule with the most hits wins)."""

from __future__ import annotations

from modeltui.vocab.tiers import GENERAL  # noqa: F401  (re-exported)


def classify_use_case(prompt: str, rules: dict[str, list[str]]) -> str:
    text = prompt.lower()
    best, best_hits = GENERAL, 0
    for name, keywords in rules.items():
        hits = sum(1 for k in keywords if k and k.lower() in text)
        if hits > best_hits:
            best, best_hits = name, hits
    return best
