"""Word (.docx) from the document model, in the 公文 format of GB/T 9704-2012.

The page is A4 with the standard's margins (top 37 mm, left 28 mm, bottom 35 mm, right 26 mm:
a text block of 156 × 225 mm) and a document grid of 22 lines × 28 characters. The title is
2号 (22 pt), the body 3号 (16 pt) 仿宋 with a first-line indent of two characters, first-level
headings 黑体 and second-level 楷体, and page numbers ``— 1 —`` in 4号 宋体 from real ``PAGE``
fields, right on odd pages and left on even pages.

Headings use Word's built-in styles (the report's sections 一、 are ``Heading 1``, its
subsections （一） ``Heading 2``, minor headings ``Heading 3``) restyled to those faces, so the
``TOC`` field of the contents and Word's navigation pane work. Every run and every style names
its East-Asian font (``w:eastAsia``), which python-docx does not do by itself. Tables are real
Word tables with merged cells and repeated header rows; captions carry ``SEQ`` fields with the
numbers of :meth:`helpers.document.Document.outline`. Charts are PNG images converted from the
figures' SVG with Typst (Word does not show matplotlib's SVG reliably); every other text stays
editable. Text from the data only ever becomes run text (escaped by python-docx), never markup.

Example:
    >>> from helpers.document import Document, Heading, Paragraph
    >>> data = render_docx(Document("标题", [Heading("标题", 1), Paragraph("<w:p>&amp;")]))
    >>> data[:2]
    b'PK'
"""

from __future__ import annotations

import copy
import functools
import io
import json
import math
import re
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt, RGBColor, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from helpers.document import (
    Block,
    Cell,
    Contents,
    Document,
    Figure,
    Heading,
    ItemList,
    Paragraph,
    Table,
    Tile,
    Tiles,
)

# ------------------------------------------------------------------ GB/T 9704-2012 numbers

PAGE_MM = (210.0, 297.0)
"""A4, width × height."""
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
"""版心 156 × 225 mm: 天头 37 mm, 订口 28 mm."""
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号
PAGE_NUMBER_PT = 14.0  # 4号
NOTE_PT = 14.0
CAPTION_PT = 14.0
TABLE_PT = 12.0  # 小四, tables of up to TABLE_WIDE_COLUMNS columns
TABLE_SMALL_PT = 10.5  # 五号, wider tables
TABLE_WIDE_COLUMNS = 6
PAGE_NUMBER_LINE_MM = 7.0  # the 一字线 lies 7 mm below the text block
FIGURE_PPI = 200
WARN_COLOR = RGBColor(0xC0, 0x00, 0x00)
HEAD_SHADING = "F2F2F2"
CELL_MARGIN_TWIPS = 57  # 1 mm left and right in table cells (Word's default is 1.9 mm)
KEEP_TOGETHER_ROWS = 12  # a table this short, continued by another, is kept with it
SHORT_LABEL = 3  # a cell label of up to this many characters should not wrap
# Levels 1-2 are the report's sections and subsections (the contents of every format);
# level 3 (a project's name in 附件1) stays out, as it does in the HTML and PDF.
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
TOC_PLACEHOLDER = "（目录待更新：右键单击此处，选择“更新域”，即生成带页码的目录。）"

_PPR_ORDER = [
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]
_SETTINGS_AFTER_UPDATE_FIELDS = [
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
]
_TBLPR_AFTER_TBLW = [
    f"w:{tag}"
    for tag in ("jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar")
] + ["w:tblLook"]
_SECTPR_AFTER_DOCGRID = ("w:printerSettings", "w:sectPrChange")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class DocxFonts:
    """The faces of the Word report, by the East-Asian names Word knows them by.

    The defaults are fonts every Windows (and Office for Mac) has: the standard's 小标宋 is
    replaced by 宋体 in bold, 仿宋_GB2312 by 仿宋 and 楷体_GB2312 by 楷体. An office that has the
    official faces installed passes :data:`OFFICIAL_FONTS` (a font Word does not find is
    substituted silently, and bold cannot be made to depend on the substitution).
    """

    title: str = "宋体"
    title_bold: bool = True
    body: str = "仿宋"
    heading: str = "黑体"
    subheading: str = "楷体"
    page_number: str = "宋体"
    latin: str = "Times New Roman"


DEFAULT_FONTS = DocxFonts()
OFFICIAL_FONTS = DocxFonts(
    title="方正小标宋简体", title_bold=False, body="仿宋_GB2312", subheading="楷体_GB2312"
)


@dataclass(frozen=True)
class _Layout:
    """The page numbers as Word stores them (twips), read back after they are set."""

    text_width: Length
    text_height: Length
    line_pitch: int  # twips per grid line
    char_space: int  # 1/4096 pt added to the body size to get the character pitch


def render_docx(document: Document, fonts: DocxFonts = DEFAULT_FONTS) -> bytes:
    """Render ``document`` as a Word file in the 公文 format.

    Args:
        document: the report.
        fonts: the faces to name (default: fonts present on every Windows).

    Returns:
        The ``.docx`` file's bytes.
    """
    return _Writer(document, fonts).render()


