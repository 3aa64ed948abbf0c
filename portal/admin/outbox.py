"""/admin/outbox: emails not sent yet or failed, and a retry for the failed ones."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..extensions import db
from ..models import Reminder, ReminderStatus
from ..times import utcnow
from ..web.forms import ConfirmForm
from ..web.lists import paginate
from . import admin_only, bp
from .forms import OutboxFilterForm

NOT_SENT = (ReminderStatus.QUEUED, ReminderStatus.SENDING, ReminderStatus.FAILED)


@bp.get("/outbox")
@admin_only
def outbox():
    """Reminder emails not sent yet or failed (or any status), newest first, with retry for failed ones."""
    form = OutboxFilterForm(request.args)
    filters_ok = form.validate()
    statuses = [form.status.data] if filters_ok and form.status.data else NOT_SENT
    page = paginate(
        select(Reminder)
        .where(Reminder.status.in_(statuses))
        .options(joinedload(Reminder.user))
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )
    counts = dict(
        db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
        .tuples()
        .all()
    )
    return render_template(
        "admin/outbox.html",
        form=form,
        page=page,
        counts=counts,
        retry_form=ConfirmForm(),
        ReminderStatus=ReminderStatus,
    ), 200 if filters_ok else 400


@bp.post("/outbox/<int:reminder_id>/retry")
@admin_only
def retry_reminder(reminder_id: int):
    """Put a failed reminder back in the queue: the next reminder run tries it again."""
    reminder = db.get_or_404(Reminder, reminder_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if reminder.status != ReminderStatus.FAILED:
        flash("Only failed reminders can be retried.", "error")
    else:
        reminder.status, reminder.attempts, reminder.next_attempt_at = (
            ReminderStatus.QUEUED,
            0,
            utcnow(),
        )
        record(
            current_user,
            "reminder.retried",
            f"Reminder {reminder.key} queued again after: {reminder.last_error}",
            candidate_id=reminder.user.candidate.id if reminder.user.candidate else None,
        )
        db.session.commit()
        flash(f"Queued again: the next reminder run sends it to {reminder.user.email}.", "success")
    return redirect(url_for("admin.outbox", status=ReminderStatus.FAILED.value), 303)
