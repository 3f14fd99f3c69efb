"""Forms of the drafting pages. Labels are what people read and browser tests find."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import EmailField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.core.params import db_int
from app.core.validators import safe_multiline, safe_text
from app.letters.intro import intro_problem
from app.letters.slugs import RESERVED, SLUG_RE
from app.letters.text import bad_addresses
from app.models import CollaboratorRole, DateMode, SignatoryOrder

MAX_RECIPIENTS = 30


def options(pairs: list[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for select and radio fields (WTForms is retiring plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


class AddressFields(Form):
    """One address block; also the recipient book's entry form."""

    honorific = StringField("Honorific", [Length(max=80), safe_text])
    name = StringField("Name", [Length(max=200), safe_text])
    title = StringField("Title", [Length(max=200), safe_text])
    department = StringField("Department or body", [Length(max=200), safe_text])
    street = TextAreaField("Street address", [Length(max=500), safe_multiline])
    locality = StringField("City, state and postcode", [Length(max=200), safe_text])
    country = StringField("Country", [Length(max=100), safe_text])
    delivery_to = StringField("Delivery email (to)", [Length(max=1000), safe_text])
    delivery_cc = StringField("Delivery email (cc)", [Length(max=1000), safe_text])

    def validate_delivery_to(self, field: StringField) -> None:
        valid_addresses(field)

    def validate_delivery_cc(self, field: StringField) -> None:
        valid_addresses(field)


def valid_addresses(field: Field) -> None:
    """Comma-separated email addresses (a delivery's to or cc), or nothing."""
    bad = bad_addresses(field.data)
    if bad:
        raise ValidationError(
            f"Not an email address: {', '.join(bad[:3])}. Separate addresses with commas."
        )


class AddressList(FieldList):
    """The recipients' address blocks, numbered `recipients-0-…`, `recipients-1-…`.

    WTForms takes any key whose number passes `str.isdigit()`, so a posted
    `recipients-²-name` made `int("²")` fail; only ASCII numbers count here.
    """

    def _extract_indices(self, prefix, formdata):  # noqa: ANN001, ANN202 - WTForms' hook
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit():
                    yield int(index)


def _version_number(form, field: Field) -> None:  # noqa: ANN001
    try:
        db_int(field.data or "")
    except ValueError:
        raise ValidationError("The form lost track of its version. Reload the page.") from None


class NewLetterForm(FlaskForm):
    title = StringField("Title", [DataRequired(), Length(max=200), safe_text])
    organization = SelectField("Lead organization", coerce=int)
    copy_from = SelectField("Start from", coerce=int, default=0)


class TextForm(FlaskForm):
    base_version = HiddenField(validators=[_version_number])
    recipients = AddressList(FormField(AddressFields), max_entries=MAX_RECIPIENTS)
    book_entry = SelectField("Add from the recipient book", coerce=db_int, validate_choice=False)
    salutation = StringField("Salutation", [Length(max=300), safe_text])
    body = TextAreaField("Body", [Length(max=100_000), safe_multiline])
    closing = StringField("Closing", [Length(max=200), safe_text])
    change_note = StringField("What changed", [Length(max=300), safe_text])
    # Asked only when the letter has sign-ons, with no default: see app.workflow.save_text.
    material = RadioField(
        "Ask them to confirm the new one?",
        choices=options(
            [
                ("yes", "Yes: the change is material; email them the changes to confirm"),
                ("no", "No: a correction that does not change what they agreed to"),
            ]
        ),
        validate_choice=False,
    )

    @property
    def material_answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.material.data or "")

    def validate_recipients(self, field: FieldList) -> None:
        for entry in field.entries:
            data = {k: str(v or "").strip() for k, v in entry.form.data.items()}
            if any(data.values()) and not (data["name"] or data["title"]):
                entry.form.name.errors = [
                    *entry.form.name.errors,
                    "Give this recipient a name or a title, or remove the block.",
                ]
                raise ValidationError("A recipient needs a name or a title.")


