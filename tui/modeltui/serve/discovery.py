"""Where a running server says it is: `serve.json` beside the log it writes to, so a CLI using
the same log finds it (and goes through it, skipping litellm's import). Standard library only:
the CLI reads it before it has loaded anything heavy. It holds no token, only host, port, pid;
it is removed when the server stops, and a file left by a server that died is ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

NAME = "serve.json"


def path_for(db_path: Path) -> Path:
    return Path(db_path).parent / NAME


def write(db_path: Path, host: str, port: int) -> Path:
    path = path_for(db_path)
    url_host = f"[{host}]" if ":" in host else host
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"host": host, "port": port, "pid": os.getpid(), "url": f"http://{url_host}:{port}/v1"}, f)
    os.replace(tmp, path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read(db_path: Path) -> dict | None:
    """The running server for this log, or None (no file, a damaged one, or its process is gone)."""
    try:
        data = json.loads(path_for(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int) or not isinstance(data.get("url"), str):
        return None
    return data if _alive(data["pid"]) else None


def remove(db_path: Path) -> None:
    """Remove the file if it is ours (a second server may have replaced it)."""
    path = path_for(db_path)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass
