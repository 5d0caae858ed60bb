"""The printed plan for the parents: plain data, the HTML page, and the PDF made from it.

The print is made for the parents (DOMAIN.md, "a printed plan on the table"): strengths first,
the goals in their own words, who does what, and how far they have come. It shows nothing of the
case file beyond that: no session summaries, no context notes, no severity, no tag codes; a moment
shows only its description, and only when the worker chose it.
"""

from __future__ import annotations

import functools
import gc
import mimetypes
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.security import safe_join

from app import dates
from app.charts import score_line
from app.extensions import db
from app.models import (
    AgreementKind,
    AgreementWay,
    CareSession,
    ClosureType,
    CoreSkill,
    EarlyEndReason,
    Family,
    FamilyStatus,
    GoalStatus,
    HelpFocus,
    Moment,
    MomentKind,
    NoParentReason,
    Party,
    Plan,
    StressKind,
)
from app.services import appointments
from app.services import care_sessions as sessions_service
from app.services import periods as periods_service
from app.services import progress as progress_service
from app.services.progress import ScorePoint

SELECTABLE_DAYS = 120
CHOICE_LABEL_LENGTH = 80

# Plain words for the parents; the worker's screens keep their own labels.
FOCUS_FOR_PARENTS = {
    HelpFocus.PARENT: _l("About the parents"),
    HelpFocus.CHILD: _l("About the child"),
    HelpFocus.STRESS: _l("About worries in the family"),
}
SKILLS_FOR_PARENTS = {
    CoreSkill.SIGNALS: _l("Notice what your child shows you, and react to it"),
    CoreSkill.FEELINGS: _l("Show your child that their feelings matter"),
    CoreSkill.WISHES: _l("Try to see what your child wants"),
}
STRESS_FOR_PARENTS = {
    StressKind.DEBTS: _l("Money and debts"),
    StressKind.HOUSING: _l("Housing"),
    StressKind.WORK_INCOME: _l("Work or income"),
    StressKind.PARENT_HEALTH: _l("The health of a parent"),
    StressKind.RELATIONSHIP: _l("The relationship between the parents"),
    StressKind.ISOLATION: _l("Few people around you who can help"),
    StressKind.OTHER: _l("Other worries"),
}

# How someone gave their response, as a parent reads it: "Maria agreed on 3 December 2026, in a conversation."
WAY_FOR_PARENTS = {
    AgreementWay.IN_PERSON: _l("in a conversation"),
    AgreementWay.PHONE: _l("by phone"),
    AgreementWay.ONLINE: _l("online"),
    AgreementWay.PAPER: _l("on paper"),
}
NO_PARENT_FOR_PARENTS = {
    NoParentReason.UNREACHABLE: _l("a parent could not be reached"),
    NoParentReason.NO_AUTHORITY: _l("no parent with parental authority is involved"),
    NoParentReason.OTHER: _l("of another reason"),
}


# --- Choosing the moments (on the plan page, in the worker's own language) ---------------------


def selectable_moments(family_id: int) -> list[Moment]:
    """Recent moments (newest first) the worker may choose to show the parents.

    Only moments with a description: the print shows the description and nothing else.
    """
    since = dates.today() - timedelta(days=SELECTABLE_DAYS)
    return list(
        db.session.execute(
            select(Moment)
            .join(CareSession)
            .where(
                CareSession.family_id == family_id,
                CareSession.live,
                CareSession.held_on >= since,
                Moment.description != "",
            )
            .options(selectinload(Moment.care_session), selectinload(Moment.child))
            .order_by(CareSession.held_on.desc(), CareSession.id.desc(), Moment.position)
        ).scalars()
    )


def moment_choice_label(moment: Moment) -> str:
    description = " ".join(moment.description.split())
    if len(description) > CHOICE_LABEL_LENGTH:
        description = description[: CHOICE_LABEL_LENGTH - 1].rstrip() + "…"
    parts = [str(moment.kind.label), dates.show_day(moment.care_session.held_on)]
    if moment.child is not None:
        parts.append(moment.child.first_name)
    parts.append(description)
    return " · ".join(parts)


