from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Family, FamilyMember, FamilyStatus, MemberRole, Role
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import opened


def _family(app, family_id) -> Family:
    def load():
        family = db.session.get(Family, family_id)
        family.co_workers  # noqa: B018 - load before the context closes
        family.members  # noqa: B018
        return family

    return query(app, load)


def _form(**overrides):
    data = {
        "display_name": "Family Jansen",
        "status": "intake",
        "start_date": date.today().isoformat(),
        "end_date": "",
        "context_notes": "",
    }
    data.update(overrides)
    return data


def test_worker_registers_a_family_and_carries_it(app, client, make):
    worker = make.user(Role.WORKER)
    login(client, worker)
    response = client.post("/families/new", data=_form(multiple_problems="y"))
    assert response.status_code == 302
    family = query(app, lambda: db.session.execute(select(Family)).scalar_one())
    assert family.primary_worker_id == worker.id
    assert family.team_id == worker.team_id
    assert family.case_number.startswith(f"AT-{date.today().year}-")
    assert family.multiple_problems and not family.parent_unwell
    assert response.headers["Location"].endswith(f"/families/{family.id}/members/new")
    actions = query(
        app,
        lambda: db.session.execute(select(AuditEvent.action).where(AuditEvent.family_id == family.id)).scalars().all(),
    )
    assert "create" in actions


def test_case_numbers_are_unique_and_sequential(app, client, make):
    worker = make.user(Role.WORKER)
    login(client, worker)
    for name in ("One", "Two", "Three"):
        client.post("/families/new", data=_form(display_name=name))
    numbers = query(app, lambda: db.session.execute(select(Family.case_number).order_by(Family.id)).scalars().all())
    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_bad_input_gets_messages_next_to_fields_and_keeps_what_was_typed(client, make):
    login(client, make.user(Role.WORKER))
    response = client.post(
        "/families/new",
        data=_form(display_name="", start_date="31-02-2026", context_notes="Mother sleeps badly since the move"),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This field is required." in html
    assert "Not a valid date value." in html
    assert "Mother sleeps badly since the move" in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html
    assert 'id="display_name-error"' in html


def test_closing_is_not_done_through_the_edit_form(client, world):
    login(client, world.worker_a)
    family = world.family_a
    html = client.get(f"/families/{family.id}/edit").get_data(as_text=True)
    assert 'value="closed"' not in html and 'name="end_date"' not in html
    response = client.post(
        f"/families/{family.id}/edit", data=_form(status="closed", end_date=date.today().isoformat(), version="1")
    )
    assert "Not a valid choice" in response.get_data(as_text=True)
    html = client.post(
        f"/families/{family.id}/edit",
        data=_form(
            status="active", end_date=date.today().isoformat(), start_date=family.start_date.isoformat(), version="1"
        ),
    ).get_data(as_text=True)
    assert "Only a closed family has an end date." in html


def test_the_edit_form_of_a_closed_family_changes_no_status_or_dates(app, client, world, make):
    """Reopening has its own page, for the team lead: the family form cannot reopen the help silently."""
    start = date.today() - timedelta(days=100)
    closed = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.CLOSED, start_date=start, end_date=date.today()
    )
    login(client, world.worker_a)
    url = f"/families/{closed.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="status"' not in page and 'name="start_date"' not in page and 'name="end_date"' not in page
    sneaky = _form(display_name="Family Renamed", status="active", start_date=date.today().isoformat(), version="1")
    assert client.post(url, data=sneaky).status_code == 302
    family = query(app, lambda: db.session.get(Family, closed.id))
    assert (family.display_name, family.status, family.start_date, family.end_date) == (
        "Family Renamed",
        FamilyStatus.CLOSED,
        start,
        date.today(),
    )


def test_too_long_text_is_refused_with_a_message(client, make):
    login(client, make.user(Role.WORKER))
    html = client.post("/families/new", data=_form(display_name="x" * 101)).get_data(as_text=True)
    assert "Field cannot be longer than 100 characters." in html


def test_lead_registers_a_family_for_a_worker_of_the_team_only(app, make):
    team, other = make.team(), make.team()
    lead = make.user(Role.LEAD, team)
    worker = make.user(Role.WORKER, team)
    outsider = make.user(Role.WORKER, other)
    client = app.test_client()
    login(client, lead)
    response = client.post("/families/new", data=_form(primary_worker_id=outsider.id))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/families/new", data=_form(primary_worker_id=worker.id))
    assert response.status_code == 302
    family = query(app, lambda: db.session.execute(select(Family)).scalar_one())
    assert family.primary_worker_id == worker.id


