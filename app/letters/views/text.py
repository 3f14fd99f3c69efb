"""Editing the text, the live body preview, versions, comparing and restoring."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app import workflow
from app.actor import actor_from_request
from app.core.params import db_int
from app.errors import Refused
from app.extensions import db
from app.letters import editing, lifecycle, operations
from app.letters.diff import diff_versions
from app.letters.forms import MAX_RECIPIENTS, RestoreForm, TextForm, options
from app.letters.markdown import render_body
from app.letters.operations import VersionConflict
from app.letters.permissions import Access, load_letter
from app.letters.recipients import book_entries
from app.letters.text import LetterText
from app.letters.views.common import commit, refuse
from app.models import Letter, LetterVersion


@login_required
def edit(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.edit)
    try:
        lifecycle.ensure_text_editable(letter)
    except Refused as refusal:
        flash(refusal.message, "error")
        if request.method == "GET":
            return redirect(url_for(".overview", slug=letter.slug))
        # A POST keeps the person's text on the page; the save below is refused anyway.
    latest = operations.latest_version(letter)
    if request.method == "GET":
        form = TextForm(data=editing.form_data(LetterText.from_version(latest), latest.number))
    else:
        form = TextForm()
    book = book_entries(letter.organization_id)
    form.book_entry.choices = options(
        [(0, "Choose an address…")]
        + [(e.id, " — ".join(p for p in (e.title, e.name) if p)) for e in book]
    )
    action = request.form.get("action", "save")
    # "Save version" goes on to the overview (the next step); this one stays in the editor.
    stay = action == "save-stay"
    action = "save" if stay else action
    conflict, status, unanswered = None, 200, False
    if request.method == "POST" and action not in ("save", "preview"):
        form, message = editing.rearranged(form, action, letter.organization_id)
        if message:
            flash(message, "error")
    elif request.method == "POST" and action == "save" and form.validate_on_submit():
        base = int(form.base_version.data)
        try:
            saved = workflow.save_text(
                letter, base_number=base, text=editing.text_from_form(form),
                actor=actor_from_request(), note=form.change_note.data,
                material=form.material_answer,
            )  # fmt: skip
        except workflow.MaterialAnswerNeeded as needed:
            # Nothing saved: the question is asked, with everything typed still in the form.
            db.session.rollback()
            unanswered, status = bool(needed.question), 422
        except VersionConflict:
            db.session.rollback()
            conflict = _conflict(letter, base)
            # The next save is a deliberate one on top of the newer version.
            form.base_version.data = str(conflict["latest"].number)
            status = 409
        except Refused:
            db.session.rollback()  # the message was shown above; the text stays in the form
            status = 409
        else:
            version = saved.version
            if version is None:
                flash("Nothing changed since the last version, so nothing new was saved.", "info")
                return redirect(url_for(".edit", slug=letter.slug))
            if commit():
                flash(f"Saved as version {version.number}.{_asked(saved)}", "success")
                # Parts taken out of the body are shown in the editor: the writer stays there.
                stay = stay or bool(render_body(version.body).removed)
                return redirect(url_for(".edit" if stay else ".overview", slug=letter.slug))
    elif request.method == "POST" and form.errors:
        status = 422
    rendered = render_body(form.body.data or "")
    asking = workflow.question_for(letter)
    return render_template(
        "letters/edit.html", letter=letter, form=form, latest=latest, conflict=conflict,
        rendered=rendered, question=asking.question if asking else None, unanswered=unanswered,
        book_data=editing.book_data(book), blank_recipient=editing.blank_recipient_form(),
        max_recipients=MAX_RECIPIENTS,
    ), status  # fmt: skip


def _asked(saved: workflow.Saved) -> str:
    if saved.version is None or not saved.version.material:
        return ""
    n = saved.reconfirmations
    return (
        f" {n} reconfirmation email{'' if n == 1 else 's'} queued: "
        f"{'its signer is' if n == 1 else 'their signers are'} asked to confirm the new text."
    )


def _conflict(letter: Letter, base: int) -> dict:
    """What the person whose save conflicted needs to see: who saved, and what changed."""
    latest = operations.latest_version(letter)
    old = operations.get_version(letter, base)
    sections = diff_versions(old, latest) if old else []
    return {"latest": latest, "base": base, "sections": sections}


@login_required
def body_preview(slug: str) -> ResponseReturnValue:
    """JSON for the editor's live preview; renders only, saves nothing."""
    load_letter(slug, current_user, Access.edit)
    rendered = render_body(request.form.get("body", "")[:100_000])
    return jsonify(html=str(rendered.html), removed=rendered.removed)


