"""Dashboard, new letter, overview, settings, lifecycle buttons, finalize and print preview."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app import workflow
from app.actor import actor_from_request
from app.core.params import db_int
from app.errors import Refused
from app.extensions import db
from app.letters import lifecycle, operations
from app.letters.collaborators import co_lead_organizations
from app.letters.forms import (
    FinalizeForm,
    NewLetterForm,
    SettingsForm,
    SignForOrganizationForm,
    options,
)
from app.letters.lifecycle import Transition
from app.letters.permissions import Access, can_view, load_letter, visible_letters_query
from app.letters.printing import build_printed, locale_choices, time_zone_choices
from app.letters.text import LetterText
from app.letters.views.common import commit, refuse
from app.models import DateMode, Letter, SignatoryOrder, utcnow
from app.urls import external_url

STAGES = {
    "draft": "Drafts",
    "open": "Open for sign-on",
    "closed": "Closed",
    "final": "Final",
    "archived": "Archived",
}
DONE = {
    Transition.open: "The letter is open for sign-on.",
    Transition.close: "Sign-on is closed.",
    Transition.reopen: "Sign-on is open again.",
    Transition.archive: "The letter is archived.",
    Transition.unarchive: "The letter is back from the archive.",
    Transition.publish: "The letter is published.",
    Transition.unpublish: "The letter is no longer published.",
}


@login_required
def dashboard() -> ResponseReturnValue:
    found = db.session.scalars(
        visible_letters_query(current_user).order_by(Letter.updated_at.desc())
    ).all()
    groups: dict[str, list[Letter]] = {stage: [] for stage in STAGES}
    for letter in found:
        groups[letter.stage].append(letter)
    return render_template("letters/dashboard.html", groups=groups, stages=STAGES)


@login_required
def new() -> ResponseReturnValue:
    organizations = current_user.organizations
    if not organizations:
        flash("Create or join an organization before starting a letter.", "info")
        return redirect(url_for("orgs.home"))
    earlier = db.session.scalars(
        visible_letters_query(current_user).order_by(Letter.created_at.desc())
    ).all()
    form = NewLetterForm()
    form.organization.choices = options([(o.id, o.name) for o in organizations])
    form.copy_from.choices = options(
        [(0, "A blank letter")]
        + [(e.id, f"A copy of “{e.title}” ({STAGES[e.stage].lower()})") for e in earlier]
    )
    copy = request.args.get("copy", type=db_int)
    if request.method == "GET" and copy is not None:
        form.copy_from.data = copy
    if form.validate_on_submit():
        organization = next(o for o in organizations if o.id == form.organization.data)
        source = db.session.get(Letter, form.copy_from.data) if form.copy_from.data else None
        if source is not None and not can_view(source, current_user):
            abort(404)
        letter = operations.create_letter(
            organization=organization, title=form.title.data, actor=actor_from_request(),
            copy_from=source,
        )  # fmt: skip
        if commit():
            flash("Letter started. Write its text below.", "success")
            return redirect(url_for(".edit", slug=letter.slug))
    return render_template("letters/new.html", form=form)


@login_required
def overview(slug: str) -> ResponseReturnValue:
    letter, level = load_letter(slug, current_user)
    latest = operations.latest_version(letter)
    now = utcnow()
    text = LetterText.from_version(latest)
    actions = lifecycle.available(letter, text=text, now=now) if level >= Access.lead else []
    if Transition.close in actions:
        # The finalize page of an open letter closes sign-on in the same submission.
        actions.insert(actions.index(Transition.close) + 1, Transition.finalize)
    open_blocker = None
    if letter.status.value == "draft" and not letter.archived:
        open_blocker = lifecycle.refusal(letter, Transition.open, text=text, now=now)
    return render_template(
        "letters/overview.html", letter=letter, level=level, Access=Access, latest=latest,
        printed=build_printed(letter, latest, now), actions=actions, labels=lifecycle.LABELS,
        open_blocker=open_blocker, co_lead_signing=_co_lead_signing(letter),
        sign_form=SignForOrganizationForm(),
    )  # fmt: skip


def _co_lead_signing(letter: Letter) -> list[tuple[object, object]]:
    """(organization, its signature or None) for each co-lead the person is a member of,
    while the list can still change."""
    from app.signing.organization import organization_signature

    if letter.status.value not in ("open", "closed") or letter.archived:
        return []
    mine = {o.id for o in current_user.organizations}
    return [
        (org, organization_signature(letter, org.id))
        for org in co_lead_organizations(letter)
        if org.id in mine
    ]


@login_required
def sign_for(slug: str, organization_id: int) -> ResponseReturnValue:
    """A co-lead's one-click "Sign for <organization>", by a member of that organization."""
    from app.signing.organization import sign_for_organization

    letter, _ = load_letter(slug, current_user)
    organization = next((o for o in co_lead_organizations(letter) if o.id == organization_id), None)
    if organization is None or organization.id not in {o.id for o in current_user.organizations}:
        abort(404)
    form = SignForOrganizationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sign_for_organization(
            letter, organization, actor=actor_from_request(), attested=form.authorized.data
        )
    except Refused as refusal:
        refuse(refusal.message)
    else:
        if commit():
            flash(f"{organization.name} signs this letter: it is listed.", "success")
    return redirect(url_for(".overview", slug=letter.slug))


def _settings_data(letter: Letter) -> dict:
    deadline = None
    if letter.deadline_at is not None:
        local = letter.deadline_at.astimezone(ZoneInfo(letter.time_zone))
        deadline = local.replace(tzinfo=None)
    data = {name: getattr(letter, name) for name in operations.SETTINGS if name != "deadline_at"}
    data |= {
        "date_mode": letter.date_mode.value,
        "signatory_order": letter.signatory_order.value,
        "deadline": deadline,
    }
    return data


