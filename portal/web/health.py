"""``/healthz``: for load balancers and monitoring, no sign-in."""

from flask import Flask, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Reminder, ReminderStatus
from ..times import utcnow


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)


def healthz():
    """200 when the database answers, 503 when it does not; with the age of the oldest
    reminder not yet sent (a growing age means the reminder run or the mail server is stuck)."""
    try:
        pending = Reminder.status.in_((ReminderStatus.QUEUED, ReminderStatus.SENDING))
        oldest, unsent, failed = db.session.execute(
            select(
                func.min(Reminder.created_at).filter(pending),
                func.count().filter(pending),
                func.count().filter(Reminder.status == ReminderStatus.FAILED),
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
            oldest_unsent_reminder_seconds=age,
            unsent_reminders=unsent,
            failed_reminders=failed,
        )
    response.headers["Cache-Control"] = "no-store"
    return response
