"""Long free text has one rule (app.web.forms.TextLimit): refused over its limit with the limit said, never cut,
and counted as the person sees it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from wtforms import Form, TextAreaField
from wtforms.validators import Length

from app.web.forms import TextLimit, strip_filter, text_length
from tests.helpers.form_classes import all_form_classes, unbound_fields


def test_every_long_text_field_has_the_one_rule():
    """A TextAreaField with WTForms' Length would get a maxlength, where a browser cuts a paste without a word."""
    wrong = []
    for form_class in all_form_classes():
        for name, unbound in unbound_fields(form_class):
            if unbound.field_class is not TextAreaField:
                continue
            validators = unbound.kwargs.get("validators") or []
            if not any(isinstance(v, TextLimit) for v in validators) or any(isinstance(v, Length) for v in validators):
                wrong.append(f"{form_class.__name__}.{name}")
    assert not wrong, f"give these a TextLimit (and no Length): {sorted(wrong)}"


class _Note(Form):
    note = TextAreaField(validators=[TextLimit(10)], filters=[strip_filter])


def _checked(text: str) -> _Note:
    form = _Note(data={"note": text})
    form.validate()
    return form


def test_over_the_limit_says_the_limit_and_how_far_over(app):
    with app.test_request_context(), force_locale("en"):
        assert _checked("x" * 10).note.errors == []
        assert _checked("x" * 12).note.errors == [
            "This text has 12 characters, 2 more than the 10 that fit. Shorten it: what you typed is still here."
        ]


def test_the_numbers_are_written_in_the_users_language(app):
    class Long(Form):
        note = TextAreaField(validators=[TextLimit(4000)])

    with app.test_request_context(), force_locale("nl"):
        form = Long(data={"note": "x" * 4001})
        form.validate()
        assert "4.001" in form.note.errors[0] and "4.000" in form.note.errors[0]


@pytest.mark.parametrize(
    ("text", "count"),
    [("abc", 3), ("a\r\nb", 3), ("a\nb", 3), ("Zoë", 3), ("李李", 2), ("🙂", 1)],
)
def test_characters_are_counted_as_seen(text, count):
    assert text_length(text) == count


def test_a_posted_line_break_is_kept_as_one_character():
    assert strip_filter("one\r\ntwo\r\n") == "one\ntwo"


def test_the_field_carries_no_maxlength_but_its_limit():
    rendered = _Note().note()
    assert "maxlength" not in rendered
    assert _Note().note.flags.text_limit == 10
