"""Config: the example file is the defaults; settings round-trip through tomli-w."""

from pathlib import Path

from modeltui.settings import config

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_example_config_is_valid_and_shows_the_defaults():
    assert config.load(EXAMPLE).model_dump() == config.Config().model_dump()


def test_remembered_choices_are_laid_over_the_config_which_is_never_written(isolated_env):
    from modeltui.settings import state_file as state

    text = "# my budget\n[budget]\nmonthly_usd = 12.5   # keep it small\n"
    (isolated_env / "config.toml").write_text(text)
    cfg = config.load()
    path = state.remember(cfg.db_path(), app_tier="premium", theme="modeltui-light")
    assert path.parent == cfg.db_path().parent and oct(path.stat().st_mode & 0o777) == "0o600"
    again = config.load()
    # the theme is laid over; the app's tier is not: `default_tier` stays the CLI's (issue "App", defect 2)
    assert again.default_tier == "balanced" and again.theme == "modeltui-light" and again.budget.monthly_usd == 12.5
    assert (isolated_env / "config.toml").read_text() == text
