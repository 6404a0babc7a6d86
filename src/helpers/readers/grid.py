"""Workbooks and Word tables as grids of cell texts, merged cells filled, every cell addressable.

The standard 自评表 is a form, not a table: labels and values sit where the printed layout puts
them and many cells are merged. A :class:`Grid` is one sheet (or one Word table) as rows of
cell texts (see :func:`helpers.readers.cells.cell_text`) where every cell of a merged range
carries the range's text, so a reader can look to the right of a label or down a column without
knowing the merges. :meth:`Grid.ref` names a cell the way an analyst finds it again:
``自评表.xlsx 工作表「项目1」C7`` or ``自评表.docx 表格 2 第 7 行第 3 列``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.readers.cells import cell_text, format_date

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
OLD_WORKBOOK_SUFFIXES = frozenset({".xls"})
WORD_SUFFIXES = frozenset({".docx"})
GRID_SUFFIXES = WORKBOOK_SUFFIXES | OLD_WORKBOOK_SUFFIXES | WORD_SUFFIXES


class GridReadError(Exception):
    """The file cannot be opened as a workbook or Word document."""


def column_letter(index: int) -> str:
    """Excel's column letters for a 0-based column index.

    Example:
        >>> column_letter(0), column_letter(2), column_letter(26), column_letter(701)
        ('A', 'C', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Grid:
    """One sheet or Word table: rows of cell texts with merged ranges filled."""

    file: str
    sheet: str
    cells: list[list[str | None]]
    is_word_table: bool = False
    source: Path | None = None
    """The .xlsx the sheet came from (formulas are looked up there only when asked)."""
    preamble: list[str] = field(default_factory=list)
    """A Word table's paragraphs above it (since the table before): its title, the unit."""
    copies: set[tuple[int, int]] = field(default_factory=set)
    """(row, col) holding a copy of a merged cell's text (not the merge's own first cell)."""

    def is_copy(self, row: int, col: int) -> bool:
        """Whether a cell only repeats a merged cell (two cells of equal text are not copies)."""
        return (row, col) in self.copies

    @property
    def formula_cells(self) -> set[tuple[int, int]]:
        """(row, col) of formula cells whose value Excel never saved (they read as empty).

        Looked up lazily: only jixiao's own workbook layout asks, so reading a form costs one
        load of the workbook, not two.
        """
        if self.source is None or self.source.suffix.lower() not in WORKBOOK_SUFFIXES:
            return set()
        positions = _formula_positions(str(self.source), self.source.stat().st_mtime_ns)
        return {p for p in positions.get(self.sheet, ()) if self.get(*p) is None}

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        """Number of columns of the widest row."""
        return max((len(r) for r in self.cells), default=0)

    def get(self, row: int, col: int) -> str | None:
        """The text at (row, col), 0-based; None outside the grid or for an empty cell."""
        if 0 <= row < len(self.cells) and 0 <= col < len(self.cells[row]):
            return self.cells[row][col]
        return None

    def ref(self, row: int, col: int | None = None) -> str:
        """Where a cell is, for a message (without the file name).

        Example:
            >>> Grid("a.xlsx", "项目1", [[None]]).ref(6, 2)
            '工作表「项目1」C7'
            >>> Grid("a.docx", "表格 2", [[None]], is_word_table=True).ref(6, 2)
            '表格 2 第 7 行第 3 列'
        """
        if self.is_word_table:
            where = f"{self.sheet} 第 {row + 1} 行"
            return where if col is None else f"{where}第 {col + 1} 列"
        if col is None:
            return f"工作表「{self.sheet}」第 {row + 1} 行"
        return f"工作表「{self.sheet}」{column_letter(col)}{row + 1}"

    def row_texts(self, row: int) -> Iterator[tuple[int, str]]:
        """(column, text) of the non-empty cells of a row, left to right."""
        for col, text in enumerate(self.cells[row] if 0 <= row < len(self.cells) else []):
            if text is not None:
                yield col, text


def _fill_merges(
    cells: list[list[str | None]], merges: list[tuple[int, int, int, int]]
) -> set[tuple[int, int]]:
    """Copy each merged range's top-left text into all its cells (0-based, inclusive bounds).

    Returns the positions that received a copy.
    """
    copies = set()
    for top, left, bottom, right in merges:
        value = cells[top][left] if top < len(cells) and left < len(cells[top]) else None
        for r in range(top, min(bottom, len(cells) - 1) + 1):
            row = cells[r]
            if len(row) <= right:
                row.extend([None] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value
                if (r, c) != (top, left):
                    copies.add((r, c))
    return copies


def _read_xlsx(path: Path) -> list[Grid]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise GridReadError(str(exc)) from exc
    grids = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        cells = [
            [cell_text(c.value, c.number_format) for c in row]
            for row in sheet.iter_rows(max_col=sheet.max_column, max_row=sheet.max_row)
        ]
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in sheet.merged_cells.ranges
        ]
        copies = _fill_merges(cells, merges)
        grids.append(Grid(path.name, sheet.title, cells, source=path, copies=copies))
    return grids


@functools.lru_cache(maxsize=8)
def _formula_positions(path: str, mtime_ns: int) -> dict[str, frozenset[tuple[int, int]]]:
    """Per sheet, the (row, col) of every formula cell of a workbook (cached per file version)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception:  # pragma: no cover - the data load of the same file succeeded
        return {}
    try:
        return {
            sheet.title: frozenset(
                (c.row - 1, c.column - 1)
                for row in sheet.iter_rows()
                for c in row
                if isinstance(c.value, str) and c.value.startswith("=") and c.row and c.column
            )
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def _read_xls(path: Path) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as exc:  # xlrd raises its own and struct errors for broken files
        raise GridReadError(str(exc)) from exc
    grids = []
    for sheet in book.sheets():
        if getattr(sheet, "visibility", 0):
            continue
        cells: list[list[str | None]] = []
        for r in range(sheet.nrows):
            row: list[str | None] = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                fmt = None
                try:
                    fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
                except (IndexError, KeyError, AttributeError):
                    fmt = None
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        row.append(format_date(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                    except (ValueError, OverflowError):
                        row.append(cell_text(cell.value, None))
                elif (
                    cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
                    or cell.ctype == xlrd.XL_CELL_ERROR
                ):
                    row.append(None)
                else:
                    row.append(cell_text(cell.value, fmt))
            cells.append(row)
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        copies = _fill_merges(cells, merges)
        grids.append(Grid(path.name, sheet.name, cells, copies=copies))
    return grids


def _read_docx(path: Path) -> list[Grid]:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises zip, XML and value errors
        raise GridReadError(str(exc)) from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    grids: list[Grid] = []
    paragraphs: list[str] = []  # the body's paragraphs since the last table
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            if text := cell_text(item.text):
                paragraphs.append(text)
            continue
        assert isinstance(item, Table)
        cells = []
        # python-docx repeats a merged cell in every column it spans. The cell elements are
        # kept (not their ids: lxml's proxies die and their ids come back for other cells).
        seen: set[Any] = set()
        copies = set()
        for r, row in enumerate(item.rows):
            texts = []
            for c, cell in enumerate(row.cells):
                texts.append(cell_text("\n".join(p.text for p in cell.paragraphs)))
                if cell._tc in seen:
                    copies.add((r, c))
                seen.add(cell._tc)
            cells.append(texts)
        number = len(grids) + 1
        grids.append(
            Grid(
                path.name,
                f"表格 {number}",
                cells,
                is_word_table=True,
                preamble=paragraphs,
                copies=copies,
            )
        )
        paragraphs = []
    return grids


def read_grids(path: str | Path) -> list[Grid]:
    """Every visible sheet of a workbook (``.xlsx``, ``.xls``) or every table of a ``.docx``.

    Raises:
        GridReadError: the file is not a readable workbook or Word document.
    """
    from helpers.readers.limits import check_file_size, check_zip_size

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES | WORD_SUFFIXES:
        check_zip_size(path)
    else:
        check_file_size(path)
    if suffix in WORKBOOK_SUFFIXES:
        return _read_xlsx(path)
    if suffix in OLD_WORKBOOK_SUFFIXES:
        return _read_xls(path)
    if suffix in WORD_SUFFIXES:
        return _read_docx(path)
    raise GridReadError(f"unsupported file type {suffix}")