def default_moment_ids(moments: list[Moment]) -> list[int]:
    """Strengths first: the three most recent positive moments."""
    return [m.id for m in moments if m.kind == MomentKind.POSITIVE][:3]


# --- The print data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintMoment:
    id: int
    positive: bool
    held_on: date
    description: str
    child: str | None = None
    video_time: str | None = None


@dataclass(frozen=True)
class PrintAgreement:
    party: Party
    name: str  # who does it; empty when no name is known (then the party says who)
    what: str


@dataclass(frozen=True)
class PrintGoal:
    number: int
    title: str
    focus: HelpFocus
    status: GoalStatus
    looks_like: str
    start: int
    target: int
    worker_scores: list[ScorePoint] = field(default_factory=list)  # the care worker's, oldest first
    parent_scores: list[ScorePoint] = field(default_factory=list)  # the parents' own, oldest first
    skills: list[CoreSkill] = field(default_factory=list)
    agreements: list[PrintAgreement] = field(default_factory=list)

    # Each rater's latest score stands on its own: a session where only the worker scored does not hide the
    # parents' own score of the session before.
    @property
    def now(self) -> int | None:
        """The care worker's latest score."""
        return self.worker_scores[-1].score if self.worker_scores else None

    @property
    def now_on(self) -> date | None:
        return self.worker_scores[-1].on if self.worker_scores else None

    @property
    def own(self) -> int | None:
        """The parents' own latest score, when they gave one."""
        return self.parent_scores[-1].score if self.parent_scores else None

    @property
    def own_on(self) -> date | None:
        return self.parent_scores[-1].on if self.parent_scores else None

    @property
    def scored_on(self) -> date | None:
        days = [on for on in (self.now_on, self.own_on) if on is not None]
        return max(days) if days else None

    @property
    def own_went_down(self) -> bool:
        return self.own is not None and self.own < self.start

    @property
    def worker_went_down(self) -> bool:
        return self.now is not None and self.now < self.start

    @property
    def achieved(self) -> bool:
        return self.status == GoalStatus.ACHIEVED

    @property
    def stopped(self) -> bool:
        return self.status == GoalStatus.STOPPED

    @property
    def focus_label(self) -> str:
        return str(FOCUS_FOR_PARENTS[self.focus])

    @property
    def skill_labels(self) -> list[str]:
        return [str(SKILLS_FOR_PARENTS[skill]) for skill in self.skills]


@dataclass(frozen=True)
class PrintStress:
    kind: StressKind
    helper: str

    @property
    def label(self) -> str:
        return str(STRESS_FOR_PARENTS[self.kind])


# Why the help stopped early, as the parents read it: warm, no blame. The worker's own words stay off the print.
EARLY_REASON_FOR_PARENTS = {
    EarlyEndReason.MOVED: _l("You moved to another place."),
    EarlyEndReason.FAMILY_STOPPED: _l("You chose to stop the help."),
    EarlyEndReason.OTHER_HELP: _l("Other help fits you better now."),
    EarlyEndReason.UNREACHABLE: _l("We could not reach each other any more."),
    EarlyEndReason.OTHER: _l("There was another reason."),
}


@dataclass(frozen=True)
class PrintEnding:
    """How the help ended, for a closed family's print."""

    closure: ClosureType | None
    end_date: date | None
    reason: EarlyEndReason | None = None

    @property
    def early(self) -> bool:
        return self.closure == ClosureType.EARLY

    @property
    def reason_for_parents(self) -> str:
        return str(EARLY_REASON_FOR_PARENTS[self.reason]) if self.reason else ""


