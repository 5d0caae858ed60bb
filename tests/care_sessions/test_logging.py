import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    AuditEvent,
    CareSession,
    FormDraft,
    LoginSession,
    Moment,
    MomentKind,
    MomentTag,
    MomentTagRow,
    SessionKind,
    StressItem,
    StressStatus,
    StressUpdate,
)
from tests.helpers.auth import login
from tests.helpers.db import count_rows, moment_counts_off, query
from tests.helpers.form_data import opened, session_form


def test_log_a_session_with_two_moments(app, world, worker_client):
    family = world.family_a
    response = worker_client.post(f"/families/{family.id}/sessions/new", data=session_form())
    assert response.status_code == 302
    saved = query(app, lambda: db.session.execute(select(CareSession)).scalar_one())
    assert saved.created_by_id == world.worker_a.id and saved.focus_parent and not saved.focus_child
    moments = query(app, lambda: db.session.execute(select(Moment).order_by(Moment.position)).scalars().all())
    assert [m.kind for m in moments] == [MomentKind.POSITIVE, MomentKind.DIFFICULT]
    assert (saved.positive_moments, saved.difficult_moments) == (1, 1)  # what the team overview adds up
    tags = query(app, lambda: set(db.session.execute(select(MomentTagRow.tag)).scalars()))
    assert tags == {MomentTag.RESPONDED_TO_SIGNAL, MomentTag.TOOK_FEELINGS_SERIOUSLY, MomentTag.IRRITABLE}
    audit = query(
        app,
        lambda: db.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == saved.id)).scalars().all(),
    )
    assert audit == ["create_session"]

    page = worker_client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Mother saw Emma was tired and held her." in page
    assert "Child is irritable" in page
    detail = worker_client.get(f"/families/{family.id}/sessions/{saved.id}").get_data(as_text=True)
    assert "Recorded by Worker A" in detail
    assert "Mother tries the bedtime song every night." in detail


def test_empty_moments_are_not_saved(app, world, worker_client):
    data = session_form(**{"moments-1-description": "", "moments-1-tags": []})
    assert worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
    assert count_rows(app, Moment) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": (date.today() + timedelta(days=1)).isoformat()}, "This date lies in the future."),
        ({"duration_minutes": "-30"}, "Enter a number of minutes from 1 to 720."),
        ({"moments-0-tags": ["responded_to_signal", "hugged_a_unicorn"]}, "is not a valid choice"),
        ({"moments-0-tags": ["irritable"]}, "These do not fit a positive moment: Child is irritable."),
        ({"moments-0-video_time": "3m12"}, "Write the time as minutes:seconds, for example 03:12."),
        ({"moments-0-video_time": "03:75"}, "Write the time as minutes:seconds, for example 03:12."),
        ({"summary": "x" * 4001}, "This text has 4,001 characters, 1 more than the 4,000 that fit."),
        ({"moments-0-description": "y" * 1001}, "This text has 1,001 characters, 1 more than the 1,000 that fit."),
        ({"focuses": []}, "Choose at least one help focus."),
        ({"next_appointment_on": (date.today() - timedelta(days=3)).isoformat()}, "cannot be before this session"),
    ],
)
def test_bad_input_is_explained_and_nothing_typed_is_lost(app, world, worker_client, overrides, message):
    response = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=session_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "Emma threw her plate when dinner was late." in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html or "is-invalid" in html
    assert count_rows(app, CareSession) == 0


def test_video_time_is_kept_as_seconds_and_shown_as_mm_ss(app, world, worker_client, make):
    make.consent(world.family_a, given=True)
    data = session_form(kind="video_review", **{"moments-0-video_time": "03:12"})
    assert worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
    assert (
        query(app, lambda: db.session.execute(select(Moment.video_seconds).where(Moment.position == 0)).scalar_one())
        == 192
    )
    assert "03:12" in worker_client.get(f"/families/{world.family_a.id}").get_data(as_text=True)


def test_video_session_needs_consent_on_file_for_its_date(app, world, worker_client, make):
    url = f"/families/{world.family_a.id}/sessions/new"
    html = worker_client.post(url, data=session_form(kind="video_recording")).get_data(as_text=True)
    assert "consent for video is not on file" in html
    make.consent(world.family_a, given=True, decided_on=date.today() - timedelta(days=30))
    make.consent(world.family_a, given=False, decided_on=date.today() - timedelta(days=5))
    html = worker_client.post(url, data=session_form(kind="video_recording")).get_data(as_text=True)
    assert "The parents withdrew their consent for video on" in html  # withdrawn since
    earlier = (date.today() - timedelta(days=10)).isoformat()
    assert worker_client.post(url, data=session_form(kind="video_recording", held_on=earlier)).status_code == 302


