"""What can go wrong once a request leaves: typed errors that say which model, which path, which status.

Every error here is an `APIError` (a `CfaiError`) carrying `model`, `path` (the URL path: never the
query or a header, so never the token; a connection error also names the host it could not reach), `status` when the server answered, and how many
`attempts` and which `waits` the client spent before giving up. The hierarchy follows openai-python:

    APIError
    ├── APIConnectionError          no answer: refused, reset, dropped          (retried)
    │   └── APITimeoutError         no answer in time                           (retried only on connect)
    ├── APIStatusError              HTTP 4xx/5xx; `errors` holds the Cloudflare `errors[]` (code, message)
    │   ├── BadRequestError 400 · AuthenticationError 401 · PermissionDeniedError 403
    │   ├── NotFoundError 404 · RateLimitError 429 (retried) · ServerError 5xx (502/503/504 retried)
    ├── ResponseDecodeError         2xx whose body is not JSON, or is cut short
    │   └── ResponseTooLarge        an answer over `max_response_bytes` (decompressed)
    ├── ResponseValidationError     2xx whose JSON breaks the model's output schema (`errors`, located)
    └── StreamIncomplete            a stream that ended before `[DONE]`, or without the usage it promised
        └── StreamTimeout           no event for `stream_idle_timeout` s, or past `stream_timeout` s

Before anything is sent: `MissingCredentials`, `UsageError` (`InvalidBaseURL`, `InsecureTransport`).
Every text a server sent is passed through `cfai.redact.Redactor` before it lands in one of these.

By default an answer (or stream frame) that breaks the output schema is returned with a
`cfai.ContractWarning` (`ResponseSchemaWarning` is the same class, its former name);
`ResponseValidationError` is raised instead with `strict=True`.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import CfaiError, ContractWarning, PayloadError
from .stream import Reassembled

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CloudflareError",
    "ContractWarning",
    "InsecureTransport",
    "InvalidBaseURL",
    "MissingCredentials",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseSchemaWarning",
    "ResponseTooLarge",
    "ResponseValidationError",
    "ServerError",
    "StreamIncomplete",
    "StreamTimeout",
    "UsageError",
    "excerpt",
    "retry_after",
    "status_error",
]


class MissingCredentials(CfaiError, ValueError):
    """No account id or API token: pass them, or set CLOUDFLARE_ACCOUNT_ID / CLOUDFLARE_API_TOKEN."""


class UsageError(CfaiError, ValueError):
    """The client was called in a way it cannot honour (e.g. `stream: true` in a non-streamed call)."""


class InvalidBaseURL(UsageError):
    """A base URL that is not an absolute http(s):// URL with a host."""


class InsecureTransport(InvalidBaseURL):
    """The token would travel in clear text: plain http to a host that is not loopback, without
    `allow_insecure_http=True` (or `CFAI_ALLOW_INSECURE_HTTP=1`, `cfai run --allow-insecure-http`)."""


@dataclass(frozen=True, slots=True)
class CloudflareError:
    """One entry of the Cloudflare envelope's `errors[]` (or an OpenAI-style `error` object)."""

    code: int | str | None
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" if self.code is not None else self.message


class APIError(CfaiError):
    """A call that reached for the network and failed. `str()` says what, where and for which model."""

    def __init__(self, message: str, *, model: str, path: str, status: int | None = None) -> None:
        self.message = message
        self.model = model
        self.path = path
        self.status = status
        self.attempts = 1
        self.waits: tuple[float, ...] = ()
        super().__init__(message)

    def __str__(self) -> str:
        status = f" → {self.status}" if self.status is not None else ""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.model}: POST {self.path}{status}{tries}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, path={self.path!r}, status={self.status!r})"


class APIConnectionError(APIError):
    """No HTTP answer at all: connection refused, reset, or closed before a status line."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout."""


class APIStatusError(APIError):
    """An HTTP error status. `errors` are the parsed Cloudflare errors; `excerpt` a short text of a
    body that had none (an HTML error page, plain text)."""

    def __init__(
        self,
        message: str,
        *,
        model: str,
        path: str,
        status: int,
        errors: Sequence[CloudflareError] = (),
        excerpt: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, model=model, path=path, status=status)
        self.errors = tuple(errors)
        self.excerpt = excerpt
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class ServerError(APIStatusError):
    pass


