"""The report as data: one document model read by the HTML, PDF and Word renderers.

A report is a :class:`Document`: a title and a flat list of blocks (headings, paragraphs,
lists, key-figure tiles, tables with merged cells, figures, the contents). No block holds
markup: every text is plain text, and each renderer decides how to show it (Jinja2 with
autoescaping for HTML, strings handed to Typst as data for the PDF, runs for Word).

The numbering of figures (图1, 图2 …) and tables (表1 …) and the contents are computed once,
by :meth:`Document.outline`, from the order of the blocks; renderers only read them.

In the notebook every displayed piece of the report carries its blocks as JSON under
:data:`MIMETYPE` beside ``text/html``; the exporters rebuild the document from those outputs
(:func:`blocks_to_bundle` / :func:`blocks_from_bundle`).

Example:
    >>> doc = Document("科技局2021年度绩效自评报告", [
    ...     Heading("科技局2021年度绩效自评报告", level=1),
    ...     Contents(),
    ...     Heading("一、组织开展情况", level=2),
    ...     Figure("各类别项目预算（万元）", svg="<svg/>"),
    ...     Table("项目得分", head=[[Cell("项目"), Cell("得分")]], body=[[Cell("<b>"), Cell("90")]]),
    ... ])
    >>> [entry.label for entry in doc.outline().entries]
    ['一、组织开展情况', '图1 各类别项目预算（万元）', '表1 项目得分']
    >>> blocks_from_bundle(blocks_to_bundle(doc.blocks)) == doc.blocks
    True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

MIMETYPE = "application/vnd.jixiao.blocks+json"
"""The cell-output mimetype under which the report's blocks travel in the notebook."""

MODEL_VERSION = 1


class ModelError(ValueError):
    """A block bundle that is not a valid jixiao document (unknown kind, bad field, bad span)."""