def test_the_consent_error_says_what_stands_on_file_and_links_to_the_consent_page(app, world, worker_client, make):
    url = f"/families/{world.family_a.id}/sessions/new"
    consent_page = f'href="/families/{world.family_a.id}/consent"'

    def kind_error(**fields):
        html = worker_client.post(url, data=session_form(kind="video_recording", **fields)).get_data(as_text=True)
        assert html.count(consent_page) >= 2  # in the summary and beside the field
        assert "Bedtime went better this week." in html  # what was typed stays in the form
        return html.split('id="kind-error"', 1)[1].split("</div>", 1)[0]

    make.consent(world.family_a, given=False, decided_on=date.today() - timedelta(days=40))
    assert "The parents refused consent for video on" in kind_error()
    make.consent(world.family_a, given=True, decided_on=date.today() - timedelta(days=30))
    make.consent(world.family_a, given=False, decided_on=date.today() - timedelta(days=5))
    withdrawn = kind_error()
    assert "The parents withdrew their consent for video on" in withdrawn
    assert str((date.today() - timedelta(days=5)).day) in withdrawn  # with the day it was withdrawn
    long_ago = (date.today() - timedelta(days=60)).isoformat()
    assert "after the date of this session" in kind_error(held_on=long_ago)


def test_the_data_checks_come_in_the_same_round_as_the_fields(app, world, worker_client):
    data = session_form(kind="video_recording", focuses=[], **{"moments-1-video_time": "3.12"})
    html = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "consent for video is not on file" in summary
    assert "Choose at least one help focus." in summary
    assert '<a href="#moments-1-video_time" class="alert-link">Moment 2 – Time in the recording (mm:ss)</a>' in summary


def test_saving_is_all_or_nothing(app, world, worker_client, monkeypatch):
    from app.services import care_sessions

    def fail_midway(*args, **kwargs):
        raise RuntimeError("disk full while saving stress updates")

    monkeypatch.setattr(care_sessions, "_apply_stress", fail_midway)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=session_form())
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert count_rows(app, CareSession) == 0
    assert count_rows(app, Moment) == 0
    assert count_rows(app, MomentTagRow) == 0
    outcome = query(
        app, lambda: db.session.execute(select(AuditEvent.outcome).where(AuditEvent.action == "view")).scalars().all()
    )
    assert outcome == ["failed 500"]  # the attempt is on file, its changes are not


def test_add_moment_without_javascript_keeps_everything(app, world, worker_client):
    data = session_form(add_moment="1")
    del data["submit"]
    html = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert 'name="moments-2-description"' in html
    assert "Emma threw her plate when dinner was late." in html
    assert count_rows(app, CareSession) == 0


def test_new_and_changed_stress_from_the_session_form(app, world, worker_client, make):
    item = make.stress_item(world.family_a)
    form = worker_client.get(f"/families/{world.family_a.id}/sessions/new").get_data(as_text=True)
    assert 'name="stress_changes-0-item_id"' in form
    data = session_form(
        **{
            "stress_changes-0-item_id": str(item.id),
            "stress_changes-0-status": "in_progress",
            "stress_changes-0-severity": "severe",
            "stress_changes-0-note": "Debt counselling started.",
            "new_stress-kind": "housing",
            "new_stress-severity": "mild",
            "new_stress-status": "open",
            "new_stress-helper": "Housing association",
        }
    )
    assert worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
    items = query(app, lambda: {i.kind.value: i.status for i in db.session.execute(select(StressItem)).scalars()})
    assert items == {"debts": StressStatus.IN_PROGRESS, "housing": StressStatus.OPEN}
    notes = query(app, lambda: db.session.execute(select(StressUpdate.note)).scalars().all())
    assert "Debt counselling started." in notes
    page = worker_client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    assert "Being dealt with" in page and "Housing association" in page


def test_resolved_stress_leaves_the_open_list(app, world, worker_client, make):
    item = make.stress_item(world.family_a)
    data = session_form(
        **{
            "stress_changes-0-item_id": str(item.id),
            "stress_changes-0-status": "resolved",
            "stress_changes-0-severity": "severe",
        }
    )
    worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data)
    resolved = query(app, lambda: db.session.get(StressItem, item.id))
    assert resolved.status == StressStatus.RESOLVED and resolved.resolved_on == date.today()
    assert "1 item resolved" in worker_client.get(f"/families/{world.family_a.id}").get_data(as_text=True)


