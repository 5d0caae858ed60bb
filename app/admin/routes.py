from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from app import audit
from app.admin.forms import (
    SIGNAL_LABELS,
    ConfirmForm,
    NewUserForm,
    ResetPasswordForm,
    TeamForm,
    UserForm,
    signal_settings_form,
)
from app.extensions import db
from app.models import Role, Team, User
from app.security.passwords import hash_password
from app.security.roles import admin_required
from app.services import login_sessions, settings, two_factor
from app.services.accounts import create_user, normalise_email

bp = Blueprint("admin", __name__)


def _team_choices() -> list[SelectChoice]:
    teams = db.session.execute(select(Team).order_by(Team.name)).scalars()
    return [SelectChoice(0, _("No team"))] + [SelectChoice(t.id, t.name) for t in teams]


@bp.get("/")
@admin_required
def users():
    all_users = db.session.execute(select(User).order_by(User.active.desc(), User.name)).scalars().all()
    return render_template("admin/users.html", users=all_users)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user_page():
    form = NewUserForm()
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
        user = create_user(
            email=form.email.data,
            name=form.name.data,
            role=Role(form.role.data),
            password=form.password.data,
            team=team,
        )
        user.active = form.active.data
        audit.record("create_user", obj=user, detail=user.email)
        flash(_("The account for %(name)s has been created.", name=user.name), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, user_id=user.id)
    form.team_id.choices = _team_choices()
    password_form = ResetPasswordForm(prefix="reset", owner=user)
    if form.submit.data and form.validate_on_submit():
        if user.id == current_user.id and (not form.active.data or form.role.data != Role.ADMIN.value):
            form.role.errors.append(_("You cannot take away your own administrator access."))
        else:
            was_active = user.active
            user.name = form.name.data
            user.email = normalise_email(form.email.data)
            user.role = Role(form.role.data)
            user.team_id = form.team_id.data or None
            user.active = form.active.data
            if was_active and not user.active:
                login_sessions.end_all(user, reason="deactivated")  # a deactivated user is logged out everywhere
            audit.record("update_user", obj=user, detail=user.email)
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.users"))
    return _render_user_page(user, form, password_form)


def _render_user_page(user: User, form: UserForm, password_form: ResetPasswordForm, status: int = 200):
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        password_form=password_form,
        confirm_form=ConfirmForm(),
        active_logins=login_sessions.count_active(user),
        two_factor_required=two_factor.required_for(user),
    ), status


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
def reset_two_factor(user_id: int):
    """For a user who lost their phone and recovery codes: they set it up again at the next login."""
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        if user.id == current_user.id:
            # Otherwise a stolen admin login could swap the admin's own second factor.
            flash(_("Another administrator has to reset your own two-step verification."), "danger")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        two_factor.disable(user)
        login_sessions.end_all(user, reason="second_factor")
        audit.record("reset_two_factor", obj=user, detail=user.email)
        flash(
            _(
                "Two-step verification of %(name)s has been reset and they have been logged out everywhere.",
                name=user.name,
            ),
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/sessions/end")
@admin_required
def end_sessions(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        # Your own current login stays: ending it here would lock you out mid-click.
        keep = current_user.login_token if user.id == current_user.id else None
        login_sessions.end_all(user, reason="ended_by_admin", keep_token=keep)
        audit.record("end_sessions", obj=user, detail=user.email)
        flash(_("All logins of %(name)s have been ended.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    password_form = ResetPasswordForm(prefix="reset", owner=user)
    if password_form.validate_on_submit():
        user.password_hash = hash_password(password_form.password.data)
        login_sessions.end_all(user, reason="password_reset")
        audit.record("reset_password", obj=user, detail=user.email)
        flash(
            _("A new password has been set for %(name)s. They have been logged out everywhere.", name=user.name),
            "success",
        )
        return redirect(url_for("admin.users"))
    form = UserForm(obj=user, user_id=user.id)
    form.team_id.choices = _team_choices()
    form.role.data = user.role.value
    return _render_user_page(user, form, password_form)


@bp.route("/teams", methods=["GET", "POST"])
@admin_required
def teams():
    form = TeamForm()
    if form.validate_on_submit():
        if db.session.execute(select(Team.id).where(func.lower(Team.name) == form.name.data.lower())).first():
            form.name.errors.append(_("A team with this name already exists."))
        else:
            team = Team(name=form.name.data)
            db.session.add(team)
            db.session.flush()
            audit.record("create_team", obj=team, detail=team.name)
            flash(_("%(name)s has been created.", name=team.name), "success")
            return redirect(url_for("admin.teams"))
    rows = db.session.execute(
        select(Team, func.count(User.id))
        .outerjoin(User, (User.team_id == Team.id) & User.active.is_(True))
        .group_by(Team.id)
        .order_by(Team.name)
    ).all()
    return render_template("admin/teams.html", form=form, rows=rows)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@admin_required
def edit_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        clash = db.session.execute(
            select(Team.id).where(func.lower(Team.name) == form.name.data.lower(), Team.id != team.id)
        ).first()
        if clash:
            form.name.errors.append(_("A team with this name already exists."))
        else:
            team.name = form.name.data
            audit.record("update_team", obj=team, detail=team.name)
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=team)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def signal_settings():
    form = signal_settings_form(settings.signal_thresholds())
    if form.validate_on_submit():
        for name in SIGNAL_LABELS:
            settings.set_signal_threshold(name, form[name].data, current_user)
        audit.record("update_settings", detail=", ".join(f"{n}={form[n].data}" for n in SIGNAL_LABELS))
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("admin.signal_settings"))
    return render_template("admin/settings.html", form=form, names=list(SIGNAL_LABELS))
