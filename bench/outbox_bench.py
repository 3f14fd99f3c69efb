"""Outbox drain rate against plain smtplib, both sending to the same local SMTP server.

The ceiling is smtplib sending the very same messages over one connection, with nothing
else to do; the outbox adds claiming, rendering the MIME message and recording each result.
"""

from __future__ import annotations

import email.charset
import email.policy
import smtplib
import time
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from common import database_url, figure, free_port, fresh_app, smtp_sink

COUNT = 2000
SENDER = "no-reply@undersigned.localhost"
UTF8 = email.charset.Charset("utf-8")
UTF8.body_encoding = email.charset.QP
CRLF = email.policy.compat32.clone(linesep="\r\n")


def plain_message(to: str, subject: str, text: str, html: str) -> bytes:
    """What a plain script would send: the standard library's MIME classes, nothing else."""
    message = MIMEMultipart("alternative")
    message["Subject"] = subject
    message["From"] = SENDER
    message["To"] = to
    message.attach(MIMEText(text, "plain", UTF8))
    message.attach(MIMEText(html, "html", UTF8))
    return message.as_bytes(policy=CRLF)


def main() -> float:
    port = free_port()
    sink = smtp_sink(port)
    url = database_url()
    app = fresh_app(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, OUTBOX_BATCH_SIZE=200)
    try:
        from app.extensions import db
        from app.mail.outbox import queue_email
        from app.mail.worker import work
        from app.models import OutboxMessage

        with app.app_context():
            for n in range(COUNT):
                queue_email(
                    kind="bench",
                    to=f"partner{n}@example.org",
                    subject=f"Please sign the joint letter ({n})",
                    template="mail/emails/notice",
                    context={
                        "heading": "A joint letter is open for signatures",
                        "body": "Our coalition invites you to read and sign.\n\nThank you.",
                        "action_url": f"http://127.0.0.1/s/token{n}",
                        "action_label": "Read and sign",
                    },
                )
            db.session.commit()
            # The ceiling sends the same contents: subject, address, text and HTML parts.
            contents = [
                (row.to_addr, row.subject, row.text_body, row.html_body)
                for row in db.session.query(OutboxMessage).order_by(OutboxMessage.id)
            ]
            db.session.remove()

        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for to, subject, text, html in contents:
                smtp.sendmail(SENDER, [to], plain_message(to, subject, text, html))
        ceiling = COUNT / (time.perf_counter() - start)

        with app.app_context():
            start = time.perf_counter()
            sent = work(once=True, worker_id="bench").sent  # what `flask mail work` runs
            rate = sent / (time.perf_counter() - start)
            db.session.remove()
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    print(f"outbox drain on {url.split('://')[0]}: {sent} messages")
    print(f"  plain smtplib, one connection: {ceiling:8.1f} messages/s  (ceiling)")
    print(f"  flask mail work:               {rate:8.1f} messages/s")
    figure("outbox_vs_smtplib", rate / ceiling, "target >= 0.8")
    return rate / ceiling


if __name__ == "__main__":
    main()
