from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from app import audit, dates
from app.extensions import db
from app.families import bp
from app.families.forms import AssignWorkersForm, ConfirmForm, FamilyForm, MemberForm
from app.models import ContextFactor, Family, FamilyMember, FamilyStatus, HelpFocus, MemberRole, MomentKind, Role, User
from app.security.access import can_assign_workers, can_handle_destruction, family_or_404
from app.security.roles import case_roles_required
from app.services import care_sessions, consent, dashboard, destruction, plans
from app.services.caseload import team_workers
from app.services.numbering import next_case_number
from app.services.progress import progress_for_family

FAMILY_FIELDS = ("display_name", "status", "start_date", "end_date", *[f.value for f in ContextFactor], "context_notes")
MEMBER_FIELDS = ("first_name", "role", "birth_date", "birth_year", "notes")


def _apply(form, obj, fields) -> None:
    """Copy only the named fields: populate_obj would also copy the hidden version."""
    for name in fields:
        setattr(obj, name, form[name].data)


def _worker_choices(team_id: int, current: User | None = None) -> list[SelectChoice]:
    workers = team_workers(team_id)
    if current is not None and current not in workers:
        workers.append(current)  # keep an inactive primary worker selectable until reassigned
    return [SelectChoice(w.id, w.name) for w in workers]


@bp.get("/")
@case_roles_required
def index():
    filters = dashboard.Filters(text=request.args.get("q", "")[:100].strip(), status=request.args.get("status", "open"))
    today = dates.today()
    rows = dashboard.family_rows(current_user, filters, today)
    result = dashboard.paginate(
        rows, request.args.get("page", 1, type=int), current_app.config["FAMILIES_PER_PAGE"], today
    )
    audit.record("search" if filters.text else "list", detail=f"{result.total} families")
    return render_template(
        "families/index.html",
        result=result,
        text=filters.text,
        status=filters.status,
        statuses=list(FamilyStatus),
        today=today,
        needing_attention=sum(1 for r in rows if r.attention),
    )


@bp.route("/new", methods=["GET", "POST"])
@case_roles_required
def create():
    form = FamilyForm()
    form.only_open_statuses()
    form.primary_worker_id.choices = _worker_choices(current_user.team_id)
    if current_user.role == Role.WORKER:
        # A care worker who registers a family carries it; only a team lead picks someone else.
        del form.primary_worker_id
    if form.validate_on_submit():
        family = Family(team_id=current_user.team_id)
        _apply(form, family, FAMILY_FIELDS)
        family.status = FamilyStatus(form.status.data)
        if current_user.role == Role.WORKER:
            family.primary_worker_id = current_user.id
        else:
            family.primary_worker_id = form.primary_worker_id.data
        family.case_number = next_case_number(current_app.config["CASE_NUMBER_PREFIX"], family.start_date.year)
        db.session.add(family)
        db.session.flush()
        audit.record("create", family=family, obj=family)
        flash(
            _("%(name)s has been registered. Add the parents and children next.", name=family.display_name),
            "success",
        )
        return redirect(url_for("families.add_member", family_id=family.id))
    return render_template("families/form.html", form=form, family=None)


@bp.get("/<int:family_id>")
@case_roles_required
def detail(family_id: int):
    family = family_or_404(family_id)
    focus = request.args.get("focus", "")
    moment_kind = request.args.get("moments", "")
    consent_records = consent.history(family.id)
    progress, charts = progress_for_family(family.id)
    return render_template(
        "families/detail.html",
        family=family,
        today=dates.today(),
        confirm_form=ConfirmForm(),
        can_assign=can_assign_workers(current_user, family),
        timeline=care_sessions.timeline(
            family.id, focus=focus, moment_kind=moment_kind, page=request.args.get("page", 1, type=int)
        ),
        focus=focus,
        moment_kind=moment_kind,
        focuses=list(HelpFocus),
        moment_kinds=list(MomentKind),
        open_stress=care_sessions.open_stress_items(family.id),
        resolved_stress=care_sessions.resolved_stress_items(family.id),
        consent_states=consent.current_states(consent_records),
        plan=plans.current_plan(family.id),
        latest_scores=plans.latest_scores(family.id),
        progress=progress,
        charts=charts,
        destruction_request=destruction.open_request(family.id),
        closed_destruction_requests=destruction.closed_requests(family.id),
        can_handle_destruction=can_handle_destruction(current_user, family),
    )


