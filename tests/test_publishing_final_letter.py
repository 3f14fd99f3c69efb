"""The FinalLetter and the order of its list, built from plain objects (no database)."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.letters.markdown import render_body
from app.models import LetterStatus, SignatoryOrder
from app.publishing.blocks import Block, blocks_from_html
from app.publishing.final_letter import DRAFT, FINAL, FinalLetter, clean_text, paper_for
from app.publishing.ordering import order_signatures, sort_names
from tests.support.publishing_factories import T0, TRICKY, TRICKY_ORDER, plain_final_letter


@pytest.mark.parametrize(
    "names",
    [
        ["FSI – Freedom Seekers International", "Friends of Angola", "Freedom House"],
        ["TI Madagascar", "The Tahrir Institute", "Transparency Now"],
        ["Égalité", "Zeta", "Egalite", "Eagle Fund"],
    ],
)
def test_the_design_orders_are_reproduced(names):
    expected = {
        "Freedom House": 0, "Friends of Angola": 1, "FSI – Freedom Seekers International": 2,
        "The Tahrir Institute": 0, "TI Madagascar": 1, "Transparency Now": 2,
        "Eagle Fund": 0, "Egalite": 1, "Égalité": 2, "Zeta": 3,
    }  # fmt: skip
    assert sort_names(names) == sorted(names, key=expected.__getitem__)


def test_tricky_names_sort_case_insensitively_with_the_kept():
    assert tuple(sort_names(TRICKY)) == TRICKY_ORDER
    # A naive sort gets this wrong in several places; make sure the test would notice.
    assert tuple(sorted(TRICKY)) != TRICKY_ORDER


def _sig(id_: int, name: str, minutes: int, position: int | None = None):
    at = T0 + timedelta(minutes=minutes)
    return SimpleNamespace(
        id=id_, display_name=name, organization_name=name, manual_position=position,
        created_at=at, approved_at=at,
    )  # fmt: skip


def test_order_by_time_manual_and_lead_first():
    a, b, c, d = (
        _sig(1, "Zulu", 3, 1),
        _sig(2, "Alpha", 1, 0),
        _sig(3, "Mike", 2),
        _sig(4, "Lead", 4),
    )
    assert [s.display_name for s in order_signatures([a, b, c, d], SignatoryOrder.time)] == [
        "Alpha", "Mike", "Zulu", "Lead",
    ]  # fmt: skip
    # Manual: placed ones by position, newcomers (no position) after them in time order.
    manual = order_signatures([a, b, c, d], SignatoryOrder.manual)
    assert [s.display_name for s in manual] == ["Alpha", "Zulu", "Mike", "Lead"]
    pinned = order_signatures([a, b, c, d], SignatoryOrder.alphabetical, lead_name="lead")
    assert [s.display_name for s in pinned] == ["Lead", "Alpha", "Mike", "Zulu"]


def test_numbers_unnamed_line_intro_and_individuals():
    fl = plain_final_letter(
        ["Coalition for Open Budgets", "Beta", "Alpha"],
        lead_first=True,
        unnamed=2,
        individuals=[("Jane Roe", "University of Norland")],
    )
    assert [(o.number, o.name) for o in fl.organizations] == [
        (1, "Coalition for Open Budgets"), (2, "Alpha"), (3, "Beta"),
    ]  # fmt: skip
    assert fl.unnamed_line == "and 2 organizations that cannot be named for their safety"
    # The lead signed: "{others}" counts the four other organizations, named or not.
    assert fl.intro == "Coalition for Open Budgets and 4 organizations urge …"
    assert fl.count == 6 and fl.organization_count == 5
    assert [(p.name, p.affiliation) for p in fl.individuals] == [
        ("Jane Roe", "University of Norland")
    ]
    assert fl.status == DRAFT and fl.date_note


def test_unnumbered_list_and_singular_unnamed_line():
    fl = plain_final_letter(["B", "A"], numbered=False, unnamed=1)
    assert [o.number for o in fl.organizations] == [None, None]
    assert fl.unnamed_line == "and 1 organization that cannot be named for its safety"


def test_round_trip_through_json_keeps_object_and_hash():
    fl = plain_final_letter(TRICKY, status=LetterStatus.final, unnamed=1,
                            individuals=[("Ann", "Lab")])  # fmt: skip
    assert fl.status == FINAL and not fl.date_note
    stored = json.loads(json.dumps(fl.to_dict()))
    again = FinalLetter.from_dict(stored)
    assert again == fl
    assert again.computed_hash() == fl.content_hash == again.content_hash
    # The hash covers the public content only, and it can be recomputed from the JSON export.
    public = fl.public_dict()
    assert "unnamed_refs" not in public and "ref" not in public["organizations"][0]


def test_hash_changes_with_the_list_and_not_otherwise():
    one = plain_final_letter(["Alpha", "Beta"])
    assert plain_final_letter(["Alpha", "Beta"]).content_hash == one.content_hash
    assert plain_final_letter(["Alpha", "Beta", "Gamma"]).content_hash != one.content_hash
    assert plain_final_letter(["Alpha", "Beta"], numbered=False).content_hash != one.content_hash


def test_clean_text_drops_controls_and_bidi_overrides():
    assert clean_text("A\u202eB\u2066C\x00D\nE  F") == "A B C D E F"
    assert clean_text("e\u0301") == "é"  # NFC
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"  # ZWNJ is a letter-joiner, kept


def test_paper_follows_the_locale():
    assert paper_for("en_US") == "letter" and paper_for("es_MX") == "letter"
    assert paper_for("en_GB") == "A4" and paper_for("fr_FR") == "A4" and paper_for("ar") == "A4"


def test_body_blocks_follow_the_sanitized_html():
    html = render_body(
        "# Title\n\nText with **bold**, *em* and [a link](https://example.org).\n\n"
        "- one\n- two\n  1. nested\n\n> quoted\n\n<script>alert(1)</script>\n\n[bad](javascript:x)",
        site_host="testserver.localhost",
    ).html
    blocks = blocks_from_html(str(html))
    assert [b.kind for b in blocks] == ["heading", "paragraph", "list", "blockquote", "paragraph"]
    para = blocks[1]
    assert [i.kind for i in para.inlines] == [
        "text",
        "strong",
        "text",
        "em",
        "text",
        "link",
        "text",
    ]
    assert para.inlines[5].href == "https://example.org"
    nested = blocks[2].items[1][1]
    assert nested.kind == "list" and nested.ordered
    # The javascript: link is gone from the HTML, so from the blocks too: only its words stay.
    assert blocks[4].inlines[0].plain() == "bad" and blocks[4].inlines[0].kind == "text"
    assert "script" not in json.dumps([b.to_dict() for b in blocks])
    assert tuple(Block.from_dict(b.to_dict()) for b in blocks) == blocks
