from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
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
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app import dates
from app.models import (
    SCORE_MAX,
    SCORE_MIN,
    AgreementKind,
    AgreementParty,
    AgreementWay,
    ClosureType,
    CoreSkill,
    EarlyEndReason,
    FamilyMember,
    GoalStatus,
    HelpFocus,
    NoParentReason,
    Party,
    Plan,
)
from app.services.periods import Ending
from app.services.plans import (
    AgreementInput,
    GoalInput,
    GoalResponseInput,
    NoParentInput,
    PlanInput,
    ResponseInput,
    edit_token,
)
from app.web.forms import (
    Ahead,
    CheckboxesField,
    DateField,
    KeptForm,
    NotInFuture,
    PlainName,
    TextLimit,
    choices,
    name_filter,
    strip_filter,
    version_field,
)

MAX_GOALS = 10
GOAL_KEY_LENGTH = 16  # Goal.key
SCORE_MESSAGE = _l("Give a whole number from 0 to 10.")


def score_field(label, required: bool = False, description=None):
    return IntegerField(
        label,
        validators=[
            InputRequired(message=_l("Give a score from 0 to 10 for each goal.")) if required else Optional(),
            NumberRange(min=SCORE_MIN, max=SCORE_MAX, message=SCORE_MESSAGE),
        ],
        description=description,
        render_kw={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1, "inputmode": "numeric"},
    )


class AgreementForm(Form):
    row_name = _l("Agreement %(n)d")  # how the error summary names a row (app.web.forms.error_items)
    party = SelectField(_l("Who"), choices=choices(Party.choices()), default=Party.PARENT.value)
    who = StringField(_l("Name"), validators=[Length(max=100)], filters=[strip_filter])
    what = StringField(_l("Does what"), validators=[Length(max=500)], filters=[strip_filter])


def _known_length_key(value):
    # Longer than any real key, so unknown: the route treats it as a new goal, like any unknown key.
    return value if isinstance(value, str) and len(value) <= GOAL_KEY_LENGTH else ""


class GoalForm(Form):
    row_name = _l("Goal %(n)d")
    key = HiddenField(validators=[Length(max=GOAL_KEY_LENGTH)], filters=[_known_length_key])
    focus = SelectField(_l("Help focus"), choices=choices(HelpFocus.choices()), default=HelpFocus.PARENT.value)
    title = StringField(
        _l("Goal, in the parents' own words"),
        validators=[Length(max=300)],
        filters=[strip_filter],
        description=_l("For example: 'Bedtime is calm and Emma falls asleep without crying.'"),
    )
    looks_like = TextAreaField(
        _l("What it looks like when it goes well"), validators=[TextLimit(1000)], filters=[strip_filter]
    )
    start_score = score_field(_l("Where we are at the start (0-10)"))
    target_score = score_field(_l("Where we want to be (0-10)"))
    status = SelectField(_l("Status"), choices=choices(GoalStatus.choices()), default=GoalStatus.ACTIVE.value)
    skills = CheckboxesField(
        _l("Core skills this goal builds"),
        choices=choices(CoreSkill.choices()),
        description=_l("For goals about the parent."),
    )
    agreements = FieldList(FormField(AgreementForm), min_entries=3, max_entries=10)

    def is_empty(self) -> bool:
        return not (self.title.data or self.looks_like.data or any(a.form.what.data for a in self.agreements))

    def validate(self, extra_validators=None) -> bool:
        # Rules across fields live here: Optional() on an empty score stops per-field checks.
        valid = super().validate(extra_validators)
        if self.is_empty():
            return valid
        if not self.title.data:
            self.title.errors = [*self.title.errors, _l("Give this goal a title, in the parents' own words.")]
            valid = False
        if self.start_score.data is None and not self.start_score.errors:
            self.start_score.errors = [_l("Where are you now? Give a score from 0 to 10.")]
            valid = False
        if self.target_score.data is None and not self.target_score.errors:
            self.target_score.errors = [_l("Where do you want to be? Give a score from 0 to 10.")]
            valid = False
        return valid


