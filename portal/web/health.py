"""``/healthz``: for load balancers and monitoring, no sign-in."""

from flask import Flask, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import EmailStatus, OutboxEmail
from ..times import utcnow


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)


def healthz():
    """200 when the database answers, 503 when it does not; with the age of the oldest
    email not yet sent (a growing age means the outbox run or the mail server is stuck)."""
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
        db.session.rollback()
        current_app.logger.error(
            "Health check: the database did not answer: %s", exc.__class__.__name__
        )
        response = jsonify(status="unavailable", database="not answering")
        response.status_code = 503
    else:
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
