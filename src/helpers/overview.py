"""The finance bureau's overview of a year, built as a report document (:mod:`helpers.document`).

It renders through the same HTML, PDF and Word renderers as a department's report: the
departments ranked (by the budget-weighted score and by the plain mean, both named), the grade
distribution, execution rates with the low ones named, a department × flag matrix, the index
of department reports and, when the previous year's data are there, the year-over-year view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as Chart
from matplotlib.ticker import MaxNLocator

from helpers import charts
from helpers.document import Block, Cell, Contents, Document, Figure, Heading, Paragraph, Table
from helpers.fonts import configure_charts
from helpers.format import MISSING, format_pct, format_score, format_wan
from helpers.year import YearScores

GRADES = ("优", "良", "中", "差")


def _num(text: str) -> Cell:
    return Cell(text, is_numeric=True)


def ranking_table(scores: YearScores, report_links: dict[str, str] | None = None) -> Table:
    """Departments ranked by the budget-weighted score, the plain mean beside it."""
    links = report_links or {}
    head = [
        [
            Cell("排名"),
            Cell("部门"),
            _num("项目数"),
            _num("部门预算（万元）"),
            _num("执行率"),
            _num("加权得分"),
            Cell("等级"),
            _num("平均得分"),
            Cell("等级"),
            _num("未达成指标"),
        ]
    ]
    body = [
        [
            Cell(str(r.rank_budget_weighted) if not pd.isna(r.rank_budget_weighted) else MISSING),
            Cell(r.department, link=links.get(r.department, "")),
            _num(str(r.n_projects)),
            _num(format_wan(r.budget_wan)),
            _num(format_pct(r.execution_rate_pct)),
            _num(format_score(r.score_budget_weighted)),
            Cell(r.grade_budget_weighted or MISSING),
            _num(format_score(r.score_mean)),
            Cell(r.grade_mean or MISSING),
            _num(str(r.n_unmet)),
        ]
        for r in scores.departments.itertuples()
    ]
    return Table(
        "各部门自评得分排名（按预算加权得分；平均得分为项目简单平均）",
        head,
        body,
        widths=[0.75, 1.8, 0.7, 2.0, 0.9, 0.9, 0.7, 0.9, 0.7, 0.9],
    )


def grade_chart(scores: YearScores) -> Chart:
    """How many departments in each grade, by each of the two department scores."""
    counts = {
        column: [int((scores.departments[column] == g).sum()) for g in GRADES]
        for column in ("grade_budget_weighted", "grade_mean")
    }
    fig = Chart(figsize=(charts.PAGE_WIDTH_IN, 2.6), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(GRADES))
    for offset, (column, label, colour) in zip(
        (-0.18, 0.18),
        (
            ("grade_budget_weighted", "按预算加权", charts.OKABE_ITO["blue"]),
            ("grade_mean", "简单平均", charts.OKABE_ITO["sky"]),
        ),
        strict=True,
    ):
        bars = ax.bar(x + offset, counts[column], width=0.34, color=colour, label=label)
        ax.bar_label(bars, fmt="%d", fontsize=8)
    ax.set_xticks(x, GRADES)
    ax.set_ylabel("部门数")
    ax.legend(loc="upper right", fontsize=8)
    return fig


EXECUTION_BARS_MAX = 40
"""Up to this many departments the execution chart has a bar each; beyond, a histogram."""


def execution_chart(scores: YearScores, threshold_pct: float) -> Chart:
    """Every department's execution rate against the threshold.

    A bar per department up to :data:`EXECUTION_BARS_MAX` departments; a larger year is shown
    as the distribution (departments per 5 % of execution, those below the threshold in
    vermilion), the low ones being named in the text below the chart.
    """
    table = scores.departments.sort_values("execution_rate_pct")
    if len(table) > EXECUTION_BARS_MAX:
        return _execution_histogram(table["execution_rate_pct"].to_numpy(float), threshold_pct)
    fig = Chart(
        figsize=(charts.PAGE_WIDTH_IN, max(2.2, 0.9 + 0.28 * len(table))), layout="constrained"
    )
    ax = fig.subplots()
    rate = table["execution_rate_pct"].to_numpy(float)
    y = np.arange(len(table))
    colours = np.where(
        rate < threshold_pct, charts.OKABE_ITO["vermilion"], charts.OKABE_ITO["blue"]
    )
    ax.barh(y, np.nan_to_num(rate), color=colours, height=0.6)
    ax.axvline(threshold_pct, color=charts.OKABE_ITO["vermilion"], linestyle=":", linewidth=1)
    ax.set_yticks(y, [charts.short_project_name(d, 16) for d in table["department"]])
    ax.set_xlim(0, 110)
    ax.set_xlabel(f"预算执行率（%）；点线 {threshold_pct:g}%")
    return fig


def _execution_histogram(rates: np.ndarray, threshold_pct: float) -> Chart:
    """Departments per 5 % of execution rate (rates above 110 % counted at 110 %)."""
    fig = Chart(figsize=(charts.PAGE_WIDTH_IN, 2.8), layout="constrained")
    ax = fig.subplots()
    shown = np.clip(rates[~np.isnan(rates)], 0, 110)
    edges = np.arange(0, 115, 5.0)
    counts, _ = np.histogram(shown, bins=edges)
    colours = np.where(
        edges[:-1] < threshold_pct, charts.OKABE_ITO["vermilion"], charts.OKABE_ITO["blue"]
    )
    bars = ax.bar(edges[:-1], counts, width=5.0, align="edge", color=colours, edgecolor="white")
    ax.bar_label(bars, labels=[str(int(c)) if c else "" for c in counts], fontsize=8)
    ax.axvline(threshold_pct, color=charts.OKABE_ITO["vermilion"], linestyle=":", linewidth=1)
    # From a little below the lowest rate (or the threshold): rates crowd near 100 %.
    lowest = float(shown.min()) if len(shown) else 0.0
    ax.set_xlim(max(0.0, math.floor(min(lowest, threshold_pct - 10) / 10) * 10), 110)
    ax.set_xlabel(f"预算执行率（%，每 5% 一组）；点线 {threshold_pct:g}%")
    ax.set_ylabel("部门数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def flag_matrix(scores: YearScores) -> Table:
    """Departments × kinds of flag (red and amber kinds first), how many of each."""
    from helpers.vocabulary import FLAG_KINDS, SEVERITY_ORDER

    flags = scores.flags
    if flags.empty:
        return Table("各部门提示事项（按类别计数）", [[Cell("部门"), Cell("提示事项")]], [])
    matrix = pd.crosstab(flags["department"], flags["kind"])
    order = sorted(
        matrix.columns,
        key=lambda k: (SEVERITY_ORDER.index(FLAG_KINDS[k].severity) if k in FLAG_KINDS else 9, k),
    )
    matrix = matrix[order]
    head = [[Cell("部门"), *[_num(FLAG_KINDS[k].label if k in FLAG_KINDS else k) for k in order]]]
    body = [
        [Cell(str(department)), *[_num(str(int(n)) if n else "") for n in row]]
        for department, row in zip(matrix.index, matrix.to_numpy(), strict=True)
    ]
    # In characters: the department column fits the longest name (up to 16) on one line; a
    # count needs three, its header wraps.
    longest = max((len(str(d)) for d in matrix.index), default=4)
    widths = [float(min(max(longest, 4), 16)), *[3.0] * len(order)]
    return Table("各部门提示事项（按类别计数；红、黄类在前）", head, body, widths=widths)


def year_over_year_blocks(comparison: dict[str, pd.DataFrame]) -> list[Block]:
    """与上年比较: per department, per project (matched by code, else name), newly unmet."""
    deps = comparison["departments"]
    head = [
        [
            Cell("部门"),
            _num("加权得分"),
            _num("上年"),
            _num("变化"),
            _num("执行率"),
            _num("上年"),
            _num("部门预算（万元）"),
            _num("上年"),
        ]
    ]
    body = [
        [
            Cell(r.department),
            _num(format_score(r.score_budget_weighted)),
            _num(format_score(r.score_budget_weighted_previous)),
            _num(_signed(r.score_budget_weighted_change)),
            _num(format_pct(r.execution_rate_pct)),
            _num(format_pct(r.execution_rate_pct_previous)),
            _num(format_wan(r.budget_wan)),
            _num(format_wan(r.budget_wan_previous)),
        ]
        for r in deps.itertuples()
    ]
    blocks: list[Block] = [
        Heading("四、与上年比较", 2),
        Table("各部门得分、执行率与预算：本年与上年", head, body),
    ]
    projects = comparison["projects"]
    matched = projects[projects["matched_by"].ne("")]
    blocks.append(
        Paragraph(
            f"本年 {len(projects)} 个项目中，{int(matched['matched_by'].eq('编码').sum())} 个按项目编码、"
            f"{int(matched['matched_by'].eq('名称').sum())} 个按项目名称与上年项目对应，"
            f"{len(projects) - len(matched)} 个为本年新增。"
        )
    )
    unmet = comparison["newly_unmet"]
    if unmet.empty:
        blocks.append(Paragraph("与上年相比，没有新出现的未达成指标。"))
    else:
        rows = [
            [
                Cell(r.department),
                Cell(r.project),
                Cell(r.name),
                Cell(str(r.target)),
                Cell(str(r.actual)),
                Cell(r.previous_status),
            ]
            for r in unmet.itertuples()
        ]
        head = [
            [Cell("部门"), Cell("项目"), Cell("指标"), Cell("目标"), Cell("实际"), Cell("上年")]
        ]
        blocks.append(Table("本年新出现的未达成指标", head, rows))
    return blocks


def _signed(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value:+g}"


def build_overview(
    scores: YearScores,
    comparison: dict[str, pd.DataFrame] | None = None,
    report_links: dict[str, str] | None = None,
    review: pd.DataFrame | None = None,
    low_execution_pct: float = 90.0,
    bureau: str = "",
) -> Document:
    """The year's overview as a document.

    Args:
        scores: the year (:func:`helpers.year.score_year`).
        comparison: :func:`helpers.year.compare_years` against the previous year, if any.
        report_links: department → relative path of its report (the index links to them).
        review: 自评复核 findings (rule_id, severity, department, project, indicator, evidence).
        low_execution_pct: the execution rate below which a department is named.
        bureau: who issues the overview (the title says 财政局 when empty).

    Returns:
        The document, ready for any renderer.
    """
    configure_charts()
    year = scores.fiscal_year
    title = f"{bureau or '财政局'}{year}年度部门预算绩效自评汇总分析"
    table = scores.departments
    low = table[table["execution_rate_pct"] < low_execution_pct]
    blocks: list[Block] = [
        Heading(title, 1),
        Paragraph(
            f"本汇总分析覆盖 {len(table)} 个部门、{int(table['n_projects'].sum())} 个项目，"
            f"部门预算合计 {format_wan(float(table['budget_wan'].sum()))} 万元，其中纳入自评的项目"
            f"预算合计 {format_wan(float(table['projects_budget_wan'].sum()))} 万元。部门得分以"
            "两种口径列示：按预算加权得分（大项目权重大）与项目简单平均得分。"
            + _excluded_sentence(scores)
        ),
        Contents(),
        Heading("一、部门得分与排名", 2),
        ranking_table(scores, report_links),
        Figure("各等级部门数（两种口径）", charts.figure_to_svg(grade_chart(scores))),
        Heading("二、预算执行", 2),
        Figure(
            "各部门预算执行率"
            if len(table) <= EXECUTION_BARS_MAX
            else f"各部门预算执行率分布（{len(table)} 个部门）",
            charts.figure_to_svg(execution_chart(scores, low_execution_pct)),
        ),
        Paragraph(
            "执行率低于 {:g}% 的部门：{}。".format(
                low_execution_pct,
                "、".join(
                    f"{r.department}（{format_pct(r.execution_rate_pct)}）"
                    for r in low.itertuples()
                ),
            )
            if len(low)
            else f"所有部门的预算执行率均不低于 {low_execution_pct:g}%。"
        ),
        Heading("三、提示事项", 2),
        flag_matrix(scores),
    ]
    if comparison is not None:
        blocks += year_over_year_blocks(comparison)
    if review is not None:
        blocks += review_blocks(review)
    blocks += index_blocks(scores, report_links or {})
    return Document(title, blocks, {"fiscal_year": year})


def _excluded_sentence(scores: YearScores) -> str:
    """The sentence that names the departments left out (their data do not validate), or ""."""
    if not scores.problems:
        return ""
    names = "、".join(department for department, _ in scores.problems)
    return (
        f"另有 {len(scores.problems)} 个部门数据校验未通过，未纳入本汇总：{names}"
        "（问题见年度得分.xlsx 的“未纳入部门”表）。"
    )


REVIEW_ROWS_SHOWN = 200  # findings listed in the overview; the workbook has them all


def review_blocks(findings: pd.DataFrame) -> list[Block]:
    """自评复核: counts by rule, then the P0 and P1 findings, the most serious first."""
    from helpers.review import counts_by_rule, rules_frame

    blocks: list[Block] = [Heading("五、自评复核", 2)]
    if findings.empty:
        return [*blocks, Paragraph("复核规则未发现问题。")]
    counts = counts_by_rule(findings)
    titles = rules_frame().set_index("rule_id")["title"]
    severities = [c for c in counts.columns if c != "total"]
    head = [[Cell("规则"), Cell("内容"), *[_num(s) for s in severities], _num("合计")]]
    body = [
        [
            Cell(rule),
            Cell(str(titles.get(rule, ""))),
            *[_num(str(int(row[s]))) for s in severities],
            _num(str(int(row["total"]))),
        ]
        for rule, row in counts.iterrows()
    ]
    blocks.append(
        Table("自评复核发现（按规则与级别计数）", head, body, widths=[1.6, 3.2, 0.6, 0.6, 0.6, 0.7])
    )
    serious = findings[findings["severity"].isin(["P0", "P1"])]
    shown = serious.head(REVIEW_ROWS_SHOWN)
    if shown.empty:
        blocks.append(Paragraph("没有 P0、P1 级的复核发现。"))
        return blocks
    head = [[Cell("级别"), Cell("规则"), Cell("部门"), Cell("项目"), Cell("指标"), Cell("依据")]]
    rows = [
        [
            Cell(str(r.severity)),
            # R06 偏差未说明原因: the number and the Chinese title wrap; the id (an unbreakable
            # English slug, R06-no-deviation-reason) widened the column in the PDF.
            Cell(f"{str(r.rule_id).split('-', 1)[0]} {titles.get(r.rule_id, '')}".strip()),
            Cell(str(r.department)),
            Cell(_text(r.project)),
            Cell(_text(r.indicator)),
            Cell(str(r.evidence)),
        ]
        for r in shown.itertuples()
    ]
    blocks.append(
        Table("P0、P1 级复核发现（按严重程度）", head, rows, widths=[0.45, 1.4, 1.2, 1.4, 1.3, 3.6])
    )
    if len(serious) > len(shown):
        blocks.append(
            Paragraph(
                f"另有 {len(serious) - len(shown)} 项 P0、P1 级发现未在此列出，全部发现见复核工作底稿。",
                "note",
            )
        )
    return blocks


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def index_blocks(scores: YearScores, report_links: dict[str, str]) -> list[Block]:
    """附件 各部门报告索引."""
    head = [[Cell("部门"), Cell("报告")]]
    body = [
        [Cell(d), Cell(report_links.get(d, MISSING), link=report_links.get(d, ""))]
        for d in scores.departments["department"]
    ]
    return [
        Heading("附件 各部门自评报告索引", 2, starts_page=True),
        Table("各部门自评报告", head, body),
    ]


def report_links_for(departments: Sequence[str], formats: Sequence[str]) -> dict[str, str]:
    """Relative links from ``reports/<年度>/overview.*`` to each department's report."""
    fmt = "html" if "html" in formats else (formats[0] if formats else "html")
    return {d: (Path(d) / f"report.{fmt}").as_posix() for d in departments}