def _ending(family: Family) -> PrintEnding | None:
    if family.status != FamilyStatus.CLOSED:
        return None
    last = periods_service.periods_of(family.id)[-1:]
    reason = last[0].early_reason if last and last[0].is_closed else None
    return PrintEnding(closure=family.closure_type, end_date=family.end_date, reason=reason)


@dataclass(frozen=True)
class PrintDisagreement:
    goal_number: int
    words: str


@dataclass(frozen=True)
class PrintAgreementEntry:
    """One entry of the printed version's agreement (the signing section)."""

    kind: AgreementKind
    on: date
    name: str = ""
    agrees: bool | None = None
    way: AgreementWay | None = None
    words: str = ""
    disagreements: list[PrintDisagreement] = field(default_factory=list)
    reason: NoParentReason | None = None
    reason_text: str = ""

    @property
    def way_label(self) -> str:
        return str(WAY_FOR_PARENTS[self.way]) if self.way else ""

    @property
    def reason_label(self) -> str:
        return str(NO_PARENT_FOR_PARENTS[self.reason]) if self.reason else ""


@dataclass(frozen=True)
class PrintData:
    family_name: str
    children: list[str]
    parents: list[str]
    worker_name: str
    plan_number: int
    plan_is_current: bool
    plan_is_draft: bool
    discussed_on: date | None
    review_on: date | None
    going_well: list[PrintMoment]
    still_hard: list[PrintMoment]
    goals: list[PrintGoal]
    stress: list[PrintStress]
    next_appointment_on: date | None
    next_appointment_at: time | None
    printed_on: date
    ended: PrintEnding | None = None  # set when the help has ended (the family is closed)
    # The signing section: who responded to this version, how and when; lines to sign only when asked.
    agreement: list[PrintAgreementEntry] = field(default_factory=list)
    sign_lines: bool = False
    write_space: bool = False  # the worker asked for room to write what is still hard

    @property
    def shows_still_hard(self) -> bool:
        """Only when there is something to say, or room was asked for: an empty heading tells the parents nothing."""
        return bool(self.still_hard) or self.write_space

    @property
    def moment_ids(self) -> list[int]:
        return [m.id for m in self.going_well + self.still_hard]


def _worker_name(family: Family) -> str:
    workers = family.workers
    return workers[0].name if workers else ""


def chosen_moments(family_id: int, moment_ids: list[int]) -> list[Moment]:
    """The chosen moments that belong to this family (any other id is ignored), oldest first."""
    ids = {i for i in moment_ids if isinstance(i, int)}
    if not ids:
        return []
    return list(
        db.session.execute(
            select(Moment)
            .join(CareSession)
            .where(
                Moment.id.in_(ids),
                CareSession.family_id == family_id,
                CareSession.live,
                Moment.description != "",
            )
            .options(selectinload(Moment.care_session), selectinload(Moment.child))
            .order_by(CareSession.held_on, CareSession.id, Moment.position)
        ).scalars()
    )


def _print_moment(moment: Moment) -> PrintMoment:
    return PrintMoment(
        id=moment.id,
        positive=moment.kind == MomentKind.POSITIVE,
        held_on=moment.care_session.held_on,
        description=moment.description.strip(),
        child=moment.child.first_name if moment.child is not None else None,
        video_time=moment.video_time,
    )


def _print_agreement(plan: Plan) -> list[PrintAgreementEntry]:
    numbers = {goal.id: number for number, goal in enumerate(plan.goals, start=1)}
    return [
        PrintAgreementEntry(
            kind=e.kind,
            on=e.agreed_on,
            name=e.name,
            agrees=e.agrees,
            way=e.way,
            words=e.words.strip(),
            disagreements=[
                PrintDisagreement(goal_number=numbers[g.goal_id], words=g.words.strip())
                for g in e.disagreements
                if g.goal_id in numbers
            ],
            reason=e.reason,
            reason_text=e.reason_text.strip(),
        )
        for e in plan.agreement_entries
    ]


