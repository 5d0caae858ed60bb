"""Destroying a family's record on request: /families/<id>/destruction/..."""

from app.destruction.routes import bp  # noqa: F401 - the blueprint, with its views, for create_app
