"""Logging a session: /families/<id>/sessions/..., plus consent and family stress."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.care_sessions.forms import (
    MAX_MOMENTS,
    ConsentForm,
    SessionForm,
    StressItemForm,
    TrashForm,
    parse_video_time,
    tag_help,
)
from app.extensions import db
from app.models import (
    DIFFICULT_TAGS,
    CareSession,
    ConsentKind,
    ConsentRecord,
    Family,
    HelpFocus,
    MomentKind,
    SessionKind,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    StressUpdate,
)
from app.security.access import can_restore_sessions, family_or_404
from app.security.roles import case_roles_required
from app.services import care_sessions as sessions_service
from app.services import drafts
from app.services import plans as plans_service
from app.services.care_sessions import (
    MomentInput,
    NewStress,
    SessionInput,
    StressChange,
    open_stress_items,
)
from app.services.consent import consent_on, current_states, history
from app.services.plans import ScoreInput

bp = Blueprint("care_sessions", __name__)


def _session_or_404(family: Family, session_id: int, *, deleted: bool | None = False) -> CareSession:
    care_session = sessions_service.session_in_family(family, session_id, deleted=deleted)
    if care_session is None:
        abort(404)
    return care_session


def _prepare(
    form: SessionForm,
    family: Family,
    stress_items: list[StressItem],
    goals,
    *,
    fresh: bool,
    care_session: CareSession | None = None,
) -> None:
    """Choices that depend on the family, and one stress row per open item.

    Members removed from the family since the session stay selectable on it, marked as such,
    so editing an old session never silently drops who was there.
    """
    linked: set[int] = set()
    if care_session is not None:
        linked = {m.id for m in care_session.attendees} | {m.child_id for m in care_session.moments if m.child_id}
    members = [m for m in family.members if m.removed_at is None or m.id in linked]

    def name(member):
        return member.first_name + (f" ({_('removed')})" if member.removed_at else "")

    form.attendee_ids.choices = [(m.id, f"{name(m)} ({m.role.label.lower()})") for m in members]
    children = [(0, _("No child in particular"))] + [(m.id, name(m)) for m in members if m.is_child]
    for entry in form.moments:
        entry.form.child_id.choices = children
    if fresh:
        # Strengths first: the first empty moment is a positive one, the second a difficult one.
        blank = [e.form for e in form.moments if e.form.is_empty()]
        if len(blank) == len(form.moments) == 2:
            blank[1].kind.data = MomentKind.DIFFICULT.value
        for goal in goals:
            form.scores.append_entry({"goal_key": goal.key})
        while len(form.stress_changes) < len(stress_items):
            form.stress_changes.append_entry()
        for entry, item in zip(form.stress_changes, stress_items, strict=False):
            entry.form.item_id.data = str(item.id)
            entry.form.status.data = item.status.value
            entry.form.severity.data = item.severity.value


def _is_id(value: str | None) -> bool:
    return bool(value) and value.isascii() and value.isdigit() and len(value) < 10


def _to_input(form: SessionForm) -> SessionInput:
    new_stress = None
    if form.new_stress.form.kind.data:
        sub = form.new_stress.form
        new_stress = NewStress(
            kind=StressKind(sub.kind.data),
            severity=Severity(sub.severity.data),
            status=StressStatus(sub.status.data),
            helper=sub.helper.data or "",
            notes=sub.notes.data or "",
        )
    return SessionInput(
        held_on=form.held_on.data,
        kind=SessionKind(form.kind.data),
        focuses=[HelpFocus(f) for f in form.focuses.data],
        duration_minutes=form.duration_minutes.data,
        attendee_ids=form.attendee_ids.data or [],
        other_attendees=form.other_attendees.data or "",
        summary=form.summary.data or "",
        agreements=form.agreements.data or "",
        next_appointment_on=form.next_appointment_on.data,
        next_appointment_at=form.next_appointment_at.data,
        moments=[
            MomentInput(
                kind=MomentKind(m.kind.data),
                description=m.description.data or "",
                child_id=m.child_id.data or None,
                tags=m.tags.data or [],
                video_seconds=parse_video_time(m.video_time.data),
            )
            for m in form.filled_moments()
        ],
        stress_changes=[
            StressChange(
                item_id=int(e.form.item_id.data),
                status=StressStatus(e.form.status.data),
                severity=Severity(e.form.severity.data),
                note=e.form.note.data or "",
            )
            for e in form.stress_changes
            if _is_id(e.form.item_id.data)
        ],
        new_stress=new_stress,
    )


def _scores(form: SessionForm, family: Family) -> list[ScoreInput]:
    """Scores for goals of this family's current plan only: a key from elsewhere is ignored."""
    plan = plans_service.current_plan(family.id)
    keys = {g.key for g in plan.goals} if plan else set()
    return [
        ScoreInput(e.form.goal_key.data, e.form.worker_score.data, e.form.parent_score.data)
        for e in form.scores
        if e.form.goal_key.data in keys
    ]


