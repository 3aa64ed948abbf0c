from flask import Blueprint

bp = Blueprint("recruiter", __name__)

from . import checklist, reports, routes  # noqa: F401  (views register themselves on bp)
