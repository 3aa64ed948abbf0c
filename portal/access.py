"""Who may see what: every lookup of a person's data goes through these queries.

A recruiter's queries are filtered to the candidates assigned to them, so a forgotten
check cannot leak a row; someone else's record is simply not found (404).
"""

from functools import wraps

from flask import abort, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from .extensions import db
from .models import Candidate, Interview, Role, Step, User


def role_required(*roles: Role):
    """Signed in, with one of these roles; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _seen_by(query: Select, user: User) -> Select:
    """Filter a query that joins Candidate to the rows this person may see."""
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.RECRUITER:
        return query.where(Candidate.recruiter_id == user.id)
    return query.where(Candidate.user_id == user.id)


def visible_candidates(user: User) -> Select:
    """Candidates this person may see: all for an admin, assigned ones for a recruiter.
    Erased ones are nobody's to see: only their anonymous steps remain, for the figures."""
    return _seen_by(select(Candidate).where(Candidate.erased_at.is_(None)), user)


def visible_interviews(user: User) -> Select:
    return _seen_by(select(Interview).join(Interview.candidate), user)


def visible_steps(user: User) -> Select:
    """Steps of the interviews this person may see.

    Joined to the candidate through the step's own copy of ``candidate_id`` (always the
    interview's candidate), so the database need not visit the interview to check."""
    return _seen_by(select(Step).join(Candidate, Candidate.id == Step.candidate_id), user)


def get_candidate_or_404(candidate_id: int) -> Candidate:
    return db.first_or_404(visible_candidates(current_user).where(Candidate.id == candidate_id))


def get_interview_or_404(interview_id: int) -> Interview:
    return db.first_or_404(visible_interviews(current_user).where(Interview.id == interview_id))


def home_for(user: User) -> str:
    """Where a person lands after signing in."""
    if user.role == Role.CANDIDATE:
        return url_for("candidate.home")
    if user.role == Role.ADMIN:
        return url_for("admin.users")
    return url_for("recruiter.dashboard")


def get_step_or_404(step_id: int) -> Step:
    return db.first_or_404(visible_steps(current_user).where(Step.id == step_id))
