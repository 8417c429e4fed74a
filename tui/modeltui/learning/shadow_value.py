"""Which answers a shadow check informs most, for `[learning.shadow] select = "value"`.

A check of a cheaper answer pays for the stronger model's answer to the same prompt. Its value
is highest where the routing was most likely a mistake: the cheaper answer likely wrong while
the stronger one would likely have been right (`value`, from the per-prompt estimates). Those
are the labels that move the boundary; a check of an answer both models surely get right (or
both surely miss) confirms what is known. To spend what random checks at `rate` would, an
answer is checked when its value is in the top `rate` of the recent answers' values (`Selector`).
"""

from __future__ import annotations

from collections import deque

WINDOW = 200  # recent values the top share is taken of


def value(p_cheap: float, p_strong: float) -> float:
    """P(the cheaper answer is wrong and the stronger one right): the chance this routing was a
    mistake, which a check reveals."""
    return (1.0 - p_cheap) * p_strong


class Selector:
    def __init__(self, window: int = WINDOW) -> None:
        self.recent: deque[float] = deque(maxlen=window)

    def take(self, score: float, rate: float) -> bool:
        """Remember `score`; check it if it ranks within the top `rate` of the recent scores (so
        about `rate` of the answers are checked, as at random; none until enough are seen)."""
        self.recent.append(score)
        rank = sum(s >= score for s in self.recent)
        return rank <= rate * len(self.recent)
