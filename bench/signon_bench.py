"""Sign-on throughput through the open link, next to a bare insert route (the ceiling).

Both are served by gunicorn with the same settings on this machine, against PostgreSQL,
and loaded by wrk posting valid forms: the app's requests carry a real session cookie and
CSRF token, and every request uses a new email address, so each one is a real sign-on
(a signature row, an audit event and a verification email in the outbox).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from common import ROOT, figure, free_port, fresh_app, pg_database, wait_for_port

WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
HIGH_LIMITS = {
    "FLASK_RATELIMIT_SIGN": "1000000 per minute",
    "FLASK_RATELIMIT_SIGN_PER_LETTER": "1000000 per minute",
}

LUA = r"""
local counter = 0

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if COOKIE ~= "" then wrk.headers["Cookie"] = COOKIE end
end
request = function()
  counter = counter + 1
  local n = id .. "-" .. counter
  local body = "csrf_token=" .. TOKEN .. "&version=" .. VERSION ..
    "&organization_name=Bench+Coalition+" .. n .. "&acronym=&website=&country=Estavia" ..
    "&signer_name=Signer+" .. n .. "&signer_title=Director&authorized=y&note_to_lead=" ..
    "&fax_number=&email=signer" .. n .. "%40bench.example.org"
  return wrk.format(nil, PATH, nil, body)
end
"""


def open_letter(app) -> str:
    """A lead, an open letter with the open sign link on and moderation off."""
    from werkzeug.security import generate_password_hash

    from app.actor import Actor
    from app.extensions import db
    from app.letters import operations
    from app.letters.lifecycle import Transition
    from app.letters.text import Address, LetterText
    from app.models import Membership, Organization, Role, User, utcnow

    with app.app_context():
        org = Organization(name="Bench Lead Organization")
        user = User(email="lead@bench.example.org", name="Bench Lead",
                    password_hash=generate_password_hash("x" * 12), email_verified_at=utcnow())  # fmt: skip
        db.session.add_all([org, user, Membership(user=user, organization=org, role=Role.admin)])
        db.session.flush()
        actor = Actor(user_id=user.id)
        letter = operations.create_letter(organization=org, title="Bench letter", actor=actor)
        text = LetterText(
            recipients=(Address(honorific="The Honorable", name="A. Minister", title="Minister"),),
            salutation="Dear Minister:",
            body="We ask you to act.",
            closing="Sincerely,",
        )
        operations.save_text(letter, base_number=1, text=text, actor=actor)
        operations.update_settings(letter, {"open_link": True, "moderation": False}, actor=actor)
        operations.transition(letter, Transition.open, actor=actor)
        db.session.commit()
        return letter.slug


def start_gunicorn(module: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            module,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )
    wait_for_port(port)
    # Every worker loads the app on its first request; warm them all before measuring.
    for _ in range(WORKERS * 3):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60).read()
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def wrk(url: str, path: str, *, token: str = "", version: str = "", cookie: str = "") -> dict:
    script = Path(tempfile.mkdtemp()) / "signon.lua"
    script.write_text(
        f'TOKEN = "{token}"\nVERSION = "{version}"\nCOOKIE = "{cookie}"\nPATH = "{path}"\n' + LUA
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": rate,
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = float(re.match(r"[\d.]+", value).group(0)), re.sub(r"[\d.]", "", value)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def form_credentials(url: str, slug: str) -> tuple[str, str, str]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/l/{slug}/sign", timeout=60).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version"[^>]*value="([^"]*)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return token, version, cookie


def worker_rss_mb(master_pid: int) -> float:
    pids = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout
    sizes = []
    for pid in pids.split():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes)


def main() -> dict:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk (make bench does)")
    url_db = pg_database("bench")
    app = fresh_app(url_db)
    slug = open_letter(app)

    os.environ["BARE_DATABASE_URL"] = url_db
    from bare_app import create_table

    create_table()

    port = free_port()
    env = {"APP_ENV": "testing", "TEST_DATABASE_URL": url_db, "BASE_URL": f"http://127.0.0.1:{port}",
           "PYTHONPATH": str(ROOT), **HIGH_LIMITS}  # fmt: skip
    server = start_gunicorn("wsgi:app", port, env)
    try:
        token, version, cookie = form_credentials(f"http://127.0.0.1:{port}", slug)
        signon = wrk(f"http://127.0.0.1:{port}", f"/l/{slug}/sign", token=token,
                     version=version, cookie=cookie)  # fmt: skip
        rss = worker_rss_mb(server.pid)
    finally:
        stop(server)

    # The same app with a route that validates and renders like a sign-on but writes nothing.
    floor_port = free_port()
    floor_env = {**env, "BASE_URL": f"http://127.0.0.1:{floor_port}",
                 "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}  # fmt: skip
    floor_server = start_gunicorn("floor_app:app", floor_port, floor_env)
    try:
        token, version, cookie = form_credentials(f"http://127.0.0.1:{floor_port}", slug)
        floor = wrk(f"http://127.0.0.1:{floor_port}", f"/floor/{slug}", token=token,
                    version=version, cookie=cookie)  # fmt: skip
    finally:
        stop(floor_server)

    bare_port = free_port()
    bare = start_gunicorn("bare_app:app", bare_port,
                          {"BARE_DATABASE_URL": url_db, "PYTHONPATH": str(ROOT / "bench")})  # fmt: skip
    try:
        ceiling = wrk(f"http://127.0.0.1:{bare_port}", "/sign")
    finally:
        stop(bare)

    from sqlalchemy import create_engine, text

    engine = create_engine(url_db)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM signatures")).scalar()
    engine.dispose()

    print(
        f"sign-on throughput, gunicorn {WORKERS} sync workers, wrk -t2 -c{CONNECTIONS} -d{DURATION}"
    )
    runs = (("bare insert route (ceiling)", ceiling), ("open-link sign-on", signon),
            ("validate, no write (floor)", floor))  # fmt: skip
    for name, r in runs:
        print(f"  {name:28} {r['rate']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms"
              f"  non-2xx {r['non_2xx']}  {r['rate'] / ceiling['rate']:.3f} of the ceiling")  # fmt: skip
    print(f"  sign-ons answered {signon['requests']}, signatures stored {stored}")
    print("  the floor route reads the letter, checks CSRF and limits, validates the form and")
    print("  renders the answer, and writes nothing: no sign-on on this stack can pass it")
    figure("signon_vs_floor", signon["rate"] / floor["rate"],
           "the same app's route that writes nothing")  # fmt: skip
    figure("floor_vs_bare_insert", floor["rate"] / ceiling["rate"],
           "the most any sign-on on this stack could reach")  # fmt: skip
    figure("signon_vs_bare_insert", signon["rate"] / ceiling["rate"], "target >= 0.5")
    figure("worker_rss_mb", rss, "target < 150")
    return {"signon": signon, "ceiling": ceiling, "floor": floor, "rss": rss}


if __name__ == "__main__":
    main()
