"""Secret redaction applied to every error message before it is logged, exported or shown.

Two nets: the literal values of key-like environment variables (catches any format), and
patterns of well-known key shapes (catches keys that arrive some other way, e.g. in a config).
"""

from __future__ import annotations

import os
import re

MASK = "[REDACTED]"
_KEY_VAR = re.compile(r"(_API_KEY|_KEY|_TOKEN|_SECRET|_PASSWORD)$")
_PATTERNS = [
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}"),  # OpenAI, Anthropic (sk-ant-…), many others
    re.compile(r"\bgsk_[A-Za-z0-9]{8,}"),  # Groq
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),  # Google
    re.compile(r"\bxai-[A-Za-z0-9]{8,}"),
    re.compile(r"(?i)(?P<keep>bearer\s+)[A-Za-z0-9._~+/\-]{8,}=*"),
    re.compile(r"(?i)(?P<keep>(?:api[_-]?key|x-api-key|access[_-]?token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{8,}"),
]


def _env_secrets() -> list[str]:
    return [v for k, v in os.environ.items() if _KEY_VAR.search(k.upper()) and len(v) >= 6]


def redact(text: object) -> str:
    """Return `text` as a string with every known secret and key-shaped token masked."""
    s = str(text)
    for secret in sorted(set(_env_secrets()), key=len, reverse=True):
        if secret in s:
            s = s.replace(secret, MASK)
    for pat in _PATTERNS:
        s = pat.sub(lambda m: (m.groupdict().get("keep") or "") + MASK, s)
    return s
