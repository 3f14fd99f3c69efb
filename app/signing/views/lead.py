"""The lead's signatures page: counts, filters, decisions one at a time or many, the consent
trail of each sign-on, and the CSV."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app.actor import actor_from_request
from app.audit import record
from app.core.params import db_int, search_words
from app.errors import Refused
from app.extensions import db
from app.letters.operations import latest_version
from app.letters.permissions import Access, load_letter
from app.models import Letter, Signature, SignatureStatus, SignerKind
from app.signing import consent, export, operations, pairs, queries
from app.signing.forms import ButtonForm, LeadListingForm

ACTIONS = {
    "approve": (operations.approve, "Approved: {name} is listed."),
    "keep": (operations.keep_duplicate, "Kept both: {name} is no longer flagged as a duplicate."),
}
UNDONE = {
    "reject": "Undone: {name} is back as it was before it was rejected.",
    "merge": "Undone: the merge is taken back; both sign-ons are as they were before it.",
    "keep": "Undone: {name} is flagged as a possible duplicate again.",
}
BULK = {"approve": operations.approve, "reject": operations.reject}
SORTS = {"", *queries.SORT_KEYS, *(f"-{key}" for key in queries.SORT_KEYS)}


def _view() -> dict:
    """The filter, search, sort and page of the lead's table, from a link or a form's hidden
    fields, so a decision brings the lead back to the rows they were looking at."""
    values = request.values
    show = values.get("show", "all")
    sort = values.get("sort", "")
    return {
        "show": show if show in queries.FILTERS else "all",
        "q": search_words(values.get("q")),
        "sort": sort if sort in SORTS else "",
        "page": values.get("page", 1, type=db_int),
    }


def _list_url(slug: str, view: dict, **changes: object) -> str:
    """The table's address for `view` with `changes`; defaults stay out of the address."""
    merged = {**view, **changes}
    return url_for(
        "signing.signatures", slug=slug,
        show=merged["show"] if merged["show"] != "all" else None, q=merged["q"] or None,
        sort=merged["sort"] or None, page=merged["page"] if merged["page"] != 1 else None,
    )  # fmt: skip


def _signature(letter: Letter, signature_id: int) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.letter_id != letter.id:
        abort(404)
    return signature


def _run(change) -> str | None:  # noqa: ANN001
    """Run one operation; on refusal undo it and return why."""
    try:
        change()
        db.session.flush()
    except Refused as refused:
        db.session.rollback()
        return refused.message
    except IntegrityError:
        db.session.rollback()
        return "Another active sign-on already uses this email address, so this one stays out."
    return None


@login_required
def index(slug: str):
    letter, _ = load_letter(slug, current_user, Access.lead)
    view = _view()
    show, q, sort = view["show"], view["q"], view["sort"]
    counts = {status.value: n for status, n in queries.status_counts(letter).items()}
    counts["all"] = sum(counts.values())
    page = queries.lead_page(letter, show=show, q=q, number=view["page"], sort=sort)
    view["page"] = page.number
    summary = queries.lead_summary(letter)
    return render_template(
        "signing/lead/signatures.html", letter=letter, page=page, rows=page.rows,
        counts=counts, show=show, q=q, sort=sort, view=view, filters=queries.FILTERS,
        current=latest_version(letter).number, summary=summary, button=ButtonForm(),
        link=lambda **changes: _list_url(slug, view, **changes),
        pairs=pairs.duplicate_pairs(letter) if summary.flagged else [],
        awaiting=pairs.awaiting(letter, show=show, q=q),
    )  # fmt: skip


@login_required
def bulk(slug: str):
    letter, _ = load_letter(slug, current_user, Access.lead)
    action = request.form.get("action", "")
    view = _view()
    back = _list_url(slug, view)
    if not ButtonForm().validate_on_submit() or action not in (*BULK, "approve_awaiting"):
        abort(400)
    everything = action == "approve_awaiting"
    if everything:
        # Every one counted on the page, across all its pages; not those that came later.
        up_to = request.form.get("up_to", 0, type=db_int)
        signatures = pairs.awaiting_signatures(letter, show=view["show"], q=view["q"],
                                               up_to=up_to)  # fmt: skip
        action = "approve"
    else:
        ids = request.form.getlist("ids", type=db_int)  # values that are not ids are left out
        signatures = [_signature(letter, signature_id) for signature_id in ids]
    if not signatures:
        flash("No sign-on awaits you here any more." if everything
              else "Tick at least one sign-on first.", "error")  # fmt: skip
        return redirect(back)
    actor, done, refused = actor_from_request(), 0, []
    for signature in signatures:
        name = signature.display_name
        try:
            # A refusal changes nothing (the conditional UPDATE matched no row), so the
            # other rows of the batch go on.
            done += int(BULK[action](signature, actor=actor))
        except Refused as problem:
            refused.append(f"{name}: {problem}")
        except IntegrityError:
            db.session.rollback()
            flash(
                "Another active sign-on uses one of these addresses; nothing was changed.", "error"
            )
            return redirect(back)
    db.session.commit()
    verb = "approved" if action == "approve" else "rejected"
    flash(f"{done} sign-on{'s' if done != 1 else ''} {verb}.", "success")
    for message in refused:
        flash(message, "error")
    return redirect(back)


