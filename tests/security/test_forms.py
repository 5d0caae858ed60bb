"""Every form field has a type and a bound on its length (ASVS V2.2)."""

from __future__ import annotations

import importlib
import pkgutil

from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, StringField
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

import app as app_package

# Fields that may go without Length(max=...), with the reason. Keep this short.
UNBOUNDED: set[str] = set()  # "Form.field" names allowed without a Length(max=...); none now


def _form_modules():
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        if module.name.endswith(".forms") or module.name == "app.web.forms":
            yield importlib.import_module(module.name)


def _all_form_classes() -> set[type]:
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


def _unbound_fields(form_class: type):
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if isinstance(value, UnboundField):
            yield name, value


def _validators(unbound: UnboundField) -> list:
    validators = unbound.kwargs.get("validators")
    if validators is None and len(unbound.args) > 1:
        validators = unbound.args[1]
    return list(validators or [])


def _leaf_fields(form_class: type, prefix: str):
    """(qualified name, unbound field) for every field, descending into FormField and FieldList."""
    for name, unbound in _unbound_fields(form_class):
        qualified = f"{prefix}.{name}"
        inner = unbound
        while issubclass(inner.field_class, FieldList):
            inner = inner.args[0]
        if issubclass(inner.field_class, FormField):
            yield from _leaf_fields(inner.args[0], f"{qualified}[]")
        else:
            yield qualified, inner


def _is_bounded(unbound: UnboundField) -> bool:
    if any(isinstance(v, Length) and v.max is not None and v.max >= 0 for v in _validators(unbound)):
        return True
    render_kw = unbound.kwargs.get("render_kw") or {}
    return "maxlength" in render_kw


def test_there_are_forms_to_check():
    names = {cls.__name__ for cls in _all_form_classes()}
    assert {"FamilyForm", "SessionForm", "MomentForm", "PlanForm", "UserForm", "LoginForm"} <= names


def test_every_text_field_has_a_maximum_length():
    unbounded = []
    for form_class in _all_form_classes():
        for name, unbound in _leaf_fields(form_class, form_class.__name__):
            if issubclass(unbound.field_class, StringField) and not _is_bounded(unbound):
                unbounded.append(name)
    unexpected = sorted(set(unbounded) - UNBOUNDED)
    assert not unexpected, f"add Length(max=...) to these fields: {unexpected}"


def test_every_number_field_has_a_range(app):
    from app.admin.forms import signal_settings_form

    with app.test_request_context():
        dynamic = type(signal_settings_form({}))
    missing = []
    for form_class in {*_all_form_classes(), dynamic}:
        for name, unbound in _leaf_fields(form_class, form_class.__name__):
            if issubclass(unbound.field_class, IntegerField) and not any(
                isinstance(v, NumberRange) for v in _validators(unbound)
            ):
                missing.append(name)
    assert not missing, f"add NumberRange(...) to these fields: {sorted(missing)}"


def test_the_allowlist_is_not_stale():
    existing = {name for form_class in _all_form_classes() for name, _ in _leaf_fields(form_class, form_class.__name__)}
    assert existing >= UNBOUNDED, f"remove from UNBOUNDED: {sorted(UNBOUNDED - existing)}"
