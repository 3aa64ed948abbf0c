"""The recruiter's forms: candidates, employers, jobs, interviews, list filters, the report."""

import re
from datetime import date, timedelta
from decimal import Decimal

from email_validator import EmailNotValidError, validate_email
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # see web.forms
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from ..intake.phones import PhoneRefused, normalise_phone
from ..models import (
    PRACTICE_AREAS,
    CandidateStatus,
    EmployerKind,
    EmployerSize,
    EmploymentType,
    InterviewFormat,
    JobStatus,
    Outcome,
    PayPer,
    PreferredChannel,
    RoleSought,
    Schedule,
    Timeline,
    WorkArrangement,
)
from ..reports import compliance
from ..times import local_today, to_local, utcnow, zone_label
from ..web.forms import (
    EARLIEST_YEAR,
    LEEWAY,
    MAX_DAYS_AHEAD,
    DateInput,
    DateTimeInput,
    FilterForm,
    Form,
    NotBlank,
    id_or_zero,
    lower_strip,
    options,
    search_field,
    strip,
    utc_from_local,
)
from ..web.notes import HINT as NOTE_HINT


class CandidateForm(Form):
    name = StringField(
        "Full name", validators=[DataRequired(), NotBlank(), Length(max=120)], filters=[strip]
    )
    email = EmailField(
        "Email", validators=[DataRequired(), Email(), Length(max=254)], filters=[lower_strip]
    )
    phone = StringField(
        "Phone",
        validators=[Optional(), Length(max=40)],
        filters=[strip],
        description="Kept as +1 416-555-0199, however it is typed.",
    )
    role_sought = SelectField("Role sought", choices=options(RoleSought.choices()))
    status = SelectField("Status", choices=options(CandidateStatus.choices()))
    city = StringField("City", validators=[Optional(), Length(max=80)], filters=[strip])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], description=NOTE_HINT)
    # Shown only when the portal found someone on file who may be this person.
    different_person = BooleanField("This is a different person: add them anyway")
    submit = SubmitField("Save candidate")

    def validate_phone(self, field) -> None:
        try:
            field.data = normalise_phone(field.data or "")
        except PhoneRefused as exc:
            raise ValidationError(f"Not a phone number we can keep: {exc}.") from None


class CandidateFilterForm(FilterForm):
    """The search box and filters above the candidate list (a GET form, no CSRF)."""

    q = search_field("Search name, email or phone")
    status = SelectField(
        "Status", choices=options(CandidateStatus.choices(), blank="Any status"), default=""
    )
    role_sought = SelectField(
        "Role sought", choices=options(RoleSought.choices(), blank="Any role"), default=""
    )


class EmployerForm(Form):
    name = StringField(
        "Name", validators=[DataRequired(), NotBlank(), Length(max=160)], filters=[strip]
    )
    kind = SelectField("Kind", choices=options(EmployerKind.choices()))
    preferred_channel = SelectField(
        "Preferred contact channel",
        choices=options(PreferredChannel.choices()),
        description="How the employer asked candidates to get in touch after an interview.",
    )
    city = StringField("City", validators=[Optional(), Length(max=80)], filters=[strip])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], description=NOTE_HINT)
    submit = SubmitField("Save employer")


class SearchForm(FilterForm):
    q = search_field("Search name or city")


def yes_no(value) -> bool | None:
    """A yes/no select: "yes", "no", or not answered (None)."""
    if isinstance(value, bool) or value is None:
        return value
    return {"yes": True, "no": False}.get(value)


YES_NO = options([("yes", "Yes"), ("no", "No")], blank="Not answered yet")


class Places:
    """A number with at most ``places`` decimals, as its column keeps it (and a real
    number: "NaN" and "Infinity" read as decimals too)."""

    def __init__(self, places: int):
        self.places = places

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        if not value.is_finite():
            raise StopValidation("Enter a number.")
        if -int(value.as_tuple().exponent) > self.places:
            raise StopValidation(
                "Enter a whole number."
                if not self.places
                else f"Use at most {self.places} decimals."
            )


