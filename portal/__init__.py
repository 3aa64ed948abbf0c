"""The follow-up portal: ``flask --app portal`` finds ``create_app`` here.

A request goes: ``web`` (headers, the URL's id converter) → a blueprint's view (``auth``,
``recruiter``, ``candidate``, ``admin``, ``feeds``, ``public``), which looks the rows up through
``access`` (filtered by who is asking), calls one service (``steps``, ``accounts``,
``outbox``, ``reports``, ``privacy``, ``audit``), commits, and renders a template.
"""

from pathlib import Path

from flask import Flask

from . import admin, auth, background, candidate, cli, feeds, public, recruiter, web
from .accounts import passwords, sessions
from .config import from_environment
from .extensions import csrf, db, init_database, login_manager, migrate
from .models import render_migration_item
from .outbox import mail, sender


def create_app(overrides: dict | None = None) -> Flask:
    """Build the portal; ``overrides`` replaces configuration keys (used by tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)

    init_database(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    passwords.init_app(app)
    sessions.init_app(app)
    mail.init_app(app)
    background.init_app(app)
    sender.init_app(app)
    web.init_app(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(recruiter.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(candidate.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(public.bp)
    cli.init_app(app)
    return app
