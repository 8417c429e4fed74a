"""Team mode: the ledger and shared evidence in PostgreSQL (psycopg 3, async; the only place it
is imported), so one team cap and each member's cap hold across machines."""

from modeltui.team.db import TeamDB, shown
from modeltui.team.ledger import MemberTotal, Settled, TeamBook, TeamFigures

__all__ = ["MemberTotal", "Settled", "TeamBook", "TeamDB", "TeamFigures", "shown"]
