"""Models and endpoints that keep failing rest for a while: the session's record of failures and
cool-downs. An endpoint that could not be reached (no connection, or no first byte in time) rests
at once, with every model behind it: a dead host costs one timeout, not one per model."""

from __future__ import annotations

import time


def endpoint_of(model) -> str:
    """Where a model is served: its API base, else its provider's default host."""
    return model.api_base or model.provider


class Health:
    def __init__(self, failures_to_cool: int, cooldown_s: float):
        self.failures_to_cool = failures_to_cool
        self.cooldown_s = cooldown_s
        self.failures: dict[str, int] = {}
        self.cooling_until: dict[str, float] = {}
        self.endpoints_until: dict[str, float] = {}

    def failed(self, model: str) -> None:
        self.failures[model] = self.failures.get(model, 0) + 1
        if self.failures[model] >= self.failures_to_cool:
            self.cooling_until[model] = time.monotonic() + self.cooldown_s

    def unreachable(self, endpoint: str) -> None:
        self.endpoints_until[endpoint] = time.monotonic() + self.cooldown_s

    def succeeded(self, model: str, endpoint: str | None = None) -> None:
        self.failures.pop(model, None)
        if endpoint is not None:
            self.endpoints_until.pop(endpoint, None)

    def cooling(self, models=()) -> dict[str, str]:
        """model id -> why it is resting, for the models (of `models`, for endpoints) resting now."""
        now = time.monotonic()
        out = {m: f"cooling down after {self.failures.get(m, 0)} failures ({until - now:.0f}s left)"
               for m, until in self.cooling_until.items() if until > now}
        down = {e: until for e, until in self.endpoints_until.items() if until > now}
        if down:
            for m in models:
                if (until := down.get(endpoint_of(m))) is not None and m.id not in out:
                    out[m.id] = f"endpoint {endpoint_of(m)} unreachable: resting ({until - now:.0f}s left)"
        return out
