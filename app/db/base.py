"""The declarative base every model derives from."""

from datetime import datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from app.db.types import UTCDateTime

# Named constraints keep Alembic migrations deterministic on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


# For every table whose ids the access log names (object_id, family_id). SQLite's plain INTEGER PRIMARY KEY
# hands out max(id) + 1, so the id of the newest row deleted (a destroyed family, a removed account) comes
# back for the next row, which then inherits the old one's log lines. AUTOINCREMENT keeps a high-water mark
# (sqlite_sequence) and never hands an id out twice. PostgreSQL sequences never go back: no effect there.
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}
