"""Typed models, one module per domain word. Import from here."""

from app.models.audit import AuditEvent
from app.models.counters import Counter
from app.models.families import (
    ContextFactor,
    Family,
    FamilyMember,
    FamilyStatus,
    MemberRole,
    family_workers,
)
from app.models.users import Role, Team, User

__all__ = [
    "AuditEvent",
    "ContextFactor",
    "Counter",
    "Family",
    "FamilyMember",
    "FamilyStatus",
    "MemberRole",
    "Role",
    "Team",
    "User",
    "family_workers",
]
