"""litellm's price and context-window map, read without importing litellm.

`import litellm` costs seconds; the map it ships (`model_prices_and_context_window_backup.json`,
the same file LITELLM_LOCAL_MODEL_COST_MAP makes it use) is a plain JSON file we can read in
~20 ms. A refreshed copy fetched by `modeltui prices --refresh` takes precedence.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from modeltui import paths

_BUNDLED = "model_prices_and_context_window_backup.json"


def bundled_path() -> Path | None:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _BUNDLED
    return path if path.exists() else None


def refreshed_path() -> Path:
    return paths.data_dir() / "model_prices.json"


@lru_cache(maxsize=1)
def price_map() -> dict[str, dict]:
    """Model id -> litellm's entry (input_cost_per_token, max_input_tokens, …); {} if none found."""
    for path in (refreshed_path(), bundled_path()):
        if path is not None and path.exists():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
    return {}