@bp.route("/<int:family_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit(family_id: int):
    family = family_or_404(family_id)
    form = FamilyForm(obj=family)
    del form.primary_worker_id  # assignment has its own page, for the team lead
    if family.status != FamilyStatus.CLOSED:
        form.only_open_statuses()
    conflict = None
    if request.method == "GET":
        form.version.data = family.version
    elif form.validate_on_submit():
        if str(family.version) != (form.version.data or ""):
            conflict = family
            form.version.data = family.version  # a second save now overwrites, knowingly
        else:
            _apply(form, family, FAMILY_FIELDS)
            family.status = FamilyStatus(form.status.data)
            try:
                db.session.flush()
            except StaleDataError:
                db.session.rollback()
                abort(409)
            audit.record("update", family=family, obj=family)
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("families.detail", family_id=family.id))
    return render_template("families/form.html", form=form, family=family, conflict=conflict, fields=FAMILY_FIELDS)


def _member_or_404(family: Family, member_id: int) -> FamilyMember:
    member = db.session.get(FamilyMember, member_id)
    if member is None or member.family_id != family.id:
        abort(404)
    return member


@bp.route("/<int:family_id>/members/new", methods=["GET", "POST"])
@case_roles_required
def add_member(family_id: int):
    family = family_or_404(family_id)
    form = MemberForm()
    if form.validate_on_submit():
        member = FamilyMember(family=family)
        _apply(form, member, MEMBER_FIELDS)
        member.role = MemberRole(form.role.data)
        db.session.add(member)
        db.session.flush()
        audit.record("add_member", family=family, obj=member)
        flash(_("%(name)s has been added.", name=member.first_name), "success")
        if request.form.get("another"):
            return redirect(url_for("families.add_member", family_id=family.id))
        return redirect(url_for("families.detail", family_id=family.id))
    return render_template("families/member_form.html", form=form, family=family, member=None)


@bp.route("/<int:family_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit_member(family_id: int, member_id: int):
    family = family_or_404(family_id, object_ref=("FamilyMember", member_id))
    member = _member_or_404(family, member_id)
    form = MemberForm(obj=member)
    if form.validate_on_submit():
        _apply(form, member, MEMBER_FIELDS)
        member.role = MemberRole(form.role.data)
        audit.record("update_member", family=family, obj=member)
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    return render_template("families/member_form.html", form=form, family=family, member=member)


@bp.post("/<int:family_id>/members/<int:member_id>/remove")
@case_roles_required
def remove_member(family_id: int, member_id: int):
    family = family_or_404(family_id)
    member = _member_or_404(family, member_id)
    if ConfirmForm().validate_on_submit() and member.removed_at is None:
        member.removed_at = dates.now()
        audit.record("remove_member", family=family, obj=member)
        flash(
            _(
                "%(name)s has been taken off the list of family members. You can undo this below.",
                name=member.first_name,
            ),
            "info",
        )
    return redirect(url_for("families.detail", family_id=family.id))


@bp.post("/<int:family_id>/members/<int:member_id>/restore")
@case_roles_required
def restore_member(family_id: int, member_id: int):
    family = family_or_404(family_id)
    member = _member_or_404(family, member_id)
    if ConfirmForm().validate_on_submit() and member.removed_at is not None:
        member.removed_at = None
        audit.record("restore_member", family=family, obj=member)
        flash(_("%(name)s is back on the list of family members.", name=member.first_name), "success")
    return redirect(url_for("families.detail", family_id=family.id))


@bp.route("/<int:family_id>/workers", methods=["GET", "POST"])
@case_roles_required
def assign_workers(family_id: int):
    family = family_or_404(family_id)
    if not can_assign_workers(current_user, family):
        abort(404)
    form = AssignWorkersForm()
    choices = _worker_choices(family.team_id, family.primary_worker)
    form.primary_worker_id.choices = choices
    form.co_worker_ids.choices = choices
    if request.method == "GET":
        form.primary_worker_id.data = family.primary_worker_id
        form.co_worker_ids.data = [u.id for u in family.co_workers]
    if form.validate_on_submit():
        # The choices hold only this team's workers, so an id typed into the form body from
        # another team fails validation above: no assignment outside the lead's team.
        previous = family.primary_worker.name if family.primary_worker else "-"
        family.primary_worker_id = form.primary_worker_id.data
        co_ids = set(form.co_worker_ids.data) - {form.primary_worker_id.data}
        family.co_workers = list(
            db.session.execute(select(User).where(User.id.in_(co_ids), User.team_id == family.team_id)).scalars()
        )
        db.session.flush()
        db.session.refresh(family)
        audit.record(
            "reassign", family=family, obj=family, detail=f"primary {previous} -> {family.primary_worker.name}"
        )
        flash(_("The care workers for this family have been saved."), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    return render_template("families/workers.html", form=form, family=family)
