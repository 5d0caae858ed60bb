"""Copies of family data: the record for an access request, and pseudonymised data for analysis.

Both are reads, so both are GET (a download link a lead can repeat); both are in the access log
with what was exported. Only team leads make them: a complete copy of a record is the most
sensitive thing the app hands out, so it stays with the person who oversees the team's records.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from app import dates
from app.models import Family
from app.plans import printing
from app.security.access import family_view
from app.security.roles import lead_required
from app.services import record_export

bp = Blueprint("exports", __name__)

FORMATS = ("pdf", "json")


@bp.app_template_filter("isoday")
def isoday(value: str | None) -> str:
    """A date of the exported record (ISO text) written out in the language of the PDF."""
    if not value:
        return ""
    return dates.show_day(date.fromisoformat(value[:10]), dates.LONG)


@bp.get("/families/<int:family_id>/access-request")
@family_view(lead_only=True)
def access_request(family: Family):
    return render_template(
        "exports/access_request.html", family=family, members=record_export.withholdable_members(family)
    )


@bp.get("/families/<int:family_id>/access-request/export")
@family_view(lead_only=True)
def access_request_download(family: Family):
    fmt = request.args.get("format", "pdf")
    if fmt not in FORMATS:
        fmt = "pdf"
    lang = printing.print_language(request.args.get("lang"))
    with force_locale(lang):
        record = record_export.export_access_request(
            family, request.args.getlist("withhold", type=int), fmt=fmt, lang=lang, exported_by=current_user.name
        )
        filename = f"record-{family.case_number}-{dates.today().isoformat()}"
        if fmt == "json":
            return Response(
                json.dumps(record, ensure_ascii=False, indent=2),
                mimetype="application/json",
                headers={"Content-Disposition": f'attachment; filename="{filename}.json"'},
            )
        html = render_template("exports/record.html", record=record, lang=lang)
    return Response(
        printing.render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'},
    )


@bp.get("/overview/analysis")
@lead_required
def analysis_page():
    """What the analysis file holds and leaves out, before the lead downloads it: no family data here."""
    return render_template("exports/analysis.html")


@bp.get("/overview/analysis.json")
@lead_required
def analysis():
    data = record_export.export_analysis(current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="attune-pseudonymised-{dates.today().isoformat()}.json"'
        },
    )
