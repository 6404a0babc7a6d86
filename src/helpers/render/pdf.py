"""The report document model as an A4 PDF, laid out by Typst.

The document is handed to Typst as data, never as markup: :func:`document_data` turns a
:class:`~helpers.document.Document` into JSON (with the numbering, labels and anchors of
:meth:`~helpers.document.Document.outline` computed here, in Python), :func:`render_pdf` writes
it with one SVG file per chart into a temporary folder, and the template
``templates/report/report.typ`` reads it with ``json(...)`` and places every string as text.
A paragraph ``#set text(red) *x* $y$`` therefore prints those characters.

Typst is the ``typst`` wheel from PyPI (no downloads at run time). Fonts are looked up once per
process: the system fonts plus the OFL Noto Sans CJK SC file of ``jixiao[fonts]``
(:func:`helpers.fonts.bundled_font_files`). Only installed families are passed to the template,
so Typst never warns about an unknown family; it falls back per glyph along each list.

Example:
    >>> from helpers.document import Document, Heading, Paragraph
    >>> pdf = render_pdf(Document("示例", [Heading("示例", 1), Paragraph("正文")]))
    >>> pdf[:5]
    b'%PDF-'
"""

from __future__ import annotations

import atexit
import functools
import itertools
import json
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.document import (
    Cell,
    Contents,
    Document,
    Entry,
    Figure,
    Heading,
    ItemList,
    Outline,
    Paragraph,
    Table,
    Tiles,
)
from helpers.fonts import CJK_FONT_FAMILIES, CJKFontNotFoundError, bundled_font_files

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "report" / "report.typ"
"""The Typst template; it reads ``/doc.json`` and ``/fig-N.svg`` from the compile root."""

BODY_FONTS: tuple[str, ...] = (
    "FangSong",
    "仿宋_GB2312",
    "FangSong_GB2312",
    "STFangsong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "SimSun",
    "Noto Sans CJK SC",
)
"""Body text: a serif 仿宋/宋体 face, best first."""

HEADING_FONTS: tuple[str, ...] = ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC")
"""Title and section headings (levels 1, 2, 4), captions, table headers: 黑体."""

KAI_FONTS: tuple[str, ...] = ("KaiTi", "KaiTi_GB2312", "STKaiti")
"""Subsection headings (level 3): 楷体, then the heading faces."""

TEXT_WIDTH_PT = (210 - 26 - 24) / 25.4 * 72
"""Width of the text on the page (A4 less the template's side margins), in points."""
TABLE_FONT_PT = 9.5  # the template's table-size
CELL_INSET_PT = 4.0  # the template's horizontal cell inset
DIGIT_EM = 0.6  # a digit, a Latin letter or "%" is at most about this wide, in em
SHORT_TABLE_ROWS = 6
_UNBREAKABLE = re.compile(r"[0-9A-Za-z.,:;%+\-/<>=≥≤~_#*$@&!?'\"]+")

log = logging.getLogger(__name__)
_lock = threading.Lock()


def font_stacks(available: Iterable[str]) -> dict[str, list[str]]:
    """The font lists of the template, keeping only installed families, in preference order.

    Args:
        available: the family names Typst knows (compared without regard to case).

    Returns:
        ``{"body": [...], "heading": [...], "kai": [...]}``, each list non-empty.

    Raises:
        CJKFontNotFoundError: no CJK family is installed (of ours, or of the charts'
            :data:`helpers.fonts.CJK_FONT_FAMILIES`).

    Example:
        >>> font_stacks(["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"])["kai"]
        ['Noto Sans CJK SC', 'Noto Serif CJK SC']
    """
    known = {name.casefold() for name in available}

    def pick(names: Iterable[str]) -> list[str]:
        return [name for name in names if name.casefold() in known]

    heading = pick(HEADING_FONTS) or pick(BODY_FONTS) or pick(CJK_FONT_FAMILIES)
    body = pick(BODY_FONTS) or heading
    if not body:
        raise CJKFontNotFoundError(
            "找不到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）或 "
            "pip install 'jixiao[fonts]'。 / No CJK font found: install fonts-noto-cjk or "
            "jixiao[fonts]."
        )
    kai = pick(KAI_FONTS) + heading
    # A face missing a glyph falls back along its list, then to the body faces.
    return {
        "body": body,
        "heading": _unique(heading + body),
        "kai": _unique(kai + body),
    }


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------ the document as data


def _entry(entry: Entry) -> dict[str, Any]:
    return {"level": entry.level, "label": entry.label, "anchor": entry.anchor}


def _cell(cell: Cell) -> dict[str, Any]:
    return {
        "text": cell.text,
        "colspan": max(cell.colspan, 1),
        "rowspan": max(cell.rowspan, 1),
        "numeric": cell.is_numeric,
        "header": cell.is_header,
        "style": cell.style,
    }


