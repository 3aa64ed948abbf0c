"""URLs: ids in paths the database can hold, and absolute links for emails and feeds."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter


class DatabaseId(IntegerConverter):
    """``<int:…>`` in URLs: an id the database can hold (1 to 2^31 - 1); anything else is a 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=2**31 - 1)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: from PORTAL_URL when set, else from this request."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PORTAL_URL") or request.host_url.rstrip("/")
    return base + path


def portal_host() -> str:
    """The portal's host name (from PORTAL_URL when set, else this request's), for ids
    that must be unique across the world, such as calendar events' UIDs."""
    base = current_app.config.get("PORTAL_URL") or request.host_url
    return urlsplit(base).hostname or "localhost"
