from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import audit, dates
from app.charts.family import progress_figures
from app.families.forms import AssignWorkersForm, ConfirmForm, FamilyForm, MemberForm, ReopenForm
from app.models import ContextFactor, Family, FamilyMember, FamilyStatus, HelpFocus, MomentKind, Role, User
from app.security.access import MEMBER, family_view, takes_new_work
from app.security.roles import case_roles_required
from app.services import dashboard
from app.services import families as families_service
from app.services import periods as periods_service
from app.services.caseload import team_workers
from app.web.form_pages import form_page
from app.web.forms import conflict_rows

bp = Blueprint("families", __name__)

FAMILY_FIELDS = ("display_name", "status", "start_date", "end_date", *[f.value for f in ContextFactor], "context_notes")
MEMBER_FIELDS = ("first_name", "role", "birth_date", "birth_year", "notes")


def _values(form, fields) -> dict:
    """Only the named fields: populate_obj would also copy the hidden version."""
    return {name: form[name].data for name in fields}


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
    audit.record_shown(audit.SEEN_IN_LIST, (row.family_id for row in result.items))
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
@form_page(once=True)
def create():
    form = FamilyForm()
    form.only_open_statuses()
    form.primary_worker_id.choices = _worker_choices(current_user.team_id)
    if current_user.role == Role.WORKER:
        # A care worker who registers a family carries it; only a team lead picks someone else.
        del form.primary_worker_id
    if form.validate_on_submit():
        family = families_service.register_family(
            current_user.team_id,
            _values(form, FAMILY_FIELDS),
            current_user.id if current_user.role == Role.WORKER else form.primary_worker_id.data,
            current_app.config["CASE_NUMBER_PREFIX"],
        )
        flash(
            _("%(name)s has been registered. Add the parents and children next.", name=family.display_name),
            "success",
        )
        return redirect(url_for("families.add_member", family_id=family.id))
    return render_template("families/form.html", form=form, family=None)


@bp.get("/<int:family_id>")
@family_view()
def detail(family: Family):
    focus = request.args.get("focus", "")
    moment_kind = request.args.get("moments", "")
    page = families_service.family_page(
        family, current_user, focus=focus, moment_kind=moment_kind, page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "families/detail.html",
        family=family,
        today=dates.today(),
        confirm_form=ConfirmForm(),
        focus=focus,
        moment_kind=moment_kind,
        focuses=list(HelpFocus),
        moment_kinds=list(MomentKind),
        charts=progress_figures(page.progress),
        # The template's names, from the one read above.
        timeline=page.timeline,
        latest_sessions=page.latest_sessions,
        open_stress=page.open_stress,
        resolved_stress=page.resolved_stress,
        consent_states=page.consent_states,
        plan=page.plan,
        latest_scores=page.latest_scores,
        progress=page.progress,
        destruction_request=page.destruction_request,
        closed_destruction_requests=page.closed_destruction_requests,
        can_assign=page.leads_the_record,
        can_handle_destruction=page.leads_the_record,
        help_periods=page.help_periods,
        signals=page.signals,
        next_appointment=page.next_appointment,
        takes_new_work=takes_new_work(family),
    )


@bp.route("/<int:family_id>/edit", methods=["GET", "POST"])
@family_view()
@form_page()
def edit(family: Family):
    form = FamilyForm(obj=family)
    del form.primary_worker_id  # assignment has its own page, for the team lead
    if family.status == FamilyStatus.CLOSED:
        form.for_closed_family()
    else:
        form.only_open_statuses()
        form.earliest_start = periods_service.earliest_start(family)
    fields = [name for name in FAMILY_FIELDS if name in form]
    conflict = None
    if form.validate_on_submit():
        if families_service.update_family(family, _values(form, fields), form.version.data or "") is not None:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("families.detail", family_id=family.id))
        conflict = conflict_rows(form, {name: getattr(family, name) for name in fields})
        form.version.data = str(family.version)  # a second save now overwrites, knowingly
    return render_template("families/form.html", form=form, family=family, conflict=conflict), (
        409 if conflict else 200
    )


