"""A team lead records a request to destroy a family's record, and carries it out or closes it.

Carrying it out takes a second, separate step: the request is recorded first, then on its
own page the lead sees what will go and retypes the case number. A careful organisation
accepts this over a second lead's confirmation because many teams have a single lead, and
the law's three months leave time for the lead to check with the privacy officer first.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import dates
from app.destruction.forms import CloseRequestForm, ConfirmDestructionForm, RequestForm
from app.models import DestructionRequest, Family, RequestStatus
from app.security.access import DESTRUCTION_REQUEST, family_view
from app.services import destruction as service
from app.web.form_pages import form_page

bp = Blueprint("destruction", __name__)


@bp.route("/destruction/new", methods=["GET", "POST"])
@family_view(lead_only=True, action="destruction_request")
@form_page()  # saved once without a key: a second send finds the open request and is led to it
def new(family: Family):
    existing = service.open_request(family.id)
    if existing is not None:
        return redirect(url_for("destruction.show", family_id=family.id, request_id=existing.id))
    members = family.current_members
    form = RequestForm()
    form.requested_by_id.choices = [SelectChoice(m.id, f"{m.first_name} ({m.role.label})") for m in members]
    if form.validate_on_submit():
        member = next(m for m in members if m.id == form.requested_by_id.data)
        created = service.record_request(family, member, form.received_on.data, form.note.data, current_user)
        if isinstance(created, str):
            form.requested_by_id.errors.append(created)
        else:
            flash(_("The request has been recorded. It must be handled within three months."), "success")
            return redirect(url_for("destruction.show", family_id=family.id, request_id=created.id))
    return render_template("destruction/new.html", form=form, family=family)


@bp.get("/destruction/<int:request_id>")
@family_view(DESTRUCTION_REQUEST, lead_only=True, action="view_destruction_request")
def show(family: Family, destruction_request: DestructionRequest):
    return _show(family, destruction_request, ConfirmDestructionForm(formdata=None), CloseRequestForm(formdata=None))


def _show(family, found, confirm_form, close_form, status=200):
    return (
        render_template(
            "destruction/show.html",
            family=family,
            destruction_request=found,
            deadline=service.deadline(found),
            counts=service.record_counts(family.id),
            confirm_form=confirm_form,
            close_form=close_form,
            today=dates.today(),
        ),
        status,
    )


@bp.post("/destruction/<int:request_id>/confirm")
# Destroying a record cannot be undone: only after a second factor.
@family_view(DESTRUCTION_REQUEST, lead_only=True, action="confirm_destruction", second_factor=True)
def confirm(family: Family, destruction_request: DestructionRequest):
    found = destruction_request
    if not found.is_open:
        abort(404)
    form = ConfirmDestructionForm()
    if form.validate_on_submit():
        if form.case_number.data.casefold() != family.case_number.casefold():
            form.case_number.errors.append(_("This is not the case number of this family. Nothing was destroyed."))
        else:
            case_number = family.case_number
            reason = f"request received {found.received_on.isoformat()} from {found.requested_by.role.value}"
            service.destroy_family(family, actor=current_user, reason=reason)
            flash(
                _(
                    "The record %(case)s has been destroyed. The access log keeps only that it existed and who destroyed it.",
                    case=case_number,
                ),
                "success",
            )
            return redirect(url_for("overview.index"))
    return _show(family, found, form, CloseRequestForm(formdata=None), status=200)


@bp.post("/destruction/<int:request_id>/close")
@family_view(DESTRUCTION_REQUEST, lead_only=True, action="close_destruction_request")
def close(family: Family, destruction_request: DestructionRequest):
    found = destruction_request
    if not found.is_open:
        abort(404)
    form = CloseRequestForm()
    if form.validate_on_submit():
        status = RequestStatus(form.outcome.data)
        service.close_request(family, found, status, form.reason.data, current_user)
        flash(_("The request has been closed: %(outcome)s.", outcome=status.label.lower()), "info")
        return redirect(url_for("families.detail", family_id=family.id))
    return _show(family, found, ConfirmDestructionForm(formdata=None), form, status=200)
