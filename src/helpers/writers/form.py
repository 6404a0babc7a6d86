"""A dataset as the official 项目支出绩效自评表 workbook, with jixiao's scores filled in.

One sheet per project in the 财预〔2020〕10号 layout (项目名称, 主管部门/实施单位, 项目资金 with
年初预算数/全年预算数/全年执行数/分值/执行率/得分, 年度总体目标, the indicator block, 总分),
merged cells and thin borders as on the printed form, 宋体, A4 landscape with the table as the
print area. jixiao's computed 分值 and 得分 are written in; a printed 得分 that differs is kept in
the 偏差原因 column's note so the reviewer sees both. Every text cell is written as text (a name
starting with ``=`` is never a formula). :mod:`helpers.readers.form` reads the file back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from helpers.narrative import points_available
from helpers.writers.workbook import put

if TYPE_CHECKING:
    from helpers.dataset import Dataset
    from helpers.scoring import ScoreResult

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name="宋体", size=10)
_TITLE = Font(name="宋体", size=16, bold=True)
_WIDTHS = [12, 18, 16, 30, 16, 16, 8, 8, 30]
_LEVEL_LABEL = {"产出": "产出指标", "效益": "效益指标", "满意度": "满意度指标", "成本": "成本指标"}
_LEVEL2_LABEL_EXCEPTIONS = {"服务对象满意度": "服务对象满意度指标"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _cell(
    ws: Any,
    row: int,
    col: int,
    value: Any,
    *,
    merge_to: tuple[int, int] | None = None,
    font: Font = _FONT,
    wrap: bool = True,
    align: str = "center",
) -> None:
    put(ws, row, col, value)
    last_row, last_col = merge_to or (row, col)
    for r in range(row, last_row + 1):
        for c in range(col, last_col + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = _BORDER
            cell.font = font
            cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
    if merge_to and merge_to != (row, col):
        ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)


def _level2_label(level2: str) -> str:
    return _LEVEL2_LABEL_EXCEPTIONS.get(level2, f"{level2}指标")


def _sheet_title(name: str, index: int, used: set[str]) -> str:
    title = _SHEET_BAD.sub("", f"{index}.{name}")[:31]
    while title in used:
        title = title[:28] + f"~{index}"
    used.add(title)
    return title


_WIDTH = 9  # columns A–I of the printed form
_INDICATOR_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)


def _missing_as_none(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def _write_head(ws: Any, dataset: Dataset, project: Any) -> None:
    """Title, 项目名称, 主管部门 / 实施单位 (rows 1–4)."""
    unit = dataset.department.name
    _cell(ws, 1, 1, "项目支出绩效自评表", merge_to=(1, _WIDTH), font=_TITLE)
    _cell(ws, 2, 1, f"（{dataset.fiscal_year}年度）", merge_to=(2, _WIDTH))
    _cell(ws, 3, 1, "项目名称", merge_to=(3, 2))
    _cell(ws, 3, 3, project["name"], merge_to=(3, _WIDTH))
    _cell(ws, 4, 1, "主管部门", merge_to=(4, 2))
    supervisor = _missing_as_none(project.get("supervising_department")) or unit
    _cell(ws, 4, 3, supervisor, merge_to=(4, 5))
    _cell(ws, 4, 6, "实施单位")
    implementer = _missing_as_none(project.get("implementing_unit")) or unit
    _cell(ws, 4, 7, implementer, merge_to=(4, _WIDTH))


def _write_money(ws: Any, project: Any) -> None:
    """项目资金（万元） with jixiao's execution rate and score (rows 5–8)."""
    _cell(ws, 5, 1, "项目资金（万元）", merge_to=(8, 1))
    _cell(ws, 5, 2, None)
    labels = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    rate = project["execution_rate_pct"]
    values = [
        project["initial_budget_wan"],
        project["budget_wan"],
        project["spent_wan"],
        project["execution_weight"],
        None if rate != rate else f"{rate:g}%",
        project["execution_score"],
    ]
    rows = [(5, None, labels), (6, "年度资金总额", values)]
    rows += [(7, "其中：本年财政拨款", [None] * 6), (8, "上年结转资金", [None] * 6)]
    for r, label, cells in rows:
        if label:
            _cell(ws, r, 2, label)
        for j, value in enumerate(cells):
            _cell(ws, r, 3 + j, _missing_as_none(value), merge_to=(r, 3 + j if j < 5 else _WIDTH))


