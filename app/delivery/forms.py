"""Forms of the delivery pages. Labels are what people read and browser tests find."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.validators import safe_multiline, safe_text
from app.letters.forms import options, valid_addresses
from app.models import DeliveryMethod

METHOD_LABELS = {
    DeliveryMethod.by_hand: "By hand",
    DeliveryMethod.web_form: "Through a web form",
    DeliveryMethod.fax: "By fax",
    DeliveryMethod.meeting: "In a meeting",
    DeliveryMethod.other: "Another way",
}


class DeliverForm(FlaskForm):
    to = StringField("To", [DataRequired("Give at least one address."), Length(max=2000)])
    cc = StringField("Cc", [Length(max=2000)])
    subject = StringField("Subject", [DataRequired(), Length(max=300), safe_text])
    note = TextAreaField("Note", [DataRequired(), Length(max=5000), safe_multiline])

    def validate_to(self, field: StringField) -> None:
        valid_addresses(field)

    def validate_cc(self, field: StringField) -> None:
        valid_addresses(field)


class RecordDeliveryForm(FlaskForm):
    method = SelectField(
        "How it was delivered",
        choices=options([(m.value, label) for m, label in METHOD_LABELS.items()]),
    )
    delivered_on = DateField("Date delivered", [InputRequired("Give the date.")])
    note = TextAreaField("Note", [Length(max=5000), safe_multiline])
    proof = FileField("Proof (optional: a PDF or an image, up to 5 MB)")


class BounceForm(FlaskForm):
    reason = StringField("What the bounce said", [Length(max=2000), safe_text])


class ResponseForm(FlaskForm):
    received_on = DateField("Date of the response", [InputRequired("Give the date.")])
    from_name = StringField("From", [DataRequired(), Length(max=300), safe_text])
    summary = TextAreaField("Summary", [DataRequired(), Length(max=5000), safe_multiline])
    upload = FileField("The response itself (optional: a PDF or an image, up to 5 MB)")


class UpdateForm(FlaskForm):
    subject = StringField("Subject", [DataRequired(), Length(max=200), safe_text])
    body = TextAreaField("Update", [DataRequired(), Length(max=2000), safe_multiline])


class FollowUpForm(FlaskForm):
    title = StringField(
        "Title of the follow-up letter", [DataRequired(), Length(max=200), safe_text]
    )