MONEY = [Optional(), Places(2), NumberRange(min=Decimal("0.01"), max=Decimal(10_000_000))]


class JobForm(Form):
    """A job, and what its public posting says (docs/job-postings.md)."""

    employer_id = SelectField(
        "Employer", coerce=id_or_zero, validators=[InputRequired(message="Choose the employer.")]
    )
    title = StringField(
        "Title", validators=[DataRequired(), NotBlank(), Length(max=160)], filters=[strip]
    )
    practice_area = SelectField("Practice area", choices=options([(a, a) for a in PRACTICE_AREAS]))
    location = StringField(
        "Location",
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description="A city, or Ontario for remote work.",
    )
    status = SelectField("Status", choices=options(JobStatus.choices()))
    recruiter_id = SelectField("Recruiter who owns it", coerce=id_or_zero, validate_choice=False)
    public_title = StringField(
        "Public title",
        validators=[Optional(), Length(max=160)],
        filters=[strip],
        description="As the posting shows it; the title above when left empty.",
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20_000)],
        description="The work, the team, what it asks for. " + NOTE_HINT,
    )
    work_arrangement = SelectField("Work arrangement", choices=options(WorkArrangement.choices()))
    employment_type = SelectField("Employment type", choices=options(EmploymentType.choices()))
    schedule = SelectField("Schedule", choices=options(Schedule.choices()))
    hours_per_week = DecimalField(
        "Hours a week", places=1, validators=[Optional(), Places(1), NumberRange(min=1, max=80)]
    )
    pay_low = DecimalField("Pay, or the bottom of the range", places=2, validators=MONEY)
    pay_high = DecimalField(
        "Top of the range",
        places=2,
        validators=MONEY,
        description="Leave empty for a single figure.",
    )
    pay_per = SelectField("Per", choices=options(PayPer.choices()))
    employer_size = SelectField(
        "The employer's staff today",
        choices=options(EmployerSize.choices(), blank="Not known yet"),
        coerce=lambda value: value or None,
        description="Ontario's posting rules apply to employers with 25 or more employees.",
    )
    uses_ai = SelectField(
        "Is artificial intelligence used to screen, assess or select applicants?",
        choices=YES_NO,
        coerce=yes_no,
    )
    existing_vacancy = SelectField(
        "Is the posting for an existing vacancy?", choices=YES_NO, coerce=yes_no
    )
    closes_on = DateInput("Applications close on", validators=[Optional()])
    submit = SubmitField("Save job")
    publish = SubmitField("Save and publish")

    def validate_recruiter_id(self, field) -> None:
        """No one (0, or nothing sent), or a recruiter the list offers."""
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a recruiter from the list.")
        field.data = field.data or 0


class JobFilterForm(FilterForm):
    q = search_field("Search title, place or employer")
    status = SelectField(
        "Status", choices=options(JobStatus.choices(), blank="Any status"), default=""
    )
    practice_area = SelectField(
        "Practice area",
        choices=options([(a, a) for a in PRACTICE_AREAS], blank="Any practice area"),
        default="",
    )


def job_label(title: str, location: str, status: JobStatus) -> str:
    """A job as the picker lists it: "Litigation law clerk · Mississauga (filled)"."""
    label = f"{title} · {location}" if location else title
    return label if status == JobStatus.OPEN else f"{label} ({status.label.lower()})"