def _write_goal(ws: Any, project: Any) -> None:
    """年度总体目标, 预期 and 实际 (rows 9–10)."""
    _cell(ws, 9, 1, "年度总体目标", merge_to=(10, 1))
    _cell(ws, 9, 2, "预期目标", merge_to=(9, 5))
    _cell(ws, 9, 6, "实际完成情况", merge_to=(9, _WIDTH))
    actual = _missing_as_none(project.get("goal_actual")) or project.get("outcome")
    _cell(ws, 10, 2, _missing_as_none(project.get("goal_target")), merge_to=(10, 5), align="left")
    _cell(ws, 10, 6, _missing_as_none(actual), merge_to=(10, _WIDTH), align="left")


def _indicator_values(ind: dict[str, Any]) -> list[Any]:
    reason = _missing_as_none(ind.get("deviation_reason"))
    stated = _missing_as_none(ind.get("stated_score"))
    if stated is not None and ind.get("has_score_diff"):
        reason = f"{reason + '；' if reason else ''}（原自评得分 {stated:g}）"
    return [
        _LEVEL_LABEL.get(ind["level1"], ind["level1"]),
        _level2_label(ind["level2"]),
        ind["name"],
        _missing_as_none(ind["target"]),
        _missing_as_none(ind["actual"]),
        ind["weight_used"],
        _missing_as_none(ind["score"]),
        reason,
    ]


def _write_indicators(ws: Any, rows: Any) -> int:
    """The indicator block from row 11, 一级指标 merged over its rows; returns the next row."""
    for j, label in enumerate(_INDICATOR_HEADER):
        _cell(ws, 11, 2 + j, label)
    r = 12
    level_rows: dict[str, list[int]] = {}
    for ind in rows.to_dict("records"):
        level_rows.setdefault(ind["level1"], []).append(r)
        for j, value in enumerate(_indicator_values(ind)):
            _cell(ws, r, 2 + j, value, align="left" if j in (2, 7) else "center")
        r += 1
    for level_r in level_rows.values():
        if len(level_r) > 1 and level_r == list(range(level_r[0], level_r[-1] + 1)):
            ws.merge_cells(start_row=level_r[0], start_column=2, end_row=level_r[-1], end_column=2)
    _cell(ws, 11, 1, "绩效指标", merge_to=(max(r - 1, 11), 1))
    return r


def _page_setup(ws: Any, last_row: int) -> None:
    for j, w in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{get_column_letter(_WIDTH)}{last_row}"
    ws.print_options.horizontalCentered = True


def _project_sheet(ws: Any, dataset: Dataset, result: ScoreResult, project: Any) -> None:
    """One project's 自评表 on a sheet."""
    _write_head(ws, dataset, project)
    _write_money(ws, project)
    _write_goal(ws, project)
    rows = result.indicators[result.indicators["project_id"] == project["project_id"]]
    r = _write_indicators(ws, rows)
    _cell(ws, r, 1, "总分", merge_to=(r, 6))
    _cell(ws, r, 7, points_available(project, rows))
    _cell(ws, r, 8, _missing_as_none(project["score"]))
    grade = project["grade"]
    _cell(ws, r, 9, f"自评等级：{grade}" if isinstance(grade, str) else None)
    _page_setup(ws, r)


def write_form_workbook(dataset: Dataset, result: ScoreResult, target: str | Path) -> Path:
    """Write every project of a scored dataset as a 项目支出绩效自评表 sheet.

    Args:
        dataset: the loaded dataset.
        result: its scores (:func:`helpers.scoring.score_dataset`).
        target: the ``.xlsx`` to write.

    Returns:
        The path written.
    """
    target = Path(target)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for index, project in enumerate(result.projects.to_dict("records"), start=1):
        ws = wb.create_sheet(_sheet_title(str(project["name"]), index, used))
        _project_sheet(ws, dataset, result, project)
    wb.save(target)
    return target