# ------------------------------------------------------------------ charts as PNG


@functools.cache
def _typst_compiler() -> Any:
    """One Typst compiler per process: its system font scan (~0.1 s) is done once."""
    import typst

    return typst.Compiler()


_TYPST_LOCK = threading.Lock()
_FIGURES_SOURCE = b"""#set page(width: auto, height: auto, margin: 0pt)
#for f in json(bytes(sys.inputs.figures)) {
  page(image(bytes(f.svg), format: "svg", width: f.width * 1mm))
}
"""


def _compile_pngs(figures: list[tuple[str, float]], ppi: int) -> list[bytes]:
    payload = json.dumps([{"svg": svg, "width": width} for svg, width in figures])
    with _TYPST_LOCK:  # one compilation at a time per compiler (reports rendered in threads)
        out = _typst_compiler().compile(
            input=_FIGURES_SOURCE, format="png", ppi=ppi, sys_inputs={"figures": payload}
        )
    pages = [out] if isinstance(out, bytes) else list(out)
    if len(pages) != len(figures):
        raise ValueError(f"typst returned {len(pages)} pages for {len(figures)} figures")
    return pages


def svgs_to_png(figures: list[tuple[str, float]], ppi: int = FIGURE_PPI) -> list[bytes | None]:
    """Convert SVG charts to PNG images with Typst, all in one compilation.

    Text kept as text in the SVG (matplotlib's ``svg.fonttype: none``) is drawn with the
    system fonts, so Chinese labels render where a CJK font is installed.

    Args:
        figures: ``(svg text, width in mm)`` per chart.
        ppi: resolution of the images.

    Returns:
        One PNG per figure, ``None`` for an SVG that Typst cannot read.
    """
    if not figures:
        return []
    try:
        return list(_compile_pngs(figures, ppi))
    except Exception:  # one unreadable SVG fails the batch: convert one by one
        pass
    pngs: list[bytes | None] = []
    for figure in figures:
        try:
            pngs.append(_compile_pngs([figure], ppi)[0])
        except Exception:
            pngs.append(None)
    return pngs


# ------------------------------------------------------------------ low-level XML helpers


def _clean(text: str) -> str:
    """Drop characters XML cannot carry (control characters from spreadsheets)."""
    return _XML_INVALID.sub("", str(text))


@functools.cache
def _clark(tag: str) -> tuple[str, dict[str, str]]:
    """``w:tc`` → its Clark name and namespace map (parsed once per tag, not per element)."""
    from docx.oxml.ns import NamespacePrefixedTag

    parsed = NamespacePrefixedTag(tag)
    return parsed.clark_name, parsed.nsmap


_qn = functools.cache(qn)


def _new(tag: str, attrs: dict[str, str] | None = None) -> Any:
    """``OxmlElement(tag)``, made several times faster by caching the tag's parsing."""
    from docx.oxml.parser import oxml_parser

    clark, nsmap = _clark(tag)
    return oxml_parser.makeelement(clark, attrib=attrs or {}, nsmap=nsmap)


def _element(tag: str, **attrs: str) -> Any:
    return _new(tag, {_qn(f"w:{k}"): v for k, v in attrs.items()})


def _put(parent: Any, child: Any, successors: list[str] | tuple[str, ...]) -> Any:
    """Replace ``parent``'s child of the same tag by ``child``, in schema order."""
    for old in parent.findall(child.tag):
        parent.remove(old)
    parent.insert_element_before(child, *successors)
    return child


def _put_ppr(ppr: Any, tag: str, **attrs: str) -> Any:
    index = _PPR_ORDER.index(tag)
    return _put(ppr, _element(tag, **attrs), _PPR_ORDER[index + 1 :])


def _set_fonts(rpr: Any, east_asia: str, latin: str) -> None:
    """Name the East-Asian and Latin faces of a run or style (theme fonts removed)."""
    fonts = rpr.get_or_add_rFonts()
    for key in list(fonts.attrib):
        if key.endswith("Theme") or key.endswith("theme"):
            del fonts.attrib[key]
    for attr, value in (
        ("ascii", latin),
        ("hAnsi", latin),
        ("cs", latin),
        ("eastAsia", east_asia),
        ("hint", "eastAsia"),
    ):
        fonts.set(qn(f"w:{attr}"), value)


