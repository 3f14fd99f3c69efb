"""Helpers for the whole-journey browser test: people with browsers of their own, the mail
each of them receives through the real SMTP server, and a screenshot at every step."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.extensions import db
from app.mail.worker import send_due
from tests.support.axe import assert_accessible
from tests.support.smtp import Received, SMTPServer

_URL = re.compile(r"https?://[^\s\"<>]+")


def deliver(app) -> None:
    """Run the outbox worker once, in-process, as `flask mail work --once` would."""
    with app.app_context():
        send_due(worker_id="journey")
        db.session.remove()


def urls_in(text: str, base_url: str) -> list[str]:
    """The links of this site in an email's plain text, as paths the browser can open."""
    return [u.removeprefix(base_url) for u in _URL.findall(text) if u.startswith(base_url)]


def link_in(text: str, base_url: str, pattern: str) -> str:
    """The one link whose path matches `pattern` (a regular expression)."""
    found = [u for u in urls_in(text, base_url) if re.fullmatch(pattern, u)]
    assert found, f"no link like {pattern!r} in:\n{text}"
    assert len(set(found)) == 1, f"several links like {pattern!r}: {found}"
    return found[0]


@dataclass
class Journey:
    """What the journey shares between its steps: the app, the mail, the browser and the
    screenshots (one per step, numbered, kept in `shots`; copied out when the test fails)."""

    app: object
    smtp: SMTPServer
    browser: object
    base_url: str
    shots: Path
    contexts: list = field(default_factory=list)
    pages: dict = field(default_factory=dict)
    step_number: int = 0

    # People ---------------------------------------------------------------------------
    def person(self, name: str):
        """A page in a browser context of its own: another person, with no cookies."""
        # bypass_csp lets the test inject axe-core, as the `page` fixture does.
        context = self.browser.new_context(base_url=self.base_url, bypass_csp=True)
        context.set_default_timeout(15000)
        self.contexts.append(context)
        page = context.new_page()
        self.pages[name] = page
        return page

    def leave(self, page) -> None:
        """A person is done: close their browser (their screenshots stay)."""
        context = page.context
        self.pages = {k: v for k, v in self.pages.items() if v is not page}
        self.contexts.remove(context)
        context.close()

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    # Steps ------------------------------------------------------------------------------
    def step(self, page, name: str, *, accessible: bool = True) -> None:
        """One step done: keep a screenshot of it, and check the page with axe-core."""
        self.step_number += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=str(self.shots / f"{self.step_number:02d}-{slug}.png"), full_page=True)
        if accessible:
            assert_accessible(page)

    def keep_screenshots(self, destination: Path) -> None:
        """Copy the screenshots taken so far, and one of every open page, to `destination`."""
        for name, page in self.pages.items():
            try:
                page.screenshot(path=str(self.shots / f"zz-last-{name}.png"), full_page=True)
            except Exception:  # noqa: BLE001, S110 - a page that cannot be shot has no picture
                pass
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(self.shots, destination)

    # Mail -------------------------------------------------------------------------------
    def mail(self, to: str, subject: str, *, count: int = 1, timeout: float = 10.0) -> Received:
        """Deliver, then the latest of `count` messages to `to` whose subject contains
        `subject`; fails if fewer or more than `count` arrive."""
        deliver(self.app)
        deadline = time.monotonic() + timeout
        found: list[Received] = []
        while time.monotonic() < deadline:
            found = [m for m in self.smtp.to(to) if subject in m.subject]
            if len(found) >= count:
                break
            time.sleep(0.05)
        subjects = [m.subject for m in self.smtp.to(to)]
        assert len(found) == count, f"{to}: wanted {count} × {subject!r}, got {subjects}"
        return found[-1]

    def link(self, message: Received, pattern: str) -> str:
        return link_in(message.text, self.base_url, pattern)
