"""Do answers agree? Free to run on finished answers: extract a final answer where the prompt
calls for one (a number, yes/no, an option letter, a short span) and compare those; otherwise
fall back to word-overlap similarity. Each verdict is agree / disagree / unclear with a reason.

Written by hand because it is small and specific: no library does "final answer of a chat reply".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

_NUM = r"-?\$?\s?\d[\d,]*(?:\.\d+)?(?:\s?/\s?\d+)?"
_MARKED = [  # strongest markers of a final answer first
    re.compile(r"####\s*(" + _NUM + ")"),
    re.compile(r"\\boxed\{\s*(" + _NUM + r")\s*\}"),
    re.compile(r"(?:final answer|the answer is|answer:|answer is|result is)\s*[:=]?\s*\**\s*(" + _NUM + ")", re.I),
]
_CALC = re.compile(r"<<[^>]*>>")  # GSM8K-style calculator annotations
_ANY_NUM = re.compile(_NUM)
_OPTION_PROMPT = re.compile(r"^\s*\(?[A-D][.)]\s", re.M)
_OPTION = [re.compile(r"(?:answer|option|choice)\s*(?:is|:)?\s*\**\(?([A-D])\)?\b", re.I),
           re.compile(r"^\s*\**\(?([A-D])[.)]?\**(?:\s|$)", re.M)]
_YESNO_PROMPT = re.compile(r"^\s*(is|are|does|do|can|should|will|was|were|has|have|did)\b", re.I)
_YESNO = re.compile(r"\b(yes|no)\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
SIMILAR, DISSIMILAR = 0.6, 0.3


@dataclass
class Verdict:
    label: str  # agree, disagree, unclear
    score: float  # 1 = same final answer / identical text, 0 = different
    reason: str


def _to_number(s: str) -> float | None:
    s = s.replace("$", "").replace(",", "").replace(" ", "")
    try:
        if "/" in s:
            a, b = s.split("/")
            return float(a) / float(b)
        return float(s)
    except (ValueError, ZeroDivisionError):
        return None


def final_number(text: str) -> float | None:
    """A marked final answer (####, \\boxed, "the answer is") if any, else the last number:
    the "flexible" extraction common GSM8K graders use, so our verdict matches how answers are
    usually scored."""
    text = _CALC.sub("", text)
    for pat in _MARKED:
        found = pat.findall(text)
        if found:
            return _to_number(found[-1])
    nums = _ANY_NUM.findall(text)
    return _to_number(nums[-1]) if nums else None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def extract(prompt: str, text: str) -> tuple[str, object] | None:
    """(kind, value) of the final answer, or None when the prompt does not call for one."""
    if _OPTION_PROMPT.search(prompt):
        for pat in _OPTION:
            m = pat.search(text)
            if m:
                return "option", m.group(1).upper()
    if _YESNO_PROMPT.match(prompt):
        m = _YESNO.search(text[:200])
        if m:
            return "yes/no", m.group(1).lower()
    n = final_number(text)
    if n is not None and (any(c.isdigit() for c in prompt) or "how many" in prompt.lower() or "how much" in prompt.lower()):
        return "number", n
    return None


def similarity(a: str, b: str) -> float:
    """Word-set overlap (Jaccard): cheap, order-free, good enough to tell same from different."""
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    if not wa and not wb:
        return 1.0
    return len(wa & wb) / len(wa | wb)


def compare(prompt: str, a: str, b: str) -> Verdict:
    if not a.strip() or not b.strip():
        return Verdict("unclear", 0.0, "an answer is empty")
    ea, eb = extract(prompt, a), extract(prompt, b)
    if ea and eb and ea[0] == eb[0]:
        kind, va, vb = ea[0], ea[1], eb[1]
        if kind == "number":
            same = abs(va - vb) <= 1e-6 * max(1.0, abs(va), abs(vb))
            return Verdict("agree" if same else "disagree", 1.0 if same else 0.0,
                           f"final numbers {'match' if same else 'differ'}: {_fmt(va)}" + ("" if same else f" vs {_fmt(vb)}"))
        same = va == vb
        return Verdict("agree" if same else "disagree", 1.0 if same else 0.0,
                       f"{kind} answers {'match' if same else 'differ'}: {va}" + ("" if same else f" vs {vb}"))
    s = similarity(a, b)
    if s >= SIMILAR:
        return Verdict("agree", s, f"texts similar ({s:.2f} word overlap)")
    if s <= DISSIMILAR and not (ea or eb):
        return Verdict("disagree", s, f"texts different ({s:.2f} word overlap)")
    why = "only one answer has a final answer" if (ea or eb) else "texts partly similar"
    return Verdict("unclear", s, f"{why} ({s:.2f} word overlap)")


def compare_all(prompt: str, answers: list[str] | dict[str, str]) -> dict:
    """Pairwise verdicts and an overall one (disagree if any pair disagrees, agree if all agree).
    `answers` is a list (slots A, B, C) or a dict of slot -> answer."""
    labelled = answers if isinstance(answers, dict) else dict(zip("ABC", answers))
    pairs = {}
    for (a, ta), (b, tb) in combinations(labelled.items(), 2):
        pairs[a + b] = compare(prompt, ta, tb)
    labels = [v.label for v in pairs.values()]
    overall = "disagree" if "disagree" in labels else "agree" if labels and all(x == "agree" for x in labels) else "unclear"
    reason = next((f"{k}: {v.reason}" for k, v in pairs.items() if v.label == overall), "")
    return {"overall": overall, "reason": reason,
            "pairs": {k: {"label": v.label, "score": round(v.score, 3), "reason": v.reason} for k, v in pairs.items()}}


def judge_line(verdict: dict) -> str | None:
    """One line for a judge's verdict in a tournament's agreement, if a judge was asked."""
    j = verdict.get("judge")
    if not j:
        return None
    said = {None: j.get("reason") or "no clear choice", "none": "every answer is wrong"}.get(j.get("choice"), f"{j.get('choice')} is best")
    return f"judge ({j['model']}, not a vote): {said}"
