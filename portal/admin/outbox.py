"""/admin/outbox: every email not sent yet or failed (or of any status), with a retry for
the failed ones."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..extensions import db
from ..models import EmailStatus, OutboxEmail
from ..outbox.emails import retry
from ..web.forms import ConfirmForm
from ..web.lists import list_page
from . import admin_only, bp
from .forms import OutboxFilterForm

NOT_SENT = (EmailStatus.QUEUED, EmailStatus.SENDING, EmailStatus.FAILED)


def _filter_emails(form: OutboxFilterForm, query: Select) -> Select:
    statuses = [form.status.data] if form.status.data else NOT_SENT
    return query.where(OutboxEmail.status.in_(statuses))


def _not_sent(query: Select) -> Select:
    """What the page shows by default, and when its filter cannot be read."""
    return query.where(OutboxEmail.status.in_(NOT_SENT))


@bp.get("/outbox")
@admin_only
def outbox() -> ResponseReturnValue:
    """Emails not sent yet or failed (or any status), newest first, with retry for failed ones."""
    listing = list_page(
        None,
        OutboxFilterForm(request.args),
        select(OutboxEmail)
        .options(joinedload(OutboxEmail.user), joinedload(OutboxEmail.application))
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc()),
        _filter_emails,
        otherwise=_not_sent,
    )
    counts = dict(
        db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status))
        .tuples()
        .all()
    )
    return listing.render(
        "admin/outbox.html", counts=counts, retry_form=ConfirmForm(), EmailStatus=EmailStatus
    )


@bp.post("/outbox/<int:email_id>/retry")
@admin_only
def retry_email(email_id: int) -> ResponseReturnValue:
    """Put a failed email back in the queue: it is tried again at once, then by the runs."""
    email = db.get_or_404(OutboxEmail, email_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if email.status != EmailStatus.FAILED:
        flash("Only failed emails can be retried.", "error")
    else:
        error = email.last_error
        retry(email)
        record(
            current_user,
            "email.retried",
            f"Email {email.key} queued again after: {error}",
            candidate_id=email.candidate_id,
        )
        db.session.commit()
        flash(f"Queued again: it is being sent to {email.recipient} now.", "success")
    return redirect(url_for("admin.outbox", status=EmailStatus.FAILED.value), 303)
