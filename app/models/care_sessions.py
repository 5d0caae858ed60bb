"""What a care worker logs after a home visit, a video review or a call."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model, db
from app.models.enums import LabelledEnum, enum_column
from app.models.families import Family, FamilyMember
from app.models.users import User


class SessionKind(LabelledEnum):
    HOME_VISIT = "home_visit"
    OFFICE = "office"
    VIDEO_RECORDING = "video_recording"
    VIDEO_REVIEW = "video_review"
    CALL = "call"
    NETWORK = "network"

    @property
    def needs_video_consent(self) -> bool:
        return self in (SessionKind.VIDEO_RECORDING, SessionKind.VIDEO_REVIEW)


SessionKind.labels = {
    SessionKind.HOME_VISIT: _l("Home visit"),
    SessionKind.OFFICE: _l("Meeting at the office"),
    SessionKind.VIDEO_RECORDING: _l("Video recording"),
    SessionKind.VIDEO_REVIEW: _l("Video review with the parent"),
    SessionKind.CALL: _l("Phone or video call"),
    SessionKind.NETWORK: _l("Network meeting"),
}


class HelpFocus(LabelledEnum):
    """Where the help of a session is aimed; a session has one or more."""

    PARENT = "parent"
    CHILD = "child"
    STRESS = "stress"

    @property
    def column(self) -> str:
        return f"focus_{self.value}"


HelpFocus.labels = {
    HelpFocus.PARENT: _l("Parent"),
    HelpFocus.CHILD: _l("Child"),
    HelpFocus.STRESS: _l("Family stress"),
}


class MomentKind(LabelledEnum):
    DIFFICULT = "difficult"
    POSITIVE = "positive"


MomentKind.labels = {
    MomentKind.DIFFICULT: _l("Difficult moment"),
    MomentKind.POSITIVE: _l("Positive moment"),
}


class MomentTag(LabelledEnum):
    # Difficult moments (DOMAIN.md: what care workers see)
    AVOIDS_CONTACT = "avoids_contact"
    SEEKS_EXCESSIVE_CONTACT = "seeks_excessive_contact"
    WANTS_CONTROL = "wants_control"
    RESISTS = "resists"
    IRRITABLE = "irritable"
    PUSHES_OWN_WAY = "pushes_own_way"
    HIDES_FEELINGS = "hides_feelings"
    PARENT_HARD_TO_RESPOND = "parent_hard_to_respond"
    # Positive moments (the three core skills, and what follows from them)
    RESPONDED_TO_SIGNAL = "responded_to_signal"
    TOOK_FEELINGS_SERIOUSLY = "took_feelings_seriously"
    UNDERSTOOD_WISH = "understood_wish"
    ENJOYED_TOGETHER = "enjoyed_together"
    STAYED_POSITIVE = "stayed_positive"
    IGNORED_MINOR = "ignored_minor"
    PREVENTED_DIFFICULT = "prevented_difficult"
    CHILD_SOUGHT_COMFORT = "child_sought_comfort"

    @property
    def kind(self) -> MomentKind:
        return MomentKind.DIFFICULT if self in DIFFICULT_TAGS else MomentKind.POSITIVE


DIFFICULT_TAGS = (
    MomentTag.AVOIDS_CONTACT,
    MomentTag.SEEKS_EXCESSIVE_CONTACT,
    MomentTag.WANTS_CONTROL,
    MomentTag.RESISTS,
    MomentTag.IRRITABLE,
    MomentTag.PUSHES_OWN_WAY,
    MomentTag.HIDES_FEELINGS,
    MomentTag.PARENT_HARD_TO_RESPOND,
)
POSITIVE_TAGS = tuple(tag for tag in MomentTag if tag not in DIFFICULT_TAGS)

MomentTag.labels = {
    MomentTag.AVOIDS_CONTACT: _l("Child avoids contact"),
    MomentTag.SEEKS_EXCESSIVE_CONTACT: _l("Child seeks a lot of contact, with anyone"),
    MomentTag.WANTS_CONTROL: _l("Child wants to control everything"),
    MomentTag.RESISTS: _l("Child resists"),
    MomentTag.IRRITABLE: _l("Child is irritable"),
    MomentTag.PUSHES_OWN_WAY: _l("Child pushes to get its way"),
    MomentTag.HIDES_FEELINGS: _l("Child hides its feelings"),
    MomentTag.PARENT_HARD_TO_RESPOND: _l("Parent found it hard to respond positively"),
    MomentTag.RESPONDED_TO_SIGNAL: _l("Parent responded to the child's signal"),
    MomentTag.TOOK_FEELINGS_SERIOUSLY: _l("Parent took the child's feelings seriously"),
    MomentTag.UNDERSTOOD_WISH: _l("Parent understood what the child wanted"),
    MomentTag.ENJOYED_TOGETHER: _l("Parent and child enjoyed each other's company"),
    MomentTag.STAYED_POSITIVE: _l("Parent stayed positive despite difficult behaviour"),
    MomentTag.IGNORED_MINOR: _l("Parent ignored minor difficult behaviour"),
    MomentTag.PREVENTED_DIFFICULT: _l("Parent prevented difficult behaviour"),
    MomentTag.CHILD_SOUGHT_COMFORT: _l("Child sought comfort or showed trust"),
}


session_attendees = Table(
    "session_attendees",
    db.metadata,
    Column("session_id", Integer, ForeignKey("care_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, ForeignKey("family_members.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CareSession(Model):
    """One contact with a family. Not Flask's session nor db.session: hence the name."""

    __tablename__ = "care_sessions"
    # Composite indexes lead with the family: every list and dashboard asks for the families a user may see
    # (family_id IN ...) and then a date or a kind. Indexes on a rarely-selective column alone (a nullable
    # deleted_at, a kind) are left out: SQLite, without statistics, would pick them over family_id.
    __table_args__ = (Index("ix_care_sessions_family_id_held_on", "family_id", "held_on"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    held_on: Mapped[date]
    duration_minutes: Mapped[int | None]
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, 20))
    other_attendees: Mapped[str] = mapped_column(String(300), default="")
    focus_parent: Mapped[bool] = mapped_column(default=False)
    focus_child: Mapped[bool] = mapped_column(default=False)
    focus_stress: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    agreements: Mapped[str] = mapped_column(Text, default="")
    next_appointment_on: Mapped[date | None]
    next_appointment_at: Mapped[time | None]
    # The session's moments counted by kind, kept up to date at every flush (_count_moments at the end): the team's
    # moments per month and the "difficult moments rising" signal add these up instead of reading every moment.
    positive_moments: Mapped[int] = mapped_column(default=0, server_default="0")
    difficult_moments: Mapped[int] = mapped_column(default=0, server_default="0")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Soft delete: the session goes to the family's trash; a team lead can restore it.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    family: Mapped[Family] = relationship()
    attendees: Mapped[list[FamilyMember]] = relationship(secondary=session_attendees, order_by="FamilyMember.id")
    moments: Mapped[list[Moment]] = relationship(
        back_populates="care_session", order_by="Moment.position", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def focuses(self) -> list[HelpFocus]:
        return [focus for focus in HelpFocus if getattr(self, focus.column)]

    @hybrid_property
    def live(self) -> bool:
        """Not in the trash. The one rule for soft-deleted sessions: every list, count, chart and signal reads
        live sessions only, and so do the scores given in them; the trash, a restore and the record export
        (which lists the trash too) ask for the others. In a query: .where(CareSession.live)."""
        return self.deleted_at is None

    @live.inplace.expression
    @classmethod
    def _live_expression(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None)


class Moment(Model):
    __tablename__ = "moments"
    # The team's moments per month count by kind from the index alone.
    __table_args__ = (Index("ix_moments_session_id_kind", "session_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("care_sessions.id", ondelete="CASCADE"))
    kind: Mapped[MomentKind] = mapped_column(enum_column(MomentKind, 10))
    description: Mapped[str] = mapped_column(String(1000), default="")
    child_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id", ondelete="SET NULL"), index=True)
    # Where in the recording the moment is, so worker and parent can find it again.
    video_seconds: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    care_session: Mapped[CareSession] = relationship(back_populates="moments")
    child: Mapped[FamilyMember | None] = relationship()
    tag_rows: Mapped[list[MomentTagRow]] = relationship(cascade="all, delete-orphan", order_by="MomentTagRow.tag")

    @property
    def tags(self) -> list[MomentTag]:
        return [row.tag for row in self.tag_rows]

    @tags.setter
    def tags(self, values) -> None:
        self.tag_rows = [MomentTagRow(tag=MomentTag(v)) for v in dict.fromkeys(values)]

    @property
    def video_time(self) -> str | None:
        if self.video_seconds is None:
            return None
        return f"{self.video_seconds // 60:02d}:{self.video_seconds % 60:02d}"


class MomentTagRow(Model):
    """One tag of a moment; a table of its own so the dashboards can count recurring tags."""

    __tablename__ = "moment_tags"

    moment_id: Mapped[int] = mapped_column(ForeignKey("moments.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[MomentTag] = mapped_column(enum_column(MomentTag, 30), primary_key=True, index=True)


def _sessions_with_changed_moments(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, CareSession) and inspect(obj).attrs.moments.history.has_changes():
            ids.add(obj.id)
        elif isinstance(obj, Moment):
            history = inspect(obj).attrs.session_id.history  # a moment moved: its old session too
            ids.update(i for i in itertools.chain([obj.session_id], history.deleted or ()) if i is not None)
    return ids


@event.listens_for(Session, "after_flush")
def _count_moments(session: Session, _flush_context) -> None:
    """Keep CareSession.positive_moments and difficult_moments equal to its moments, however they changed
    (the list replaced, a moment added by its session_id, deleted, or given another kind). Counted in the
    database after the flush, so what the ORM has loaded does not matter; the counts are derived, so they
    move neither the session's version nor its updated_at."""
    ids = _sessions_with_changed_moments(session)
    if not ids:
        return

    def counted(kind: MomentKind):
        return (
            select(func.count())
            .where(Moment.session_id == CareSession.id, Moment.kind == kind)
            .correlate(CareSession)
            .scalar_subquery()
        )

    table = cast(Table, CareSession.__table__)  # typed as any FromClause; a mapped class has its Table
    session.connection(bind_arguments={"mapper": inspect(CareSession)}).execute(
        update(table)
        .where(table.c.id.in_(ids))
        .values(
            positive_moments=counted(MomentKind.POSITIVE),
            difficult_moments=counted(MomentKind.DIFFICULT),
            updated_at=table.c.updated_at,  # not a change by anyone: keep onupdate from stamping it
        )
    )
    session.info.setdefault("recounted_sessions", set()).update(ids)


@event.listens_for(Session, "after_flush_postexec")
def _reload_moment_counts(session: Session, _flush_context) -> None:
    """Loaded sessions read their new counts from the database (expired once the flush is complete)."""
    ids = session.info.pop("recounted_sessions", None)
    if ids:
        for care_session in list(session.identity_map.values()):
            if isinstance(care_session, CareSession) and care_session.id in ids:
                session.expire(care_session, ["positive_moments", "difficult_moments"])
