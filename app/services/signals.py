"""Which families need attention, and why: set-based, in a fixed number of queries.

Every rule takes `today` so tests can fix the clock at the boundary days. The thresholds
come from app.services.settings (config defaults, changed by an administrator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from babel import numbers
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext
from sqlalchemy import Select, case, func, select

from app.extensions import db
from app.models import (
    AGREED_STATES,
    CareSession,
    Family,
    FamilyStatus,
    Goal,
    GoalProgress,
    GoalStatus,
    Plan,
    PlanStatus,
    Severity,
    StressItem,
    StressStatus,
)
from app.models.enums import LabelledEnum
from app.outcomes.assess import Assessment, Change, CourseLevel, GoalFacts, OutcomeModel, assess
from app.outcomes.course import Pooling
from app.services import goal_progress, outcome_model


class SignalKind(LabelledEnum):
    NOT_SEEN = "not_seen"
    REVIEW_DUE = "review_due"
    RELIABLY_WORSE = "reliably_worse"
    OFF_COURSE = "off_course"
    NO_PROGRESS = "no_progress"
    RATERS_DIFFER = "raters_differ"
    STRENGTH = "strength"  # a marker of what goes well, never counted as needing attention
    DIFFICULT_RISING = "difficult_rising"
    STRESS_OPEN = "stress_open"
    INTAKE_LONG = "intake_long"
    PAUSED_LONG = "paused_long"


SignalKind.labels = {
    SignalKind.NOT_SEEN: _l("Not seen"),
    SignalKind.REVIEW_DUE: _l("Plan review due"),
    SignalKind.RELIABLY_WORSE: _l("Reliably worse"),
    SignalKind.OFF_COURSE: _l("Off the expected course"),
    SignalKind.NO_PROGRESS: _l("No reliable progress by the review"),
    SignalKind.RATERS_DIFFER: _l("Parent and care worker see it differently"),
    SignalKind.STRENGTH: _l("Going well"),
    SignalKind.DIFFICULT_RISING: _l("Difficult moments rising"),
    SignalKind.STRESS_OPEN: _l("Stress left open"),
    SignalKind.INTAKE_LONG: _l("Long in intake"),
    SignalKind.PAUSED_LONG: _l("Paused a long time"),
}


# The kinds that say a family needs attention: the lists' filter offers these (not the strengths marker).
ATTENTION_KINDS = [kind for kind in SignalKind if kind != SignalKind.STRENGTH]


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    family_id: int
    # "last session 34 days ago", translated when shown: a team's list works out the signals of hundreds of
    # families and shows a page of them, so translating every reason up front was wasted.
    reason: object  # a lazy string or a Reason: str() gives the words
    # How it is shown: "red" and "orange" need attention, "talk" is a conversation to have (not a fault),
    # "attention" the other signals, "strength" what goes well.
    level: str = "attention"


@dataclass
class FamilySignals:
    family_id: int
    signals: list[Signal] = field(default_factory=list)
    strengths: list[Signal] = field(default_factory=list)  # what goes well: shown, never counted as attention
    last_session: date | None = None
    review_on: date | None = None
    plan_status: PlanStatus | None = None


def _ids(scope: Select) -> Select:
    return scope.with_only_columns(Family.id).order_by(None)


def compute(
    scope: Select, today: date, thresholds: dict[str, int], model: OutcomeModel | None = None
) -> dict[int, FamilySignals]:
    """Signals for every family in `scope` (a SELECT from visible_families), in seven queries (and the outcome
    model's one, once per request, when `model` is not given).

    Active families get every signal; paused ones the goals' signals and those that fit a pause (a long pause,
    a review date passed); intake ones a long intake; closed families none."""

    ids = _ids(scope)
    families = db.session.execute(
        select(Family.id, Family.status, Family.start_date, Family.status_since).where(Family.id.in_(ids))
    ).all()
    result = {row.id: FamilySignals(family_id=row.id) for row in families}
    active = {row.id for row in families if row.status == FamilyStatus.ACTIVE}
    started = {row.id: row.start_date for row in families}

    last_sessions = dict(
        db.session.execute(
            select(CareSession.family_id, func.max(CareSession.held_on))
            .where(CareSession.family_id.in_(ids), CareSession.live)
            .group_by(CareSession.family_id)
        ).all()
    )
    for fid, held_on in last_sessions.items():
        result[fid].last_session = held_on

    # Not seen: an active family with no session in the last N days (counted from the start if none yet).
    limit = thresholds["not_seen_days"]
    for fid in active:
        last = last_sessions.get(fid)
        since = last or started[fid]
        days = (today - since).days
        if days > limit:
            reason = (
                ngettext("last session %(num)d day ago", "last session %(num)d days ago", days)
                if last
                else ngettext(
                    "no session in the %(num)d day since the start",
                    "no session in the %(num)d days since the start",
                    days,
                )
            )
            result[fid].signals.append(Signal(SignalKind.NOT_SEEN, fid, reason))

    # Plan review due, or no agreed plan six weeks after the start.
    plans = db.session.execute(
        select(Plan.family_id, Plan.status, Plan.review_on, Plan.number).where(
            Plan.family_id.in_(ids), Plan.superseded_at.is_(None)
        )
    ).all()
    current = {row.family_id: row for row in plans}
    for row in plans:
        result[row.family_id].review_on = row.review_on
        result[row.family_id].plan_status = row.status
    agreed_before = dict(
        db.session.execute(
            select(Plan.family_id, func.count())
            .where(Plan.family_id.in_(ids), Plan.status.in_(AGREED_STATES))
            .group_by(Plan.family_id)
        ).all()
    )
    within = thresholds["review_within_days"]
    # A paused family is not expected to be seen, but a review date that passed while it waits still needs
    # someone to look at the plan again.
    for family_row in families:
        plan = current.get(family_row.id)
        if family_row.status == FamilyStatus.PAUSED and plan is not None and plan.review_on is not None:
            days = (today - plan.review_on).days
            if days > 0:
                reason = ngettext("review date passed %(num)d day ago", "review date passed %(num)d days ago", days)
                result[family_row.id].signals.append(Signal(SignalKind.REVIEW_DUE, family_row.id, reason))
    for fid in active:
        plan = current.get(fid)
        if plan is not None and plan.review_on is not None and (plan.review_on - today).days <= within:
            days = (plan.review_on - today).days
            if days < 0:
                reason = ngettext("review date passed %(num)d day ago", "review date passed %(num)d days ago", -days)
            elif days == 0:
                reason = _("review date is today")
            else:
                reason = ngettext("review date in %(num)d day", "review date in %(num)d days", days)
            result[fid].signals.append(Signal(SignalKind.REVIEW_DUE, fid, reason))
        elif not agreed_before.get(fid) and (today - started[fid]).days >= thresholds["no_plan_after_days"]:
            reason = ngettext(
                "no agreed plan, %(num)d day after the start",
                "no agreed plan, %(num)d days after the start",
                (today - started[fid]).days,
            )
            result[fid].signals.append(Signal(SignalKind.REVIEW_DUE, fid, reason))

    _intake_long(families, last_sessions, agreed_before, today, result, thresholds)
    _paused_long(families, today, result, thresholds)

    # The goals' signals for active and paused families (a pause stops the sessions, not what the scores
    # said); the other two only for active ones. Ask only about those (a team has intake and closed ones too).
    watched = {row.id for row in families if row.status in (FamilyStatus.ACTIVE, FamilyStatus.PAUSED)}
    _goal_rules(
        ids.where(Family.status.in_((FamilyStatus.ACTIVE, FamilyStatus.PAUSED))),
        watched,
        today,
        result,
        model or outcome_model.current(),
    )
    active_ids = ids.where(Family.status == FamilyStatus.ACTIVE)
    _difficult_rising(active_ids, active, today, result, thresholds)
    _stress_open(active_ids, active, today, result, thresholds)
    return result


def _intake_long(families, last_sessions, agreed_before, today, result, thresholds) -> None:
    """In intake N days or more after the start with no session yet, or no agreed plan yet."""

    limit = thresholds["intake_days"]
    for row in families:
        days = (today - row.start_date).days
        if row.status != FamilyStatus.INTAKE or days < limit:
            continue
        no_session, no_plan = row.id not in last_sessions, not agreed_before.get(row.id)
        if no_session and no_plan:
            reason = ngettext(
                "in intake for %(num)d day; no session and no agreed plan yet",
                "in intake for %(num)d days; no session and no agreed plan yet",
                days,
            )
        elif no_session:
            reason = ngettext(
                "in intake for %(num)d day; no session yet", "in intake for %(num)d days; no session yet", days
            )
        elif no_plan:
            reason = ngettext(
                "in intake for %(num)d day; no agreed plan yet", "in intake for %(num)d days; no agreed plan yet", days
            )
        else:
            continue
        result[row.id].signals.append(Signal(SignalKind.INTAKE_LONG, row.id, reason))


def _paused_long(families, today, result, thresholds) -> None:
    """Paused for more than N whole weeks, counted from the day the status changed."""

    limit = thresholds["paused_weeks"]
    for row in families:
        weeks = (today - row.status_since).days // 7
        if row.status == FamilyStatus.PAUSED and weeks > limit:
            reason = ngettext("paused for %(num)d week", "paused for %(num)d weeks", weeks)
            result[row.id].signals.append(Signal(SignalKind.PAUSED_LONG, row.id, reason))


def _goal_facts(ids) -> dict[int, list[tuple[GoalFacts, date | None]]]:
    """Per family, the facts of each active goal of its current plan and the plan's review date: one query, the
    stored facts of the goals' live scores (app.services.goal_progress) joined by their key."""
    stored = [getattr(GoalProgress, name) for name in goal_progress.FACT_COLUMNS]
    # Columns, not GoalProgress objects: building an ORM object per goal cost more than the query.
    rows = db.session.execute(
        select(Plan.family_id, Plan.review_on, Goal.key, Goal.title, Goal.start_score, Goal.target_score, *stored)
        .join(Goal, Goal.plan_id == Plan.id)
        .outerjoin(GoalProgress, (GoalProgress.family_id == Plan.family_id) & (GoalProgress.goal_key == Goal.key))
        .where(Plan.family_id.in_(ids), Plan.superseded_at.is_(None), Goal.status == GoalStatus.ACTIVE)
        .order_by(Plan.family_id, Goal.position, Goal.id)
    ).all()
    facts: dict[int, list[tuple[GoalFacts, date | None]]] = {}
    began = goal_progress.FACT_COLUMNS.index("began_on")
    for fid, review_on, key, title, start, target, *known in rows:
        # FACT_COLUMNS follow GoalFacts' own order, so the stored columns go in as they come. No live score
        # yet: every stored column is NULL (began_on never is for a stored goal), and the counts stay 0.
        goal = (
            GoalFacts(key, title, start, target, *known)
            if known[began] is not None
            else GoalFacts(key, title, start, target, None)
        )
        facts.setdefault(fid, []).append((goal, review_on))
    return facts


