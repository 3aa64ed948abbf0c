"""The forms that act on one step: used by the recruiter's pages and the candidate's own."""

from wtforms import (
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..followup import StepKind
from ..models import Channel, Timeline
from ..steps.checklist import SENT_STEPS
from ..times import to_local, utcnow, zone_label
from .forms import LEEWAY, DateInput, DateTimeInput, Form, NotBlank, options, strip, utc_from_local

STEP_ANSWERS = [t for t in Timeline.choices() if t[0] != Timeline.NOT_RECORDED.value]
CHANNELS = {c.value for c in Channel}


class StepDoneForm(Form):
    """Mark a step done. Which fields matter depends on the step: see ``validate``."""

    done_at = DateTimeInput(
        "When",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message="Enter when it was done.")],
    )
    channel = RadioField("Channel", choices=options(Channel.choices()), validate_choice=False)
    timeline = RadioField(
        "What the employer said", choices=options(STEP_ANSWERS), validate_choice=False
    )
    decision_date = DateInput(
        "Decision date",
        validators=[Optional()],
        description="The date the employer said they would decide or get back.",
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Mark done")

    @classmethod
    def blank(cls, step, now, **kwargs) -> "StepDoneForm":
        """The form as first shown: done now, by the channel the employer asked for."""
        form = cls(step=step, formdata=None, **kwargs)
        form.done_at.data = to_local(now).replace(tzinfo=None, second=0, microsecond=0)
        if step.kind in SENT_STEPS and step.required_channel:
            form.channel.data = step.required_channel.value
        return form

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.done_at.description = f"{zone_label()} time."
        if step is not None and step.kind == StepKind.MOVE_ON:
            self.note.label.text = "Next opportunities"
            self.note.description = "The interviews and employers to line up next."
            self.submit.label.text = "Close as no response"

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        kind, interview = self.step.kind, self.step.interview
        self.done_at_utc = utc_from_local(self.done_at)
        if self.done_at_utc is not None:
            if self.done_at_utc > utcnow() + LEEWAY:
                self.done_at.errors = [
                    *self.done_at.errors,
                    "That is in the future: record it once it is done.",
                ]
            elif self.done_at_utc < interview.starts_at:
                self.done_at.errors = [
                    *self.done_at.errors,
                    "That is before the interview started.",
                ]
        if kind in SENT_STEPS and self.channel.data not in CHANNELS:
            self.channel.errors = ["Choose how it was sent."]
        if kind == StepKind.TIMELINE:
            self._check_answer(interview)
        if kind == StepKind.MOVE_ON and not (self.note.data or "").strip():
            self.note.errors = [*self.note.errors, "Note the next opportunities before closing."]
        return ok and not any(f.errors for f in self)

    def _check_answer(self, interview) -> None:
        if self.timeline.data not in (Timeline.DATE_GIVEN, Timeline.NO_DATE_GIVEN):
            self.timeline.errors = ["Choose what the employer said."]
        elif self.timeline.data == Timeline.DATE_GIVEN:
            day = self.decision_date.data
            if day is None:
                self.decision_date.errors = [
                    *self.decision_date.errors,
                    "Enter the decision date the employer gave.",
                ]
            elif day < to_local(interview.starts_at).date():
                self.decision_date.errors = ["The decision date cannot be before the interview."]
            elif day.year > utcnow().year + 2:
                self.decision_date.errors = ["That date is out of range; check the year."]


class WaiveForm(Form):
    reason = StringField(
        "Reason",
        validators=[
            DataRequired(message="Give the reason for waiving."),
            NotBlank(),
            Length(max=300),
        ],
        filters=[strip],
        description="Waived steps leave the compliance figures, so say why.",
    )
    submit = SubmitField("Waive step")


class UndoForm(Form):
    submit = SubmitField("Undo")
