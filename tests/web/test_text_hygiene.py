"""Text as a person typed it (issue 18): names refuse hidden control and direction characters, free text
loses them, and bytes that are not UTF-8 are refused, not stored as "%FF%FE"."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Family
from app.web.forms import has_hidden_characters, strip_filter
from tests.helpers.auth import login

HIDDEN = [
    ("\u202e", "right-to-left override"),
    ("\u202a", "left-to-right embedding"),
    ("\u2066", "left-to-right isolate"),
    ("\u2069", "pop directional isolate"),
    ("\x07", "bell"),
    ("\x1b", "escape"),
    ("\x85", "next line (C1)"),
    ("\x7f", "delete"),
]
KEPT = ["Émile", "Zoë", "Özdemir-Şahin", "李", "محمد", "Line one\nline two", "Tab\there", "O'Brien & Co."]


@pytest.mark.parametrize(("char", "what"), HIDDEN)
def test_free_text_loses_hidden_characters(char, what):
    assert strip_filter(f" calm {char}bedtime ") == "calm bedtime", what
    assert has_hidden_characters(f"a{char}b"), what


@pytest.mark.parametrize("text", KEPT)
def test_letters_of_every_language_newlines_and_tabs_are_kept(text):
    assert strip_filter(text) == text
    assert not has_hidden_characters(text)


@pytest.mark.parametrize(("char", "what"), HIDDEN[:5])
def test_a_name_with_a_hidden_character_is_refused_and_kept_in_the_form(app, world, client, char, what):
    login(client, world.worker_a)
    name = f"Family {char}Evil"
    response = client.post("/families/new", data={"display_name": name, "start_date": "2024-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, what
    assert "This name holds an invisible control character" in html
    with app.app_context():
        assert db.session.execute(db.select(Family).where(Family.display_name.like("%Evil%"))).first() is None


def test_a_free_text_with_an_override_is_saved_without_it(app, world, client):
    login(client, world.worker_a)
    data = {"display_name": "Family Plain", "start_date": "2024-01-01", "context_notes": "moved \u202ein May"}
    assert client.post("/families/new", data=data).status_code == 302
    with app.app_context():
        family = db.session.execute(db.select(Family).where(Family.display_name == "Family Plain")).scalar_one()
        assert family.context_notes == "moved in May"


@pytest.mark.parametrize(
    "body",
    [b"display_name=Family%FF%FE&start_date=2024-01-01", b"display_name=Family\xff\xfe&start_date=2024-01-01"],
    ids=["escaped", "raw"],
)
def test_bytes_that_are_not_utf8_are_refused_with_a_message(app, world, client, body):
    login(client, world.worker_a)
    response = client.post("/families/new", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Part of what you sent is not readable text" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Family).where(Family.display_name.like("Family%F%"))).first() is None


def test_a_typed_percent_sign_is_text(app, world, client):
    login(client, world.worker_a)
    data = {"display_name": "Family 100%FF", "start_date": "2024-01-01"}
    assert client.post("/families/new", data=data).status_code == 302  # sent as %25FF: fine


def test_a_query_that_is_not_utf8_is_refused(app, world, client):
    login(client, world.worker_a)
    assert client.get("/families/?q=%FF%FE").status_code == 400
