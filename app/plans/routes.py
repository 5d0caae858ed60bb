"""The plan of a family: /families/<id>/plan..., closing the help, and the printed plan."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit, dates
from app.models import ClosureType, Family, FamilyStatus, PlanStatus
from app.plans import printing
from app.plans.forms import MAX_GOALS, CloseForm, PlanForm, PrintForm
from app.security.access import family_view
from app.services import plans as plans_service
from app.services.plans import ScoreInput

bp = Blueprint("plans", __name__)


@bp.get("/plan")
@family_view()
def show(family: Family):
    plan = plans_service.current_plan(family.id)
    return _render_plan(family, plan)


@bp.get("/plan/versions/<int:number>")
@family_view()
def version(family: Family, number: int):
    plan = plans_service.plan_version(family.id, number)
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
@family_view()
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
    elif request.method == "GET" and current is not None:
        form.fill_from(current)
    elif form.validate_on_submit():
        saved = plans_service.submit_plan(family, form.to_input(), form.version.data or "", current_user, current)
        if saved.plan is None:
            # Someone saved since the form was opened: keep what was typed, show theirs beside it.
            current = conflict = saved.conflict
            form.version.data = str(current.version) if current else ""
            status = 409
        else:
            plan = saved.plan
            if current is not None and plan is not current:
                flash(
                    _(
                        "The agreed plan has been kept as version %(old)d; your changes are version %(new)d.",
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
        will_version=current is not None and current.status == PlanStatus.AGREED,
    ), status


@bp.route("/close", methods=["GET", "POST"])
@family_view()
def close(family: Family):
    if family.status == FamilyStatus.CLOSED:
        flash(_("The help for this family has already ended."), "info")
        return redirect(url_for("families.detail", family_id=family.id))
    plan = plans_service.current_plan(family.id)
    goals = plan.active_goals if plan else []
    form = CloseForm()
    form._start_date = family.start_date
    if request.method == "GET":
        for goal in goals:
            form.scores.append_entry({"goal_key": goal.key})
    if form.validate_on_submit():
        closed = plans_service.close_family(
            family,
            ClosureType(form.closure_type.data),
            form.end_date.data,
            [ScoreInput(e.form.goal_key.data, e.form.worker_score.data, e.form.parent_score.data) for e in form.scores],
            current_user,
            goals,
        )
        if not closed:
            abort(400)  # the goals changed while the form was open; reload it
        flash(_("The help has been closed. The record is kept."), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    goal_by_key = {g.key: g for g in goals}
    return render_template("plans/close.html", form=form, family=family, goal_by_key=goal_by_key, today=dates.today())


def _print_args(family):
    form = _print_form(family)
    lang = form.lang.data if form.lang.data in ("nl", "en") else "nl"
    if "version" in request.args:
        number = request.args.get("version", type=int)
        if number is None or not 0 < number < 2**31:
            abort(404)
        plan = plans_service.plan_version(family.id, number)
    else:
        plan = plans_service.current_plan(family.id)
    if plan is None:
        abort(404)
    return plan, lang, form.moment.data or [], bool(form.write_space.data)


@bp.get("/plan/print")
@family_view()
def print_page(family: Family):
    plan, lang, moment_ids, write_space = _print_args(family)
    audit.record("print_plan", family=family, obj=plan, detail=f"version {plan.number}, {lang}")
    return printing.render_print_html(family, plan, lang, moment_ids, write_space=write_space)


@bp.get("/plan/print.pdf")
@family_view()
def print_pdf(family: Family):
    plan, lang, moment_ids, write_space = _print_args(family)
    html = printing.render_print_html(family, plan, lang, moment_ids, write_space=write_space)
    audit.record("download_plan", family=family, obj=plan, detail=f"version {plan.number}, {lang}")
    filename = f"plan-{family.case_number}-v{plan.number}-{lang}.pdf"
    return Response(
        printing.render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
