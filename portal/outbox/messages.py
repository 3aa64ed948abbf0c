"""What each email says, written from the data as it is at the moment of sending.

Bodies are text templates under templates/email/ (not HTML-escaped).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from ..accounts.links import link_hours, link_token
from ..extensions import db
from ..followup import TO_DO, StepKind
from ..followup.rules import span_words
from ..jobs.duty import awaiting_word, days_left
from ..models import (
    Application,
    Candidate,
    EmailKind,
    Employer,
    Interview,
    LinkPurpose,
    OutboxEmail,
    PasswordLink,
    Step,
    User,
)
from ..reports.queue import open_steps_in_context
from ..steps.drafts import SLUG_OF
from ..times import agency_zone, format_local, local_day_bounds
from ..web.urls import external_url
from . import mail
from .reminders import queue_filter

DIGEST_LISTED = 40  # steps listed in one digest; the rest are counted, with a link to the queue


def compose(email: OutboxEmail, now: datetime) -> mail.Message | None:
    """What an email says, written from the data as it is now (None: nothing to say)."""
    if email.kind == EmailKind.APPLICATION_RECEIVED:
        application = email.application
        return None if application is None else _application_message(application)
    if email.user is None:
        return None
    if email.kind == EmailKind.RETURNING_APPLICANT:
        application = email.application
        return None if application is None else _returning_message(email.user, application)
    if email.kind == EmailKind.DIGEST:
        return _digest_message(email.user, now)
    if email.kind in (EmailKind.THANK_YOU, EmailKind.FOLLOW_UP):
        return None if email.step is None else _nudge_message(email.user, email.step, now)
    if email.kind == EmailKind.PASSWORD_CHANGED:
        return _password_changed_message(email.user)
    link = email.link
    if email.kind == EmailKind.EMAIL_CHANGE_NOTICE:
        return None if link is None else _email_change_notice(email.user, link)
    token = link_token(link) if link is not None else None
    if link is None or token is None:
        return None
    if email.kind == EmailKind.EMAIL_CHANGE:
        return _email_change_message(email.user, token, link)
    return _link_message(email.user, token, link.purpose)


@dataclass(frozen=True)
class QueueLine:
    step: Step
    candidate: Candidate
    employer: Employer
    interview: Interview
    when: str  # "overdue by 2 days", "due today 17:00", "window opens today"


def _digest_message(recruiter: User, now: datetime) -> mail.Message | None:
    steps = db.session.execute(
        open_steps_in_context(recruiter).where(Step.recruiter_id == recruiter.id, queue_filter(now))
    ).all()
    today = now.astimezone(agency_zone()).date()
    waiting = db.session.execute(
        awaiting_word(today).where(Candidate.recruiter_id == recruiter.id).limit(DIGEST_LISTED + 1)
    ).all()
    if not steps and not waiting:
        return None
    overdue = sum(step.due_at < now for step, *_ in steps)
    _, day_end = local_day_bounds(now.astimezone(agency_zone()).date())
    lines = [
        QueueLine(step, candidate, employer, interview, _when(step, now, day_end))
        for step, interview, candidate, employer in _most_urgent(steps, now)[:DIGEST_LISTED]
    ]
    by_candidate: dict[int, list[QueueLine]] = defaultdict(list)
    for line in lines:
        by_candidate[line.candidate.id].append(line)
    parts = [f"{overdue} overdue"] if overdue else []
    if len(steps) > overdue:
        parts.append(f"{len(steps) - overdue} due or opening today")
    if waiting:
        more = "+" if len(waiting) > DIGEST_LISTED else ""
        parts.append(
            f"{min(len(waiting), DIGEST_LISTED)}{more} "
            f"interview{'s' if len(waiting) > 1 else ''} awaiting the employer's answer"
        )
    return mail.message(
        recruiter.email,
        "Follow-ups: " + ", ".join(parts),
        "digest.txt",
        waiting=[
            (interview, candidate, employer, days_left(interview, today))
            for interview, candidate, employer in waiting[:DIGEST_LISTED]
        ],
        waiting_more=len(waiting) > DIGEST_LISTED,
        interview_url=lambda interview: external_url(
            "recruiter.interview", interview_id=interview.id
        ),
        recruiter=recruiter,
        groups=list(by_candidate.values()),
        total=len(steps),
        listed=len(lines),
        overdue=overdue,
        to_do=TO_DO,
        step_url=_step_url,
        queue_url=external_url("recruiter.queue"),
        settings_url=external_url("auth.notifications"),
    )


def _most_urgent(steps: Sequence[Any], now: datetime) -> list[Any]:
    """Due today first (they can still be done on time), then the most recently overdue."""
    return sorted(steps, key=lambda row: (row[0].due_at < now, abs(row[0].due_at - now)))


def _when(step: Step, now: datetime, day_end: datetime) -> str:
    if step.due_at < now:
        return f"overdue by {span_words(now - step.due_at)}"
    if step.due_at < day_end:
        return f"due today by {format_local(step.due_at, '%H:%M')}"
    return f"window opens today, due {format_local(step.due_at, '%a %-d %b, %H:%M')}"


def _step_url(step: Step) -> str:
    return external_url("recruiter.step", step_id=step.id)


def _nudge_message(user: User, step: Step, now: datetime) -> mail.Message:
    interview = step.interview
    if step.kind == StepKind.THANK_YOU:
        subject = f"Your thank-you note to {interview.employer.name}"
    else:
        subject = f"Time to follow up with {interview.employer.name}"
    return mail.message(
        user.email,
        subject,
        f"nudge_{step.kind.value}.txt",
        user=user,
        step=step,
        interview=interview,
        due=format_local(step.due_at, "%A %-d %B, %H:%M"),
        left=span_words(step.due_at - now),
        draft_url=external_url(
            "candidate.draft", interview_id=interview.id, slug=SLUG_OF[step.kind]
        ),
        checklist_url=external_url("candidate.home", _anchor=f"interview-{interview.id}"),
        settings_url=external_url("auth.notifications"),
        agency=current_app.config["AGENCY_NAME"],
    )


def _link_message(user: User, token: str, purpose: LinkPurpose) -> mail.Message:
    """The email that carries a password link (an invitation or a reset)."""
    invite = purpose == LinkPurpose.INVITE
    agency = current_app.config["AGENCY_NAME"]
    return mail.message(
        user.email,
        f"Your {agency} portal invitation"
        if invite
        else f"Choose a new password for the {agency} portal",
        "invite.txt" if invite else "reset.txt",
        user=user,
        link=external_url("auth.set_password_from_link", token=token),
        hours=link_hours(purpose),
        agency=agency,
        sign_in=external_url("auth.login"),
        forgot=external_url("auth.forgot_password"),
    )


def _password_changed_message(user: User) -> mail.Message:
    """The notice that a password was changed, so a person can act if it was not them."""
    agency = current_app.config["AGENCY_NAME"]
    return mail.message(
        user.email,
        f"Your {agency} portal password was changed",
        "password_changed.txt",
        user=user,
        agency=agency,
        forgot=external_url("auth.forgot_password"),
    )


def _email_change_message(user: User, token: str, link: PasswordLink) -> mail.Message:
    """To the new address: the link that makes it the person's sign-in address."""
    agency = current_app.config["AGENCY_NAME"]
    return mail.message(
        link.new_email or "",
        f"Confirm your new email address for the {agency} portal",
        "email_change.txt",
        user=user,
        link=external_url("auth.confirm_email", token=token),
        hours=link_hours(link.purpose),
        old_email=link.old_email,
        agency=agency,
    )


