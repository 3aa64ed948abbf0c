"""The recruiter's pages (admins use them too and see every candidate), one module per URL:
/dashboard and /queue, /candidates, /duplicates, /employers, /jobs, /interviews,
/steps, /reports."""

from flask import Blueprint

from ..access import role_required
from ..models import Role

bp = Blueprint("recruiter", __name__)
staff_only = role_required(Role.RECRUITER, Role.ADMIN)

from . import (  # noqa: F401  (views register on bp)
    candidates,
    dashboard,
    duplicates,
    employers,
    interviews,
    jobs,
    reports,
    steps,
)
