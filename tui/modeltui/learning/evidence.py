"""The one table of evidence: what each thing that happens to an answer says about its model.

Every writer of the statistics (a logged call, a thumb, a vote, an escalation, a rebuild of the
log) turns its event into `stats.Obs` here and nowhere else, so the live path and a rebuild
cannot weigh the same event differently. Weights are successes / failures in the Beta
posteriors the auto tier samples.
"""

from __future__ import annotations

from dataclasses import fields, replace

from modeltui.learning.decay import factor
from modeltui.learning.stats import Obs
from modeltui.vocab import Status

ERROR_FAILURE = 0.5  # an error is weaker evidence of poor answers than a thumbs-down
ESCALATED_FAILURE = 1.0  # as strong as a thumbs-down: the user acted on it
TIE_SUCCESS = 0.5  # a tie is half a success for every entrant
VOTE_CHOICES = ("A", "B", "C", "tie", "all_bad")


def call(status: str, ts: float, latency_ms: float | None = None, cost_usd: float | None = None) -> Obs | None:
    """A logged attempt; None for one cancelled, lost or still running (it says nothing about
    the model)."""
    if not Status(status).says_something:
        return None
    return Obs(ts=ts, status=status, latency_ms=latency_ms, cost_usd=cost_usd,
               failure=ERROR_FAILURE if status == "error" else 0.0)


def thumb(up: bool, ts: float) -> Obs:
    """A thumb counts as satisfaction (up/down) and, through it, as quality evidence."""
    return Obs(ts=ts, up=1.0 if up else 0.0, down=0.0 if up else 1.0)


def vote(value: str, models: list[str], ts: float) -> dict[str, Obs]:
    """A tournament vote: `value` is the winning model id, `tie` or `all_bad`. The winner
    succeeded and the others failed; a tie is half a success each; all bad fails every entrant."""
    out = {}
    for m in models:
        if value == "tie":
            s, f = TIE_SUCCESS, 0.0
        elif value == "all_bad":
            s, f = 0.0, 1.0
        else:
            s, f = (1.0, 0.0) if m == value else (0.0, 1.0)
        out[m] = Obs(ts=ts, success=s, failure=f)
    return out


def judged(value: str, models: list[str], ts: float, weight: float) -> dict[str, Obs]:
    """A judge model's verdict on a tournament: a vote's shape at `weight` (below a person's)."""
    return {m: replace(o, success=o.success * weight, failure=o.failure * weight) for m, o in vote(value, models, ts).items()}


def escalation(ts: float) -> Obs:
    """The answer a user escalated from or retried on another model: it was not good enough."""
    return Obs(ts=ts, failure=ESCALATED_FAILURE)


def quality(obs: Obs) -> tuple[float, float]:
    """(success, failure) an observation says about the answer itself, for the per-prompt model.
    A call's own status is not in it: an error or a timeout says nothing about the prompt."""
    return obs.success + obs.up, obs.failure + obs.down


def implicit(signal: str, ts: float, weights) -> Obs:
    """What users do without being asked (weights from `[learning.evidence]`): a rephrased
    follow-up right after an answer is a weak failure of it, continuing the conversation or
    copying the answer a weak success."""
    w = getattr(weights, signal)
    return Obs(ts=ts, failure=w) if signal == "rephrased" else Obs(ts=ts, success=w)


def shadow(label: str, ts: float, weight: float) -> Obs | None:
    """A shadow check's verdict on the cheaper answer: agreeing with the strongest model is a
    success, disagreeing a failure, an unclear comparison nothing."""
    if label == "agree":
        return Obs(ts=ts, success=weight)
    if label == "disagree":
        return Obs(ts=ts, failure=weight)
    return None


def checked(passed: bool, ts: float, weight: float) -> Obs:
    """A pipeline step's check or a suite's scored answer: it passed or it did not."""
    return Obs(ts=ts, success=weight) if passed else Obs(ts=ts, failure=weight)


def retraction(old: Obs, now: float, half_life_s: float) -> Obs:
    """Undo `old` at `now`: its weights, decayed as the stats row decayed them since, negated.
    A replaced thumb or vote moves the statistics exactly as if only the new one had been given."""
    k = factor(now - old.ts, half_life_s)
    numeric = {f.name: -getattr(old, f.name) * k for f in fields(old)
               if f.name in ("up", "down", "success", "failure")}
    return replace(old, ts=now, status=None, latency_ms=None, cost_usd=None, **numeric)
