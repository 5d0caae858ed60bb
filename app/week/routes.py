"""The coming days: "My week" (a worker's appointments and plan reviews, a lead's team's), and the same as a
calendar feed at a secret address."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from app import audit, dates
from app.extensions import csrf
from app.families.forms import ConfirmForm
from app.security.roles import case_roles_required
from app.services import appointments
from app.services import calendar_feeds as feeds_service
from app.week import feed

bp = Blueprint("week", __name__)


@bp.get("/week")
@case_roles_required
def index():
    week = appointments.week(current_user)
    audit.record("week", detail=f"{len(week.family_ids)} families")
    audit.record_shown(audit.SEEN_IN_WEEK, week.family_ids)
    return render_template("week/index.html", week=week, has_feed=feeds_service.active_feed(current_user) is not None)


@bp.get("/calendar/<token>.ics")
@csrf.exempt
def feed_file(token: str):
    """No login: a calendar app has none. The token is the key; an unknown or revoked one is a plain 404."""
    owner = feeds_service.owner_of(token)
    if owner is None:
        abort(404)
    now = dates.now()
    items = appointments.agenda(owner, now=appointments.local_now(), days=None)
    audit.record("calendar_feed", user=owner, detail=f"{len(items)} events")
    audit.record_shown(audit.SEEN_IN_CALENDAR, (item.family_id for item in items), user=owner)
    body = feed.calendar(
        items,
        family_url=lambda family_id: url_for("families.detail", family_id=family_id, _external=True),
        domain=request.host.split(":")[0] or "attune",
        zone=str(get_timezone()),
        now=now,
    )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="attune.ics"'
    return response


@bp.post("/account/calendar")
@case_roles_required
def new_link():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account", _anchor="calendar-heading"))
    token = feeds_service.new_feed(current_user)
    return render_template("week/calendar_link.html", feed_url=url_for("week.feed_file", token=token, _external=True))


@bp.post("/account/calendar/stop")
@case_roles_required
def stop_link():
    if ConfirmForm().validate_on_submit() and feeds_service.revoke(current_user):
        flash(
            _("The calendar link has been stopped. Calendar apps that used it no longer get your appointments."), "info"
        )
    return redirect(url_for("auth.account", _anchor="calendar-heading"))