class ResponseDecodeError(APIError):
    """A success status whose body is not the JSON (or the event stream) it should be."""

    def __init__(self, message: str, *, model: str, path: str, status: int | None, excerpt: str = "") -> None:
        super().__init__(message, model=model, path=path, status=status)
        self.excerpt = excerpt


class ResponseTooLarge(ResponseDecodeError):
    """An answer (or a stream) larger than `max_response_bytes` once decompressed: reading stopped
    at the cap, so a compressed bomb never reaches memory whole."""


class ResponseValidationError(APIError):
    """A response (or one streamed chunk) that breaks the model's output schema; `errors` located."""

    def __init__(
        self, errors: Sequence[PayloadError], *, model: str, path: str, status: int | None, where: str = "response"
    ) -> None:
        self.errors = tuple(errors)
        lines = [f"{where} breaks the output schema, {len(self.errors)} error(s):", *(f"  {e}" for e in self.errors)]
        super().__init__("\n".join(lines), model=model, path=path, status=status)


class StreamIncomplete(APIError):
    """A stream that stopped short; `partial` is what arrived, reassembled."""

    def __init__(self, message: str, *, model: str, path: str, status: int | None, partial: Reassembled) -> None:
        super().__init__(message, model=model, path=path, status=status)
        self.partial = partial


class StreamTimeout(StreamIncomplete):
    """A stream that sent no event for `stream_idle_timeout` seconds, or ran past `stream_timeout`."""


# The former name of `ContractWarning`, kept for callers that filter on it.
ResponseSchemaWarning = ContractWarning


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


def excerpt(text: str, width: int = 200, *, redact: Callable[[str], str]) -> str:
    """A short, one-line text of a body: an HTML page's `<title>`, else its text without tags.

    `redact` (a `cfai.redact.Redactor`'s `text`) runs on the whole text, before and after it is
    unescaped, and only then is it shortened: a secret that straddles the cut is masked whole, not
    printed all but its last characters."""
    text = redact(text)
    if title := _TITLE.search(text):
        text = title.group(1)
    elif "<" in text:
        text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    text = redact(_SPACE.sub(" ", html.unescape(text)).strip())
    return text if len(text) <= width else text[: width - 1] + "…"


def cloudflare_errors(body: Any) -> list[CloudflareError]:
    """`errors[]` of a Cloudflare envelope, or the `error` object of an OpenAI-style error body."""
    if not isinstance(body, Mapping):
        return []
    found: list[CloudflareError] = []
    entries = body.get("errors")
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, Mapping):
                found.append(CloudflareError(entry.get("code"), str(entry.get("message", ""))))
            elif isinstance(entry, str):
                found.append(CloudflareError(None, entry))
    error = body.get("error")
    if isinstance(error, Mapping):
        found.append(CloudflareError(error.get("code") or error.get("type"), str(error.get("message", ""))))
    elif isinstance(error, str):
        found.append(CloudflareError(None, error))
    return found


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """`Retry-After` in seconds: delta-seconds, or an HTTP-date measured from the response's own
    `Date` (the server's clock, so skew between the clocks does not matter) else from `now`."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    try:
        base = email.utils.parsedate_to_datetime(headers["date"]).timestamp()
    except (KeyError, TypeError, ValueError, IndexError):
        base = time.time() if now is None else now
    return max(0.0, when - base)


def status_error(
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    model: str,
    path: str,
    redact: Callable[[str], str] = lambda text: text,
) -> APIStatusError:
    """The typed error of an HTTP error answer, with the Cloudflare errors parsed out of its body;
    `redact` runs on the body's text before it is shortened."""
    text = content.decode("utf-8", errors="replace")
    try:
        errors = cloudflare_errors(json.loads(text))
    except ValueError:
        errors = []
    short = "" if errors else excerpt(text, redact=redact)
    message = "; ".join(map(str, errors)) or short or "(empty body)"
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIStatusError)
    return cls(
        message, model=model, path=path, status=status, errors=errors, excerpt=short, retry_after=retry_after(headers)
    )
