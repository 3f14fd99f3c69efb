"""`/orgs/<org_id>/partners`: the address book of partner organizations and their contacts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.core.params import db_int, search_words
from app.errors import NotAllowed, Refused
from app.extensions import db
from app.invitations import addressbook, parsing, partners, sources
from app.invitations.forms import (
    ContactForm,
    MergeContactForm,
    MergePartnerForm,
    PartnerForm,
    PickForm,
)
from app.invitations.views.adding import show_preview
from app.letters.forms import options
from app.letters.permissions import Access, load_letter
from app.letters.views.common import commit
from app.models import Letter, LetterStatus, Organization, Partner, PartnerContact, PartnerGroup

PAGE_SIZE = 50


def _organization(org_id: int) -> Organization:
    try:
        return partners.require_member(current_user, org_id)
    except NotAllowed:
        abort(404)


def _owned(model: type, object_id: int, org_id: int):  # noqa: ANN202
    found = db.session.get(model, object_id)
    if found is None or found.organization_id != org_id:
        abort(404)
    return found


def _pick_form(org_id: int) -> PickForm:
    form = PickForm()
    letters = db.session.execute(
        sa.select(Letter.id, Letter.title)
        .where(Letter.organization_id == org_id, Letter.status == LetterStatus.open)
        .order_by(Letter.created_at.desc())
    )
    form.letter.choices = options(list(letters))
    return form


@login_required
def index(org_id: int):
    organization = _organization(org_id)
    q = search_words(request.args.get("q"))
    group_id = request.args.get("group", type=db_int)
    group = _owned(PartnerGroup, group_id, org_id) if group_id else None
    removed = request.args.get("show") == "removed"
    rows = addressbook.list_partners(org_id, q=q, group_id=group_id, removed=removed)
    page = max(request.args.get("page", 1, type=db_int) or 1, 1)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    return render_template(
        "invitations/partners/index.html", organization=organization, rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        partner_count=len(rows), page=page, pages=pages, q=q, group=group, removed=removed,
        groups=addressbook.groups(org_id), form=_pick_form(org_id),
        missing=addressbook.missing_signatories(org_id),
    )  # fmt: skip


@login_required
def act(org_id: int):
    """What to do with the picked rows: invite them to a letter, or save them as a group."""
    _organization(org_id)
    form = _pick_form(org_id)
    ids = request.form.getlist("contact", type=db_int)
    action = request.form.get("action")
    back = url_for(".partners", org_id=org_id)
    if not ids:
        flash("Pick at least one contact first.", "error")
        return redirect(back)
    if action == "invite" and form.validate():
        letter = db.session.get(Letter, form.letter.data or 0)
        if letter is None or letter.organization_id != org_id:
            abort(404)
        letter, _ = load_letter(letter.slug, current_user, Access.lead)
        text = sources.as_lines(sources.picked(org_id, ids))
        return show_preview(letter, parsing.parse_pasted(text), "paste", text)
    if action in ("group", "ungroup") and form.validate():
        actor = actor_from_request()
        if action == "group":
            if not form.group_name.data:
                flash("Give the group a name.", "error")
                return redirect(back)
            group = partners.save_group(org_id, form.group_name.data, ids, actor=actor)
            message = f"Saved in the group “{group.name}”."
        else:
            group = _owned(PartnerGroup, request.form.get("group_id", 0, type=db_int), org_id)
            count = partners.remove_from_group(group, ids, actor=actor)
            message = f"{count} contact{'s' if count != 1 else ''} taken out of “{group.name}”."
        if commit():
            flash(message, "success")
            return redirect(url_for(".partners", org_id=org_id, group=group.id))
    return redirect(back)


@login_required
def partner(org_id: int, partner_id: int):
    organization = _organization(org_id)
    found: Partner = _owned(Partner, partner_id, org_id)
    form = PartnerForm(obj=found)
    merge = MergePartnerForm()
    others = db.session.execute(
        sa.select(Partner.id, Partner.name)
        .where(Partner.organization_id == org_id, Partner.id != found.id)
        .order_by(Partner.name)
    )
    merge.into.choices = options([(0, "—"), *others])
    if request.method == "POST":
        try:
            if request.form.get("action") == "merge" and merge.validate() and merge.into.data:
                target = _owned(Partner, merge.into.data, org_id)
                partners.merge_partners(target, found, actor=actor_from_request())
                if commit():
                    flash(f"Merged into “{target.name}”.", "success")
                    return redirect(url_for(".partner", org_id=org_id, partner_id=target.id))
            elif request.form.get("action") == "edit" and form.validate():
                partners.edit_partner(
                    found,
                    name=form.name.data,
                    website=form.website.data or "",
                    actor=actor_from_request(),
                )
                if commit():
                    flash("Saved.", "success")
                    return redirect(url_for(".partner", org_id=org_id, partner_id=found.id))
        except Refused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
    contacts = list(found.contacts)
    emails = [c.canonical_email for c in contacts]
    return render_template(
        "invitations/partners/partner.html", organization=organization, partner=found, contacts=contacts,
        history=addressbook.history(org_id, emails), form=form, merge=merge,
    )  # fmt: skip


@login_required
def contact(org_id: int, contact_id: int):
    organization = _organization(org_id)
    found: PartnerContact = _owned(PartnerContact, contact_id, org_id)
    form = ContactForm(obj=found, organization=found.partner.name if found.partner else "")
    merge = MergeContactForm()
    if request.method == "POST":
        actor = actor_from_request()
        try:
            if request.form.get("action") == "merge" and merge.validate():
                other = partners.merge_contacts(found, merge.other.data, actor=actor)
                done = f"{other.email} is now an address of this contact."
            elif request.form.get("action") == "edit" and form.validate():
                partners.edit_contact(found, name=form.name.data or "", email=form.email.data,
                                      organization=form.organization.data or "", actor=actor)  # fmt: skip
                done = "Saved."
            else:
                done = None
        except Refused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            if done and commit("That address was taken at the same moment. Please try again."):
                flash(done, "success")
                return redirect(url_for(".contact", org_id=org_id, contact_id=found.id))
    aliases = addressbook.aliases(found)
    return render_template(
        "invitations/partners/contact.html", organization=organization, contact=found, aliases=aliases,
        history=addressbook.history(org_id, [found.canonical_email, *(a.canonical_email for a in aliases)]),
        form=form, merge=merge,
    )  # fmt: skip


def _contact_action(org_id: int, contact_id: int, change, done: str):  # noqa: ANN001
    _organization(org_id)
    found = _owned(PartnerContact, contact_id, org_id)
    change(found, actor=actor_from_request())
    if commit():
        flash(done.format(email=found.email), "success")
    return redirect(url_for(".contact", org_id=org_id, contact_id=found.id))


@login_required
def remove_contact(org_id: int, contact_id: int):
    return _contact_action(org_id, contact_id, partners.remove_contact,
                           "{email} is removed: group actions will not invite it again.")  # fmt: skip


@login_required
def restore_contact(org_id: int, contact_id: int):
    return _contact_action(
        org_id, contact_id, partners.restore_contact, "{email} is back in the address book."
    )


@login_required
def add_signatories(org_id: int):
    _organization(org_id)
    added = partners.add_signatories(org_id, actor=actor_from_request())
    if commit():
        flash(
            f"{added} signator{'ies' if added != 1 else 'y'} added to the address book.", "success"
        )
    return redirect(url_for(".partners", org_id=org_id))


@login_required
def delete_group(org_id: int, group_id: int):
    _organization(org_id)
    group = _owned(PartnerGroup, group_id, org_id)
    partners.delete_group(group, actor=actor_from_request())
    if commit():
        flash(
            f"The group “{group.name}” is deleted; its contacts stay in the address book.",
            "success",
        )
    return redirect(url_for(".partners", org_id=org_id))
