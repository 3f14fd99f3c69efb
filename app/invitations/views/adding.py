"""Adding invitees: the first page (paste, file, address book) with its live check, the
preview with corrections in place, and the last step: invite; on a draft, open the letter
and invite in one click, or keep the invitations until it opens.

Nothing typed is lost on a refusal: the page comes back with the list, the message and the
reason (and, when the letter must change first, the link to change it).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app.actor import actor_from_request
from app.errors import Refused
from app.extensions import db
from app.invitations import drafts, operations, parsing, sources
from app.invitations.forms import AddInviteesForm, FromBookForm, SendInvitationsForm
from app.invitations.preview import Preview, build_preview
from app.letters.forms import options
from app.letters.lifecycle import TransitionRefused
from app.letters.permissions import Access, load_letter
from app.models import Letter, LetterStatus, PartnerGroup

# Room for a pasted list of thousands of lines in one form field (see routes.py).
MAX_PASTE_BYTES = 8 * 1024 * 1024
# The last step's buttons, by the `action` they post.
ACTIONS = ("send", "open", "hold")
# A file with nothing to send is echoed back (for corrections) only up to this size.
MAX_ECHO_BYTES = 256 * 1024
# Skipped lines shown in an editable field; more than this are listed as text only.
MAX_FIXABLE = 200
# Rows the live check sends back to be shown (the counts are always whole).
LIVE_ROWS = 200
CHANGED = (
    "Something changed since the preview (someone else invited or signed). "
    "Please check the list again."
)
RACE = "Someone invited some of the same people at the same moment. Please check the list again."


def _lead_letter(slug: str) -> Letter:
    letter, _ = load_letter(slug, current_user, Access.lead)
    return letter


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def buttons(letter: Letter, count: int) -> dict[str, str]:
    """The last step's buttons for `letter` and `count` invitees: action -> label."""
    if letter.archived:
        return {}
    if letter.status is LetterStatus.open:
        return {"send": f"Invite {_plural(count, 'organization')}"}
    if letter.status is LetterStatus.draft:
        return {
            "open": f"Open the letter and send {_plural(count, 'invitation')}",
            "hold": "Keep them: send when the letter opens",
        }
    return {}


def no_buttons_reason(letter: Letter) -> str | None:
    """Why the last step offers no button, when it offers none."""
    if letter.archived:
        return "This letter is archived. Unarchive it before inviting partners."
    if letter.status not in (LetterStatus.open, LetterStatus.draft):
        return (
            f"This letter is {letter.status.value}: invitations can be sent only while it is "
            "open for sign-on."
        )
    return None


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
        message = form.message.data or ""
        if form.upload.data:
            data = form.upload.data.read()
            parsed = parsing.parse_csv(data)
            # Echoed in the preview when there is something to send, or (to correct its
            # rows in place) when it is small: never a huge file that is not a list.
            usable = any(row.ok for row in parsed.rows)
            small = len(data) <= MAX_ECHO_BYTES and parsed.rows
            text = data.decode("utf-8-sig") if not parsed.error and (usable or small) else ""
            return show_preview(letter, parsed, "csv", text, message=message)
        text = form.pasted.data
        parsed = parsing.parse_pasted(text)
        action = request.form.get("action")
        if action in ACTIONS and form.fingerprint.data:
            # The live check showed this list: its last step was taken from this page.
            return carry_out(letter, parsed, "paste", text, message, form.fingerprint.data, action)
        return show_preview(letter, parsed, "paste", text, message=message)
    return render_template(
        "invitations/new.html", letter=letter, form=form, book=book,
        buttons=buttons(letter, 0), no_buttons=no_buttons_reason(letter),
    )  # fmt: skip


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
    *,
    fix: tuple[str, str] | None = None,
    status: int | None = None,
):
    """The preview page (also used by the address book's "invite picked rows")."""
    preview = build_preview(letter, parsed)
    # Not read from the request: after a correction or a change, the page carries the new
    # list and its new fingerprint, not the ones posted.
    form = SendInvitationsForm(
        formdata=None, source=source, kind=kind, fingerprint=preview.fingerprint, message=message
    )
    if status is None:
        status = 422 if preview.error else 200
    return render_template(
        "invitations/preview.html", letter=letter, preview=preview, form=form, notice=notice,
        kind=kind, fixable=_fixable(preview, kind, source), fix=fix,
        buttons=buttons(letter, len(preview.invitable)), no_buttons=no_buttons_reason(letter),
    ), status  # fmt: skip


def source_lines(kind: str, source: str) -> list[str]:
    """The lines of `source` as the parser numbers them (a CSV reader breaks lines only at
    CR and LF; a paste at every line boundary Python knows)."""
    return re.split(r"\r\n|\r|\n", source) if kind == "csv" else source.splitlines()


def _fixable(preview: Preview, kind: str, source: str) -> dict[int, str]:
    """The skipped lines as typed, by line number, to be corrected on the page."""
    if preview.error or not source:
        return {}
    lines = source_lines(kind, source)
    rows = [
        r
        for r in preview.skipped
        if 0 < r.line <= len(lines) and len(lines[r.line - 1]) <= parsing.MAX_LINE
    ]
    if kind == "csv":
        # A row with a quote may run over several lines: it is listed, not edited.
        rows = [r for r in rows if '"' not in lines[r.line - 1]]
    return {r.line: lines[r.line - 1] for r in rows[:MAX_FIXABLE]}


def _parse(kind: str, source: str) -> parsing.Parsed:
    return parsing.parse_csv(source.encode()) if kind == "csv" else parsing.parse_pasted(source)


