"""The database: the declarative base, column types, the engine's wiring and the request's transaction."""
