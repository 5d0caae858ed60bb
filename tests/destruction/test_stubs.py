"""A destruction line (stub) belongs to the destroyed record's case number and time, never to a later family."""

from __future__ import annotations

from app.extensions import db
from app.models import PURGE_FAMILY_ACTION, AuditEvent, Family
from app.services.destruction import destroy_family
from tests.helpers.audit import audit_events
from tests.helpers.auth import login
from tests.helpers.db import query

STUB_LABEL = "Record destroyed, its log removed"


def _destroy(app, family_id: int, actor) -> None:
    with app.app_context():
        destroy_family(
            db.session.get_one(Family, family_id), actor=db.session.get(type(actor), actor.id), reason="test"
        )
        db.session.commit()


def _table(html: str) -> str:
    """The log's rows only (the search form lists every action's label too)."""
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _admin_search(client, case_number: str) -> str:
    html = client.get(f"/admin/log?case={case_number}").get_data(as_text=True)
    return html.split("<p>", 1)[1].split("</p>", 1)[0] + _table(html)  # the count, then the rows


def test_destroying_the_newest_family_then_making_another_keeps_both_lines(app, client, world, make):
    newest = make.family(world.team_a, world.worker_a, case_number="AT-2001-0099", display_name="Family Gone")
    _destroy(app, newest.id, world.lead_a)
    # The next family, in another team even, gets a new id and a clean log.
    successor = make.family(world.team_b, world.worker_b, case_number="AT-2026-0100", display_name="Family New")
    assert successor.id > newest.id
    lead_b = app.test_client()
    login(lead_b, world.lead_b)
    own_log = _table(lead_b.get(f"/families/{successor.id}/access-log").get_data(as_text=True))
    assert STUB_LABEL not in own_log and "AT-2001-0099" not in own_log

    # The administrator finds the old line by its case number, and not under the new family's.
    login(client, world.admin)
    found = _admin_search(client, "at-2001-0099")
    assert STUB_LABEL in found and "AT-2001-0099" in found and "1 entry" in found
    assert STUB_LABEL not in _admin_search(client, "AT-2026-0100")

    # Destroying the new family leaves the old line where it was: both lines remain.
    _destroy(app, successor.id, world.lead_b)
    stubs = audit_events(app, action=PURGE_FAMILY_ACTION)
    assert [(s.family_id, s.record_ref) for s in stubs] == [(newest.id, "AT-2001-0099"), (successor.id, "AT-2026-0100")]
    assert STUB_LABEL in _admin_search(client, "AT-2001-0099") and STUB_LABEL in _admin_search(client, "AT-2026-0100")


def test_a_line_left_under_a_reused_id_before_the_fix_stays_with_its_own_record(app, client, world):
    """Before ids were kept monotonic a stub could share its family id with a live family: that family's
    log does not show it, its case number does not find it, and destroying it does not take the stub."""
    family = world.family_a
    old_line = "record AT-1999-0001 destroyed (help 1999-01-01 to 2000-01-01) by someone; reason: retention"
    query(
        app,
        lambda: (
            db.session.add(AuditEvent(family_id=family.id, action=PURGE_FAMILY_ACTION, detail=old_line)),
            db.session.commit(),
        ),
    )
    login(client, world.lead_a)
    assert STUB_LABEL not in _table(client.get(f"/families/{family.id}/access-log").get_data(as_text=True))
    admin = app.test_client()
    login(admin, world.admin)
    assert STUB_LABEL not in _admin_search(admin, family.case_number)
    assert STUB_LABEL in _admin_search(admin, "AT-1999-0001")
    _destroy(app, family.id, world.lead_a)
    assert [s.detail for s in audit_events(app, action=PURGE_FAMILY_ACTION)][0] == old_line
    assert len(audit_events(app, action=PURGE_FAMILY_ACTION)) == 2


def test_the_admin_sees_who_destroyed_which_record_and_why_but_no_case_facts(app, client, world, make):
    gone = make.family(world.team_a, world.worker_a, case_number="AT-2002-0002", display_name="Family Secret")
    _destroy(app, gone.id, world.lead_a)
    login(client, world.admin)
    html = _admin_search(client, "AT-2002-0002")
    assert world.lead_a.email in html and "reason: test" in html
    assert "Family Secret" not in html and gone.start_date.isoformat() not in html
