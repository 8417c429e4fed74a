"""Prompt embeddings: wordllama's static token vectors, mean-pooled, unit length.

The wordllama wheel ships the tokenizer and the 256-dim weights, but `WordLlama.load()` looks
for the tokenizer in a folder the wheel does not have and then downloads it from the hub. We
never download at run time, so we open the two shipped files ourselves (and pool in float32:
numpy's float16 arithmetic is four times slower). Loaded lazily, never on the first-paint path.

The shipped tokenizer (Llama 2's byte-fallback BPE) has no pre-tokenizer, so the library sees a
whole prompt as one word: its word cache never hits and BPE runs over the full text every time.
No token in its vocabulary holds "▁" (a space) after another character, so no merge ever joins
across a word start: a prompt cut there gives exactly the same ids piece by piece, and words
repeat across prompts, so short pieces are cached (tests/test_embed_pieces.py holds the ids
equal). A long piece (text without spaces: CJK, minified JSON, base64) rarely repeats and would
hold its ids in memory, so it is tokenised each time and not kept.
"""

from __future__ import annotations

import importlib.util
import math
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

DIM = 256
MAX_CHARS = 4000  # a prompt's head says what it is about; longer text only costs time
SPACE = "\u2581"  # the tokenizer's normaliser prepends it and writes it for every " "
_PIECE = re.compile(f"{SPACE}+[^{SPACE}]*")  # a word start (a run of spaces) and what follows, up to the next
_SPECIAL = ("<s>", "</s>", "<unk>")  # added tokens: matched in the raw text before normalising
CACHED_PIECE_CHARS = 48  # longer pieces are not cached (a word and its leading spaces fit)
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


def token_ids(text: str) -> list[int]:
    """The tokenizer's ids for `text` (without special tokens), piece by piece from the cache."""
    tokenizer, _ = _load()
    if not text or ("<" in text and any(t in text for t in _SPECIAL)):
        return tokenizer.encode(text, add_special_tokens=False).ids
    ids: list[int] = []
    for piece in _PIECE.findall(SPACE + text.replace(" ", SPACE)):
        ids.extend(_piece_ids(piece) if len(piece) <= CACHED_PIECE_CHARS else _tokenize(piece))
    return ids


@lru_cache(maxsize=65536)  # at most 48 characters a key: a few tens of MB when full
def _piece_ids(piece: str) -> tuple[int, ...]:
    return _tokenize(piece)


def _tokenize(piece: str) -> tuple[int, ...]:
    return tuple(t.id for t in _load()[0].model.tokenize(piece))


def _compute(text: str) -> np.ndarray:
    _, table = _load()
    ids = token_ids(text)
    if not ids:
        return np.zeros(DIM, dtype=np.float32)
    v = table.take(ids, axis=0).sum(axis=0)  # the mean's direction: it is normalised below
    n = math.sqrt(float(v @ v))  # np.linalg.norm's checks cost more than the product
    return v / n if n > 0 else v


def pack(v: np.ndarray) -> bytes:
    """Compact storage: float16, 512 bytes a prompt."""
    return np.asarray(v, dtype=np.float16).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
