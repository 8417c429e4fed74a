"""Every argument of `ask` and `tournament` checked before anything heavy loads: the config as
plain TOML, the model ids against the catalog's seed (`providers/seed.py`), without pydantic,
aiosqlite or litellm, so that a typo is said in a fraction of a second rather than after seconds
of imports. What needs the log (a declared use case) is checked later, where the log is open."""

from __future__ import annotations

import difflib
import sys

from modeltui.errors import UnknownModel, UsageError
from modeltui.providers.seed import known_ids
from modeltui.settings import config_file
from modeltui.vocab.tiers import TIERS


def _model(model_id: str, ids: list[str], where: str = "") -> None:
    if model_id in ids or (model_id.startswith("ollama/") and len(model_id) > 7):  # (Ollama's are found at run time)
        return
    near = difflib.get_close_matches(model_id, ids, n=3, cutoff=0.4)  # as Catalog.closest says it
    raise UnknownModel(f"{where + ': ' if where else ''}unknown model '{model_id}'"
                     + (f"; closest: {', '.join(near)}" if near else ""))


def check(args) -> dict:
    """Raise UsageError or ConfigError (one line) for a bad argument; return the config as TOML."""
    _, raw = config_file.read(args.config)
    raw = raw or {}
    ids = known_ids(raw)
    tier = raw.get("default_tier")
    if tier is not None and tier not in TIERS:
        return raw  # a bad config key: the full validation that follows says it in its words
    if args.command == "ask":
        if args.model:
            _model(args.model, ids)
        if args.max_tokens is not None and args.max_tokens <= 0:
            raise UsageError("--max-tokens must be positive")
        if args.prompt != "-" and not args.prompt.strip():
            raise UsageError("empty prompt")
    elif args.command == "tournament":
        if not args.prompt.strip():
            raise UsageError("empty prompt")
        if args.models:
            models = [m.strip() for m in args.models.split(",") if m.strip()]
            if not 2 <= len(set(models)) == len(models) <= 3:
                raise UsageError("--models takes two or three different model ids")  # (as tournament.run says it)
            for m in models:
                _model(m, ids, "--models")
    return raw


def read_stdin(what: str) -> str:
    """Standard input as UTF-8; bytes that are not UTF-8 are one line, exit 2."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} on standard input is not UTF-8 (byte 0x{data[exc.start]:02x} at {exc.start})") from None
