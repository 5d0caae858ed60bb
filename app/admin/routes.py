"""The administrator's pages: accounts, teams and signal settings.

Each view goes down once: load the account or team (services.accounts.user_or_404,
services.teams.team_or_404), one service call to read what the page shows, and for a valid post one
service call that checks what only the data can decide, saves and logs. A refusal comes back as
errors by field name, shown beside the field.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin.forms import (
    SIGNAL_LABELS,
    EditUserForm,
    EndLoginsForm,
    NewUserForm,
    ResetPasswordForm,
    ResetTwoFactorForm,
    TeamForm,
    UserForm,
    signal_settings_form,
)
from app.models import Role, User
from app.security.roles import admin_required, second_factor_required
from app.services import accounts, outcome_model, settings
from app.services import teams as teams_service
from app.services.accounts import AccountInput, AccountSaved, UserFormData
from app.web.form_pages import form_page
from app.web.forms import conflict_rows
from app.web.passkeys import fresh_check_offer, fresh_proof

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
    return render_template("admin/users.html", rows=accounts.all_users())


def _requested_page(saved: AccountSaved):
    """The change on file and who can confirm it; a set-up code is shown here, once (never in a flash:
    flashes live in the cookie)."""
    return render_template("admin/requested.html", user=saved.user, requested=saved.requested)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
@second_factor_required
def create_user_page():
    form = _user_form(NewUserForm(), accounts.user_form_data(None))
    if form.validate_on_submit():
        saved = accounts.submit_new_user(_account_input(form), current_user, form.fresh_code.data, fresh_proof(form))
        if saved.requested is not None:
            return _requested_page(saved)
        form.show_errors(saved.errors)
    return render_template(
        "admin/user_form.html", form=form, user=None, fresh=fresh_check_offer(current_user._get_current_object())
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = accounts.user_or_404(user_id)
    data = accounts.user_form_data(user, current_user)
    form = _user_form(EditUserForm(obj=user, user_id=user.id), data)
    # A passkey's answer submits the form by script, without its submit button.
    if (form.submit.data or form.fresh_passkey.data) and form.validate_on_submit():
        saved = accounts.submit_user(user, _account_input(form), current_user, form.fresh_code.data, fresh_proof(form))
        if saved.requested is not None:
            return _requested_page(saved)
        if saved.user is not None:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.users"))
        form.show_errors(saved.errors)
    return _render_user_page(user, data, form=form)


def _render_user_page(user: User, data: UserFormData | None = None, **forms):
    """The account's page; a form that was posted comes back with its errors and what was typed."""
    data = data or accounts.user_form_data(user, current_user)
    # formdata=None: after another form's post, the account form shows the account, not that post (whose
    # missing "active" box would read as unticked, and a Save would then deactivate the account).
    form = forms.get("form") or EditUserForm(formdata=None, obj=user, user_id=user.id)
    return render_template(
        "admin/user_form.html",
        form=_user_form(form, data),
        user=user,
        password_form=forms.get("password_form") or ResetPasswordForm(prefix="reset"),
        two_factor_form=forms.get("two_factor_form") or ResetTwoFactorForm(prefix="tf"),
        end_form=forms.get("end_form") or EndLoginsForm(prefix="end"),
        active_logins=data.active_logins,
        two_factor_required=data.two_factor_required,
        passkey_count=data.passkeys,
        open_change=data.open_change,
        fresh=fresh_check_offer(current_user._get_current_object()),
    )


def _show_errors(form, saved: AccountSaved) -> None:
    for name, messages in saved.errors.items():
        (form.form_errors if not name else form[name].errors).extend(messages)


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
@second_factor_required
def reset_two_factor(user_id: int):
    """For a user who lost their phone and recovery codes: once confirmed, they set it up again."""
    user = accounts.user_or_404(user_id)
    form = ResetTwoFactorForm(prefix="tf")
    if form.validate_on_submit():
        saved = accounts.reset_two_factor(user, current_user, form.fresh_code.data, fresh_proof(form))
        if saved.requested is not None:
            return _requested_page(saved)
        _show_errors(form, saved)
    return _render_user_page(user, two_factor_form=form), 200


@bp.post("/users/<int:user_id>/sessions/end")
@admin_required
@second_factor_required
def end_sessions(user_id: int):
    user = accounts.user_or_404(user_id)
    form = EndLoginsForm(prefix="end")
    if form.validate_on_submit():
        saved = accounts.end_logins(user, current_user, form.fresh_code.data, fresh_proof(form))
        if not saved.errors:
            flash(_("All logins of %(name)s have been ended.", name=user.name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        _show_errors(form, saved)
    return _render_user_page(user, end_form=form), 200


@bp.post("/users/<int:user_id>/password")
@admin_required
@second_factor_required
def reset_password(user_id: int):
    """A one-time set-up code for the person, instead of a password chosen by the administrator."""
    user = accounts.user_or_404(user_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        saved = accounts.reset_password(user, current_user, form.fresh_code.data, fresh_proof(form))
        if saved.requested is not None:
            return _requested_page(saved)
        _show_errors(form, saved)
    return _render_user_page(user, password_form=form), 200


@bp.route("/teams", methods=["GET", "POST"])
@admin_required
@form_page(once=True)
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
    conflict = None
    if form.validate_on_submit():
        saved = teams_service.rename_team(team, form.name.data, form.version.data or "")
        if saved.team is not None:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.teams"))
        if saved.conflict:
            conflict = conflict_rows(form, {"name": team.name})
            form.version.data = str(team.version)  # a second save now overwrites, knowingly
        form.show_errors(saved.errors)
    return render_template("admin/team_form.html", form=form, team=team, conflict=conflict), (409 if conflict else 200)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def signal_settings():
    in_force = settings.signal_thresholds()
    form = signal_settings_form(in_force)
    if request.method == "GET":
        form.version.data = settings.thresholds_version(in_force)
    conflict = None
    if form.validate_on_submit():
        values = {name: form[name].data for name in SIGNAL_LABELS}
        if settings.save_signal_thresholds(values, current_user, form.version.data or ""):
            flash(_("The settings have been saved."), "success")
            return redirect(url_for("admin.signal_settings"))
        saved_now = settings.signal_thresholds()
        conflict = conflict_rows(form, {name: saved_now[name] for name in SIGNAL_LABELS})
        form.version.data = settings.thresholds_version(saved_now)  # a second save now overwrites, knowingly
    return render_template(
        "admin/settings.html", form=form, names=list(SIGNAL_LABELS), model=outcome_model.current(), conflict=conflict
    ), (409 if conflict else 200)
