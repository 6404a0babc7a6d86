"""A dataset as one Excel-friendly workbook in jixiao's own layout.

Chinese headers (English names are accepted on read), widths set, header row frozen, drop-down
lists for levels, numbers stored as numbers, and every text cell written as *text*: a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is never a formula (OWASP's
CSV-injection rule) because openpyxl is told the cell's type instead of guessing it.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from helpers.schema import COLUMN_LABELS_ZH, LEVEL1_VALUES, LEVEL2_VALUES

if TYPE_CHECKING:
    from helpers.dataset import Dataset

_TABLE_HEADER_OVERRIDES = {
    "projects": {"name": "项目名称"},
    "indicators": {"name": "三级指标"},
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WIDE = {"name": 36, "outcome": 40, "deviation_reason": 36, "goal_target": 40, "goal_actual": 40}


def put(ws: Any, row: int, col: int, value: Any) -> None:
    """Write one cell: numbers as numbers, everything else as literal text (never a formula)."""
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
        return
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        cell.value = value
        return
    cell.value = str(value)
    cell.data_type = TYPE_STRING  # a leading = stays text: openpyxl would otherwise store a formula


def _number(value: Any) -> Any:
    """Amount text (``681.5307``) as a number, so that Excel stores a number."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value) if "." in value else int(value)
    return value


def _choices(table: str, frame: Any) -> list[tuple[str, tuple[str, ...]]]:
    """The drop-down lists of a sheet: levels (strict), the dataset's categories (free)."""
    if table == "indicators":
        return [("level1", LEVEL1_VALUES), ("level2", LEVEL2_VALUES)]
    if table != "projects" or "category" not in frame.columns:
        return []
    categories = tuple(dict.fromkeys(v for v in frame["category"] if isinstance(v, str)))
    # A list validation holds at most 255 characters; longer lists are left free.
    if categories and len(",".join(categories)) < 250 and not any("," in c for c in categories):
        return [("category", categories)]
    return []


def _add_drop_downs(ws: Any, table: str, frame: Any) -> None:
    for col, values in _choices(table, frame):
        if col not in frame.columns:
            continue
        letter = get_column_letter(list(frame.columns).index(col) + 1)
        rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        rule.error = "请从下拉列表中选择 / choose from the list"
        rule.showErrorMessage = col != "category"  # a new category may be typed in
        ws.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{max(len(frame) + 200, 500)}")


def _sheet(wb: Workbook, title: str, table: str, frame: Any, number_columns: set[str]) -> None:
    ws = wb.create_sheet(title)
    headers = [
        _TABLE_HEADER_OVERRIDES.get(table, {}).get(col, COLUMN_LABELS_ZH.get(col, col))
        for col in frame.columns
    ]
    for j, header in enumerate(headers, start=1):
        put(ws, 1, j, header)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.cell(row=1, column=j).fill = _HEADER_FILL
        ws.cell(row=1, column=j).alignment = Alignment(wrap_text=True, vertical="center")
    is_number = [col in number_columns for col in frame.columns]
    for i, record in enumerate(frame.itertuples(index=False), start=2):
        for j, (number, value) in enumerate(zip(is_number, record, strict=True), start=1):
            put(ws, i, j, _number(value) if number else value)
    for j, col in enumerate(frame.columns, start=1):
        width = _WIDE.get(col, max(10, min(24, 2 * len(headers[j - 1]) + 2)))
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    _add_drop_downs(ws, table, frame)


def _keep(column: str, frame: Any, schema: Any) -> bool:
    """Required columns always; optional ones only when some row has a value."""
    return bool(schema.columns[column].required) or bool(frame[column].notna().any())


def write_tables_workbook(dataset: Dataset, target: str | Path) -> Path:
    """Write a dataset as one ``.xlsx`` with the sheets department, projects and indicators.

    Args:
        dataset: a loaded dataset.
        target: the workbook path to write (must end in ``.xlsx``).

    Returns:
        The path written.
    """
    from helpers.dataset import dataset_tables_as_text
    from helpers.schema import (
        INDICATOR_NUMBER_COLUMNS,
        INDICATORS_SCHEMA,
        NUMBER_COLUMNS,
        PROJECTS_SCHEMA,
    )

    target = Path(target)
    pairs, projects, indicators = dataset_tables_as_text(dataset)
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("department")
    put(ws, 1, 1, "field")
    put(ws, 1, 2, "value")
    for i, (key, value) in enumerate(pairs, start=2):
        put(ws, i, 1, key)
        put(ws, i, 2, value)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80
    ws.freeze_panes = "A2"
    projects = projects.loc[:, [c for c in projects.columns if _keep(c, projects, PROJECTS_SCHEMA)]]
    indicators = indicators.loc[
        :, [c for c in indicators.columns if _keep(c, indicators, INDICATORS_SCHEMA)]
    ]
    _sheet(wb, "projects", "projects", projects, set(NUMBER_COLUMNS))
    _sheet(wb, "indicators", "indicators", indicators, set(INDICATOR_NUMBER_COLUMNS))
    wb.save(target)
    return target
