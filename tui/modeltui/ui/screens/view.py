"""A top-level view: the base screen of one app mode, made once and kept while the app runs.
Views are switched between (App.switch_mode), never pushed on each other, so no stack of
views can form; dialogs are ModalScreens opened through the app (messages.OpenDialog)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen


class View(Screen):
    """What a view may read of the app: `engine` (None until it has opened), `ready`, `tier`,
    `cfg`; what it may do: post messages (`tell`)."""

    # the app's escape (settings/actions.py), shown in every view's footer; same id, so [keymap] rebinds it here too
    BINDINGS = [Binding("escape", "app.back", "Back", id="focus.prompt")]

    @property
    def engine(self):
        return self.app.engine

    def tell(self, message: Message) -> None:
        """Post to the app (messages bubble from a screen to its app)."""
        self.post_message(message)

    def my_workers(self, *groups: str) -> list:
        """This view's running workers (of `groups`, or all)."""
        return [w for w in self.app.workers if w.node is self and not w.is_finished and (not groups or w.group in groups)]