class PlanForm(KeptForm):
    review_on = DateField(_l("Review date"), validators=[Optional(), Ahead()])
    goals = FieldList(FormField(GoalForm), min_entries=2, max_entries=MAX_GOALS)
    version = version_field()
    add_goal = SubmitField(_l("Add another goal"))
    submit = SubmitField(_l("Save plan"))

    def filled_goals(self) -> list[GoalForm]:
        return [entry.form for entry in self.goals if not entry.form.is_empty()]

    def to_input(self) -> PlanInput:
        """The plan as typed; which goal keys are this family's is the service's to decide."""
        return PlanInput(
            review_on=self.review_on.data,
            goals=[
                GoalInput(
                    key=g.key.data or None,
                    focus=HelpFocus(g.focus.data),
                    title=g.title.data,
                    looks_like=g.looks_like.data or "",
                    start_score=g.start_score.data,
                    target_score=g.target_score.data,
                    status=GoalStatus(g.status.data),
                    skills={CoreSkill(s) for s in g.skills.data or []},
                    agreements=[
                        AgreementInput(party=Party(a.form.party.data), who=a.form.who.data or "", what=a.form.what.data)
                        for a in g.agreements
                        if a.form.what.data
                    ],
                )
                for g in self.filled_goals()
            ],
        )

    def fill_from(self, plan: Plan) -> None:
        self.review_on.data = plan.review_on
        self.version.data = edit_token(plan)
        while len(self.goals):
            self.goals.pop_entry()
        for goal in plan.goals:
            self.goals.append_entry(
                {
                    "key": goal.key,
                    "focus": goal.focus.value,
                    "title": goal.title,
                    "looks_like": goal.looks_like,
                    "start_score": goal.start_score,
                    "target_score": goal.target_score,
                    "status": goal.status.value,
                    "skills": [s.value for s in goal.skills],
                    "agreements": [{"party": a.party.value, "who": a.who, "what": a.what} for a in goal.agreements],
                }
            )
        for entry in self.goals:
            while len(entry.form.agreements) < 3:
                entry.form.agreements.append_entry()
        self.goals.append_entry()


class ScoreForm(Form):
    row_name = _l("Goal %(n)d")  # the page sets row_title to the goal's title where it knows the goal
    goal_key = HiddenField(validators=[Length(max=GOAL_KEY_LENGTH)])
    worker_score = score_field(_l("Your score"))
    parent_score = score_field(_l("The parent's own score"))


def name_score_rows(scores, goals_by_key) -> None:
    """Each score row named by its goal's title, as its fieldset is, for the error summary."""
    for entry in scores:
        goal = goals_by_key.get(entry.form.goal_key.data)
        entry.form.row_title = goal.title if goal else None


class FinalScoreForm(Form):
    row_name = _l("Goal %(n)d")
    goal_key = HiddenField(validators=[Length(max=GOAL_KEY_LENGTH)])
    worker_score = score_field(_l("Final score"), required=True)
    parent_score = score_field(_l("The parent's own final score"))


