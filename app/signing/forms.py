"""Sign-on and manage forms. Labels are part of the public interface (people read them and
browser tests find fields by them): change them only with a reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from app.core.validators import safe_multiline, safe_text
from app.signing import rules
from app.text import clean_text

AUTHORIZED = "I am authorized to sign on behalf of this organization"
NOT_LISTED_ORG = "Do not list our organization publicly"
NOT_LISTED_PERSON = "Do not list my name publicly"


def _version_number(value: str | None) -> int | None:
    """The text version a page showed, from its hidden field; None when it is not one."""
    value = value or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def plain_name(form, field) -> None:  # noqa: ANN001
    if problem := rules.name_problem(field.data):
        raise ValidationError(problem)


def website(form, field) -> None:  # noqa: ANN001
    if problem := rules.website_problem(field.data):
        raise ValidationError(problem)


def _text(label: str, limit: int, *, required: bool = False, name: bool = True) -> StringField:
    checks = [DataRequired() if required else Optional(), Length(max=limit), safe_text]
    if name:
        checks.append(plain_name)
    return StringField(label, validators=checks, filters=[clean_text])


def _email() -> EmailField:
    return EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=rules.LIMITS["email"])],
        filters=[clean_text],
    )


class _SignOnForm(FlaskForm):
    # A field people never see: a bot filling every input fills it too.
    fax_number = StringField("Leave this field empty", filters=[clean_text])
    # The version of the text the page showed, so consent is to that exact version.
    version = HiddenField()
    note_to_lead = TextAreaField(
        "Note to the lead organization (optional, not public)",
        validators=[Optional(), Length(max=rules.LIMITS["note_to_lead"]), safe_multiline],
        filters=[clean_text],
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.fax_number.data)

    @property
    def seen_version(self) -> int | None:
        return _version_number(self.version.data)


class OrganizationSignForm(_SignOnForm):
    organization_name = _text("Organization name", 300, required=True)
    acronym = _text("Acronym", 40)
    website = StringField(
        "Website",
        validators=[Optional(), Length(max=300), safe_text, website],
        filters=[clean_text],
    )
    country = _text("Country", 100)
    signer_name = _text("Your name", 200, required=True)
    signer_title = _text("Your title", 200)
    email = _email()
    authorized = BooleanField(
        AUTHORIZED,
        validators=[InputRequired("Please confirm that you may sign for this organization.")],
    )
    not_listed = BooleanField(NOT_LISTED_ORG)


class IndividualSignForm(_SignOnForm):
    signer_name = _text("Your name", 200, required=True)
    affiliation = _text("Affiliation (for identification only)", 300)
    country = _text("Country", 100)
    email = _email()
    authorized = BooleanField(
        "I sign this letter in my own name",
        validators=[InputRequired("Please confirm that you sign in your own name.")],
    )
    not_listed = BooleanField(NOT_LISTED_PERSON)


class ManageForm(FlaskForm):
    """What a signer may correct: how they are listed."""

    organization_name = _text("Organization name", 300)
    acronym = _text("Acronym", 40)
    signer_name = _text("Your name", 200, required=True)
    signer_title = _text("Your title", 200)
    affiliation = _text("Affiliation (for identification only)", 300)
    country = _text("Country", 100)
    not_listed = BooleanField(NOT_LISTED_ORG)


class ResendForm(FlaskForm):
    email = _email()


class ButtonForm(FlaskForm):
    """Only a button (and its CSRF token); `version` carries the text version shown."""

    version = HiddenField()

    @property
    def seen_version(self) -> int | None:
        return _version_number(self.version.data)


class LeadListingForm(FlaskForm):
    organization_name = _text("Organization name", 300)
    acronym = _text("Acronym", 40)
    signer_name = _text("Signer's name", 200, required=True)
    not_listed = BooleanField("Do not list publicly")


class EraseContactsForm(FlaskForm):
    confirm = BooleanField(
        "I understand that the signers' contact data will be erased for good",
        validators=[DataRequired("Tick the box to confirm the erasure.")],
    )
