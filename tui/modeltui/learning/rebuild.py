"""Rebuild the running statistics from the log: replay every call, thumb and vote in time order
through the same evidence (learning/evidence.py) and update the live path uses."""

from __future__ import annotations

from modeltui.learning import evidence, stats
from modeltui.vocab.tiers import GENERAL


def replay(call_rows: list[tuple], thumb_rows: list[tuple], vote_rows: list[tuple],
           half_life_s: float, escalation_rows: list[tuple] = (),
           other_rows: list[tuple] = ()) -> tuple[dict[tuple[str, str], dict], int]:
    """Stats rows from the log's rows (see `Store.call_outcomes`, `thumb_rows`, `vote_rows`);
    returns them and the number of events replayed."""
    events: list[tuple[float, str, str, stats.Obs]] = []
    for ts, uc, m, status, lat, cost in call_rows:
        if (obs := evidence.call(status, ts, lat, cost)) is not None:
            events.append((ts, uc or GENERAL, m, obs))
    for ts, value, uc, m in thumb_rows:
        events.append((ts, uc or GENERAL, m, evidence.thumb(value == "+1", ts)))
    for ts, value, models, uc in vote_rows:
        for m, obs in evidence.vote(value, models, ts).items():
            events.append((ts, uc or GENERAL, m, obs))
    for ts, uc, m in escalation_rows:
        events.append((ts, uc or GENERAL, m, evidence.escalation(ts)))
    for ts, uc, m, success, failure in other_rows:  # unasked signals, shadow checks, judges
        events.append((ts, uc or GENERAL, m, stats.Obs(ts=ts, success=success, failure=failure)))
    events.sort(key=lambda e: e[0])
    rows: dict[tuple[str, str], dict] = {}
    for _, uc, m, obs in events:
        rows[(uc, m)] = stats.apply(rows.get((uc, m)), obs, half_life_s)
    return rows, len(events)
