"""The admin's forms: accounts, assignments, the policy, erasure, imports, list filters."""

from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..extensions import db
from ..followup import LIMITS, Policy
from ..models import EmailStatus, Role, RoleSought, User
from ..times import utcnow
from ..web.forms import (
    EARLIEST_YEAR,
    DateInput,
    FilterForm,
    Form,
    NotBlank,
    lower_strip,
    options,
    search_field,
    strip,
)


class AccountForm(Form):
    name = StringField(
        "Full name", validators=[DataRequired(), NotBlank(), Length(max=120)], filters=[strip]
    )
    email = EmailField(
        "Email", validators=[DataRequired(), Email(), Length(max=254)], filters=[lower_strip]
    )
    role = SelectField("Role", choices=options(Role.choices()), default=Role.RECRUITER.value)
    role_sought = SelectField(
        "Role sought (candidates only)",
        choices=options(RoleSought.choices()),
        description="Used when the account is a candidate's.",
    )
    recruiter_id = SelectField(
        "Assign to recruiter (candidates only)", coerce=int, default=0, validators=[Optional()]
    )
    submit = SubmitField("Create and invite")


STAFF_ROLES = (Role.RECRUITER, Role.ADMIN)


class EditAccountForm(Form):
    """A person's name, address and role. The role is recruiter or admin for staff; a
    candidate's account stays a candidate's (its role is not offered)."""

    name = StringField(
        "Full name", validators=[DataRequired(), NotBlank(), Length(max=120)], filters=[strip]
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lower_strip],
        description="A new address is confirmed from that address before it is used.",
    )
    role = SelectField("Role", choices=options((r.value, r.label) for r in STAFF_ROLES))
    submit = SubmitField("Save changes")


class UserFilterForm(FilterForm):
    q = search_field("Search name or email")
    role = SelectField("Role", choices=options(Role.choices(), blank="Any role"), default="")


class CandidateAssignmentFilterForm(FilterForm):
    q = search_field("Search name, email or phone")
    recruiter_id = SelectField("Recruiter", coerce=int, default=0, validators=[Optional()])


class AssignForm(Form):
    recruiter_id = SelectField("Recruiter", coerce=int)
    note = StringField("Note (optional)", validators=[Optional(), Length(max=300)], filters=[strip])
    submit = SubmitField("Assign")


def _policy_number(name: str) -> IntegerField:
    limit = LIMITS[name]
    return IntegerField(
        limit.label,
        validators=[
            InputRequired(message="Enter a whole number."),
            NumberRange(
                min=limit.low,
                max=limit.high,
                message=f"Enter a number from {limit.low} to {limit.high} ({limit.unit}).",
            ),
        ],
    )


class PolicyForm(Form):
    """The numbers of the follow-up policy; the rules engine has the last word on sense."""

    timeline_business_days = _policy_number("timeline_business_days")
    thank_you_hours = _policy_number("thank_you_hours")
    follow_up_opens_business_days = _policy_number("follow_up_opens_business_days")
    follow_up_due_business_days = _policy_number("follow_up_due_business_days")
    assumed_decision_business_days = _policy_number("assumed_decision_business_days")
    move_on_business_days = _policy_number("move_on_business_days")
    due_soon_hours = _policy_number("due_soon_hours")
    day_ends_at = TimeField(
        "The business day ends at",
        validators=[InputRequired(message="Enter a time such as 17:00.")],
        description="Steps due on a business day are due by this time.",
    )
    submit = SubmitField("Save policy")

    def policy(self) -> Policy:
        return Policy(**{name: getattr(self, name).data for name in (*LIMITS, "day_ends_at")})

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            for field in self:  # WTForms' own words for unreadable input, made plainer
                if field.process_errors and isinstance(field, IntegerField):
                    field.errors = ["Enter a whole number."]
                elif field.process_errors and isinstance(field, TimeField):
                    field.errors = ["Enter a time such as 17:00."]
            return False
        for name, problem in self.policy().problems().items():
            field = getattr(self, name)
            field.errors = [*field.errors, problem]
        return not any(f.errors for f in self)


class OutboxFilterForm(FilterForm):
    status = SelectField(
        "Status",
        choices=options(EmailStatus.choices(), blank="Not sent yet or failed"),
        default="",
    )


