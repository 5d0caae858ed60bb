from __future__ import annotations

import re
from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app import dates
from app.models import (
    DIFFICULT_TAGS,
    POSITIVE_TAGS,
    CareSession,
    ConsentKind,
    FamilyMember,
    HelpFocus,
    MomentKind,
    MomentTag,
    SessionKind,
    Severity,
    StressKind,
    StressStatus,
)
from app.plans.forms import ScoreForm, name_score_rows
from app.services.care_sessions import (
    MAX_MOMENTS,
    MomentInput,
    NewStress,
    SessionFormData,
    SessionInput,
    StressChange,
    StressEntry,
    too_many_moments,
)
from app.services.consent import ConsentNeeded
from app.services.plans import ScoreInput
from app.web.forms import (
    Ahead,
    CheckboxesField,
    DateField,
    KeptForm,
    LinkedError,
    NotInFuture,
    OnceForm,
    TextLimit,
    choices,
    strip_filter,
    version_field,
)

VIDEO_TIME = re.compile(r"^(\d{1,3}):([0-5]\d)$")
REMOVE_MOMENT = "remove_moment"  # the name of each moment's remove button; its value is the row's index


# One line per tag for the "What do the tags mean?" help on the session form (DOMAIN.md, in plain words).
TAG_MEANINGS = {
    MomentTag.AVOIDS_CONTACT: _l("The child keeps away from the parent, for example turns away or does not look."),
    MomentTag.SEEKS_EXCESSIVE_CONTACT: _l("The child seeks contact with anyone, also with people it hardly knows."),
    MomentTag.WANTS_CONTROL: _l("Out of insecurity the child wants to decide everything itself."),
    MomentTag.RESISTS: _l("The child keeps saying no or fights what the parent asks."),
    MomentTag.IRRITABLE: _l("The child is quickly angry or upset."),
    MomentTag.PUSHES_OWN_WAY: _l("The child keeps on and on until it gets what it wants."),
    MomentTag.HIDES_FEELINGS: _l("The child does not show what it feels or needs."),
    MomentTag.PARENT_HARD_TO_RESPOND: _l(
        "The parent could not react calmly or kindly, for example when tired or worried. Not a judgement: it shows "
        "where help is needed."
    ),
    MomentTag.RESPONDED_TO_SIGNAL: _l(
        "Core skill 1: the parent saw what the child showed (crying, reaching out, turning away) and reacted to it."
    ),
    MomentTag.TOOK_FEELINGS_SERIOUSLY: _l(
        "Core skill 2: the parent showed the child that its feelings matter, for example by naming them."
    ),
    MomentTag.UNDERSTOOD_WISH: _l("Core skill 3: the parent looked from the child's side and saw what it wanted."),
    MomentTag.ENJOYED_TOGETHER: _l("Parent and child had a good time together."),
    MomentTag.STAYED_POSITIVE: _l("The child was difficult, and the parent still reacted calmly and kindly."),
    MomentTag.IGNORED_MINOR: _l("The parent let small difficult behaviour pass, so it got no extra attention."),
    MomentTag.PREVENTED_DIFFICULT: _l(
        "The parent saw a hard moment coming and prevented it, for example by preparing the child."
    ),
    MomentTag.CHILD_SOUGHT_COMFORT: _l(
        "The child came to the parent for comfort, or showed that it trusts the parent."
    ),
}


def tag_help() -> dict[str, list[tuple[str, str]]]:
    """(label, meaning) of every tag, by kind of moment, in the order of the form."""
    return {
        "difficult": [(str(t.label), str(TAG_MEANINGS[t])) for t in DIFFICULT_TAGS],
        "positive": [(str(t.label), str(TAG_MEANINGS[t])) for t in POSITIVE_TAGS],
    }


def parse_video_time(text: str | None) -> int | None:
    """'03:12' -> 192 seconds; None when empty. Raises ValueError when malformed."""
    text = (text or "").strip()
    if not text:
        return None
    match = VIDEO_TIME.match(text)
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * 60 + int(match.group(2))


