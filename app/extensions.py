"""Extension instances, bound to the app in create_app()."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from app.db.types import UTCDateTime, render_item

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


db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # db.Model is built from Base at run time (Base's bases and attributes, plus the table name
    # and bind mixins); type checkers cannot subclass an attribute, so they are shown Base.
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_item)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
compress = Compress()
