"""Error pages that look like the rest of the site, and JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Page not found", "There is no page at this address, or you cannot see it."),
    405: ("Not allowed", "That action is not available on this page."),
    413: ("Too large", "What you sent is larger than we accept."),
    429: (
        "Too many requests",
        "You have tried this too often. Please wait a little and try again.",
    ),
    500: (
        "Something went wrong",
        "An error on our side stopped this request. Nothing was half-saved; please try again.",
    ),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, ("Error", "Something went wrong."))
    if request.path.startswith("/api/"):
        return jsonify(error=title, message=detail or message), code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(
            400,
            "This form has expired or was not sent from our page. Please reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return _render(429)
        return _render(error.code)

    @app.errorhandler(InternalServerError)
    def _server(error: InternalServerError):
        from app.extensions import db

        db.session.rollback()
        return _render(500)
