"""The schema comes from the migrations: up from empty, matching the models, down again."""

import uuid
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (  # noqa: F401  (pytest-alembic's own checks, run here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from conftest import TEST_CONFIG
from portal import create_app
from portal.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@contextmanager
def scratch_database(database_url: str, tmp_path):
    """A brand-new empty database of the same kind as the suite's."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def scratch_app(database_url, tmp_path):
    with scratch_database(database_url, tmp_path) as url:
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        yield app
        with app.app_context():
            db.engine.dispose()


def _drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models_and_downgrades_to_empty(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "candidates", "assignments", "employers", "jobs", "interviews"} <= tables
    assert _drift(scratch_app) == []

    result = scratch_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output

    with scratch_app.app_context():
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
    assert _drift(scratch_app) == []


def test_migrations_have_a_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_keeps_existing_rows_that_other_tables_point_at(scratch_app):
    """SQLite rebuilds a table to alter it; rows in other tables pointing at it must survive."""
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="40320d624302")  # before a revision that rebuilds users
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, role, active, created_at) "
                    "VALUES (7, 'r@example.com', 'Robin Recruiter', 'recruiter', true, '2026-01-05 10:00:00+00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO candidates (id, name, email, phone, role_sought, status, city, notes, recruiter_id, "
                    "created_at, updated_at) VALUES (3, 'Casey', 'c@example.com', '', 'paralegal', 'active', '', '', 7, "
                    "'2026-01-05 10:00:00+00', '2026-01-05 10:00:00+00')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT recruiter_id FROM candidates WHERE id = 3")).scalar_one()
                == 7
            )
            assert (
                conn.execute(text("SELECT name FROM users WHERE id = 7")).scalar_one()
                == "Robin Recruiter"
            )
    assert _drift(scratch_app) == []


def test_reminders_move_into_the_outbox_with_their_ids(scratch_app):
    """The outbox table replaces the reminders table: rows keep their ids and the next new
    email gets the next id (PostgreSQL's sequence is moved past the copied ones)."""
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="3b6bf76b9f00")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, role, active, created_at) VALUES "
                    "(7, 'r@example.com', 'Robin Recruiter', 'recruiter', true, '2026-01-05 10:00:00+00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO reminders (id, key, user_id, kind, occasion, step_ids, status, attempts, "
                    "next_attempt_at, created_at, to_address, subject, last_error) VALUES "
                    "(41, '7:digest:-:morning:2026-01-06', 7, 'digest', 'morning:2026-01-06', '1,2', "
                    "'sent', 1, '2026-01-06 13:00:00+00', '2026-01-06 13:00:00+00', 'r@example.com', "
                    "'Follow-ups: 2 overdue', '')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.begin() as conn:
            row = conn.execute(text("SELECT id, key, status, subject FROM outbox_emails")).one()
            assert tuple(row) == (
                41,
                "7:digest:-:morning:2026-01-06",
                "sent",
                "Follow-ups: 2 overdue",
            )
            new_id = conn.execute(
                text(
                    "INSERT INTO outbox_emails (key, user_id, kind, occasion, step_ids, status, attempts, "
                    "next_attempt_at, created_at, to_address, subject, last_error) VALUES "
                    "('7-password-changed-once', 7, 'password_changed', 'once', '', 'queued', 0, "
                    "'2026-01-07 13:00:00+00', '2026-01-07 13:00:00+00', '', '', '') RETURNING id"
                )
            ).scalar_one()
            assert new_id == 42
            assert "reminders" not in inspect(conn).get_table_names()
    assert _drift(scratch_app) == []


def test_existing_candidates_become_searchable(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="e12ab0e6be2a")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO candidates (id, name, email, phone, role_sought, status, city, notes, "
                    "created_at, updated_at) VALUES (3, 'Zoë Nguyễn', 'Zoe.N@Example.com', "
                    "'+1 (416) 555-0199', 'paralegal', 'active', '', '', "
                    "'2026-01-05 10:00:00+00', '2026-01-05 10:00:00+00')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            found = conn.execute(
                text("SELECT search_text FROM candidates WHERE id = 3")
            ).scalar_one()
        assert found == "zoe nguyen zoe.n@example.com 4165550199"
    assert _drift(scratch_app) == []


def test_existing_candidates_get_the_keys_duplicates_are_found_by(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="62d8682caf93")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO candidates (id, name, email, phone, role_sought, status, city, notes, "
                    "search_text, created_at, updated_at) VALUES (3, 'NGUYỄN, Zoë', 'z@example.com', "
                    "'+1 (416) 555-0199', 'paralegal', 'active', '', '', '', "
                    "'2026-01-05 10:00:00+00', '2026-01-05 10:00:00+00')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            keys = conn.execute(
                text("SELECT name_key, phone_key FROM candidates WHERE id = 3")
            ).one()
        assert tuple(keys) == ("nguyen zoe", "4165550199")
        # The migration's own copy of the keys agrees with the model's.
        from portal.models.agency import name_key, phone_key

        assert (name_key("NGUYỄN, Zoë"), phone_key("+1 (416) 555-0199")) == tuple(keys)
    assert _drift(scratch_app) == []


# pytest-alembic drives the migrations through Flask-Migrate's env.py on a scratch database
# of the suite's kind: upgrade from empty, every step down and up again, one head, no drift.


@pytest.fixture
def alembic_config():
    return {"script_location": MIGRATIONS}


@pytest.fixture
def alembic_engine(scratch_app):
    with scratch_app.app_context():  # env.py reads the app's metadata and settings
        yield db.engine
