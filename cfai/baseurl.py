"""Which base URLs the token may be sent to: absolute http(s) URLs, and plain http only to loopback.

A bearer token sent over plain http to another machine can be read by anyone on the path, so that
is refused unless the user opts in (`allow_insecure_http=True`, `CFAI_ALLOW_INSECURE_HTTP=1`, or
`cfai run --allow-insecure-http`). Loopback (`localhost`, 127.0.0.0/8, ::1) never leaves the host:
local mirrors and test servers need no opt-in.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from .faults import InsecureTransport, InvalidBaseURL

__all__ = ["ALLOW_HTTP_ENV", "check_base_url", "host_of", "insecure_allowed", "is_loopback"]

ALLOW_HTTP_ENV = "CFAI_ALLOW_INSECURE_HTTP"


def insecure_allowed(explicit: bool | None = None) -> bool:
    """The opt-in: the argument when given, else `CFAI_ALLOW_INSECURE_HTTP` set to 1/true/yes."""
    if explicit is not None:
        return explicit
    return os.environ.get(ALLOW_HTTP_ENV, "").strip().lower() in ("1", "true", "yes")


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_of(url: str) -> str:
    """`host[:port]` of a URL, without any `user:password@`: fit for a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def check_base_url(url: str, *, allow_insecure_http: bool | None = None, what: str = "base URL") -> str:
    """`url` without a trailing slash, or `InvalidBaseURL` / `InsecureTransport` saying why not.
    The message never repeats a `user:password@` part."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise InvalidBaseURL(f"{what} is not a URL") from None
    shown = f"{parts.scheme}://{host_of(url)}{parts.path}" if parts.hostname else repr(url[:80])
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidBaseURL(f"{what} {shown} is not an absolute http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidBaseURL(f"{what} {shown} holds credentials (user:password@): pass the token instead")
    if parts.query or parts.fragment:
        raise InvalidBaseURL(f"{what} {shown} has a query or fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not insecure_allowed(allow_insecure_http):
        raise InsecureTransport(
            f"{what} {shown} is plain http to a host that is not loopback: the API token would travel in clear "
            f"text; use https, or opt in with allow_insecure_http=True / {ALLOW_HTTP_ENV}=1 / --allow-insecure-http"
        )
    return url.strip().rstrip("/")
