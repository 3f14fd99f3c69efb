"""Time zones as people choose them: common zones first with plain names, then every
current zone; legacy aliases ("US/Eastern", "Asia/Calcutta", "EST5EDT") are hidden, though
a letter that already uses one keeps it."""

from __future__ import annotations

import functools
import re
import zoneinfo
from pathlib import Path

# Plain names for the zones most coalitions work in.
COMMON = (
    ("Eastern Time (US)", "America/New_York"),
    ("Central Time (US)", "America/Chicago"),
    ("Mountain Time (US)", "America/Denver"),
    ("Arizona (US)", "America/Phoenix"),
    ("Pacific Time (US)", "America/Los_Angeles"),
    ("Alaska (US)", "America/Anchorage"),
    ("Hawaii (US)", "Pacific/Honolulu"),
    ("Atlantic Time (Canada)", "America/Halifax"),
    ("Mexico City", "America/Mexico_City"),
    ("Colombia (Bogotá)", "America/Bogota"),
    ("Brazil (São Paulo)", "America/Sao_Paulo"),
    ("Argentina (Buenos Aires)", "America/Argentina/Buenos_Aires"),
    ("United Kingdom (London)", "Europe/London"),
    ("Central Europe (Brussels, Berlin, Paris)", "Europe/Brussels"),
    ("Eastern Europe (Kyiv, Athens)", "Europe/Kyiv"),
    ("Moscow", "Europe/Moscow"),
    ("Turkey (Istanbul)", "Europe/Istanbul"),
    ("West Africa (Lagos)", "Africa/Lagos"),
    ("East Africa (Nairobi)", "Africa/Nairobi"),
    ("South Africa (Johannesburg)", "Africa/Johannesburg"),
    ("Egypt (Cairo)", "Africa/Cairo"),
    ("Gulf (Dubai)", "Asia/Dubai"),
    ("India (Kolkata)", "Asia/Kolkata"),
    ("Bangladesh (Dhaka)", "Asia/Dhaka"),
    ("Indochina (Bangkok)", "Asia/Bangkok"),
    ("Indonesia West (Jakarta)", "Asia/Jakarta"),
    ("China (Shanghai)", "Asia/Shanghai"),
    ("Hong Kong", "Asia/Hong_Kong"),
    ("Japan (Tokyo)", "Asia/Tokyo"),
    ("Korea (Seoul)", "Asia/Seoul"),
    ("Australia East (Sydney)", "Australia/Sydney"),
    ("New Zealand (Auckland)", "Pacific/Auckland"),
    ("Coordinated Universal Time", "UTC"),
)
# Fixed offsets, kept for deadlines "anywhere on Earth" (Etc/GMT+12); their sign is POSIX's,
# the reverse of what people write, so their labels say it the usual way.
_FIXED = re.compile(r"Etc/GMT([+-])(\d{1,2})")
_REGIONS = re.compile(
    r"(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z_/+-]+"
)


@functools.cache
def current_zones() -> frozenset[str]:
    """Every zone a person may choose: the tz database's own list of current zones
    (zone1970.tab, zone.tab) where the system has it, else every regional name."""
    available = zoneinfo.available_timezones()
    listed: set[str] = set()
    for folder in zoneinfo.TZPATH:
        for name in ("zone1970.tab", "zone.tab"):
            path = Path(folder) / name
            if path.is_file():
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line and not line.startswith("#"):
                        listed.add(line.split("\t")[2])
    zones = listed & available if listed else {z for z in available if _REGIONS.fullmatch(z)}
    fixed = {z for z in available if _FIXED.fullmatch(z)}
    return frozenset({z for z in zones if _REGIONS.fullmatch(z)} | fixed | {"UTC"})


def valid_zone(name: str | None) -> str | None:
    """`name` if it is a time zone this server knows (aliases included), else None."""
    if not name or len(name) > 64:
        return None
    return name if name in zoneinfo.available_timezones() else None


def label(zone: str) -> str:
    plain = dict((z, name) for name, z in COMMON).get(zone)
    if plain:
        return f"{plain} — {zone}"
    if fixed := _FIXED.fullmatch(zone):
        sign = "−" if fixed[1] == "+" else "+"
        return f"Fixed offset UTC{sign}{fixed[2]} — {zone}"
    return zone.replace("_", " ")


def time_zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """(zone, label) pairs: the common zones, then the rest alphabetically; `current` is
    kept when it is a legacy alias, so saving other settings does not change it."""
    zones = current_zones()
    common = [(z, f"{name} — {z}") for name, z in COMMON if z in zones]
    seen = {z for z, _ in common}
    # Fixed offsets last, from UTC−12 to UTC+14.
    order = sorted(zones - seen, key=lambda z: (bool(_FIXED.fullmatch(z)), _offset(z), z))
    rest = [(z, label(z)) for z in order]
    extra = [(current, current)] if current and current not in zones and valid_zone(current) else []
    return common + extra + rest


def _offset(zone: str) -> int:
    fixed = _FIXED.fullmatch(zone)
    return 0 if not fixed else (-1 if fixed[1] == "+" else 1) * int(fixed[2])
