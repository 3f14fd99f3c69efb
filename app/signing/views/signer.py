"""Pages reached from the links in a signer's emails. Opening one changes nothing (mail
scanners open links); every change is a button that POSTs."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import db
from app.letters.operations import latest_version
from app.letters.printing import build_printed
from app.models import ACTIVE_STATUSES, LetterStatus, SignatureStatus, SignerKind, utcnow
from app.signing import consent, limits, links, operations
from app.signing import naming as signing_naming
from app.signing.forms import NOT_LISTED_PERSON, ButtonForm, ManageForm
from app.signing.reconfirmation import changes_since


def _invalid(what: str):
    return render_template("signing/link_invalid.html", what=what), 404


def _commit_or_refuse(change) -> str | None:  # noqa: ANN001
    """Run one operation and commit; the refusal's message (nothing kept) if it is refused."""
    try:
        change()
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        return str(refused)
    except IntegrityError:
        db.session.rollback()
        return "Someone changed this signature at the same moment. Please try again."
    return None


@limits.verify_per_client
@limits.verify_per_letter
def verify(token: str):
    signature = links.signature_by_verify_token(token)
    if signature is None:
        return _invalid("replaced" if links.replaced_verify_link(token) else "confirmation")
    form = ButtonForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        error = _commit_or_refuse(
            lambda: operations.verify(
                signature, actor=actor_from_request(), seen_version=form.seen_version
            )
        )
        if error is None:
            return render_template("signing/confirmed.html", signature=signature,
                                   letter=signature.letter)  # fmt: skip
    letter = signature.letter
    latest = latest_version(letter)
    changes = changes_since(signature, latest) if latest.number > signature.version_number else []
    form.version.data = str(latest.number)
    expired = (
        signature.status is SignatureStatus.unverified
        and signature.verify_expires_at is not None
        and signature.verify_expires_at <= utcnow()
    )
    return render_template(
        "signing/verify.html", signature=signature, letter=letter, latest=latest, form=form,
        changes=changes, expired=expired, error=error,
    ), (409 if error else 200)  # fmt: skip


def _manage_form(signature) -> ManageForm:  # noqa: ANN001
    form = ManageForm(
        data={
            "organization_name": signature.organization_name,
            "acronym": signature.acronym,
            "signer_name": signature.signer_name,
            "signer_title": signature.signer_title,
            "affiliation": signature.affiliation,
            "country": signature.country,
            "not_listed": not signature.listed_publicly,
        }  # fmt: skip
    )
    if signature.kind is SignerKind.individual:
        form.not_listed.label.text = NOT_LISTED_PERSON
    return form


def _listing_changes(form: ManageForm, kind: SignerKind) -> dict:
    changes = {
        "signer_name": form.signer_name.data, "country": form.country.data or "",
        "listed_publicly": not form.not_listed.data,
    }  # fmt: skip
    if kind is SignerKind.individual:
        return changes | {"affiliation": form.affiliation.data or ""}
    return changes | {
        "organization_name": form.organization_name.data or "",
        "acronym": form.acronym.data or "",
        "signer_title": form.signer_title.data or "",
    }


def manage(token: str):
    signature = links.signature_by_manage_token(token)
    if signature is None:
        return _invalid("manage")
    letter = signature.letter
    editable = letter.status is not LetterStatus.final and signature.status in ACTIVE_STATUSES
    form = _manage_form(signature)
    error = None
    if request.method == "POST" and editable and form.validate_on_submit():
        changes = _listing_changes(form, signature.kind)
        error = _commit_or_refuse(
            lambda: operations.update_listing(signature, actor=actor_from_request(), **changes)
        )
        if error is None:
            flash("Your changes are saved.", "success")
            return redirect(url_for(".manage", token=token))
    return render_template(
        "signing/manage.html", signature=signature, letter=letter, form=form, token=token,
        editable=editable, error=error, latest=latest_version(letter),
        printed=build_printed(letter, signature.version, utcnow()),
        history=consent.history(signature), describe_event=consent.describe,
    ), (422 if error or form.errors else 200)  # fmt: skip


def withdraw(token: str):
    signature = links.signature_by_manage_token(token)
    if signature is None:
        return _invalid("manage")
    if ButtonForm().validate_on_submit():
        error = _commit_or_refuse(
            lambda: operations.withdraw(signature, actor=actor_from_request())
        )
        flash(error or "Your signature is withdrawn. The lead organization will see this.",
              "error" if error else "success")  # fmt: skip
    return redirect(url_for(".manage", token=token))


def reconfirm(token: str):
    signature = links.signature_by_manage_token(token)
    if signature is None:
        return _invalid("manage")
    form = ButtonForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        error = _commit_or_refuse(
            lambda: operations.reconfirm(
                signature, version_number=form.seen_version or 0, actor=actor_from_request()
            )
        )
        if error is None:
            flash("Thank you: your signature now stands for the current text.", "success")
            return redirect(url_for(".manage", token=token))
    letter = signature.letter
    latest = latest_version(letter)
    form.version.data = str(latest.number)
    return render_template(
        "signing/reconfirm.html", signature=signature, letter=letter, latest=latest, form=form,
        token=token, changes=changes_since(signature, latest), error=error,
        open_for_answers=letter.status is not LetterStatus.final
        and signature.status in ACTIVE_STATUSES,
        printed=build_printed(letter, latest, utcnow()),
    ), (409 if error else 200)  # fmt: skip


def naming(token: str):
    """The lead asks a signer who is not named whether they agree to be named: a button."""
    signature = signing_naming.signature_by_naming_token(token)
    if signature is None:
        return _invalid("naming")
    form = ButtonForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        error = _commit_or_refuse(
            lambda: signing_naming.agree_to_naming(signature, actor=actor_from_request())
        )
        if error is None:
            return render_template("signing/named.html", signature=signature,
                                   letter=signature.letter)  # fmt: skip
    return render_template(
        "signing/naming.html", signature=signature, letter=signature.letter, form=form,
        error=error,
    ), (409 if error else 200)  # fmt: skip
