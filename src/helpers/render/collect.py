"""Rebuild the report document from an executed notebook.

The notebook is the audit record: each report section a cell displayed carries its blocks as
JSON (:data:`helpers.document.MIMETYPE`). This module reads them back in cell order and adds
the analyst's own Markdown cells (headings, paragraphs, bullet lists) as blocks, so that what
an analyst writes in the notebook is in every rendered format. Cells tagged
``hide-in-report`` are left out; other outputs (plain prints, DataFrame views, charts shown
without ``report.figure``) are working material and are not part of the report.

Plain JSON is enough: no nbformat or nbconvert import is needed (the runner stays light).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from helpers.document import (
    MIMETYPE,
    Block,
    Document,
    Figure,
    Heading,
    ItemList,
    Paragraph,
    blocks_from_bundle,
)

HIDE_CELL_TAG = "hide-in-report"
"""Cells with this tag (e.g. notes for analysts) are left out of the exported report."""

_HEADING_RE = re.compile(r"^(#{1,4})\s+(.*?)\s*#*\s*$")
_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)、])\s+(.*)$")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def _plain(text: str) -> str:
    """Markdown inline marks removed: links keep their text, emphasis its words.

    Example:
        >>> _plain("**重点**项目见[附件](a.pdf)，`代码`")
        '重点项目见附件，代码'
    """
    text = _LINK_RE.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS_RE.sub(r"\2", text)
    return text.strip()


def _flush(lines: list[str], blocks: list[Block]) -> None:
    if lines:
        blocks.append(Paragraph(_plain("".join(line.strip() for line in lines))))
        lines.clear()


def markdown_blocks(source: str) -> list[Block]:
    r"""An analyst's Markdown cell as blocks: headings, paragraphs and bullet lists.

    Example:
        >>> [b.kind for b in markdown_blocks("## 五、其他说明\n\n本年度**无**。\n\n- 甲\n- 乙")]
        ['heading', 'paragraph', 'list']
    """
    blocks: list[Block] = []
    lines: list[str] = []
    items: list[str] = []
    for line in [*source.splitlines(), ""]:
        heading, item = _HEADING_RE.match(line), _ITEM_RE.match(line)
        if heading or item or not line.strip():
            _flush(lines, blocks)
        if not item and items:
            blocks.append(ItemList(list(items)))
            items.clear()
        if heading:
            blocks.append(Heading(_plain(heading.group(2)), len(heading.group(1))))
        elif item:
            items.append(_plain(item.group(1)))
        elif line.strip():
            lines.append(line)
    return blocks


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_blocks(cell: Mapping[str, Any]) -> list[Block]:
    """The report blocks one notebook cell contributes."""
    if HIDE_CELL_TAG in cell.get("metadata", {}).get("tags", []):
        return []
    if cell.get("cell_type") == "markdown":
        return markdown_blocks(_source(cell))
    blocks: list[Block] = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if MIMETYPE in data:
            blocks += [_with_svg(b, data) for b in blocks_from_bundle(data[MIMETYPE])]
    return blocks


def _with_svg(block: Block, data: Mapping[str, Any]) -> Block:
    """A chart shown in the notebook keeps its SVG in the output's ``image/svg+xml``."""
    if not isinstance(block, Figure) or block.svg:
        return block
    svg = data.get("image/svg+xml", "")
    return replace(block, svg="".join(svg) if isinstance(svg, list) else str(svg))


def collect_document(notebook: Mapping[str, Any], title: str = "") -> Document:
    """The report document of an executed notebook.

    Args:
        notebook: the notebook as parsed JSON (a dict, or an nbformat node).
        title: the document title; the first level-1 heading when empty.

    Returns:
        The document, its blocks in cell order.
    """
    blocks: list[Block] = []
    cells: Iterable[Mapping[str, Any]] = notebook.get("cells", [])
    for cell in cells:
        blocks += cell_blocks(cell)
    if not title:
        title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
    parameters = notebook.get("metadata", {}).get("papermill", {}).get("parameters", {})
    meta = {k: parameters[k] for k in ("fiscal_year", "department") if k in parameters}
    return Document(title or "绩效自评报告", blocks, meta)
