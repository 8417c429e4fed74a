"""The command palette: Textual's, made safe to close while it is still searching.

Textual's palette searches in a worker and, when the search ends, shows the results by setting a
reactive whose watcher looks its list up. On a loaded machine a search can end after the palette
was closed and its widgets removed; the lookup then raised NoMatches and ended the app (found by
`monkey.py --load 2`, seed 1796608807, run 1). The two places that touch the list after an await
do nothing once the list is gone, so a closed palette never acts.

The palette also gathers every command as it opens, into a list it has not shown yet; page up or
down then asked the list for the lines of options it had never laid out (KeyError: 0, the same
seed's run 0). A list that is not on screen has no page to move through: those keys do nothing.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette


class Palette(CommandPalette):
    def _watch__list_visible(self) -> None:
        if self.is_attached and self.query(CommandList):
            super()._watch__list_visible()

    def _action_command_list(self, action: str) -> None:
        shown = self.query(CommandList)
        if shown and shown.first().scrollable_content_region:
            super()._action_command_list(action)

    def _refresh_command_list(self, command_list: CommandList, commands, clear_current: bool) -> None:
        if command_list.is_attached:
            super()._refresh_command_list(command_list, commands, clear_current)
