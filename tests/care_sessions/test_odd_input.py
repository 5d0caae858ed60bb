"""Input no session form would send (too many moments, odd ids) is refused or ignored, never a server error."""

from app.models import CareSession
from tests.helpers.auth import login
from tests.helpers.db import count_rows
from tests.helpers.form_data import session_form


def _with_32_moments(data: dict) -> dict:
    for index in range(2, 32):
        data[f"moments-{index}-kind"] = "positive"
        data[f"moments-{index}-description"] = f"moment {index}"
        data[f"moments-{index}-child_id"] = "0"
    return data


def test_more_moments_than_allowed_are_refused_not_dropped(app, world, client):
    login(client, world.worker_a)
    data = _with_32_moments(session_form())
    html = client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert "A session can have at most 30 moments." in html
    assert count_rows(app, CareSession) == 0


def test_too_many_moments_are_refused_beside_another_error(app, world, client):
    """With a wrong date too, the limit is still named: fixing the date must not save 30 of 32 moments."""
    login(client, world.worker_a)
    data = _with_32_moments(session_form(held_on="2999-01-01"))
    html = client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert "A session can have at most 30 moments." in html
    assert "This date lies in the future." in html
    assert count_rows(app, CareSession) == 0


def test_odd_stress_ids_and_huge_urls_do_not_break_the_page(world, client):
    login(client, world.worker_a)
    data = session_form(
        **{"stress_changes-0-item_id": "²", "stress_changes-0-status": "open", "stress_changes-0-severity": "mild"}
    )
    assert client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
    assert client.get("/families/99999999999999999999").status_code == 404
    assert client.get(f"/families/{world.family_a.id}/sessions/99999999999999999999").status_code == 404
