"""The config file as plain TOML, without pydantic: enough for the app's first paint (theme,
tier, keymap). Full validation (config.py) follows right after the first screen is up."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from modeltui import paths
from modeltui.errors import ConfigError


def read(path: str | os.PathLike | None = None) -> tuple[Path, dict | None]:
    """(file, parsed TOML) — None when the default file does not exist. TOML errors are one line."""
    file = paths.config_file(path)
    if not file.exists():
        if path is not None:
            raise ConfigError(f"{file}: config file not found")
        return file, None
    try:
        return file, tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
