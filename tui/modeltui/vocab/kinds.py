"""The words the log and the learning rules are written in. Each is a StrEnum (a member is its
own string, so it goes into SQL, JSON and TOML as it is) and each is spelled here only."""

from __future__ import annotations

from enum import StrEnum


class CallKind(StrEnum):
    """Why a call was made (the `kind` column)."""

    CHAT = "chat"  # the app's chat
    CLI = "cli"  # `modeltui ask`
    ESCALATE = "escalate"  # the same prompt again, one tier up
    RETRY = "retry"  # the same prompt again, on another model
    TOURNAMENT = "tournament"
    JUDGE = "judge"  # a tournament's judge
    SHADOW = "shadow"  # a background check of a cheaper answer
    PIPELINE = "pipeline"
    CHECK = "check"  # a pipeline step's judge check
    BENCH = "bench"
    PROBE = "probe"  # the writability probe (never committed)
    API = "api"  # another tool through `modeltui serve` (the `client` column says which)
    IMPORTED = "imported"  # a call made elsewhere, read from another tool's log (`modeltui import`)

    @classmethod
    def conversation(cls) -> tuple[CallKind, ...]:
        """The kinds a person's conversation is made of (what history, search and follow-ups see)."""
        return (cls.CHAT, cls.ESCALATE, cls.RETRY, cls.CLI, cls.API)

    @classmethod
    def re_asks(cls) -> tuple[CallKind, ...]:
        """Kinds that ask an earlier answer's prompt again: the earlier answer was not good enough."""
        return (cls.ESCALATE, cls.RETRY)


class Status(StrEnum):
    """How a call ended (the `status` column)."""

    STARTED = "started"  # written with the reservation, before the request leaves
    OK = "ok"
    ERROR = "error"
    CANCELLED = "cancelled"
    LOST = "lost"  # its process died: charged at its reservation (estimated)

    @property
    def says_something(self) -> bool:
        """Whether the model is to blame or to praise for how the call ended."""
        return self in (Status.OK, Status.ERROR)


class ErrorKind(StrEnum):
    """What went wrong with a provider call, in the kinds the fallback rules act on."""

    AUTH = "auth"
    NOT_FOUND = "not_found"
    RATE_LIMIT = "rate_limit"
    CONTEXT_WINDOW = "context_window"
    CONTENT_POLICY = "content_policy"
    BAD_REQUEST = "bad_request"
    SERVER = "server"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    BAD_RESPONSE = "bad_response"
    CANCELLED = "cancelled"
    LOST = "lost"  # the process stopped before it logged the call


class EvidenceSource(StrEnum):
    """Where a piece of evidence about an answer came from (`prompt_evidence.source`).

    `in_stats_table` says whether the running statistics also hold it in a table of its own
    (thumbs and votes in `votes`, re-asks in `calls`); the others live only as per-call
    evidence, and a rebuild of the statistics replays them from there."""

    THUMB = "thumb"
    VOTE = "vote"
    ESCALATE = "escalate"
    RETRY = "retry"
    REPHRASED = "rephrased"
    CONTINUED = "continued"
    COPIED = "copied"
    SHADOW = "shadow"
    JUDGE = "judge"
    CHECK = "check"
    BENCH = "bench"

    @property
    def in_stats_table(self) -> bool:
        return self in (EvidenceSource.THUMB, EvidenceSource.VOTE, EvidenceSource.ESCALATE, EvidenceSource.RETRY)

    @classmethod
    def only_per_call(cls) -> tuple[EvidenceSource, ...]:
        return tuple(s for s in cls if not s.in_stats_table)
