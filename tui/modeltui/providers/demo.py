"""Simulated demo models served through a litellm custom provider (`demo/small|medium|large`).

They let modeltui run with no key and no network, exercising the real litellm streaming path:
time to first token, tokens per second, usage in the final chunk. Answers are deterministic and
differ between models on some prompts (the small one slips on multi-digit multiplication and
answers yes/no questions hastily) so that a tournament has something to flag.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import AsyncIterator, Iterator

from litellm import CustomLLM

from modeltui.providers.tokens import estimate_messages, estimate_tokens

# name -> (time to first token s, tokens per second, words of filler)
PROFILES = {"small": (0.12, 150.0, 25), "medium": (0.30, 80.0, 45), "large": (0.55, 45.0, 70)}
SPEED = 1.0  # set by the gateway from config demo.speed; tests make it fast

_ARITH = re.compile(r"(-?\d+(?:\.\d+)?)\s*([-+*/x×])\s*(-?\d+(?:\.\d+)?)")
_YESNO = re.compile(r"^\s*(is|are|does|do|can|should|will|was|were|has|have)\b", re.I)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def _arith(size: str, a: float, op: str, b: float) -> str:
    ops = {"+": a + b, "-": a - b, "*": a * b, "x": a * b, "×": a * b, "/": a / b if b else float("nan")}
    result = ops[op]
    if size == "small" and op in "*x×" and abs(a) >= 10 and abs(b) >= 10:
        result += 10  # the cheap model slips on long multiplication
    expr = f"{_fmt(a)} {op} {_fmt(b)}"
    if size == "small":
        return f"{_fmt(result)}"
    if size == "medium":
        return f"{expr} = {_fmt(result)}.\n\nThe answer is **{_fmt(result)}**."
    return f"Let's compute it step by step.\n\n- Expression: `{expr}`\n- Result: {_fmt(result)}\n\nFinal answer: **{_fmt(result)}**."


def answer(model: str, prompt: str) -> str:
    size = model.split("/", 1)[-1]
    if m := _ARITH.search(prompt):
        return _arith(size, float(m.group(1)), m.group(2), float(m.group(3)))
    digest = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
    if _YESNO.match(prompt):
        verdict = "Yes" if digest % 2 else "No"
        if size == "small":
            verdict = "Yes"  # hasty
        return f"{verdict}. (simulated {size} model's view)" if size != "large" else \
            f"{verdict}, on balance.\n\nReasons weigh both ways; this is a simulated answer."
    topics = list(dict.fromkeys(w.lower() for w in _WORDS.findall(prompt)))[:4] or ["your question"]
    _, _, words = PROFILES.get(size, PROFILES["medium"])
    lines = [f"**Simulated answer from demo/{size}** about {', '.join(topics)}.", ""]
    filler = ("This text is generated locally to show streaming, token counts and cost tracking "
              "without calling a real model. Add a provider key to get real answers.").split()
    for i in range(max(1, words // 12)):
        lines.append(f"- Point {i + 1}: " + " ".join(filler[(i * 5) % len(filler):][:12]))
    return "\n".join(lines)


def _chunks(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def _usage(messages: list, text: str) -> dict:
    p, c = estimate_messages(messages), estimate_tokens(text)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _chunk(text: str, done: bool = False, usage: dict | None = None) -> dict:
    return {"text": text, "is_finished": done, "finish_reason": "stop" if done else "",
            "usage": usage, "index": 0, "tool_use": None}


class DemoLLM(CustomLLM):
    """litellm custom provider `demo`: streams `answer()` at the profile's pace."""

    def _plan(self, model: str, messages: list):
        size = model.split("/", 1)[-1]
        ttft, tps, _ = PROFILES.get(size, PROFILES["medium"])
        prompt = str(messages[-1].get("content", "")) if messages else ""
        text = answer(size, prompt)
        return ttft / SPEED, 1.0 / (tps * SPEED), text

    async def astreaming(self, model: str, messages: list, *args, **kwargs) -> AsyncIterator[dict]:
        ttft, per_token, text = self._plan(model, messages)
        await asyncio.sleep(ttft)
        for piece in _chunks(text):
            yield _chunk(piece)
            await asyncio.sleep(per_token * max(1, estimate_tokens(piece)))
        yield _chunk("", True, _usage(messages, text))

    def streaming(self, model: str, messages: list, *args, **kwargs) -> Iterator[dict]:
        ttft, per_token, text = self._plan(model, messages)
        time.sleep(ttft)
        for piece in _chunks(text):
            yield _chunk(piece)
        yield _chunk("", True, _usage(messages, text))


handler = DemoLLM()
