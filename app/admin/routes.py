"""The administrator's pages: accounts, teams and signal settings.

Each view goes down once: load the account or team (services.accounts.user_or_404,
services.teams.team_or_404), one service call to read what the page shows, and for a valid post one
service call that checks what only the data can decide, saves and logs. A refusal comes back as
errors by field name, shown beside the field.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin.forms import (
    SIGNAL_LABELS,
    ConfirmForm,
    NewUserForm,
    ResetPasswordForm,
    TeamForm,
    UserForm,
    signal_settings_form,
)
from app.models import Role, User
from app.security.roles import admin_required
from app.services import accounts, settings
from app.services import teams as teams_service
from app.services.accounts import AccountInput, UserFormData

bp = Blueprint("admin", __name__)


def _user_form(form: UserForm, data: UserFormData) -> UserForm:
    form.team_id.choices = [SelectChoice(0, _("No team"))] + [SelectChoice(i, name) for i, name in data.teams]
    return form


def _account_input(form: UserForm) -> AccountInput:
    return AccountInput(
        name=form.name.data,
        email=form.email.data,
        role=Role(form.role.data),
        team_id=form.team_id.data or None,
        active=form.active.data,
    )


@bp.get("/")
@admin_required
def users():
    return render_template("admin/users.html", users=accounts.all_users())


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user_page():
    form = _user_form(NewUserForm(), accounts.user_form_data(None))
    if form.validate_on_submit():
        saved = accounts.submit_new_user(_account_input(form), form.password.data)
        if saved.user is not None:
            flash(_("The account for %(name)s has been created.", name=saved.user.name), "success")
            return redirect(url_for("admin.users"))
        form.show_errors(saved.errors)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = accounts.user_or_404(user_id)
    data = accounts.user_form_data(user)
    form = _user_form(UserForm(obj=user, user_id=user.id), data)
    password_form = ResetPasswordForm(prefix="reset", owner=user)
    if form.submit.data and form.validate_on_submit():
        saved = accounts.submit_user(user, _account_input(form), current_user)
        if saved.user is not None:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.users"))
        form.show_errors(saved.errors)
    return _render_user_page(user, data, form, password_form)


def _render_user_page(user: User, data: UserFormData, form: UserForm, password_form: ResetPasswordForm):
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        password_form=password_form,
        confirm_form=ConfirmForm(),
        active_logins=data.active_logins,
        two_factor_required=data.two_factor_required,
        passkey_count=data.passkeys,
    )


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
def reset_two_factor(user_id: int):
    """For a user who lost their phone and recovery codes: they set it up again at the next login."""
    user = accounts.user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        saved = accounts.reset_two_factor(user, current_user)
        for message in saved.errors.get("", []):
            flash(message, "danger")
        if saved.user is not None:
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
    user = accounts.user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        accounts.end_logins(user, current_user)
        flash(_("All logins of %(name)s have been ended.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    user = accounts.user_or_404(user_id)
    password_form = ResetPasswordForm(prefix="reset", owner=user)
    if password_form.validate_on_submit():
        accounts.reset_password(user, password_form.password.data)
        flash(
            _("A new password has been set for %(name)s. They have been logged out everywhere.", name=user.name),
            "success",
        )
        return redirect(url_for("admin.users"))
    data = accounts.user_form_data(user)
    form = _user_form(UserForm(obj=user, user_id=user.id), data)
    form.role.data = user.role.value
    return _render_user_page(user, data, form, password_form)


@bp.route("/teams", methods=["GET", "POST"])
@admin_required
def teams():
    form = TeamForm()
    if form.validate_on_submit():
        saved = teams_service.create_team(form.name.data)
        if saved.team is not None:
            flash(_("%(name)s has been created.", name=saved.team.name), "success")
            return redirect(url_for("admin.teams"))
        form.show_errors(saved.errors)
    return render_template("admin/teams.html", form=form, teams=teams_service.summaries())


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@admin_required
def edit_team(team_id: int):
    team = teams_service.team_or_404(team_id)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        saved = teams_service.rename_team(team, form.name.data)
        if saved.team is not None:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.teams"))
        form.show_errors(saved.errors)
    return render_template("admin/team_form.html", form=form, team=team)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def signal_settings():
    form = signal_settings_form(settings.signal_thresholds())
    if form.validate_on_submit():
        settings.save_signal_thresholds({name: form[name].data for name in SIGNAL_LABELS}, current_user)
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("admin.signal_settings"))
    return render_template("admin/settings.html", form=form, names=list(SIGNAL_LABELS))
