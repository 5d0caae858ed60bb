"""Typed models, one module per domain word. Import from here."""

from app.models.accounts import AccountChange, ChangeKind, ChangeOutcome
from app.models.audit import PURGE_FAMILY_ACTION, AuditEvent, AuditPurgeAuthorization
from app.models.care_sessions import (
    DIFFICULT_TAGS,
    POSITIVE_TAGS,
    CareSession,
    HelpFocus,
    Moment,
    MomentKind,
    MomentTag,
    MomentTagRow,
    SessionKind,
    session_attendees,
)
from app.models.consent import ConsentKind, ConsentRecord
from app.models.counters import Counter
from app.models.destruction import DestructionRequest, RequestStatus
from app.models.drafts import FormDraft
from app.models.families import (
    ClosureType,
    ContextFactor,
    EarlyEndReason,
    Family,
    FamilyMember,
    FamilyStatus,
    HelpPeriod,
    MemberRole,
    family_workers,
)
from app.models.passkeys import Passkey
from app.models.plans import (
    SCORE_MAX,
    SCORE_MIN,
    CoreSkill,
    Goal,
    GoalAgreement,
    GoalScore,
    GoalStatus,
    Party,
    Plan,
    PlanStatus,
)
from app.models.settings import Setting
from app.models.stress import Severity, StressItem, StressKind, StressStatus, StressUpdate
from app.models.users import LoginSession, RecoveryCode, Role, Team, User

__all__ = [
    "AccountChange",
    "ChangeKind",
    "ChangeOutcome",
    "Setting",
    "SCORE_MAX",
    "SCORE_MIN",
    "CoreSkill",
    "Goal",
    "GoalAgreement",
    "GoalScore",
    "GoalStatus",
    "Party",
    "Plan",
    "PlanStatus",
    "ClosureType",
    "DIFFICULT_TAGS",
    "POSITIVE_TAGS",
    "CareSession",
    "ConsentKind",
    "ConsentRecord",
    "HelpFocus",
    "Moment",
    "MomentKind",
    "MomentTag",
    "MomentTagRow",
    "SessionKind",
    "Severity",
    "StressItem",
    "StressKind",
    "StressStatus",
    "StressUpdate",
    "session_attendees",
    "AuditEvent",
    "AuditPurgeAuthorization",
    "PURGE_FAMILY_ACTION",
    "ContextFactor",
    "EarlyEndReason",
    "HelpPeriod",
    "Counter",
    "DestructionRequest",
    "RequestStatus",
    "Family",
    "FormDraft",
    "FamilyMember",
    "FamilyStatus",
    "LoginSession",
    "Passkey",
    "RecoveryCode",
    "MemberRole",
    "Role",
    "Team",
    "User",
    "family_workers",
]
