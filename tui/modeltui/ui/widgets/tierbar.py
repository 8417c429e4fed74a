"""The tier selector: always visible, the current tier highlighted, with its key."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from modeltui.vocab.tiers import TIERS, Tier


class TierBar(Static):
    tier: reactive[str] = reactive(Tier.BALANCED.value)

    def __init__(self, tier: str, keys: dict[str, str], **kw):
        super().__init__(**kw)
        self.keys = keys
        self.set_reactive(TierBar.tier, tier)

    def render(self) -> Text:
        out = Text("tier ")
        for t in TIERS:
            label = f" {t} {self.keys.get(t, '')} "
            out.append(label, style="reverse bold" if t == self.tier else "dim")
            out.append(" ")
        return out
