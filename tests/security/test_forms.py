"""Every form field has a type and a bound on its length (ASVS V2.2)."""

from __future__ import annotations

from wtforms import IntegerField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

from app.web.forms import TextLimit
from tests.helpers.form_classes import all_form_classes, leaf_fields, validators_of

# Fields that may go without Length(max=...), with the reason. Keep this short.
UNBOUNDED: set[str] = set()  # "Form.field" names allowed without a Length(max=...); none now


def _is_bounded(unbound: UnboundField) -> bool:
    if any(isinstance(v, Length) and v.max is not None and v.max >= 0 for v in validators_of(unbound)):
        return True
    if any(isinstance(v, TextLimit) and v.max >= 0 for v in validators_of(unbound)):  # long free text
        return True
    render_kw = unbound.kwargs.get("render_kw") or {}
    return "maxlength" in render_kw


def test_there_are_forms_to_check():
    names = {cls.__name__ for cls in all_form_classes()}
    assert {"FamilyForm", "SessionForm", "MomentForm", "PlanForm", "UserForm", "LoginForm"} <= names


def test_every_text_field_has_a_maximum_length():
    unbounded = []
    for form_class in all_form_classes():
        for name, unbound in leaf_fields(form_class, form_class.__name__):
            if issubclass(unbound.field_class, StringField) and not _is_bounded(unbound):
                unbounded.append(name)
    unexpected = sorted(set(unbounded) - UNBOUNDED)
    assert not unexpected, f"add Length(max=...), or TextLimit(...) for long free text, to these fields: {unexpected}"


def test_every_number_field_has_a_range(app):
    from app.admin.forms import signal_settings_form

    with app.test_request_context():
        dynamic = type(signal_settings_form({}))
    missing = []
    for form_class in {*all_form_classes(), dynamic}:
        for name, unbound in leaf_fields(form_class, form_class.__name__):
            if issubclass(unbound.field_class, IntegerField) and not any(
                isinstance(v, NumberRange) for v in validators_of(unbound)
            ):
                missing.append(name)
    assert not missing, f"add NumberRange(...) to these fields: {sorted(missing)}"


def test_the_allowlist_is_not_stale():
    existing = {name for form_class in all_form_classes() for name, _ in leaf_fields(form_class, form_class.__name__)}
    assert existing >= UNBOUNDED, f"remove from UNBOUNDED: {sorted(UNBOUNDED - existing)}"
