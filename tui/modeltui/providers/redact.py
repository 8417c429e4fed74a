"""Secret redaction applied to all text that leaves the gateway (errors, answers) and to every
error message before it is logged, exported or shown.

Four nets: the literal values of key-like environment variables (`*_KEY`, `*_TOKEN`, …), the
literal values of every variable the config names as a key (`watch`, called when the catalog is
built: a provider's `env_var` can be called anything), the credentials inside configured URLs
(`watch_urls`: a password in `http://user:secret@host`, a `?key=` value, and the `Basic` header
httpx makes of them, which a server may echo), and patterns of well-known key shapes (keys that
arrive some other way, URL credentials and key-like query parameters anywhere).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

MASK = "[REDACTED]"
MIN_SECRET = 6  # shorter values would mask ordinary words
_KEY_VAR = re.compile(r"(_API_KEY|_KEY|_TOKEN|_SECRET|_PASSWORD|_CRED|_CREDENTIALS)$")
_watched: set[str] = set()
_literals: set[str] = set()  # secret values found in configured URLs
_QUERY_KEYS = r"(?:key|api[_-]?key|apikey|token|access[_-]?token|auth|secret|password|passwd|sig|signature|code)"
_PATTERNS = [
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}"),  # OpenAI, Anthropic (sk-ant-…), many others
    re.compile(r"\bgsk_[A-Za-z0-9]{8,}"),  # Groq
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),  # Google
    re.compile(r"\bxai-[A-Za-z0-9]{8,}"),
    re.compile(r"(?i)(?P<keep>(?:bearer|basic)\s+)[A-Za-z0-9._~+/\-]{8,}=*"),
    re.compile(r"(?i)(?P<keep>\b[a-z][a-z0-9+.\-]*://)[^/\s:@?#]+(?::[^/\s@?#]*)?(?=@)"),  # user:password@ in a URL
    re.compile(rf"(?i)(?P<keep>[?&;]{_QUERY_KEYS}=)[^&\s#\"'<>]+"),
    re.compile(r"(?i)(?P<keep>(?:api[_-]?key|x-api-key|access[_-]?token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{8,}"),
]


def watch(names: Iterable[str | None]) -> None:
    """Treat these environment variables' values as secrets from now on."""
    _watched.update(n for n in names if n)


def watch_urls(urls: Iterable[str | None]) -> None:
    """Treat the credentials inside these URLs as secrets from now on: the password, the value
    of a key-like query parameter, and `base64(user:password)` as httpx sends it."""
    for url in filter(None, urls):
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        if parts.password:
            user, password = unquote(parts.username or ""), unquote(parts.password)
            _literals.update({password, parts.password, base64.b64encode(f"{user}:{password}".encode()).decode()})
        for name, value in parse_qsl(parts.query):
            if re.fullmatch(_QUERY_KEYS, name, re.IGNORECASE):
                _literals.add(value)


def secrets() -> list[str]:
    """The secret values set now, longest first (so a key containing another is masked whole)."""
    found = {v for k, v in os.environ.items() if (k in _watched or _KEY_VAR.search(k.upper())) and len(v) >= MIN_SECRET}
    found |= {v for v in _literals if len(v) >= MIN_SECRET}
    return sorted(found, key=len, reverse=True)


def redact(text: object) -> str:
    """Return `text` as a string with every known secret and key-shaped token masked."""
    s = str(text)
    for secret in secrets():
        if secret in s:
            s = s.replace(secret, MASK)
    for pat in _PATTERNS:
        s = pat.sub(lambda m: (m.groupdict().get("keep") or "") + MASK, s)
    return s


class StreamRedactor:
    """Masks secret values in streamed text even when one is split across chunks: the last
    (longest secret - 1) characters are held back until the next chunk or `flush()`."""

    def __init__(self):
        self._secrets = secrets()
        self._hold = max((len(s) for s in self._secrets), default=1) - 1
        self._buf = ""

    def _mask(self, s: str) -> str:
        for secret in self._secrets:
            s = s.replace(secret, MASK)
        return s

    def feed(self, chunk: str) -> str:
        self._buf = self._mask(self._buf + chunk)
        if len(self._buf) <= self._hold:
            return ""
        cut = len(self._buf) - self._hold
        out, self._buf = self._buf[:cut], self._buf[cut:]
        return out

    def flush(self) -> str:
        out, self._buf = self._mask(self._buf), ""
        return out
