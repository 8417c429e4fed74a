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

from modeltui.settings import paths

_BUNDLED = "model_prices_and_context_window_backup.json"
PUBLISHED_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"


def bundled_path() -> Path | None:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _BUNDLED
    return path if path.exists() else None


def refreshed_path() -> Path:
    return paths.data_dir() / "model_prices.json"


def source() -> Path | None:
    """The file prices come from: a refreshed copy if there is one, else litellm's bundled map."""
    refreshed = refreshed_path()
    return refreshed if refreshed.exists() else bundled_path()


def refresh(url: str = PUBLISHED_URL, timeout: float = 20.0) -> tuple[Path, int]:
    """Download litellm's published price map and keep it beside the log (used from then on)."""
    import os
    import urllib.request

    from modeltui.errors import ModeltuiError

    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            data = json.loads(resp.read())
    except (OSError, ValueError) as exc:
        raise ModeltuiError(f"could not fetch prices from {url}: {exc}") from None
    if not isinstance(data, dict) or not any(isinstance(v, dict) and "input_cost_per_token" in v for v in data.values()):
        raise ModeltuiError(f"{url} does not look like litellm's price map")
    path = paths.ensure_private_dir(refreshed_path().parent) / refreshed_path().name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    price_map.cache_clear()
    return path, len(data)


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
