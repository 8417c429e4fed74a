"""Whether an output passes a step's or a suite prompt's check.

Every kind is a few lines of the standard library, except the judge: a model asked whether the
output meets a rubric, logged as a call of kind `check` in the same run and step.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modeltui.calls.request import AskRequest
from modeltui.errors import ModeltuiError
from modeltui.flows.spec import Check
from modeltui.vocab import CallKind

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")
_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)```", re.S | re.I)
_CHOICE = (re.compile(r"\banswer(?:\s+is)?\W{0,3}\(?([A-J])\b\)?", re.I),  # "the answer is (B)"
           re.compile(r"^\W*\(?([A-J])\)?(?:[\s.:)]|$)"))  # "B." / "(B) because ..."
_VERDICT = re.compile(r"\b(PASS|FAIL)\b", re.I)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    note: str  # what was checked, or why it failed, in a few words


def last_number(text: str) -> float | None:
    found = _NUMBER.findall(text or "")
    for raw in reversed(found):
        try:
            return float(raw.replace(",", ""))
        except ValueError:
            continue
    return None


def parse_json(text: str):
    """The JSON an output holds: all of it, a fenced block, or the span from the first bracket
    to the last. Raises ValueError when none parses."""
    candidates = [text.strip(), *(m.strip() for m in _FENCE.findall(text))]
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if starts:
        start = min(starts)
        end = max(text.rfind("}"), text.rfind("]"))
        if end > start:
            candidates.append(text[start:end + 1])
    for c in candidates:
        try:
            return json.loads(c)
        except ValueError:
            continue
    raise ValueError("no valid JSON in the output")


def choice_letter(text: str) -> str | None:
    for pattern in _CHOICE:
        if m := pattern.search(text or ""):
            return m.group(1).upper()
    return None


def _normal(s: str) -> str:
    return " ".join(s.strip().rstrip(".").lower().split())


def local(check: Check, output: str) -> Verdict:
    """Every kind but the judge."""
    notes = []
    if check.contains is not None and check.contains.lower() not in output.lower():
        return Verdict(False, f"does not contain '{check.contains}'")
    if check.regex is not None and not re.search(check.regex, output, re.I):
        return Verdict(False, f"does not match /{check.regex}/")
    if check.number is not None:
        got = last_number(output)
        if got is None:
            return Verdict(False, "no number in the output")
        if abs(got - check.number) > check.tolerance:
            return Verdict(False, f"number {got:g}, expected {check.number:g}")
        notes.append(f"number {got:g}")
    if check.exact is not None and _normal(output) != _normal(check.exact):
        return Verdict(False, f"not exactly '{check.exact}'")
    if check.choice is not None:
        got = choice_letter(output)
        if got != check.choice.upper():
            return Verdict(False, f"choice {got or 'none'}, expected {check.choice.upper()}")
        notes.append(f"choice {got}")
    if check.is_json or check.json_keys:
        try:
            data = parse_json(output)
        except ValueError as exc:
            return Verdict(False, str(exc))
        if check.json_keys:
            if not isinstance(data, dict):
                return Verdict(False, "JSON is not an object")
            if missing := [k for k in check.json_keys if k not in data]:
                return Verdict(False, f"JSON lacks {', '.join(missing)}")
        notes.append("valid JSON")
    return Verdict(True, ", ".join(notes) or "passed")


def judge_prompt(rubric: str, question: str, output: str) -> str:
    return (f"You grade an answer against a rubric.\n\nTask:\n{question}\n\nAnswer:\n{output}\n\nRubric:\n{rubric}\n\n"
            "Does the answer meet the rubric? Reply with PASS or FAIL alone.")


async def verify(engine: Engine, check: Check, output: str, question: str, run_id: str | None = None,
                 step: str | None = None, use_case: str | None = None) -> Verdict:
    """The check's verdict on `output`; a judge is asked only when everything else passed."""
    verdict = local(check, output)
    if not verdict.passed or not check.judge:
        return verdict
    try:
        result = await engine.ask(AskRequest(judge_prompt(check.rubric, question, output), model=check.judge,
                                             kind=CallKind.CHECK, run_id=run_id, step=step, use_case=use_case, max_tokens=8))
    except ModeltuiError as exc:
        return Verdict(False, f"judge {check.judge} could not answer: {exc}")
    if result.final.status != "ok" or not (m := _VERDICT.search(result.final.text or "")):
        return Verdict(False, f"judge {check.judge} gave no PASS or FAIL")
    passed = m.group(1).upper() == "PASS"
    return Verdict(passed, f"judge {check.judge}: {'PASS' if passed else 'FAIL'}")
