"""Teams, for the administrator's pages. Flushes, never commits: the request owns the transaction.

Each write logs itself (app.audit) in the request's transaction. A name that another team already
has (in any case) comes back as an error on the name field, with nothing saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.db.updates import save_if_unchanged
from app.extensions import db
from app.models import Team, User


def team_or_404(team_id: int) -> Team:
    return db.get_or_404(Team, team_id)


def choices() -> list[tuple[int, str]]:
    """(id, name) of every team, by name: the options of a team field."""
    return [(row.id, row.name) for row in db.session.execute(select(Team.id, Team.name).order_by(Team.name))]


@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str
    active_members: int


def summaries() -> list[TeamSummary]:
    """Every team by name, with how many active accounts belong to it (one query)."""
    rows = db.session.execute(
        select(Team.id, Team.name, func.count(User.id))
        .outerjoin(User, (User.team_id == Team.id) & User.active.is_(True))
        .group_by(Team.id, Team.name)
        .order_by(Team.name)
    ).all()
    return [TeamSummary(id=team_id, name=name, active_members=count) for team_id, name, count in rows]


@dataclass(frozen=True)
class TeamSaved:
    """The answer to a submitted team form: the saved team, or errors by field name."""

    team: Team | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: bool = False  # someone else saved the team since the form was opened


def _name_taken(name: str, *, except_team_id: int | None = None) -> bool:
    query = select(Team.id).where(func.lower(Team.name) == name.lower())
    if except_team_id is not None:
        query = query.where(Team.id != except_team_id)
    return db.session.execute(query).first() is not None


def _name_errors() -> dict[str, list[str]]:
    return {"name": [str(_l("A team with this name already exists."))]}


def create_team(name: str) -> TeamSaved:
    if _name_taken(name):
        return TeamSaved(errors=_name_errors())
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    audit.record("create_team", obj=team, detail=team.name)
    return TeamSaved(team=team)


def rename_team(team: Team, name: str, version: str) -> TeamSaved:
    """conflict=True, with nothing changed, when someone renamed the team since the form showed `version`."""
    if _name_taken(name, except_team_id=team.id):
        return TeamSaved(errors=_name_errors())
    if not save_if_unchanged(team, version, lambda: setattr(team, "name", name)):
        return TeamSaved(conflict=True)
    audit.record("update_team", obj=team, detail=team.name)
    return TeamSaved(team=team)
