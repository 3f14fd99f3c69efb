"""The sign pages: the open link, the individual form, a personal invitation, and resending
the confirmation email. Each shows the current text in full before the form."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from app.actor import actor_from_request
from app.core import public_limits
from app.errors import Refused
from app.extensions import db
from app.invitations import tracking
from app.letters.operations import latest_version
from app.letters.printing import build_printed
from app.models import ArrivedVia, Invitation, Letter, SignerKind, utcnow
from app.publishing.visibility import public_before_publication
from app.signing import limits, operations, queries, states
from app.signing.forms import IndividualSignForm, OrganizationSignForm, ResendForm


def _public_letter(slug: str) -> Letter:
    letter = queries.letter_by_slug(slug)
    # A letter never opened for sign-on, or one signed by invitation only and not yet
    # published, does not exist for the public: its title, count and deadline stay private.
    if letter is None or letter.opened_at is None:
        abort(404)
    if not letter.published and not public_before_publication(letter):
        abort(404)
    return letter


def _closed(letter: Letter, message: str, status: int = 200):
    return render_template("signing/closed.html", letter=letter, message=message), status


def _render_form(letter: Letter, form, *, kind: SignerKind, action: str, notice: str | None = None,
                 invitation: Invitation | None = None, status: int = 200):  # fmt: skip
    now = utcnow()
    version = latest_version(letter)
    if not form.version.data or notice:
        form.version.data = str(version.number)
    return render_template(
        "signing/sign.html", letter=letter, form=form, kind=kind.value, action=action,
        printed=build_printed(letter, version, now), listed=queries.listed_counts(letter),
        notice=notice, invitation=invitation,
        individuals=letter.individuals_allowed and letter.open_link and invitation is None,
    ), status  # fmt: skip


def _details(form, kind: SignerKind) -> operations.SignOnDetails:
    common = {
        "email": form.email.data, "signer_name": form.signer_name.data, "kind": kind,
        "country": form.country.data or "", "note_to_lead": form.note_to_lead.data or "",
        "attested_authorized": bool(form.authorized.data),
        "listed_publicly": not form.not_listed.data,
    }  # fmt: skip
    if kind is SignerKind.individual:
        return operations.SignOnDetails(**common, affiliation=form.affiliation.data or "")
    return operations.SignOnDetails(
        **common, organization_name=form.organization_name.data, acronym=form.acronym.data or "",
        website=form.website.data or "", signer_title=form.signer_title.data or "",
    )  # fmt: skip


def _submit(letter: Letter, form, *, kind: SignerKind, action: str, invitation=None):
    """Validate, sign, commit once, and answer; bad input re-renders the form with messages."""
    if not form.validate_on_submit():
        return _render_form(letter, form, kind=kind, action=action, invitation=invitation,
                            status=422)  # fmt: skip
    if form.is_bot:  # the honeypot was filled: answer like a success, store nothing
        return render_template("signing/check_email.html", letter=letter, email=form.email.data)
    try:
        result = operations.sign(letter, _details(form, kind), actor=actor_from_request(),
                                 invitation=invitation, seen_version=form.seen_version)  # fmt: skip
    except operations.SignOnClosed as closed:
        db.session.rollback()
        return _closed(letter, str(closed), 409)
    except operations.TextChanged as changed:
        db.session.rollback()
        return _render_form(letter, form, kind=kind, action=action, invitation=invitation,
                            notice=str(changed), status=409)  # fmt: skip
    except Refused as refused:
        db.session.rollback()
        form.form_errors.append(str(refused))
        return _render_form(letter, form, kind=kind, action=action, invitation=invitation,
                            status=422)  # fmt: skip
    if result.outcome is operations.SignOutcome.signed:
        page = render_template("signing/signed.html", letter=letter, signature=result.signature)
    else:
        page = render_template("signing/check_email.html", letter=letter, email=form.email.data)
    # Rendered before the commit, which would expire every row the page reads; sent after it.
    db.session.commit()
    return page


@public_limits.page
@limits.sign_per_client
@limits.sign_per_letter
def sign_open(slug: str):
    letter = _public_letter(slug)
    if refusal := states.sign_on_refusal(letter, now=utcnow(), via=ArrivedVia.open_link):
        return _closed(letter, refusal, 409 if _posted() else 200)
    form = OrganizationSignForm()
    action = url_for(".sign_open", slug=slug)
    if _posted():
        return _submit(letter, form, kind=SignerKind.organization, action=action)
    return _render_form(letter, form, kind=SignerKind.organization, action=action)


@public_limits.page
@limits.sign_per_client
@limits.sign_per_letter
def sign_individual(slug: str):
    letter = _public_letter(slug)
    refusal = states.sign_on_refusal(
        letter, now=utcnow(), via=ArrivedVia.open_link, kind=SignerKind.individual
    )
    if refusal:
        return _closed(letter, refusal, 409 if _posted() else 200)
    form = IndividualSignForm()
    action = url_for(".sign_individual", slug=slug)
    if _posted():
        return _submit(letter, form, kind=SignerKind.individual, action=action)
    return _render_form(letter, form, kind=SignerKind.individual, action=action)


@public_limits.page
@limits.sign_per_client
@limits.sign_per_letter
def sign_invited(token: str):
    invitation = tracking.find_by_token(token)
    if invitation is None:
        return render_template("signing/link_invalid.html", what="invitation"), 404
    letter = invitation.letter
    if refusal := tracking.link_refusal(invitation):
        return _closed(letter, refusal, 409 if _posted() else 200)
    if _posted():
        # "Opened" is the person's first interaction, never the GET: mail scanners follow
        # every link in a message, and counting them as readers skews the lead's funnel.
        if tracking.mark_opened(invitation, utcnow()):
            db.session.commit()  # kept whatever the answer (a form with mistakes is a visit)
    if refusal := states.sign_on_refusal(letter, now=utcnow(), via=ArrivedVia.invitation):
        return _closed(letter, refusal, 409 if _posted() else 200)
    form = OrganizationSignForm()
    if not _posted():
        form.organization_name.data = invitation.organization_name
        form.signer_name.data = invitation.contact_name
        form.email.data = invitation.email
    action = url_for(".invitation", token=token)
    if _posted():
        return _submit(letter, form, kind=SignerKind.organization, action=action,
                       invitation=invitation)  # fmt: skip
    return _render_form(letter, form, kind=SignerKind.organization, action=action,
                        invitation=invitation)  # fmt: skip


@limits.sign_per_client
def opened(token: str):
    """The sign page's script says a person is reading it (first focus, scroll or key): the
    invitation counts as opened. A POST with the page's CSRF token, so no scanner sends it."""
    invitation = tracking.find_by_token(token)
    if invitation is None:
        abort(404)
    tracking.mark_opened(invitation, utcnow())
    db.session.commit()
    return "", 204


@limits.sign_per_client
@limits.resend_per_address
def resend(slug: str):
    """Ask for a new confirmation email. The answer is the same whatever the address."""
    letter = _public_letter(slug)
    form = ResendForm()
    if form.validate_on_submit():
        operations.resend_verification(letter, form.email.data, actor=actor_from_request())
        db.session.commit()
        return render_template("signing/check_email.html", letter=letter, email=form.email.data,
                               resent=True)  # fmt: skip
    return render_template("signing/resend.html", letter=letter, form=form), (
        422 if form.errors else 200
    )


def _posted() -> bool:
    return request.method == "POST"
