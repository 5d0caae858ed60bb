"""The access log on screen: per family for its team lead, and the whole log for an administrator."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from app import audit, dates
from app.audit import log as audit_log
from app.audit.labels import action_label, object_label, outcome_label, role_label
from app.extensions import db
from app.models import Family
from app.security.access import family_view
from app.security.roles import admin_required, second_factor_required
from app.web.csv import csv_response
from app.web.xlsx import xlsx_response

bp = Blueprint("access_log", __name__)


@bp.app_context_processor
def log_labels() -> dict:
    return {
        "action_label": action_label,
        "outcome_label": outcome_label,
        "object_label": object_label,
        "role_label": role_label,
        "admin_detail": audit_log.admin_detail,
    }


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/families/<int:family_id>/access-log")
@family_view(lead_only=True, action="view_access_log")
def family_log(family: Family):
    """Who looked at this family and what they did: for the lead who oversees the record."""
    db.session.flush()  # a GET writes at its end: this one shows its own opening, so it writes now
    result = audit_log.family_events(family.id, _page_number(), current_app.config["AUDIT_LOG_PER_PAGE"])
    return render_template("access_log/family.html", family=family, result=result)


@bp.get("/admin/log")
@admin_required
@second_factor_required
def admin_log():
    filters = audit_log.filters_from(request.args)
    result = audit_log.search(filters, _page_number(), current_app.config["AUDIT_LOG_PER_PAGE"])
    audit.record(
        "search_log" if filters.active else "view_log", detail=f"{result.total} events: {filters.describe()}"[:255]
    )
    return render_template(
        "access_log/admin.html",
        filters=filters,
        result=result,
        actions=audit_log.known_actions(),
        outcomes=audit_log.OUTCOMES,
    )


def _log_export(fmt: str):
    """The log entries in the filter (at most AUDIT_EXPORT_MAX_ROWS), times in UTC: a CSV or an Excel workbook."""
    filters = audit_log.filters_from(request.args)
    events = audit_log.search_all(filters, current_app.config["AUDIT_EXPORT_MAX_ROWS"])
    header = [
        _("Time (UTC)"),
        _("User"),
        _("Role"),
        _("Case number"),
        _("Family id"),
        _("Action"),
        _("Object"),
        _("Object id"),
        _("Outcome"),
        _("Address"),
        _("Detail"),
    ]
    lines = [
        [
            event.at,
            event.user_email,
            event.user_role,
            event.case_number,
            event.family_id,
            event.action,
            event.object_type,
            event.object_id,
            event.outcome,
            event.ip_address,
            audit_log.admin_detail(event),
        ]
        for event in events
    ]
    audit.record("export_log", detail=f"{fmt}, {len(events)} events: {filters.describe()}"[:255])
    filename = f"attune-access-log-{dates.today().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, _("Access log"), header, lines)
    return csv_response(filename, header, lines)


@bp.get("/admin/log/export.csv")
@admin_required
@second_factor_required
def admin_log_export():
    return _log_export("csv")


@bp.get("/admin/log/export.xlsx")
@admin_required
@second_factor_required
def admin_log_export_xlsx():
    return _log_export("xlsx")
