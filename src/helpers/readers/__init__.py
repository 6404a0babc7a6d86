"""Readers: every layout a dataset arrives in, read into the same tables.

One module per layout, each returning :class:`~helpers.readers.base.SourceTables` (text cells,
every row knowing the file and cell it came from); :func:`read_source` picks the reader from
what the path holds, never from a flag:

- :mod:`~helpers.readers.tables`: jixiao's own layout, a folder of ``department.yaml``,
  ``projects.csv`` and ``indicators.csv`` (UTF-8, UTF-8 with BOM or GB18030), or the same three
  tables as sheets of one workbook; English or Chinese column headers.
- :mod:`~helpers.readers.form`: the standard 项目支出绩效自评表 as offices publish it, in
  ``.xlsx``, ``.xls`` or ``.docx``, one project per sheet or stacked, with an optional
  ``department.yaml`` (or ``<workbook>.yaml``) beside it for what the form lacks.

Validation is not done here: :mod:`helpers.dataset` checks every layout with one schema.
"""

from __future__ import annotations

from pathlib import Path

from helpers.readers.base import CELLS_COLUMN, WHERE_COLUMN, SourceTables
from helpers.readers.errors import ReadError
from helpers.readers.grid import GRID_SUFFIXES
from helpers.readers.tables import read_folder, read_form_files, read_workbook

__all__ = [
    "CELLS_COLUMN",
    "GRID_SUFFIXES",
    "WHERE_COLUMN",
    "ReadError",
    "SourceTables",
    "read_source",
]


def read_source(path: str | Path) -> SourceTables:
    """Read a dataset from a folder, a workbook or a Word file, whatever its layout.

    Args:
        path: a dataset folder (our CSV layout, or 自评表 workbooks/documents), an ``.xlsx`` /
            ``.xls`` workbook (our three sheets or the standard form) or a ``.docx`` of 自评表.

    Returns:
        The tables as text with their source locations.

    Raises:
        ReadError: the path cannot be read as any layout; its ``problems`` say why.
    """
    source = Path(path)
    if source.is_dir():
        return read_folder(source)
    if source.suffix.lower() in GRID_SUFFIXES:
        if not source.is_file():
            raise ReadError.about(str(source), "找不到文件", "file not found")
        return (
            read_workbook(source)
            if source.suffix.lower() in (".xlsx", ".xlsm")
            else (read_form_files([source], source))
        )
    return read_folder(source)  # reports "not found" / "not a dataset" with the path
