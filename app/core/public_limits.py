"""Rate limits on the anonymous pages that render a letter, per client address.

Rendering is cached by content hash, but a stranger can still ask for many letters, or for
one letter faster than any reader would: the public page, the sign pages, the count badge
and the API share one bucket per client (RATELIMIT_PUBLIC_PAGE); the public PDF, which may
run WeasyPrint, has a smaller one of its own (RATELIMIT_PUBLIC_PDF). The counters live in
the limiter's storage (Redis in production), so every worker counts together.
"""

from __future__ import annotations

from flask import current_app

from app.extensions import limiter

page = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_PUBLIC_PAGE"], scope="public-page", methods=["GET"]
)
pdf = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_PUBLIC_PDF"], scope="public-pdf", methods=["GET"]
)
