"""Which answers a shadow check informs most, for `[learning.shadow] select = "value"`.

A check of a cheaper answer pays for the stronger model's answer to the same prompt. Its value
is highest where the routing was most likely a mistake: the cheaper answer likely wrong while
the stronger one would likely have been right (`value`, from the per-prompt estimates). Those
are the labels that move the boundary; a check of an answer both models surely get right (or
both surely miss) confirms what is known. To spend what random checks at `rate` would, an
answer is checked when its value is in the top `rate` of the recent answers' values and the
checks so far have not spent more than random ones would have (`Selector`: every answer adds
`rate` x its check's cost to an allowance a check draws on), so a targeted check of a long,
dear prompt does not buy more than its share.
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
        self.allowance = 0.0  # what random checks at the rate would have spent, less what was spent

    def take(self, score: float, rate: float, cost: float = 1.0) -> bool:
        """Remember `score`; check it if it ranks within the top `rate` of the recent scores (none
        until enough are seen) and the allowance covers its `cost`."""
        self.recent.append(score)
        self.allowance += rate * cost
        rank = sum(s >= score for s in self.recent)
        if rank > rate * len(self.recent) or self.allowance < cost:
            return False
        self.allowance -= cost
        return True
