"""Interactive exploration for analysts in JupyterLab (``notebooks/explore.ipynb``).

Filters by category, completion status and flags; a styled, sortable indicator table; a project
picker showing the project's target-versus-actual chart. The widgets are ipywidgets; when the
notebook runs headless (papermill) they render their default state as static output, so the
executed notebook still shows the tables and the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import charts
from helpers.dataset import Dataset
from helpers.format import format_pct, format_score, format_wan
from helpers.report import build_report
from helpers.scoring import STATUS_MET, STATUS_NEAR, STATUS_NOT_SCORED, STATUS_UNMET, ScoreResult

STATUSES = (STATUS_MET, STATUS_NEAR, STATUS_UNMET, STATUS_NOT_SCORED)
INDICATOR_COLUMNS = {
    "project_name": "项目",
    "category": "类别",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "completion_pct": "完成率（%）",
    "weight_used": "分值",
    "score": "得分",
    "status": "完成情况",
    "deviation_reason": "偏差原因",
}
_STATUS_STYLE = {
    STATUS_UNMET: "color: #D55E00; font-weight: bold",
    STATUS_NEAR: "color: #b07800; font-weight: bold",
    STATUS_NOT_SCORED: "color: #777777",
}


@dataclass
class ExploreData:
    """A loaded, scored dataset with indicator rows joined to their projects."""

    dataset: Dataset
    result: ScoreResult
    indicators: pd.DataFrame


def load(fiscal_year: int, department: str, data_dir: str | Path | None = None) -> ExploreData:
    """Load and score one department's year for exploration."""
    report = build_report(fiscal_year, department, data_dir=data_dir or None)
    return ExploreData(report.dataset, report.result, report.indicators_with_projects())


def show_summary(data: ExploreData) -> None:
    """Display the key figures and any data warnings."""
    from helpers import narrative
    from helpers.report import Report

    report = Report(data.dataset, data.result)
    report.show([report.key_figure_tiles()])
    for note in narrative.write_data_notes(data.result):
        print("数据提示：", note)


def filter_indicators(
    data: ExploreData, category: str = "", status: str = "", flagged_only: bool = False
) -> pd.DataFrame:
    """Indicator rows filtered by category, status and whether their project has flags.

    Raises:
        ValueError: for a category or status that does not exist (with the allowed values).
    """
    ind = data.indicators
    if category:
        known = list(data.result.categories["category"])
        if category not in known:
            raise ValueError(f"没有类别“{category}”，可选：{'、'.join(known)}")
        ind = ind[ind["category"] == category]
    if status:
        if status not in STATUSES:
            raise ValueError(f"没有完成情况“{status}”，可选：{'、'.join(STATUSES)}")
        ind = ind[ind["status"] == status]
    if flagged_only:
        flagged = data.result.projects.loc[data.result.projects["flags"].map(bool), "project_id"]
        ind = ind[ind["project_id"].isin(flagged)]
    return ind


def style_indicators(rows: pd.DataFrame, sort_by: str = "completion_pct", ascending: bool = True):  # type: ignore[no-untyped-def]
    """A pandas Styler of indicator rows: Chinese headers, status colours, completion bars."""
    if sort_by not in INDICATOR_COLUMNS:
        raise ValueError(f"不能按“{sort_by}”排序，可选：{'、'.join(INDICATOR_COLUMNS)}")
    table = rows.sort_values(sort_by, ascending=ascending, na_position="last")[
        list(INDICATOR_COLUMNS)
    ]
    table = table.rename(columns=INDICATOR_COLUMNS)
    styler = (
        table.style.hide(axis="index")
        .format({"完成率（%）": format_pct, "分值": format_score, "得分": format_score}, na_rep="—")
        .map(lambda v: _STATUS_STYLE.get(v, ""), subset=["完成情况"])
        .bar(subset=["完成率（%）"], color="#56B4E9", vmin=0, vmax=200)
    )
    return styler


def project_table(data: ExploreData, category: str = "", flagged_only: bool = False):  # type: ignore[no-untyped-def]
    """A styled table of projects (budget, rate, score, grade, flags)."""
    p = data.result.projects
    if category:
        p = p[p["category"] == category]
    if flagged_only:
        p = p[p["flags"].map(bool)]
    table = pd.DataFrame(
        {
            "项目": p["name"],
            "类别": p["category"],
            "预算（万元）": p["budget_wan"].map(format_wan),
            "执行率": p["execution_rate_pct"].map(format_pct),
            "得分": p["score"],
            "等级": p["grade"],
            "提示": p["flags"].map(len),
        }
    )
    return (
        table.style.hide(axis="index")
        .format({"得分": format_score}, na_rep="—")
        .background_gradient(subset=["得分"], cmap="Blues", vmin=60, vmax=100)
        .map(
            lambda v: "background-color: #f0f0f0; color: #555555" if pd.isna(v) else "",
            subset=["得分"],
        )
    )


def indicator_browser(
    data: ExploreData, category: str = "", status: str = "", sort_by: str = "completion_pct"
) -> None:
    """Display the indicator table with widgets to filter and sort it."""
    import ipywidgets as widgets
    from IPython.display import display

    categories = ["", *data.result.categories["category"]]
    pick_category = widgets.Dropdown(options=categories, value=category, description="类别")
    pick_status = widgets.Dropdown(options=["", *STATUSES], value=status, description="完成情况")
    pick_sort = widgets.Dropdown(
        options=[(label, key) for key, label in INDICATOR_COLUMNS.items()],
        value=sort_by,
        description="排序",
    )
    ascending = widgets.Checkbox(value=True, description="升序")
    out = widgets.Output()

    def refresh(*_: object) -> None:
        out.clear_output(wait=True)
        with out:
            rows = filter_indicators(data, pick_category.value, pick_status.value)
            display(style_indicators(rows, pick_sort.value, ascending.value))

    for control in (pick_category, pick_status, pick_sort, ascending):
        control.observe(refresh, names="value")
    display(widgets.HBox([pick_category, pick_status, pick_sort, ascending]))
    # Headless runs have no widget front end: show the default view as plain output too.
    display(style_indicators(filter_indicators(data, category, status), sort_by))
    display(out)


def project_picker(data: ExploreData, category: str = "") -> None:
    """Display a project dropdown and the chosen project's target-versus-actual chart."""
    import ipywidgets as widgets
    from IPython.display import display

    projects = data.result.projects
    if category:
        projects = projects[projects["category"] == category]
    options = [
        (name, pid) for pid, name in zip(projects["project_id"], projects["name"], strict=True)
    ]
    if not options:
        print("没有符合条件的项目。")
        return
    pick = widgets.Dropdown(options=options, value=options[0][1], description="项目")
    out = widgets.Output()

    names = {pid: name for name, pid in options}

    def draw(project_id: str) -> None:
        rows = data.indicators[data.indicators["project_id"] == project_id]
        charts.display_figure(charts.plot_target_vs_actual(rows, title=names[project_id]))

    def refresh(change: dict) -> None:
        out.clear_output(wait=True)
        with out:
            draw(change["new"])

    pick.observe(refresh, names="value")
    display(pick)
    draw(options[0][1])
    display(out)