def test_edit_family(app, client, world):
    login(client, world.worker_a)
    family = world.family_a
    page = client.get(f"/families/{family.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    response = client.post(
        f"/families/{family.id}/edit",
        data=_form(
            display_name="Family Alpha-Jansen", status="active", start_date=family.start_date.isoformat(), version="1"
        ),
    )
    assert response.status_code == 302
    assert _family(app, family.id).display_name == "Family Alpha-Jansen"


def test_edit_conflict_keeps_the_first_save_and_shows_both(app, world):
    family = world.family_a
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)
    first.get(f"/families/{family.id}/edit")
    second.get(f"/families/{family.id}/edit")
    start = family.start_date.isoformat()
    saved = first.post(
        f"/families/{family.id}/edit",
        data=_form(
            display_name="Saved first", status="active", start_date=start, context_notes="first note", version="1"
        ),
    )
    assert saved.status_code == 302
    clash = second.post(
        f"/families/{family.id}/edit",
        data=_form(
            display_name="Typed second", status="active", start_date=start, context_notes="second note", version="1"
        ),
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Someone else changed this family while you were editing" in html
    assert "Saved first" in html and "first note" in html  # what is saved now
    assert 'value="Typed second"' in html and "second note" in html  # nothing typed is lost
    assert _family(app, family.id).display_name == "Saved first"
    # Saving again, knowingly, replaces it.
    again = second.post(
        f"/families/{family.id}/edit",
        data=_form(
            display_name="Typed second", status="active", start_date=start, context_notes="second note", version="2"
        ),
    )
    assert again.status_code == 302
    assert _family(app, family.id).display_name == "Typed second"


def test_members_add_validate_remove_and_restore(app, client, world):
    login(client, world.worker_a)
    url = f"/families/{world.family_a.id}/members/new"
    html = client.post(url, data={"first_name": "Emma", "role": "child"}).get_data(as_text=True)
    assert "For a child, enter at least the year of birth" in html
    assert 'value="Emma"' in html
    future = (date.today() + timedelta(days=2)).isoformat()
    html = client.post(url, data={"first_name": "Emma", "role": "child", "birth_date": future}).get_data(as_text=True)
    assert "This date lies in the future." in html
    html = client.post(
        url, data={"first_name": "Emma", "role": "child", "birth_date": "2021-05-04", "birth_year": "2020"}
    ).get_data(as_text=True)
    assert "The year does not match the date of birth." in html
    assert client.post(url, data={"first_name": "Emma", "role": "child", "birth_date": "2021-05-04"}).status_code == 302
    assert client.post(url, data={"first_name": "Anouk", "role": "parent"}).status_code == 302

    page = client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    assert "Emma" in page and "Anouk" in page
    emma = query(
        app, lambda: db.session.execute(select(FamilyMember).where(FamilyMember.first_name == "Emma")).scalar_one()
    )
    client.post(f"/families/{world.family_a.id}/members/{emma.id}/remove")
    assert query(app, lambda: db.session.get(FamilyMember, emma.id).removed_at) is not None
    page = client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    assert "1 removed member" in page
    client.post(f"/families/{world.family_a.id}/members/{emma.id}/restore")
    assert query(app, lambda: db.session.get(FamilyMember, emma.id).removed_at) is None


def test_member_age_is_shown(client, world, make):
    born = date.today().replace(year=date.today().year - 4) - timedelta(days=1)
    make.member(world.family_a, first_name="Milan", birth_date=born, birth_year=born.year)
    login(client, world.worker_a)
    assert "4 years" in client.get(f"/families/{world.family_a.id}").get_data(as_text=True)


def test_lead_reassigns_within_the_team_only(app, client, world):
    login(client, world.lead_a)
    url = f"/families/{world.family_a.id}/workers"
    response = client.post(url, data={"primary_worker_id": world.worker_b.id})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert _family(app, world.family_a.id).primary_worker_id == world.worker_a.id
    response = client.post(
        url,
        data={
            "primary_worker_id": world.colleague_a.id,
            "co_worker_ids": [world.worker_a.id],
            "version": opened(client, url),
        },
    )
    assert response.status_code == 302
    family = _family(app, world.family_a.id)
    assert family.primary_worker_id == world.colleague_a.id
    assert [u.id for u in family.co_workers] == [world.worker_a.id]
    detail = query(
        app, lambda: db.session.execute(select(AuditEvent.detail).where(AuditEvent.action == "reassign")).scalar_one()
    )
    assert "Worker A -> Colleague A" in detail


def test_search_by_name_and_case_number(client, world, make):
    make.family(world.team_a, world.worker_a, display_name="Family Zonneveld", case_number="AT-2026-0777")
    login(client, world.worker_a)
    by_name = client.get("/families/?q=zonnev").get_data(as_text=True)
    assert "Family Zonneveld" in by_name and "Family Alpha" not in by_name
    by_number = client.get("/families/?q=0777").get_data(as_text=True)
    assert "Family Zonneveld" in by_number
    assert "No families match this search." in client.get("/families/?q=nobody").get_data(as_text=True)


def test_search_finds_a_family_by_a_childs_or_parents_first_name_within_what_the_user_may_see(app, client, world, make):
    zonneveld = make.family(world.team_a, world.worker_a, display_name="Family Zonneveld")
    make.member(zonneveld, first_name="Émilie")
    make.member(zonneveld, first_name="Hendrik", role=MemberRole.PARENT, birth_year=1985)
    make.member(world.family_a, first_name="Gone", removed_at=datetime.now(UTC))
    make.member(world.family_b, first_name="Émilie")  # another team's family: never found
    make.member(world.family_a2, first_name="Emilie")  # a colleague's family, not the worker's own
    login(client, world.worker_a)
    child = client.get("/families/?q=%C3%A9MIL").get_data(as_text=True)
    assert "Family Zonneveld" in child
    assert "Family Bravo" not in child and "Family Colleague" not in child and "Family Alpha" not in child
    assert "Family Zonneveld" in client.get("/families/?q=hendrik").get_data(as_text=True)
    # A removed member is no longer in the family: their name no longer finds it.
    assert "No families match this search." in client.get("/families/?q=gone").get_data(as_text=True)
    lead = app.test_client()
    login(lead, world.lead_a)
    overview = lead.get("/overview?q=emilie").get_data(as_text=True)
    assert "Family Colleague" in overview and "Family Bravo" not in overview


def test_search_finds_names_with_accents_and_treats_wildcards_literally(world, client, make):
    make.family(world.team_a, world.worker_a, display_name="Familie Öztürk")
    login(client, world.worker_a)
    assert "Familie Öztürk" in client.get("/families/?q=öztürk").get_data(as_text=True)
    assert "Familie Öztürk" in client.get("/families/?q=ÖZTÜRK").get_data(as_text=True)
    assert "No families match this search." in client.get("/families/?q=%25").get_data(as_text=True)


def test_closed_families_are_hidden_until_asked_for(client, world, make):
    make.family(
        world.team_a, world.worker_a, display_name="Family Closed", status=FamilyStatus.CLOSED, end_date=date.today()
    )
    login(client, world.worker_a)
    assert "Family Closed" not in client.get("/families/").get_data(as_text=True)
    assert "Family Closed" in client.get("/families/?status=all").get_data(as_text=True)


def test_empty_caseload_says_what_to_do(client, make):
    login(client, make.user(Role.WORKER))
    html = client.get("/families/").get_data(as_text=True)
    assert "Your caseload is empty" in html and 'href="/families/new"' in html


def test_viewing_a_family_is_audited_and_refusals_too(app, client, world):
    login(client, world.worker_a)
    client.get(f"/families/{world.family_a.id}")
    client.get(f"/families/{world.family_b.id}")
    rows = query(
        app,
        lambda: db.session.execute(
            select(
                AuditEvent.family_id, AuditEvent.action, AuditEvent.outcome, AuditEvent.user_id, AuditEvent.ip_address
            )
        ).all(),
    )
    assert (world.family_a.id, "view", "ok", world.worker_a.id, "127.0.0.1") in rows
    assert "<title>Family Alpha · Attune</title>" in client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    assert (world.family_b.id, "view", "refused", world.worker_a.id, "127.0.0.1") in rows


def test_a_failed_change_leaves_no_audit_row_and_no_change(app, client, world):
    """The request owns the transaction: a request that fails writes nothing."""
    login(client, world.worker_a)
    before = query(app, lambda: db.session.execute(select(AuditEvent.id)).all())
    response = client.post(f"/families/{world.family_a.id}/edit", data={"display_name": "x", "version": "1"})
    assert response.status_code == 200  # validation failed: only the read is logged
    after = query(
        app, lambda: db.session.execute(select(AuditEvent.action).where(AuditEvent.id > max(before)[0])).scalars().all()
    )
    assert after == ["view"]


def test_the_list_logs_the_families_of_its_page_in_their_own_logs(app, client, world, make, monkeypatch):
    """One row per family shown, under that family: the page's families, not the whole caseload."""
    monkeypatch.setitem(app.config, "FAMILIES_PER_PAGE", 1)
    second = make.family(world.team_a, world.worker_a, display_name="Family Second")
    login(client, world.worker_a)
    for page in (1, 2):
        assert client.get(f"/families/?page={page}").status_code == 200
    seen = query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.family_id, AuditEvent.user_id).where(AuditEvent.action == "seen_in_list")
        ).all(),
    )
    assert sorted(seen) == sorted([(world.family_a.id, world.worker_a.id), (second.id, world.worker_a.id)])
