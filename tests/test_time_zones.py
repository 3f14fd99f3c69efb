"""Time zones: the organization's (from the browser at registration, editable) is where its
new letters start; the picker lists common zones first with plain names and hides legacy
aliases; deadlines are shown with their weekday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.core.zones import time_zone_choices
from app.extensions import db
from app.models import Organization, Role, User
from tests.conftest import login, post_form
from tests.letters_support import make_letter
from tests.support.signing_factories import make_open_letter


def test_the_picker_lists_common_zones_first_and_hides_legacy_aliases():
    choices = time_zone_choices()
    assert choices[0] == ("America/New_York", "Eastern Time (US) — America/New_York")
    zones = [z for z, _ in choices]
    assert len(zones) == len(set(zones))
    assert zones.index("UTC") < zones.index("Africa/Abidjan")
    for legacy in ("US/Eastern", "EST5EDT", "Asia/Calcutta", "GB", "Etc/UTC", "Etc/GMT"):
        assert legacy not in zones
    # Fixed offsets stay, last, named the usual way ("anywhere on Earth" is UTC−12).
    assert dict(choices)["Etc/GMT+12"] == "Fixed offset UTC−12 — Etc/GMT+12"
    assert zones.index("Pacific/Wake") < zones.index("Etc/GMT+12") < zones.index("Etc/GMT-14")
    assert "Asia/Kolkata" in zones and "America/Argentina/Cordoba" in zones
    # A letter already in a legacy zone keeps it selectable.
    assert "US/Eastern" in [z for z, _ in time_zone_choices("US/Eastern")]
    assert "Mars/Olympus" not in [z for z, _ in time_zone_choices("Mars/Olympus")]


def _register(client, time_zone: str):
    return post_form(
        client,
        "/auth/register",
        {
            "name": "Amina Yusuf",
            "email": "amina@example.org",
            "password": "a long enough password",
            "organization": "Friends of Angola",
            "time_zone": time_zone,
        },
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("Africa/Luanda", "Africa/Luanda"), ("Mars/Olympus", "UTC"), ("", "UTC"), ("x" * 500, "UTC")],
)
def test_registration_takes_the_browsers_zone_when_it_is_one(app, client, sent, kept):
    assert _register(client, sent).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Organization.time_zone)) == kept


def test_new_letters_start_in_the_organizations_zone(app_ctx, make):
    org = make.organization("Friends of Angola", time_zone="Africa/Luanda")
    lead = make.user("amina@example.org", organization=org)
    assert make_letter(lead).time_zone == "Africa/Luanda"


def test_an_admin_changes_the_zone_on_the_organization_page(app_ctx, client, make):
    org = make.organization("Friends of Angola")
    admin = make.user("amina@example.org", organization=org)
    member = make.user("joao@example.org", organization=org, role=Role.member)
    login(client, admin.email)
    page = client.get("/orgs/").get_data(as_text=True)
    assert '<option value="America/New_York">Eastern Time (US) — America/New_York</option>' in page
    response = post_form(
        client, f"/orgs/{org.id}/time-zone", {"time_zone": "Africa/Luanda"}, token_from="/orgs/"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, org.id).time_zone == "Africa/Luanda"
    bad = post_form(
        client, f"/orgs/{org.id}/time-zone", {"time_zone": "Mars/Olympus"}, token_from="/orgs/"
    )
    assert bad.status_code == 302
    assert "Choose a time zone from the list." in client.get("/orgs/").get_data(as_text=True)

    other = client.application.test_client()
    login(other, member.email)
    assert "Time zone: Africa/Luanda" in other.get("/orgs/").get_data(as_text=True)
    refused = post_form(
        other, f"/orgs/{org.id}/time-zone", {"time_zone": "UTC"}, token_from="/orgs/"
    )
    assert refused.status_code == 403
    assert db.session.get(Organization, org.id).time_zone == "Africa/Luanda"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_deadlines_show_their_weekday_on_settings_overview_and_sign_page(app_ctx, client, make):
    lead = make.user("amina@example.org")
    deadline = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)  # 5 pm in New York, a Friday
    letter = make_open_letter(lead, deadline=deadline, time_zone="America/New_York")
    login(client, lead.email)
    friday = "Friday, December 4, 2026, 5:00 PM (America/New York)"
    assert friday in client.get(f"/letters/{letter.slug}").get_data(as_text=True)
    settings = client.get(f"/letters/{letter.slug}/settings").get_data(as_text=True)
    assert f"Now: {friday}" in settings and "deadline-weekday.js" in settings
    assert friday in client.get(f"/l/{letter.slug}/sign").get_data(as_text=True)
