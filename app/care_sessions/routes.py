"""Logging a session: /families/<id>/sessions/..., plus consent and family stress."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit, dates
from app.care_sessions.forms import ConsentForm, SessionForm, StressItemForm, TrashForm, tag_help
from app.models import DIFFICULT_TAGS, CareSession, ConsentKind, Family, StressItem
from app.security.access import SESSION, STRESS_ITEM, family_view, leads_the_record, restores_from_trash
from app.services import care_sessions as sessions_service
from app.services import consent as consent_service
from app.services import periods
from app.services.care_sessions import MAX_MOMENTS, SessionFormData, SessionSaved
from app.web.flashes import flash_undo
from app.web.form_pages import form_page
from app.web.forms import conflict_rows

bp = Blueprint("care_sessions", __name__)


def _session_form(family: Family, care_session: CareSession | None):
    """Route -> one read -> form; a valid post -> one service call that checks and saves."""
    data = sessions_service.session_form_data(family, care_session)
    form = SessionForm.for_page(data, care_session)
    saved = None
    if form.sent_to_save():
        if form.validate_on_submit():
            saved = sessions_service.submit_session(family, form.to_input(), data, current_user, care_session)
            errors = saved.errors
        else:  # the checks on the data too, so that one send shows every problem
            errors = sessions_service.check_session(family, *form.checked_by_data())
        form.show_errors(errors, url_for("care_sessions.consent", family_id=family.id))
    return form, data, saved


def _render_form(
    form: SessionForm,
    data: SessionFormData,
    family: Family,
    care_session: CareSession | None,
    saved: SessionSaved | None = None,
):
    conflict = saved.conflict if saved else None
    if conflict is not None:
        form.version.data = str(conflict.version)  # a second save now overwrites, knowingly
    return render_template(
        "care_sessions/form.html",
        goals_by_key=data.goals_by_key,
        form=form,
        family=family,
        care_session=care_session,
        stress_items=data.stress_items,
        conflict=conflict,
        conflict_scores=saved.conflict_scores if saved else [],
        moment_template=form.blank_moment(data),
        max_moments=MAX_MOMENTS,
        difficult_tags={t.value for t in DIFFICULT_TAGS},
        tag_help=tag_help(),
    ), (409 if conflict is not None else 200)


@bp.route("/sessions/new", methods=["GET", "POST"])
@family_view(open_only=True)
@form_page(once=True)
def create(family: Family):
    form, data, saved = _session_form(family, None)
    if saved is not None and saved.care_session is not None:
        flash(_("The session has been saved."), "success")
        return redirect(url_for("families.detail", family_id=family.id, _anchor=f"session-{saved.care_session.id}"))
    return _render_form(form, data, family, None)


@bp.get("/sessions/<int:session_id>")
@family_view(SESSION.live_or_trashed())
def detail(family: Family, care_session: CareSession):
    page = sessions_service.session_page(care_session)
    return render_template(
        "care_sessions/detail.html",
        family=family,
        care_session=care_session,
        trash_form=TrashForm(),
        can_restore=care_session.deleted_at is not None and restores_from_trash(current_user, family, care_session),
        scores=page.scores,
        stress_updates=page.stress_updates,
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@family_view(SESSION)
@form_page()
def edit(family: Family, care_session: CareSession):
    form, data, saved = _session_form(family, care_session)
    if saved is not None and saved.care_session is not None:
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("care_sessions.detail", family_id=family.id, session_id=care_session.id))
    return _render_form(form, data, family, care_session, saved)


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@family_view(SESSION.live_or_trashed())
def delete(family: Family, care_session: CareSession):
    """Asks first (a page of its own, so it works without JavaScript); the move can be undone."""
    form = TrashForm()
    if not form.validate_on_submit():
        if care_session.deleted_at is not None:
            return redirect(url_for("care_sessions.detail", family_id=family.id, session_id=care_session.id))
        return render_template("care_sessions/delete.html", family=family, care_session=care_session, trash_form=form)
    if care_session.deleted_at is None:  # sent twice (a double click): moved once, the same answer
        sessions_service.soft_delete(care_session, current_user)
        audit.record("delete_session", family=family, obj=care_session)
    message = _("The session of %(date)s has been moved to the trash.", date=dates.show_day(care_session.held_on))
    if restores_from_trash(current_user, family, care_session):
        restore_url = url_for("care_sessions.restore", family_id=family.id, session_id=care_session.id)
        flash_undo(message, restore_url, back="family")
    else:
        flash(message, "info")
    return redirect(url_for("families.detail", family_id=family.id))


@bp.post("/sessions/<int:session_id>/restore")
@family_view(SESSION.live_or_trashed())
def restore(family: Family, care_session: CareSession):
    trashed = care_session.deleted_at is not None
    if trashed and not restores_from_trash(current_user, family, care_session):
        audit.record_refused("restore_session", family_id=family.id)
        abort(404)
    if trashed and TrashForm().validate_on_submit():  # not trashed: restored already (a double click)
        sessions_service.restore(care_session)
        audit.record("restore_session", family=family, obj=care_session)
    if care_session.deleted_at is None:
        flash(_("The session is back in the timeline."), "success")
    back = request.form.get("back", "")  # the page the button was on; the session's own page otherwise
    if back == "family":
        return redirect(url_for("families.detail", family_id=family.id, _anchor=f"session-{care_session.id}"))
    if back == "trash":
        return redirect(url_for("care_sessions.trash", family_id=family.id))
    if back == "team":
        return redirect(url_for("trash.team"))
    return redirect(url_for("care_sessions.detail", family_id=family.id, session_id=care_session.id))


@bp.get("/sessions/trash")
@family_view()
def trash(family: Family):
    sessions = sessions_service.trash(family.id)
    return render_template(
        "care_sessions/trash.html",
        family=family,
        sessions=sessions,
        trash_form=TrashForm(),
        restorable={s.id for s in sessions if restores_from_trash(current_user, family, s)},
        leads=leads_the_record(current_user, family),
    )


@bp.route("/consent", methods=["GET", "POST"])
@family_view()
@form_page(once=True)
def consent(family: Family):
    form = ConsentForm()
    if request.method == "GET" and not form.from_draft:
        form.version.data = consent_service.decisions_version(family.id)
    conflict = None
    if form.validate_on_submit():
        kind = ConsentKind(form.kind.data)
        recorded = consent_service.record_decision(
            family,
            kind,
            given=form.given.data == "yes",
            given_by=form.given_by.data,
            decided_on=form.decided_on.data,
            note=form.note.data or "",
            user=current_user,
            version=form.version.data or "",
        )
        if recorded is not None:
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for("care_sessions.consent", family_id=family.id))
        theirs = consent_service.latest_recorded(family.id)
        if theirs is not None:  # None only for a post without the form's version: shown again to send
            conflict = conflict_rows(
                form,
                {
                    "kind": theirs.kind,
                    "given": _("given") if theirs.given else _("withdrawn or refused"),
                    "given_by": theirs.given_by,
                    "decided_on": theirs.decided_on,
                    "note": theirs.note,
                },
            )
        form.version.data = consent_service.decisions_version(family.id)  # recording again adds it after theirs
    records = consent_service.history(family.id)
    return render_template(
        "care_sessions/consent.html",
        family=family,
        form=form,
        records=records,
        states=consent_service.current_states(records),
        conflict=conflict,
    ), (409 if conflict else 200)


@bp.route("/stress/new", methods=["GET", "POST"])
@family_view(open_only=True)
@form_page(once=True)
def add_stress(family: Family):
    form = StressItemForm()
    if form.validate_on_submit():
        if sessions_service.add_stress_item(family, form.to_entry(), current_user) is not None:
            flash(_("The stress item has been added."), "success")
            return redirect(url_for("families.detail", family_id=family.id, _anchor="stress"))
        form.form_errors.append(str(periods.HELP_ENDED))  # closed since the form was opened: kept as typed
    return render_template("care_sessions/stress_form.html", family=family, form=form, item=None)


@bp.route("/stress/<int:item_id>", methods=["GET", "POST"])
@family_view(STRESS_ITEM)
@form_page()
def edit_stress(family: Family, item: StressItem):
    form = StressItemForm(obj=item)
    if request.method == "GET" and not form.from_draft:
        form.changed_on.data = item.status_since
    conflict = None
    if form.validate_on_submit():
        if sessions_service.update_stress_item(family, item, form.to_entry(), current_user, form.version.data or ""):
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("families.detail", family_id=family.id, _anchor="stress"))
        conflict = conflict_rows(form, sessions_service.stress_values(item))
        form.version.data = str(item.version)  # a second save now overwrites, knowingly
    return render_template("care_sessions/stress_form.html", family=family, form=form, item=item, conflict=conflict), (
        409 if conflict else 200
    )
