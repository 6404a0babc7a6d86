"""Every score of a dataset, for other tools: one versioned JSON document and tidy tables.

:func:`build_score_document` is what ``jixiao score --json`` prints; its shape is a contract,
documented key by key in ``docs/score-json.md`` and versioned by its ``schema`` key
(:data:`SCHEMA`). :func:`score_tables` gives the same values as two tidy tables with Chinese
headers, which :func:`write_scores_csv` and :func:`write_scores_xlsx` write for analysts.

Values are plain: NaN is ``null`` (an empty cell in the tables), numpy numbers are Python
numbers, and float noise from arithmetic is dropped (``89.96000000000001`` → ``89.96``), so an
amount reads exactly as it was written (``681.5307`` 万元). Text is never a formula: in a CSV,
a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'`` (OWASP's CSV-injection rule); in a workbook such a cell is stored as text, unchanged.

Files are written to a temporary file in the target's folder and renamed over the target, so a
failure never leaves half a file.

>>> from helpers.evaluation import evaluate
>>> document = build_score_document(evaluate(2021, "高新区科技局").result)
>>> document["schema"], len(document["projects"]), document["projects"][9]["budget_wan"]
('jixiao.score/1', 20, 681.5307)
"""

from __future__ import annotations

import csv
import math
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from helpers import narrative, paths

if TYPE_CHECKING:
    from helpers.scoring import ScoreResult

SCHEMA = "jixiao.score/1"
"""The ``schema`` of the JSON document. Adding keys keeps ``/1``; renaming or removing a key,
or changing its type or meaning, makes it ``/2``."""

DEPARTMENT_KEYS = (
    "name",
    "fiscal_year",
    "budget_wan",
    "spent_wan",
    "execution_rate_pct",
    "stated_execution_rate_pct",
    "projects_budget_wan",
    "n_projects",
    "n_categories",
    "n_indicators",
    "n_met",
    "n_near_met",
    "n_unmet",
    "n_not_scored",
    "n_scored_projects",
    "mean_score",
    "mean_grade",
    "grade_counts",
    "n_flagged_projects",
)
"""The keys of ``department``, in order."""

CATEGORY_KEYS = (
    "category",
    "n_projects",
    "budget_wan",
    "n_indicators",
    "n_met",
    "n_unmet",
    "mean_score",
)
"""The keys of each ``categories`` entry, in order."""

PROJECT_KEYS = (
    "project_id",
    "name",
    "category",
    "budget_wan",
    "spent_wan",
    "execution_rate_pct",
    "execution_score",
    "execution",
    "indicator_score",
    "score",
    "stated_score",
    "grade",
    "n_indicators",
    "n_scored",
    "n_met",
    "n_near_met",
    "n_unmet",
    "unmet",
    "near_met",
    "flags",
    "level_notes",
    "indicators",
)
"""The keys of each ``projects`` entry, in order (``execution_rate_pct`` and
``execution_score`` repeat ``execution.rate_pct`` and ``execution.score``: the first
``score --json`` printed them flat)."""

EXECUTION_KEYS = ("rate_pct", "weight", "score", "stated_score")
"""The keys of a project's ``execution`` object, in order."""

_EXECUTION_COLUMNS = {
    "rate_pct": "execution_rate_pct",
    "weight": "execution_weight",
    "score": "execution_score",
    "stated_score": "stated_execution_score",
}

INDICATOR_KEYS = (
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "weight_used",
    "score",
    "status",
    "stated_score",
    "score_diff",
    "deviation_reason",
    "source",
)
"""The keys of each entry of a project's ``indicators``, in order."""

_INDICATOR_COLUMNS = {key: key for key in INDICATOR_KEYS} | {"source": "source_location"}