@login_required
def versions(slug: str) -> ResponseReturnValue:
    letter, level = load_letter(slug, current_user)
    rows = db.session.scalars(
        db.select(LetterVersion)
        .where(LetterVersion.letter_id == letter.id)
        .order_by(LetterVersion.number.desc())
    ).all()
    can_restore = level >= Access.edit and _editable(letter)
    question = workflow.question_for(letter) if can_restore else None
    return render_template(
        "letters/versions.html", letter=letter, versions=rows, latest=rows[0],
        can_restore=can_restore, form=RestoreForm(), can_mark=can_restore and question,
        question=question.question if question else None,
    )  # fmt: skip


def _editable(letter: Letter) -> bool:
    try:
        lifecycle.ensure_text_editable(letter)
    except Refused:
        return False
    return True


@login_required
def version(slug: str, number: int) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user)
    found = operations.get_version(letter, number)
    if found is None:
        abort(404)
    return render_template(
        "letters/version.html", letter=letter, version=found, text=LetterText.from_version(found),
        rendered=render_body(found.body),
    )  # fmt: skip


@login_required
def compare(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user)
    latest = operations.latest_version(letter)
    new_number = request.args.get("to", default=latest.number, type=db_int)
    old_number = request.args.get("from", default=max(new_number - 1, 1), type=db_int)
    old = operations.get_version(letter, old_number)
    new = operations.get_version(letter, new_number)
    if old is None or new is None:
        flash("There is no such version to compare; showing the latest change instead.", "error")
        return redirect(url_for(".compare", slug=letter.slug))
    sections = diff_versions(old, new)
    return render_template(
        "letters/compare.html", letter=letter, old=old, new=new, sections=sections,
        numbers=range(latest.number, 0, -1),
    )  # fmt: skip


@login_required
def restore(slug: str, number: int) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.edit)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    material = {"yes": True, "no": False}.get(request.form.get("material", ""))
    try:
        saved = workflow.restore_version(
            letter, number, base_number=int(form.base_version.data), actor=actor_from_request(),
            material=material,
        )  # fmt: skip
    except VersionConflict:
        refuse("Someone saved a newer version meanwhile. Look at the list again, then restore.")
    except workflow.MaterialAnswerNeeded as needed:
        refuse(f"{needed.question} Answer with the buttons next to “Restore version {number}”.")
    except Refused as refusal:
        refuse(refusal.message)
    else:
        if commit():
            restored = saved.version
            flash(
                f"Version {number} restored as version {restored.number}.{_asked(saved)}",
                "success",
            )
    return redirect(url_for(".versions", slug=letter.slug))


@login_required
def mark_material(slug: str, number: int) -> ResponseReturnValue:
    """Mark a saved version as a material change afterwards (a POST button)."""
    letter, _ = load_letter(slug, current_user, Access.edit)
    if not RestoreForm().validate_on_submit():
        abort(400)
    try:
        emails = workflow.mark_material(letter, number, actor=actor_from_request())
    except Refused as refusal:
        refuse(refusal.message)
    else:
        if commit():
            flash(
                f"Version {number} is marked as a material change. {emails} reconfirmation "
                f"email{'' if emails == 1 else 's'} queued to those who signed an earlier "
                "version.",
                "success",
            )
    return redirect(url_for(".versions", slug=letter.slug))
