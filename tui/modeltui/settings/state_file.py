"""What the app remembers between runs (the tier and theme last chosen), in `state.toml` beside
the log. The user's config file, its comments and layout, is never rewritten: this file is ours.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

FILE = "state.toml"


def path_for(db_path: Path) -> Path:
    return Path(db_path).expanduser().parent / FILE


def read(db_path: Path) -> dict:
    """The remembered settings; {} when there are none or the file is unreadable (it is a cache
    of choices, never worth refusing to start over)."""
    try:
        return tomllib.loads(path_for(db_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def remember(db_path: Path, **values: str) -> Path:
    """Merge `values` into the state file, atomically and privately (0600)."""
    import tomli_w

    from modeltui.settings.paths import ensure_private_dir

    file = path_for(db_path)
    ensure_private_dir(file.parent)
    data = {**read(db_path), **{k: str(v) for k, v in values.items()}}
    tmp = file.with_suffix(".toml.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(tomli_w.dumps(data))
    os.replace(tmp, file)
    return file