def _check_consent(form: SessionForm, family: Family) -> bool:
    kind = SessionKind(form.kind.data)
    if kind.needs_video_consent and not consent_on(family.id, ConsentKind.VIDEO, form.held_on.data):
        form.kind.errors.append(
            _("The parents' consent for video is not on file for this date. Record it on the family page first.")
        )
        return False
    return True


def _fill_from_session(form: SessionForm, care_session: CareSession) -> None:
    form.held_on.data = care_session.held_on
    form.duration_minutes.data = care_session.duration_minutes
    form.kind.data = care_session.kind.value
    form.attendee_ids.data = [m.id for m in care_session.attendees]
    form.other_attendees.data = care_session.other_attendees
    form.focuses.data = [f.value for f in care_session.focuses]
    form.summary.data = care_session.summary
    form.agreements.data = care_session.agreements
    form.next_appointment_on.data = care_session.next_appointment_on
    form.next_appointment_at.data = care_session.next_appointment_at
    form.version.data = str(care_session.version)
    while len(form.moments):
        form.moments.pop_entry()
    for moment in care_session.moments:
        form.moments.append_entry(
            {
                "kind": moment.kind.value,
                "description": moment.description,
                "child_id": moment.child_id or 0,
                "tags": [t.value for t in moment.tags],
                "video_time": moment.video_time or "",
            }
        )
    if len(form.moments) < MAX_MOMENTS:
        form.moments.append_entry()


def _moment_template(family: Family):
    """An empty moment for the page's <template>, so a moment is added without a reload."""
    blank = SessionForm(formdata=None, meta={"csrf": False})
    _prepare(blank, family, [], [], fresh=False)
    return blank.moments[0].form


def _render_form(form, family, care_session, stress_items, conflict=None, status=200):
    plan = plans_service.current_plan(family.id)
    return render_template(
        "care_sessions/form.html",
        goals_by_key={g.key: g for g in plan.goals} if plan else {},
        form=form,
        family=family,
        care_session=care_session,
        stress_items=stress_items,
        conflict=conflict,
        moment_template=_moment_template(family),
        max_moments=MAX_MOMENTS,
        difficult_tags={t.value for t in DIFFICULT_TAGS},
        tag_help=tag_help(),
    ), status


def _defaults_from_last_session(form: SessionForm, family: Family) -> None:
    """Quick entry: most sessions of a family look like the one before in kind, focus and who was there."""
    last = sessions_service.last_session(family.id)
    if last is None:
        return
    form.kind.data = last.kind.value
    form.focuses.data = [f.value for f in last.focuses]
    form.duration_minutes.data = last.duration_minutes
    form.attendee_ids.data = [m.id for m in last.attendees if m.removed_at is None]


