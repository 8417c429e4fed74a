"""Blind tournaments: the columns' order is drawn per tournament, and an answer that names a
model (its own id, the name after the provider, a well-known family) shows a mask instead,
while it streams and after. Chatbot Arena voids a vote when a model names itself; here the
name never reaches the screen before the vote."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

MASK = "[model]"
FAMILIES = ("chatgpt", "gpt", "claude", "anthropic", "openai", "gemini", "llama", "mistral", "mixtral", "qwen",
            "deepseek", "grok", "phi")


RNG: random.Random = random.SystemRandom()  # the draw; a test that compares screens seeds it (as demo.SPEED)


def shuffled(models: list[str]) -> list[str]:
    """A new order for a tournament's entrants (slot A is no one's fixed seat)."""
    out = list(models)
    RNG.shuffle(out)
    return out


def names(models: Iterable[str]) -> list[str]:
    """What would give a model away: each id, the name after its provider (when it is not a plain
    word such as `small`), and the well-known families."""
    found = set(FAMILIES)
    for m in models:
        found.add(m.lower())
        tail = m.rsplit("/", 1)[-1].lower()
        if len(tail) >= 4 and re.search(r"[\d\-.:]", tail):
            found.add(tail)
    return sorted(found, key=len, reverse=True)


class Masker:
    """Mask names in a streamed text. `feed` returns only text that can no longer become part
    of a name (it holds back the last few characters); `end` returns the rest."""

    def __init__(self, models: Iterable[str]):
        words = names(models)
        self.hold = max(len(w) for w in words) + 1  # a name still arriving, and the character after it
        self.pattern = re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])",
                                  re.IGNORECASE)
        self.text = ""  # everything received
        self.shown = 0  # length of the masked text already given out

    def _masked_upto(self, cut: int) -> str:
        """text[:cut] masked, matching against all the text received (a name that ends at `cut`
        may go on in the next chunk: the match looks at the characters after it)."""
        out, at = [], 0
        for m in self.pattern.finditer(self.text):
            if m.end() > cut:
                break
            out += [self.text[at:m.start()], MASK]
            at = m.end()
        out.append(self.text[at:cut])
        return "".join(out)

    def feed(self, chunk: str) -> str:
        self.text += chunk
        cut = max(0, len(self.text) - self.hold)
        for m in self.pattern.finditer(self.text):
            if m.start() < cut < m.end():
                cut = m.start()  # never cut through a name
        return self._emit(cut)

    def end(self) -> str:
        return self._emit(len(self.text))

    def _emit(self, cut: int) -> str:
        out = self._masked_upto(cut)
        if len(out) <= self.shown:
            return ""
        new, self.shown = out[self.shown:], len(out)
        return new


def mask(text: str, models: Iterable[str]) -> str:
    return Masker(models).pattern.sub(MASK, text)
