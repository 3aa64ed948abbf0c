"""The follow-up portal: ``flask --app portal`` finds ``create_app`` here."""

from pathlib import Path

from flask import Flask, current_app, g, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

import design
from sitebuilder.pages import css_string

from . import admin, auth, candidate, cli, feeds, health, mail, passwords, recruiter, security
from .access import home_for
from .config import from_environment
from .extensions import csrf, db, login_manager, migrate
from .followup import Status, StepKind
from .models import Role, render_migration_item
from .notes import render_note
from .times import format_date, format_local, relative, zone_label
from .views import page_url, sort_url


def create_app(overrides: dict | None = None) -> Flask:
    """Build the portal; ``overrides`` replaces configuration keys (used by tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseId
    app.config.from_mapping(from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=_migrations_dir(),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    passwords.init_app(app)
    mail.init_app(app)
    security.init_app(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(recruiter.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(candidate.bp)
    app.register_blueprint(feeds.bp)
    cli.init_app(app)
    health.init_app(app)

    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["localdate"] = format_date
    app.jinja_env.filters["ago"] = relative
    app.jinja_env.filters["css_string"] = css_string
    app.jinja_env.filters["note"] = render_note
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["Status"] = Status
    app.jinja_env.globals["StepKind"] = StepKind
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["sort_url"] = sort_url
    app.jinja_env.globals["zone_label"] = zone_label
    app.jinja_env.globals["design_stylesheets"] = design.STYLESHEETS
    app.add_url_rule("/design/<path:filename>", "design", _design_file)

    @app.context_processor
    def agency():
        return {"agency_name": app.config["AGENCY_NAME"]}

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return redirect(home_for(current_user))

    for code in (400, 403, 404, 405, 413, 422, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(StaleDataError, _changed_at_once)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    return app


class DatabaseId(IntegerConverter):
    """``<int:…>`` in URLs: an id the database can hold (1 to 2^31 - 1); anything else is a 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=2**31 - 1)


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    try:
        _ = current_user.is_authenticated  # the page shows who is signed in: load them now
    except SQLAlchemyError as exc:
        return _database_unavailable(exc)
    return render_template("error.html", error=error, code=code), code


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


def _design_file(filename: str):
    """The shared design system's files (design/), served like the portal's own static ones."""
    return send_from_directory(design.DIRECTORY, filename, max_age=3600)


def _migrations_dir() -> str:
    return str(Path(__file__).resolve().parent.parent / "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, allow readers during a write, wait rather than fail."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