class _Words:
    """gettext and ngettext over the catalogue of the reader's language, looked up once: Flask-Babel's own
    look the request's locale and catalogue up on every call, most of the cost of a page of reasons."""

    def __init__(self) -> None:
        self.locale = get_locale()
        self.catalogue = get_translations()

    def decimal(self, value: float) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def gettext(self, string: str, **variables) -> str:
        text = self.catalogue.ugettext(string)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return self.catalogue.ungettext(singular, plural, num) % variables


class Reason:
    """Clauses shown as one reason ("'A' went from 6 to 3; 'B' went from 5 to 2; a change of 3 ..."), worded
    when shown, in the reader's language, like a single lazy reason.

    A part may be a function of _Words that words it: a team's list judges every family's goals but shows one
    page of them, so the clauses are only written for the reasons shown."""

    def __init__(self, *parts) -> None:
        self._parts = parts
        self._worded: tuple | None = None
        self._locale: str | None = None

    @property
    def parts(self) -> tuple:
        locale = str(get_locale())
        if self._worded is None or self._locale != locale:  # a page or an export words it once
            words = _Words()
            self._worded = tuple(part(words) if callable(part) else part for part in self._parts)
            self._locale = locale
        return self._worded

    def __str__(self) -> str:
        return "; ".join(str(part) for part in self.parts)


