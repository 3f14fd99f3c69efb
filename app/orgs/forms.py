from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from app.core.validators import safe_multiline
from app.models import Role


class InviteColleagueForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=[
            (Role.member.value, "Member: drafts and runs letters"),
            (Role.admin.value, "Admin: also manages colleagues"),
        ],
        default=Role.member.value,
    )


class RetentionForm(FlaskForm):
    days = IntegerField(
        "Days to keep signers' contact data after a letter is final",
        validators=[
            InputRequired("Give a number of days."),
            NumberRange(1, 3650, "Give a number of days from 1 to 3650."),
        ],
    )


class LetterheadForm(FlaskForm):
    logo = FileField("Logo (PNG or SVG)")
    lines = TextAreaField("Address and contact lines", validators=[Length(max=800), safe_multiline])
    remove_logo = BooleanField("Remove the logo")
