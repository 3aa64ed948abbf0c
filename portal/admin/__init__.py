"""The admin's pages under /admin/, one module per URL: users, candidates (assignment,
export, erasure), caseload (hand-overs, unassigned candidates), policy, outbox, audit,
retention."""

from flask import Blueprint

from ..access import role_required
from ..models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = role_required(Role.ADMIN)

from . import audit, candidates, caseload, outbox, policy, retention, users  # noqa: F401  (views register on bp)
