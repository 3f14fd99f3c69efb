"""An organization's security policy: whether every member needs a second factor."""

from __future__ import annotations

from app.actor import Actor
from app.audit import record
from app.auth.two_factor import has_second_factor
from app.errors import Refused
from app.models import Organization, User
from app.orgs.operations import require_admin


def set_two_factor_requirement(
    organization_id: int, required: bool, admin: User, actor: Actor
) -> Organization:
    """Members without a second factor are sent to set one up before anything else."""
    organization = require_admin(admin, organization_id)
    if required and not has_second_factor(admin):
        # Otherwise the admin would be the first one shut out.
        raise Refused("Set up your own second factor first, then require it of everyone.")
    if organization.require_two_factor != required:
        organization.require_two_factor = required
        record(
            "orgs.two_factor_required" if required else "orgs.two_factor_not_required",
            actor,
            organization,
        )
    return organization
