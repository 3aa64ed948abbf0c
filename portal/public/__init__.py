"""Pages anyone may open without signing in: applying to a published posting, and the
privacy notice that says what the agency keeps."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import routes  # noqa: F401  (routes register themselves on bp)
