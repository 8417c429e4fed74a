"""The config file as plain TOML, without pydantic: enough for the app's first paint (theme,
tier, keymap). Full validation (config.py) follows right after the first screen is up."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from modeltui.errors import ConfigError
from modeltui.settings import paths


def read(path: str | os.PathLike | None = None) -> tuple[Path, dict | None]:
    """(file, parsed TOML) — None when the default file does not exist. TOML errors are one line."""
    file = paths.config_file(path)
    if not file.exists():
        if path is not None or os.environ.get("MODELTUI_CONFIG"):
            raise ConfigError(f"{file}: config file not found")
        return file, None
    try:
        return file, tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None


def with_state(data: dict | None) -> dict:
    """The raw settings with the app's remembered theme laid over them, and its own tier as
    `app_tier` (state_file.py); `default_tier` stays the CLI's."""
    from modeltui.settings import state_file as state

    data = dict(data or {})
    storage = data.get("storage") if isinstance(data.get("storage"), dict) else {}
    db = Path(storage["path"]).expanduser() if isinstance(storage.get("path"), str) else paths.default_db()
    remembered = state.read(db)
    if tier := app_tier(remembered):
        data["app_tier"] = tier
    if "theme" in remembered:
        data["theme"] = remembered["theme"]
    return data


def app_tier(remembered: dict) -> str | None:
    """The tier the app last used (`tier` in files written before the CLI stopped following it)."""
    tier = remembered.get("app_tier", remembered.get("tier"))
    return tier if isinstance(tier, str) else None