def _email_change_notice(user: User, link: PasswordLink) -> mail.Message:
    """To the old address: a change was asked for, and takes effect once confirmed."""
    agency = current_app.config["AGENCY_NAME"]
    return mail.message(
        link.old_email or "",
        f"A change of email address was asked for your {agency} portal account",
        "email_change_notice.txt",
        user=user,
        new_email=link.new_email,
        agency=agency,
    )


def _application_message(application: Application) -> mail.Message:
    """The applicant's confirmation: the same whether their email was known or new."""
    title = application.job.posting_title
    return mail.message(
        application.email,
        f"We received your application: {title}",
        "application_received.txt",
        title=title,
        employer=application.job.employer.name,
        agency=current_app.config["AGENCY_NAME"],
    )


def _returning_message(recruiter: User, application: Application) -> mail.Message:
    """To the recruiter: a candidate of theirs applied to a posting (their application is
    on their record; what they typed did not change it)."""
    title = application.job.posting_title
    return mail.message(
        recruiter.email,
        f"{application.candidate.name} applied for {title}",
        "returning_applicant.txt",
        recruiter=recruiter,
        candidate=application.candidate,
        application=application,
        title=title,
        employer=application.job.employer.name,
        link=external_url("recruiter.candidate", candidate_id=application.candidate_id),
        agency=current_app.config["AGENCY_NAME"],
    )