class AuditFilterForm(FilterForm):
    action = SelectField("What", default="")
    who = StringField(
        "Who (name or email)", validators=[Optional(), Length(max=120)], filters=[strip]
    )
    start = DateInput("From", validators=[Optional()])
    end = DateInput("To", validators=[Optional()])

    def validate_start(self, field):
        _sensible_year(field)

    def validate_end(self, field):
        _sensible_year(field)


def _sensible_year(field) -> None:
    if field.data is not None and not EARLIEST_YEAR <= field.data.year <= utcnow().year + 1:
        raise ValidationError("That date is out of range; check the year.")


class EraseForm(Form):
    confirm = StringField(
        "Type ERASE to confirm",
        validators=[DataRequired(message="Type ERASE to confirm.")],
        filters=[strip],
        # The browser knows the rule too, so the "are you sure?" question comes only once the
        # word is right (portal.js); the server checks it again either way.
        render_kw={"pattern": "\\s*ERASE\\s*", "autocomplete": "off"},
    )
    submit = SubmitField("Erase this candidate")

    def validate_confirm(self, field):
        if field.data != "ERASE":
            raise ValidationError("Type ERASE, in capitals, to confirm.")


def recruiter_choices(*leading: tuple[int, str], active_only: bool = True) -> list:
    query = select(User.id, User.name).where(User.role == Role.RECRUITER).order_by(User.name)
    if active_only:
        query = query.where(User.active.is_(True))
    return options([*leading, *db.session.execute(query).tuples()])


def _several(label: str, none_chosen: str, not_offered: str) -> SelectMultipleField:
    """Ids chosen from a list (checkboxes), with our words for none chosen and for an id the
    list does not offer (WTForms 3.2's messages; its type stubs do not list them yet)."""
    return SelectMultipleField(  # type: ignore[call-arg]
        label,
        coerce=int,
        validators=[DataRequired(message=none_chosen)],
        invalid_choice_message=not_offered,
        invalid_value_message="Choose from the list.",
    )


class HandoverForm(Form):
    """Which of a recruiter's candidates go, and to whom (shared out evenly); read from the
    query string, so the preview is a page one can reload."""

    class Meta:
        csrf = False  # a GET that changes nothing; the confirmation is a POST with a token

    candidates = _several(
        "Candidates to hand over",
        "Choose at least one candidate.",
        "Some of these candidates are no longer theirs: choose again.",
    )
    to = _several(
        "Hand them over to",
        "Choose at least one recruiter to take them on.",
        "Choose active recruiters from the list.",
    )
    note = StringField(
        "Note for the history (optional)",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )


class BulkAssignForm(Form):
    """Unassigned candidates given one recruiter."""

    candidates = _several(
        "Candidates",
        "Choose at least one candidate.",
        "Some of these candidates are no longer unassigned: look at the list again.",
    )
    recruiter_id = SelectField("Assign them to", coerce=int)
    submit = SubmitField("Assign")


class ImportUploadForm(Form):
    """A spreadsheet to import, and what its rows are."""

    kind = SelectField(
        "What the file lists",
        choices=options(
            [("candidates", "Candidates"), ("employers", "Employers"), ("jobs", "Jobs")]
        ),
    )
    file = FileField(
        "CSV file",
        validators=[FileRequired(message="Choose the file to import.")],
        description="Saved from Excel or Google Sheets as CSV (UTF-8 or Windows-1252, "
        "comma- or semicolon-separated), with the column names in its first row; up to 10 MB.",
    )
    submit = SubmitField("Upload and preview")


def import_columns_form(headers: tuple[str, ...], fields, mapping: list[str], formdata=None):
    """A form with one choice per column of the file: the field it gives, or none."""

    class ImportColumnsForm(Form):
        default_role = SelectField(
            "Role sought, for rows that do not say",
            choices=options(RoleSought.choices(), blank="None: refuse such rows"),
            validate_choice=True,
        )
        submit = SubmitField("Use these columns")

    choices = options([(f.key, f.label) for f in fields], blank="Not imported")
    for index, header in enumerate(headers):
        setattr(
            ImportColumnsForm,
            f"column_{index}",
            SelectField(header or f"Column {index + 1}", choices=choices, default=mapping[index]),
        )
    return ImportColumnsForm(formdata=formdata)