def build_print_data(
    family: Family,
    plan: Plan,
    moment_ids: list[int],
    now: datetime | None = None,
    *,
    sign: bool = False,
    write_space: bool = False,
) -> PrintData:
    """Everything the printed plan shows, as plain values; nothing else of the case file."""
    now = now or dates.now().astimezone(get_timezone()).replace(tzinfo=None)
    worker_name = _worker_name(family)
    members = family.current_members
    moments = [_print_moment(m) for m in chosen_moments(family.id, moment_ids)]
    readings = progress_service.score_readings(family.id, [goal.key for goal in plan.goals])

    goals = []
    for number, goal in enumerate(plan.goals, start=1):
        scored = readings.get(goal.key, [])
        goals.append(
            PrintGoal(
                number=number,
                title=goal.title,
                focus=goal.focus,
                status=goal.status,
                looks_like=(goal.looks_like or "").strip(),
                start=goal.start_score,
                target=goal.target_score,
                worker_scores=[ScorePoint(r.on, r.worker) for r in scored if r.worker is not None],
                parent_scores=[ScorePoint(r.on, r.parent) for r in scored if r.parent is not None],
                skills=goal.skills if goal.focus == HelpFocus.PARENT else [],
                agreements=[
                    PrintAgreement(
                        party=a.party,
                        name=a.who.strip() or (worker_name if a.party == Party.WORKER else ""),
                        what=a.what,
                    )
                    for a in goal.agreements
                ],
            )
        )

    coming = appointments.next_appointment(family, now)  # none for a closed family (app.services.appointments)
    next_on = coming.on if coming else None
    next_at = coming.at if coming else None

    return PrintData(
        family_name=family.display_name,
        children=[m.first_name for m in members if m.is_child],
        parents=[m.first_name for m in members if not m.is_child],
        worker_name=worker_name,
        plan_number=plan.number,
        plan_is_current=plan.is_current,
        plan_is_draft=not plan.status.is_agreed,
        discussed_on=plan.discussed_on,
        review_on=plan.review_on,
        going_well=[m for m in moments if m.positive],
        still_hard=[m for m in moments if not m.positive],
        goals=goals,
        stress=[
            PrintStress(kind=item.kind, helper=item.helper.strip())
            for item in sessions_service.open_stress_items(family.id)
        ],
        next_appointment_on=next_on,
        next_appointment_at=next_at,
        printed_on=now.date(),
        ended=_ending(family),
        agreement=_print_agreement(plan),
        sign_lines=sign,
        write_space=write_space,
    )


# --- The page and the PDF ------------------------------------------------------------------------


def _clock(value: time) -> str:
    """A time of day in the print language (a wall-clock time: no time-zone shift)."""
    return dates.show_time(value)


def goal_chart(goal: PrintGoal) -> score_line.Chart:
    """The goal's line of scores over time, with its text alternative in words (in the print language)."""
    words = [_("Start: %(start)d.", start=goal.start)]
    if goal.parent_scores:
        scores = ", ".join(str(p.score) for p in goal.parent_scores)
        words.append(_("Your own scores, from old to new: %(scores)s.", scores=scores))
    if goal.worker_scores:
        scores = ", ".join(str(p.score) for p in goal.worker_scores)
        words.append(_("The care worker's scores, from old to new: %(scores)s.", scores=scores))
    if not goal.parent_scores and not goal.worker_scores:
        words.append(_("No score yet."))
    words.append(_("Where you want to be: %(target)d.", target=goal.target))
    days = [p.on for p in goal.parent_scores + goal.worker_scores]
    locale = str(get_locale())
    # Written out, as every date of the printed plan.
    labels = (
        (dates.calendar_day(min(days), dates.LONG, locale), dates.calendar_day(max(days), dates.LONG, locale))
        if days
        else None
    )
    return score_line.score_line(
        [(p.on, p.score) for p in goal.worker_scores],
        [(p.on, p.score) for p in goal.parent_scores],
        goal.start,
        goal.target,
        title=" ".join(words),
        element_id=f"goal-{goal.number}-line",
        date_labels=labels,
    )


