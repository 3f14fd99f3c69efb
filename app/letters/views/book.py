"""The recipient book of the user's organization(s)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.core.params import db_int
from app.extensions import db
from app.letters import recipients
from app.letters.forms import BookEntryForm
from app.letters.text import Address
from app.letters.views.common import commit
from app.models import Organization


def _organization() -> Organization:
    """The organization whose book is shown: ?org=<id> among the user's, else the first."""
    organizations = current_user.organizations
    if not organizations:
        abort(404)
    wanted = request.args.get("org", type=db_int)
    if wanted is None:
        return organizations[0]
    for org in organizations:
        if org.id == wanted:
            return org
    abort(404)


def _address(form: BookEntryForm) -> Address:
    return Address.from_dict({name: form[name].data for name in Address.__dataclass_fields__})


@login_required
def index() -> ResponseReturnValue:
    organization = _organization()
    if recipients.seed_book_if_new(organization, actor_from_request()):
        db.session.commit()
    form = BookEntryForm()
    if form.validate_on_submit():
        recipients.add_entry(organization.id, _address(form), actor=actor_from_request())
        if commit():
            flash("Address added to the recipient book.", "success")
            return redirect(url_for(".book", org=organization.id))
    return render_template(
        "letters/book.html", organization=organization, form=form,
        entries=recipients.book_entries(organization.id),
        organizations=current_user.organizations,
    ), (422 if form.errors else 200)  # fmt: skip


def _entry(entry_id: int):
    for org in current_user.organizations:
        entry = recipients.get_entry(org.id, entry_id)
        if entry is not None:
            return entry
    abort(404)


@login_required
def edit(entry_id: int) -> ResponseReturnValue:
    entry = _entry(entry_id)
    address = recipients.entry_address(entry)
    data = address.to_dict() | {"street": "\n".join(address.street)}
    form = BookEntryForm(data=data)
    if form.validate_on_submit():
        recipients.update_entry(entry, _address(form), actor=actor_from_request())
        if commit():
            flash("Address saved.", "success")
            return redirect(url_for(".book", org=entry.organization_id))
    return render_template("letters/book_entry.html", entry=entry, form=form), (
        422 if form.errors else 200
    )


@login_required
def delete(entry_id: int) -> ResponseReturnValue:
    entry = _entry(entry_id)
    org_id = entry.organization_id
    recipients.delete_entry(entry, actor=actor_from_request())
    if commit():
        flash("Address removed from the recipient book.", "success")
    return redirect(url_for(".book", org=org_id))
