from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.auth import passwords
from app.core.validators import safe_text
from app.text import clean_text


def acceptable_password(form: FlaskForm, field: PasswordField) -> None:
    """The rules of `app.auth.passwords` beside the length (which `Length` checks)."""
    value = field.data or ""
    if len(value) < passwords.MIN_LENGTH:
        return
    refusal = passwords.problem(value)
    if refusal is not None:
        raise ValidationError(refusal)


PASSWORD_RULES = [
    DataRequired(),
    Length(min=passwords.MIN_LENGTH, max=200, message=passwords.TOO_SHORT),
    acceptable_password,
]


class RegisterForm(FlaskForm):
    name = StringField(
        "Your name", validators=[DataRequired(), Length(max=200), safe_text], filters=[clean_text]
    )
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=PASSWORD_RULES)
    organization = StringField(
        "Organization name",
        validators=[DataRequired(), Length(max=300), safe_text],
        filters=[clean_text],
    )
    # Filled by the browser (static/js/time-zone.js); checked by the operation.
    time_zone = HiddenField()
    next = HiddenField()


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("New password", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
    )
