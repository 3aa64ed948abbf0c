"""Form pieces shared by the blueprints: the base form, date and password fields, and
how a view answers a form it refused."""

from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from wtforms import (
    DateField,
    DateTimeLocalField,
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
)

# WTForms 3.2's option with an optgroup; its type stubs do not list it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from ..accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem
from ..extensions import db
from ..times import NonexistentLocalTime, local_to_utc, utcnow

T = TypeVar("T")

CONTROL_CHARACTERS = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}
# What ends or breaks a line: only a multi-line field (a note) may hold them.
LINE_BREAKS = {"\n", "\r", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}


class Form(FlaskForm):
    """Every portal form: text containing control characters (NUL and the like) is refused,
    and a single-line field (a name, a title, an email) must be one line: a line break in
    an employer's name would become an extra line in other people's emails."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if not isinstance(field.data, str):
                continue
            if not CONTROL_CHARACTERS.isdisjoint(field.data):
                field.errors = [*field.errors, "Contains a character that is not allowed."]
                ok = False
            elif not isinstance(field, TextAreaField) and not LINE_BREAKS.isdisjoint(field.data):
                field.errors = [*field.errors, "Keep this on one line."]
                ok = False
        return ok

    def hidden_tag(self, *fields) -> Markup:
        """The form's hidden fields (its CSRF token), without ids: a page often holds
        several forms, and an id may be used once in a page."""
        chosen = [getattr(self, f) if isinstance(f, str) else f for f in fields] or list(self)
        return Markup("\n").join(f(id=False) for f in chosen if isinstance(f.widget, HiddenInput))


def options(pairs, blank: str | None = None, optgroup: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, optionally led by a blank "any" option."""
    out = [SelectChoice("", blank)] if blank is not None else []
    out += [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]
    return out


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


class NotEasyToGuess:
    """Refuse a password that is common, close to common, or made of the person's own
    name or email (from the form's ``user`` and its ``name`` and ``email`` fields)."""

    def __call__(self, form, field):
        user = getattr(form, "user", None)
        personal = [getattr(user, "email", ""), getattr(user, "name", "")]
        personal += [form[name].data or "" for name in ("email", "name") if name in form]
        problem = password_problem(field.data or "", personal)
        if problem:
            raise ValidationError(problem)


def new_password_field(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
            NotEasyToGuess(),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
    )


def confirm_password_field(other: str) -> PasswordField:
    return PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo(other, message="The two passwords differ.")],
    )


class NotBlank:
    """Refuse a value made only of spaces (DataRequired allows it after filters run)."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and not field.data.strip():
            raise ValidationError("This field is required.")


class FilterForm(Form):
    """The filters above a list: a GET form, so no CSRF token."""

    class Meta:
        csrf = False


class ConfirmForm(Form):
    """A button that changes something: only its CSRF token is checked."""

    submit = SubmitField("Confirm")


LEEWAY = timedelta(minutes=5)  # a clock a little ahead of ours is not "in the future"
MAX_DAYS_AHEAD = 365
EARLIEST_YEAR = 2000


def utc_from_local(field) -> datetime | None:
    """The UTC instant of a local date-time field, or None with the reason on the field."""
    if field.data is None:
        return None
    if field.data.tzinfo is not None:  # not typed in: the stored value the form started from
        return field.data.astimezone(UTC)
    if not EARLIEST_YEAR <= field.data.year <= utcnow().year + 1:
        field.errors = [*field.errors, "That date is out of range; check the year."]
        return None
    try:
        moment = local_to_utc(field.data)
    except NonexistentLocalTime as exc:
        field.errors = [*field.errors, str(exc) + "."]
        return None
    if moment > utcnow() + timedelta(days=MAX_DAYS_AHEAD):
        field.errors = [*field.errors, "That is more than a year ahead; check the year."]
        return None
    return moment


class _ShowsBackWhatItRead:
    """A date field that shows back only a value it could read: one it could not would make
    the page's <input type=date> invalid HTML; the field's error says what was wrong."""

    data: Any  # a date or a datetime
    format: list[str]

    def _value(self) -> str:
        return self.data.strftime(self.format[0]) if self.data else ""


class DateInput(_ShowsBackWhatItRead, DateField):
    """A date."""


class DateTimeInput(_ShowsBackWhatItRead, DateTimeLocalField):
    """A local date and time."""


def id_or_zero(value) -> int:
    """Coerce a select's value to an id; its empty placeholder option reads as 0 (none)."""
    return int(value) if value not in (None, "") else 0


def search_field(label: str) -> StringField:
    """A list's search box: "/" jumps to it from anywhere on the page (portal.js), as the hint says."""
    return StringField(
        label,
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        render_kw={"data-shortcut-search": ""},
        description="Press / to jump here.",
    )


def required(value: T | None) -> T:
    """A value that a validated form holds (it would not have validated without it)."""
    if value is None:
        raise ValueError("a validated form is missing a value it requires")
    return value


def form_status() -> int:
    """200 for a fresh form, 422 when a submitted one was refused."""
    return 422 if request.method == "POST" else 200


def flush_or_field_error(field, message: str) -> bool:
    """Flush; on a uniqueness clash roll back and put the message on the field.

    The view commits when this returns True (the view owns the transaction).
    """
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        field.errors = [*field.errors, message]
        return False
    return True
