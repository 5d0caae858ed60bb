from flask import render_template
from flask_login import current_user

from app import audit
from app.decorators import lead_required
from app.models import FamilyStatus
from app.overview import bp
from app.services.overview import caseload_per_worker, unassigned_families


@bp.get("/overview")
@lead_required
def index():
    loads = caseload_per_worker(current_user)
    audit.record("overview", detail=f"team {current_user.team_id}")
    return render_template(
        "overview/index.html",
        loads=loads,
        statuses=list(FamilyStatus),
        unassigned=unassigned_families(current_user),
    )
