"""The OpenAI wire format on its own: which status and code each of our errors is said with, and
how a client's turns group into one conversation."""

from __future__ import annotations

import pytest

from modeltui.errors import BudgetRefused, NoModelAvailable, StoreError, TeamUnavailable, UsageError
from modeltui.providers.catalog import Catalog, builtin_models
from modeltui.serve.wire import WireError, conversation_of, error_of, parse_chat


def unknown_model_error() -> Exception:
    """The catalog's own refusal of an id it does not have (not one made up for the test)."""
    catalog = Catalog(builtin_models())
    with pytest.raises(UsageError) as caught:
        catalog.require("nope/nope")
    return caught.value


@pytest.mark.parametrize("exc, status, code", [
    (BudgetRefused("over the monthly cap"), 402, "budget_exceeded"),
    (NoModelAvailable("every model failed"), 503, "no_model_available"),
    (UsageError("the prompt is empty"), 400, "invalid_request"),
    (TeamUnavailable("the team database cannot be reached"), 503, "team_database_unreachable"),
    (StoreError("the log is locked"), 503, "log_unavailable"),
    (RuntimeError("boom sk-abcdefghijklmnopqrstuvwx"), 500, "internal_error"),
])
def test_each_error_has_its_status_and_code(exc, status, code):
    got = error_of(exc)
    assert got[:1] + got[2:3] == (status, code)
    assert "sk-abcdef" not in got[1]


def test_an_unknown_model_is_a_404_by_its_type_not_its_wording():
    exc = unknown_model_error()
    assert error_of(exc)[:1] + error_of(exc)[2:3] == (404, "model_not_found")
    assert error_of(UsageError("unknown model, said in passing"))[0] == 400


def test_a_clients_follow_up_joins_its_conversation_and_another_opening_does_not():
    opening = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "What is 2+2?"}]
    follow = [*opening, {"role": "assistant", "content": "4"}, {"role": "user", "content": "And 3+3?"}]
    assert conversation_of("aider", opening) == conversation_of("aider", follow)
    assert conversation_of("aider", opening) != conversation_of("llm", opening)
    assert conversation_of("aider", opening) != conversation_of("aider", [{"role": "user", "content": "What is 2+3?"}])
    ask = parse_chat({"model": "modeltui/auto", "messages": follow}, "aider", lambda m: False)
    assert ask.request.conversation == conversation_of("aider", opening)
    cli = parse_chat({"model": "modeltui/auto", "messages": opening, "modeltui": {"kind": "cli"}}, "x", lambda m: False)
    assert cli.request.conversation is None  # the CLI's asks are not a client's conversation


def test_a_bad_body_is_a_wire_error_with_its_status():
    with pytest.raises(WireError) as caught:
        parse_chat({"model": "nope/nope", "messages": [{"role": "user", "content": "hi"}]}, None, lambda m: False)
    assert caught.value.status == 404