def _screen_links(
    family: Family, plan: Plan, lang: str, moment_ids: list[int], *, sign: bool = False, write_space: bool = False
) -> dict[str, str]:
    """The worker's buttons on screen (never printed); none outside a request."""
    if not has_request_context():
        return {}
    extra: dict[str, Any] = {} if plan.is_current else {"version": plan.number}
    if sign:
        extra["sign"] = "y"
    if write_space:
        extra["write_space"] = "y"
    back = (
        url_for("plans.show", family_id=family.id)
        if plan.is_current
        else url_for("plans.version", family_id=family.id, number=plan.number)
    )
    return {
        "pdf": url_for(
            "plans.print_pdf",
            family_id=family.id,
            lang=lang,
            moment=moment_ids,
            **extra,
        ),
        "back": back,
    }


def print_language(lang: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return lang if lang is not None and lang in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def render_print_html(
    family: Family, plan: Plan, lang: str, moment_ids: list[int], *, sign: bool = False, write_space: bool = False
) -> str:
    """The printed plan as a standalone page, every word and date in `lang` (not the worker's language).

    sign: lines to sign, for an agreement on paper. write_space: room to write what is still hard, also
    when no difficult moment was chosen."""
    lang = print_language(lang)
    with force_locale(lang):
        data = build_print_data(family, plan, moment_ids, sign=sign, write_space=write_space)
        return render_template(
            "plans/print.html",
            data=data,
            lang=lang,
            clock=_clock,
            goal_chart=goal_chart,
            swatch_shapes=score_line.swatch,
            links=_screen_links(family, plan, lang, list(moment_ids), sign=sign, write_space=write_space),
        )


# WeasyPrint resolves the page's relative URLs against this address, which is never fetched:
# the fetcher below serves /static/... from disk. The server must not request its own URLs
# (a single-threaded server would wait for itself for ever), nor anything elsewhere.
PDF_BASE_URL = "https://attune.invalid/"


@functools.cache
def _fetcher_class():
    """WeasyPrint is imported on first use: it is big, and only the PDF needs it."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFileFetcher(URLFetcher):
        """Serves the app's static files from disk to WeasyPrint and refuses every other URL."""

        def __init__(self, static_folder: str, static_prefix: str):
            super().__init__(allowed_protocols=("data",))
            self.static_folder = static_folder
            self.static_prefix = static_prefix if static_prefix.endswith("/") else static_prefix + "/"

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            base = urlsplit(PDF_BASE_URL)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
                self.static_prefix
            ):
                raise ValueError(f"not fetched for a PDF: {url}")
            relative = unquote(parts.path[len(self.static_prefix) :])
            found = safe_join(self.static_folder, relative) if relative else None
            if found is None or not Path(found).is_file():
                raise ValueError(f"no such static file: {url}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})

    return StaticFileFetcher


def _static_prefix() -> str:
    if has_request_context():
        return url_for("static", filename="")
    return (current_app.static_url_path or "/static").rstrip("/") + "/"


def static_fetcher():
    """A WeasyPrint URL fetcher for this app: /static/... from disk, nothing else."""
    return _fetcher_class()(current_app.static_folder, _static_prefix())


def render_pdf(html: str) -> bytes:
    """The printed plan as a PDF (A4, from the same page and print.css), made without any network."""
    from weasyprint import HTML

    # WeasyPrint builds several hundred thousand small objects for a few pages, and the cyclic collector
    # walked them again and again while it did (a third of the time): it waits until the PDF is made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Tagged: headings, lists and tables stay readable for a parent who uses a screen reader.
        return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_fetcher()).write_pdf(pdf_tags=True)
    finally:
        if collecting:
            gc.enable()
