from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField(
        "Authentication code",
        validators=[DataRequired(message="Enter the code."), Length(max=40)],
    )


class DisableForm(FlaskForm):
    proof = PasswordField(
        "Your password or an authentication code",
        validators=[DataRequired(message="Enter your password or a code."), Length(max=200)],
    )


class PasskeyNameForm(FlaskForm):
    name = StringField("Name of this passkey", validators=[Length(max=100)], default="Passkey")


class RequireTwoFactorForm(FlaskForm):
    required = BooleanField("Require a second factor for every member")
