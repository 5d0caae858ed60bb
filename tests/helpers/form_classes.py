"""Every form class of the app, found by walking its modules, and the fields each declares."""

from __future__ import annotations

import importlib
import pkgutil

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField

import app as app_package


def _form_modules():
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        if module.name.endswith(".forms") or module.name == "app.web.forms":
            yield importlib.import_module(module.name)


def all_form_classes() -> set[type]:
    for _ in _form_modules():
        pass
    found: set[type] = set()
    pending = [FlaskForm, Form]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("app.") and sub not in found:
                found.add(sub)
            pending.append(sub)
    return found


def unbound_fields(form_class: type):
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if isinstance(value, UnboundField):
            yield name, value


def validators_of(unbound: UnboundField) -> list:
    validators = unbound.kwargs.get("validators")
    if validators is None and len(unbound.args) > 1:
        validators = unbound.args[1]
    return list(validators or [])


def leaf_fields(form_class: type, prefix: str):
    """(qualified name, unbound field) for every field, descending into FormField and FieldList."""
    for name, unbound in unbound_fields(form_class):
        qualified = f"{prefix}.{name}"
        inner = unbound
        while issubclass(inner.field_class, FieldList):
            inner = inner.args[0]
        if issubclass(inner.field_class, FormField):
            yield from leaf_fields(inner.args[0], f"{qualified}[]")
        else:
            yield qualified, inner