PROJECT_HEADERS_ZH: dict[str, str] = {
    "project_id": "项目编号",
    "name": "项目名称",
    "category": "项目类别",
    "budget_wan": "全年预算数（万元）",
    "spent_wan": "全年执行数（万元）",
    "execution_rate_pct": "预算执行率（%）",
    "execution_weight": "执行率分值",
    "execution_score": "执行率得分",
    "stated_execution_score": "执行率得分（自评）",
    "indicator_score": "指标得分",
    "score": "总分",
    "stated_score": "总分（自评）",
    "grade": "等级",
    "n_indicators": "指标数",
    "n_scored": "可评分指标数",
    "n_met": "达成",
    "n_near_met": "基本达成",
    "n_unmet": "未达成",
    "flags": "问题提示",
    "level_notes": "分值说明",
}
"""The columns of the ``projects`` table (English name → Chinese header), in order."""

INDICATOR_HEADERS_ZH: dict[str, str] = {
    "project_id": "项目编号",
    "project_name": "项目名称",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "weight_used": "计分分值",
    "score": "得分",
    "status": "完成情况",
    "stated_score": "得分（自评）",
    "score_diff": "得分差（按规则−自评）",
    "deviation_reason": "偏差原因分析及改进措施",
    "source": "数据位置",
}
"""The columns of the ``indicators`` table (English name → Chinese header), in order."""

PROJECT_TEXT_COLUMNS = frozenset(
    {"project_id", "name", "category", "grade", "flags", "level_notes"}
)
INDICATOR_TEXT_COLUMNS = frozenset(
    {
        "project_id",
        "project_name",
        "level1",
        "level2",
        "name",
        "target",
        "actual",
        "status",
        "deviation_reason",
        "source",
    }
)
LIST_SEPARATOR = "；"
"""How a list (a project's flags, level notes) is joined into one table cell."""

PROJECTS_SHEET = "项目"
INDICATORS_SHEET = "指标"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MAX_WIDTH = 60

Headers = Literal["zh", "en"]