class MomentForm(Form):
    """One moment inside the session form (a sub-form: the outer form carries the CSRF token)."""

    row_name = _l("Moment %(n)d")  # as the page numbers it, for the error summary (app.web.forms.error_items)

    kind = SelectField(_l("Kind of moment"), choices=choices(MomentKind.choices()), default=MomentKind.POSITIVE.value)
    description = TextAreaField(
        _l("What happened"),
        validators=[TextLimit(1000)],
        filters=[strip_filter],
        description=_l("In your own words, short. For example: 'Mother saw that Emma was tired and held her.'"),
    )
    child_id = SelectField(_l("Which child"), coerce=int, default=0)
    tags = CheckboxesField(
        _l("What you saw"),
        choices=choices(MomentTag.choices()),
        description=_l("Tick what fits. Difficult and positive moments each have their own list."),
    )
    video_time = StringField(
        _l("Time in the recording (mm:ss)"),
        validators=[Length(max=6)],
        filters=[strip_filter],
        description=_l("For video: where the moment is in the recording, e.g. 03:12."),
    )

    def is_empty(self) -> bool:
        return not (self.description.data or self.tags.data or self.video_time.data)

    def validate_video_time(self, field):
        try:
            parse_video_time(field.data)
        except ValueError:
            raise ValidationError(_l("Write the time as minutes:seconds, for example 03:12.")) from None

    def validate_tags(self, field):
        kind = self.kind.data
        allowed = DIFFICULT_TAGS if kind == MomentKind.DIFFICULT.value else POSITIVE_TAGS
        wrong = [
            MomentTag(t).label
            for t in field.data or []
            if t in MomentTag._value2member_map_ and MomentTag(t) not in allowed
        ]
        if wrong and kind == MomentKind.DIFFICULT.value:
            raise ValidationError(_l("These do not fit a difficult moment: %(tags)s.", tags=", ".join(wrong)))
        if wrong:
            raise ValidationError(_l("These do not fit a positive moment: %(tags)s.", tags=", ".join(wrong)))


class StressChangeForm(Form):
    row_name = _l("Stress item %(n)d")  # the page sets row_title to the item's kind
    item_id = HiddenField(validators=[Length(max=12)])
    status = SelectField(_l("Status"), choices=choices(StressStatus.choices()))
    severity = SelectField(_l("Severity"), choices=choices(Severity.choices()))
    note = StringField(_l("What changed"), validators=[Length(max=500)], filters=[strip_filter])


class NewStressForm(Form):
    kind = SelectField(
        _l("Kind of stress"), choices=choices([("", _l("No new stress item"))] + StressKind.choices()), default=""
    )
    severity = SelectField(_l("Severity"), choices=choices(Severity.choices()), default=Severity.MODERATE.value)
    status = SelectField(_l("Status"), choices=choices(StressStatus.choices()), default=StressStatus.OPEN.value)
    helper = StringField(
        _l("Who helps"),
        validators=[Length(max=200)],
        filters=[strip_filter],
        description=_l("For example: debt counselling, the housing association, the GP."),
    )
    notes = StringField(_l("Notes"), validators=[TextLimit(1000)], filters=[strip_filter])


