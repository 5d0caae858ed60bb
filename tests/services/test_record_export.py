"""The export services read, log themselves in the request's transaction and return plain data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Family, MemberRole, User
from app.services import record_export


@pytest.fixture
def in_request(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
        db.session.rollback()


def _details(action: str) -> list[str]:
    return list(db.session.execute(select(AuditEvent.detail).where(AuditEvent.action == action)).scalars())


def test_an_access_request_withholds_only_members_of_its_own_family(app, world, make, in_request):
    sister = make.member(world.family_a, first_name="Lieke", role=MemberRole.CHILD)
    stranger = make.member(world.family_b, first_name="Bram", role=MemberRole.CHILD)
    family = db.session.get(Family, world.family_a.id)
    record = record_export.export_access_request(
        family, [stranger.id, sister.id, sister.id], fmt="json", lang="en", exported_by="Lead A"
    )
    assert record["information_withheld"] is True and record["exported_by"] == "Lead A"
    assert "Lieke" not in {m["first_name"] for m in record["members"]}
    assert _details("export_record") == [f"json, en; withheld members: {sister.id}"]


def test_the_analysis_export_holds_the_families_the_user_sees_and_says_how_many(app, world, in_request):
    lead = db.session.get(User, world.lead_a.id)
    data = record_export.export_analysis(lead)
    assert len(data["families"]) == 2  # team A's two families, under pseudonyms
    assert data["team_figures"]["families"] == "<5"
    assert _details("export_analysis") == [f"json, team {world.team_a.id}, 2 families"]