# --- the JSON document ------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Turn a value into plain JSON: NaN, inf and missing values are None.

    numpy numbers become Python numbers, floats lose the noise of arithmetic, containers are
    converted item by item.

    Example:
        >>> import numpy as np
        >>> plain({"a": np.float64(89.96000000000001), "b": [np.int64(3), float("nan")]})
        {'a': 89.96, 'b': [3, None]}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalar/array
        value = value.tolist()
        if isinstance(value, list):
            return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return _clean_float(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _clean_float(value: float) -> float | None:
    """None for NaN/inf; otherwise the float at 12 significant digits (drops 1e-14 noise)."""
    if not math.isfinite(value):
        return None
    return float(f"{value:.12g}")


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as Python values (all None when the frame lacks it)."""
    if name not in frame:
        return [None] * len(frame)
    return frame[name].tolist()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [] if value is None or (isinstance(value, float) and math.isnan(value)) else [value]


def build_score_document(result: ScoreResult) -> dict[str, Any]:
    """The JSON document ``jixiao score --json`` prints (schema :data:`SCHEMA`).

    ``{"schema", "department", "categories", "projects", "warnings"}``; each project carries
    its ``execution`` and its ``indicators``. See ``docs/score-json.md`` for every key.

    Args:
        result: the scores of one dataset (:func:`helpers.scoring.score_dataset`).

    Returns:
        Plain Python values only (``json.dumps(..., allow_nan=False)`` accepts it).
    """
    ind = result.indicators
    columns = {key: _column(ind, col) for key, col in _INDICATOR_COLUMNS.items()}
    by_project: dict[Any, list[dict[str, Any]]] = {}
    for i, project_id in enumerate(_column(ind, "project_id")):
        row = {key: plain(columns[key][i]) for key in INDICATOR_KEYS}
        by_project.setdefault(project_id, []).append(row)

    projects = []
    flag_sentences = narrative.write_project_flags(result.flags, len(result.projects))
    for row, flags in zip(result.projects.to_dict("records"), flag_sentences, strict=True):
        row["flags"] = flags
        project: dict[str, Any] = {}
        for key in PROJECT_KEYS:
            if key == "execution":
                project[key] = {k: plain(row.get(col)) for k, col in _EXECUTION_COLUMNS.items()}
            elif key == "indicators":
                project[key] = by_project.get(row["project_id"], [])
            elif key in ("unmet", "near_met", "flags", "level_notes"):
                project[key] = [str(item) for item in _as_list(row.get(key))]
            else:
                project[key] = plain(row.get(key))
        projects.append(project)

    department = result.department
    categories = result.categories
    return {
        "schema": SCHEMA,
        "department": {key: plain(department.get(key)) for key in DEPARTMENT_KEYS},
        "categories": [
            {key: plain(record.get(key)) for key in CATEGORY_KEYS}
            for record in categories.to_dict("records")
        ],
        "projects": projects,
        "warnings": [str(w) for w in result.warnings],
    }


def dumps_score_document(document: dict[str, Any]) -> str:
    """The document as JSON text: Chinese unescaped, indented, never NaN or Infinity."""
    import json

    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)


# --- tidy tables ------------------------------------------------------------------------------


def score_tables(result: ScoreResult, *, headers: Headers = "zh") -> dict[str, pd.DataFrame]:
    """The scores as two tidy tables, ``projects`` and ``indicators``.

    ``indicators`` has one row per indicator with its project's id and name. Lists (a
    project's flags and level notes) are joined with :data:`LIST_SEPARATOR`. Values are those
    of :func:`build_score_document`; missing numbers are NaN, missing text is None.

    Args:
        result: the scores of one dataset.
        headers: ``"zh"`` for the Chinese headers of :data:`PROJECT_HEADERS_ZH` and
            :data:`INDICATOR_HEADERS_ZH` (analysts' files), ``"en"`` for the English names.
    """
    return tables_from_document(build_score_document(result), headers=headers)


def tables_from_document(
    document: dict[str, Any], *, headers: Headers = "zh"
) -> dict[str, pd.DataFrame]:
    """:func:`score_tables` of an already built document."""
    project_rows: list[dict[str, Any]] = []
    indicator_rows: list[dict[str, Any]] = []
    for project in document["projects"]:
        execution = project["execution"]
        row = {key: project.get(key) for key in PROJECT_HEADERS_ZH}
        row["execution_weight"] = execution["weight"]
        row["stated_execution_score"] = execution["stated_score"]
        for key in ("flags", "level_notes"):
            row[key] = LIST_SEPARATOR.join(project[key]) or None
        project_rows.append(row)
        for indicator in project["indicators"]:
            indicator_rows.append(
                {"project_id": project["project_id"], "project_name": project["name"]}
                | {key: indicator[key] for key in INDICATOR_KEYS}
            )
    tables = {
        "projects": _frame(project_rows, PROJECT_HEADERS_ZH, PROJECT_TEXT_COLUMNS),
        "indicators": _frame(indicator_rows, INDICATOR_HEADERS_ZH, INDICATOR_TEXT_COLUMNS),
    }
    if headers == "zh":
        tables["projects"] = tables["projects"].rename(columns=PROJECT_HEADERS_ZH)
        tables["indicators"] = tables["indicators"].rename(columns=INDICATOR_HEADERS_ZH)
    return tables


def _frame(
    rows: list[dict[str, Any]], columns: dict[str, str], text: frozenset[str]
) -> pd.DataFrame:
    """Rows as a table: text columns as objects (None when missing), the others as floats."""
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in frame.columns:
        if column in text:
            frame[column] = frame[column].astype(object)
        else:
            frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


# --- CSV and Excel ----------------------------------------------------------------------------


class ExportPathError(ValueError):
    """An export path jixiao will not write; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


def projects_csv_path(path: str | Path) -> Path:
    """The projects CSV written beside an indicators CSV: ``<stem>_projects.csv``.

    Example:
        >>> projects_csv_path("out/得分.csv").as_posix()
        'out/得分_projects.csv'
    """
    path = Path(path)
    return path.with_name(f"{path.stem}_projects{path.suffix}")


def export_paths(
    path: str | Path, kind: Literal["csv", "xlsx"], *, source: str | Path | None = None
) -> list[Path]:
    """The files an export to ``path`` writes, after checking that they may be written.

    Args:
        path: the ``.csv`` (indicators; the projects go beside it) or ``.xlsx`` to write.
        kind: ``"csv"`` or ``"xlsx"``.
        source: the dataset the scores come from; no export may replace it or go inside it.

    Raises:
        ExportPathError: the suffix is not ``.csv``/``.xlsx`` as ``kind`` says; the folder
            does not exist; a file would replace or go into ``source``; or a workbook would go
            into a year folder of the data root, where it would be read as a department's data.

    Example:
        >>> [p.as_posix() for p in export_paths("得分.csv", "csv")]
        ['得分.csv', '得分_projects.csv']
        >>> export_paths("得分.csv", "xlsx")
        Traceback (most recent call last):
        ...
        helpers.score_export.ExportPathError: --xlsx 的文件名应以 .xlsx 结尾（现为 “得分.csv”） / --xlsx expects a file name ending in .xlsx (got "得分.csv")
    """
    path = Path(path)
    if path.suffix.lower() != f".{kind}":
        raise ExportPathError(
            f"--{kind} 的文件名应以 .{kind} 结尾（现为 “{path}”）",
            f'--{kind} expects a file name ending in .{kind} (got "{path}")',
        )
    folder = path.parent
    if not folder.is_dir():
        raise ExportPathError(
            f"文件夹不存在：{folder}", f"no such folder: {folder} (create it first)"
        )
    targets = [path, projects_csv_path(path)] if kind == "csv" else [path]
    dataset = Path(source).resolve() if source is not None else None
    for target in targets:
        resolved = target.resolve()
        if dataset is not None and (
            resolved == dataset or (dataset.is_dir() and dataset in resolved.parents)
        ):
            raise ExportPathError(
                f"得分文件不能覆盖数据集或写进数据集文件夹：{target}",
                f"will not write scores over or into the dataset: {target}",
            )
        if kind == "xlsx" and is_data_year_folder(resolved.parent):
            raise ExportPathError(
                f"得分工作簿不能放在数据年度文件夹 {folder} 中，否则会被当作一个部门的数据集：{target}",
                f"will not put a scores workbook in the data folder {folder}, where it would "
                f"be read as a department's dataset: {target}",
            )
    return targets


def is_data_year_folder(folder: Path, data_root: Path | None = None) -> bool:
    """Whether ``folder`` is ``<data root>/<year>``, where every workbook is a dataset.

    Args:
        folder: a resolved folder.
        data_root: the data root; the configured one (``paths.get_data_dir()``) when omitted.
    """
    if not paths.is_year_name(folder.name):
        return False
    return folder.parent == (data_root or paths.get_data_dir()).resolve()


def neutralise(text: str) -> str:
    r"""A CSV text cell that no spreadsheet runs as a formula (OWASP CSV injection).

    Example:
        >>> neutralise('=HYPERLINK("http://x","y")'), neutralise("-5%"), neutralise("4个")
        ('\'=HYPERLINK("http://x","y")', "'-5%", '4个')
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_cell(value: Any, is_text: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if is_text:
        return neutralise(str(value))
    return format_number(value)


def format_number(value: float | int) -> str:
    """A number as a CSV cell: integral values without ``.0``, others as written.

    Example:
        >>> format_number(90.0), format_number(681.5307), format_number(-1.6)
        ('90', '681.5307', '-1.6')
    """
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _write_csv_file(
    path: Path, frame: pd.DataFrame, headers_zh: dict[str, str], text_columns: frozenset[str]
) -> None:
    """One table as CSV (UTF-8 with BOM, Chinese headers, text cells neutralised)."""
    is_text = [column in text_columns for column in frame.columns]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(headers_zh[column]) for column in frame.columns])
        for record in frame.itertuples(index=False, name=None):
            writer.writerow([_csv_cell(v, t) for v, t in zip(record, is_text, strict=True)])


def write_scores_csv(result: ScoreResult, path: str | Path) -> list[Path]:
    """Write the indicators table to ``path`` and the projects table beside it.

    Both are UTF-8 with a byte-order mark (Excel on Chinese Windows reads them as UTF-8), with
    Chinese headers; the projects file is ``<stem>_projects.csv`` (:func:`projects_csv_path`).
    Text cells that could start a formula get a leading ``'`` (:func:`neutralise`).

    Returns:
        The paths written: the indicators CSV, then the projects CSV.

    Raises:
        ExportPathError: ``path`` does not end in ``.csv`` or its folder does not exist.
    """
    targets = export_paths(path, "csv")
    tables = score_tables(result, headers="en")
    with paths.replacing(targets) as (indicators_file, projects_file):
        _write_csv_file(
            indicators_file, tables["indicators"], INDICATOR_HEADERS_ZH, INDICATOR_TEXT_COLUMNS
        )
        _write_csv_file(projects_file, tables["projects"], PROJECT_HEADERS_ZH, PROJECT_TEXT_COLUMNS)
    return targets


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


EXCEL_CELL_LIMIT = 32_767
"""The most characters an Excel cell holds (openpyxl silently cuts longer text)."""


def excel_text(text: str) -> str:
    """``text`` without the control characters an .xlsx cannot hold, cut visibly to fit a cell.

    Example:
        >>> cut = excel_text("问" * 40_000)
        >>> len(cut) <= EXCEL_CELL_LIMIT, cut.endswith("（超出 Excel 单元格上限，已截断；全文共 40000 字）")
        (True, True)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    note = f"…（超出 Excel 单元格上限，已截断；全文共 {len(text)} 字）"
    return text[: EXCEL_CELL_LIMIT - len(note)] + note


def _write_sheet(
    book: Any,
    title: str,
    frame: pd.DataFrame,
    headers_zh: dict[str, str],
    text_columns: frozenset[str],
) -> None:
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    columns = list(frame.columns)
    headers = [headers_zh[column] for column in columns]
    fill = PatternFill("solid", fgColor="DDEBF7")
    widths = [_display_width(h) for h in headers]
    for j, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=j, value=header)
        cell.data_type = TYPE_STRING
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    is_text = [column in text_columns for column in columns]
    for i, record in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, (value, text) in enumerate(zip(record, is_text, strict=True), start=1):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            cell = sheet.cell(row=i, column=j)
            if text:
                cell.value = excel_text(str(value))
                cell.data_type = TYPE_STRING  # a leading = stays text, never a formula
                widths[j - 1] = max(widths[j - 1], _display_width(cell.value))
            else:
                cell.value = float(value)
                widths[j - 1] = max(widths[j - 1], len(format_number(value)))
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), _MAX_WIDTH)
        if width + 2 > _MAX_WIDTH:  # long text (flags, reasons) wraps instead
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def write_scores_xlsx(result: ScoreResult, path: str | Path) -> Path:
    """Write the scores as one workbook: sheet 项目 (projects) and sheet 指标 (indicators).

    Numbers are stored as numbers, text as text (a cell starting with ``=`` is never a
    formula), headers are Chinese, the header row is frozen and the columns are sized.

    Returns:
        The path written.

    Raises:
        ExportPathError: ``path`` does not end in ``.xlsx``, its folder does not exist, or it
            is a year folder of the data root (see :func:`export_paths`).
    """
    from openpyxl import Workbook

    (target,) = export_paths(path, "xlsx")
    tables = score_tables(result, headers="en")
    book = Workbook()
    book.remove(book.active)
    _write_sheet(book, PROJECTS_SHEET, tables["projects"], PROJECT_HEADERS_ZH, PROJECT_TEXT_COLUMNS)
    _write_sheet(
        book, INDICATORS_SHEET, tables["indicators"], INDICATOR_HEADERS_ZH, INDICATOR_TEXT_COLUMNS
    )
    with paths.replacing([target]) as (partial,):
        book.save(partial)
    return target
