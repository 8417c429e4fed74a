"""What acts on every ask without the engine knowing what it is: follow-up signals, shadow
checks. Each is registered when the engine opens (`Engine.open(listeners=...)`), so the engine
imports none of them and none of them reaches into the engine's loop."""

from __future__ import annotations

from modeltui.calls.request import AskRequest, AskResult


class Listener:
    """Override what you need; both run inside the ask that triggered them (an exception in
    one is the ask's exception). Work that should not hold the answer up goes to `Engine.spawn`."""

    async def routed(self, request: AskRequest, result: AskResult) -> None:
        """The decision is made (`result.decision`, with the prompt's vector); nothing is sent yet."""

    async def answered(self, request: AskRequest, result: AskResult) -> None:
        """The ask ended and is logged (`result.final` may be an error)."""
