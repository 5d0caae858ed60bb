from app.week.routes import bp  # noqa: F401 - the blueprint, with its views, for create_app
