"""Prompt embeddings: wordllama's static token vectors, mean-pooled, unit length.

The wordllama wheel ships the tokenizer and the 256-dim weights, but `WordLlama.load()` looks
for the tokenizer in a folder the wheel does not have and then downloads it from the hub. We
never download at run time, so we open the two shipped files ourselves (and pool in float32:
numpy's float16 arithmetic is four times slower). Loaded lazily, never on the first-paint path.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

DIM = 256
MAX_CHARS = 4000  # a prompt's head says what it is about; longer text only costs time
_lock = threading.Lock()
_model: tuple[object, np.ndarray] | None = None


class EmbeddingUnavailable(RuntimeError):
    """wordllama is not installed or its shipped files are missing."""


def _load() -> tuple[object, np.ndarray]:
    global _model
    with _lock:
        if _model is None:
            spec = importlib.util.find_spec("wordllama")  # its files only: importing it costs 0.4 s
            try:
                from safetensors import safe_open
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise EmbeddingUnavailable(f"wordllama's dependencies are not installed: {exc}") from None
            if spec is None or not spec.submodule_search_locations:
                raise EmbeddingUnavailable("wordllama is not installed")
            root = Path(list(spec.submodule_search_locations)[0])
            tok_file, weights = root / "tokenizers" / "l2_supercat_tokenizer_config.json", root / "weights" / "l2_supercat_256.safetensors"
            if not tok_file.exists() or not weights.exists():
                raise EmbeddingUnavailable(f"wordllama's shipped files are missing under {root}")
            tokenizer = Tokenizer.from_file(str(tok_file))
            tokenizer.no_padding()
            tokenizer.no_truncation()
            with safe_open(str(weights), framework="np") as fh:
                table = fh.get_tensor("embedding.weight").astype(np.float32)
            _model = (tokenizer, table)
        return _model


def load() -> None:
    """Load the tokenizer and weights now (the app does it off the event loop)."""
    _load()


def embed(text: str) -> np.ndarray:
    """Unit-length float32 vector of `text` (zeros for text without tokens); read-only, and the
    last few are remembered (a prompt is embedded for its use case and again for its route)."""
    return _embed(text[:MAX_CHARS])


@lru_cache(maxsize=32)
def _embed(text: str) -> np.ndarray:
    v = _compute(text)
    v.flags.writeable = False
    return v


def _compute(text: str) -> np.ndarray:
    tokenizer, table = _load()
    fast = getattr(tokenizer, "encode_batch_fast", None)  # tokenizers >= 0.20: no offsets, a third faster
    ids = (fast([text], add_special_tokens=False)[0] if fast else tokenizer.encode(text, add_special_tokens=False)).ids
    if not ids:
        return np.zeros(DIM, dtype=np.float32)
    v = table.take(ids, axis=0).sum(axis=0)  # the mean's direction: it is normalised below
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def pack(v: np.ndarray) -> bytes:
    """Compact storage: float16, 512 bytes a prompt."""
    return np.asarray(v, dtype=np.float16).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
