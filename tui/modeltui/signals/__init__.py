"""What tells us an answer was good: thumbs and follow-ups, votes, shadow checks, the judge,
agreement, the tournament. `standard` is the set of listeners the app and the CLI open the
engine with."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine
    from modeltui.calls.listeners import Listener


def standard(engine: Engine) -> list[Listener]:
    """Follow-up signals and shadow checks, for every ask the engine makes."""
    from modeltui.signals.feedback import FollowUps
    from modeltui.signals.shadow import ShadowChecks

    return [FollowUps(engine), ShadowChecks(engine)]
