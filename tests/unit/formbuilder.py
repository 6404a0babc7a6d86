"""Build standard 项目支出绩效自评表 workbooks and Word files for tests, as offices lay them out.

The layout follows the 财预〔2020〕10号 附件 form: title rows, 项目名称 / 主管部门 / 实施单位,
项目资金（万元） with its 其中 rows, 年度总体目标, the indicator block and 总分, with the form's
merged cells. Values may be given as Python numbers, dates or text, with an Excel number format,
exactly as an analyst types them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side

Cell = Any  # a value, or (value, number_format)


@dataclass
class FormIndicator:
    level1: str
    level2: str
    name: str
    target: Cell
    actual: Cell
    weight: Cell = None
    score: Cell = None
    reason: str | None = None
    direction: str | None = None
    unit: str | None = None
    target_adjusted: Cell = None


@dataclass
class FormProject:
    name: str
    indicators: list[FormIndicator]
    supervisor: str = "101-某某县某某镇人民政府"
    unit: str = "101001-某某县某某镇人民政府"
    initial: Cell = 100
    budget: Cell = 100
    spent: Cell = 98.5
    weight: Cell = 10
    rate: Cell = (0.985, "0.00%")
    score: Cell = 9.85
    fiscal: tuple[Cell, Cell, Cell] = (100, 100, 98.5)
    goal: tuple[str, str] = ("完成年度任务。", "已完成年度任务。")
    total: Cell = None
    extra: dict[str, Any] = field(default_factory=dict)


HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
SICHUAN_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
CHONGQING_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年初目标值",
    "调整后目标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
SYMBOL_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "计算符号",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
THIN = Side(style="thin")


def _row_values(ind: FormIndicator, layout: str) -> list[Cell]:
    if layout == "sichuan":
        return [
            ind.level1,
            ind.level2,
            ind.name,
            ind.direction,
            ind.target,
            ind.unit,
            ind.actual,
            ind.weight,
            ind.score,
            ind.reason,
        ]
    if layout == "chongqing":
        return [
            ind.level1,
            ind.level2,
            ind.name,
            ind.target,
            ind.target_adjusted,
            ind.actual,
            ind.weight,
            ind.score,
            ind.reason,
        ]
    if layout == "symbol":
        return [
            ind.level1,
            ind.level2,
            ind.name,
            ind.direction,
            ind.target,
            ind.actual,
            ind.weight,
            ind.score,
            ind.reason,
        ]
    return [
        ind.level1,
        ind.level2,
        ind.name,
        ind.target,
        ind.actual,
        ind.weight,
        ind.score,
        ind.reason,
    ]


def _put(ws, row: int, col: int, value: Cell) -> None:
    fmt = None
    if isinstance(value, tuple):
        value, fmt = value
    cell = ws.cell(row=row, column=col, value=value)
    if fmt:
        cell.number_format = fmt
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    cell.font = Font(name="宋体", size=10)
    cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def write_block(
    ws,
    top: int,
    project: FormProject,
    year: int,
    *,
    sichuan: bool = False,
    layout: str = "standard",
) -> int:
    """Write one project table from row ``top`` (1-based); return the next free row."""
    layout = "sichuan" if sichuan else layout
    header = {
        "sichuan": SICHUAN_HEADER,
        "chongqing": CHONGQING_HEADER,
        "symbol": SYMBOL_HEADER,
    }.get(layout, HEADER)
    width = len(header) + 1  # column A holds 绩效指标 / 项目资金 labels
    r = top
    _put(ws, r, 1, "项目支出绩效自评表")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    r += 1
    _put(ws, r, 1, f"（{year}年度）")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    r += 1
    _put(ws, r, 1, "项目名称")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    _put(ws, r, 3, project.name)
    ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=width)
    r += 1
    _put(ws, r, 1, "主管部门")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    _put(ws, r, 3, project.supervisor)
    ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=5)
    _put(ws, r, 6, "实施单位")
    _put(ws, r, 7, project.unit)
    ws.merge_cells(start_row=r, start_column=7, end_row=r, end_column=width)
    r += 1
    money_top = r
    _put(ws, r, 1, "项目资金（万元）")
    for j, label in enumerate(
        ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    ):
        if label:
            _put(ws, r, 2 + j, label)
    r += 1
    _put(ws, r, 2, "年度资金总额")
    for j, value in enumerate(
        [
            project.initial,
            project.budget,
            project.spent,
            project.weight,
            project.rate,
            project.score,
        ]
    ):
        _put(ws, r, 4 + j - 1, value)
    r += 1
    for label, values in (
        ("其中：本年财政拨款", project.fiscal),
        ("上年结转资金", (None, None, None)),
        ("其他资金", (None, None, None)),
    ):
        _put(ws, r, 2, label)
        for j, value in enumerate(values):
            _put(ws, r, 3 + j, value)
        r += 1
    ws.merge_cells(start_row=money_top, start_column=1, end_row=r - 1, end_column=1)
    _put(ws, r, 1, "年度总体目标")
    _put(ws, r, 2, "预期目标")
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
    _put(ws, r, 6, "实际完成情况")
    ws.merge_cells(start_row=r, start_column=6, end_row=r, end_column=width)
    _put(ws, r + 1, 2, project.goal[0])
    ws.merge_cells(start_row=r + 1, start_column=2, end_row=r + 1, end_column=5)
    _put(ws, r + 1, 6, project.goal[1])
    ws.merge_cells(start_row=r + 1, start_column=6, end_row=r + 1, end_column=width)
    ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=1)
    r += 2
    block_top = r
    _put(ws, r, 1, "绩效指标")
    for j, label in enumerate(header):
        _put(ws, r, 2 + j, label)
    r += 1
    level_start: dict[str, int] = {}
    for ind in project.indicators:
        level_start.setdefault(ind.level1, r)
        for j, value in enumerate(_row_values(ind, layout)):
            _put(ws, r, 2 + j, value)
        r += 1
    # merge each 一级指标 over its rows, as the printed form does
    rows_by_level: dict[str, list[int]] = {}
    for i, ind in enumerate(project.indicators):
        rows_by_level.setdefault(ind.level1, []).append(block_top + 1 + i)
    for rows in rows_by_level.values():
        if len(rows) > 1 and rows == list(range(rows[0], rows[-1] + 1)):
            ws.merge_cells(start_row=rows[0], start_column=2, end_row=rows[-1], end_column=2)
    ws.merge_cells(start_row=block_top, start_column=1, end_row=r - 1, end_column=1)
    _put(ws, r, 1, "总分")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(header) - 2)
    _put(ws, r, len(header) - 1, 100)
    _put(ws, r, len(header), project.total)
    return r + 1


def write_form_xlsx(
    path: Path,
    projects: list[FormProject],
    year: int = 2022,
    *,
    stacked: bool = False,
    sichuan: bool = False,
    layout: str = "standard",
) -> Path:
    """One project per sheet (``项目1`` …), or all stacked in one sheet with a blank row between."""
    wb = Workbook()
    wb.remove(wb.active)
    if stacked:
        ws = wb.create_sheet("自评表")
        row = 1
        for project in projects:
            row = write_block(ws, row, project, year, sichuan=sichuan, layout=layout) + 1
    else:
        for i, project in enumerate(projects, start=1):
            write_block(
                wb.create_sheet(f"项目{i}"), 1, project, year, sichuan=sichuan, layout=layout
            )
    wb.save(path)
    return path


def sample_project(**overrides: Any) -> FormProject:
    """A small project with a ≥, a ≤, a deadline and a qualitative row (weights 90 in all)."""
    indicators = [
        FormIndicator("产出指标(50分)", "数量指标", "培训人次", "≥200人次", "230人次", 20, 20),
        FormIndicator(
            "产出指标(50分)", "质量指标", "培训合格率", (0.95, "0%"), (0.96, "0%"), 10, 10
        ),
        FormIndicator(
            "产出指标(50分)",
            "时效指标",
            "完成时间",
            "2022年9月底前",
            (dt.datetime(2022, 9, 20), "yyyy-mm-dd"),
            10,
            10,
        ),
        FormIndicator("产出指标(50分)", "成本指标", "人均培训成本", "≤500元", "480元", 10, 10),
        FormIndicator(
            "效益指标(30分)", "社会效益指标", "群众技能提升", "显著提升", "达成预期指标", 30, 30
        ),
        FormIndicator(
            "满意度指标(10分)", "服务对象满意度指标", "参训人员满意度", "≥90%", "95%", 10, 10
        ),
    ]
    values: dict[str, Any] = {
        "name": "农村实用技术培训项目",
        "indicators": indicators,
        "total": 99.85,
    }
    values.update(overrides)
    return FormProject(**values)
