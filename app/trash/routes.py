"""The team lead's trash: what was moved to the trash in all of the team's families, with who and when.

Each family's own trash stays at /families/<id>/sessions/trash; a restore from here posts to the family's
restore route, so the same access check and log apply."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from app import audit
from app.care_sessions.forms import TrashForm
from app.security.roles import lead_required
from app.services import care_sessions as sessions_service

bp = Blueprint("trash", __name__)


@bp.get("/trash")
@lead_required
def team():
    result = sessions_service.team_trash(
        current_user, request.args.get("page", 1, type=int), current_app.config["FAMILIES_PER_PAGE"]
    )
    audit.record("team_trash", detail=f"team {current_user.team_id}, {result.total} sessions in the trash")
    audit.record_shown(audit.SEEN_IN_TRASH, [s.family_id for s in result.items])
    return render_template("trash/team.html", result=result, trash_form=TrashForm())