@login_required
def repreview(slug: str):
    """The preview again, with the skipped lines as the lead corrected them on the page;
    the rest of the list and the message stay as they were."""
    letter = _lead_letter(slug)
    form = SendInvitationsForm()
    kind = form.kind.data
    if kind not in ("paste", "csv") or not form.source.data:
        flash("The preview was incomplete. Please add the invitees again.", "error")
        return redirect(url_for(".new", slug=letter.slug))
    lines = source_lines(kind, form.source.data)
    for number in range(1, len(lines) + 1):
        fixed = request.form.get(f"fix-{number}")
        if fixed is not None:
            # One line stays one line, whatever was typed into its field.
            lines[number - 1] = " ".join(fixed.split())
    text = "\n".join(lines)
    return show_preview(letter, _parse(kind, text), kind, text, message=form.message.data or "")


@login_required
def send(slug: str):
    letter = _lead_letter(slug)
    form = SendInvitationsForm()
    source, kind = form.source.data, form.kind.data
    if not form.validate_on_submit():
        if source and kind in ("paste", "csv"):
            # A message too long, an expired form: the page again, with everything typed.
            why = next(iter(form.errors.values()), ["The form is out of date."])[0]
            return show_preview(
                letter, _parse(kind, source), kind, source, notice=why,
                message=request.form.get("message", ""), status=422,
            )  # fmt: skip
        flash("The preview was incomplete. Please add the invitees again.", "error")
        return redirect(url_for(".new", slug=letter.slug))
    action = request.form.get("action", "send")
    return carry_out(
        letter, _parse(kind, source), kind, source, form.message.data or "",
        form.fingerprint.data, action if action in ACTIONS else "send",
    )  # fmt: skip


def _fix_link(letter: Letter, refusal: Refused) -> tuple[str, str] | None:
    """Where to put right what stopped the last step."""
    if isinstance(refusal, TransitionRefused):
        return url_for("letters.edit", slug=letter.slug), "Edit the letter"
    if "deadline" in str(refusal):
        return url_for("letters.settings", slug=letter.slug), "Change the deadline in the settings"
    if letter.archived:
        return url_for("letters.overview", slug=letter.slug), "Go to the letter"
    return None


def carry_out(
    letter: Letter,
    parsed: parsing.Parsed,
    kind: str,
    source: str,
    message: str,
    fingerprint: str,
    action: str,
):
    """The last step: invite, open and invite, or hold, exactly the rows previewed."""
    preview = build_preview(letter, parsed)
    if preview.error or preview.fingerprint != fingerprint:
        return show_preview(letter, parsed, kind, source, CHANGED, message)
    rows, actor = preview.invitable, actor_from_request()
    try:
        if action == "hold":
            count = drafts.hold(letter, rows, message=message, actor=actor)
        elif action == "open":
            count = drafts.open_and_invite(
                letter, rows, message=message, inviter=current_user, actor=actor
            )
        else:
            count = operations.invite(
                letter, rows, message=message, inviter=current_user, actor=actor
            )
        db.session.commit()
    except Refused as refusal:
        db.session.rollback()
        return show_preview(
            letter, parsed, kind, source, str(refusal), message,
            fix=_fix_link(letter, refusal), status=409,
        )  # fmt: skip
    except IntegrityError:
        db.session.rollback()
        return show_preview(letter, parsed, kind, source, RACE, message, status=409)
    skipped = len(preview.skipped)
    said = {
        "hold": f"{_plural(count, 'invitation')} kept: they will be sent when the letter opens.",
        "open": f"The letter is open. {_plural(count, 'invitation')} queued for sending.",
        "send": f"{_plural(count, 'invitation')} queued for sending.",
    }[action]
    if skipped:
        said += f" {_plural(skipped, 'row')} skipped, as the preview showed."
    flash(said, "success")
    return redirect(url_for(".index", slug=letter.slug))


def live_summary(letter: Letter, preview: Preview) -> dict:
    """What the live check answers: the counts in words, the rows, the final buttons."""
    if preview.error:
        return {"error": preview.error, "invitable": 0, "skipped": 0, "rows": [], "buttons": {}}
    good, bad = preview.invitable, preview.skipped
    summary = f"{_plural(len(good), 'organization')} will be invited"
    summary += " (nobody yet)." if not good and not bad else ""
    if bad:
        listed = "; ".join(f"line {r.line}: {r.problem}" for r in bad[:5])
        more = f"; and {len(bad) - 5:,} more" if len(bad) > 5 else ""
        summary += f"; {_plural(len(bad), 'line')} skipped: {listed}{more}."
    elif good:
        summary += "."
    return {
        "error": None,
        "invitable": len(good),
        "skipped": len(bad),
        "summary": summary,
        "fingerprint": preview.fingerprint,
        "rows": [
            {
                "line": r.line,
                "organization": r.organization,
                "contact": r.contact,
                "email": r.email,
                "problem": r.problem,
            }
            for r in (bad + good)[:LIVE_ROWS]
        ],
        "buttons": buttons(letter, len(good)) if good else {},
        "no_buttons": no_buttons_reason(letter),
    }


@login_required
def check(slug: str):
    """The live preview of a paste (JSON): the same parser and checks as the preview page.
    POST with the page's CSRF token; the request size is capped in routes.py."""
    letter = _lead_letter(slug)
    text = (request.form.get("pasted") or "").strip()
    return jsonify(live_summary(letter, build_preview(letter, parsing.parse_pasted(text))))
