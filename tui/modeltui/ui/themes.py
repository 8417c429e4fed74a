"""Themes from TOML: the shipped themes/ folder plus the user's themes folder (user wins)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

from modeltui.settings import paths

FIELDS = {"primary", "secondary", "warning", "error", "success", "accent", "foreground", "background",
          "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha", "variables"}


def load_themes(extra_dirs: list[Path] | None = None) -> tuple[list[Theme], list[str]]:
    """Themes found, and one-line problems with files that could not be used (shown, not fatal)."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in [paths.shipped_themes_dir(), paths.user_themes_dir(), *(extra_dirs or [])]:
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.toml")):
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
                name = data.pop("name", file.stem)
                unknown = set(data) - FIELDS
                if unknown:
                    raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
                themes[name] = Theme(name=name, **data)
            except (OSError, ValueError, TypeError, tomllib.TOMLDecodeError) as exc:
                problems.append(f"theme {file}: {exc}")
    return list(themes.values()), problems