def test_timeline_filters_and_pages(app, world, worker_client, make):
    family = world.family_a
    for days in range(1, 13):
        make.care_session(family, held_on=date.today() - timedelta(days=days), summary=f"Session {days} days ago")
    make.care_session(
        family,
        held_on=date.today(),
        focus_parent=False,
        focus_stress=True,
        summary="About the debts",
        moments=[(MomentKind.DIFFICULT, "Hard evening", ["resists"])],
    )
    page1 = worker_client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "About the debts" in page1 and "Session 9 days ago" in page1 and "Session 10 days ago" not in page1
    page2 = worker_client.get(f"/families/{family.id}?page=2").get_data(as_text=True)
    assert "Session 10 days ago" in page2
    stress_only = worker_client.get(f"/families/{family.id}?focus=stress").get_data(as_text=True)
    assert "About the debts" in stress_only and "Session 1 days ago" not in stress_only
    difficult = worker_client.get(f"/families/{family.id}?moments=difficult").get_data(as_text=True)
    assert "About the debts" in difficult and "Session 2 days ago" not in difficult


def test_soft_delete_and_restore_by_the_team_lead(app, world, worker_client, make):
    family = world.family_a
    care_session = make.care_session(family, summary="Visit to be deleted")
    assert worker_client.post(f"/families/{family.id}/sessions/{care_session.id}/delete").status_code == 302
    assert "Visit to be deleted" not in worker_client.get(f"/families/{family.id}").get_data(as_text=True)
    assert count_rows(app, CareSession) == 1  # still there, in the trash
    trash = worker_client.get(f"/families/{family.id}/sessions/trash").get_data(as_text=True)
    assert "ask your team lead for the others" in trash

    lead = app.test_client()
    login(lead, world.lead_a)
    assert lead.post(f"/families/{family.id}/sessions/{care_session.id}/restore").status_code == 302
    assert "Visit to be deleted" in worker_client.get(f"/families/{family.id}").get_data(as_text=True)
    actions = query(
        app,
        lambda: (
            db.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == care_session.id)).scalars().all()
        ),
    )
    # Each request's read names the session too (family_view); the changes are logged in order.
    assert [a for a in actions if a != "view"] == ["delete_session", "restore_session"]


def test_consent_history_is_kept(app, world, worker_client):
    url = f"/families/{world.family_a.id}/consent"
    for given in ("yes", "no"):
        response = worker_client.post(
            url,
            data={
                "kind": "video",
                "given": given,
                "given_by": "Anouk (mother)",
                "decided_on": date.today().isoformat(),
                "version": opened(worker_client, url),
            },
        )
        assert response.status_code == 302
    page = worker_client.get(url).get_data(as_text=True)
    assert page.count("Anouk (mother)") >= 2
    assert "withdrawn or refused by Anouk (mother)" in page
    html = worker_client.post(url, data={"kind": "video", "given_by": ""}).get_data(as_text=True)
    assert "Choose whether consent was given or withdrawn." in html


class TestEditing:
    def test_edit_a_session(self, app, world, worker_client, make):
        care_session = make.care_session(
            world.family_a, moments=[(MomentKind.POSITIVE, "Laughed together", ["enjoyed_together"])]
        )
        url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
        form = worker_client.get(url).get_data(as_text=True)
        assert "Laughed together" in form and 'name="version" type="hidden" value="1"' in form
        response = worker_client.post(url, data=session_form(version="1", summary="Corrected summary"))
        assert response.status_code == 302
        saved = query(app, lambda: db.session.get(CareSession, care_session.id))
        assert saved.summary == "Corrected summary" and saved.version == 2 and saved.updated_by_id == world.worker_a.id
        assert (saved.positive_moments, saved.difficult_moments) == (1, 1) and moment_counts_off(app) == []

    def test_conflict_keeps_the_first_save_and_shows_both(self, app, world, make):
        care_session = make.care_session(world.family_a, summary="Original")
        url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
        first, second = app.test_client(), app.test_client()
        login(first, world.worker_a)
        login(second, world.lead_a)
        first.get(url)
        second.get(url)
        assert first.post(url, data=session_form(version="1", summary="Saved by the worker")).status_code == 302
        clash = second.post(url, data=session_form(version="1", summary="Typed by the lead"))
        html = clash.get_data(as_text=True)
        assert clash.status_code == 409
        assert "Someone else saved this session while you were editing" in html
        assert "Saved by the worker" in html  # theirs
        assert "Typed by the lead" in html  # yours, still in the form
        assert query(app, lambda: db.session.get(CareSession, care_session.id).summary) == "Saved by the worker"
        again = second.post(url, data=session_form(version="2", summary="Typed by the lead"))
        assert again.status_code == 302
        assert query(app, lambda: db.session.get(CareSession, care_session.id).summary) == "Typed by the lead"


