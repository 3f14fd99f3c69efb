"""The publishing blueprint: exports, the public page, the count badge, the JSON API and the
manual order editor, every URL in one table."""

from __future__ import annotations

from flask import Blueprint

from app.publishing.views import exports, order, public, publish, share

bp = Blueprint("publishing", __name__, template_folder="templates")

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

RULES = (
    ("/letters/<slug>/export.<fmt>", "export", exports.export, GET),
    ("/letters/<slug>/exports", "exports", exports.index, GET),
    ("/letters/<slug>/publish", "publish", publish.confirm, BOTH),
    ("/letters/<slug>/order", "order", order.index, GET),
    ("/letters/<slug>/share/qr.<kind>", "share_qr", share.qr_code, GET),
    ("/letters/<slug>/order/manual", "order_start", order.start, POST),
    ("/letters/<slug>/order/<int:signature_id>/<direction>", "order_move", order.move, POST),
    ("/l/<slug>", "public_letter", public.public_letter, GET),
    ("/l/<slug>/letter.pdf", "public_pdf", public.public_pdf, GET),
    ("/l/<slug>/count.svg", "count_svg", public.count_svg, GET),
    ("/api/v1/letters/<slug>", "api_letter", public.api_letter, GET),
)

for rule, endpoint, view, methods in RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.app_context_processor
def _letters_helpers() -> dict:
    # For the letters feature's pages: the list as it will be frozen (finalize), the live
    # letter with its counts and next step, and the share panel (overview).
    from app.publishing.overview import overview_panel
    from app.publishing.share import qr_inline_svg, share_links
    from app.publishing.summary import finalize_summary
    from app.publishing.views.public import letter_fragment

    return {
        "finalize_summary": finalize_summary,
        "share_links": share_links,
        "share_qr_svg": qr_inline_svg,
        "overview_panel": overview_panel,
        "letter_fragment": letter_fragment,
    }