def _settings_values(form: SettingsForm) -> dict:
    values = {name: form[name].data for name in operations.SETTINGS if name in form}
    values["title"] = form.title.data.strip()
    values["slug"] = form.slug.data.strip()
    lines = (line.strip() for line in (form.signature_block.data or "").splitlines())
    values["signature_block"] = "\n".join(line for line in lines if line)
    values["date_mode"] = DateMode(form.date_mode.data)
    values["signatory_order"] = SignatoryOrder(form.signatory_order.data)
    if values["date_mode"] is DateMode.on_finalize:
        values["letter_date"] = None
    deadline: datetime | None = form.deadline.data
    values["deadline_at"] = (
        deadline.replace(tzinfo=ZoneInfo(form.time_zone.data)) if deadline else None
    )
    return values


@login_required
def settings(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    slug_locked = letter.opened_at is not None
    form = SettingsForm(data=_settings_data(letter))
    form.locale.choices = options(locale_choices())
    form.time_zone.choices = options(time_zone_choices(letter.time_zone))
    if slug_locked:
        form.slug.data = letter.slug  # shown read-only; what was posted does not count
    if form.validate_on_submit():
        try:
            changed = workflow.update_settings(
                letter, _settings_values(form), actor=actor_from_request()
            )
        except Refused as refusal:
            refuse(refusal.message)
        else:
            if commit("Another letter took this address at the same moment. Choose another."):
                flash("Settings saved." if changed else "Nothing changed.", "success")
                return redirect(url_for(".settings", slug=letter.slug))
    return render_template(
        "letters/settings.html", letter=letter, form=form, slug_locked=slug_locked
    )


@login_required
def transition(slug: str, action: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user, Access.lead)
    try:
        which = Transition(action)
    except ValueError:
        abort(404)
    if which is Transition.finalize:
        return redirect(url_for(".finalize", slug=letter.slug))
    if which is Transition.publish:  # publishing is confirmed on a page of its own
        return redirect(url_for("publishing.publish", slug=letter.slug))
    try:
        workflow.move(letter, which, actor=actor_from_request())
    except Refused as refusal:
        refuse(refusal.message)
    else:
        if commit():
            flash(DONE[which], "success")
    return redirect(url_for(".overview", slug=letter.slug))


@login_required
def finalize(slug: str) -> ResponseReturnValue:
    """Finalize in one submission: an open letter is closed first, and the public page can
    go up with it (see `workflow.close_finalize_publish`)."""
    letter, _ = load_letter(slug, current_user, Access.lead)
    form = FinalizeForm()
    error = None
    if form.validate_on_submit():
        try:
            done = workflow.close_finalize_publish(
                letter,
                actor=actor_from_request(),
                confirmed=form.confirm.data,
                include_unconfirmed=form.include_unconfirmed.data,
                publish_it=form.publish.data,
            )
        except Refused as refusal:
            db.session.rollback()
            error = refusal.message
        else:
            if commit():
                flash(_finalized_message(letter, done), "success")
                return redirect(url_for(".overview", slug=letter.slug))
    latest = operations.latest_version(letter)
    blocker = error or _finalize_blocker(letter)
    from app.publishing.summary import finalize_summary
    from app.signing.organization import lead_signature

    summary = finalize_summary(letter) if letter.status.value != "final" else None
    if summary and summary.unconfirmed:
        names = ", ".join(s.display_name for s in summary.unconfirmed)
        count = len(summary.unconfirmed)
        form.include_unconfirmed.label.text = (
            f"Also list the {count} who did not confirm the final text: {names}"
        )
    public_url = external_url("publishing.public_letter", slug=letter.slug)
    form.publish.label.text = f"Publish it at {public_url} once final"
    return render_template(
        "letters/finalize.html", letter=letter, form=form, latest=latest, blocker=blocker,
        error=error, summary=summary, lead_listed=lead_signature(letter) is not None,
        public_url=public_url,
    ), (409 if error else 200)  # fmt: skip


def _finalize_blocker(letter: Letter) -> str | None:
    # An open letter is closed by the same submission, so only what stops closing counts.
    if letter.status.value == "open":
        return lifecycle.refusal(letter, Transition.close)
    return lifecycle.refusal(letter, Transition.finalize, confirmed=True)


def _finalized_message(letter: Letter, done: workflow.Finalized) -> str:
    message = f"The letter is final (version {letter.final_version_number})."
    if done.closed:
        message = f"Sign-on is closed. {message}"
    if done.published:
        address = external_url("publishing.public_letter", slug=letter.slug)
        message += f" It is published at {address}."
        if done.told_published:
            n = done.told_published
            message += f" {n} signator{'y was' if n == 1 else 'ies were'} told."
    return message


@login_required
def preview(slug: str) -> ResponseReturnValue:
    letter, _ = load_letter(slug, current_user)
    number = request.args.get("version", type=db_int)
    if number is None and letter.final_version_number is not None:
        number = letter.final_version_number
    version = (
        operations.get_version(letter, number) if number else operations.latest_version(letter)
    )
    if version is None:
        abort(404)
    # Publishing hook: the preview renders the same FinalLetter as every export (with the
    # list as it stands, or as frozen), so what the lead checks here is what gets sent.
    from app.letters.markdown import render_body
    from app.publishing.store import preview_letter

    return render_template(
        "letters/preview.html",
        letter=letter,
        fl=preview_letter(letter, version),
        removed=render_body(version.body).removed,
    )
