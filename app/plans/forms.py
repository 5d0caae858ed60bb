from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
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
from app.models import SCORE_MAX, SCORE_MIN, ClosureType, CoreSkill, GoalStatus, HelpFocus, Party, Plan, PlanStatus
from app.services.plans import AgreementInput, GoalInput, PlanInput
from app.web.forms import CheckboxesField, NotInFuture, choices, strip_filter, version_field

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
    party = SelectField(_l("Who"), choices=choices(Party.choices()), default=Party.PARENT.value)
    who = StringField(_l("Name"), validators=[Length(max=100)], filters=[strip_filter])
    what = StringField(_l("Does what"), validators=[Length(max=500)], filters=[strip_filter])


def _known_length_key(value):
    # Longer than any real key, so unknown: the route treats it as a new goal, like any unknown key.
    return value if isinstance(value, str) and len(value) <= GOAL_KEY_LENGTH else ""


class GoalForm(Form):
    key = HiddenField(validators=[Length(max=GOAL_KEY_LENGTH)], filters=[_known_length_key])
    focus = SelectField(_l("Help focus"), choices=choices(HelpFocus.choices()), default=HelpFocus.PARENT.value)
    title = StringField(
        _l("Goal, in the parents' own words"),
        validators=[Length(max=300)],
        filters=[strip_filter],
        description=_l("For example: 'Bedtime is calm and Emma falls asleep without crying.'"),
    )
    looks_like = TextAreaField(
        _l("What it looks like when it goes well"), validators=[Length(max=1000)], filters=[strip_filter]
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


class PlanForm(FlaskForm):
    status = RadioField(
        _l("Status"),
        choices=choices(PlanStatus.choices()),
        default=PlanStatus.DRAFT.value,
        description=_l("Once a plan is agreed, a change makes a new version; the agreed one stays as it was."),
    )
    discussed_on = DateField(_l("Discussed with the parents on"), validators=[Optional(), NotInFuture()])
    review_on = DateField(_l("Review date"), validators=[Optional()])
    goals = FieldList(FormField(GoalForm), min_entries=2, max_entries=MAX_GOALS)
    version = version_field()
    add_goal = SubmitField(_l("Add another goal"))
    submit = SubmitField(_l("Save plan"))

    def filled_goals(self) -> list[GoalForm]:
        return [entry.form for entry in self.goals if not entry.form.is_empty()]

    def validate_status(self, field):
        if field.data == PlanStatus.AGREED.value and not self.discussed_on.data:
            raise ValidationError(_l("An agreed plan needs the date it was discussed with the parents."))

    def validate_goals(self, field):
        if self.status.data == PlanStatus.AGREED.value and not self.filled_goals():
            raise ValidationError(_l("An agreed plan needs at least one goal."))

    def to_input(self) -> PlanInput:
        """The plan as typed; which goal keys are this family's is the service's to decide."""
        return PlanInput(
            status=PlanStatus(self.status.data),
            discussed_on=self.discussed_on.data,
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
        self.status.data = plan.status.value
        self.discussed_on.data = plan.discussed_on
        self.review_on.data = plan.review_on
        self.version.data = str(plan.version)
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
    goal_key = HiddenField(validators=[Length(max=GOAL_KEY_LENGTH)])
    worker_score = score_field(_l("Your score"))
    parent_score = score_field(_l("The parent's own score"))


class FinalScoreForm(Form):
    goal_key = HiddenField(validators=[Length(max=GOAL_KEY_LENGTH)])
    worker_score = score_field(_l("Final score"), required=True)
    parent_score = score_field(_l("The parent's own final score"))


class CloseForm(FlaskForm):
    closure_type = RadioField(
        _l("How did the help end?"),
        choices=choices(ClosureType.choices()),
        validators=[InputRequired(message=_l("Choose how the help ended."))],
    )
    end_date = DateField(_l("End of the help"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    scores = FieldList(FormField(FinalScoreForm), max_entries=20)
    submit = SubmitField(_l("Close the help"))

    def validate_end_date(self, field):
        start = getattr(self, "_start_date", None)
        if field.data and start and field.data < start:
            raise ValidationError(_l("The end date cannot be before the start date."))


class PrintForm(Form):
    """Options for the printed plan; sent by GET, so it bookmarks and reloads."""

    lang = SelectField(_l("Language of the print"), choices=choices([("nl", "Nederlands"), ("en", "English")]))
    moment = CheckboxesField(_l("Moments to show"), coerce=int)
    # "What is still hard" is printed only with a difficult moment chosen, or with room asked for here.
    write_space = BooleanField(
        _l("Leave space to write what is still hard"),
        description=_l("Without it, this part is printed only when you choose a difficult moment."),
    )
