"""Calendar feeds of due steps: the owner's page to get or replace the link, and the feed.

The feed URL carries a long random token instead of a sign-in, because calendar programs
cannot sign in; whoever holds the link can read it, so its owner can replace it at once.
"""

import re
import secrets
from datetime import timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import role_required
from ..audit import record
from ..extensions import db
from ..followup import TO_DO
from ..models import Candidate, Employer, Interview, Role, Step, User
from ..reports.queue import open_steps_in_context
from ..steps.checklist import CANDIDATE_TO_DO
from ..times import format_local, utcnow, zone_label
from ..web.forms import ConfirmForm
from ..web.urls import external_url, portal_host
from . import bp
from .ics import DueEvent, feed

feed_owners = role_required(Role.CANDIDATE, Role.RECRUITER)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
DAYS_BACK, DAYS_AHEAD, MOST_EVENTS = 14, 120, 1000


@bp.get("/account/calendar")
@feed_owners
def calendar():
    """My calendar link: the due steps of my interviews (or my caseload) in my calendar program."""
    token = current_user.calendar_token
    url = external_url("feeds.due_steps", token=token) if token else None
    webcal = re.sub(r"^https?://", "webcal://", url) if url else None
    return render_template("feeds/calendar.html", url=url, webcal=webcal, form=ConfirmForm())


@bp.post("/account/calendar/link")
@feed_owners
def new_link():
    """Make my calendar link, or replace it: the old one stops working at once."""
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("feeds.calendar"), 303)
    replaced = current_user.calendar_token is not None
    current_user.calendar_token = secrets.token_urlsafe(32)
    record(
        current_user,
        "calendar.link_replaced" if replaced else "calendar.link_made",
        f"Calendar link {'replaced' if replaced else 'made'} for {current_user.email}",
    )
    db.session.commit()
    flash(
        "A new calendar link is ready; the old one no longer works."
        if replaced
        else "Your calendar link is ready.",
        "success",
    )
    return redirect(url_for("feeds.calendar"), 303)


@bp.get("/calendar/<token>.ics")
def due_steps(token: str):
    """The feed itself: open steps due from two weeks ago to four months ahead."""
    owner = None
    if TOKEN_RE.match(token):
        owner = db.session.scalar(select(User).where(User.calendar_token == token))
    if owner is None or not owner.active or owner.role not in (Role.CANDIDATE, Role.RECRUITER):
        abort(404)
    now = utcnow()
    rows = db.session.execute(
        open_steps_in_context(owner)
        .where(
            Step.due_at >= now - timedelta(days=DAYS_BACK),
            Step.due_at < now + timedelta(days=DAYS_AHEAD),
        )
        .limit(MOST_EVENTS)
    ).all()
    candidate_feed = owner.role == Role.CANDIDATE
    events = [
        _event(step, interview, candidate, employer, candidate_feed)
        for step, interview, candidate, employer in rows
    ]
    title = (
        "My interview follow-ups"
        if candidate_feed
        else f"Follow-up steps: {owner.name}'s candidates"
    )
    body = feed(
        title,
        current_app.config["AGENCY_NAME"],
        events,
        now,
        zone=current_app.config["PORTAL_TIMEZONE"],
        alarm=candidate_feed,
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="follow-up-steps.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


def _event(
    step: Step, interview: Interview, candidate: Candidate, employer: Employer, for_candidate: bool
) -> DueEvent:
    window = (
        f" The window opens {format_local(step.opens_at, '%a %-d %b')}." if step.opens_at else ""
    )
    channel = (
        f" {employer.name} asked for {step.required_channel.label.lower()}."
        if step.required_channel
        else ""
    )
    if for_candidate:
        summary = f"{step.kind.label}: {employer.name}"
        text = CANDIDATE_TO_DO[step.kind]
        url = external_url("candidate.home", _anchor=f"interview-{interview.id}")
    else:
        summary = f"{step.kind.label}: {candidate.name} ({employer.name})"
        text = TO_DO[step.kind]
        url = external_url("recruiter.step", step_id=step.id)
    description = (
        f"Due {format_local(step.due_at)} ({zone_label()} time), after the interview of "
        f"{format_local(interview.starts_at, '%a %-d %b')}.{window}{channel} {text}\n{url}"
    )
    return DueEvent(
        uid=f"step-{step.id}@{portal_host()}",
        summary=summary,
        description=description,
        due_at=step.due_at,
        url=url,
        last_modified=step.updated_at,
    )
