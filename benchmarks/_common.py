"""Shared bits of the benchmark scripts: report printing and the shared data path."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def report(title: str, lines: list[str], figures: dict, as_json: bool) -> None:
    """Readable report, or (with --json) one JSON object as the last line."""
    if as_json:
        print(json.dumps(figures))
        return
    print(title)
    for line in lines:
        print("  " + line)
