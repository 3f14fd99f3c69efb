"""WSGI middleware that runs before Flask sees a request."""

from __future__ import annotations

from urllib.parse import quote

# Characters a query string may carry as they are; everything else gets percent-encoded.
_QUERY_SAFE = "&=+%;/:?@!$'()*,~-._"


class QueryStringGuard:
    """Percent-encode raw non-ASCII bytes in the query string.

    Browsers always encode them, but a hand-made request can send bytes that are not UTF-8;
    Werkzeug would fail to decode them and answer 500. Encoded, they parse like any bad input.
    """

    def __init__(self, app):  # noqa: ANN001 - any WSGI app
        self.app = app

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204
        query = environ.get("QUERY_STRING", "")
        if query and not query.isascii():
            raw = query.encode("latin-1", "replace")
            environ["QUERY_STRING"] = quote(raw, safe=_QUERY_SAFE)
        return self.app(environ, start_response)
