"""Secrets out of server-provided text: the one place a token is scrubbed before it is shown.

A server we do not control may echo our `Authorization` header back, in a 401 body, an HTML error
page, a `success: false` envelope, an event of a stream or even a successful answer. Whatever a
server sends passes through a `Redactor` before it reaches an exception, a warning, a log or the
terminal; it replaces each secret's value, in every spelling a server is likely to echo it (as sent,
URL-quoted, JSON-escaped, base64), and any `Bearer <credential>` with `***`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import quote

__all__ = ["MASK", "Redactor", "guard_logs", "holds_secret", "token_problem"]

MASK = "***"
# A credential after `Bearer`, whatever it is: the header shape itself marks it secret.
_BEARER = re.compile(r"(?i)(bearer\s+)(?!\*\*\*)[^\s\"'<>,;]+")
_MAX_DEPTH = 200  # deeper values are not walked (nothing we parse or accept is that deep)

E = TypeVar("E", bound=BaseException)


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters that spell `raw` inside any longer text, at each of the three byte
    alignments: the characters whose six bits all come from `raw` (standard and URL-safe alphabets)."""
    found = set()
    for shift in range(3):
        start, end = -(-8 * shift // 6), 8 * (shift + len(raw)) // 6
        text = base64.b64encode(bytes(shift) + raw).decode()[start:end]
        found |= {text, text.replace("+", "-").replace("/", "_")}
    return found


def _spellings(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}
    raw = secret.encode("utf-8", "surrogatepass")
    forms |= {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    forms |= _base64_cores(raw)  # base64 of `Bearer <token>`, of a header line, of a JSON text…
    forms |= {raw.hex(), raw.hex().upper()}
    # UTF-16 read as UTF-8 or Latin-1 (a NUL between characters), and that NUL escaped by repr or JSON.
    forms |= {sep.join(secret) for sep in ("\0", "\\x00", "\\u0000")}
    return {f for f in forms if len(f) >= 4}  # a 1-3 character "token" would blank out ordinary text


def token_problem(token: str) -> str | None:
    """Why `token` cannot be sent as a `Bearer` credential (never quoting it), or None: an HTTP header
    carries printable ASCII only."""
    if all(" " < c <= "~" for c in token):
        return None
    return "the API token holds characters an HTTP header cannot carry (non-ASCII, spaces or control characters)"


def holds_secret(text: str, secrets: Iterable[str | None]) -> bool:
    """Whether `text` holds one of `secrets` in any spelling `Redactor` masks (not a mere `Bearer` word)."""
    forms = set().union(*(_spellings(s) for s in secrets if s)) if secrets else set()
    return any(f in text for f in forms)


class Redactor:
    """Replaces the given secrets (and `Bearer …` credentials) with `***` in text and JSON values."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        forms = set().union(*(_spellings(s) for s in secrets if s)) if secrets else set()
        # Longest first, so that a secret containing another is masked whole.
        self._forms = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, self._forms))) if self._forms else None

    def text(self, value: str) -> str:
        if self._pattern is not None:
            value = self._pattern.sub(MASK, value)
        return _BEARER.sub(lambda m: m.group(1) + MASK, value) if "earer" in value or "EARER" in value else value

    def value(self, value: Any, depth: int = 0) -> Any:
        """A JSON-like value with every string (keys included) redacted; the same object if unchanged."""
        if isinstance(value, str):
            return self.text(value)
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.value(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(v, depth + 1) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self.value(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
            return dataclasses.replace(value, **changes)
        return value

    def error(self, exc: E) -> E:
        """`exc` with every string it carries redacted, in place: its message and args, and the
        attributes the client's errors hold (`message`, `excerpt`, `errors`, `partial`)."""
        exc.args = tuple(self.value(a) for a in exc.args)
        for name, current in list(vars(exc).items()):
            if isinstance(current, str | list | tuple | dict) or dataclasses.is_dataclass(current):
                setattr(exc, name, self.value(current))
        return exc

    def stream(self) -> StreamRedactor:
        return StreamRedactor(self)


class StreamRedactor:
    """`Redactor.text` for text printed piece by piece: a secret split across two pieces is still
    caught, because the last `len(longest spelling) - 1` characters are held back until more comes."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._hold = max((len(f) for f in redactor._forms), default=1) - 1
        self._pending = ""

    def feed(self, text: str) -> str:
        text = self._redactor.text(self._pending + text)
        cut = max(0, len(text) - self._hold)
        out, self._pending = text[:cut], text[cut:]
        return out

    def flush(self) -> str:
        out, self._pending = self._redactor.text(self._pending), ""
        return out


# Loggers that may print what a server sent: httpcore logs response headers at DEBUG, httpx the
# status line, ours never server text. A filter on a logger sees only its own records, not its
# children's, hence each by name.
_LOGGERS = (
    "cfai", "httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", "httpcore.socks"
)
_live: weakref.WeakSet[Redactor] = weakref.WeakSet()
_install = threading.Lock()


class _LogRedactor(logging.Filter):
    """Rewrites a record whose text holds a secret of a live client; costs nothing unless the logger
    is enabled for the record's level (filters run after that check)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(_live)
        if redactors:
            text = clean = record.getMessage()
            for redactor in redactors:
                clean = redactor.text(clean)
            if clean != text:
                record.msg, record.args = clean, ()
        return True


_filter = _LogRedactor()


def guard_logs(redactor: Redactor) -> Redactor:
    """Keep `redactor`'s secrets out of the HTTP loggers for as long as it lives; `redactor` itself."""
    with _install:
        if not _live:
            for name in _LOGGERS:
                logger = logging.getLogger(name)
                if _filter not in logger.filters:
                    logger.addFilter(_filter)
        _live.add(redactor)
    return redactor