@login_required
def detail(slug: str, signature_id: int):
    letter, _ = load_letter(slug, current_user, Access.lead)
    signature = _signature(letter, signature_id)
    form = LeadListingForm(
        data={
            "organization_name": signature.organization_name,
            "acronym": signature.acronym,
            "signer_name": signature.signer_name,
            "not_listed": not signature.listed_publicly,
        }  # fmt: skip
    )
    error = None
    if form.validate_on_submit():
        changes = {
            "signer_name": form.signer_name.data,
            "listed_publicly": not form.not_listed.data,
        }
        if signature.kind is SignerKind.organization:
            changes |= {"organization_name": form.organization_name.data or "",
                        "acronym": form.acronym.data or ""}  # fmt: skip
        # Only the signer can agree to be named: unticking the box asks them by email.
        asked = not signature.listed_publicly and changes["listed_publicly"]
        changed: list[str] = []
        error = _run(
            lambda: changed.extend(
                operations.update_listing(
                    signature, actor=actor_from_request(), by_lead=True, **changes
                )
            )
        )
        if error is None:
            db.session.commit()
            if changed or not asked:
                flash("Saved. The signer is told by email how they are now listed.", "success")
            if asked:
                flash("The signer is asked by email whether they agree to be named. Until "
                      "they agree, they stay unnamed.", "success")  # fmt: skip
            return redirect(url_for(".signature", slug=slug, signature_id=signature_id))
    return render_template(
        "signing/lead/signature.html", letter=letter, row=queries.row_for(letter, signature),
        form=form, button=ButtonForm(), error=error, current=latest_version(letter).number,
        S=SignatureStatus, history=consent.history(signature), describe_event=consent.describe,
    ), (422 if error or form.errors else 200)  # fmt: skip


@login_required
def act(slug: str, signature_id: int, action: str):
    letter, _ = load_letter(slug, current_user, Access.lead)
    signature = _signature(letter, signature_id)
    if not ButtonForm().validate_on_submit() or action not in (*ACTIONS, "merge", "reject", "undo"):
        abort(400)
    actor, name = actor_from_request(), signature.display_name
    if action == "merge":
        keep_id = request.form.get("keep", 0, type=db_int)
        error = _run(lambda: operations.merge_duplicate(signature, keep_id=keep_id, actor=actor))
        done = "Merged: one sign-on is kept, the other is rejected and its signer told."
    elif action == "reject":
        tell = request.form.get("tell_signer") == "y"
        reason = request.form.get("reason", "")
        error = _run(lambda: operations.reject(signature, actor=actor, reason=reason,
                                               tell_signer=tell))  # fmt: skip
        done = f"Rejected: {name} is not listed." + (" The signer is emailed." if tell else "")
    elif action == "undo":
        undone: list[str] = []
        error = _run(lambda: undone.append(operations.undo(signature, actor=actor)))
        done = UNDONE.get(undone[0] if undone else "", "Undone.").format(name=name)
    else:
        function, message = ACTIONS[action]
        error = _run(lambda: function(signature, actor=actor))
        done = message.format(name=name)
    if error is None:
        db.session.commit()
    flash(error or done, "error" if error else "success")
    if request.form.get("back") == "detail":
        return redirect(url_for(".signature", slug=slug, signature_id=signature_id))
    return redirect(_list_url(slug, _view()))


@login_required
def csv_download(slug: str):
    letter, _ = load_letter(slug, current_user, Access.lead)
    # Contact data leaving the site: who took it, and when, is worth a record.
    record("signatures.exported", actor_from_request(), letter, format="csv")
    db.session.commit()
    return Response(
        export.signatures_csv(letter),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{letter.slug}-signatures.csv"',
            "Cache-Control": "no-store",
        },
    )
