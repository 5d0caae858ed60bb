"""Extension instances, bound to the app in create_app()."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.db.base import Base
from app.db.types import render_item

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
