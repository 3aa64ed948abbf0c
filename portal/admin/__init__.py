"""The admin's pages under /admin/, one module per URL: users, candidates (assignment,
export, erasure), caseload (hand-overs, unassigned candidates), imports, policy, outbox,
audit, retention."""

from flask import Blueprint

from ..access import role_required
from ..models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = role_required(Role.ADMIN)

from . import (  # noqa: F401  (views register on bp)
    audit,
    candidates,
    caseload,
    imports,
    outbox,
    policy,
    retention,
    users,
)
