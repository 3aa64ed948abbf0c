"""Form pieces shared by several blueprints."""

from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


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
