"""Pending account changes: the list, one change, and its confirm, refuse and cancel buttons.

Team leads see their own team's changes, administrators every change. Loading a change goes through
services.account_changes.change_or_404 (404 for one the user may not see); a decision the user may
not take answers 404 too. Every page needs a login that passed a second factor.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.account_changes.forms import CancelChangeForm, ConfirmChangeForm, RefuseChangeForm, RenewHalfForm
from app.models import ChangeOutcome, Role
from app.security.roles import roles_required, second_factor_required
from app.services import account_changes, logins
from app.web.passkeys import fresh_check_offer, fresh_proof

bp = Blueprint("account_changes", __name__)
deciders_only = roles_required(Role.LEAD, Role.ADMIN)


@bp.app_context_processor
def waiting_account_changes() -> dict:
    """How many account changes wait for this user's decision: the count in the menu and on the lead's
    start page, read here so templates hold no queries."""
    user = current_user
    if not user.is_authenticated or user.role not in (Role.LEAD, Role.ADMIN) or not user.login_second_factor:
        return {"account_changes_waiting": 0}
    try:
        return {"account_changes_waiting": account_changes.waiting_for(user)}
    except SQLAlchemyError:  # an error page about the database must still render
        return {"account_changes_waiting": 0}


@bp.get("/")
@deciders_only
@second_factor_required
def index():
    return render_template("account_changes/index.html", lists=account_changes.lists(current_user))


def _render(change_id: int, status: int = 200, **forms):
    change = account_changes.change_or_404(change_id, current_user)
    row = account_changes.row(change, current_user)
    return render_template(
        "account_changes/show.html",
        row=row,
        confirm_form=forms.get("confirm_form") or ConfirmChangeForm(prefix="confirm"),
        refuse_form=RefuseChangeForm(prefix="refuse"),
        cancel_form=CancelChangeForm(prefix="cancel"),
        renew_form=forms.get("renew_form") or RenewHalfForm(prefix="renew"),
        fresh=fresh_check_offer(current_user._get_current_object()) if row.may_decide or row.may_renew else None,
    ), status


@bp.get("/<int:change_id>")
@deciders_only
@second_factor_required
def show(change_id: int):
    return _render(change_id)


def _not_theirs(change):
    """A decision this user may not take: 404; but a change that is simply no longer waiting says so."""
    if account_changes.state(change) != ChangeOutcome.PENDING:
        decided = account_changes.no_longer_pending(change)
        return _outcome(decided, "", change.id)
    abort(404)


def _outcome(decided: account_changes.Decided, done: str, change_id: int):
    flash(done if decided.done else decided.message, "success" if decided.done else "warning")
    return redirect(url_for("account_changes.show", change_id=change_id))


@bp.post("/<int:change_id>/confirm")
@deciders_only
@second_factor_required
def confirm(change_id: int):
    change = account_changes.change_or_404(change_id, current_user)
    form = ConfirmChangeForm(prefix="confirm")
    if not account_changes.may_decide(change, current_user):
        return _not_theirs(change)
    if form.validate_on_submit():
        proof = fresh_proof(form)
        if logins.fresh_check(current_user, form.fresh_code.data, "confirm_account_change", proof):
            decided = account_changes.confirm(change, current_user)
            if decided.code:
                # The second half of the set-up code: on this answer only, never in a flash (the cookie).
                return render_template("account_changes/confirmed.html", change=change, code=decided.code)
            return _outcome(decided, _("Confirmed: the change has taken effect."), change_id)
        form.fresh_code.errors.append(logins.fresh_check_refused(current_user, proof))
    return _render(change_id, 200, confirm_form=form)


@bp.post("/<int:change_id>/refuse")
@deciders_only
@second_factor_required
def refuse(change_id: int):
    change = account_changes.change_or_404(change_id, current_user)
    if not account_changes.may_decide(change, current_user):
        return _not_theirs(change)
    if RefuseChangeForm(prefix="refuse").validate_on_submit():
        return _outcome(account_changes.refuse(change, current_user), _("Refused: nothing was changed."), change_id)
    return redirect(url_for("account_changes.show", change_id=change_id))


@bp.post("/<int:change_id>/cancel")
@deciders_only
@second_factor_required
def cancel(change_id: int):
    change = account_changes.change_or_404(change_id, current_user)
    if not account_changes.may_cancel(change, current_user):
        return _not_theirs(change)
    if CancelChangeForm(prefix="cancel").validate_on_submit():
        return _outcome(account_changes.cancel(change, current_user), _("The change has been cancelled."), change_id)
    return redirect(url_for("account_changes.show", change_id=change_id))


@bp.post("/<int:change_id>/second-half")
@deciders_only
@second_factor_required
def renew_second_half(change_id: int):
    """The confirmer lost the second half (a double click, a closed tab): a new one, after a fresh check."""
    change = account_changes.change_or_404(change_id, current_user)
    if not account_changes.may_renew(change, current_user):
        abort(404)
    form = RenewHalfForm(prefix="renew")
    if form.validate_on_submit():
        proof = fresh_proof(form)
        if logins.fresh_check(current_user, form.fresh_code.data, "renew_setup_code", proof):
            code = account_changes.renew_second_half(change, current_user)
            if code is None:
                flash(_("The set-up code was used or has expired meanwhile: nothing was changed."), "warning")
                return redirect(url_for("account_changes.show", change_id=change_id))
            return render_template("account_changes/confirmed.html", change=change, code=code, renewed=True)
        form.fresh_code.errors.append(logins.fresh_check_refused(current_user, proof))
    return _render(change_id, 200, renew_form=form)
