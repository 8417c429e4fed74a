"""Every file location in one place. Environment variables override for tests and scripts."""

from __future__ import annotations

import os
from pathlib import Path

APP = "modeltui"


def _platformdirs():
    import platformdirs  # cheap, but only needed once we know the command

    return platformdirs


def config_file(explicit: str | os.PathLike | None = None) -> Path:
    """--config beats MODELTUI_CONFIG beats the platform config dir."""
    if explicit:
        return Path(explicit).expanduser()
    if env := os.environ.get("MODELTUI_CONFIG"):
        return Path(env).expanduser()
    return _platformdirs().user_config_path(APP) / "config.toml"


def data_dir() -> Path:
    if env := os.environ.get("MODELTUI_DATA_DIR"):
        return Path(env).expanduser()
    return _platformdirs().user_data_path(APP)


def default_db() -> Path:
    return data_dir() / "log.sqlite3"


def exports_dir() -> Path:
    return data_dir() / "exports"


def user_themes_dir() -> Path:
    return config_file().parent / "themes"


def _shipped(name: str) -> Path:
    """A folder that ships with modeltui: inside the package when installed, else at the root
    of a checkout."""
    package = Path(__file__).resolve().parents[1]  # modeltui/ (this file is modeltui/settings/paths.py)
    return next((c for c in (package / name, package.parents[1] / name) if c.is_dir()), package / name)


def shipped_themes_dir() -> Path:
    return _shipped("themes")


def flow_dirs(kind: str, config: str | os.PathLike | None = None) -> list[Path]:
    """Where pipelines or suites (`kind`) are looked for: beside the config file, then the
    shipped examples (examples/ in a checkout, inside the package when installed)."""
    return [config_file(config).parent / kind, _shipped("examples") / kind]


def ensure_private_dir(path: Path) -> Path:
    """Create `path` and its missing parents 0700 (the log holds prompts and answers). A folder
    that already exists is the user's: its mode is left alone (a log at /tmp/x.sqlite3 must
    not make /tmp private, nor one in $HOME change $HOME)."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()][::-1]
    for folder in missing:
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another process made it just now: not ours to change
            continue
        os.chmod(folder, 0o700)  # the umask may have taken bits off
    return path
