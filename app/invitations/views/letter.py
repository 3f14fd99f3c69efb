"""A letter's invitations: the list with counts, adding (preview, then send), resend,
withdraw, reminders, and the sign-on chart as an image."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actor import actor_from_request
from app.core.params import LIKE_ESCAPE, contains_pattern, db_int, search_words
from app.errors import Refused
from app.extensions import db
from app.invitations import glance, operations, parsing, reminders, sources
from app.invitations.deadline import format_deadline
from app.invitations.forms import (
    AddInviteesForm,
    FromBookForm,
    ReminderSettingForm,
    RemindForm,
    SendInvitationsForm,
)
from app.invitations.preview import build_preview
from app.letters.forms import options
from app.letters.permissions import Access, load_letter
from app.letters.views.common import commit
from app.models import Invitation, InvitationStatus, Letter, PartnerGroup, utcnow

PAGE_SIZE = 100
# Room for a pasted list of thousands of lines in one form field (see routes.py).
MAX_PASTE_BYTES = 8 * 1024 * 1024
SORTS = {
    "organization": Invitation.organization_name,
    "email": Invitation.canonical_email,
    "status": Invitation.status,
    "invited": Invitation.created_at,
    "opened": Invitation.opened_at,
    "answered": Invitation.answered_at,
}


def _lead_letter(slug: str) -> Letter:
    letter, _ = load_letter(slug, current_user, Access.lead)
    return letter


def _invitation(letter: Letter, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.letter_id != letter.id:
        abort(404)
    return invitation


@login_required
def index(slug: str):
    letter = _lead_letter(slug)
    args = request.args
    status = args.get("status", "")
    sort = args.get("sort", "invited") if args.get("sort") in SORTS else "invited"
    descending = args.get("dir", "desc" if sort == "invited" else "asc") == "desc"
    page = max(args.get("page", 1, type=db_int) or 1, 1)
    q = search_words(args.get("q"))

    query = sa.select(Invitation).where(Invitation.letter_id == letter.id)
    if status in InvitationStatus.__members__:
        query = query.where(Invitation.status == InvitationStatus(status))
    if q:
        pattern = contains_pattern(q.lower())
        query = query.where(
            sa.or_(
                Invitation.canonical_email.like(pattern, escape=LIKE_ESCAPE),
                sa.func.lower(Invitation.email).like(pattern, escape=LIKE_ESCAPE),
                sa.func.lower(Invitation.organization_name).like(pattern, escape=LIKE_ESCAPE),
                sa.func.lower(Invitation.contact_name).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    column = SORTS[sort]
    order = sa.nulls_last(column.desc() if descending else column.asc())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(order, Invitation.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    funnel = glance.funnel(letter)
    waiting = db.session.scalar(
        sa.select(sa.func.count()).select_from(reminders.not_answered(letter).subquery())
    )
    return render_template(
        "invitations/index.html", letter=letter, rows=rows, funnel=funnel, status=status,
        sort=sort, descending=descending, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        total=total, q=q, waiting=waiting,
        setting_form=ReminderSettingForm(days=letter.reminder_days_before),
        deadline_text=format_deadline(letter), statuses=list(InvitationStatus),
    )  # fmt: skip


def _book_form(letter: Letter) -> FromBookForm:
    form = FromBookForm(prefix="book")
    earlier = db.session.scalars(
        sa.select(Letter)
        .where(Letter.organization_id == letter.organization_id, Letter.id != letter.id)
        .order_by(Letter.created_at.desc())
    )
    form.signed_letter.choices = options([(0, "—")] + [(e.id, e.title) for e in earlier])
    groups = db.session.scalars(
        sa.select(PartnerGroup)
        .where(PartnerGroup.organization_id == letter.organization_id)
        .order_by(PartnerGroup.name)
    )
    form.group.choices = options([(0, "—")] + [(g.id, g.name) for g in groups])
    return form


@login_required
def new(slug: str):
    letter = _lead_letter(slug)
    form, book = AddInviteesForm(), _book_form(letter)
    if request.method == "POST" and request.form.get("from") == "book":
        if book.validate() and (people := _from_book(letter, book)) is not None:
            text = sources.as_lines(people)
            return show_preview(letter, parsing.parse_pasted(text), "paste", text)
    elif form.validate_on_submit():
        if form.upload.data:
            data = form.upload.data.read()
            parsed = parsing.parse_csv(data)
            # Echoed in the preview only when there is something to send.
            usable = not parsed.error and any(row.ok for row in parsed.rows)
            text = data.decode("utf-8-sig") if usable else ""
            return show_preview(letter, parsed, "csv", text)
        text = form.pasted.data
        return show_preview(letter, parsing.parse_pasted(text), "paste", text)
    return render_template("invitations/new.html", letter=letter, form=form, book=book)


def _from_book(letter: Letter, book: FromBookForm) -> list | None:
    if book.signed_letter.data:
        source = db.session.get(Letter, book.signed_letter.data)
        if source is None or source.organization_id != letter.organization_id:
            abort(404)
        return sources.signed_letter(letter.organization_id, source)
    if book.group.data:
        group = db.session.get(PartnerGroup, book.group.data)
        if group is None or group.organization_id != letter.organization_id:
            abort(404)
        return sources.group(group)
    flash("Choose a letter or a group from your address book.", "error")
    return None


def show_preview(
    letter: Letter,
    parsed: parsing.Parsed,
    kind: str,
    source: str,
    notice: str | None = None,
    message: str = "",
):
    """The preview page (also used by the address book's "invite picked rows")."""
    preview = build_preview(letter, parsed)
    # Not read from the request: after a correction or a change, the page carries the new
    # list and its new fingerprint, not the ones posted.
    form = SendInvitationsForm(
        formdata=None, source=source, kind=kind, fingerprint=preview.fingerprint, message=message
    )
    status = 422 if preview.error else 200
    return render_template(
        "invitations/preview.html", letter=letter, preview=preview, form=form, notice=notice,
        kind=kind, fixable=_fixable(preview, kind, source),
    ), status  # fmt: skip


# Skipped lines shown in an editable field; more than this are listed as text only.
MAX_FIXABLE = 200


def _fixable(preview, kind: str, source: str) -> dict[int, str]:  # noqa: ANN001
    """The skipped pasted lines as typed, by line number, to be corrected on the page."""
    if kind != "paste" or preview.error:
        return {}
    lines = source.splitlines()
    rows = [r for r in preview.skipped if 0 < r.line <= len(lines)][:MAX_FIXABLE]
    return {r.line: lines[r.line - 1] for r in rows}


@login_required
def repreview(slug: str):
    """The preview again, with the skipped lines as the lead corrected them on the page;
    the rest of the list and the message stay as they were."""
    letter = _lead_letter(slug)
    form = SendInvitationsForm()
    if form.kind.data != "paste" or not form.source.data:
        flash("The preview was incomplete. Please add the invitees again.", "error")
        return redirect(url_for(".new", slug=letter.slug))
    lines = form.source.data.splitlines()
    for number in range(1, len(lines) + 1):
        fixed = request.form.get(f"fix-{number}")
        if fixed is not None:
            # One line stays one line, whatever was typed into its field.
            lines[number - 1] = " ".join(fixed.split())
    text = "\n".join(lines)
    return show_preview(
        letter, parsing.parse_pasted(text), "paste", text, message=form.message.data or ""
    )


@login_required
def send(slug: str):
    letter = _lead_letter(slug)
    form = SendInvitationsForm()
    if not form.validate_on_submit():
        flash("The preview was incomplete. Please add the invitees again.", "error")
        return redirect(url_for(".new", slug=letter.slug))
    source = form.source.data
    parsed = (
        parsing.parse_csv(source.encode())
        if form.kind.data == "csv"
        else parsing.parse_pasted(source)
    )
    preview = build_preview(letter, parsed)
    if preview.fingerprint != form.fingerprint.data:
        notice = "Something changed since the preview (someone else invited or signed). Please check the list again."
        return show_preview(letter, parsed, form.kind.data, source, notice)
    try:
        count = operations.invite(
            letter, preview.invitable, message=form.message.data or "", inviter=current_user,
            actor=actor_from_request(),
        )  # fmt: skip
    except Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for(".index", slug=letter.slug))
    if not commit(
        "Someone invited some of the same people at the same moment. Please check the list again."
    ):
        return redirect(url_for(".new", slug=letter.slug))
    skipped = len(preview.skipped)
    flash(
        f"{count:,} invitation{'s' if count != 1 else ''} queued for sending."
        + (
            f" {skipped:,} row{'s' if skipped != 1 else ''} skipped, as the preview showed."
            if skipped
            else ""
        ),
        "success",
    )
    return redirect(url_for(".index", slug=letter.slug))