class InterviewForm(Form):
    employer_id = SelectField(
        "Employer", coerce=id_or_zero, validators=[InputRequired(message="Choose the employer.")]
    )
    job_id = SelectField(
        "Job",
        coerce=int,
        default=0,
        validators=[Optional()],
        description="The employer's jobs; leave as “No specific job” if none.",
        # portal.js narrows the list to the chosen employer's jobs, and adds a box to type in.
        render_kw={"data-job-picker": "", "data-narrow-by": "employer_id"},
    )
    starts_at = DateTimeInput(
        "Starts at",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message="Enter the date and time the interview starts.")],
        description="Local time. Past interviews are fine: log them afterwards.",
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=60,
        validators=[
            InputRequired(message="Enter the length in minutes."),
            NumberRange(
                min=1,
                max=1440,
                message="An interview lasts between 1 minute and a day (1440 minutes).",
            ),
        ],
    )
    format = RadioField(
        "Format",
        choices=options(InterviewFormat.choices()),
        default=InterviewFormat.IN_PERSON.value,
    )
    interviewer_names = StringField(
        "Interviewer names",
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        description="Separate several names with commas.",
    )
    interviewer_emails = StringField(
        "Interviewer emails (optional)",
        validators=[Optional(), Length(max=500)],
        filters=[strip],
        description="Separate several with commas. The email draft is then addressed to them.",
    )

    def validate_interviewer_emails(self, field) -> None:
        """Each address must be one; they are kept as "a@x.ca, b@y.ca"."""
        addresses = []
        for typed in re.split(r"[,;\s]+", field.data or ""):
            if not typed:
                continue
            try:
                addresses.append(validate_email(typed, check_deliverability=False).normalized)
            except EmailNotValidError as exc:
                raise ValidationError(f"{typed} is not an email address: {exc}") from exc
        field.data = ", ".join(addresses)

    timeline = RadioField(
        "What the employer said about the timeline",
        choices=options(Timeline.choices()),
        default=Timeline.NOT_RECORDED.value,
    )
    decision_date = DateInput(
        "Decision date",
        validators=[Optional()],
        description="The date the employer said they would decide or get back.",
    )
    outcome = SelectField(
        "Outcome", choices=options(Outcome.choices()), default=Outcome.PENDING.value
    )
    outcome_at = DateTimeInput(
        "When the outcome came",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="When the employer answered (or the interview was closed). Leave empty for now.",
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], description=NOTE_HINT)
    submit = SubmitField("Save interview")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = (utcnow() + timedelta(days=MAX_DAYS_AHEAD)).year
        self.starts_at.description = (
            f"{zone_label()} time, from {EARLIEST_YEAR} up to a year ahead ({latest}). "
            "Past interviews are fine: log them afterwards."
        )

    def set_choices(self, employers, jobs) -> None:
        """Employers as (id, name); jobs as rows of (id, title, location, status, employer_id,
        employer name). Jobs are grouped by employer, and each names its employer for the
        script that narrows the list to the chosen employer's jobs."""
        self.employer_id.choices = options([("", "Choose an employer…"), *employers])
        self.job_id.choices = [SelectChoice(0, "No specific job")] + [
            SelectChoice(
                job_id,
                job_label(title, location, status),
                render_kw={"data-employer": str(employer_id)},
                optgroup=employer_name,
            )
            for job_id, title, location, status, employer_id, employer_name in jobs
        ]
        self._job_employer = {job[0]: job[4] for job in jobs}

    def fill_from(self, interview) -> None:
        """Show a stored interview in local time."""
        self.starts_at.data = to_local(interview.starts_at).replace(tzinfo=None, fold=0)
        if interview.outcome_at is not None:
            self.outcome_at.data = to_local(interview.outcome_at).replace(
                tzinfo=None, fold=0, second=0, microsecond=0
            )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.starts_at_utc = None
        if self.employer_id.errors:
            ok = False
        elif self.employer_id.data == 0:
            self.employer_id.errors = ["Choose the employer."]
            ok = False
        elif self.job_id.data and self._job_employer.get(self.job_id.data) != self.employer_id.data:
            self.job_id.errors = [*self.job_id.errors, "That job belongs to another employer."]
            ok = False
        self.starts_at_utc = utc_from_local(self.starts_at)
        if self.starts_at.errors:
            ok = False
        ok = self._check_outcome_at() and ok
        if self.timeline.data == Timeline.DATE_GIVEN:
            if self.decision_date.data is None and not self.decision_date.errors:
                self.decision_date.errors = ["Enter the decision date the employer gave."]
                ok = False
            elif (
                self.decision_date.data is not None
                and self.decision_date.data.year > utcnow().year + 2
            ):
                self.decision_date.errors = [
                    *self.decision_date.errors,
                    "That date is out of range; check the year.",
                ]
                ok = False
            elif (
                self.decision_date.data is not None
                and self.starts_at.data is not None
                and self.decision_date.data < self.starts_at.data.date()
            ):
                self.decision_date.errors = [
                    *self.decision_date.errors,
                    "The decision date cannot be before the interview.",
                ]
                ok = False
        elif self.decision_date.data is not None:
            self.decision_date.errors = [
                *self.decision_date.errors,
                "A decision date only goes with “Decision date given”.",
            ]
            ok = False
        return ok

    def _check_outcome_at(self) -> bool:
        self.outcome_at_utc = utc_from_local(self.outcome_at)
        if self.outcome_at.errors:
            return False
        if self.outcome_at_utc is None:
            return True
        message = None
        if self.outcome.data == Outcome.PENDING:
            message = "A time only goes with an outcome other than pending."
        elif self.outcome_at_utc > utcnow() + LEEWAY:
            message = "That is in the future."
        elif self.starts_at_utc is not None and self.outcome_at_utc < self.starts_at_utc:
            message = "The outcome cannot come before the interview starts."
        if message:
            self.outcome_at.errors = [*self.outcome_at.errors, message]
        return message is None


