"""Response headers that every page gets."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


# Pages no browser, proxy or shared computer may keep a copy of (`Cache-Control: no-store`):
# pages opened from a token link (the link is the key: a cached copy would outlive it), and
# the lead's pages holding partners' names, addresses and consent details.
NO_STORE_PATHS = ("/s/",)  # every signer's token page: sign, verify, manage, decline
NO_STORE_BLUEPRINTS = {
    "auth",  # verify and reset links, the account page
    "orgs",  # colleague invitation links, members' addresses
    "invitations",  # invitees and the partners' address book
    "mail",  # the development mailbox
}
NO_STORE_ENDPOINTS = {
    "letters.join",
    "letters.collaborators",
    "signing.signatures",
    "signing.signature",
    "signing.signatures_csv",
    "publishing.exports",
    "publishing.export",
}


def wants_no_store() -> bool:
    endpoint = request.endpoint or ""
    return (
        request.path.startswith(NO_STORE_PATHS)
        or request.blueprint in NO_STORE_BLUEPRINTS
        or endpoint in NO_STORE_ENDPOINTS
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
        if wants_no_store() and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("HSTS"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
