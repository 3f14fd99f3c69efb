"""Fuzzing the sign forms and the signer links: never a 500, and a refused sign-on leaves
nothing behind (no signature, no email)."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import OutboxMessage, Signature
from app.signing import links
from tests.conftest import csrf_token
from tests.support.signing_factories import make_open_letter, make_signature, sign_form

NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e",
            "\r\n",
            "=1+1",
            "+1",
            "@x",
            "www.x.org",
            "https://x.example",
            "<script>",
            "a" * 5000,
            "StoptheDrugWar.org",
        ]
    ),  # fmt: skip
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = ("organization_name", "acronym", "website", "country", "signer_name", "signer_title",
          "email", "note_to_lead", "fax_number", "version")  # fmt: skip


def _counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Signature)),
        db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)),
    )


def test_the_sign_form_never_fails_and_refusals_leave_nothing(app, client, make):
    letter = make_open_letter(make.user(), individuals_allowed=True)
    path = f"/l/{letter.slug}/sign"
    token = csrf_token(client, path)

    @FUZZ
    @given(
        values=st.fixed_dictionaries({name: NASTY for name in FIELDS}),
        field=st.sampled_from(FIELDS),
    )
    def post(values, field):
        # Half the time a valid form with one nasty field, half the time everything nasty.
        data = sign_form(**{field: values[field]}) if len(values[field]) % 2 else values
        before = _counts()
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code < 500, data
        if response.status_code != 200:
            assert _counts() == before, (response.status_code, data)

    post()


@FUZZ
@given(token=NASTY)
def test_signer_links_never_fail(app, client, app_ctx, token):
    safe = token.replace("/", "%2F").replace("?", "%3F").replace("#", "%23") or "x"
    for path in (f"/s/{safe}", f"/s/verify/{safe}", f"/s/manage/{safe}",
                 f"/s/manage/{safe}/reconfirm"):  # fmt: skip
        assert client.get(path).status_code < 500, path
        form = {"csrf_token": csrf_token(client), "version": token[:20] or "²"}
        assert client.post(path, data=form).status_code < 500, path


def test_manage_form_never_fails(app, client, make):
    letter = make_open_letter(make.user())
    signature = make_signature(letter)
    raw = links.reissue_manage_token(signature)
    db.session.commit()
    path = f"/s/manage/{raw}"
    token = csrf_token(client, path)

    @FUZZ
    @given(values=st.fixed_dictionaries(
        {n: NASTY for n in ("organization_name", "acronym", "signer_name", "signer_title",
                            "country", "affiliation")}))  # fmt: skip
    def post(values):
        response = client.post(path, data={**values, "csrf_token": token})
        assert response.status_code < 500, values

    post()
