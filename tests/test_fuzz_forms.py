"""Fuzzing the forms and token routes: never a 500, and nothing already saved changes."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.conftest import csrf_token, login

# Arbitrary Unicode (surrogates excluded: they cannot be sent as UTF-8), huge strings, empty
# strings, and control and bidi characters on their own.
NASTY = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300),
    st.sampled_from(
        ["", " ", "\x00", "\u202e", "\r\n", '=HYPERLINK("x")', "<script>", "a" * 20000]
    ),
    st.text(alphabet=st.sampled_from("\x00\x01\x1b\u202a\u202e\u2066\ufeff\u200b"), max_size=20),
)

FORMS = {
    "/auth/register": ("name", "email", "password", "organization", "next"),
    "/auth/login": ("email", "password", "next"),
    "/auth/reset": ("email",),
    "/auth/verify/resend": ("email",),
}
TOKEN_ROUTES = ("/auth/verify/{}", "/auth/reset/{}", "/orgs/join/{}")
SIGNED_IN_FORMS = {
    "/auth/account": ("current", "password", "confirm"),
    "/orgs/{org}/invite": ("email", "role"),
}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


TABLES = ("users", "organizations", "memberships", "account_tokens", "login_sessions")


def _snapshot(upto: dict[str, int] | None = None) -> tuple[dict[str, int], str]:
    """The highest id per table, and a digest of the rows up to it (new rows may be added,
    e.g. by a valid registration; rows saved before must not change)."""
    digest = hashlib.sha256()
    limits = {}
    for table in TABLES:
        limit = (upto or {}).get(table)
        if limit is None:
            query = f"SELECT coalesce(max(id), 0) FROM {table}"  # noqa: S608 - fixed names
            limit = db.session.execute(sa.text(query)).scalar()
        limits[table] = limit
        rows = db.session.execute(
            sa.text(f"SELECT * FROM {table} WHERE id <= :limit ORDER BY id"),  # noqa: S608
            {"limit": limit},
        ).all()
        digest.update(repr(rows).encode())
    return limits, digest.hexdigest()


def _unchanged(saved: tuple[dict[str, int], str]) -> bool:
    db.session.rollback()
    return _snapshot(saved[0])[1] == saved[1]


@pytest.fixture
def saved(make, app_ctx):
    make.user("lead@example.org")
    return _snapshot()


@pytest.mark.parametrize("path", sorted(FORMS))
def test_public_forms_never_fail_and_keep_saved_rows(app, client, saved, path):
    token = csrf_token(client, path)

    @FUZZ
    @given(values=st.fixed_dictionaries({name: NASTY for name in FORMS[path]}))
    def post(values):
        response = client.post(path, data={**values, "csrf_token": token})
        assert response.status_code < 500, (path, values)

    post()
    assert _unchanged(saved)


@FUZZ
@given(token=NASTY, method=st.sampled_from(["GET", "POST"]))
def test_token_routes_never_fail_and_change_nothing(app, client, saved, token, method):
    for pattern in TOKEN_ROUTES:
        path = pattern.format(token.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"))
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": csrf_token(client)})
        assert response.status_code < 500, (path, method)
    assert _unchanged(saved)


def test_invalid_utf8_in_the_query_string_is_not_an_error(client, saved):
    for path in ("/auth/login", "/auth/register", "/", "/healthz", "/auth/verify/abc"):
        # WSGI carries the raw query bytes as latin-1 characters.
        response = client.get(path, environ_overrides={"QUERY_STRING": "next=%ff%fe%00&x=\xff\xfe"})
        assert response.status_code < 500, path
    assert _unchanged(saved)


@pytest.mark.parametrize("path", sorted(SIGNED_IN_FORMS))
def test_signed_in_forms_never_fail(app, client, make, app_ctx, path):
    user = make.user("admin@example.org")
    org_id = user.memberships[0].organization_id
    login(client, "admin@example.org")
    url = path.format(org=org_id)
    token = csrf_token(client, "/orgs/")
    before = _snapshot()

    @FUZZ
    @given(values=st.fixed_dictionaries({name: NASTY for name in SIGNED_IN_FORMS[path]}))
    def post(values):
        response = client.post(url, data={**values, "csrf_token": token})
        assert response.status_code < 500, (url, values)

    post()
    # A fuzzed password change never matches the current password, so nothing changed.
    assert _unchanged(before)
