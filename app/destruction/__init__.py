"""Destroying a family's record on request: /families/<id>/destruction/..."""

from flask import Blueprint

bp = Blueprint("destruction", __name__)

from app.destruction import routes  # noqa: E402,F401
