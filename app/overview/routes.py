"""The team lead's overview: caseloads, families that need attention, where the help goes."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import audit, dates
from app.charts.team import team_figures, team_titles
from app.models import FamilyStatus, HelpFocus
from app.security.roles import lead_required
from app.services import dashboard, destruction
from app.services.overview import team_overview
from app.services.signals import ATTENTION_KINDS, SignalKind
from app.web.csv import csv_response
from app.web.xlsx import xlsx_response

bp = Blueprint("overview", __name__)


def _loggable(filters: dashboard.Filters) -> dict:
    """The filter as the access log keeps it: without the search text, which may hold a name."""
    args = filters.query_args()
    if "q" in args:
        args["q"] = "(text)"
    return args


def _chart_scope(filters: dashboard.Filters, workers) -> str:
    """Whose families the charts count, in words for their titles: the table's, so the same filter."""
    name = next((w.name for w in workers if w.id == filters.worker_id), None)
    if filters.worker_id and name is None:  # a worker no longer in the team: say no more than the filter
        return _("the families in this filter")
    rest = dataclasses.replace(filters, worker_id=None)
    if rest == dashboard.Filters():
        return _("%(name)s's open families", name=name) if name else _("the team's open families")
    if rest == dashboard.Filters(status="all"):
        return (
            _("all of %(name)s's families, closed ones included", name=name)
            if name
            else _("all the team's families, closed ones included")
        )
    return _("%(name)s's families in this filter", name=name) if name else _("the families in this filter")


@bp.get("/overview")
@lead_required
def index():
    filters = dashboard.filters_from(request.args)
    today = dates.today()
    overview = team_overview(
        current_user,
        filters,
        request.args.get("page", 1, type=int),
        current_app.config["FAMILIES_PER_PAGE"],
        today,
        current_app.config["DESTRUCTION_REQUEST_ATTENTION_MONTHS"],
    )
    total = overview.result.total
    audit.record("overview", detail=f"team {current_user.team_id}, {total} families: {_loggable(filters)}"[:255])
    # Every family the page names: its page of the table, the unassigned ones, the overdue requests.
    shown = [row.family_id for row in overview.result.items]
    shown += [family.id for family in overview.unassigned]
    shown += [req.family_id for req in overview.destruction_requests]
    audit.record_shown(audit.SEEN_IN_OVERVIEW, shown)
    chart_scope = _chart_scope(filters, overview.workers)
    return render_template(
        "overview/index.html",
        filters=filters,
        result=overview.result,
        summaries=overview.summaries,
        workers=overview.workers,
        statuses=list(FamilyStatus),
        focuses=list(HelpFocus),
        signal_kinds=ATTENTION_KINDS,
        unassigned=overview.unassigned,
        today=today,
        team_progress=overview.team_progress,
        chart_scope=chart_scope,
        chart_titles=team_titles(chart_scope),
        team_charts=team_figures(overview.team_progress, chart_scope),
        destruction_requests=overview.destruction_requests,
        destruction_deadline=destruction.deadline,
    )


def _export(fmt: str):
    """The families in the filter, as the table shows them, in one file: a CSV or an Excel workbook."""
    filters = dashboard.filters_from(request.args)
    today = dates.today()
    rows = dashboard.family_rows(current_user, filters, today)
    worker_names = dashboard.worker_names(rows)
    # Each label translated once, not once per row: Babel's lookup cost more than the rest of a row.
    status_labels = {status: str(status.label) for status in FamilyStatus}
    signal_labels = {kind: str(kind.label) for kind in SignalKind}
    header = [
        _("Family"),
        _("Case number"),
        _("Status"),
        _("Primary care worker"),
        _("Last session"),
        _("Next appointment"),
        _("Plan review"),
        _("Needs attention"),
    ]
    lines = [
        [
            row.display_name,
            row.case_number,
            status_labels[row.status],
            worker_names.get(row.primary_worker_id, "") if row.primary_worker_id else "",
            row.signals.last_session,
            row.next_appointment,
            row.signals.review_on,
            "; ".join(f"{signal_labels[s.kind]}: {s.reason}" for s in row.signals.signals),
        ]
        for row in rows
    ]
    audit.record("export", detail=f"overview {fmt}, {len(rows)} families: {_loggable(filters)}"[:255])
    audit.record_shown(audit.SEEN_IN_EXPORT, (row.family_id for row in rows), detail=f"overview {fmt}")
    filename = f"attune-team-families-{today.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, _("The team's families"), header, lines)
    return csv_response(filename, header, lines)


@bp.get("/overview/export.csv")
@lead_required
def export():
    return _export("csv")


@bp.get("/overview/export.xlsx")
@lead_required
def export_xlsx():
    return _export("xlsx")
