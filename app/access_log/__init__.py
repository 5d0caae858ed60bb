from app.access_log.routes import bp  # noqa: F401 - the blueprint, with its views, for create_app
