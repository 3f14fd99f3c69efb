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
from app.invitations import glance, listing, operations, reminders
from app.invitations.deadline import format_deadline
from app.invitations.forms import (
    ReminderSettingForm,
    RemindForm,
)
from app.letters.permissions import Access, load_letter
from app.letters.views.common import commit
from app.models import Invitation, InvitationStatus, Letter, utcnow

PAGE_SIZE = 100
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
    # The figures and the rows from one statement: they follow the outbox together.
    found = listing.read(letter, query, order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    rows, funnel, total = found.rows, found.funnel, found.total
    waiting = db.session.scalar(
        sa.select(sa.func.count()).select_from(reminders.not_answered(letter).subquery())
    )
    return render_template(
        "invitations/index.html", letter=letter, rows=rows, funnel=funnel, status=status,
        sort=sort, descending=descending, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        total=total, q=q, waiting=waiting,
        setting_form=ReminderSettingForm(days=letter.reminder_days_before),
        deadline_text=format_deadline(letter), statuses=list(InvitationStatus),
        can_remind=operations.can_remind(letter, utcnow()),
    )  # fmt: skip


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
    if request.method == "GET" and not operations.can_remind(letter, utcnow()):
        state = "archived" if letter.archived else letter.status.value
        if state == "open":
            state = "past its deadline"
        flash(f"Reminders go only while the letter is open for sign-on; it is {state}.", "error")
        return redirect(url_for(".index", slug=letter.slug))
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
