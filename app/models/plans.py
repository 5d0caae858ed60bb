"""The plan agreed with the parents, its goals, and the scores that track them over time."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model
from app.models.care_sessions import HelpFocus
from app.models.enums import LabelledEnum, enum_column
from app.models.users import User

SCORE_MIN, SCORE_MAX = 0, 10


class PlanStatus(LabelledEnum):
    """Derived from the version's agreement entries (services.plans.derive_status), never chosen; stored so
    lists and signals read it without the entries."""

    DRAFT = "draft"  # no entry yet
    DISCUSSED = "discussed"  # entries, but no agreement of a parent with parental authority nor a reason
    AGREED = "agreed"  # a parent with parental authority agrees (or a legacy "agreed" mark)
    NO_PARENT = "no_parent"  # agreed without a parent's agreement, for a recorded reason

    @property
    def is_agreed(self) -> bool:
        return self in AGREED_STATES


AGREED_STATES = (PlanStatus.AGREED, PlanStatus.NO_PARENT)

PlanStatus.labels = {
    PlanStatus.DRAFT: _l("Not yet discussed"),
    PlanStatus.DISCUSSED: _l("Discussed, not agreed"),
    PlanStatus.AGREED: _l("Agreed with the parents"),
    PlanStatus.NO_PARENT: _l("Agreed without a parent's agreement"),
}


class GoalStatus(LabelledEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    STOPPED = "stopped"


GoalStatus.labels = {
    GoalStatus.ACTIVE: _l("Working on it"),
    GoalStatus.ACHIEVED: _l("Achieved"),
    GoalStatus.STOPPED: _l("Stopped"),
}


class Party(LabelledEnum):
    PARENT = "parent"
    WORKER = "worker"
    OTHER = "other"


Party.labels = {Party.PARENT: _l("Parent"), Party.WORKER: _l("Care worker"), Party.OTHER: _l("Someone else")}


class CoreSkill(LabelledEnum):
    """The three skills that strengthen the bond (DOMAIN.md); a goal about the parent may build them."""

    SIGNALS = "signals"
    FEELINGS = "feelings"
    WISHES = "wishes"

    @property
    def column(self) -> str:
        return f"skill_{self.value}"


CoreSkill.labels = {
    CoreSkill.SIGNALS: _l("Respond to the child's signals"),
    CoreSkill.FEELINGS: _l("Take the child's feelings seriously"),
    CoreSkill.WISHES: _l("Understand what the child wants"),
}


def new_goal_key() -> str:
    return secrets.token_hex(8)


class Plan(Model):
    """One version of a family's plan. The current one has no superseded_at.

    Changing an agreed plan makes a new version; earlier versions stay readable and printable.
    """

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("family_id", "number"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, 10))
    discussed_on: Mapped[date | None]
    review_on: Mapped[date | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    superseded_at: Mapped[datetime | None]  # no index of its own: always asked with family_id
    version: Mapped[int] = mapped_column(default=1)

    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", order_by="Goal.position", cascade="all, delete-orphan"
    )
    # Append-only history of who agreed to this version; read with the plan page, never edited.
    agreement_entries: Mapped[list[PlanAgreement]] = relationship(order_by="PlanAgreement.id", viewonly=True)
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def active_goals(self) -> list[Goal]:
        return [g for g in self.goals if g.status == GoalStatus.ACTIVE]


class Goal(Model):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    # The same goal across plan versions: scores follow the key, not the row.
    key: Mapped[str] = mapped_column(String(16), index=True, default=new_goal_key)
    position: Mapped[int] = mapped_column(default=0)
    focus: Mapped[HelpFocus] = mapped_column(enum_column(HelpFocus, 10))
    title: Mapped[str] = mapped_column(String(300))
    looks_like: Mapped[str] = mapped_column(Text, default="")
    start_score: Mapped[int]
    target_score: Mapped[int]
    status: Mapped[GoalStatus] = mapped_column(enum_column(GoalStatus, 10), default=GoalStatus.ACTIVE)
    skill_signals: Mapped[bool] = mapped_column(default=False)
    skill_feelings: Mapped[bool] = mapped_column(default=False)
    skill_wishes: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[Plan] = relationship(back_populates="goals")
    agreements: Mapped[list[GoalAgreement]] = relationship(
        order_by="GoalAgreement.position", cascade="all, delete-orphan"
    )

    @property
    def skills(self) -> list[CoreSkill]:
        return [skill for skill in CoreSkill if getattr(self, skill.column)]


class GoalAgreement(Model):
    """Who does what for a goal: the parent, the care worker or someone else."""

    __tablename__ = "goal_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    party: Mapped[Party] = mapped_column(enum_column(Party, 10))
    who: Mapped[str] = mapped_column(String(100), default="")
    what: Mapped[str] = mapped_column(String(500))


class AgreementKind(LabelledEnum):
    RESPONSE = "response"  # someone's response to the version: agrees or disagrees, per goal too
    NO_PARENT = "no_parent"  # agreed without a parent's agreement, with the reason
    LEGACY = "legacy"  # marked "agreed" before Attune recorded who agreed and how (migration)


AgreementKind.labels = {
    AgreementKind.RESPONSE: _l("Response to the plan"),
    AgreementKind.NO_PARENT: _l("Agreed without a parent's agreement"),
    AgreementKind.LEGACY: _l("Marked agreed before Attune recorded who agreed and how"),
}


class AgreementParty(LabelledEnum):
    PARENT = "parent"  # a parent with parental authority ("gezag")
    YOUTH = "youth"  # a youth of 12 or older
    FOSTER = "foster"
    OTHER = "other"


AgreementParty.labels = {
    AgreementParty.PARENT: _l("Parent with parental authority"),
    AgreementParty.YOUTH: _l("Youth of 12 or older"),
    AgreementParty.FOSTER: _l("Foster parent"),
    AgreementParty.OTHER: _l("Someone else"),
}


class AgreementWay(LabelledEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"
    PAPER = "paper"


AgreementWay.labels = {
    AgreementWay.IN_PERSON: _l("In person"),
    AgreementWay.PHONE: _l("By phone"),
    AgreementWay.ONLINE: _l("Online"),
    AgreementWay.PAPER: _l("On paper"),
}


class NoParentReason(LabelledEnum):
    UNREACHABLE = "unreachable"
    NO_AUTHORITY = "no_authority"
    OTHER = "other"


NoParentReason.labels = {
    NoParentReason.UNREACHABLE: _l("A parent could not be reached"),
    NoParentReason.NO_AUTHORITY: _l("No parent with parental authority is involved"),
    NoParentReason.OTHER: _l("Another reason"),
}


class PlanAgreement(Model):
    """One entry of the parents' agreement to one plan version. Append-only: the app never changes or
    deletes one (the words refer to that version's text); it goes only with the family."""

    __tablename__ = "plan_agreements"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AgreementKind] = mapped_column(enum_column(AgreementKind, 10))
    party: Mapped[AgreementParty | None] = mapped_column(enum_column(AgreementParty, 10))
    # The name as recorded (kept when the member is removed); member_id where it was picked from the family.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    way: Mapped[AgreementWay | None] = mapped_column(enum_column(AgreementWay, 10))
    agrees: Mapped[bool | None]  # the overall response; None for the other kinds
    words: Mapped[str] = mapped_column(Text, default="")  # the person's own words about the whole plan
    reason: Mapped[NoParentReason | None] = mapped_column(enum_column(NoParentReason, 12))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    agreed_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    goals: Mapped[list[GoalResponse]] = relationship(order_by="GoalResponse.id", cascade="all, delete-orphan")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def disagreements(self) -> list[GoalResponse]:
        return [g for g in self.goals if not g.agrees]


