"""The embedding's token ids, cut at word starts and cached piece by piece (learning/embed.py),
are exactly the shipped tokenizer's ids for the whole text: on real prompts and on random text
full of what could break the cut (space runs, tabs, newlines, a literal "▁", other scripts,
control characters, pieces too long to cache), and on text with special tokens (which takes the
whole-text path)."""

import csv
import random
from pathlib import Path

import numpy as np

from modeltui.learning import embed

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "routellm" / "mmlu_dev.csv"
ALPHABET = list("ab xyZ09\t\n\r  \u2581\u2581.,;:'\"()[]{}<>/\\|-_=+*&^%$#@!~`?") + [
    "é", "日本", "🎉", "\u200b", "\u00a0", "<", "s>", "/s", "  ", "\n\n", "ﬁ", "Ω", "\x00", "\x7f", "ing", "▁the", "x" * 60]


def whole(text: str) -> list[int]:
    tokenizer, _ = embed._load()
    return tokenizer.encode(text, add_special_tokens=False).ids


def test_piecewise_ids_equal_the_tokenizers_on_random_text():
    rng = random.Random(20261207)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60))) for _ in range(5000)]
    assert sum(any(s in t for s in embed._SPECIAL) for t in texts) < 250  # 95 % take the cut
    assert sum(len(t) > embed.CACHED_PIECE_CHARS and " " not in t for t in texts) > 10  # some are too long to cache
    texts += ["", " ", "  lead", "trail  ", "\u2581", "x\u2581\u2581 y", "a<s>b", "</s> x <unk>", "日本語" * 500]
    differ = [t for t in texts if embed.token_ids(t) != whole(t)]
    assert differ == []


def test_piecewise_ids_equal_the_tokenizers_on_real_prompts():
    with DATA.open(newline="") as fh:
        prompts = [row["prompt"][:embed.MAX_CHARS] for row in csv.DictReader(fh)]
    assert len(prompts) > 9000
    differ = [p for p in prompts if embed.token_ids(p) != whole(p)]
    assert differ == []
    # and the vector is the mean of the rows the whole-text ids pick, made unit length
    p = prompts[123]
    v = embed._load()[1][whole(p)].sum(axis=0)
    np.testing.assert_allclose(embed.embed(p), v / np.linalg.norm(v), rtol=1e-5, atol=1e-6)