class TestDraftsSurviveAnExpiredLogin:
    def _expire(self, app):
        def run():
            old = datetime.now(UTC) - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=5)
            db.session.execute(update(LoginSession).values(last_seen_at=old))
            db.session.commit()

        query(app, run)

    def test_long_note_comes_back_after_logging_in_again(self, app, world, worker_client):
        url = f"/families/{world.family_a.id}/sessions/new"
        worker_client.get(url)
        self._expire(app)
        long_note = "A long note typed over twenty minutes. " * 20
        response = worker_client.post(url, data=session_form(summary=long_note))
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert count_rows(app, CareSession) == 0
        assert count_rows(app, FormDraft) == 1

        again = login(worker_client, world.worker_a)
        assert again.status_code == 302
        form = worker_client.get(url).get_data(as_text=True)
        assert "A long note typed over twenty minutes." in form
        assert "Mother saw Emma was tired and held her." in form
        assert "What you typed has been kept" in form

        assert worker_client.post(url, data=session_form(summary=long_note)).status_code == 302
        assert count_rows(app, FormDraft) == 0  # cleared on save

    def test_drafts_are_cleared_at_logout(self, app, world, worker_client):
        url = f"/families/{world.family_a.id}/sessions/new"
        self._expire(app)
        worker_client.post(url, data=session_form())
        login(worker_client, world.worker_a)
        worker_client.post("/logout")
        assert count_rows(app, FormDraft) == 0

    def test_no_draft_is_kept_for_a_cookie_of_a_logged_out_login(self, app, world):
        client = app.test_client()
        login(client, world.worker_a)
        stolen = client.get_cookie("session").value
        client.post("/logout")
        thief = app.test_client()
        thief.set_cookie("session", stolen)
        thief.post(f"/families/{world.family_a.id}/sessions/new", data=session_form(summary="planted text"))
        assert count_rows(app, FormDraft) == 0


def test_a_new_session_starts_from_the_last_one(app, world, worker_client, make):
    make.care_session(world.family_a, kind=SessionKind.CALL, focus_parent=False, focus_stress=True, duration_minutes=20)
    html = worker_client.get(f"/families/{world.family_a.id}/sessions/new").get_data(as_text=True)
    assert '<option selected value="call">' in html
    assert (
        '<input checked class="form-check-input" id="focuses-2" name="focuses" type="checkbox" value="stress">' in html
    )
    assert '<input class="form-check-input" id="focuses-0" name="focuses" type="checkbox" value="parent">' in html
    assert f'value="{date.today().isoformat()}"' in html  # the date is today, not the last one


class _CallTrace:
    """Which app functions run while a given function runs (sys.setprofile sees every Python call)."""

    def __init__(self, watched: set[str]):
        self.watched = watched  # "module:function" of the calls to look inside
        self.inside: list[object] = []
        self.seen: dict[str, list[str]] = {name: [] for name in watched}

    def __call__(self, frame, event, arg):
        name = f"{frame.f_globals.get('__name__', '')}:{frame.f_code.co_name}"
        if event == "call":
            if self.inside:
                self.seen[self.inside[0][0]].append(name)
            if name in self.watched and not self.inside:
                self.inside.append((name, frame))
        elif event == "return" and self.inside and self.inside[0][1] is frame:
            self.inside.clear()


def test_a_session_post_goes_down_once(app, world, worker_client):
    """Route -> one read -> one service call that checks and saves: neither climbs back into the blueprint."""
    read = "app.services.care_sessions:session_form_data"
    save = "app.services.care_sessions:submit_session"
    trace = _CallTrace({read, save})
    sys.setprofile(trace)
    try:
        response = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=session_form())
    finally:
        sys.setprofile(None)
    assert response.status_code == 302
    assert count_rows(app, CareSession) == 1
    for watched, calls in trace.seen.items():
        assert calls, f"{watched} did not run"
        climbs = [c for c in calls if c.startswith(("app.care_sessions.", "app.families.", "app.plans."))]
        assert climbs == [], f"{watched} called back up into {climbs}"
        assert any(c.startswith("app.services.") for c in calls)
    assert "app.audit:record" in trace.seen[save]  # the log row is written inside the one save
