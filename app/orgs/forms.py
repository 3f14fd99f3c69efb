from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

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
