"""Models that keep failing rest for a while: the session's record of failures and cool-downs."""

from __future__ import annotations

import time


class Health:
    def __init__(self, failures_to_cool: int, cooldown_s: float):
        self.failures_to_cool = failures_to_cool
        self.cooldown_s = cooldown_s
        self.failures: dict[str, int] = {}
        self.cooling_until: dict[str, float] = {}

    def failed(self, model: str) -> None:
        self.failures[model] = self.failures.get(model, 0) + 1
        if self.failures[model] >= self.failures_to_cool:
            self.cooling_until[model] = time.monotonic() + self.cooldown_s

    def succeeded(self, model: str) -> None:
        self.failures.pop(model, None)

    def cooling(self) -> dict[str, str]:
        """model id -> why it is resting, for the models resting now."""
        now = time.monotonic()
        return {m: f"cooling down after {self.failures.get(m, 0)} failures ({until - now:.0f}s left)"
                for m, until in self.cooling_until.items() if until > now}
