"""The recruiter's pages (admins use them too and see every candidate), one module per URL:
/dashboard and /queue, /candidates, /employers, /jobs, /interviews, /steps, /reports."""

from flask import Blueprint

from ..access import role_required
from ..models import Role

bp = Blueprint("recruiter", __name__)
staff_only = role_required(Role.RECRUITER, Role.ADMIN)

from . import candidates, dashboard, employers, interviews, jobs, reports, steps  # noqa: F401  (views register on bp)