class GoalResponse(Model):
    """A person's response to one goal of the version they responded to."""

    __tablename__ = "plan_agreement_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("plan_agreements.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    agrees: Mapped[bool]
    words: Mapped[str] = mapped_column(Text, default="")

    goal: Mapped[Goal] = relationship()


class AppendOnlyError(RuntimeError):
    """An agreement entry was changed or deleted through the ORM: the parents' words are kept as given."""


@event.listens_for(PlanAgreement, "before_update")
@event.listens_for(PlanAgreement, "before_delete")
@event.listens_for(GoalResponse, "before_update")
@event.listens_for(GoalResponse, "before_delete")
def _append_only(mapper, connection, target) -> None:
    # Destroying a family deletes them with plain DELETE statements (services.destruction), not through here.
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only")


class GoalScore(Model):
    """A 0-10 reading of one goal: the worker's and, when given, the parent's own."""

    __tablename__ = "goal_scores"
    # A goal's scores in date order, and its latest ones, are an index range each (dashboards, signals). The id
    # breaks ties on one day: with it the index is in the exact order "latest first" asks for, so PostgreSQL
    # stops after the first rows instead of sorting every score of the goal (SQLite adds the rowid itself).
    __table_args__ = (Index("ix_goal_scores_latest", "family_id", "goal_key", "scored_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    goal_key: Mapped[str] = mapped_column(String(16), index=True)
    # A score given at closing has no session.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("care_sessions.id", ondelete="CASCADE"), index=True)
    scored_on: Mapped[date]
    worker_score: Mapped[int | None]
    parent_score: Mapped[int | None]
    is_final: Mapped[bool] = mapped_column(default=False)
    # A final score belongs to the period of help it closed: a reopened family has finals of each.
    period_id: Mapped[int | None] = mapped_column(ForeignKey("help_periods.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class GoalProgress(Model):
    """What the signals need of one goal's live scores, kept when they change (app.services.goal_progress).

    The lists judge every goal of a team's families on each request; reading these facts is one indexed join,
    where working them out from the scores took several index walks per goal. Derived data: `flask
    outcome-model --rebuild-progress` (or goal_progress.rebuild_all) works all of it out again from the scores.
    """

    __tablename__ = "goal_progress"

    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), primary_key=True)
    goal_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    began_on: Mapped[date]  # the goal's first live scoring
    worker_latest: Mapped[int | None]
    worker_latest_on: Mapped[date | None]
    worker_count: Mapped[int] = mapped_column(default=0)
    parent_first: Mapped[int | None]
    parent_latest: Mapped[int | None]
    parent_count: Mapped[int] = mapped_column(default=0)
    pair_on: Mapped[date | None]  # the latest scoring where both scored
    pair_worker: Mapped[int | None]
    pair_parent: Mapped[int | None]
