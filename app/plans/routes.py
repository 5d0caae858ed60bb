"""The plan of a family: /families/<id>/plan..., closing the help, and the printed plan."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import audit, dates
from app.models import AgreementKind, AgreementParty, Family, FamilyStatus, PlanStatus
from app.plans import printing
from app.plans.forms import MAX_GOALS, SOMEONE_ELSE, AgreementEntryForm, CloseForm, PlanForm, PrintForm, name_score_rows
from app.security.access import family_view, takes_new_work
from app.services import periods
from app.services import plans as plans_service
from app.services.plans import YOUTH_WARNED_FROM, ResponseInput, ScoreInput
from app.web.form_pages import form_page

bp = Blueprint("plans", __name__)


@bp.get("/plan")
@family_view()
def show(family: Family):
    plan = plans_service.current_plan(family.id, agreement=True)
    return _render_plan(family, plan)


@bp.get("/plan/versions/<int:number>")
@family_view()
def version(family: Family, number: int):
    plan = plans_service.plan_version(family.id, number, agreement=True)
    if plan is None:
        abort(404)
    return _render_plan(family, plan)


def _render_plan(family, plan):
    latest = plans_service.latest_scores(family.id)
    return render_template(
        "plans/show.html",
        family=family,
        plan=plan,
        latest=latest,
        versions=plans_service.plan_versions(family.id),
        print_form=_print_form(family, suggest=True),
        takes_new_work=takes_new_work(family),
        # Asked about the version in force now; an earlier version is history.
        youth_not_asked=plans_service.youth_not_asked(family, plan, dates.today()) if plan and plan.is_current else [],
        goal_numbers={g.id: n for n, g in enumerate(plan.goals, start=1)} if plan else {},
    )


def _print_form(family, *, suggest: bool = False) -> PrintForm:
    form = PrintForm(request.args, lang=request.args.get("lang", "nl"))
    choices = printing.selectable_moments(family.id)
    form.moment.choices = [(m.id, printing.moment_choice_label(m)) for m in choices]
    if suggest:  # on the plan page: tick recent positive moments; the print shows only what was chosen
        form.moment.data = printing.default_moment_ids(choices)
    else:
        valid = {m.id for m in choices}
        form.moment.data = [i for i in request.args.getlist("moment", type=int) if i in valid]
    return form


@bp.route("/plan/edit", methods=["GET", "POST"])
@family_view(open_only=True)
@form_page()
def edit(family: Family):
    current = plans_service.current_plan(family.id)
    form = PlanForm()
    conflict = None
    status = 200
    if request.method == "POST" and form.add_goal.data:
        if len(form.goals) < MAX_GOALS:
            form.goals.append_entry()
        else:
            form.form_errors.append(_("A plan can have at most %(max)d goals.", max=MAX_GOALS))
        for entry in form.goals:
            while len(entry.form.agreements) < 3:
                entry.form.agreements.append_entry()
    elif request.method == "GET" and current is not None and not form.from_draft:
        form.fill_from(current)
    elif form.validate_on_submit():
        saved = plans_service.submit_plan(family, form.to_input(), form.version.data or "", current_user, current)
        if saved.ended:  # closed since the page was checked: nothing saved, what was typed stays in the form
            form.form_errors.append(str(periods.HELP_ENDED))
        elif saved.plan is None:
            # Someone saved since the form was opened: keep what was typed, show theirs beside it.
            current = conflict = saved.conflict
            form.version.data = plans_service.edit_token(current)
            status = 409
        else:
            plan = saved.plan
            if current is not None and plan is not current:
                flash(
                    _(
                        "Version %(old)d has been kept as it was; your changes are version %(new)d, not yet "
                        "discussed with the parents.",
                        old=current.number,
                        new=plan.number,
                    ),
                    "success",
                )
            else:
                flash(_("The plan has been saved."), "success")
            return redirect(url_for("plans.show", family_id=family.id))
    return render_template(
        "plans/edit.html",
        form=form,
        family=family,
        plan=current,
        conflict=conflict,
        will_version=current is not None and current.status != PlanStatus.DRAFT,
    ), status


@bp.route("/plan/agreement", methods=["GET", "POST"])
@family_view(open_only=True)
@form_page()
def agreement(family: Family):
    """Add one entry to the current version's agreement; entries are never edited or deleted."""
    plan = plans_service.current_plan(family.id, agreement=True)
    if plan is None:
        abort(404)
    if not plan.goals:
        flash(_("Add at least one goal to the plan before recording an agreement."), "warning")
        return redirect(url_for("plans.show", family_id=family.id))
    form = AgreementEntryForm()
    no_parent = request.values.get("kind") == AgreementKind.NO_PARENT.value
    form.kind.data = (AgreementKind.NO_PARENT if no_parent else AgreementKind.RESPONSE).value
    members = {m.id: m for m in family.current_members}
    form.member.choices = [
        ("", _("Choose who")),
        *((m.id, f"{m.first_name} ({m.role.label.lower()})") for m in members.values()),
        (SOMEONE_ELSE, _("Someone else: type the name")),
    ]
    form.known_members = set(members)
    form.member_ages = {m.id: m.age_on(dates.today()) for m in members.values() if m.is_child}
    form.made_on = plans_service.local_day(plan.created_at)
    goals = {g.id: g for g in plan.goals}
    token = plans_service.agreement_token(plan)
    status, conflict = 200, False
    if request.method == "GET":
        _agreement_goals(form, plan, token, keep_typed=form.from_draft)
    elif form.validate_on_submit():
        stale = form.token.data != token or (form.is_response and sorted(form.posted_goal_ids()) != sorted(goals))
        data = form.to_input(members)
        saved = (
            plans_service.AgreementSaved()
            if stale
            else plans_service.record_agreement(family, plan, data, current_user)
        )
        if saved.ended:  # closed since the page's check: nothing stored, what was typed stays
            form.form_errors.append(str(periods.HELP_ENDED))
        elif saved.entry is None:
            # The plan or its entries changed since the form was opened (a colleague, or this form sent
            # twice): what is saved now is shown, with what was typed, to check and record again.
            conflict, status = True, 409
            plan = plans_service.current_plan(family.id, agreement=True) or plan
            goals = {g.id: g for g in plan.goals}
            _agreement_goals(form, plan, plans_service.agreement_token(plan), keep_typed=True)
        else:
            flash(_("Recorded for version %(n)d of the plan.", n=plan.number), "success")
            if isinstance(data, ResponseInput) and data.party == AgreementParty.PARENT and data.agrees:
                for youth in plans_service.youth_not_asked(family, plan, dates.today(), YOUTH_WARNED_FROM):
                    message = _(
                        "%(name)s is 16 or older and has not been asked about this plan.", name=youth.first_name
                    )
                    flash(message, "warning")
            return redirect(url_for("plans.show", family_id=family.id))
    return render_template(
        "plans/agreement.html",
        form=form,
        family=family,
        plan=plan,
        goals=goals,
        conflict=conflict,
        youth_16=plans_service.youth_not_asked(family, plan, dates.today(), YOUTH_WARNED_FROM),
    ), status