def _chance_rule(model: OutcomeModel, words: _Words):
    _ = words.gettext
    if model.sem.estimated:
        return _("a change of %(threshold)d or more is more than chance", threshold=model.threshold)
    return _(
        "a change of %(threshold)d or more is more than chance (an assumed measurement error until %(needed)d goals "
        "have enough scores)",
        threshold=model.threshold,
        needed=model.sem.needed,
    )


def _no_change_rule(model: OutcomeModel, words: _Words):
    _ = words.gettext
    return _("less than %(threshold)d points either way is no reliable change", threshold=model.threshold)


def _talk_rule(model: OutcomeModel, words: _Words):
    _ = words.gettext
    return _("a difference of %(threshold)d or more is a conversation to have", threshold=model.threshold)


# The clauses of the goals' reasons, one per goal and what it says; goal_signals passes them to Reason unworded.
def _went(f: GoalFacts, words: _Words):
    _ = words.gettext
    return _("'%(goal)s' went from %(start)d to %(now)d", goal=f.title, start=f.start, now=f.worker_latest)


def _parent_went(f: GoalFacts, words: _Words):
    _ = words.gettext
    return _(
        "the parent's own score for '%(goal)s' went from %(start)d to %(now)d",
        goal=f.title,
        start=f.parent_first,
        now=f.parent_latest,
    )


