"""One call, end to end: the request and its result, the engine both faces use, fallback decisions, budget reservations."""
