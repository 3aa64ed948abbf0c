"""The candidate's own pages: only their profile and interviews, never anyone else's."""

from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..access import role_required, visible_candidates, visible_interviews
from ..extensions import db
from ..models import Candidate, Interview, Role
from ..times import utcnow
from . import bp


@bp.get("/")
@role_required(Role.CANDIDATE)
def home():
    """My profile, my recruiter and my interviews (read-only)."""
    candidate = db.first_or_404(
        visible_candidates(current_user).options(joinedload(Candidate.recruiter))
    )
    interviews = db.session.scalars(
        visible_interviews(current_user)
        .options(joinedload(Interview.employer), joinedload(Interview.job))
        .order_by(Interview.starts_at.desc())
    ).all()
    now = utcnow()
    return render_template(
        "candidate/home.html",
        candidate=candidate,
        upcoming=[i for i in reversed(interviews) if i.starts_at >= now],
        past=[i for i in interviews if i.starts_at < now],
    )