@dataclass
class YearOverview:
    """A year's overview document with the tables it was built from."""

    document: Document
    scores: YearScores
    comparison: dict[str, pd.DataFrame] | None
    findings: pd.DataFrame | None

    def write_exports(self, folder: str | Path = ".") -> list[Path]:
        """The year's tables as xlsx and Parquet, and the 复核工作底稿, in ``folder``."""
        from helpers.year import write_year_exports

        return write_year_exports(folder, self.scores, self.comparison, self.findings)


def build_year_overview(
    fiscal_year: int,
    data_dir: str | Path | None = None,
    link_format: str = "html",
    bureau: str = "",
    scoring: dict[str, Any] | None = None,
) -> YearOverview:
    """The overview of a year from its data: scores, the previous year where present, 复核.

    Args:
        fiscal_year: 预算年度.
        data_dir: the data root (``data/`` when empty).
        link_format: which of each department's reports the index links to.
        bureau: who issues the overview.
        scoring: the params file's ``scoring:`` settings, as the department reports use them.

    Returns:
        The overview document and its tables.
    """
    from helpers.year import compare_years, score_year

    scores = score_year(fiscal_year, data_dir or None, scoring=scoring)
    # The comparison reads the previous year's tables only.
    previous = score_year(
        fiscal_year - 1, data_dir or None, scoring=scoring, keep_evaluations=False
    )
    comparison = compare_years(scores, previous) if not previous.departments.empty else None
    findings = _review(scores)
    links = report_links_for(list(scores.departments["department"]), [link_format])
    config = next(iter(scores.evaluations.values())).result.config if scores.evaluations else None
    low = config.low_execution_pct if config is not None else 90.0
    document = build_overview(scores, comparison, links, findings, low, bureau)
    return YearOverview(document, scores, comparison, findings)


def _review(scores: YearScores) -> pd.DataFrame | None:
    """自评复核 findings of the year (None while the review module is not installed)."""
    try:
        from helpers.review import review
    except ImportError:  # pragma: no cover - the module ships with jixiao
        return None
    return review(list(scores.evaluations.values()))
