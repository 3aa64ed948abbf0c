"""``/healthz``: for load balancers and monitoring, no sign-in.

It answers 200 only when the database both answers and takes a write (a probe written and
rolled back in the same transaction): a database that reads but refuses writes (a read-only
file, a read-only replica, a full disk) would otherwise look healthy while every form fails.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import EmailStatus, OutboxEmail
from ..times import utcnow

# Touches the one row every migrated database has, changing nothing; rolled back at once.
WRITE_PROBE = text("UPDATE alembic_version SET version_num = version_num")


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)


def healthz() -> Response:
    """200 when the database answers and takes writes, 503 naming the part that failed;
    with the age of the oldest email not yet sent (a growing age means the outbox run or the
    mail server is stuck)."""
    try:
        pending = OutboxEmail.status.in_((EmailStatus.QUEUED, EmailStatus.SENDING))
        oldest, unsent, failed = db.session.execute(
            select(
                func.min(OutboxEmail.created_at).filter(pending),
                func.count().filter(pending),
                func.count().filter(OutboxEmail.status == EmailStatus.FAILED),
            )
        ).one()
    except SQLAlchemyError as exc:
        return _unavailable("not answering", exc)
    try:
        db.session.execute(WRITE_PROBE)
    except SQLAlchemyError as exc:
        return _unavailable("answers, but refuses writes", exc)
    finally:
        db.session.rollback()
    age = None if oldest is None else max(int((utcnow() - oldest).total_seconds()), 0)
    response = jsonify(
        status="ok",
        database="ok",
        oldest_unsent_email_seconds=age,
        unsent_emails=unsent,
        failed_emails=failed,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _unavailable(database: str, error: SQLAlchemyError) -> Response:
    db.session.rollback()
    reason = str(getattr(error, "orig", error)).splitlines()[0][:200]
    current_app.logger.error("Health check: the database %s: %s", database, reason)
    # The reason stays in the log: an unsigned-in page must not tell hosts or paths.
    response = jsonify(status="unavailable", database=database)
    response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response
