"""The floor under a sign-on: the app itself, plus one route that does everything a sign-on
does except write.

`/floor/<slug>` passes the same rate limits and CSRF check, reads the letter, validates the
sign-on form and renders the thank-you page, then stops: no lock, no insert, no audit event,
no email, no commit. What it serves per second is the most any sign-on built on this stack
(Flask, Flask-WTF, Flask-Limiter, the ORM's read of the letter) could serve on this machine,
whatever the sign-on's own code does.
"""

from __future__ import annotations

from flask import abort, render_template

from app import create_app
from app.signing import limits, queries
from app.signing.forms import OrganizationSignForm

app = create_app()


@limits.sign_per_client
@limits.sign_per_letter
def floor(slug: str):
    letter = queries.letter_by_slug(slug)
    if letter is None:
        abort(404)
    form = OrganizationSignForm()
    if not form.validate_on_submit():
        return "invalid form", 422
    return render_template("signing/check_email.html", letter=letter, email=form.email.data)


app.add_url_rule("/floor/<slug>", "floor", floor, methods=["POST"])
