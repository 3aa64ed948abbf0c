"""Flask extensions, created unbound and attached in ``create_app``."""

from typing import TYPE_CHECKING

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, func, select, text
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter them later, which SQLite's batch mode needs.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:  # the checker cannot take db.Model (made at run time) for a class

    class Model(Base):
        """Every table's base: db.Model, our declarative base with Flask-SQLAlchemy's bits."""

else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


def write_lock(advisory: int | None = None) -> None:
    """Take turns with other processes for the rest of this transaction (call it first in a
    fresh one). SQLite: its write lock, BEGIN IMMEDIATE, for the whole database.
    PostgreSQL: the transaction-level advisory lock ``advisory`` (a 64-bit number) when one
    is given; without one, statements lock the rows they touch themselves."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    elif advisory is not None and dialect == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(advisory)))


def refresh_statistics(*tables: str) -> None:
    """After writing many rows at once: PostgreSQL's planner is told what the tables hold
    now (ANALYZE), rather than planning from what they held before until autovacuum comes
    round (a join planned for a near-empty table took minutes on thousands of rows). The
    caller has committed; SQLite plans without such statistics."""
    if db.session.get_bind().dialect.name == "postgresql":
        names = ", ".join(t for t in tables if t.isidentifier())  # our table names only
        db.session.execute(text(f"ANALYZE {names}"))  # nosec B608
        db.session.commit()


def init_database(app: Flask) -> None:
    """Bind the database; on SQLite, set each new connection up as the portal expects."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(
                db.engine, "connect", _sqlite_pragmas(int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
            )


def _sqlite_pragmas(busy_timeout_ms: int):
    """SQLite: enforce foreign keys, allow readers during a write, wait rather than fail."""

    def set_up(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cursor.close()

    return set_up
