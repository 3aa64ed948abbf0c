from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..accounts.passwords import MAX_PASSWORD_LENGTH
from ..web.forms import Form, confirm_password_field, lower_strip, new_password_field


class SignInForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[lower_strip])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ForSomeone(Form):
    """A form about one person's password: ``user`` lets the checks avoid their own name."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class ConfirmPasswordForm(Form):
    password = PasswordField(
        "Your password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    submit = SubmitField("Continue")


class ChangePasswordForm(ForSomeone):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    new_password = new_password_field()
    confirm = confirm_password_field("new_password")
    submit = SubmitField("Change password")


class SignOutForm(Form):
    submit = SubmitField("Sign out")


class SetPasswordForm(ForSomeone):
    """Choosing a password through an emailed link: the link, not a field, says whose."""

    new_password = new_password_field("Choose a password")
    confirm = confirm_password_field("new_password")
    submit = SubmitField("Save password and sign in")


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[lower_strip])
    submit = SubmitField("Email me a link")


class NotificationsForm(Form):
    """Which reminder emails a person gets; the page shows the ones for their role."""

    digest_emails = BooleanField(
        "A digest of my follow-up queue: each business morning, and when new steps come due"
    )
    thank_you_nudges = BooleanField(
        "A reminder to send my thank-you note, a few hours after each interview"
    )
    follow_up_nudges = BooleanField("A reminder when the window for a follow-up opens")
    submit = SubmitField("Save")
