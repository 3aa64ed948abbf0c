from flask import Blueprint

bp = Blueprint("candidate", __name__, url_prefix="/me")

from . import routes  # noqa: E402,F401  (routes register themselves on bp)