@bp.route("/<int:family_id>/reopen", methods=["GET", "POST"])
@family_view(lead_only=True)
@form_page()
def reopen(family: Family):
    """A new period of help for a closed family; the earlier one and its final scores stay as they were."""
    if family.status != FamilyStatus.CLOSED:
        flash(_("The help for this family has not ended: there is nothing to reopen."), "info")
        return redirect(url_for("families.detail", family_id=family.id))
    form = ReopenForm()
    form.last_end = family.end_date
    if form.validate_on_submit():
        period = periods_service.reopen(
            family, form.start_date.data, FamilyStatus(form.status.data), form.reason.data, current_user
        )
        if period is None:
            flash(_("The help for this family has not ended: there is nothing to reopen."), "info")
        else:
            flash(_("The help has been reopened. The earlier period stays in the record."), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    return render_template("families/reopen.html", form=form, family=family)


@bp.route("/<int:family_id>/members/new", methods=["GET", "POST"])
@family_view()
@form_page(once=True)
def add_member(family: Family):
    form = MemberForm()
    if form.validate_on_submit():
        member = families_service.add_member(family, _values(form, MEMBER_FIELDS))
        flash(_("%(name)s has been added.", name=member.first_name), "success")
        if request.form.get("another"):
            return redirect(url_for("families.add_member", family_id=family.id))
        return redirect(url_for("families.detail", family_id=family.id))
    return render_template("families/member_form.html", form=form, family=family, member=None)


@bp.route("/<int:family_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@family_view(MEMBER)
@form_page()
def edit_member(family: Family, member: FamilyMember):
    form = MemberForm(obj=member)
    conflict = None
    if form.validate_on_submit():
        if families_service.update_member(family, member, _values(form, MEMBER_FIELDS), form.version.data or ""):
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("families.detail", family_id=family.id))
        conflict = conflict_rows(form, {name: getattr(member, name) for name in MEMBER_FIELDS})
        form.version.data = str(member.version)
    return render_template("families/member_form.html", form=form, family=family, member=member, conflict=conflict), (
        409 if conflict else 200
    )


@bp.post("/<int:family_id>/members/<int:member_id>/remove")
@family_view(MEMBER)
def remove_member(family: Family, member: FamilyMember):
    if ConfirmForm().validate_on_submit() and families_service.remove_member(family, member):
        flash(
            _(
                "%(name)s has been taken off the list of family members. You can undo this below.",
                name=member.first_name,
            ),
            "info",
        )
    return redirect(url_for("families.detail", family_id=family.id))


@bp.post("/<int:family_id>/members/<int:member_id>/restore")
@family_view(MEMBER)
def restore_member(family: Family, member: FamilyMember):
    if ConfirmForm().validate_on_submit() and families_service.restore_member(family, member):
        flash(_("%(name)s is back on the list of family members.", name=member.first_name), "success")
    return redirect(url_for("families.detail", family_id=family.id))


@bp.route("/<int:family_id>/workers", methods=["GET", "POST"])
@family_view(lead_only=True)
def assign_workers(family: Family):
    form = AssignWorkersForm()
    choices = _worker_choices(family.team_id, family.primary_worker)
    form.primary_worker_id.choices = choices
    form.co_worker_ids.choices = choices
    if request.method == "GET":
        form.primary_worker_id.data = family.primary_worker_id
        form.co_worker_ids.data = [u.id for u in family.co_workers]
        form.version.data = families_service.workers_version(family)
    conflict = None
    if form.validate_on_submit():
        # The choices hold only this team's workers, so an id typed into the form body from
        # another team fails validation above: no assignment outside the lead's team.
        if families_service.assign_workers(
            family, form.primary_worker_id.data, set(form.co_worker_ids.data), form.version.data or ""
        ):
            flash(_("The care workers for this family have been saved."), "success")
            return redirect(url_for("families.detail", family_id=family.id))
        saved_now = {
            "primary_worker_id": family.primary_worker.name if family.primary_worker else "",
            "co_worker_ids": [u.name for u in family.co_workers if u.id != family.primary_worker_id],
        }
        conflict = conflict_rows(form, saved_now)
        form.version.data = families_service.workers_version(family)
    return render_template("families/workers.html", form=form, family=family, conflict=conflict), (
        409 if conflict else 200
    )
