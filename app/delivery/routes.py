"""The delivery blueprint: every URL of the after-the-letter pages, in one table."""

from __future__ import annotations

from flask import Blueprint

from app.delivery import public_views, tracking, views  # noqa: F401 - tracking: the mail hook

bp = Blueprint("delivery", __name__, template_folder="templates")

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

RULES = (
    ("/letters/<slug>/deliver", "deliver", views.deliver, BOTH),
    ("/letters/<slug>/deliveries/record", "record", views.record, BOTH),
    ("/letters/<slug>/deliveries/<int:delivery_id>/proof", "proof", views.proof, GET),
    ("/letters/<slug>/deliveries/<int:delivery_id>/bounced", "bounced", views.bounced, POST),
    ("/letters/<slug>/responses/new", "response", views.response, BOTH),
    ("/letters/<slug>/responses/<int:response_id>/file", "response_file", views.response_file, GET),
    ("/letters/<slug>/updates/new", "update", views.update, BOTH),
    ("/letters/<slug>/follow-up", "follow_up", views.follow_up, BOTH),
    ("/l/<slug>/responses/<int:response_id>/file", "public_response_file",
     views.public_response_file, GET),
    ("/updates/stop/<token>", "opt_out", public_views.opt_out, BOTH),
)  # fmt: skip

for rule, endpoint, view, methods in RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.app_context_processor
def _delivery_helpers() -> dict:
    # For the letter's overview (the lead's record of what happened after the letter) and
    # the public page (its timeline), which include this feature's templates.
    from app.delivery.summary import after_the_letter
    from app.delivery.timeline import events

    return {"after_the_letter": after_the_letter, "letter_timeline": events}