def _session_form(family: Family, care_session: CareSession | None):
    """The form, filled from a kept draft, from the request, or from the saved session."""
    stress_items = open_stress_items(family.id)
    draft = drafts.take(current_user, request.path) if request.method == "GET" else None
    if draft is not None:
        form = SessionForm(formdata=draft)
        flash(
            _("Your login had expired while you were typing. What you typed has been kept: check it and save."),
            "warning",
        )
    else:
        form = SessionForm()
    if request.method == "POST" and form.add_moment.data and len(form.moments) < MAX_MOMENTS:
        form.moments.append_entry()
    if care_session is not None and request.method == "GET" and draft is None:
        _fill_from_session(form, care_session)
    elif care_session is None and request.method == "GET" and draft is None:
        _defaults_from_last_session(form, family)
    plan = plans_service.current_plan(family.id)
    goals = plan.active_goals if plan else []
    fresh = request.method == "GET" and draft is None
    _prepare(form, family, stress_items, goals, fresh=fresh, care_session=care_session)
    if fresh and care_session is not None:
        given = plans_service.scores_of_session(care_session.id)
        for entry in form.scores:
            score = given.get(entry.form.goal_key.data)
            if score is not None:
                entry.form.worker_score.data = score.worker_score
                entry.form.parent_score.data = score.parent_score
    return form, stress_items


def _too_many_moments(form: SessionForm) -> bool:
    """WTForms silently drops entries past max_entries: refuse instead, so nothing vanishes."""
    indices = {key.split("-")[1] for key in request.form if key.startswith("moments-") and key.count("-") >= 2}
    if len(indices) > MAX_MOMENTS:
        form.form_errors.append(_("A session can have at most %(max)d moments.", max=MAX_MOMENTS))
        return True
    return False


def _ready_to_save(form: SessionForm, family: Family) -> bool:
    if form.add_moment.data or request.method != "POST":
        return False
    valid = form.validate_on_submit()
    return not _too_many_moments(form) and valid and _check_consent(form, family)


@bp.route("/<int:family_id>/sessions/new", methods=["GET", "POST"])
@case_roles_required
def create(family_id: int):
    family = family_or_404(family_id)
    form, stress_items = _session_form(family, None)
    if _ready_to_save(form, family):
        care_session = sessions_service.save_session(family, _to_input(form), current_user)
        plans_service.save_session_scores(family, care_session, _scores(form, family), current_user)
        drafts.discard(current_user, request.path)
        audit.record("create_session", family=family, obj=care_session)
        flash(_("The session has been saved."), "success")
        return redirect(url_for("families.detail", family_id=family.id, _anchor=f"session-{care_session.id}"))
    return _render_form(form, family, None, stress_items)


@bp.get("/<int:family_id>/sessions/<int:session_id>")
@case_roles_required
def detail(family_id: int, session_id: int):
    family = family_or_404(family_id, object_ref=("CareSession", session_id))
    care_session = _session_or_404(family, session_id, deleted=None)
    return render_template(
        "care_sessions/detail.html",
        family=family,
        care_session=care_session,
        trash_form=TrashForm(),
        can_restore=can_restore_sessions(current_user, family),
        stress_updates=sessions_service.stress_updates_of(care_session),
    )


@bp.route("/<int:family_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit(family_id: int, session_id: int):
    family = family_or_404(family_id, object_ref=("CareSession", session_id))
    care_session = _session_or_404(family, session_id)
    form, stress_items = _session_form(family, care_session)
    conflict = None
    status = 200
    if _ready_to_save(form, family):
        if form.version.data != str(care_session.version):
            # Someone saved since this form was opened: keep theirs, show both, lose nothing.
            conflict = care_session
            form.version.data = str(care_session.version)
            status = 409
        else:
            try:
                sessions_service.save_session(family, _to_input(form), current_user, care_session)
            except StaleDataError:
                # Saved by someone else between loading and writing: same answer as above.
                db.session.rollback()
                care_session = _session_or_404(family, session_id)
                form.version.data = str(care_session.version)
                return _render_form(form, family, care_session, stress_items, care_session, 409)
            plans_service.save_session_scores(family, care_session, _scores(form, family), current_user)
            drafts.discard(current_user, request.path)
            audit.record("update_session", family=family, obj=care_session)
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("care_sessions.detail", family_id=family.id, session_id=care_session.id))
    return _render_form(form, family, care_session, stress_items, conflict, status)


@bp.post("/<int:family_id>/sessions/<int:session_id>/delete")
@case_roles_required
def delete(family_id: int, session_id: int):
    family = family_or_404(family_id)
    care_session = _session_or_404(family, session_id)
    if TrashForm().validate_on_submit():
        sessions_service.soft_delete(care_session, current_user)
        audit.record("delete_session", family=family, obj=care_session)
        flash(_("The session has been moved to the trash. A team lead can restore it."), "info")
    return redirect(url_for("families.detail", family_id=family.id))


