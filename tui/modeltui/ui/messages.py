"""What screens tell the app, and what the app tells a view. Screens post these and never call
into another screen's widgets or the app's internals; the app routes each to the one view that
owns it (toolong's messages.py is the model). A message from a screen that is no longer the
current one is dropped by the app, so an event of a view left behind never acts on another."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message
from textual.screen import ModalScreen


# -- screens to the app ------------------------------------------------------------------------
@dataclass
class OpenDialog(Message):
    """Open `dialog` (one at a time; refused while another is open); `done` gets its result."""

    dialog: ModalScreen
    done: Callable | None = None


@dataclass
class Resume(Message):
    """History: reopen this conversation in the chat and continue it."""

    conversation: str


@dataclass
class ShowTournament(Message):
    """History: show this logged tournament in the tournament view (the chat is left as it is)."""

    tournament_id: str


# -- the app to a view ---------------------------------------------------------------------------
@dataclass
class LogChanged(Message):
    """Something was committed to the log: a call from another tool through `modeltui serve`, a
    CLI, this app's own. The views that show the log (the meter, history) read it again."""


@dataclass
class EngineStatus(Message):
    """The engine is loading, ready, or running on simulated models (`banner`)."""

    text: str
    banner: str | None = None
    ready: bool = False


@dataclass
class TeamReach(Message):
    """Team mode: the team database became unreachable (`offline`: the line to show) or reachable
    again (None). The ledger owns that state and retries; the chat only shows it."""

    offline: str | None


@dataclass
class SetSystemPrompt(Message):
    text: str


@dataclass
class UseTemplate(Message):
    system: str | None
    prompt: str | None


@dataclass
class NewConversation(Message):
    pass


@dataclass
class FocusPrompt(Message):
    pass


@dataclass
class ToggleBreakdown(Message):
    pass


@dataclass
class Prefill(Message):
    """The tournament's prompt box takes the chat's draft (F6 from the chat)."""

    prompt: str = field(default="")
