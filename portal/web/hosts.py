"""The Host header, checked before Flask reads it.

A host that is not a valid name (a label over 63 characters, odd characters) makes
Werkzeug fail while it routes the request, before any error page of ours can be drawn;
in production a host other than the portal's own (``TRUSTED_HOSTS``, from ``PORTAL_URL``)
is refused too, so no link is ever built on a forged host. Both answer 400 with a small
page that needs nothing from the app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
IPV6_RE = re.compile(r"^\[[0-9a-f:.]+\]$")
PAGE = (
    b'<!doctype html><html lang="en-CA"><head><meta charset="utf-8">'
    b"<title>Bad request</title></head><body><main><h1>Bad request</h1>"
    b"<p>This request did not name this portal's address. Check the address and try again.</p>"
    b"</main></body></html>"
)


def split_host(host: str) -> tuple[str, str | None]:
    """(name, port) of a Host header, lower case; the name is "" when it cannot be read."""
    host = host.lower()
    if host.startswith("["):  # an IPv6 literal, perhaps with a port
        literal, _, rest = host.partition("]")
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return "", None
        return literal + "]", rest[1:] or None
    name, sep, port = host.partition(":")
    if sep and not port.isdigit():
        return "", None
    return name.removesuffix("."), port or None


def host_is_valid(host: str) -> bool:
    """A host name (labels of letters, digits and hyphens, 63 at most) or an IP literal,
    with an optional port."""
    name, _ = split_host(host)
    if IPV6_RE.match(name):
        return True
    return 0 < len(name) <= 253 and all(LABEL_RE.match(label) for label in name.split("."))


class HostCheck:
    """WSGI middleware: refuse a request whose Host is not a valid name, or (with
    ``trusted``) not one of those."""

    def __init__(self, app: Callable[..., Iterable[bytes]], trusted: list[str] | None):
        self.app = app
        self.trusted = {host.lower() for host in trusted} if trusted else None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
        name, _ = split_host(host)
        if not host_is_valid(host) or (self.trusted is not None and name not in self.trusted):
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(PAGE))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [PAGE]
        return self.app(environ, start_response)