def _heading(block: Heading, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    return {
        "text": block.text,
        "level": min(max(block.level, 1), 6),
        "starts_page": block.starts_page,
        # Only sections (一、) and subsections (（一）) are in the contents and the bookmarks.
        "outlined": block.level in (2, 3),
        "anchor": anchor,
    }


def _paragraph(block: Paragraph, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    return {"text": block.text, "style": block.style, "sticky": False, "follows_signature": False}


def _list(block: ItemList, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    items = [
        {"text": text, "warn": block.severity(i) == "warn"} for i, text in enumerate(block.items)
    ]
    return {"items": items}


def _tiles(block: Tiles, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    tiles = [
        {
            "label": t.label,
            "value": t.value,
            "sub": t.sub,
            "is_warning": t.is_warning,
            "unit": t.unit,
        }
        for t in block.tiles
    ]
    return {"tiles": tiles}


def _column_count(table: Table) -> int:
    """Grid columns of ``table``: the furthest column any cell reaches, spans counted."""
    return max(
        (column + max(cell.colspan, 1) for row in table.grid() for column, cell in row),
        default=0,
    )


def _min_width(cell: Cell) -> float:
    """Points a one-column cell needs for its longest unbreakable run (``681.5307``, ``100%``).

    Chinese text breaks between any two characters; numbers and Latin words do not, and would
    overflow a narrow column into the next cell.
    """
    longest = max((len(run) for run in _UNBREAKABLE.findall(cell.text)), default=0)
    return longest * DIGIT_EM * TABLE_FONT_PT + 2 * CELL_INSET_PT + 1.0 if longest else 0.0


def column_widths(table: Table, columns: int) -> tuple[list[float], list[float]]:
    """Relative widths (``fr``) and the fixed widths (points, 0 for none) of the columns.

    A column whose share of the text width is narrower than its widest number gets that
    width instead; the others share the rest in their proportions.

    Returns:
        ``(fractions, fixed)``: both empty when the table gives no (valid) widths, and Typst
        sizes the columns to their content.
    """
    if len(table.widths) != columns or not all(w > 0 for w in table.widths):
        return [], []
    fractions = [float(w) for w in table.widths]
    needed = [0.0] * columns
    for row in table.grid():
        for column, cell in row:
            if max(cell.colspan, 1) == 1:
                needed[column] = max(needed[column], _min_width(cell))
    total = sum(fractions)
    fixed = [
        n if f / total * TEXT_WIDTH_PT < n else 0.0 for f, n in zip(fractions, needed, strict=True)
    ]
    return fractions, fixed


def _table(block: Table, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    columns = _column_count(block)
    fractions, fixed = column_widths(block, columns)
    return {
        "label": label,
        "anchor": anchor,
        "style": block.style,
        "columns": columns,
        "widths": fractions,
        "fixed": fixed,
        # A short table moves whole to the next page rather than leave a row behind.
        "breakable": len(block.head) + len(block.body) + len(block.foot) > SHORT_TABLE_ROWS,
        "sticky": False,
        "head": [[_cell(c) for c in row] for row in block.head],
        "body": [[_cell(c) for c in row] for row in block.body],
        "foot": [[_cell(c) for c in row] for row in block.foot],
    }


def _figure(block: Figure, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    return {
        "label": label,
        "anchor": anchor,
        "file": f"{anchor}.svg",
        "width_pct": min(max(int(block.width_pct), 10), 100),
    }


def _contents(block: Contents, anchor: str, label: str, outline: Outline) -> dict[str, Any]:
    return {
        "title": block.title,
        "sections": [_entry(e) for e in outline.sections],
        "figures": [_entry(e) for e in outline.figures],
        "tables": [_entry(e) for e in outline.tables],
    }


_SERIALISERS: dict[type, Callable[[Any, str, str, Outline], dict[str, Any]]] = {
    Heading: _heading,
    Paragraph: _paragraph,
    ItemList: _list,
    Tiles: _tiles,
    Table: _table,
    Figure: _figure,
    Contents: _contents,
}


def document_data(document: Document, fonts: dict[str, list[str]]) -> dict[str, Any]:
    """The JSON the template reads: the blocks with their numbering, labels and anchors.

    Args:
        document: the report.
        fonts: the font lists (see :func:`font_stacks`).

    Returns:
        ``{"title", "fonts", "blocks"}``; each block has its ``kind``; a figure names its SVG
        file (``fig-N.svg``), written beside the JSON by :func:`render_pdf`.
    """
    outline = document.outline()
    blocks = []
    for block, anchor, label in zip(document.blocks, outline.anchors, outline.labels, strict=True):
        data = _SERIALISERS[type(block)](block, anchor, label, outline)
        blocks.append({"kind": block.kind, **data})
    _keep_together(blocks)
    return {"title": document.title, "fonts": fonts, "blocks": blocks}


def _keep_together(blocks: list[dict[str, Any]]) -> None:
    """Mark blocks that must end on the page where the next one starts (``sticky``)."""
    for this, following in itertools.pairwise(blocks):
        # The signer and the date stay on one page, with the last lines of text above them.
        if this["kind"] == "paragraph" and following.get("style") == "signature":
            this["sticky"] = True
            following["follows_signature"] = this["style"] == "signature"
        # A 自评表 in two parts (the project, then its indicators without a caption).
        if this["kind"] == "table" and following["kind"] == "table" and not following["label"]:
            this["sticky"] = True


def _figures(document: Document) -> dict[str, str]:
    """SVG text of each figure by file name (``fig-N.svg``)."""
    outline = document.outline()
    return {
        f"{anchor}.svg": block.svg
        for block, anchor in zip(document.blocks, outline.anchors, strict=True)
        if isinstance(block, Figure)
    }


# ------------------------------------------------------------------ Typst


def link_fonts(files: Iterable[Path]) -> Path | None:
    """A new private folder holding (links to) ``files``, for Typst, which reads font folders.

    The folder of the bundled font also holds fonts we do not use; only ours are linked.

    Returns:
        The folder (removed when the process exits), or None when there are no files.
    """
    files = [Path(f) for f in files if Path(f).is_file()]
    if not files:
        return None
    folder = Path(tempfile.mkdtemp(prefix="jixiao-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for file in files:
        try:
            (folder / file.name).symlink_to(file.resolve())
        except OSError:  # no symbolic links (some Windows setups)
            shutil.copyfile(file, folder / file.name)
    return folder


@functools.cache
def _typst_fonts() -> Any:
    """System fonts and the bundled CJK font, searched once per process."""
    import typst

    folder = link_fonts(bundled_font_files())
    return typst.Fonts(font_paths=[str(folder)] if folder else [])


@functools.cache
def _compiler() -> Any:
    """One compiler, reused warm (~0.05 s a report), or None with typst-py 0.13.

    typst-py 0.13's compiler is bound to one project folder; there the module-level compile is
    used instead, with the same fonts (~0.15 s warm).
    """
    import typst

    if "root" not in (
        getattr(typst.Compiler.compile_with_warnings, "__text_signature__", "") or ""
    ):
        return None
    return typst.Compiler(font_paths=_typst_fonts())


@functools.cache
def installed_font_stacks() -> dict[str, list[str]]:
    """:func:`font_stacks` of the fonts Typst finds on this machine (computed once).

    typst-py 0.13 cannot list its fonts: the template then gets every family of ours and
    Typst's "unknown font family" warnings go to the debug log.
    """
    fonts = _typst_fonts()
    if not hasattr(fonts, "families"):
        return font_stacks([*BODY_FONTS, *HEADING_FONTS, *KAI_FONTS])
    return font_stacks(fonts.families())


def _log_warnings(warnings: list[Any]) -> None:
    """Typst's warnings go to the log, never to the terminal or the report."""
    for warning in warnings:
        message = str(getattr(warning, "message", warning))
        level = logging.DEBUG if "font" in message else logging.WARNING
        log.log(level, "typst: %s", message)


def compile_folder(folder: Path, tagged: bool = False) -> bytes:
    """Lay out ``folder/doc.json`` (and its SVG files) with the report template.

    Args:
        folder: the compile root holding ``doc.json`` and the ``fig-N.svg`` files.
        tagged: write a tagged PDF (see :func:`render_pdf`).

    Returns:
        The PDF bytes.
    """
    import typst

    source = TEMPLATE.read_bytes()
    with _lock:  # one compiler per process, reused warm; not shared between threads
        compiler = _compiler()
        if compiler is not None:
            pdf, warnings = compiler.compile_with_warnings(
                input=source, root=str(folder), format="pdf", pdf_tags=tagged
            )
        elif tagged:
            raise RuntimeError("a tagged PDF needs typst-py 0.14 or later")
        else:
            pdf, warnings = typst.compile_with_warnings(
                source, root=str(folder), font_paths=_typst_fonts(), format="pdf"
            )
    _log_warnings(warnings)
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(
    document: Document, target: str | Path | None = None, *, tagged: bool = False
) -> bytes:
    """Lay out ``document`` as an A4 PDF with Typst.

    Args:
        document: the report.
        target: also write the PDF here when given (atomically: a temporary file in the same
            folder, then renamed).
        tagged: add the structure tags of an accessible (screen-reader) PDF. Off by default:
            text stays extractable and searchable without them, and tagging every cell of
            twenty 自评表 more than doubles the file (FY2021: 290 KiB, 698 KiB tagged).

    Returns:
        The PDF bytes.

    Raises:
        CJKFontNotFoundError: no CJK font is installed (the PDF would show empty boxes).
        typst.TypstError: Typst could not lay out the document (a malformed SVG chart).
    """
    data = document_data(document, installed_font_stacks())
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as name:
        folder = Path(name)
        (folder / "doc.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        for file_name, svg in _figures(document).items():
            (folder / file_name).write_text(svg, "utf-8")
        pdf = compile_folder(folder, tagged)
    if target is not None:
        paths.write_atomically(target, pdf)
    return pdf


def warm_up() -> None:
    """Load Typst and the CJK fonts now (about 0.3 s), so that the first report is fast.

    For a worker process that lays out reports one after another.
    """
    render_pdf(
        Document("预算绩效自评", [Heading("预算绩效自评 2021", 1), Paragraph("正文 ABC 123")])
    )
