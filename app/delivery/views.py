"""The lead's delivery pages: deliver (compose, preview, send), record a delivery made
elsewhere, mark a bounce, record a response, send an update, start a follow-up; the files."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.orm import undefer

from app.actor import actor_from_request
from app.delivery import compose, files, followup, notifications, operations
from app.delivery.forms import (
    BounceForm,
    DeliverForm,
    FollowUpForm,
    RecordDeliveryForm,
    ResponseForm,
    UpdateForm,
)
from app.errors import Refused
from app.extensions import db
from app.letters.permissions import Access, load_letter
from app.letters.text import split_addresses
from app.letters.views.common import commit
from app.models import Delivery, DeliveryMethod, Letter, LetterResponse, utcnow


def _final_letter(slug: str) -> Letter:
    """The lead's final letter; any other letter is refused with a clear 409 page."""
    letter, _ = load_letter(slug, current_user, Access.lead)
    try:
        operations.ensure_final(letter)
    except Refused as refusal:
        page = render_template("delivery/refused.html", letter=letter, message=refusal.message)
        abort(make_response(page, 409))
    return letter


def _upload(field) -> files.Upload | None:  # noqa: ANN001 - a FileField
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    content = storage.read(files.MAX_BYTES + 1)
    return files.check_upload(storage.filename, content)


@login_required
def deliver(slug: str) -> ResponseReturnValue:
    letter = _final_letter(slug)
    default = compose.default_cover(letter)
    form = DeliverForm(
        data={"to": ", ".join(default.to), "cc": ", ".join(default.cc),
              "subject": default.subject, "note": default.note}
    )  # fmt: skip
    action = request.form.get("action", "preview")
    preview, error, status = None, None, 200
    if form.validate_on_submit():
        cover = compose.CoverEmail(
            split_addresses(form.to.data), split_addresses(form.cc.data),
            form.subject.data, form.note.data.replace("\r\n", "\n"),
        )  # fmt: skip
        public_url = notifications.public_links(letter)["public_url"]
        if action == "send":
            try:
                operations.deliver(letter, cover, actor=actor_from_request())
            except Refused as refusal:
                db.session.rollback()
                error, status = refusal.message, 409
            else:
                if commit():
                    flash("The letter is on its way: the delivery is shown below.", "success")
                    return redirect(url_for("letters.overview", slug=letter.slug))
        else:
            text, _ = compose.render(letter, cover, public_url=public_url)
            preview = {"cover": cover, "text": text}
    elif form.errors:
        status = 422
    return render_template(
        "delivery/deliver.html", letter=letter, form=form, preview=preview, error=error,
        on_file=default, record_form=RecordDeliveryForm(formdata=None),
    ), status  # fmt: skip


@login_required
def record(slug: str) -> ResponseReturnValue:
    letter = _final_letter(slug)
    form = RecordDeliveryForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            operations.record_delivery(
                letter, method=DeliveryMethod(form.method.data),
                delivered_on=form.delivered_on.data, note=form.note.data or "",
                proof=_upload(form.proof), actor=actor_from_request(),
            )  # fmt: skip
        except Refused as refusal:
            db.session.rollback()
            error, status = refusal.message, 422
        else:
            if commit():
                flash("Delivery recorded. The signatories are told.", "success")
                return redirect(url_for("letters.overview", slug=letter.slug))
    elif form.errors:
        status = 422
    return render_template("delivery/record.html", letter=letter, form=form, error=error), status


def _delivery(letter: Letter, delivery_id: int) -> Delivery:
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.letter_id != letter.id:
        abort(404)
    return delivery


@login_required
def proof(slug: str, delivery_id: int) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    delivery = _delivery(letter, delivery_id)
    db.session.refresh(delivery, ["proof_content"])
    if delivery.proof_content is None:
        abort(404)
    return files.download(
        delivery.proof_filename or "proof", delivery.proof_mimetype or "application/octet-stream",
        delivery.proof_content,
    )  # fmt: skip


