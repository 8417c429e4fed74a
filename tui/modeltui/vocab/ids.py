"""Ids with a time in them (sessions, conversations): here, not in calls/, so that the chat can
make one without importing the engine before its first paint."""

from __future__ import annotations

import time
import uuid


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
