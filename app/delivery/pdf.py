"""The frozen PDF of a final letter: the cached file of its content hash, rendered once."""

from __future__ import annotations

import hashlib

from flask import current_app

from app.errors import Refused
from app.mail.outbox import Attachment
from app.models import ExportStatus, Letter, LetterStatus
from app.publishing import exports, jobs
from app.publishing.store import load_final_letter


def frozen_pdf(letter: Letter) -> Attachment:
    """The PDF whose content hash the letter shows, as sent and downloaded everywhere.

    The cached file (the ExportJob of the final content hash) when there is one; else it is
    rendered now and kept as that cache (the caller commits), so every later download and
    delivery gets these very bytes.
    """
    if letter.status is not LetterStatus.final:
        raise Refused("Only a final letter has a frozen PDF.")
    fl = load_final_letter(letter)
    job = jobs.find_job(letter, "pdf", fl.content_hash)
    if job is not None and job.status is ExportStatus.done and job.content is not None:
        content = job.content
    else:
        base_url = current_app.config["BASE_URL"]
        content = exports.render(fl, "pdf", base_url=base_url)
        jobs.store_result(letter, fl, "pdf", content)
    return Attachment(exports.filename(fl, "pdf"), "application/pdf", content)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
