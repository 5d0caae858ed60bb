"""The session form as a person types into it: Enter saves, a moment is removed with its own button (also
without JavaScript), and a text over its limit is refused with the limit said and the text kept."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, Moment, MomentKind
from tests.helpers.db import count_rows, query
from tests.helpers.form_data import opened, session_form


def _submit_buttons(html: str) -> list[str]:
    """The submit buttons of the session form, in page order (the first is the one Enter presses)."""
    return [m or "(none)" for m in re.findall(r'<button type="submit"(?: name="(\w+)")?', _session_form(html))]


def _session_form(html: str) -> str:
    start = html.index("data-session-form")
    return html[start : html.index("</form>", start)]


def test_enter_in_a_field_presses_save_not_add_moment(world, worker_client):
    html = worker_client.get(f"/families/{world.family_a.id}/sessions/new").get_data(as_text=True)
    buttons = _submit_buttons(html)
    # First a save that names no button (the server saves what names neither add_moment nor remove_moment)
    assert buttons[0] == "(none)"
    assert buttons.index("add_moment") > 0 and buttons.index("remove_moment") > 0 and buttons[-1] == "submit"


def test_a_post_as_enter_sends_it_saves_without_an_empty_moment(app, world, worker_client):
    """Enter sends the form with its default button, which names nothing: no add_moment, no remove_moment."""
    data = session_form()
    del data["submit"]
    response = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data)
    assert response.status_code == 302
    assert count_rows(app, CareSession) == 1 and count_rows(app, Moment) == 2


def test_remove_a_moment_without_javascript_keeps_everything_else(app, world, worker_client):
    url = f"/families/{world.family_a.id}/sessions/new"
    data = session_form(remove_moment="0", **{"moments-2-kind": "positive", "moments-2-description": "Third one"})
    del data["submit"]
    response = worker_client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and count_rows(app, CareSession) == 0  # shown again, not saved
    assert "Mother saw Emma was tired and held her." not in html  # the removed row
    assert 'name="moments-0-description"' not in _session_form(html)
    assert "Emma threw her plate when dinner was late." in html and "Third one" in html
    assert "Bedtime went better this week." in html  # the rest as typed
    assert 'value="irritable" checked' in html or re.search(r'checked[^>]*value="irritable"', html)
    assert "Please check the form" not in html  # removing is not an error

    # The page as it came back, saved: the two rows left, under the names they kept.
    kept = {k: v for k, v in session_form().items() if not k.startswith("moments-0-")}
    kept.update({"moments-2-kind": "positive", "moments-2-description": "Third one", "moments-2-child_id": "0"})
    assert worker_client.post(url, data=kept).status_code == 302
    saved = query(app, lambda: [m.description for m in db.session.execute(select(Moment)).scalars()])
    assert sorted(saved) == ["Emma threw her plate when dinner was late.", "Third one"]


def test_remove_a_saved_moment_when_editing(app, world, worker_client, make):
    family = world.family_a
    care_session = make.care_session(
        family,
        moments=[
            (MomentKind.POSITIVE, "Keep me", ["enjoyed_together"]),
            (MomentKind.DIFFICULT, "Drop me", ["resists"]),
        ],
    )
    url = f"/families/{family.id}/sessions/{care_session.id}/edit"
    version = opened(worker_client, url)
    base = {
        "held_on": str(care_session.held_on),
        "kind": "home_visit",
        "focuses": ["parent"],
        "summary": "We talked about bedtime.",
        "version": version,
        "moments-0-kind": "positive",
        "moments-0-description": "Keep me",
        "moments-0-tags": ["enjoyed_together"],
        "moments-0-child_id": "0",
        "moments-1-kind": "difficult",
        "moments-1-description": "Drop me",
        "moments-1-tags": ["resists"],
        "moments-1-child_id": "0",
    }
    html = worker_client.post(url, data={**base, "remove_moment": "1"}).get_data(as_text=True)
    assert "Drop me" not in html and "Keep me" in html
    without = {k: v for k, v in base.items() if not k.startswith("moments-1-")}
    assert worker_client.post(url, data={**without, "submit": "1"}).status_code == 302
    moments = query(app, lambda: [m.description for m in db.session.get(CareSession, care_session.id).moments])
    assert moments == ["Keep me"]


def test_a_text_over_its_limit_is_refused_with_the_limit_and_kept_whole(app, world, worker_client):
    long_text = "x" * 4005
    response = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=session_form(summary=long_text))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and count_rows(app, CareSession) == 0
    assert "This text has 4,005 characters, 5 more than the 4,000 that fit." in html
    assert long_text in html  # nothing cut: the text is in the field to shorten
    assert "4,005 of 4,000 characters: 5 too many" in html  # the counter says it too
    assert "maxlength" not in html.split('id="summary"')[1].split(">")[0]  # the browser cuts nothing either


def test_a_text_at_its_limit_is_saved_and_a_line_break_counts_once(app, world, worker_client):
    at_limit = "y" * 4000
    with_breaks = "ab\r\n" * 999 + "abcd"  # 3,001 characters as typed, 4,000 as a browser posts them
    data = session_form(summary=at_limit, agreements=with_breaks)
    assert worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
    saved = query(app, lambda: db.session.execute(select(CareSession.summary, CareSession.agreements)).one())
    assert saved.summary == at_limit
    assert saved.agreements == with_breaks.replace("\r\n", "\n")


def test_long_fields_have_a_counter_tied_to_them(world, worker_client):
    html = worker_client.get(f"/families/{world.family_a.id}/sessions/new").get_data(as_text=True)
    for field_id, limit in (("summary", "4000"), ("agreements", "4000"), ("moments-0-description", "1000")):
        field = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert f'data-limit="{limit}"' in field
        assert f"{field_id}-count" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
        counter = re.search(rf'<div id="{field_id}-count"[^>]*>([^<]*)</div>', html)
        assert 'aria-live="polite"' in counter.group(0)
    assert re.search(r'id="summary-count"[^>]*>0 of 4,000 characters<', html)


def test_a_remove_button_naming_no_row_removes_nothing(app, world, worker_client):
    data = session_form(remove_moment="99")
    del data["submit"]
    html = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert "Mother saw Emma was tired and held her." in html and "Emma threw her plate" in html
    assert count_rows(app, CareSession) == 0  # a remove button never saves