class SessionForm(KeptForm, OnceForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[Optional(), NumberRange(min=1, max=720, message=_l("Enter a number of minutes from 1 to 720."))],
        default=60,
    )
    kind = SelectField(
        _l("Kind of contact"), choices=choices(SessionKind.choices()), default=SessionKind.HOME_VISIT.value
    )
    attendee_ids = CheckboxesField(_l("Who from the family was there"), coerce=int)
    other_attendees = StringField(
        _l("Other people present"),
        validators=[Length(max=300)],
        filters=[strip_filter],
        description=_l("Other professionals, for example the GP or a teacher."),
    )
    focuses = CheckboxesField(
        _l("Help focus"),
        choices=choices(HelpFocus.choices()),
        description=_l("Where the help was aimed this time. One or more."),
    )
    summary = TextAreaField(_l("Summary"), validators=[TextLimit(4000)], filters=[strip_filter])
    agreements = TextAreaField(_l("Agreements and next steps"), validators=[TextLimit(4000)], filters=[strip_filter])
    next_appointment_on = DateField(_l("Next appointment"), validators=[Optional(), Ahead()])
    next_appointment_at = TimeField(_l("Time"), validators=[Optional()])
    moments = FieldList(FormField(MomentForm), min_entries=2, max_entries=MAX_MOMENTS)
    stress_changes = FieldList(FormField(StressChangeForm), max_entries=50)
    scores = FieldList(FormField(ScoreForm), max_entries=20)
    new_stress = FormField(NewStressForm)
    version = version_field()
    add_moment = SubmitField(_l("Add another moment"))
    submit = SubmitField(_l("Save session"))

    def validate_focuses(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one help focus."))

    def validate_next_appointment_on(self, field):
        if field.data and self.held_on.data and field.data < self.held_on.data:
            raise ValidationError(_l("The next appointment cannot be before this session."))

    def filled_moments(self) -> list[MomentForm]:
        return [entry.form for entry in self.moments if not entry.form.is_empty()]

    @classmethod
    def for_page(cls, data: SessionFormData, care_session: CareSession | None) -> SessionForm:
        """The form, filled from a kept draft, from the request, or from the saved (or the last) session."""
        form = cls()
        posted = request.method == "POST"
        if posted and form.add_moment.data and len(form.moments) < MAX_MOMENTS:
            form.moments.append_entry()
        if posted:
            form._remove_moment(request.form.get(REMOVE_MOMENT, ""))
        fresh = not posted and not form.from_draft
        if fresh and care_session is not None:
            form._fill_from(care_session)
        elif fresh and data.last_session is not None:
            form._start_like(data.last_session)
        form._set_choices(data.members)
        if fresh:
            form._add_rows(data)
        form._name_rows(data)
        return form

    def _name_rows(self, data: SessionFormData) -> None:
        """Score and stress rows named as their fieldsets are, for the error summary."""
        name_score_rows(self.scores, data.goals_by_key)
        items = {str(item.id): item for item in data.stress_items}
        for entry in self.stress_changes:
            item = items.get(entry.form.item_id.data or "")
            entry.form.row_title = item.kind.label if item else None

    def blank_moment(self, data: SessionFormData) -> MomentForm:
        """An empty moment for the page's <template>, so a moment is added without a reload."""
        blank = SessionForm(formdata=None, meta={"csrf": False})
        blank._set_choices(data.members)
        return blank.moments[0].form

    def sent_to_save(self) -> bool:
        """Posted with Save (or Enter), not with 'add another moment' or a moment's remove button."""
        return request.method == "POST" and not self.add_moment.data and REMOVE_MOMENT not in request.form

    def checked_by_data(self) -> tuple[SessionKind | None, date | None, int]:
        """What the data checks take (app.services.care_sessions.check_session), from a form that has errors:
        a field with its own error is left out (None), its own error said instead."""
        kind = (
            SessionKind(self.kind.data)
            if not self.kind.errors and self.kind.data in SessionKind._value2member_map_
            else None
        )
        held_on = self.held_on.data if not self.held_on.errors else None
        return kind, held_on, len(self.filled_moments())

    def _remove_moment(self, index: str) -> None:
        """A moment's remove button without JavaScript: the form comes back without that row, the rest as typed.
        The other rows keep their names (moments-3-...): a gap is fine for the FieldList and for the script."""
        self.moments.entries = [e for e in self.moments.entries if e.name != f"{self.moments.name}-{index}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # WTForms silently keeps only the first MAX_MOMENTS rows of a post: refuse it instead, beside any
        # other error, so no moment vanishes on the way (the service holds the same limit for its data).
        if _moment_rows_posted() > MAX_MOMENTS:
            self.form_errors.append(too_many_moments())
            return False
        return valid

    def show_errors(self, errors: dict[str, list[str]], consent_url: str) -> None:
        """Errors the data decided (consent, the number of moments) beside their fields; a missing consent
        links to the family's consent page (in a new tab, so nothing typed here is lost)."""
        for name, messages in errors.items():
            shown = [
                LinkedError(m, consent_url, _("Open the consent page (in a new tab)"))
                if isinstance(m, ConsentNeeded)
                else m
                for m in messages
            ]
            if name:
                self[name].errors = [*self[name].errors, *shown]
            else:
                self.form_errors.extend(shown)

    def to_input(self) -> SessionInput:
        new_stress = None
        sub = self.new_stress.form
        if sub.kind.data:
            new_stress = NewStress(
                kind=StressKind(sub.kind.data),
                severity=Severity(sub.severity.data),
                status=StressStatus(sub.status.data),
                helper=sub.helper.data or "",
                notes=sub.notes.data or "",
            )
        return SessionInput(
            held_on=self.held_on.data,
            kind=SessionKind(self.kind.data),
            focuses=[HelpFocus(f) for f in self.focuses.data],
            duration_minutes=self.duration_minutes.data,
            attendee_ids=self.attendee_ids.data or [],
            other_attendees=self.other_attendees.data or "",
            summary=self.summary.data or "",
            agreements=self.agreements.data or "",
            next_appointment_on=self.next_appointment_on.data,
            next_appointment_at=self.next_appointment_at.data,
            moments=[
                MomentInput(
                    kind=MomentKind(m.kind.data),
                    description=m.description.data or "",
                    child_id=m.child_id.data or None,
                    tags=m.tags.data or [],
                    video_seconds=parse_video_time(m.video_time.data),
                )
                for m in self.filled_moments()
            ],
            stress_changes=[
                StressChange(
                    item_id=int(e.form.item_id.data),
                    status=StressStatus(e.form.status.data),
                    severity=Severity(e.form.severity.data),
                    note=e.form.note.data or "",
                )
                for e in self.stress_changes
                if _is_id(e.form.item_id.data)
            ],
            new_stress=new_stress,
            scores=[
                ScoreInput(e.form.goal_key.data, e.form.worker_score.data, e.form.parent_score.data)
                for e in self.scores
            ],
            version=self.version.data or "",
        )

    def _set_choices(self, members: list[FamilyMember]) -> None:
        """Members removed since the session stay selectable on it, marked, so an edit never drops who was there."""

        def name(member: FamilyMember) -> str:
            return member.first_name + (f" ({_('removed')})" if member.removed_at else "")

        self.attendee_ids.choices = [(m.id, f"{name(m)} ({m.role.label.lower()})") for m in members]
        children = [(0, _("No child in particular"))] + [(m.id, name(m)) for m in members if m.is_child]
        for entry in self.moments:
            entry.form.child_id.choices = children

    def _add_rows(self, data: SessionFormData) -> None:
        """A fresh form: strengths first, a score row per active goal, a row per open stress item."""
        blank = [e.form for e in self.moments if e.form.is_empty()]
        if len(blank) == len(self.moments) == 2:
            blank[1].kind.data = MomentKind.DIFFICULT.value  # the first empty moment positive, the second difficult
        for goal in data.goals:
            score = data.given_scores.get(goal.key)
            self.scores.append_entry(
                {
                    "goal_key": goal.key,
                    "worker_score": score.worker_score if score else None,
                    "parent_score": score.parent_score if score else None,
                }
            )
        while len(self.stress_changes) < len(data.stress_items):
            self.stress_changes.append_entry()
        for entry, item in zip(self.stress_changes, data.stress_items, strict=False):
            entry.form.item_id.data = str(item.id)
            entry.form.status.data = item.status.value
            entry.form.severity.data = item.severity.value

    def _fill_from(self, care_session: CareSession) -> None:
        self.held_on.data = care_session.held_on
        self.duration_minutes.data = care_session.duration_minutes
        self.kind.data = care_session.kind.value
        self.attendee_ids.data = [m.id for m in care_session.attendees]
        self.other_attendees.data = care_session.other_attendees
        self.focuses.data = [f.value for f in care_session.focuses]
        self.summary.data = care_session.summary
        self.agreements.data = care_session.agreements
        self.next_appointment_on.data = care_session.next_appointment_on
        self.next_appointment_at.data = care_session.next_appointment_at
        self.version.data = str(care_session.version)
        while len(self.moments):
            self.moments.pop_entry()
        for moment in care_session.moments:
            self.moments.append_entry(
                {
                    "kind": moment.kind.value,
                    "description": moment.description,
                    "child_id": moment.child_id or 0,
                    "tags": [t.value for t in moment.tags],
                    "video_time": moment.video_time or "",
                }
            )
        if len(self.moments) < MAX_MOMENTS:
            self.moments.append_entry()

    def _start_like(self, last: CareSession) -> None:
        """Quick entry: most sessions of a family look like the one before in kind, focus and who was there."""
        self.kind.data = last.kind.value
        self.focuses.data = [f.value for f in last.focuses]
        self.duration_minutes.data = last.duration_minutes
        self.attendee_ids.data = [m.id for m in last.attendees if m.removed_at is None]


def _is_id(value: str | None) -> bool:
    return value is not None and value.isascii() and value.isdigit() and 0 < len(value) < 10


def _moment_rows_posted() -> int:
    """WTForms silently drops entries past max_entries: count the posted rows, so the limit is refused instead."""
    if request.method != "POST":
        return 0
    return len({key.split("-")[1] for key in request.form if key.startswith("moments-") and key.count("-") >= 2})


class ConsentForm(KeptForm, OnceForm):
    kind = SelectField(_l("Consent for"), choices=choices(ConsentKind.choices()))
    given = RadioField(
        _l("Decision"),
        choices=choices([("yes", _l("Consent given")), ("no", _l("Consent withdrawn or refused"))]),
        validators=[InputRequired(message=_l("Choose whether consent was given or withdrawn."))],
    )
    given_by = StringField(
        _l("By whom"),
        validators=[DataRequired(), Length(max=100)],
        filters=[strip_filter],
        description=_l("The parent or parents who decided, e.g. 'Anouk (mother)'."),
    )
    decided_on = DateField(_l("Decided on"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    note = StringField(_l("Note"), validators=[Length(max=300)], filters=[strip_filter])
    version = version_field()
    submit = SubmitField(_l("Record consent"))


class StressItemForm(KeptForm, OnceForm):
    kind = SelectField(_l("Kind of stress"), choices=choices(StressKind.choices()))
    severity = SelectField(_l("Severity"), choices=choices(Severity.choices()), default=Severity.MODERATE.value)
    status = SelectField(_l("Status"), choices=choices(StressStatus.choices()), default=StressStatus.OPEN.value)
    changed_on = DateField(_l("Since"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    helper = StringField(
        _l("Who helps"),
        validators=[Length(max=200)],
        filters=[strip_filter],
        description=_l("For example: debt counselling, the housing association, the GP."),
    )
    notes = TextAreaField(_l("Notes"), validators=[TextLimit(1000)], filters=[strip_filter])
    version = version_field()
    submit = SubmitField(_l("Save"))

    def to_entry(self) -> StressEntry:
        return StressEntry(
            kind=StressKind(self.kind.data),
            severity=Severity(self.severity.data),
            status=StressStatus(self.status.data),
            on=self.changed_on.data,
            helper=self.helper.data or "",
            notes=self.notes.data or "",
        )


class TrashForm(FlaskForm):
    """CSRF for delete and restore buttons."""