class CloseForm(KeptForm):
    closure_type = RadioField(
        _l("How did the help end?"),
        choices=choices(ClosureType.choices()),
        validators=[InputRequired(message=_l("Choose how the help ended."))],
    )
    early_reason = RadioField(
        _l("Why did the help end early?"),
        choices=choices(EarlyEndReason.choices()),
        validate_choice=False,  # checked in validate(): only an early end needs one
    )
    early_reason_text = TextAreaField(
        _l("What happened, in a few words"),
        validators=[TextLimit(1000)],
        filters=[strip_filter],
        description=_l("For the record; this is not printed for the parents."),
    )
    end_date = DateField(_l("End of the help"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    scores = FieldList(FormField(FinalScoreForm), max_entries=20)
    # The period of help the form was opened for (periods.current_number): a stale form closes nothing.
    period = HiddenField(validators=[Length(max=12)])
    submit = SubmitField(_l("Close the help"))

    def validate_end_date(self, field):
        start = getattr(self, "_start_date", None)
        if field.data and start and field.data < start:
            raise ValidationError(_l("The end date cannot be before the start of this period of help."))

    def validate(self, extra_validators=None) -> bool:
        # An early end needs its reason: a rule across fields, so it lives here.
        valid = super().validate(extra_validators)
        if self.closure_type.data != ClosureType.EARLY.value:
            return valid
        if self.early_reason.data not in {r.value for r in EarlyEndReason}:
            self.early_reason.errors = [_l("Choose why the help ended early.")]
            valid = False
        if not self.early_reason_text.data and not self.early_reason_text.errors:
            self.early_reason_text.errors = [_l("Write in a few words what happened.")]
            valid = False
        return valid

    def to_ending(self) -> Ending:
        closure = ClosureType(self.closure_type.data)
        early = closure == ClosureType.EARLY
        return Ending(
            closure=closure,
            end_date=self.end_date.data,
            reason=EarlyEndReason(self.early_reason.data) if early else None,
            reason_text=(self.early_reason_text.data or "") if early else "",
            period=int(self.period.data) if (self.period.data or "").isdigit() else None,
        )


class PrintForm(Form):
    """Options for the printed plan; sent by GET, so it bookmarks and reloads."""

    lang = SelectField(_l("Language of the print"), choices=choices([("nl", "Nederlands"), ("en", "English")]))
    moment = CheckboxesField(_l("Moments to show"), coerce=int)
    sign = BooleanField(_l("Add lines to sign (agreement on paper)"))
    # "What is still hard" is printed only with a difficult moment chosen, or with room asked for here.
    write_space = BooleanField(
        _l("Leave space to write what is still hard"),
        description=_l("Without it, this part is printed only when you choose a difficult moment."),
    )


# --- Recording the parents' agreement to a version ----------------------------------------------

RESPONSES = [("agrees", _l("Agrees")), ("disagrees", _l("Disagrees"))]
SOMEONE_ELSE = 0  # the member choice "someone not in the list": the name is typed
WORDS_MAX = 2000


def _member_choice(value) -> int | None:
    """A member's id, SOMEONE_ELSE, or None while nobody is chosen (no silent default person)."""
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


class GoalResponseForm(Form):
    row_name = _l("Goal %(n)d")
    goal_id = HiddenField(validators=[Length(max=12)])
    response = RadioField(
        _l("Response to this goal"),
        choices=choices([("", _l("The same as for the whole plan")), *RESPONSES]),
        default="",
        validate_choice=False,
    )
    words = TextAreaField(_l("In their own words"), validators=[TextLimit(WORDS_MAX)], filters=[strip_filter])


class AgreementEntryForm(KeptForm):
    """One entry: someone's response to the version shown, or the reason it is agreed without a parent.

    The route fills the member choices and the goals, and sets `made_on`, the day the version was made."""

    kind = HiddenField(validators=[Length(max=12)])
    token = HiddenField(validators=[Length(max=80)])
    member = SelectField(_l("Who"), coerce=_member_choice, validate_choice=False)
    name = StringField(_l("Name, if not in the list"), validators=[Length(max=100), PlainName()], filters=[name_filter])
    party = RadioField(_l("Their part in the plan"), choices=choices(AgreementParty.choices()), validate_choice=False)
    way = RadioField(_l("How"), choices=choices(AgreementWay.choices()), validate_choice=False)
    agreed_on = DateField(_l("Date"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    response = RadioField(_l("Response to the plan as a whole"), choices=choices(RESPONSES), validate_choice=False)
    words = TextAreaField(
        _l("In their own words, about the plan as a whole"),
        validators=[TextLimit(WORDS_MAX)],
        filters=[strip_filter],
        description=_l("Needed when they disagree with the plan."),
    )
    goals = FieldList(FormField(GoalResponseForm), max_entries=MAX_GOALS)
    reason = RadioField(
        _l("Why is the plan agreed without a parent's agreement?"),
        choices=choices(NoParentReason.choices()),
        validate_choice=False,
    )
    reason_text = TextAreaField(_l("Explain"), validators=[TextLimit(WORDS_MAX)], filters=[strip_filter])
    submit = SubmitField(_l("Record this entry"))

    made_on: date | None = None
    known_members: set[int] = set()  # the family's current members: any other posted id is refused
    member_ages: dict[int, int | None] = {}  # a child member's age (None when unknown); absent: an adult

    @property
    def is_response(self) -> bool:
        return self.kind.data != AgreementKind.NO_PARENT.value

    def validate_agreed_on(self, field):
        if field.data and self.made_on and field.data < self.made_on:
            raise ValidationError(
                _l(
                    "This version was made on %(date)s: the date cannot be before that.",
                    date=dates.show_day(self.made_on),
                )
            )

    def validate(self, extra_validators=None) -> bool:
        # Which fields are needed depends on the kind of entry: checked here, beside the fields' own checks.
        valid = super().validate(extra_validators)

        def need(f, message):
            nonlocal valid
            f.errors = [*f.errors, message]
            valid = False

        if not self.is_response:
            if self.reason.data not in NoParentReason._value2member_map_:
                need(self.reason, _l("Choose why."))
            if not self.reason_text.data:
                need(self.reason_text, _l("Explain the reason in a few words."))
            return valid
        if self.member.data not in {SOMEONE_ELSE, *self.known_members} or (
            self.member.data == SOMEONE_ELSE and not self.name.data
        ):
            need(self.name, _l("Choose who it is, or type their name."))
        if self.party.data not in AgreementParty._value2member_map_:
            need(self.party, _l("Choose their part in the plan."))
        elif self.member.data in self.member_ages:  # a child of the family: a youth, or someone else
            age = self.member_ages[self.member.data]
            if self.party.data in (AgreementParty.PARENT.value, AgreementParty.FOSTER.value):
                need(self.party, _l("This is a child of the family: choose 'Youth of 12 or older' or 'Someone else'."))
            elif self.party.data == AgreementParty.YOUTH.value and age is not None and age < 12:
                need(self.party, _l("This child is younger than 12: choose 'Someone else'."))
        elif self.member.data in self.known_members and self.party.data == AgreementParty.YOUTH.value:
            need(self.party, _l("This is a parent or caregiver, not a child of the family."))
        if self.way.data not in AgreementWay._value2member_map_:
            need(self.way, _l("Choose how they gave their response."))
        if self.response.data not in ("agrees", "disagrees"):
            need(self.response, _l("Choose whether they agree with the plan."))
        # Their own words where they disagree: on the goal marked so, or on the whole plan for the goals that
        # follow its "disagrees".
        follows_disagreement = False
        for entry in self.goals:
            goal = entry.form
            if goal.response.data not in ("", "agrees", "disagrees"):
                need(goal.response, _l("Choose agrees or disagrees."))
            elif goal.response.data == "disagrees" and not goal.words.data:
                need(goal.words, _l("Write down, in their own words, what they disagree with."))
            elif not goal.response.data and self.response.data == "disagrees":
                follows_disagreement = True
        if (follows_disagreement or not self.goals) and self.response.data == "disagrees" and not self.words.data:
            need(self.words, _l("Write down, in their own words, what they disagree with."))
        return valid

    def _goal_agrees(self, goal: GoalResponseForm) -> bool | None:
        response = goal.response.data or self.response.data
        return {"agrees": True, "disagrees": False}.get(response or "")

    def posted_goal_ids(self) -> list[int]:
        return [int(e.form.goal_id.data) for e in self.goals if (e.form.goal_id.data or "").isdigit()]

    def to_input(self, members: dict[int, FamilyMember]) -> ResponseInput | NoParentInput:
        if not self.is_response:
            return NoParentInput(
                reason=NoParentReason(self.reason.data),
                reason_text=self.reason_text.data,
                agreed_on=self.agreed_on.data,
            )
        member = members.get(self.member.data or SOMEONE_ELSE)
        return ResponseInput(
            party=AgreementParty(self.party.data),
            name=member.first_name if member else self.name.data,
            member_id=member.id if member else None,
            way=AgreementWay(self.way.data),
            agreed_on=self.agreed_on.data,
            agrees=self.response.data == "agrees",
            words=self.words.data or "",
            goals=[
                GoalResponseInput(
                    goal_id=int(e.form.goal_id.data), agrees=bool(self._goal_agrees(e.form)), words=e.form.words.data
                )
                for e in self.goals
                if (e.form.goal_id.data or "").isdigit()
            ],
        )
