"""JSON: the whole letter as data, with its content hash.

The hash is the SHA-256 of the canonical JSON of every other field (sorted keys, no
spaces, UTF-8), so anyone holding this file can check it was not altered.
"""

from __future__ import annotations

import json

from app.publishing.final_letter import FinalLetter


def render_json(fl: FinalLetter) -> str:
    return json.dumps(fl.public_dict(), ensure_ascii=False, indent=2) + "\n"
