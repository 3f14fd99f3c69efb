"""Between the text editor form and LetterText, including its no-JavaScript buttons
(add, remove and move recipients), which change the form without saving anything."""

from __future__ import annotations

from typing import Any

from app.letters.forms import MAX_RECIPIENTS, AddressFields, TextForm
from app.letters.recipients import entry_address, get_entry
from app.letters.text import Address, LetterText, normalize_body
from app.models import RecipientBookEntry

EMPTY_ADDRESS: dict[str, str] = {
    "honorific": "", "name": "", "title": "", "department": "", "street": "", "locality": "",
    "country": "", "delivery_to": "", "delivery_cc": "",
}  # fmt: skip


def _address_data(address: Address) -> dict[str, str]:
    data = address.to_dict()
    data["street"] = "\n".join(address.street)
    return data


def form_data(text: LetterText, base_number: int) -> dict[str, Any]:
    return {
        "base_version": str(base_number),
        "recipients": [_address_data(r) for r in text.recipients],
        "salutation": text.salutation,
        "body": text.body,
        "closing": text.closing,
    }


def text_from_form(form: TextForm) -> LetterText:
    addresses = (Address.from_dict(entry.form.data) for entry in form.recipients.entries)
    return LetterText(
        recipients=tuple(a for a in addresses if not a.is_empty),
        salutation=" ".join((form.salutation.data or "").split()),
        body=normalize_body(form.body.data or ""),
        closing=" ".join((form.closing.data or "").split()),
    )


def rearranged(form: TextForm, action: str, organization_id: int) -> tuple[TextForm, str | None]:
    """The form after a structural button (nothing is saved), and a message if refused."""
    rows = [dict(entry.form.data) for entry in form.recipients.entries]
    message = None
    kind, _, arg = action.partition("-")
    index = int(arg) if arg.isascii() and arg.isdigit() else -1
    if kind in ("add", "book") and len(rows) >= MAX_RECIPIENTS:
        message = f"A letter can have at most {MAX_RECIPIENTS} recipients."
    elif kind == "add":
        rows.append(dict(EMPTY_ADDRESS))
    elif kind == "book":
        entry = get_entry(organization_id, form.book_entry.data or 0)
        if entry is None:
            message = "Choose an address from the recipient book first."
        else:
            rows.append(_address_data(entry_address(entry)))
    elif kind == "remove" and 0 <= index < len(rows):
        rows.pop(index)
    elif kind == "up" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif kind == "down" and 0 <= index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    data = {
        name: field.data
        for name, field in form._fields.items()
        if name not in ("recipients", "csrf_token")
    }
    data["recipients"] = rows
    rebuilt = TextForm(formdata=None, data=data)
    rebuilt.book_entry.choices = form.book_entry.choices
    return rebuilt, message


# With JavaScript, choosing a book entry adds its block at once (static/js/letters-editor.js)
# from these: the entries' fields, and an empty block whose number is filled in by the script.
BLANK_INDEX = "__N__"


def book_data(entries: list[RecipientBookEntry]) -> dict[str, dict[str, str]]:
    return {str(e.id): _address_data(entry_address(e)) for e in entries}


def blank_recipient_form() -> AddressFields:
    return AddressFields(prefix=f"recipients-{BLANK_INDEX}-")
