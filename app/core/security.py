"""Response headers that every page gets."""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        own_policy = "Content-Security-Policy" in response.headers
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not own_policy:
            # A route with its own policy (the embeddable count) decides its own framing.
            response.headers.setdefault("X-Frame-Options", "DENY")
        # Token links (/s/<token>) must never leak to other sites through the Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("HSTS"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
