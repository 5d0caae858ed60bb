from flask import Blueprint

bp = Blueprint("access_log", __name__)

from app.access_log import routes  # noqa: E402,F401
