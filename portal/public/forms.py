"""The application form."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from ..models import RoleSought
from ..web.forms import Form, NotBlank, lower_strip, options, strip


class ApplicationForm(Form):
    name = StringField(
        "Your full name", validators=[DataRequired(), NotBlank(), Length(max=120)], filters=[strip]
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lower_strip],
        description="We send a confirmation here, and a recruiter writes to you here.",
    )
    phone = StringField(
        "Phone (optional)", validators=[Optional(), Length(max=40)], filters=[strip]
    )
    role_sought = SelectField("The role you are looking for", choices=options(RoleSought.choices()))
    message = TextAreaField(
        "A note to the recruiter (optional)",
        validators=[Optional(), Length(max=3000)],
        description="Anything the résumé does not say: when you could start, what you are looking for.",
    )
    resume = FileField(
        "Résumé (optional)", description="A PDF or a Word document (.docx), up to 5 MB."
    )
    consent = BooleanField(
        "I have read the privacy notice and agree that the agency keeps what I send to "
        "consider me for this and other legal-support roles.",
        validators=[
            DataRequired(message="Tick the box to agree, or we cannot keep your application.")
        ],
    )
    # Left empty by people (it is hidden from them); filled in by scripts that fill every field.
    website = StringField("Leave this field empty", validators=[Optional()])
    started = HiddenField()
    submit = SubmitField("Send my application")
