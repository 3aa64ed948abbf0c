from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import routes  # noqa: F401  (routes register themselves on bp)
