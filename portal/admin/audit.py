"""/admin/audit: the audit trail, filtered by what happened, who did it and when."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..audit import ACTIONS
from ..models import AuditEvent, User
from ..times import local_day_bounds
from ..web.forms import options
from ..web.lists import list_page, matches
from . import admin_only, bp
from .forms import AuditFilterForm


def _filter_events(form: AuditFilterForm, query: Select) -> Select:
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.who.data:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            matches(form.who.data, User.name, User.email)
        )
    if form.start.data:
        query = query.where(AuditEvent.at >= local_day_bounds(form.start.data)[0])
    if form.end.data:
        query = query.where(AuditEvent.at < local_day_bounds(form.end.data)[1])
    return query


@bp.get("/audit")
@admin_only
def audit() -> ResponseReturnValue:
    """The audit trail, newest first, filtered by what happened, who did it and when."""
    form = AuditFilterForm(request.args)
    form.action.choices = options(ACTIONS.items(), blank="Everything")
    listing = list_page(
        "audit",
        form,
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        _filter_events,
    )
    return listing.render("admin/audit.html", labels=ACTIONS)
