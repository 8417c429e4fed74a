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
    """The raw settings with the app's remembered tier and theme laid over them (state.py)."""
    from modeltui.settings import state_file as state

    data = dict(data or {})
    storage = data.get("storage") if isinstance(data.get("storage"), dict) else {}
    db = Path(storage["path"]).expanduser() if isinstance(storage.get("path"), str) else paths.default_db()
    remembered = state.read(db)
    if "tier" in remembered:
        data["default_tier"] = remembered["tier"]
    if "theme" in remembered:
        data["theme"] = remembered["theme"]
    return data