@bp.post("/<int:family_id>/sessions/<int:session_id>/restore")
@case_roles_required
def restore(family_id: int, session_id: int):
    family = family_or_404(family_id)
    if not can_restore_sessions(current_user, family):
        abort(404)
    care_session = _session_or_404(family, session_id, deleted=True)
    if TrashForm().validate_on_submit():
        sessions_service.restore(care_session)
        audit.record("restore_session", family=family, obj=care_session)
        flash(_("The session is back in the timeline."), "success")
    return redirect(url_for("care_sessions.detail", family_id=family.id, session_id=care_session.id))


@bp.get("/<int:family_id>/sessions/trash")
@case_roles_required
def trash(family_id: int):
    family = family_or_404(family_id)
    return render_template(
        "care_sessions/trash.html",
        family=family,
        sessions=sessions_service.trash(family.id),
        trash_form=TrashForm(),
        can_restore=can_restore_sessions(current_user, family),
    )


@bp.route("/<int:family_id>/consent", methods=["GET", "POST"])
@case_roles_required
def consent(family_id: int):
    family = family_or_404(family_id)
    form = ConsentForm()
    if form.validate_on_submit():
        record = ConsentRecord(
            family_id=family.id,
            kind=ConsentKind(form.kind.data),
            given=form.given.data == "yes",
            given_by=form.given_by.data,
            decided_on=form.decided_on.data,
            note=form.note.data or "",
            recorded_by_id=current_user.id,
        )
        db.session.add(record)
        db.session.flush()
        audit.record("record_consent", family=family, obj=record, detail=f"{record.kind.value} given={record.given}")
        flash(_("The decision has been recorded."), "success")
        return redirect(url_for("care_sessions.consent", family_id=family.id))
    records = history(family.id)
    return render_template(
        "care_sessions/consent.html", family=family, form=form, records=records, states=current_states(records)
    )


@bp.route("/<int:family_id>/stress/new", methods=["GET", "POST"])
@case_roles_required
def add_stress(family_id: int):
    family = family_or_404(family_id)
    form = StressItemForm()
    if form.validate_on_submit():
        status = StressStatus(form.status.data)
        item = StressItem(
            family_id=family.id,
            kind=StressKind(form.kind.data),
            severity=Severity(form.severity.data),
            status=status,
            opened_on=form.changed_on.data,
            status_since=form.changed_on.data,
            resolved_on=form.changed_on.data if status == StressStatus.RESOLVED else None,
            helper=form.helper.data or "",
            notes=form.notes.data or "",
        )
        item.updates.append(
            StressUpdate(
                changed_on=form.changed_on.data,
                status=item.status,
                severity=item.severity,
                recorded_by_id=current_user.id,
            )
        )
        db.session.add(item)
        db.session.flush()
        audit.record("add_stress", family=family, obj=item)
        flash(_("The stress item has been added."), "success")
        return redirect(url_for("families.detail", family_id=family.id, _anchor="stress"))
    return render_template("care_sessions/stress_form.html", family=family, form=form, item=None)


@bp.route("/<int:family_id>/stress/<int:item_id>", methods=["GET", "POST"])
@case_roles_required
def edit_stress(family_id: int, item_id: int):
    family = family_or_404(family_id, object_ref=("StressItem", item_id))
    item = db.session.get(StressItem, item_id)
    if item is None or item.family_id != family.id:
        abort(404)
    form = StressItemForm(obj=item)
    if request.method == "GET":
        form.changed_on.data = item.status_since
    if form.validate_on_submit():
        item.kind = StressKind(form.kind.data)
        item.helper = form.helper.data or ""
        item.notes = form.notes.data or ""
        sessions_service.record_stress_change(
            item, StressStatus(form.status.data), Severity(form.severity.data), form.changed_on.data, current_user
        )
        audit.record("update_stress", family=family, obj=item)
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("families.detail", family_id=family.id, _anchor="stress"))
    return render_template("care_sessions/stress_form.html", family=family, form=form, item=item)