def _act(slug: str, invitation_id: int, action: str):
    letter = _lead_letter(slug)
    invitation = _invitation(letter, invitation_id)
    # The CSRF token was checked by CSRFProtect before this view ran.
    try:
        if action == "resend":
            operations.resend(invitation, inviter=current_user, actor=actor_from_request())
            done = f"The invitation to {invitation.email} will be sent again."
        else:
            operations.withdraw(invitation, actor=actor_from_request())
            done = f"The invitation to {invitation.email} is withdrawn."
    except Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        if commit():
            flash(done, "success")
    back = request.form.get("next", "")
    # Only back to a page of ours: a path, never another site ("//evil.example").
    if not (back.startswith("/letters/") and "//" not in back and "\\" not in back):
        back = url_for(".index", slug=letter.slug)
    return redirect(back)


@login_required
def resend(slug: str, invitation_id: int):
    return _act(slug, invitation_id, "resend")


@login_required
def withdraw(slug: str, invitation_id: int):
    return _act(slug, invitation_id, "withdraw")


@login_required
def remind(slug: str):
    letter = _lead_letter(slug)
    form = RemindForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            count = operations.remind(
                letter, batch=form.batch.data, inviter=current_user, actor=actor_from_request()
            )
        except Refused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
            return redirect(url_for(".index", slug=letter.slug))
        if commit():
            flash(
                f"{count:,} reminder{'s' if count != 1 else ''} queued."
                if count
                else "Nobody was left to remind.",
                "success",
            )
        return redirect(url_for(".index", slug=letter.slug))
    waiting = db.session.scalars(
        reminders.not_answered(letter).order_by(Invitation.organization_name, Invitation.id)
    ).all()
    form.batch.data = secrets.token_hex(16)
    return render_template("invitations/remind.html", letter=letter, waiting=waiting, form=form)


@login_required
def reminder_setting(slug: str):
    letter = _lead_letter(slug)
    form = ReminderSettingForm()
    if not form.validate_on_submit():
        flash(
            "Choose between 1 and 60 days, or leave the box empty for no automatic reminder.",
            "error",
        )
        return redirect(url_for(".index", slug=letter.slug))
    try:
        changed = operations.set_reminder_days(letter, form.days.data, actor=actor_from_request())
    except Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        if commit() and changed:
            days = form.days.data
            flash(
                f"An automatic reminder will go {days} day{'s' if days != 1 else ''} before the deadline."
                if days
                else "No automatic reminder.",
                "success",
            )
    return redirect(url_for(".index", slug=letter.slug))


@login_required
def chart_svg(slug: str):
    letter, _ = load_letter(slug, current_user)
    svg = render_template(
        "invitations/_chart.svg", chart=glance.chart(letter, utcnow()), standalone=True
    )
    return Response(svg, mimetype="image/svg+xml")
