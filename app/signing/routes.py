"""The signing blueprint: every URL of sign-on, confirmation, manage and the lead's list."""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from app.signing import limits, queries, times
from app.signing.views import erase, lead, public, signer

bp = Blueprint("signing", __name__, template_folder="templates")

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

RULES = (
    # Signers (no account). Links in emails open pages; every change is a button (POST).
    ("/l/<slug>/sign", "sign_open", public.sign_open, BOTH),
    ("/l/<slug>/sign/individual", "sign_individual", public.sign_individual, BOTH),
    ("/l/<slug>/sign/resend", "resend", public.resend, BOTH),
    ("/s/<token>", "invitation", public.sign_invited, BOTH),
    ("/s/<token>/opened", "opened", public.opened, POST),
    ("/s/verify/<token>", "verify", signer.verify, BOTH),
    ("/s/manage/<token>", "manage", signer.manage, BOTH),
    ("/s/manage/<token>/withdraw", "withdraw", signer.withdraw, POST),
    ("/s/manage/<token>/reconfirm", "reconfirm", signer.reconfirm, BOTH),
    ("/s/named/<token>", "naming", signer.naming, BOTH),
    # The lead organization.
    ("/letters/<slug>/signatures", "signatures", lead.index, GET),
    ("/letters/<slug>/signatures.csv", "signatures_csv", lead.csv_download, GET),
    ("/letters/<slug>/signatures/bulk", "bulk", lead.bulk, POST),
    ("/letters/<slug>/signatures/<int:signature_id>", "signature", lead.detail, BOTH),
    ("/letters/<slug>/signatures/<int:signature_id>/<action>", "act", lead.act, POST),
    ("/letters/<slug>/erase-contacts", "erase_contacts", erase.erase_contacts, BOTH),
)

for rule, endpoint, view, methods in RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)
# The lead's labelled counts, for the letter's overview ("at a glance") as well.
bp.add_app_template_global(queries.lead_summary, "signature_summary")
bp.add_app_template_filter(times.short_time, "short_time")
bp.add_app_template_filter(times.iso_time, "iso_time")


@bp.app_context_processor
def _roll() -> dict:
    from app.signing.roll import signed_so_far

    return {"signed_so_far": signed_so_far}


@bp.record_once
def _settings(state: BlueprintSetupState) -> None:
    # Until config.py names them: how long a confirmation link works, and the rate limits.
    config = state.app.config
    config.setdefault("SIGNATURE_VERIFY_HOURS", 72)
    # A lead's decision email (rejected, merged) waits this long, so an undo can stop it.
    config.setdefault("SIGNING_DECISION_EMAIL_DELAY_MINUTES", 10)
    config.setdefault("SIGNATURE_NAMING_DAYS", 30)
    defaults = limits.TESTING if config.get("TESTING") else limits.DEFAULTS
    for key, value in defaults.items():
        config.setdefault(key, value)
