"""What the chat does while an answer streams: the engine's observer for one ask (imported
when the first prompt is sent: it needs the engine's types, which the first paint does not)."""

from __future__ import annotations

from modeltui.calls.request import AskObserver


class LiveAnswer(AskObserver):
    """Streams text into the Answer, keeps the meter's live figure (the same computation as the
    logged cost, prompt included: Attempt.cost_so_far) and the answer's header current."""

    def __init__(self, screen, answer, meter, chat):
        self.screen, self.answer, self.meter, self.chat = screen, answer, meter, chat
        self.current = None  # the attempt streaming now (providers/attempt.py)
        self.decision = None  # the routing decision, once made

    def text(self, chunk: str) -> None:
        self.answer.write(chunk)
        if self.current is not None:
            self.meter.set_live(self.current.cost_so_far(), self.current.model.id)
        self.chat.scroll_end(animate=False)

    def reserved(self, amount: float) -> None:
        self.screen.call_later(self.screen.refresh_meter)

    def routed(self, decision) -> None:
        self.decision = decision
        self.answer.set_decision(decision.why(), decision.reasons())

    def attempt(self, attempt) -> None:
        self.current = attempt
        self.meter.set_live(attempt.cost_so_far(), attempt.model.id)
        self.answer.set_meta(f"{attempt.model.id}{' (simulated)' if attempt.model.simulated else ''} · streaming…")

    def event(self, note: str) -> None:
        self.screen.set_status(note)
