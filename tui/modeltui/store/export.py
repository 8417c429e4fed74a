"""Export of logged calls to JSONL, CSV or Markdown (the datasets, chat and preferences, are
made in `reports/datasets.py` and written here).

The usage parts carry OpenTelemetry's GenAI names in JSONL and CSV (`gen_ai.usage.input_tokens`
counts every input token, cached ones included, as the convention asks); cost has no such name and
keeps ours. CSV cells that a spreadsheet would run as a formula (leading = + - @, tab, CR) get a
leading apostrophe. `texts=False` drops prompts and responses for sharing cost data only.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

FORMATS = ("jsonl", "csv", "md", "chat", "preferences")
TEXT_COLUMNS = ("prompt", "response")
MD_COLUMNS = ("id", "ts", "model", "tier", "use_case", "status", "tokens_in", "tokens_out", "cost_usd", "latency_ms",
              "thumb", "vote")



def _neutralise(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _md_cell(value, column: str = "") -> str:
    """A Markdown cell: times as ISO 8601 (UTC), money in fixed point (never 2.98e-05)."""
    if value is None:
        return ""
    if column == "ts":
        from datetime import datetime, timezone

        value = datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds")
    elif column == "cost_usd":
        value = f"{value:.6f}"
    elif isinstance(value, float):
        value = f"{value:.1f}" if column.endswith("_ms") else f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value).replace("|", "\\|").replace("\n", " ")


# our column -> OpenTelemetry GenAI semantic conventions' attribute (where one exists)
OTEL_USAGE = {
    "tokens_in": "gen_ai.usage.input_tokens",
    "tokens_out": "gen_ai.usage.output_tokens",
    "tokens_cache_read": "gen_ai.usage.cache_read.input_tokens",
    "tokens_cache_write": "gen_ai.usage.cache_creation.input_tokens",
    "tokens_reasoning": "gen_ai.usage.reasoning.output_tokens",
}


def _named(row: dict) -> dict:
    return {OTEL_USAGE.get(k, k): v for k, v in row.items()}


def _decoded(row: dict) -> dict:
    """The row for JSON: the routing decision as an object, not a JSON string inside a string."""
    if isinstance(row.get("decision"), str):
        try:
            row = {**row, "decision": json.loads(row["decision"])}
        except ValueError:
            pass
    return _named(row)


def render(rows: list[dict], fmt: str, texts: bool = True) -> str:
    if not texts:
        rows = [{k: v for k, v in r.items() if k not in TEXT_COLUMNS} for r in rows]
    if fmt == "jsonl":
        return "".join(json.dumps(_decoded(r), ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(_named(rows[0])))
            w.writeheader()
            for r in rows:
                w.writerow({k: _neutralise(v) for k, v in _named(r).items()})
        return buf.getvalue()
    if fmt == "md":
        unpriced = sum(r.get("cost_usd") is None for r in rows)
        total = f"{len(rows)} calls, total ${sum(r.get('cost_usd') or 0 for r in rows):.6f}"
        out = ["# modeltui log export", "", total + (f" ({unpriced} unpriced, not in the total)" if unpriced else ""), ""]
        out.append("| " + " | ".join(MD_COLUMNS) + " |")
        out.append("|" + "---|" * len(MD_COLUMNS))
        out += ["| " + " | ".join(_md_cell(r.get(c), c) for c in MD_COLUMNS) + " |" for r in rows]
        if texts:
            for r in rows:
                out += ["", f"## Call {r['id']} — {r['model']} ({r['status']})", "", "**Prompt**", "",
                        "```text", r.get("prompt") or "", "```", "", "**Response**", "", "```text",
                        r.get("response") or "", "```"]
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")


SQLITE_HEADER = b"SQLite format 3\x00"


def check_target(path: Path, log: Path) -> Path:
    """Where an export may go: never the log, its -wal or -shm, any SQLite file, a folder or a
    device. Raises ValueError with the one-line reason."""
    path = Path(path).expanduser()
    target, log = path.resolve(), Path(log).expanduser().resolve()
    if target in (log, log.with_name(log.name + "-wal"), log.with_name(log.name + "-shm"),
                  log.with_name(log.name + "-journal")):
        raise ValueError(f"{path} is the log itself: an export never writes over it")
    if path.is_dir():
        raise ValueError(f"{path} is a folder: give a file name")
    if path.exists() and not path.is_file():
        raise ValueError(f"{path} is not a regular file")
    if path.is_file():
        try:
            with open(path, "rb") as fh:
                if fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                    raise ValueError(f"{path} is an SQLite database: an export never writes over one")
        except OSError as exc:
            raise ValueError(f"{path}: {exc.strerror or exc}") from None
    if not target.parent.is_dir():
        raise ValueError(f"folder {path.parent} does not exist")
    return path


def write(rows: list[dict], fmt: str, path: Path, texts: bool = True) -> Path:
    return write_text(render(rows, fmt, texts), path)


def write_text(text: str, path: Path) -> Path:
    """Write the export privately (0600, it may hold prompts) to a temporary file beside the
    target, then rename it into place: a failed export (a full disk) leaves the old file whole.
    The caller has checked the target (`check_target`). OSError says what went wrong."""
    import tempfile

    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)  # the CLI refuses an -o folder that does not exist
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