class BookEntryForm(FlaskForm, AddressFields):
    def validate_title(self, field: StringField) -> None:
        if not (field.data or "").strip() and not (self.name.data or "").strip():
            raise ValidationError("Give the entry a title (the office) or a name.")


class SettingsForm(FlaskForm):
    title = StringField("Title", [DataRequired(), Length(max=200), safe_text])
    slug = StringField("Address", [DataRequired(), Length(max=80)])
    date_mode = RadioField(
        "Date line",
        choices=options(
            [
                (DateMode.on_finalize.value, "The day the letter is finalized"),
                (DateMode.fixed.value, "A fixed date"),
            ]
        ),
    )
    letter_date = DateField("Date", [Optional()])
    locale = SelectField("Language for dates")
    time_zone = SelectField("Time zone")
    show_co_leads = BooleanField("Show co-lead organizations in the letterhead")
    lead_signs = BooleanField("Our organization signs this letter")
    numbered = BooleanField("Number the signatories (1. … N.)")
    signatory_order = RadioField(
        "Order of signatories",
        choices=options(
            [
                (SignatoryOrder.alphabetical.value, "Alphabetical"),
                (SignatoryOrder.time.value, "By time of signing"),
                (SignatoryOrder.manual.value, "Manual"),
            ]
        ),
    )
    lead_first = BooleanField("List the lead organization first")
    individuals_allowed = BooleanField("Individuals may sign")
    moderation = BooleanField("Approve each sign-on before it is listed")
    open_link = BooleanField("Anyone with the open sign link may sign")
    show_signatories = BooleanField("Show who has signed on the sign pages (named ones only)")
    deadline = DateTimeLocalField("Sign-on deadline", [Optional()])
    intro_template = StringField("Publication intro", [DataRequired(), Length(max=300), safe_text])
    signature_block = TextAreaField("Signature block", [Length(max=600), safe_multiline])
    fingerprint_on_pages = BooleanField("Print the content hash in every page's footer")

    def validate_slug(self, field: StringField) -> None:
        # Format and reserved words here; whether another letter has it, in the operation.
        field.data = (field.data or "").strip()
        if not SLUG_RE.match(field.data):
            raise ValidationError(
                "Use lower-case letters, digits and single hyphens, e.g. free-the-journalists."
            )
        if field.data in RESERVED:
            raise ValidationError(f"“{field.data}” is reserved; please choose another address.")

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        # Checked here: the field's Optional() stops its own validators when it is empty.
        if self.date_mode.data == DateMode.fixed.value and self.letter_date.data is None:
            if not self.letter_date.errors:
                self.letter_date.errors = [
                    *self.letter_date.errors,
                    "Choose the date, or let the letter carry the day it is finalized.",
                ]
            ok = False
        return ok

    def validate_intro_template(self, field: StringField) -> None:
        problem = intro_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class CollaboratorForm(FlaskForm):
    email = EmailField("Email", [DataRequired(), Email(), Length(max=254)])
    role = RadioField(
        "Role",
        choices=options(
            [
                (CollaboratorRole.editor.value, "Editor: can change the text"),
                (CollaboratorRole.viewer.value, "Viewer: can read it"),
            ]
        ),
        default=CollaboratorRole.editor.value,
    )


class FinalizeForm(FlaskForm):
    confirm = BooleanField("I understand that the final letter can never be changed")
    # Off unless ticked: the final list holds only those who agreed to the final text. The
    # page names the others in the label (see letters.views.letters.finalize).
    include_unconfirmed = BooleanField(
        "Also list the signatories who did not confirm the final text"
    )
    # Offered while the letter is not published; the page names the address in the label.
    publish = BooleanField("Publish it once final")


class SignForOrganizationForm(FlaskForm):
    authorized = BooleanField("I am authorized to sign on behalf of this organization")


class RestoreForm(FlaskForm):
    base_version = HiddenField(validators=[_version_number])
