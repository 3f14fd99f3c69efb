"""The DOCX, with python-docx: real paragraphs, headings, hyperlinks and real numbered lists,
so a lead can make final touches in Word or LibreOffice without retyping anything.

Every string comes from the FinalLetter, whose text was cleaned of control characters when
it was built; python-docx escapes it as XML text, so a name like `<script>` or
`=HYPERLINK(…)` is only ever words on the page.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from app.publishing.blocks import Block, Inline
from app.publishing.docx_parts import (
    Numbering,
    add_field,
    add_hyperlink,
    bottom_border,
    link_run,
    set_columns,
    set_list_item,
)
from app.publishing.final_letter import FinalLetter

PAGE_SIZES = {"A4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4))}
MUTED = RGBColor(0x55, 0x55, 0x55)
DRAFT_RED = RGBColor(0xA1, 0x16, 0x0A)
BODY_FONT = "Times New Roman"  # LibreOffice maps it to the metric-equal Liberation Serif
MONO_FONT = "Courier New"
_ABSOLUTE = ("http://", "https://", "mailto:")  # Word cannot resolve a relative link
FOOTER_HALF_POINTS = 16  # 8 pt, as Word counts font sizes


class _Writer:
    def __init__(self, fl: FinalLetter, progress: Callable[[int], None] | None = None) -> None:
        self.fl = fl
        self.progress = progress
        self.doc = Document()
        self.numbering = Numbering(self.doc)
        self.last_body: Paragraph | None = None
        self._setup()

    def _setup(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(6)
        section = self.doc.sections[0]
        section.page_width, section.page_height = PAGE_SIZES.get(self.fl.paper, PAGE_SIZES["A4"])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
        props = self.doc.core_properties
        props.title = self.fl.title + (" (DRAFT)" if self.fl.is_draft else "")
        props.author = self.fl.lead
        props.subject = "DRAFT" if self.fl.is_draft else f"Final, SHA-256 {self.fl.content_hash}"
        props.comments = f"Version {self.fl.version} of the text. Made with Undersigned."
        self._header_footer(section)

    def _header_footer(self, section) -> None:  # noqa: ANN001
        if self.fl.is_draft:
            head = section.header.paragraphs[0]
            run = head.add_run(f"DRAFT — version {self.fl.version}, not final")
            run.bold = True
            run.font.color.rgb = DRAFT_RED
            head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        label = "DRAFT · " if self.fl.is_draft else ""
        if not self.fl.is_draft and self.fl.fingerprint_on_pages:
            label = f"SHA-256 {self.fl.content_hash[:16]} · "
        self._muted(foot.add_run(f"{label}Page "))
        add_field(foot, "PAGE", half_points=FOOTER_HALF_POINTS, color=str(MUTED))
        self._muted(foot.add_run(" of "))
        add_field(foot, "NUMPAGES", half_points=FOOTER_HALF_POINTS, color=str(MUTED))

    @staticmethod
    def _muted(run) -> None:  # noqa: ANN001
        run.font.size = Pt(FOOTER_HALF_POINTS / 2)
        run.font.color.rgb = MUTED

    def para(self, text: str = "", style: str | None = None) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        if text:
            paragraph.add_run(text)
        return paragraph

    # The letter, top to bottom.
    def write(self) -> bytes:
        fl = self.fl
        if fl.letterhead:
            self.letterhead()
        if fl.date_line:
            self.para(fl.date_line).paragraph_format.space_after = Pt(12)
        if fl.date_note:
            self._muted(self.para().add_run(fl.date_note))
        for lines in fl.recipients:
            block = self.para()
            for n, line in enumerate(lines):
                run = block.add_run(line)
                if n < len(lines) - 1:
                    run.add_break()
            block.paragraph_format.space_after = Pt(12)
        if fl.salutation:
            self.para(fl.salutation)
        for body_block in fl.body:
            self.block(body_block)
        if fl.closing:
            closing = self.para(fl.closing)
            closing.paragraph_format.space_before = Pt(12)
            # Kept on the page of the text's last lines, and with what follows it.
            closing.paragraph_format.keep_with_next = True
            closing.paragraph_format.keep_together = True
            if self.last_body is not None:
                self.last_body.paragraph_format.keep_with_next = True
        if fl.signature_block:
            block = self.para()
            self.lines(block, fl.signature_block)
            block.paragraph_format.keep_with_next = True
            block.paragraph_format.space_after = Pt(12)
        self.signatories()
        if not fl.is_draft and fl.fingerprint_on_pages:
            self._muted(
                self.para().add_run(
                    f"Final letter, version {fl.version}. SHA-256: {fl.content_hash}"
                )
            )
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def letterhead(self) -> None:
        fl = self.fl
        logo = _png(fl.letterhead_logo)
        if logo is not None:
            # Word has no SVG without a PNG fallback: an SVG logo prints in the PDF only.
            self.doc.add_picture(io.BytesIO(logo), height=Mm(16))
        head = self.para()
        run = head.add_run("   ·   ".join(fl.letterhead))
        run.bold = True
        if fl.letterhead_lines:
            for line in fl.letterhead_lines:
                run.add_break()
                self._muted(head.add_run(line))
                run = head.runs[-1]
                run.font.size = Pt(9)
        bottom_border(head)
        head.paragraph_format.space_after = Pt(18)

    @staticmethod
    def lines(paragraph: Paragraph, lines: tuple[str, ...]) -> None:
        for n, line in enumerate(lines):
            run = paragraph.add_run(line)
            if n < len(lines) - 1:
                run.add_break()

    def signatories(self) -> None:
        fl = self.fl
        if fl.two_columns and fl.organizations:
            set_columns(self.doc.add_section(WD_SECTION.CONTINUOUS), 2)
        num_id = self.numbering.new_list(ordered=True) if fl.numbered else None
        total = len(fl.organizations)
        for n, entry in enumerate(fl.organizations):
            if self.progress and n % 500 == 0:
                self.progress(n * 90 // total)
            item = self.para(entry.name + (f", {entry.country}" if entry.country else ""))
            item.paragraph_format.space_after = Pt(0)
            if num_id is not None:
                # Word numbers the list itself (1. … N.), so the numbers stay right when a
                # lead reorders or adds a name in Word.
                set_list_item(item, num_id)
        if fl.two_columns and fl.organizations:
            set_columns(self.doc.add_section(WD_SECTION.CONTINUOUS), 1)
        if fl.unnamed_line:
            note = self.para()
            note.add_run(fl.unnamed_line).italic = True
            note.paragraph_format.space_before = Pt(6)
        if fl.individuals:
            heading = self.para()
            heading.add_run("Individual signatories").bold = True
            heading.paragraph_format.space_before = Pt(12)
            self._muted(self.para().add_run("Affiliations are listed for identification only."))
            for person in fl.individuals:
                parts = [person.name, person.affiliation, person.country]
                item = self.para(", ".join(p for p in parts if p))
                item.paragraph_format.space_after = Pt(0)

    def block(self, block: Block, level: int = 0) -> None:
        if block.kind == "heading":
            self.inlines(self.doc.add_heading(level=min(max(block.level, 1), 9)), block.inlines)
        elif block.kind == "paragraph":
            self.last_body = self.para()
            self.inlines(self.last_body, block.inlines)
        elif block.kind == "list":
            self.list_block(block, level)
        elif block.kind == "blockquote":
            for child in block.children:
                if child.kind == "paragraph":
                    quote = self.para(style="Quote")
                    self.inlines(quote, child.inlines)
                else:
                    self.block(child, level)
        elif block.kind == "code":
            code = self.para()
            lines = block.text.split("\n")
            for n, line in enumerate(lines):
                run = code.add_run(line)
                run.font.name = MONO_FONT
                if n < len(lines) - 1:
                    run.add_break()
        elif block.kind == "rule":
            self.para("* * *").alignment = WD_ALIGN_PARAGRAPH.CENTER

    def list_block(self, block: Block, level: int) -> None:
        num_id = self.numbering.new_list(ordered=block.ordered, start=block.start)
        for item in block.items:
            first = True
            for child in item:
                if child.kind == "paragraph":
                    paragraph = self.para(style="List Paragraph")
                    self.inlines(paragraph, child.inlines)
                    if first:
                        set_list_item(paragraph, num_id, level)
                    else:
                        paragraph.paragraph_format.left_indent = Mm(12.7 * (level + 1))
                    first = False
                elif child.kind == "list":
                    self.list_block(child, level + 1)
                else:
                    self.block(child, level)

    def inlines(
        self, paragraph: Paragraph, inlines: tuple[Inline, ...], *, bold: bool = False,
        italic: bool = False, link=None,  # noqa: ANN001
    ) -> None:  # fmt: skip
        for node in inlines:
            if node.kind in ("text", "code", "image"):
                text = f"[image: {node.text}]" if node.kind == "image" else node.text
                run = (
                    link_run(paragraph, link, text) if link is not None else paragraph.add_run(text)
                )
                run.bold = bold or None
                run.italic = italic or None
                if node.kind == "code":
                    run.font.name = MONO_FONT
            elif node.kind == "break":
                paragraph.add_run().add_break()
            elif node.kind == "link" and node.href.startswith(_ABSOLUTE) and link is None:
                target = add_hyperlink(paragraph, node.href)
                self.inlines(paragraph, node.children, bold=bold, italic=italic, link=target)
            else:
                self.inlines(
                    paragraph,
                    node.children,
                    bold=bold or node.kind == "strong",
                    italic=italic or node.kind == "em",
                    link=link,
                )


def _png(data_uri: str) -> bytes | None:
    prefix = "data:image/png;base64,"
    if not data_uri.startswith(prefix):
        return None
    return base64.b64decode(data_uri.removeprefix(prefix))


def render_docx(fl: FinalLetter, progress: Callable[[int], None] | None = None) -> bytes:
    """The letter as DOCX bytes; `progress(percent)` is called as the list is written."""
    return _Writer(fl, progress).write()
