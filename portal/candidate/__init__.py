from flask import Blueprint

bp = Blueprint("candidate", __name__, url_prefix="/me")

from . import routes  # noqa: F401  (routes register themselves on bp)
