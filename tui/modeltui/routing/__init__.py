"""Choosing a model: pure functions over the catalog and the request (no I/O)."""

from modeltui.routing.complexity import estimate_complexity
from modeltui.routing.decision import RouteDecision, RouteRequest, decide
from modeltui.routing.keyword_rules import classify_use_case

__all__ = ["RouteDecision", "RouteRequest", "decide", "estimate_complexity", "classify_use_case"]
