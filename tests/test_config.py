"""Config: the example file is the defaults; settings round-trip through tomli-w."""

from pathlib import Path

from modeltui import config

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_example_config_is_valid_and_shows_the_defaults():
    assert config.load(EXAMPLE).model_dump() == config.Config().model_dump()


def test_setting_written_back_and_read_again(isolated_env):
    cfg = config.load()
    cfg.default_tier = "premium"
    cfg.budget.monthly_usd = 12.5
    path = config.save(cfg)
    assert path == isolated_env / "config.toml"
    again = config.load()
    assert again.default_tier == "premium" and again.budget.monthly_usd == 12.5
    assert "use_cases" not in path.read_text()  # only what differs from the defaults is written
