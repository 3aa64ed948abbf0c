"""Our own pages for the answers that are not the page asked for: 4xx, 5xx, a refused CSRF
token, two people saving one step at once, and a database that does not answer."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db, login_manager
from .uploads import takes_files_here


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 422, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(StaleDataError, _changed_at_once)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    try:
        _ = current_user.is_authenticated  # the page shows who is signed in: load them now
    except SQLAlchemyError as exc:
        return _database_unavailable(exc)
    # A reason the portal gave itself (abort(400, description=…)), not the library's stock text.
    own = getattr(error, "description", None)
    detail = own if own and own != getattr(type(error), "description", None) else None
    return render_template(
        "error.html", error=error, code=code, detail=detail, takes_files=takes_files_here()
    ), code


def _csrf_refused(error):
    return render_template("error.html", error=error, code=400, csrf=True), 400


def _changed_at_once(error):
    """Two people saved the same step at the same moment: the second is told, not lost."""
    db.session.rollback()
    return render_template("error.html", error=error, code=409, conflict=True), 409


def _database_unavailable(error):
    """The database did not answer: a plain page that needs nothing from it, and 503."""
    db.session.rollback()
    current_app.logger.error("Database unavailable: %s", error.__class__.__name__)
    g._login_user = (
        login_manager.anonymous_user()
    )  # rendering must not try to load the person again
    return render_template("unavailable.html"), 503, {"Retry-After": "30"}
