"""Every date a user enters has a range that fits its meaning, and the message names it (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import update
from wtforms.fields import FieldList, FormField

from app.extensions import db
from app.models import CareSession
from app.web.forms import DateField, DateRange
from tests.helpers.auth import login
from tests.helpers.form_classes import all_form_classes, unbound_fields
from tests.helpers.form_data import session_form

TODAY = date(2026, 6, 15)


def _date_fields(form_class, prefix=""):
    for name, unbound in unbound_fields(form_class):
        inner = unbound
        while issubclass(inner.field_class, FieldList):
            inner = inner.args[0]
        if issubclass(inner.field_class, FormField):
            yield from _date_fields(inner.args[0], f"{prefix}{name}.")
        elif "Date" in inner.field_class.__name__:
            yield f"{form_class.__name__}.{prefix}{name}", inner


def test_every_date_field_of_every_form_has_a_range():
    fields = [found for form_class in all_form_classes() for found in _date_fields(form_class)]
    assert len(fields) >= 10
    for name, unbound in fields:
        assert issubclass(unbound.field_class, DateField), f"{name}: app.web.forms.DateField shows year 1 right"
        validators = unbound.kwargs.get("validators") or []
        assert any(isinstance(v, DateRange) for v in validators), f"{name} has no DateRange"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "1989-12-31", "Enter a date from Jan 1, 1990 up to today."),
        ("held_on", "0001-01-01", "Enter a date from Jan 1, 1990 up to today."),
        ("held_on", "2026-06-16", "This date lies in the future. Enter a date up to today."),
        ("next_appointment_on", "2028-06-16", "Enter a date from Jan 1, 1990 to Jun 15, 2028."),
        ("next_appointment_on", "9999-12-31", "Enter a date from Jan 1, 1990 to Jun 15, 2028."),
    ],
)
def test_a_session_date_out_of_range_says_the_range(app, world, client, field, value, message):
    with time_machine.travel(TODAY, tick=False):
        login(client, world.worker_a)
        data = session_form(**({"held_on": "2026-06-01"} | {field: value}))
        html = client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert message in html
    assert f'value="{value}"' in html  # what was typed stays


def test_the_bounds_themselves_are_accepted(app, world, client):
    with time_machine.travel(TODAY, tick=False):
        login(client, world.worker_a)
        data = session_form(held_on="1990-01-01", next_appointment_on="2028-06-15")
        response = client.post(f"/families/{world.family_a.id}/sessions/new", data=data)
    assert response.status_code == 302


def test_a_birth_date_more_than_120_years_back_is_refused(app, world, client):
    url = f"/families/{world.family_a.id}/members/new"
    with time_machine.travel(TODAY, tick=False):
        login(client, world.worker_a)
        old = {"first_name": "Oma", "role": "parent", "birth_date": "1906-06-14"}
        html = client.post(url, data=old).get_data(as_text=True)
        assert "Enter a date from Jun 15, 1906 up to today." in html
        assert client.post(url, data=old | {"birth_date": "1906-06-15"}).status_code == 302


def test_the_dutch_message_names_the_range_in_dutch(app, world, client):
    with time_machine.travel(TODAY, tick=False):
        login(client, world.worker_a)
        client.post("/language", data={"language": "nl"})
        data = session_form(held_on="1989-12-31")
        html = client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert "1 jan 1990" in html


def test_a_stored_year_1_date_shows_as_the_date_input_reads_it(app, world, make, worker_client):
    care_session = make.care_session(world.family_a)
    with app.app_context():
        db.session.execute(update(CareSession).where(CareSession.id == care_session.id).values(held_on=date(1, 1, 1)))
        db.session.commit()
    url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
    html = worker_client.get(url).get_data(as_text=True)
    assert 'value="0001-01-01"' in html
    # Saved again unchanged, it is refused with the range, not taken or lost.
    data = session_form(held_on="0001-01-01", version="1")
    assert "Enter a date from Jan 1, 1990 up to today." in worker_client.post(url, data=data).get_data(as_text=True)
