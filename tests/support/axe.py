"""Accessibility checks with axe-core (from npm), injected into the page under test."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe-core finds on the current page."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `npm ci` (make test does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}: {violations}"
