from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.core.params import db_int
from app.core.validators import safe_multiline, safe_text
from app.text import clean_text

MESSAGE_HELP = "Shown in the email above the letter's opening lines. Plain text."
_BATCH = Regexp(r"^[0-9a-f]{16,64}$", message="This form is out of date. Reload the page.")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AddInviteesForm(FlaskForm):
    """Step one: what to invite. Either pasted lines or a CSV file (or both)."""

    pasted = TextAreaField(
        "Invitees, one per line",
        validators=[Optional(), safe_multiline],
        filters=[_strip],
        render_kw={"rows": 8, "spellcheck": "false"},
    )
    upload = FileField("Or upload a CSV file")
    # Filled in by the live preview (invitations-live.js), so the final buttons can be used
    # from this page; without it, the page leads to the preview.
    fingerprint = HiddenField(validators=[Optional(), Length(min=64, max=64)])
    message = TextAreaField(
        "A message from you (optional)",
        validators=[Optional(), Length(max=2000), safe_multiline],
        filters=[_strip],
        render_kw={"rows": 5},
    )

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        if not super().validate(extra_validators):
            return False
        if not self.pasted.data and not self.upload.data:
            self.pasted.errors.append("Paste at least one line, or choose a file.")
            return False
        return True


class FromBookForm(FlaskForm):
    """Step one, from the address book: everyone who signed a letter, or a saved group."""

    signed_letter = SelectField("Everyone who signed", coerce=db_int, validate_choice=False)
    group = SelectField("Or a saved group", coerce=db_int, validate_choice=False)


class SendInvitationsForm(FlaskForm):
    """Step two: the preview's rows, sent back as text, and the lead's message."""

    source = HiddenField(validators=[DataRequired()])
    kind = HiddenField(validators=[DataRequired()])
    fingerprint = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    message = TextAreaField(
        "A message from you (optional)",
        validators=[Optional(), Length(max=2000), safe_multiline],
        filters=[_strip],
        render_kw={"rows": 5},
    )

    def validate_kind(self, field) -> None:  # noqa: ANN001
        if field.data not in ("paste", "csv"):
            raise ValidationError("Unknown source.")


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Would you tell us why? (optional)",
        validators=[Optional(), Length(max=2000), safe_multiline],
        filters=[_strip],
        render_kw={"rows": 4},
    )


class RemindForm(FlaskForm):
    batch = HiddenField(validators=[DataRequired(), _BATCH])


class ReminderSettingForm(FlaskForm):
    days = IntegerField(
        "Days before the deadline",
        validators=[Optional(), NumberRange(min=1, max=60)],
        render_kw={"min": 1, "max": 60, "inputmode": "numeric"},
    )


class ContactForm(FlaskForm):
    name = StringField(
        "Contact name", validators=[Optional(), Length(max=200), safe_text], filters=[clean_text]
    )
    email = EmailField(
        "Email", validators=[DataRequired(), Email(), Length(max=254)], filters=[clean_text]
    )
    organization = StringField(
        "Organization name",
        validators=[Optional(), Length(max=300), safe_text],
        filters=[clean_text],
    )


class MergeContactForm(FlaskForm):
    other = EmailField(
        "Address of the contact to merge into this one",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[clean_text],
    )


class PartnerForm(FlaskForm):
    name = StringField(
        "Organization name",
        validators=[DataRequired(), Length(max=300), safe_text],
        filters=[clean_text],
    )
    website = StringField(
        "Website", validators=[Optional(), Length(max=300), safe_text], filters=[clean_text]
    )

    def validate_website(self, field) -> None:  # noqa: ANN001
        # Shown as a link: only web addresses, never "javascript:" or the like.
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Give the full address, starting with https://")


class MergePartnerForm(FlaskForm):
    into = SelectField("Merge this organization into", coerce=db_int, validate_choice=False)


class PickForm(FlaskForm):
    """The address book's picked rows and what to do with them."""

    letter = SelectField("Letter", coerce=db_int, validate_choice=False)
    group_name = StringField(
        "Group name", validators=[Optional(), Length(max=120), safe_text], filters=[clean_text]
    )