def _agreement_goals(form: AgreementEntryForm, plan, token: str, keep_typed: bool = False) -> None:
    """The form for the version as saved now: its token and one response per goal; with keep_typed, what was
    typed for a goal that is still there stays in the form."""
    typed = {e.form.goal_id.data: (e.form.response.data, e.form.words.data) for e in form.goals} if keep_typed else {}
    form.token.data = token
    while len(form.goals):
        form.goals.pop_entry()
    for goal in plan.goals if form.is_response else []:
        response, words = typed.get(str(goal.id), ("", ""))
        form.goals.append_entry({"goal_id": str(goal.id), "response": response, "words": words})


ALREADY_ENDED = _l("The help for this family has already ended.")
CLOSED_AND_REOPENED = _l(
    "The help was closed and reopened while you had this form open. Check the family page and close again if needed."
)


@bp.route("/close", methods=["GET", "POST"])
@family_view()
@form_page()
def close(family: Family):
    if family.status == FamilyStatus.CLOSED:
        flash(str(ALREADY_ENDED), "info")
        return redirect(url_for("families.detail", family_id=family.id))
    plan = plans_service.current_plan(family.id)
    goals = plan.active_goals if plan else []
    form = CloseForm()
    form._start_date = family.start_date
    if request.method == "GET" and not form.from_draft:
        form.period.data = str(periods.current_number(family))
        for goal in goals:
            form.scores.append_entry({"goal_key": goal.key})
    if form.validate_on_submit():
        outcome = plans_service.close_family(
            family,
            form.to_ending(),
            [ScoreInput(e.form.goal_key.data, e.form.worker_score.data, e.form.parent_score.data) for e in form.scores],
            current_user,
            goals,
        )
        if outcome == "goals_changed":
            abort(400)  # the goals changed while the form was open; reload it
        if outcome == "already_ended":  # someone else closed it while this form was open
            flash(str(ALREADY_ENDED), "info")
        elif outcome == "period_changed":  # the form was for a period that has ended since
            flash(str(CLOSED_AND_REOPENED), "warning")
        else:
            flash(_("The help has been closed. The record is kept."), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    goal_by_key = {g.key: g for g in goals}
    name_score_rows(form.scores, goal_by_key)
    return render_template("plans/close.html", form=form, family=family, goal_by_key=goal_by_key, today=dates.today())


def _print_args(family):
    form = _print_form(family)
    lang = form.lang.data if form.lang.data in ("nl", "en") else "nl"
    if "version" in request.args:
        number = request.args.get("version", type=int)
        if number is None or not 0 < number < 2**31:
            abort(404)
        plan = plans_service.plan_version(family.id, number, agreement=True)
    else:
        plan = plans_service.current_plan(family.id, agreement=True)
    if plan is None:
        abort(404)
    return (
        plan,
        lang,
        form.moment.data or [],
        {"sign": bool(form.sign.data), "write_space": bool(form.write_space.data)},
    )


@bp.get("/plan/print")
@family_view()
def print_page(family: Family):
    plan, lang, moment_ids, options = _print_args(family)
    audit.record("print_plan", family=family, obj=plan, detail=f"version {plan.number}, {lang}")
    return printing.render_print_html(family, plan, lang, moment_ids, **options)


@bp.get("/plan/print.pdf")
@family_view()
def print_pdf(family: Family):
    plan, lang, moment_ids, options = _print_args(family)
    html = printing.render_print_html(family, plan, lang, moment_ids, **options)
    audit.record("download_plan", family=family, obj=plan, detail=f"version {plan.number}, {lang}")
    filename = f"plan-{family.case_number}-v{plan.number}-{lang}.pdf"
    return Response(
        printing.render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
