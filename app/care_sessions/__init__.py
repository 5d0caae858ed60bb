from flask import Blueprint

bp = Blueprint("care_sessions", __name__)

from app.care_sessions import routes  # noqa: E402,F401