def _off_course(a: Assessment, words: _Words):
    _, ngettext = words.gettext, words.ngettext
    # Whole sentences per level and week, not fragments put together: a translator sees what the reader reads.
    f, weeks, expected = a.facts, int(a.weeks or 0), a.expected
    assert expected is not None  # goal_signals words only goals with a course
    basis = Pooling.labels[expected.pooling]
    if a.course == CourseLevel.FAR_BELOW:
        level = words.decimal(round(expected.p10, 1))
        if weeks == 0:
            return _(
                "'%(goal)s' is at %(now)d in its first week, below %(level)s: nine in ten goals that started like it "
                "were higher by then (%(basis)s)",
                goal=f.title,
                now=f.worker_latest,
                level=level,
                basis=basis,
            )
        return ngettext(
            "'%(goal)s' is at %(now)d after %(num)d week, below %(level)s: nine in ten goals that started like it "
            "were higher by then (%(basis)s)",
            "'%(goal)s' is at %(now)d after %(num)d weeks, below %(level)s: nine in ten goals that started like it "
            "were higher by then (%(basis)s)",
            weeks,
            goal=f.title,
            now=f.worker_latest,
            level=level,
            basis=basis,
        )
    level = words.decimal(round(expected.p25, 1))
    if weeks == 0:
        return _(
            "'%(goal)s' is at %(now)d in its first week, below %(level)s: three in four goals that started like it "
            "were higher by then (%(basis)s)",
            goal=f.title,
            now=f.worker_latest,
            level=level,
            basis=basis,
        )
    return ngettext(
        "'%(goal)s' is at %(now)d after %(num)d week, below %(level)s: three in four goals that started like it "
        "were higher by then (%(basis)s)",
        "'%(goal)s' is at %(now)d after %(num)d weeks, below %(level)s: three in four goals that started like it "
        "were higher by then (%(basis)s)",
        weeks,
        goal=f.title,
        now=f.worker_latest,
        level=level,
        basis=basis,
    )


def _unmet(f: GoalFacts, words: _Words):
    _ = words.gettext
    return _(
        "'%(goal)s' went from %(start)d to %(now)d by the review date", goal=f.title, start=f.start, now=f.worker_latest
    )


def _differ(f: GoalFacts, words: _Words):
    _ = words.gettext
    return _(
        "when both last scored '%(goal)s', the parent gave %(parent)d and the care worker %(worker)d",
        goal=f.title,
        parent=f.pair_parent,
        worker=f.pair_worker,
    )


def _reached(f: GoalFacts, words: _Words):
    _ = words.gettext
    return _(
        "'%(goal)s' went from %(start)d to %(now)d and reached its target of %(target)d",
        goal=f.title,
        start=f.start,
        now=f.worker_latest,
        target=f.target,
    )


def _parent_reached(f: GoalFacts, words: _Words):
    _ = words.gettext
    return _(
        "the parent's own score for '%(goal)s' went from %(start)d to %(now)d and reached the target of %(target)d",
        goal=f.title,
        start=f.parent_first,
        now=f.parent_latest,
        target=f.target,
    )