def _indent(ppr: Any, *, first_chars: int = 0, right_chars: int = 0) -> None:
    """Indents in hundredths of a character (Word's ``*Chars``), with twips for other readers.

    The first-line indent is always written (Normal's ``firstLineChars`` would be inherited
    otherwise, and it wins over ``firstLine``); the right indent only when there is one.
    """
    char = int(BODY_PT * 20)
    attrs = {"firstLine": str(first_chars * char // 100), "firstLineChars": str(first_chars)}
    if right_chars:
        attrs |= {"right": str(right_chars * char // 100), "rightChars": str(right_chars)}
    _put_ppr(ppr, "w:ind", **attrs)


# ------------------------------------------------------------------ styles


@dataclass(frozen=True)
class _StyleSpec:
    """How one paragraph style looks."""

    font: str
    size: float
    bold: bool = False
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_chars: int = 0  # first-line indent, hundredths of a character
    right_chars: int = 0
    line: Any = "grid"  # "grid": one grid line, on the character grid; "single"; a Length
    keep_next: bool = False
    outline_level: int | None = None
    space_before: Any = None


def _restyle(style: ParagraphStyle, spec: _StyleSpec, latin: str, line_pitch: int) -> None:
    """Replace a paragraph style's paragraph and run properties by ``spec``."""
    element = style.element
    for old in (element.pPr, element.rPr):
        if old is not None:
            element.remove(old)
    style.font.size = Pt(spec.size)
    style.font.bold = spec.bold
    _set_fonts(element.get_or_add_rPr(), spec.font, latin)
    _restyle_paragraph(style, spec, line_pitch)


def _restyle_paragraph(style: ParagraphStyle, spec: _StyleSpec, line_pitch: int) -> None:
    fmt = style.paragraph_format
    fmt.alignment = spec.align
    fmt.space_before = spec.space_before or Pt(0)
    fmt.space_after = Pt(0)
    fmt.keep_with_next = spec.keep_next
    ppr = style.element.get_or_add_pPr()
    if spec.line == "single":
        fmt.line_spacing = 1.0
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Twips(line_pitch) if spec.line == "grid" else spec.line
    if spec.line != "grid":  # only grid-spaced text snaps to the 28-character grid
        _put_ppr(ppr, "w:snapToGrid", val="0")
    _indent(ppr, first_chars=spec.first_chars, right_chars=spec.right_chars)
    if spec.outline_level is not None:
        _put_ppr(ppr, "w:outlineLvl", val=str(spec.outline_level))


def _paragraph_style(doc: Any, name: str, style_id: str | None = None) -> ParagraphStyle:
    """A paragraph style by name, created (based on Normal) when the template lacks it."""
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        if style_id:  # Word recognises built-ins such as "toc 1" by this id and name
            style.element.set(qn("w:styleId"), style_id)
            style.element.name_val = name
    return style  # type: ignore[no-any-return]


def _style_specs(fonts: DocxFonts, layout: _Layout) -> dict[str, _StyleSpec]:
    """The house styles: name → look (built-in names where Word has one)."""
    grid = Twips(layout.line_pitch)
    body = fonts.body
    return {
        "Normal": _StyleSpec(body, BODY_PT, first_chars=200),
        "Title": _StyleSpec(
            fonts.title,
            TITLE_PT,
            fonts.title_bold,
            WD_ALIGN_PARAGRAPH.CENTER,
            line=Pt(36),
            keep_next=True,
        ),
        "Heading 1": _StyleSpec(
            fonts.heading, BODY_PT, first_chars=200, keep_next=True, outline_level=0
        ),
        "Heading 2": _StyleSpec(
            fonts.subheading, BODY_PT, first_chars=200, keep_next=True, outline_level=1
        ),
        "Heading 3": _StyleSpec(
            body, BODY_PT, True, first_chars=200, keep_next=True, outline_level=2
        ),
        "Note": _StyleSpec(body, NOTE_PT, first_chars=200, line=Pt(24)),
        "Score": _StyleSpec(body, BODY_PT, True, first_chars=200),
        "Signature": _StyleSpec(body, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=400),
        "Caption": _StyleSpec(
            fonts.heading, CAPTION_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=grid
        ),
        "Figure": _StyleSpec(
            body,
            BODY_PT,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            line="single",
            keep_next=True,
            space_before=Pt(6),
        ),
        "Table Text": _StyleSpec(body, TABLE_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line="single"),
        "Table Spacer": _StyleSpec(body, 6, line=Pt(8)),
        "Contents Title": _StyleSpec(
            fonts.heading, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True
        ),
        "toc 1": _StyleSpec(body, BODY_PT, line=grid),
        "toc 2": _StyleSpec(body, BODY_PT, first_chars=200, line=grid),
        "toc 3": _StyleSpec(body, BODY_PT, first_chars=400, line=grid),
        "table of figures": _StyleSpec(body, BODY_PT, line=grid),
        "Header": _StyleSpec(body, PAGE_NUMBER_PT, line="single"),
        "Footer": _StyleSpec(fonts.page_number, PAGE_NUMBER_PT, line=Pt(20)),
    }


_STYLE_IDS = {
    "toc 1": "TOC1",
    "toc 2": "TOC2",
    "toc 3": "TOC3",
    "table of figures": "TableofFigures",
}


def _set_up_styles(doc: Any, fonts: DocxFonts, layout: _Layout) -> None:
    """Document defaults (fonts, zh-CN) and every paragraph style the renderer uses."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, fonts.body, fonts.latin)
    for tag, value in (("w:sz", str(int(BODY_PT * 2))), ("w:szCs", str(int(BODY_PT * 2)))):
        rpr.find(qn(tag)).set(qn("w:val"), value)
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    for attr, value in (("after", "0"), ("line", "240"), ("lineRule", "auto")):
        spacing.set(qn(f"w:{attr}"), value)
    for name, spec in _style_specs(fonts, layout).items():
        style = _paragraph_style(doc, name, _STYLE_IDS.get(name))
        _restyle(style, spec, fonts.latin, layout.line_pitch)
    for name in ("Heading 1 Char", "Heading 2 Char", "Heading 3 Char", "Title Char"):
        rpr = doc.styles[name].element.rPr
        if rpr is not None:  # the linked character styles must not bring back theme fonts
            doc.styles[name].element.remove(rpr)


# ------------------------------------------------------------------ page, settings, footers


def _set_up_page(doc: Any) -> _Layout:
    """A4, the standard's margins and the 22 × 28 document grid."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    line_mm = 20 / 72 * 25.4  # the footer's exact line of 20 pt
    section.footer_distance = Mm(MARGINS_MM["bottom"] - PAGE_NUMBER_LINE_MM - line_mm / 2)
    width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    line_pitch = height // LINES_PER_PAGE
    char_space = math.floor((width / 20 / CHARS_PER_LINE - BODY_PT) * 4096)
    grid = _element(
        "w:docGrid", type="linesAndChars", linePitch=str(line_pitch), charSpace=str(char_space)
    )
    _put(section._sectPr, grid, _SECTPR_AFTER_DOCGRID)
    return _Layout(Twips(width), Twips(height), line_pitch, char_space)


def _set_up_settings(doc: Any, title: str) -> None:
    """Odd and even footers, fields updated on open, Chinese as the East-Asian language."""
    doc.settings.odd_and_even_pages_header_footer = True
    settings = doc.settings.element
    _put(settings, _element("w:updateFields", val="true"), _SETTINGS_AFTER_UPDATE_FIELDS)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010's stale copy of styles
            doc.part.drop_rel(rel_id)
    props = doc.core_properties
    props.title, props.author, props.language = _clean(title), "", "zh-CN"


def _page_number(paragraph: DocxParagraph, fonts: DocxFonts, odd: bool) -> None:
    """``— N —`` with a real PAGE field, one character in from the outer edge."""
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    char = Pt(PAGE_NUMBER_PT)
    fmt.right_indent, fmt.left_indent = (char, Pt(0)) if odd else (Pt(0), char)
    write = functools.partial(_run, font=fonts.page_number, latin=fonts.page_number)
    write(paragraph, "— ")
    _field(paragraph, "PAGE", "1", write)
    write(paragraph, " —")


def _set_up_footers(doc: Any, fonts: DocxFonts) -> None:
    section = doc.sections[0]
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        _page_number(footer.paragraphs[0], fonts, odd)


# ------------------------------------------------------------------ runs and fields


@functools.lru_cache(maxsize=512)
def _run_properties(
    font: str, latin: str, size: float | None, bold: bool | None, color: RGBColor | None
) -> Any:
    """A ``w:rPr`` to copy into runs (built once per look: python-docx setters are slow)."""
    run = Run(_new("w:r"), None)  # type: ignore[arg-type]
    _set_fonts(run._r.get_or_add_rPr(), font, latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run._r.rPr


def _run_element(text: str, properties: Any) -> Any:
    """A ``w:r`` with a copy of ``properties`` and ``text`` (newlines become line breaks)."""
    r = _new("w:r")
    r.append(copy.deepcopy(properties))
    text = _clean(text)
    if "\n" in text or "\t" in text or "\r" in text:
        r.text = text  # python-docx turns them into w:br and w:tab
    elif text:
        t = _new("w:t")
        t.text = text
        if text != text.strip():
            t.set(_XML_SPACE, "preserve")
        r.append(t)
    return r


def _run(
    paragraph: DocxParagraph,
    text: str,
    *,
    font: str,
    latin: str,
    size: float | None = None,
    bold: bool | None = None,
    color: RGBColor | None = None,
) -> Run:
    """A run of plain text naming its East-Asian and Latin faces."""
    r = _run_element(text, _run_properties(font, latin, size, bold, color))
    paragraph._p.append(r)
    return Run(r, paragraph)


def _field_char(paragraph: DocxParagraph, kind: str, write: Callable[..., Run]) -> None:
    write(paragraph, "")._r.append(_element("w:fldChar", fldCharType=kind))


def _field(
    paragraph: DocxParagraph, instruction: str, result: str, write: Callable[..., Run]
) -> None:
    """A complete field (begin, instruction, separate, cached result, end) in one paragraph."""
    _field_begin(paragraph, instruction, write)
    write(paragraph, result)
    _field_char(paragraph, "end", write)


def _field_begin(paragraph: DocxParagraph, instruction: str, write: Callable[..., Run]) -> None:
    _field_char(paragraph, "begin", write)
    code = _element("w:instrText")
    code.set(_XML_SPACE, "preserve")
    code.text = f" {instruction} "
    write(paragraph, "")._r.append(code)
    _field_char(paragraph, "separate", write)


# ------------------------------------------------------------------ the writer


class _Writer:
    """Renders one document: styles and page first, then every block in order."""

    def __init__(self, document: Document, fonts: DocxFonts) -> None:
        self.model = document
        self.outline = document.outline()
        self.fonts = fonts
        self.doc = docx.Document()
        self.layout = _set_up_page(self.doc)
        self.break_next = False
        self.previous: Block | None = None
        self.figures: list[tuple[DocxParagraph, Figure, str]] = []
        self.style_ids: dict[str, str] = {}
        self.prototypes: dict[str, Any] = {}
        self.handlers: dict[type, Callable[[Any, int], None]] = {
            Heading: self.heading,
            Paragraph: self.paragraph,
            ItemList: self.item_list,
            Tiles: self.tiles,
            Table: self.table,
            Figure: self.figure,
            Contents: self.contents,
        }

    def render(self) -> bytes:
        figures = [b for b in self.model.blocks if isinstance(b, Figure)]
        specs = [(b.svg, self.figure_width(b).mm) for b in figures]
        # Typst releases the GIL: the charts convert while the text and tables are built.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pngs = pool.submit(svgs_to_png, specs)
            _set_up_styles(self.doc, self.fonts, self.layout)
            _set_up_settings(self.doc, self.model.title)
            _set_up_footers(self.doc, self.fonts)
            for index, block in enumerate(self.model.blocks):
                self.handlers[type(block)](block, index)
                self.previous = block
            for (paragraph, block, label), png in zip(self.figures, pngs.result(), strict=True):
                self.place_figure(paragraph, block, label, png)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def fitted_width(self, figure: Figure, png: bytes) -> Emu:
        """The figure's width, narrowed so that it and its caption fit in the text block."""
        pixels_wide, pixels_high = struct.unpack(">II", png[16:24])  # the PNG's IHDR
        room = self.layout.text_height - Twips(2 * self.layout.line_pitch + 120)
        width = self.figure_width(figure)
        if pixels_wide and pixels_high and width * pixels_high / pixels_wide > room:
            return Emu(int(room * pixels_wide / pixels_high))
        return width

    @property
    def text_twips(self) -> int:
        """The width of the text block in twips."""
        return int(self.layout.text_width.twips)

    def figure_width(self, figure: Figure) -> Emu:
        percent = min(max(figure.width_pct, 10), 100)
        return Emu(int(self.layout.text_width * percent / 100))

    # -------------------------------------------------------------- paragraphs and runs

    def new_paragraph(self, style: str) -> DocxParagraph:
        paragraph = self.doc.add_paragraph()
        self.set_style(paragraph, style)
        if self.break_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_next = False
        return paragraph

    def style_id(self, name: str) -> str:
        """The id of a style by name (python-docx's style setters scan every style each time)."""
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def set_style(self, paragraph: DocxParagraph, name: str) -> None:
        """Apply a paragraph style by name."""
        paragraph._p.style = None if name == "Normal" else self.style_id(name)

    def write(
        self, paragraph: DocxParagraph, text: str, font: str | None = None, **kwargs: Any
    ) -> Run:
        return _run(paragraph, text, font=font or self.fonts.body, latin=self.fonts.latin, **kwargs)

    # -------------------------------------------------------------- blocks

    def heading(self, block: Heading, index: int) -> None:
        level = min(max(block.level, 1), 4)
        style = "Title" if level == 1 else f"Heading {level - 1}"
        font = {1: self.fonts.title, 2: self.fonts.heading, 3: self.fonts.subheading}
        paragraph = self.new_paragraph(style)
        if block.starts_page:
            paragraph.paragraph_format.page_break_before = True
        self.write(paragraph, block.text, font.get(level, self.fonts.body))
        if level == 1:  # 标题下空一行
            paragraph.paragraph_format.space_after = Twips(self.layout.line_pitch)

    def paragraph(self, block: Paragraph, index: int) -> None:
        styles = {"note": "Note", "score": "Score", "signature": "Signature"}
        paragraph = self.new_paragraph(styles.get(block.style, "Normal"))
        follows_signature = isinstance(self.previous, Paragraph) and (
            self.previous.style == "signature"
        )
        if block.style == "signature" and not follows_signature:  # 正文下空一行
            paragraph.paragraph_format.space_before = Twips(self.layout.line_pitch)
        self.write(paragraph, block.text)

    def item_list(self, block: ItemList, index: int) -> None:
        numbered = len(block.items) > 1
        for i, item in enumerate(block.items):
            paragraph = self.new_paragraph("Normal")
            warn = block.severity(i) == "warn"
            prefix = f"（{i + 1}）" if numbered else ""
            self.write(paragraph, prefix + item, bold=warn or None)

    def tiles(self, block: Tiles, index: int) -> None:
        """Key figures as a table of up to four a row, rows balanced (six tiles: 3 + 3)."""
        count = len(block.tiles)
        if not count:
            return
        per_row = math.ceil(count / math.ceil(count / 4))
        rows = [block.tiles[i : i + per_row] for i in range(0, count, per_row)]
        columns = min(count, per_row)
        table = self.doc.add_table(rows=len(rows), cols=columns)
        self.shape_table(table, _column_widths([1.0] * columns, [0] * columns, self.text_twips))
        for r, tiles in enumerate(rows):
            for c, tile in enumerate(tiles):
                self.tile(table.cell(r, c), tile)
        self.spacer()

    def tile(self, cell: _Cell, tile: Tile) -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        color = WARN_COLOR if tile.is_warning else None
        lines = [
            (tile.label, self.fonts.body, TABLE_SMALL_PT, None),
            (
                f"{tile.value}\u00a0{tile.unit}" if tile.unit else tile.value,
                self.fonts.heading,
                BODY_PT,
                color,
            ),
            (tile.sub, self.fonts.body, TABLE_SMALL_PT, color),
        ]
        lines = [line for line in lines if line[0]]
        for i, (text, font, size, tint) in enumerate(lines):
            paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            self.set_style(paragraph, "Table Text")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.write(paragraph, text, font, size=size, color=tint)

    def caption(self, index: int, keep_next: bool) -> None:
        label = self.outline.labels[index]  # "表3 标题"
        number, _, text = label.partition(" ")
        kind = number[0]
        paragraph = self.new_paragraph("Caption")
        paragraph.paragraph_format.keep_with_next = keep_next
        write = functools.partial(self.write, font=self.fonts.heading)
        write(paragraph, kind)
        _field(paragraph, f"SEQ {kind} \\* ARABIC", number[1:], write)
        write(paragraph, f" {text}")

    def figure(self, block: Figure, index: int) -> None:
        """The image's paragraph (filled when the PNG is ready), then the caption below."""
        paragraph = self.new_paragraph("Figure")
        self.figures.append((paragraph, block, self.outline.labels[index]))
        self.caption(index, keep_next=False)

    def place_figure(
        self, paragraph: DocxParagraph, block: Figure, label: str, png: bytes | None
    ) -> None:
        if png is None:
            self.write(paragraph, "（图表未能转换为图片。）")
            return
        run = self.write(paragraph, "")
        shape = run.add_picture(io.BytesIO(png), width=self.fitted_width(block, png))
        shape._inline.docPr.set("descr", _clean(label))  # alternative text: the caption

    def spacer(self) -> DocxParagraph:
        """An empty paragraph after a table: Word joins adjacent tables, and needs a last one."""
        paragraph = self.doc.add_paragraph()
        self.set_style(paragraph, "Table Spacer")
        return paragraph

    # -------------------------------------------------------------- tables

    def table(self, block: Table, index: int) -> None:
        if block.caption:
            self.caption(index, keep_next=True)
        grid = block.grid()
        columns = block.columns
        if not grid or not columns:
            return
        weights = block.widths if len(block.widths) == columns else [1.0] * columns
        empty = _empty_columns(grid[len(block.head) :], columns)
        weights = [0.01 if i in empty else w for i, w in enumerate(weights)]  # room to text
        size = TABLE_PT if columns <= TABLE_WIDE_COLUMNS else TABLE_SMALL_PT
        widths = _column_widths(weights, _needed_widths(grid, columns, size), self.text_twips)
        table = self.doc.add_table(rows=0, cols=columns)
        self.shape_table(table, widths)
        heads = len(block.head)
        for r, slots in enumerate(_slots(grid, widths)):
            tr = _new("w:tr")
            tr_pr = _element("w:trPr")
            tr.append(tr_pr)
            tr_pr.append(_element("w:cantSplit"))
            if r < heads:
                tr_pr.append(_element("w:tblHeader"))
            shade = r < heads and block.style == "data"
            for slot in slots:
                tr.append(self.table_cell(slot, size, r < heads, shade))
            table._tbl.append(tr)
        keep = self.continued(index) and len(grid) <= KEEP_TOGETHER_ROWS
        if keep:  # the form's head part stays on the page of its indicator rows
            for ppr in table._tbl.iter(qn("w:pPr")):
                ppr.insert(1, _element("w:keepNext"))  # right after w:pStyle
        self.spacer().paragraph_format.keep_with_next = keep or None

    def continued(self, index: int) -> bool:
        """Whether the block after ``index`` is a table without caption (the same form)."""
        after = self.model.blocks[index + 1 : index + 2]
        return bool(after) and isinstance(after[0], Table) and not after[0].caption

    def shape_table(self, table: DocxTable, twips: list[int]) -> None:
        """Table Grid borders, centred, narrow cell margins, fixed column widths (twips)."""
        tbl_pr = table._tbl.tblPr
        tbl_pr.style = self.style_id("Table Grid")  # python-docx's setter scans every style
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, twips, strict=True):
            column.width = Twips(width)
        for tr in table._tbl.tr_lst:
            for tc, width in zip(tr.tc_lst, twips, strict=True):
                tc.width = Twips(width)
        tbl_w = _element("w:tblW", w=str(sum(twips)), type="dxa")
        _put(tbl_pr, tbl_w, _TBLPR_AFTER_TBLW)
        margins = _element("w:tblCellMar")
        for side in ("left", "right"):
            margins.append(_element(f"w:{side}", w=str(CELL_MARGIN_TWIPS), type="dxa"))
        _put(tbl_pr, margins, ["w:tblLook", "w:tblCaption", "w:tblDescription"])

    def table_cell(self, slot: _Slot, size: float, in_head: bool, shade: bool) -> Any:
        """One ``w:tc``: width, span, vertical merge, shading, centred vertically, its text."""
        tc = _new("w:tc")
        tc_pr = _element("w:tcPr")
        tc.append(tc_pr)
        tc_pr.append(_element("w:tcW", w=str(slot.width), type="dxa"))
        if slot.span > 1:
            tc_pr.append(_element("w:gridSpan", val=str(slot.span)))
        if slot.merge:
            tc_pr.append(
                _element("w:vMerge", **({"val": "restart"} if slot.merge == "restart" else {}))
            )
        if shade:
            tc_pr.append(_element("w:shd", val="clear", color="auto", fill=HEAD_SHADING))
        tc_pr.append(_element("w:vAlign", val="center"))
        p = _new("w:p")
        tc.append(p)
        cell = slot.cell
        if cell is None:
            p.append(copy.deepcopy(self.cell_paragraph_properties("left")))
            return tc
        label = in_head or cell.is_header
        align = "right" if cell.is_numeric and not in_head else "center" if label else "left"
        p.append(copy.deepcopy(self.cell_paragraph_properties(align)))
        warn = "未达成" in cell.style or "warn" in cell.style
        bold = (label or warn or cell.style == "total") or None
        properties = _run_properties(
            self.fonts.body, self.fonts.latin, size, bold, WARN_COLOR if warn else None
        )
        if cell.text:
            p.append(_run_element(cell.text, properties))
        return tc

    def cell_paragraph_properties(self, align: str) -> Any:
        """The ``w:pPr`` of a table cell's paragraph: the Table Text style and an alignment."""
        key = f"cell-{align}"
        if key not in self.prototypes:
            ppr = _new("w:pPr")
            ppr.append(_element("w:pStyle", val=self.style_id("Table Text")))
            ppr.append(_element("w:jc", val=align))
            self.prototypes[key] = ppr
        return self.prototypes[key]

    # -------------------------------------------------------------- contents

    def contents(self, block: Contents, index: int) -> None:
        r"""The TOC field (sections), then 图目录 and 表目录 as ``TOC \c`` fields."""
        title = self.new_paragraph("Contents Title")
        title.paragraph_format.space_before = Twips(self.layout.line_pitch)
        self.write(title, block.title, self.fonts.heading)
        lines = [(f"toc {e.level - 1}", e.label) for e in self.outline.sections]
        self.toc_field(TOC_INSTRUCTION, lines, notice=True)
        for kind, heading, entries in (
            ("图", "图目录", self.outline.figures),
            ("表", "表目录", self.outline.tables),
        ):
            if entries:
                title = self.new_paragraph("Contents Title")
                title.paragraph_format.space_before = Twips(self.layout.line_pitch)
                self.write(title, heading, self.fonts.heading)
                figure_lines = [("table of figures", e.label) for e in entries]
                self.toc_field(f'TOC \\h \\z \\c "{kind}"', figure_lines, notice=False)
        self.break_next = True

    def toc_field(self, instruction: str, lines: list[tuple[str, str]], notice: bool) -> None:
        """A TOC field; its cached result is the entries without page numbers (and a notice).

        Word replaces the cached result when the field is updated (on open, as the settings
        ask, or by the reader); until then the reader sees the entries and how to update.
        """
        items = [("notice", TOC_PLACEHOLDER)] if notice else []
        items += lines or [("toc 1", "")]
        paragraphs: list[DocxParagraph] = []
        for style, text in items:
            is_notice = style == "notice"
            paragraph = self.new_paragraph("toc 1" if is_notice else style)
            if not paragraphs:
                _field_begin(paragraph, instruction, self.write)
            self.write(paragraph, text, size=NOTE_PT if is_notice else None)
            paragraphs.append(paragraph)
        _field_char(paragraphs[-1], "end", self.write)


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _text_twips(text: str, size: float) -> int:
    """An estimate of the width of ``text`` at ``size`` pt (Times New Roman digits, CJK 1 em)."""
    narrow = {".": 0.25, ",": 0.25, "%": 0.83, " ": 0.25}
    ems = sum(1.0 if _is_cjk(ch) else 0.5 if ch.isdigit() else narrow.get(ch, 0.6) for ch in text)
    return int(ems * size * 20 * 1.05)  # a little room for bold


def _needed_widths(grid: list[list[tuple[int, Cell]]], columns: int, size: float) -> list[int]:
    """Per column, the width its numbers and very short labels need not to wrap (twips).

    Numbers, percentages and dates broken over two lines mislead; a text of up to
    :data:`SHORT_LABEL` Chinese characters (one more in labels: 一级指标) broken after any
    character reads badly. Longer texts wrap.
    """
    need = [2 * CELL_MARGIN_TWIPS + int(size * 20)] * columns  # one character at least
    for row in grid:
        for column, cell in row:
            text = cell.text.strip()
            cjk = sum(map(_is_cjk, text))
            short = SHORT_LABEL + 1 if cell.is_header or row is grid[0] else SHORT_LABEL
            unbreakable = (not cjk and len(text) <= 12) or len(text) <= short
            if cell.colspan == 1 and text and unbreakable:
                width = _text_twips(text, size) + 2 * CELL_MARGIN_TWIPS + 20
                need[column] = max(need[column], width)
    return need


def _empty_columns(body: list[list[tuple[int, Cell]]], columns: int) -> set[int]:
    """Columns with no text below the header rows (they keep only the header's width)."""
    filled = {
        column + offset
        for row in body
        for column, cell in row
        if cell.text.strip()
        for offset in range(max(cell.colspan, 1))
    }
    return set(range(columns)) - filled if body else set()


def _column_widths(weights: list[float], need: list[int], total: int) -> list[int]:
    """Column widths (twips) filling ``total`` in proportion to ``weights``, widened to ``need``.

    A column narrower than it needs is widened at the expense of the others, as long as all
    the needs fit in ``total``.

    Example:
        >>> _column_widths([1, 1, 8], [0, 300, 0], 1000)
        [77, 300, 623]
    """
    weights = [max(float(w), 0.01) for w in weights]
    fixed: set[int] = set()
    if sum(need) <= total:
        for _ in weights:
            widths = _share(weights, need, fixed, total)
            short = {i for i, w in enumerate(widths) if w < need[i]} - fixed
            if not short:
                break
            fixed |= short
    widths = _share(weights, need, fixed, total)
    twips = [int(w) for w in widths]
    twips[-1] += total - sum(twips)
    return twips


def _share(weights: list[float], need: list[int], fixed: set[int], total: int) -> list[float]:
    room = total - sum(need[i] for i in fixed)
    free = sum(w for i, w in enumerate(weights) if i not in fixed)
    return [need[i] if i in fixed else room * w / free for i, w in enumerate(weights)]


@dataclass(frozen=True)
class _Slot:
    """One ``w:tc`` of a row: a cell of the model, a slot merged from above, or an empty slot."""

    cell: Cell | None
    span: int
    width: int  # twips
    merge: str = ""  # "restart" (a cell spanning rows), "continue" (merged from above) or ""


def _slots(grid: list[list[tuple[int, Cell]]], widths: list[int]) -> list[list[_Slot]]:
    """The ``w:tc`` of every row: spans as gridSpan and vMerge, clipped to the table.

    Example:
        >>> grid = [[(0, Cell("a", rowspan=2)), (1, Cell("b"))], [(1, Cell("c"))]]
        >>> [[(s.cell and s.cell.text, s.merge) for s in row] for row in _slots(grid, [9, 9])]
        [[('a', 'restart'), ('b', '')], [(None, 'continue'), ('c', '')]]
    """
    below: dict[tuple[int, int], int] = {}  # (row, column) → span merged from a row above
    rows = []
    for r, placed in enumerate(grid):
        at = dict(placed)
        slots: list[_Slot] = []
        column = 0
        while column < len(widths):
            slot = _slot_at(r, column, at, below, len(grid), widths)
            slots.append(slot)
            column += slot.span
        rows.append(slots)
    return rows


def _slot_at(
    r: int,
    column: int,
    at: dict[int, Cell],
    below: dict[tuple[int, int], int],
    rows: int,
    widths: list[int],
) -> _Slot:
    if (r, column) in below:
        span = below[(r, column)]
        return _Slot(None, span, sum(widths[column : column + span]), "continue")
    cell = at.get(column)
    if cell is None:
        return _Slot(None, 1, widths[column])
    span = min(max(cell.colspan, 1), len(widths) - column)
    for c in range(column + 1, column + span):  # a malformed span stops at a taken slot
        if (r, c) in below or c in at:
            span = c - column
            break
    bottom = min(r + max(cell.rowspan, 1), rows) - 1
    for row in range(r + 1, bottom + 1):
        below[(row, column)] = span
    merge = "restart" if bottom > r else ""
    return _Slot(cell, span, sum(widths[column : column + span]), merge)
