"""What every page shares: template filters, error pages, response headers, list pages,
form pieces, and the step actions and draft pages that two audiences use.

- ``errors``: our own pages for 4xx and 5xx answers, and for a database that is away
- ``headers``: the security headers every response carries
- ``forms``: the base form, date and password fields, how a refused form is answered
- ``lists``: every list page through one helper (filters, sort, pages, remembered filters)
- ``step_forms`` and ``step_actions``: doing a step, from the recruiter's page or the candidate's
- ``drafts``: the draft note pages
- ``notes``: notes in Markdown, shown as sanitised HTML
- ``urls``: ids in paths, absolute links for emails and feeds
- ``health``: /healthz
"""

from __future__ import annotations

from flask import Flask, abort, current_app, redirect, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

import design
from sitebuilder.pages import css_string

from ..access import home_for
from ..accounts.devices import device
from ..followup import Status, StepKind
from ..models import Role
from ..times import format_date, format_local, relative, zone_label
from . import errors, headers, health
from .hosts import HostCheck
from .lists import page_url, sort_url
from .notes import render_note
from .uploads import allow_files, file_fields
from .urls import DatabaseId


def init_app(app: Flask) -> None:
    """Filters, globals, the home redirect, error pages and headers."""
    app.url_map.converters["int"] = DatabaseId
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["localdate"] = format_date
    app.jinja_env.filters["ago"] = relative
    app.jinja_env.filters["css_string"] = css_string
    app.jinja_env.filters["note"] = render_note
    app.jinja_env.filters["device"] = device
    app.jinja_env.globals.update(
        Role=Role,
        Status=Status,
        StepKind=StepKind,
        page_url=page_url,
        sort_url=sort_url,
        zone_label=zone_label,
        design_stylesheets=design.STYLESHEETS,
    )

    @app.context_processor
    def agency() -> dict[str, str | None]:
        return {"agency_name": app.config["AGENCY_NAME"], "nav_section": nav_section()}

    app.add_url_rule("/", "index", index)
    app.add_url_rule("/design/<path:filename>", "design", design_file)
    # First of all (before the CSRF check reads the form): a view that takes a file
    # raises the body limit for its own requests.
    app.before_request_funcs.setdefault(None, []).insert(0, allow_files)
    app.before_request(refuse_files)
    app.wsgi_app = HostCheck(app.wsgi_app, app.config["TRUSTED_HOSTS"])  # type: ignore[method-assign]
    errors.init_app(app)
    headers.init_app(app)  # its ProxyFix goes outside HostCheck: the forwarded host is checked
    health.init_app(app)


# Which menu item a page belongs to: the place its breadcrumbs start from. A step or an
# interview is a candidate's, however the person got there.
NAV_BY_ENDPOINT = {
    "recruiter.dashboard": "dashboard",
    "recruiter.queue": "queue",
    "feeds.calendar": "calendar",
}
NAV_BY_MODULE = {
    "portal.recruiter.candidates": "candidates",
    "portal.recruiter.interviews": "candidates",
    "portal.recruiter.steps": "candidates",
    "portal.recruiter.employers": "employers",
    "portal.recruiter.jobs": "jobs",
    "portal.recruiter.reports": "compliance",
    "portal.candidate.routes": "checklist",
}


def nav_section() -> str | None:
    """The menu item to mark as where the person is."""
    endpoint = request.endpoint or ""
    if endpoint in NAV_BY_ENDPOINT:
        return NAV_BY_ENDPOINT[endpoint]
    if endpoint.startswith("admin."):
        return "admin"
    view = current_app.view_functions.get(endpoint)
    return NAV_BY_MODULE.get(getattr(view, "__module__", ""))


def refuse_files() -> None:
    """A file is taken only in a field marked ``takes_files``: anywhere else a file sent
    where text is expected is refused plainly (400), before any form reads it as text."""
    if request.method == "POST" and set(request.files) - file_fields():
        abort(400, description="This form takes text, not files. Type the value in instead.")


def index() -> ResponseReturnValue:
    """/: the sign-in page, or the person's own home page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user))


def design_file(filename: str) -> ResponseReturnValue:
    """The shared design system's files (design/), served like the portal's own static ones."""
    return send_from_directory(design.DIRECTORY, filename, max_age=3600)