@dataclass(frozen=True)
class Heading:
    """A heading. Level 1 is the report title, 2 a section (一、), 3 a subsection (（一）), 4 minor.

    ``starts_page`` puts the heading on a new page in paginated outputs (the annexes).
    """

    text: str
    level: int = 2
    starts_page: bool = False
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``style`` is ``body``, ``note``, ``score``, ``signature``."""

    text: str
    style: str = "body"
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class ItemList:
    """A bulleted list; ``severities`` (same length, may be empty) marks items ``warn``."""

    items: list[str]
    severities: list[str] = field(default_factory=list)
    kind: ClassVar[str] = "list"

    def severity(self, index: int) -> str:
        """The severity of item ``index`` ('' when none)."""
        return self.severities[index] if index < len(self.severities) else ""


@dataclass(frozen=True)
class Tile:
    """One key figure: a label, its value, a line under it, whether it warns, and its unit.

    ``unit`` (``万元``, ``分``) is set apart from the number: renderers keep the two on one line
    (a narrow tile broke ``6787.5694 万元`` before ``元``) and may set the unit smaller.
    """

    label: str
    value: str
    sub: str = ""
    is_warning: bool = False
    unit: str = ""


@dataclass(frozen=True)
class Tiles:
    """A row of key-figure tiles."""

    tiles: list[Tile]
    kind: ClassVar[str] = "tiles"


@dataclass(frozen=True)
class Cell:
    """A table cell. Spans work as in HTML: a cell covers ``colspan`` × ``rowspan`` slots.

    ``style`` is a token for renderers (``status-未达成``, ``label``, ``total``); ``is_numeric``
    right-aligns; ``is_header`` marks a label cell inside the body (the 自评表's left column);
    ``link`` is a relative path (``高新区科技局/report.html``), shown as a link where the
    format has them and only when it is relative (no scheme, no leading slash).
    """

    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    is_numeric: bool = False
    is_header: bool = False
    style: str = ""
    link: str = ""  # a relative path to another file of the output (HTML shows a link)


@dataclass(frozen=True)
class Table:
    """A table: header rows (repeated on every page), body rows and footer rows.

    ``widths`` are relative column widths (empty: equal). A table with a caption is numbered
    (表N) and listed in the contents. ``style`` is ``data`` (a listing) or ``form`` (an
    official form, laid out with every border).
    """

    caption: str
    head: list[list[Cell]]
    body: list[list[Cell]]
    foot: list[list[Cell]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    style: str = "data"
    kind: ClassVar[str] = "table"

    @property
    def columns(self) -> int:
        """The number of grid columns (from the widest row, spans counted)."""
        return max(
            (column + max(cell.colspan, 1) for row in self.grid() for column, cell in row),
            default=0,
        )

    def grid(self) -> list[list[tuple[int, Cell]]]:
        """Every row of head, body and foot with each cell's grid column (spans placed).

        Returns:
            One list per row of ``(column, cell)``, in order: head rows, body rows, foot rows.

        Example:
            >>> t = Table("", head=[[Cell("a", rowspan=2), Cell("b")]], body=[[Cell("c")]])
            >>> [[col for col, _ in row] for row in t.grid()], t.columns
            ([[0, 1], [1]], 2)
        """
        return _place(self.head + self.body + self.foot)


def _place(rows: list[list[Cell]]) -> list[list[tuple[int, Cell]]]:
    taken: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Cell]]] = []
    for r, row in enumerate(rows):
        column, out = 0, []
        for cell in row:
            while (r, column) in taken:
                column += 1
            out.append((column, cell))
            for dr in range(max(cell.rowspan, 1)):
                for dc in range(max(cell.colspan, 1)):
                    taken.add((r + dr, column + dc))
            column += max(cell.colspan, 1)
        placed.append(out)
    return placed


@dataclass(frozen=True)
class Figure:
    """A chart: SVG text (from matplotlib, text kept as text) and a caption (numbered 图N)."""

    caption: str
    svg: str
    width_pct: int = 100
    kind: ClassVar[str] = "figure"


@dataclass(frozen=True)
class Contents:
    """Where the contents (sections, then the lists of figures and tables) goes."""

    title: str = "目录"
    kind: ClassVar[str] = "contents"


Block = Heading | Paragraph | ItemList | Tiles | Table | Figure | Contents
BLOCK_TYPES: dict[str, type] = {
    t.kind: t for t in (Heading, Paragraph, ItemList, Tiles, Table, Figure, Contents)
}


@dataclass(frozen=True)
class Entry:
    """One line of the contents: a section heading, a figure or a table."""

    kind: str  # "section", "figure" or "table"
    level: int  # heading level; 0 for figures and tables
    label: str  # the text shown, numbered for figures and tables
    anchor: str  # a stable id: sec-N, fig-N, tab-N


@dataclass(frozen=True)
class Outline:
    """The numbering and contents of a document, computed once."""

    anchors: list[str]  # per block, '' for blocks without one
    labels: list[str]  # per block: the heading text, 图N caption, 表N caption, or ''
    entries: list[Entry]

    @property
    def sections(self) -> list[Entry]:
        """Section and subsection headings (levels 2 and 3)."""
        return [e for e in self.entries if e.kind == "section"]

    @property
    def figures(self) -> list[Entry]:
        """Numbered figures."""
        return [e for e in self.entries if e.kind == "figure"]

    @property
    def tables(self) -> list[Entry]:
        """Numbered tables."""
        return [e for e in self.entries if e.kind == "table"]


@dataclass(frozen=True, eq=False)
class Document:
    """A whole report: its title, its blocks and where it comes from."""

    title: str
    blocks: list[Block]
    meta: dict[str, Any] = field(default_factory=dict)
    _outline: Outline | None = field(default=None, init=False, repr=False, compare=False)

    def outline(self) -> Outline:
        """Number figures and tables in order and list sections, figures and tables (once)."""
        if self._outline is None:
            object.__setattr__(self, "_outline", compute_outline(self.blocks))
        assert self._outline is not None
        return self._outline


def compute_outline(blocks: list[Block], start_figure: int = 0, start_table: int = 0) -> Outline:
    """Numbering and contents for ``blocks`` (see :meth:`Document.outline`).

    Args:
        blocks: the blocks in reading order.
        start_figure: figures already numbered before these blocks (a notebook cell shows
            its part of the report with the numbers it will have in the whole).
        start_table: tables already numbered before these blocks.

    Returns:
        The outline.
    """
    anchors, labels, entries = [], [], []
    counts = {"section": 0, "figure": start_figure, "table": start_table}
    for block in blocks:
        anchor = label = ""
        if isinstance(block, Heading) and block.level in (2, 3):
            counts["section"] += 1
            anchor, label = f"sec-{counts['section']}", block.text
            entries.append(Entry("section", block.level, label, anchor))
        elif isinstance(block, Figure) or (isinstance(block, Table) and block.caption):
            kind = "figure" if isinstance(block, Figure) else "table"
            counts[kind] += 1
            number = counts[kind]
            anchor = f"{kind[:3]}-{number}"
            label = f"{'图' if kind == 'figure' else '表'}{number} {block.caption}"
            entries.append(Entry(kind, 0, label, anchor))
        anchors.append(anchor)
        labels.append(label)
    return Outline(anchors, labels, entries)


# ------------------------------------------------------------------ JSON in cell outputs


def _default(field_: dataclasses.Field[Any]) -> Any:
    if field_.default is not dataclasses.MISSING:
        return field_.default
    if field_.default_factory is not dataclasses.MISSING:
        return field_.default_factory()
    return dataclasses.MISSING


def _compact(value: Any) -> Any:
    """Dataclasses as dicts without the fields left at their defaults (lists recursively)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _compact(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init and getattr(value, f.name) != _default(f)
        }
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def block_to_dict(block: Block) -> dict[str, Any]:
    """A block as JSON-ready data, with its ``kind``; fields at their defaults are left out.

    Example:
        >>> block_to_dict(Table("表", [[Cell("项目")]], [[Cell("1", is_numeric=True)]]))
        {'kind': 'table', 'caption': '表', 'head': [[{'text': '项目'}]], 'body': [[{'text': '1', 'is_numeric': True}]]}
    """
    return {"kind": block.kind, **_compact(block)}


def blocks_to_bundle(blocks: list[Block]) -> dict[str, Any]:
    """The cell-output payload (:data:`MIMETYPE`) for ``blocks``."""
    return {"version": MODEL_VERSION, "blocks": [block_to_dict(b) for b in blocks]}


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ModelError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ModelError(f"{cls.__name__}: {exc}") from None


def block_from_dict(data: dict[str, Any]) -> Block:
    """Rebuild one block from :func:`block_to_dict` output.

    Raises:
        ModelError: unknown kind or fields.
    """
    data = dict(data)
    kind = data.pop("kind", None)
    cls = BLOCK_TYPES.get(str(kind))
    if cls is None:
        raise ModelError(f"unknown block kind {kind!r}")
    if cls is Table:
        for part in ("head", "body", "foot"):
            data[part] = [[_build(Cell, c) for c in row] for row in data.get(part, [])]
    elif cls is Tiles:
        data["tiles"] = [_build(Tile, t) for t in data.get("tiles", [])]
    block: Block = _build(cls, data)
    return block


def blocks_from_bundle(bundle: dict[str, Any]) -> list[Block]:
    """The blocks of one cell-output payload.

    Raises:
        ModelError: a newer model version, or a malformed block.
    """
    if not isinstance(bundle, dict) or bundle.get("version") != MODEL_VERSION:
        raise ModelError(f"unsupported jixiao block bundle version {bundle.get('version')!r}")
    return [block_from_dict(b) for b in bundle.get("blocks", [])]
