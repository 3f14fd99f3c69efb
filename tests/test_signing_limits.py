"""Rate limits on signing, confirming and resending: per client address and per letter."""

from __future__ import annotations

from tests.conftest import post_form
from tests.support.signing_factories import make_open_letter, sign_form, signatures_of


def sign(client, letter, n: int, address: str = "203.0.113.1"):
    return post_form(
        client, f"/l/{letter.slug}/sign", sign_form(email=f"person{n}@example.org"),
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def test_one_client_is_limited(client, make, config):
    config["RATELIMIT_SIGN"] = "2 per minute"
    letter = make_open_letter(make.user())
    assert [sign(client, letter, n).status_code for n in range(3)] == [200, 200, 429]
    assert "You have tried this too often" in sign(client, letter, 4).get_data(as_text=True)
    assert len(signatures_of(letter)) == 2
    assert sign(client, letter, 5, address="203.0.113.2").status_code == 200  # someone else


def test_one_letter_is_limited_across_clients(client, make, config):
    config["RATELIMIT_SIGN_PER_LETTER"] = "2 per minute"
    busy = make_open_letter(make.user(), title="Busy letter")
    quiet = make_open_letter(make.user(), title="Quiet letter")
    codes = [sign(client, busy, n, address=f"203.0.113.{n + 10}").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert sign(client, quiet, 9).status_code == 200


def test_confirming_and_resending_are_limited(client, make, config):
    letter = make_open_letter(make.user())
    sign(client, letter, 1)
    config["RATELIMIT_SIGN"] = "1 per minute"  # the confirm button shares the setting
    path = "/s/verify/not-a-real-token"
    token_from = f"/l/{letter.slug}/sign"
    first = post_form(client, path, {}, token_from=token_from)
    second = post_form(client, path, {}, token_from=token_from)
    assert (first.status_code, second.status_code) == (404, 429)

    config["RATELIMIT_SIGN"] = "100 per minute"
    config["RATELIMIT_RESEND"] = "1 per hour"
    resend = f"/l/{letter.slug}/sign/resend"
    codes = [post_form(client, resend, {"email": "person1@example.org"}).status_code for _ in "ab"]
    assert codes == [200, 429]
    assert post_form(client, resend, {"email": "other@example.org"}).status_code == 200
