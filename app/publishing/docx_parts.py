"""The WordprocessingML that python-docx does not write for us: numbering definitions (so
lists are real Word lists, numbered by Word, not typed numbers), hyperlinks, page fields
and a paragraph border.
"""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

LINK_COLOR = RGBColor(0x0B, 0x4F, 0x8A)
# Three levels are enough for a letter; deeper items reuse the last level.
_DECIMAL = (("decimal", "%1."), ("lowerLetter", "%2."), ("lowerRoman", "%3."))
_BULLET = (("bullet", "•"), ("bullet", "◦"), ("bullet", "▪"))
MAX_LEVEL = 2


class Numbering:
    """Adds list definitions to a document's numbering part and hands out numIds.

    Each list gets its own w:num with a start override, so every list starts at its own
    number instead of continuing the previous one.
    """

    def __init__(self, document) -> None:  # noqa: ANN001 - a docx Document
        self.root = document.part.numbering_part.element
        abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in self._all("w:abstractNum")]
        num_ids = [int(n.get(qn("w:numId"))) for n in self._all("w:num")]
        self._next_abstract = max(abstract_ids, default=-1) + 1
        self._next_num = max(num_ids, default=0) + 1
        self._abstract: dict[bool, int] = {}

    def _all(self, tag: str) -> list:
        return self.root.findall(qn(tag))

    def _abstract_id(self, ordered: bool) -> int:
        if ordered in self._abstract:
            return self._abstract[ordered]
        aid = self._next_abstract
        self._next_abstract += 1
        levels = []
        for ilvl, (fmt, text) in enumerate(_DECIMAL if ordered else _BULLET):
            left = 720 * (ilvl + 1)
            levels.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{left}" w:hanging="432"/></w:pPr></w:lvl>'
            )
        element = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>'
        )
        # The schema wants every abstractNum before the first num.
        nums = self._all("w:num")
        if nums:
            nums[0].addprevious(element)
        else:
            self.root.append(element)
        self._abstract[ordered] = aid
        return aid

    def new_list(self, *, ordered: bool, start: int = 1) -> int:
        """A fresh numId for one list, starting at `start`."""
        num_id = self._next_num
        self._next_num += 1
        self.root.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{self._abstract_id(ordered)}"/>'
                f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{max(start, 0)}"/>'
                "</w:lvlOverride></w:num>"
            )
        )
        return num_id


def set_list_item(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    """Make `paragraph` an item of list `num_id` (w:numPr), at nesting `level`."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = min(level, MAX_LEVEL)
    num_pr.get_or_add_numId().val = num_id


def add_hyperlink(paragraph: Paragraph, url: str) -> OxmlElement:
    """An external hyperlink at the end of `paragraph`; add runs to it with `link_run`."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    paragraph._p.append(link)
    return link


def link_run(paragraph: Paragraph, link: OxmlElement, text: str) -> Run:
    """A run inside `link`, styled as a link (python-docx's run API still applies)."""
    run = paragraph.add_run(text)
    run.font.color.rgb = LINK_COLOR
    run.font.underline = True
    link.append(run._r)
    return run


def add_field(paragraph: Paragraph, instruction: str, *, half_points: int | None = None,
              color: str | None = None) -> None:  # fmt: skip
    """A simple field such as PAGE or NUMPAGES, which Word and LibreOffice compute, in the
    size and colour of the text around it (else a footer's "Page 2" comes out at 11 pt)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    if half_points or color:
        properties = OxmlElement("w:rPr")
        if color:
            shade = OxmlElement("w:color")
            shade.set(qn("w:val"), color)
            properties.append(shade)
        if half_points:
            for tag in ("w:sz", "w:szCs"):
                size = OxmlElement(tag)
                size.set(qn("w:val"), str(half_points))
                properties.append(size)
        run.append(properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def bottom_border(paragraph: Paragraph) -> None:
    """A rule under the paragraph (the letterhead), placed where the schema wants it."""
    p_pr = paragraph._p.get_or_add_pPr()
    border = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="4" '
        'w:color="111111"/></w:pBdr>'
    )
    p_pr.insert_element_before(border, *_AFTER_BORDER)


# The pPr children that come after w:pBdr in the schema.
_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def set_columns(section, count: int) -> None:  # noqa: ANN001 - a python-docx Section
    """Lay the section's text out in `count` columns."""
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:cols")):
        sect_pr.remove(old)
    cols = OxmlElement("w:cols")
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), "567")  # 1 cm between the columns
    sect_pr.append(cols)