@login_required
def bounced(slug: str, delivery_id: int) -> ResponseReturnValue:
    letter = _final_letter(slug)
    delivery = _delivery(letter, delivery_id)
    form = BounceForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.mark_bounced(delivery, reason=form.reason.data or "", actor=actor_from_request())
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        if commit():
            flash("The delivery is marked as bounced.", "success")
    return redirect(url_for("letters.overview", slug=letter.slug))


@login_required
def response(slug: str) -> ResponseReturnValue:
    letter = _final_letter(slug)
    form = ResponseForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            operations.record_response(
                letter, received_on=form.received_on.data, from_name=form.from_name.data,
                summary=form.summary.data, upload=_upload(form.upload),
                actor=actor_from_request(),
            )  # fmt: skip
        except Refused as refusal:
            db.session.rollback()
            error, status = refusal.message, 422
        else:
            if commit():
                flash(
                    "Response recorded. It is on the public page; signatories are told.", "success"
                )
                return redirect(url_for("letters.overview", slug=letter.slug))
    elif form.errors:
        status = 422
    return render_template("delivery/response.html", letter=letter, form=form, error=error), status


def _response_file(letter: Letter, response_id: int) -> ResponseReturnValue:
    found = db.session.get(
        LetterResponse, response_id, options=[undefer(LetterResponse.file_content)]
    )
    if found is None or found.letter_id != letter.id or found.file_content is None:
        abort(404)
    return files.download(
        found.file_name or "response", found.file_mimetype or "application/octet-stream",
        found.file_content, public=letter.published,
    )  # fmt: skip


@login_required
def response_file(slug: str, response_id: int) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    return _response_file(letter, response_id)


def public_response_file(slug: str, response_id: int) -> ResponseReturnValue:
    """The response as published on the public page (only once the letter is published)."""
    from app.letters.slugs import letter_at

    letter = letter_at(slug)
    if letter is None or not letter.published:
        abort(404)
    return _response_file(letter, response_id)


@login_required
def update(slug: str) -> ResponseReturnValue:
    letter = _final_letter(slug)
    form = UpdateForm()
    action = request.form.get("action", "preview")
    preview, status = None, 200
    refusal_text = operations.update_refusal(letter)
    if form.validate_on_submit():
        if action == "send":
            try:
                operations.send_update(
                    letter, subject=form.subject.data, body=form.body.data,
                    actor=actor_from_request(),
                )  # fmt: skip
            except Refused as refusal:
                db.session.rollback()
                refusal_text, status = refusal.message, 409  # the typed text stays in the form
            else:
                if commit("An update was already sent today: one a day at most."):
                    flash("Update sent to the signatories.", "success")
                    return redirect(url_for("letters.overview", slug=letter.slug))
                status = 409
        else:
            preview = {"subject": form.subject.data, "body": form.body.data}
    elif form.errors:
        status = 422
    return render_template(
        "delivery/update.html", letter=letter, form=form, preview=preview,
        refusal=refusal_text, today=utcnow().date(),
        recipients=len(notifications.listed_signatories(letter)),
    ), status  # fmt: skip


@login_required
def follow_up(slug: str) -> ResponseReturnValue:
    letter = _final_letter(slug)
    form = FollowUpForm(data={"title": f"Follow-up: {letter.title}"[:200]})
    status = 200
    if form.validate_on_submit():
        try:
            created, held = followup.start_follow_up(
                letter, title=form.title.data, actor=actor_from_request()
            )
        except Refused as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
            status = 422
        else:
            if commit():
                flash(
                    f"Follow-up started with the same recipients. {held} signator"
                    f"{'y is' if held == 1 else 'ies are'} invited; the invitations go out "
                    "when you open it for sign-on.",
                    "success",
                )
                return redirect(url_for("letters.edit", slug=created.slug))
    elif form.errors:
        status = 422
    invitees = len(notifications.listed_signatories(letter, opted_out_too=True))
    return render_template(
        "delivery/follow_up.html", letter=letter, form=form, invitees=invitees
    ), status
