"""The views (one module each, named for the view) and the dialogs."""

from __future__ import annotations

VIEW_CLASSES = {"chat": "ChatScreen", "tournament": "TournamentScreen", "rankings": "RankingsScreen",
                "history": "HistoryScreen", "runs": "RunsScreen"}  # each in ui/screens/<view>.py


def view_class(name: str):
    """Only the view asked for is imported: the first paint needs the chat's module alone."""
    import importlib

    return getattr(importlib.import_module(f"modeltui.ui.screens.{name}"), VIEW_CLASSES[name])