MAX_RANGE_DAYS = 3 * 366


class ReportForm(FilterForm):
    """The report's filters (a GET form, no CSRF)."""

    group = SelectField("Group by", choices=options(compliance.GROUPS.items()), default="recruiter")
    start = DateInput("From", validators=[Optional()])
    end = DateInput(
        "To",
        validators=[Optional()],
        description="Both days included; by the day each step fell due.",
    )
    recruiter = SelectField("Recruiter", coerce=int, default=0, validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        today = local_today()
        self.end_day = self.end.data or today
        self.start_day = self.start.data or (self.end_day - timedelta(days=365))
        for field in (self.start, self.end):
            if field.data and not date(2000, 1, 1) <= field.data <= today + timedelta(days=366):
                field.errors = [*field.errors, "That date is out of range; check the year."]
        if not self.start.errors and not self.end.errors:
            if self.start_day > self.end_day:
                self.start.errors = [*self.start.errors, "The start is after the end."]
            elif (self.end_day - self.start_day).days > MAX_RANGE_DAYS:
                self.start.errors = [*self.start.errors, "Choose at most three years."]
        # Show the period in force in the form, not blank boxes.
        self.start.data = self.start.data or (None if self.start.errors else self.start_day)
        self.end.data = self.end.data or (None if self.end.errors else self.end_day)
        offered = {value for value, *_ in self.recruiter.iter_choices()}
        if self.recruiter.data and self.recruiter.data not in offered:
            self.recruiter.errors = ["Choose a recruiter from the list."]
        return ok and not any(f.errors for f in self)


def _shown(candidate, key: str) -> str:
    value = getattr(candidate, "recruiter" if key == "recruiter_id" else key)
    if key == "recruiter_id":
        return value.name if value is not None else "Unassigned"
    if hasattr(value, "label"):
        return str(value.label)
    return value or "(empty)"


MERGED_FIELDS = ("name", "email", "phone", "role_sought", "status", "city", "notes", "recruiter_id")


def merge_form(first, second, formdata=None):
    """Which of two records is kept, and whose value each field takes: by default the
    older record's, unless it has none and the newer one does."""

    class MergeForm(Form):
        keep = RadioField(
            "Keep the record of",
            choices=options(
                [
                    ("first", f"{first.name} (#{first.id}, added {first.created_at:%Y-%m-%d})"),
                    ("second", f"{second.name} (#{second.id}, added {second.created_at:%Y-%m-%d})"),
                ]
            ),
            default="first",
        )
        submit = SubmitField("Merge")

    for key in MERGED_FIELDS:
        default = "second" if not _has(first, key) and _has(second, key) else "first"
        pairs = [("first", _shown(first, key)), ("second", _shown(second, key))]
        if key == "notes" and first.notes and second.notes:
            pairs.append(("both", "Both, one after the other"))
        setattr(MergeForm, key, RadioField(key, choices=options(pairs), default=default))
    return MergeForm(formdata=formdata)


def _has(candidate, key: str) -> bool:
    return bool(getattr(candidate, key))
