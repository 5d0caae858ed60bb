"""The plan of a family: /families/<id>/plan..., closing the help, and the printed plan."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit, dates
from app.extensions import db
from app.models import ClosureType, CoreSkill, FamilyStatus, GoalStatus, HelpFocus, Party, PlanStatus
from app.plans import bp, printing
from app.plans.forms import MAX_GOALS, CloseForm, PlanForm, PrintForm
from app.security.access import family_or_404
from app.security.roles import case_roles_required
from app.services import plans as plans_service
from app.services.plans import AgreementInput, GoalInput, PlanInput, ScoreInput


def _fill(form: PlanForm, plan) -> None:
    form.status.data = plan.status.value
    form.discussed_on.data = plan.discussed_on
    form.review_on.data = plan.review_on
    form.version.data = str(plan.version)
    while len(form.goals):
        form.goals.pop_entry()
    for goal in plan.goals:
        form.goals.append_entry(
            {
                "key": goal.key,
                "focus": goal.focus.value,
                "title": goal.title,
                "looks_like": goal.looks_like,
                "start_score": goal.start_score,
                "target_score": goal.target_score,
                "status": goal.status.value,
                "skills": [s.value for s in goal.skills],
                "agreements": [{"party": a.party.value, "who": a.who, "what": a.what} for a in goal.agreements],
            }
        )
    for entry in form.goals:
        while len(entry.form.agreements) < 3:
            entry.form.agreements.append_entry()
    form.goals.append_entry()


def _safe_keys(form: PlanForm, family_id: int) -> list[str | None]:
    """A goal key from the form is kept only if it is one of this family's goals, once; else a new goal."""
    known = plans_service.goal_keys_of(family_id)
    seen: set[str] = set()
    keys: list[str | None] = []
    for goal in form.filled_goals():
        key = goal.key.data or None
        if key not in known or key in seen:
            key = None
        if key:
            seen.add(key)
        keys.append(key)
    return keys


def _to_input(form: PlanForm, family_id: int) -> PlanInput:
    keys = _safe_keys(form, family_id)
    return PlanInput(
        status=PlanStatus(form.status.data),
        discussed_on=form.discussed_on.data,
        review_on=form.review_on.data,
        goals=[
            GoalInput(
                key=key,
                focus=HelpFocus(g.focus.data),
                title=g.title.data,
                looks_like=g.looks_like.data or "",
                start_score=g.start_score.data,
                target_score=g.target_score.data,
                status=GoalStatus(g.status.data),
                skills={CoreSkill(s) for s in g.skills.data or []},
                agreements=[
                    AgreementInput(party=Party(a.form.party.data), who=a.form.who.data or "", what=a.form.what.data)
                    for a in g.agreements
                    if a.form.what.data
                ],
            )
            for g, key in zip(form.filled_goals(), keys, strict=True)
        ],
    )


@bp.get("/<int:family_id>/plan")
@case_roles_required
def show(family_id: int):
    family = family_or_404(family_id)
    plan = plans_service.current_plan(family.id)
    return _render_plan(family, plan)


@bp.get("/<int:family_id>/plan/versions/<int:number>")
@case_roles_required
def version(family_id: int, number: int):
    family = family_or_404(family_id)
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


@bp.route("/<int:family_id>/plan/edit", methods=["GET", "POST"])
@case_roles_required
def edit(family_id: int):
    family = family_or_404(family_id)
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
        _fill(form, current)
    elif form.validate_on_submit():
        if current is not None and form.version.data != str(current.version):
            conflict = current
            form.version.data = str(current.version)
            status = 409
        else:
            try:
                plan = plans_service.save_plan(family, _to_input(form, family.id), current_user, current)
            except (StaleDataError, IntegrityError):
                # Saved by someone else at the same moment: answer as a conflict, keep what was typed.
                db.session.rollback()
                current = plans_service.current_plan(family.id)
                form.version.data = str(current.version) if current else ""
                return render_template(
                    "plans/edit.html",
                    form=form,
                    family=family,
                    plan=current,
                    conflict=current,
                    will_version=current is not None and current.status == PlanStatus.AGREED,
                ), 409
            audit.record(
                "update_plan" if current else "create_plan", family=family, obj=plan, detail=f"version {plan.number}"
            )
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


@bp.route("/<int:family_id>/close", methods=["GET", "POST"])
@case_roles_required
def close(family_id: int):
    family = family_or_404(family_id)
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
    keys = sorted(g.key for g in goals)
    submitted = sorted(e.form.goal_key.data or "" for e in form.scores)
    if form.validate_on_submit():
        if submitted != keys:  # each active goal exactly once
            abort(400)  # the goals changed while the form was open; reload it
        plans_service.close_family(
            family,
            ClosureType(form.closure_type.data),
            form.end_date.data,
            [ScoreInput(e.form.goal_key.data, e.form.worker_score.data, e.form.parent_score.data) for e in form.scores],
            current_user,
        )
        audit.record("close_family", family=family, obj=family, detail=form.closure_type.data)
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
    return plan, lang, form.moment.data or []


@bp.get("/<int:family_id>/plan/print")
@case_roles_required
def print_page(family_id: int):
    family = family_or_404(family_id)
    plan, lang, moment_ids = _print_args(family)
    audit.record("print_plan", family=family, obj=plan, detail=f"version {plan.number}, {lang}")
    return printing.render_print_html(family, plan, lang, moment_ids)


@bp.get("/<int:family_id>/plan/print.pdf")
@case_roles_required
def print_pdf(family_id: int):
    family = family_or_404(family_id)
    plan, lang, moment_ids = _print_args(family)
    html = printing.render_print_html(family, plan, lang, moment_ids)
    audit.record("download_plan", family=family, obj=plan, detail=f"version {plan.number}, {lang}")
    filename = f"plan-{family.case_number}-v{plan.number}-{lang}.pdf"
    return Response(
        printing.render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
