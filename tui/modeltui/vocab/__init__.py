"""The vocabularies every layer shares (tiers, call kinds, statuses, error kinds, evidence
sources): enums in one place, importable without pydantic or anything else of ours."""

from modeltui.vocab.kinds import CallKind, ErrorKind, EvidenceSource, Status
from modeltui.vocab.tiers import GENERAL, TIERS, Tier

__all__ = ["GENERAL", "TIERS", "CallKind", "ErrorKind", "EvidenceSource", "Status", "Tier"]
