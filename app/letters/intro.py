"""The publication intro ("{lead} and {others} organizations urge …"): a template with three
literal placeholders, filled by plain replacement.

Never `str.format`: a format spec (`{lead:x>100000000}`) or an attribute (`{lead.nope}`)
in a lead's template made 100 MB exports and server errors on public pages.
"""

from __future__ import annotations

import re

PLACEHOLDERS = ("lead", "others", "count")
_PLACEHOLDER = re.compile(r"\{(lead|others|count)\}")
_BRACED = re.compile(r"\{[^{}]*\}?|\}")


def intro_problem(template: str) -> str | None:
    """Why `template` cannot be saved (a message for the settings form), or None."""
    rest = _PLACEHOLDER.sub("", template)
    found = _BRACED.search(rest)
    if found is None:
        return None
    shown = found.group(0)[:40]
    return f"Only {{lead}}, {{others}} and {{count}} can be filled in; remove {shown}."


def fill_intro(template: str, *, lead: str, others: int, count: int) -> str | None:
    """The intro with its placeholders filled, or None when the template (saved before these
    rules) holds anything else in braces."""
    if intro_problem(template) is not None:
        return None
    values = {"lead": lead, "others": str(others), "count": str(count)}
    # One pass: a lead called "{count} Org" is not filled in again.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
