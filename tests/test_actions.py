"""The one table of actions (settings/actions.py) is what the app binds, the palette lists, the
help shows, the config checks and the README prints."""

from pathlib import Path

from modeltui.settings.actions import ACTIONS, BINDING_IDS, markdown_table
from modeltui.ui.app import BINDINGS, ModeltuiApp

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_key_table_is_the_registry():
    assert markdown_table() in README.read_text(encoding="utf-8")


def test_every_action_is_bound_or_in_the_palette_and_the_app_can_run_it():
    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    assert [b.id for b in BINDINGS] == list(BINDING_IDS)
    for a in ACTIONS:
        assert a.key or a.palette, a.id
        name = a.action.split("(")[0]
        assert callable(getattr(ModeltuiApp, f"action_{name}", None)), a.action
