from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import Form, options, NotBlank, confirm_password_field, lower_strip, new_password_field, strip
from ..models import Role, RoleSought


class AccountForm(Form):
    name = StringField("Full name", validators=[DataRequired(), NotBlank(), Length(max=120)], filters=[strip])
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
    password = new_password_field("Password")
    confirm = confirm_password_field("password")
    submit = SubmitField("Create account")


class UserFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Search name or email", validators=[Optional(), Length(max=120)], filters=[strip])
    role = SelectField("Role", choices=options(Role.choices(), blank="Any role"), default="")


class CandidateAssignmentFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Search name or email", validators=[Optional(), Length(max=120)], filters=[strip])
    recruiter_id = SelectField("Recruiter", coerce=int, default=0, validators=[Optional()])


class AssignForm(Form):
    recruiter_id = SelectField("Recruiter", coerce=int)
    note = StringField("Note (optional)", validators=[Optional(), Length(max=300)], filters=[strip])
    submit = SubmitField("Assign")


class ConfirmForm(Form):
    """A button that changes something: only its CSRF token is checked."""

    submit = SubmitField("Confirm")