def goal_signals(
    assessments: list[Assessment], model: OutcomeModel, family_id: int
) -> tuple[list[Signal], list[Signal]]:
    """The signals and strength markers of one family's goals, one of each kind naming every goal it applies to."""
    worse: list = []
    far: list = []
    below: list = []
    unmet: list = []
    differ: list = []
    strong: list = []
    for a in assessments:
        f = a.facts
        if a.worker == Change.WORSE:
            worse.append(partial(_went, f))
        if a.parent == Change.WORSE:
            worse.append(partial(_parent_went, f))
        if a.expected is not None and a.course == CourseLevel.FAR_BELOW:
            far.append(partial(_off_course, a))
        elif a.expected is not None and a.course == CourseLevel.BELOW:
            below.append(partial(_off_course, a))
        if a.review_unmet:
            unmet.append(partial(_unmet, f))
        if a.differ:
            differ.append(partial(_differ, f))
        if a.worker == Change.REACHED:
            strong.append(partial(_reached, f))
        elif a.worker == Change.BETTER:
            strong.append(partial(_went, f))
        elif a.parent == Change.REACHED:
            strong.append(partial(_parent_reached, f))
        elif a.parent == Change.BETTER:
            strong.append(partial(_parent_went, f))

    signals, strengths = [], []
    if worse:
        signals.append(
            Signal(SignalKind.RELIABLY_WORSE, family_id, Reason(*worse, partial(_chance_rule, model)), "red")
        )
    if far:
        signals.append(Signal(SignalKind.OFF_COURSE, family_id, Reason(*far, *below), "red"))
    elif below:
        signals.append(Signal(SignalKind.OFF_COURSE, family_id, Reason(*below), "orange"))
    if unmet:
        signals.append(
            Signal(SignalKind.NO_PROGRESS, family_id, Reason(*unmet, partial(_no_change_rule, model)), "orange")
        )
    if differ:
        signals.append(Signal(SignalKind.RATERS_DIFFER, family_id, Reason(*differ, partial(_talk_rule, model)), "talk"))
    if strong:
        strengths.append(
            Signal(SignalKind.STRENGTH, family_id, Reason(*strong, partial(_chance_rule, model)), "strength")
        )
    return signals, strengths


def _goal_rules(ids, watched, today, result, model: OutcomeModel) -> None:
    """Reliable change, the expected course, the review date and the two raters, per goal (docs/signals.md)."""
    for fid, goals in _goal_facts(ids).items():
        if fid not in watched:
            continue
        assessments = [assess(facts, model, today, review_on) for facts, review_on in goals]
        signals, strengths = goal_signals(assessments, model, fid)
        result[fid].signals.extend(signals)
        result[fid].strengths.extend(strengths)


def _difficult_rising(ids, active, today, result, thresholds) -> None:
    """In the last N days more difficult than positive moments, and more difficult ones than the N days before."""

    window = thresholds["difficult_window_days"]
    recent_from = today - timedelta(days=window - 1)  # the last N days, today included
    before_from = recent_from - timedelta(days=window)
    recent = CareSession.held_on >= recent_from
    rows = db.session.execute(
        select(
            CareSession.family_id,
            func.sum(case((recent, CareSession.difficult_moments), else_=0)),
            func.sum(case((recent, CareSession.positive_moments), else_=0)),
            func.sum(case((~recent, CareSession.difficult_moments), else_=0)),
        )
        .where(
            CareSession.family_id.in_(ids),
            CareSession.live,
            CareSession.held_on >= before_from,
            CareSession.held_on <= today,
        )
        .group_by(CareSession.family_id)
    ).all()
    for fid, difficult, positive, difficult_before in rows:
        difficult, positive, difficult_before = int(difficult or 0), int(positive or 0), int(difficult_before or 0)
        if fid in active and difficult > positive and difficult > difficult_before:
            reason = _(
                "%(difficult)d difficult against %(positive)d positive moments in %(days)d days (%(before)d before)",
                difficult=difficult,
                positive=positive,
                days=window,
                before=difficult_before,
            )
            result[fid].signals.append(Signal(SignalKind.DIFFICULT_RISING, fid, reason))


def _stress_open(ids, active, today, result, thresholds) -> None:

    limit = thresholds["stress_open_days"]
    rows = db.session.execute(
        select(StressItem.family_id, StressItem.kind, StressItem.status_since)
        .where(
            StressItem.family_id.in_(ids),
            StressItem.severity == Severity.SEVERE,
            StressItem.status == StressStatus.OPEN,
            StressItem.status_since <= today - timedelta(days=limit),
        )
        .order_by(StressItem.status_since)
    ).all()
    seen: set[int] = set()
    for fid, kind, since in rows:
        if fid in active and fid not in seen:
            seen.add(fid)
            reason = ngettext(
                "%(kind)s open for %(num)d day", "%(kind)s open for %(num)d days", (today - since).days, kind=kind.label
            )
            result[fid].signals.append(Signal(SignalKind.STRESS_OPEN, fid, reason))
