"""Interactive exploration for the finance bureau and department analysts (``explore.ipynb``).

The drill-down has three levels, each a function returning a DataFrame (testable without
widgets): :func:`department_rows` — a year's departments with score, grade, execution rate and
flags, from :func:`helpers.year.score_year`; :func:`project_rows` — one department's projects;
:func:`indicator_rows` — indicators (of a department, a project, or the whole year), target
against actual, filtered by category, status and flags and sorted.

An :class:`Explorer` holds the selection (year, department, category, status, flagged only,
sort, project) and checks every value against its choices before any widget sees it: a wrong
notebook parameter is an :class:`ExploreError` listing the valid choices (``中文 / English``),
never a traitlets ``TraitError`` from a dropdown.

The widget views (:func:`department_browser`, :func:`indicator_browser`,
:func:`project_picker`) are thin ipywidgets 8 wiring. Each has ONE ``widgets.Output`` whose
outputs are replaced by the current result on every change. A view, displayed, is one output
with two representations: the live widgets, which JupyterLab shows, and a static HTML copy of
the current result, which a notebook executed headless (papermill) and nbconvert show instead —
so the result appears once either way. Text from the data is always HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import charts, paths
from helpers.dataset import DatasetError
from helpers.fonts import configure_charts
from helpers.format import format_pct, format_score, format_wan
from helpers.scoring import STATUS_MET, STATUS_NEAR, STATUS_NOT_SCORED, STATUS_UNMET
from helpers.year import YearScores, score_year

ALL_DEPARTMENTS = "全部部门"
"""The department dropdown's first choice: the year's overview (``department = ""``)."""

STATUSES = (STATUS_MET, STATUS_NEAR, STATUS_UNMET, STATUS_NOT_SCORED)
MAX_ROWS = 300
"""At most this many rows are shown in one table (filters narrow it down)."""

DEPARTMENT_COLUMNS = {
    "rank_budget_weighted": "排名",
    "department": "部门",
    "score_budget_weighted": "得分（按预算加权）",
    "grade_budget_weighted": "等级",
    "score_mean": "得分（简单平均）",
    "execution_rate_pct": "预算执行率（%）",
    "n_projects": "项目数",
    "n_unmet": "未达成指标",
    "n_flags": "提示事项",
    "n_red_flags": "其中高风险",
}
PROJECT_COLUMNS = {
    "project_id": "项目编码",
    "name": "项目",
    "category": "类别",
    "budget_wan": "预算（万元）",
    "execution_rate_pct": "执行率（%）",
    "score": "得分",
    "grade": "等级",
    "n_indicators": "指标数",
    "n_unmet": "未达成指标",
    "n_flags": "提示事项",
}
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
SORT_COLUMNS = {"department": "部门", **INDICATOR_COLUMNS}
"""What the indicator table can be sorted by (``sort_by``) and the column's Chinese name."""

PROJECT_INDICATOR_COLUMNS = (
    "level1", "level2", "name", "target", "actual", "completion_pct", "status", "score",
    "deviation_reason",
)  # fmt: skip
_NUMBER_FORMATS: dict[str, Callable[[Any], str]] = {
    "score_budget_weighted": format_score,
    "score_mean": format_score,
    "score": format_score,
    "weight_used": format_score,
    "execution_rate_pct": format_pct,
    "completion_pct": format_pct,
    "budget_wan": format_wan,
}
_SUMMARY_COLUMNS = {  # one department's line: its rank needs the whole year, so not here
    k: v for k, v in DEPARTMENT_COLUMNS.items() if k not in ("rank_budget_weighted", "department")
}
_STATUS_STYLE = {
    STATUS_UNMET: "color: #D55E00; font-weight: bold",
    STATUS_NEAR: "color: #b07800; font-weight: bold",
    STATUS_NOT_SCORED: "color: #777777",
}
_YEAR_FOLDER = re.compile(r"^\d{4}$")
_PLAIN_NOTE = "（交互控件：在 JupyterLab 中运行本 notebook 可选择和筛选）"


class ExploreError(ValueError):
    """A value the explorer cannot use; the message (中文 / English) lists the valid choices."""


# ----------------------------------------------------------------------- choices and checks


def list_years(data_dir: str | Path | None = None) -> list[int]:
    """The fiscal years with at least one department's data under ``data_dir``.

    Raises:
        ExploreError: ``data_dir`` is not a folder.

    Example:
        >>> list_years(paths.REPO_ROOT / "data" / "district")
        [2020, 2021]
    """
    root = Path(data_dir) if data_dir else paths.get_data_dir()
    if not root.is_dir():
        raise ExploreError(f"找不到数据目录 {root} / data folder not found: {root}")
    years = [int(p.name) for p in root.iterdir() if p.is_dir() and _YEAR_FOLDER.match(p.name)]
    return sorted(y for y in years if paths.list_departments(y, root))


def _listing(choices: Iterable[object], empty_means: str = "") -> tuple[str, str]:
    """The choices as a Chinese and an English list (with what an empty value means).

    A mapping's keys are listed with their labels: ``completion_pct（完成率（%））``.
    """
    if isinstance(choices, Mapping):
        items = [f"{key}（{label}）" for key, label in choices.items()]
    else:
        items = [str(c) for c in choices]
    zh = "、".join(items) or "（无）"
    en = ", ".join(items) or "(none)"
    if empty_means:
        zh += f"；留空即{empty_means}"
    return zh, en


def check_choice(
    value: object, choices: Iterable[object], what: tuple[str, str], empty_means: str = ""
) -> None:
    """Fail unless ``value`` is one of ``choices`` (or empty, when ``empty_means`` says so).

    Args:
        value: the value given.
        choices: the valid values (a mapping: its keys, listed with their labels).
        what: what the value is, in Chinese and in English (``("类别", "category")``).
        empty_means: what an empty value means (``"全部"``), if it is allowed.

    Raises:
        ExploreError: naming the value and every valid choice.
    """
    if not isinstance(choices, Mapping):
        choices = list(choices)
    if value in choices or (empty_means and value == ""):
        return
    zh, en = _listing(choices, empty_means)
    empty_en = " (or empty)" if empty_means else ""
    raise ExploreError(
        f"{what[0]}“{value}”不是可选值，可选：{zh} / "
        f"{what[1]} {value!r} is not one of the choices{empty_en}: {en}"
    )


def check_year(fiscal_year: object, data_dir: str | Path | None = None) -> int:
    """The fiscal year, when it has data under ``data_dir``.

    Raises:
        ExploreError: not a whole number, or no data for it (listing the years that have data).
    """
    years = list_years(data_dir)
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
        zh, en = _listing(years)
        raise ExploreError(
            f"年度应为整数（如 2021），而不是 {fiscal_year!r}；有数据的年度：{zh} / "
            f"fiscal_year must be a whole number, not {fiscal_year!r}; years with data: {en}"
        )
    if fiscal_year not in years:
        root = Path(data_dir) if data_dir else paths.get_data_dir()
        zh, en = _listing(years)
        raise ExploreError(
            f"{root} 下没有 {fiscal_year} 年度的数据，有数据的年度：{zh} / "
            f"no data for fiscal year {fiscal_year} under {root}; years with data: {en}"
        )
    return fiscal_year


def check_department(fiscal_year: int, department: str, data_dir: str | Path | None = None) -> str:
    """The department, when it has data for the year ("" is every department).

    Raises:
        ExploreError: no data for the department that year (listing the departments).
    """
    names = paths.list_departments(fiscal_year, Path(data_dir) if data_dir else None)
    if department and department not in names:
        zh, en = _listing(names, f"{ALL_DEPARTMENTS}一览")
        raise ExploreError(
            f"{fiscal_year} 年度没有部门“{department}”的数据，可选部门：{zh} / "
            f"no data for department {department!r} in {fiscal_year}; departments: {en} "
            "(or empty for all departments)"
        )
    return department


def categories(scores: YearScores, department: str = "") -> list[str]:
    """The project categories of a department (of every department when empty), in order."""
    projects = scores.projects
    if projects.empty:
        return []
    if department:
        projects = projects[projects["department"] == department]
    return list(dict.fromkeys(projects["category"].dropna().astype(str)))


def _check_department_scored(scores: YearScores, department: str) -> None:
    if department and department not in scores.evaluations:
        check_choice(department, scores.evaluations, ("部门", "department"), "全部部门")


# ----------------------------------------------------------------------- the three levels


def department_rows(scores: YearScores, flagged_only: bool = False) -> pd.DataFrame:
    """The year's departments ranked by budget-weighted score: the drill-down's first level.

    Columns are the keys of :data:`DEPARTMENT_COLUMNS` (score, grade, execution rate, flags).
    """
    table = scores.departments
    if table.empty:
        return pd.DataFrame(columns=list(DEPARTMENT_COLUMNS))
    if flagged_only:
        table = table[table["n_flags"].gt(0)]
    return table.loc[:, list(DEPARTMENT_COLUMNS)].reset_index(drop=True)


def project_rows(
    scores: YearScores, department: str = "", category: str = "", flagged_only: bool = False
) -> pd.DataFrame:
    """A department's projects (every department's when empty), with their flag counts.

    Columns: ``department`` and the keys of :data:`PROJECT_COLUMNS`.

    Raises:
        ExploreError: an unknown department or category (listing the choices).
    """
    columns = ["department", *PROJECT_COLUMNS]
    _check_department_scored(scores, department)
    check_choice(category, categories(scores, department), ("类别", "category"), "全部")
    projects = scores.projects
    if projects.empty:
        return pd.DataFrame(columns=columns)
    projects = projects.assign(n_flags=_flag_counts(scores, projects))
    keep = pd.Series(True, index=projects.index)
    if department:
        keep &= projects["department"].eq(department)
    if category:
        keep &= projects["category"].eq(category)
    if flagged_only:
        keep &= projects["n_flags"].gt(0)
    return projects.loc[keep, columns].reset_index(drop=True)


def _flag_counts(scores: YearScores, projects: pd.DataFrame) -> list[int]:
    """How many flags each project has (the year's flags table, by department and code)."""
    flags = scores.flags
    if flags.empty:
        return [0] * len(projects)
    counts = flags.groupby(["department", "project_id"]).size().to_dict()
    pairs = zip(projects["department"], projects["project_id"], strict=True)
    return [int(counts.get(pair, 0)) for pair in pairs]


def indicator_rows(
    scores: YearScores,
    department: str = "",
    project: str = "",
    category: str = "",
    status: str = "",
    flagged_only: bool = False,
    sort_by: str = "completion_pct",
    ascending: bool = True,
) -> pd.DataFrame:
    """Indicators, target against actual: of a project, a department, or the whole year.

    Args:
        scores: the year (:func:`helpers.year.score_year`).
        department: only this department's indicators ("" for every department).
        project: only this project's (its code, within ``department``).
        category: only projects of this category.
        status: only this completion status (达成、基本达成、未达成、未评价).
        flagged_only: only projects with flags.
        sort_by: a key of :data:`SORT_COLUMNS`; rows without a value go last.
        ascending: the sort direction.

    Returns:
        ``department``, the keys of :data:`INDICATOR_COLUMNS`, ``project_id`` and
        ``is_over_achieved`` (for the chart).

    Raises:
        ExploreError: a value that is not one of its choices (listing them).
    """
    check_choice(status, STATUSES, ("完成情况", "status"), "全部")
    check_choice(sort_by, SORT_COLUMNS, ("排序列", "sort_by"))
    chosen = project_rows(scores, department, category, flagged_only)
    if project:
        names = dict(zip(chosen["project_id"], chosen["name"], strict=True))
        check_choice(project, names, ("项目编码", "project"), "全部")
    rows = _indicator_frame(scores)
    keys = set(zip(chosen["department"], chosen["project_id"], strict=True))
    pairs = zip(rows["department"], rows["project_id"], strict=True)
    rows = rows[pd.Series([pair in keys for pair in pairs], index=rows.index, dtype=bool)]
    if project:
        rows = rows[rows["project_id"].eq(project)]
    if status:
        rows = rows[rows["status"].eq(status)]
    rows = rows.sort_values(sort_by, ascending=ascending, na_position="last", kind="stable")
    return rows.reset_index(drop=True)


def _indicator_frame(scores: YearScores) -> pd.DataFrame:
    """Every scored indicator of the year with its department, project name and category."""
    columns = [
        "department", "project_id", *INDICATOR_COLUMNS, "is_over_achieved",
    ]  # fmt: skip
    frames = []
    for name, evaluation in scores.evaluations.items():
        result = evaluation.result
        projects = result.projects.set_index("project_id")
        ind = result.indicators.copy()
        ind["department"] = name
        ind["project_name"] = ind["project_id"].map(projects["name"])
        ind["category"] = ind["project_id"].map(projects["category"])
        frames.append(ind[columns])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# ----------------------------------------------------------------------- HTML of each level


def table_html(rows: pd.DataFrame, headers: dict[str, str]) -> str:
    """A styled HTML table of ``rows``: Chinese headers, numbers formatted, text escaped.

    At most :data:`MAX_ROWS` rows are shown, with a sentence saying how many were left out.
    """
    if rows.empty:
        return "<p>没有符合条件的记录。</p>"
    shown = rows.head(MAX_ROWS)
    table = shown.loc[:, [c for c in headers if c in shown]].rename(columns=headers)
    formats = {headers[c]: f for c, f in _NUMBER_FORMATS.items() if c in headers and c in shown}
    styler = (
        table.style.hide(axis="index")
        .format(na_rep="—", escape="html")
        .format(formats, na_rep="—", escape="html")
    )
    if "status" in headers and headers["status"] in table:
        styler = styler.map(lambda v: _STATUS_STYLE.get(v, ""), subset=[headers["status"]])
    if "completion_pct" in headers and headers["completion_pct"] in table:
        styler = styler.bar(subset=[headers["completion_pct"]], color="#56B4E9", vmin=0, vmax=200)
    more = len(rows) - len(shown)
    note = f"<p>另有 {more} 条未显示，请用筛选缩小范围。</p>" if more > 0 else ""
    return styler.to_html() + note


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


# ----------------------------------------------------------------------- the explorer


@dataclass
class Selection:
    """What the analyst is looking at. ``department`` "" is every department of the year."""

    fiscal_year: int
    department: str = ""
    category: str = ""
    status: str = ""
    flagged_only: bool = False
    sort_by: str = "completion_pct"
    ascending: bool = True
    project: str = ""


@dataclass
class View:
    """One notebook cell's widgets: its controls and the one Output showing the current result.

    Displayed, it is one output carrying the live widgets and a static copy of the result
    (HTML, and the chart as PNG) for a front end without widgets (papermill, nbconvert).
    """

    box: Any
    output: Any
    controls: dict[str, Any] = field(default_factory=dict)

    def static_bundle(self) -> dict[str, str]:
        """The Output's current contents as one ``text/html`` (and ``image/png``, if any)."""
        parts: list[str] = []
        bundle: dict[str, str] = {}
        for out in self.output.outputs:
            data = out.get("data", {})
            if "image/png" in data:
                bundle.setdefault("image/png", data["image/png"])
                parts.append(f'<img alt="{html.escape(data.get("text/plain", ""))}" '
                             f'src="data:image/png;base64,{data["image/png"]}">')  # fmt: skip
            elif "text/html" in data:
                parts.append(data["text/html"])
        bundle["text/html"] = "\n".join(parts)
        return bundle

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_())
        bundle.update(self.static_bundle())
        bundle["text/plain"] = _PLAIN_NOTE
        return bundle


def _html_output(markup: str) -> dict[str, Any]:
    return {"output_type": "display_data", "data": {"text/html": markup}, "metadata": {}}


def _png_output(png: bytes, caption: str) -> dict[str, Any]:
    data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": caption}
    return {"output_type": "display_data", "data": data, "metadata": {}}


class Explorer:
    """A year's (or a department's) scores and the analyst's selection, for the widget views.

    Every value is checked before any widget is made, so that a wrong parameter says what the
    choices are (:class:`ExploreError`).

    Args:
        fiscal_year: 预算年度.
        department: a department with data that year; "" for every department.
        data_dir: the data root ("" for ``data/``).
        category: only projects of this category ("" for all).
        status: only indicators of this completion status ("" for all).
        flagged_only: only projects (and departments) with flags.
        sort_by: the indicator table's sort column (a key of :data:`SORT_COLUMNS`).
        project: a project of ``department`` (its code or name) to open first ("" for the first).

    Raises:
        ExploreError: a value that is not one of its choices, or the department's data do not
            validate.
    """

    def __init__(
        self,
        fiscal_year: int,
        department: str = "",
        data_dir: str | Path = "",
        category: str = "",
        status: str = "",
        flagged_only: bool = False,
        sort_by: str = "completion_pct",
        project: str = "",
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir else None
        self.years = list_years(self.data_dir)
        year = check_year(fiscal_year, self.data_dir)
        check_department(year, department, self.data_dir)
        self._cache: dict[tuple[int, str], YearScores] = {}
        selection = Selection(year, department, category, status, bool(flagged_only), sort_by)
        self.selection = replace(selection, project=self._project_id(selection, project))
        self.indicators()  # checks category, status and sort_by against their choices
        self._controls: dict[str, Any] = {}
        self._views: dict[str, Callable[[], None]] = {}
        self._busy = False
        configure_charts()

    # ------------------------------------------------------------------ data

    def scores(self, fiscal_year: int | None = None, department: str | None = None) -> YearScores:
        """The year's scores: every department's, or only ``department``'s (cached).

        Raises:
            ExploreError: the department's data do not validate.
        """
        year = self.selection.fiscal_year if fiscal_year is None else fiscal_year
        name = self.selection.department if department is None else department
        if (year, "") in self._cache:
            return self._cache[(year, "")]
        if (year, name) not in self._cache:
            scores = score_year(year, self.data_dir, departments=[name] if name else None)
            if name and name not in scores.evaluations:
                problem = dict(scores.problems).get(name, "")
                raise ExploreError(
                    f"{year} 年度“{name}”的数据未通过校验 / the data of {name!r} for {year} "
                    f"do not validate:\n{problem}"
                )
            self._cache[(year, name)] = scores
        return self._cache[(year, name)]

    def _project_id(self, selection: Selection, project: str) -> str:
        """The code of a project given by code or name ("" stays "")."""
        if not project:
            return ""
        if not selection.department:
            raise ExploreError(
                f"选择项目“{project}”前请先指定部门（department） / "
                f"choose a department before the project {project!r}"
            )
        scores = self.scores(selection.fiscal_year, selection.department)
        rows = project_rows(scores, selection.department)
        by_name = dict(zip(rows["name"], rows["project_id"], strict=True))
        if project in by_name:
            return str(by_name[project])
        names = dict(zip(rows["project_id"], rows["name"], strict=True))
        check_choice(project, names, ("项目", "project"), "第一个项目")
        return project

    def departments(self) -> pd.DataFrame:
        """The year's departments (:func:`department_rows`), by the selection's flag filter."""
        scores = self.scores(department="")
        return department_rows(scores, self.selection.flagged_only)

    def projects(self) -> pd.DataFrame:
        """The selected department's projects (:func:`project_rows`), filtered."""
        s = self.selection
        return project_rows(self.scores(), s.department, s.category, s.flagged_only)

    def indicators(self, project: str = "") -> pd.DataFrame:
        """The selection's indicators (:func:`indicator_rows`), filtered and sorted."""
        s = self.selection
        return indicator_rows(
            self.scores(), s.department, project, s.category, s.status, s.flagged_only,
            s.sort_by, s.ascending,
        )  # fmt: skip

    # ------------------------------------------------------------------ what each view shows

    def department_outputs(self) -> list[dict[str, Any]]:
        """The overview of every department, or the selected department's projects."""
        s = self.selection
        if not s.department:
            scores = self.scores(department="")
            shown = self.departments()
            head = f"{s.fiscal_year} 年度全部 {len(scores.departments)} 个部门，按预算加权得分排名"
            if s.flagged_only:
                head += f"（只列有提示事项的 {len(shown)} 个）"
            parts = [_paragraph(head + "："), table_html(shown, DEPARTMENT_COLUMNS)]
            parts += [
                _paragraph(f"未纳入：{name}（数据未通过校验）") for name, _ in scores.problems
            ]
            return [_html_output("\n".join(parts))]
        summary = self.scores().departments
        summary = summary[summary["department"] == s.department]
        projects = self.projects()
        parts = [
            _paragraph(f"{s.fiscal_year} 年度 {s.department}："),
            table_html(summary, _SUMMARY_COLUMNS),
            _paragraph(f"项目（{len(projects)} 个{_filter_words(s)}）："),
            table_html(projects, PROJECT_COLUMNS),
        ]
        parts += [_paragraph(f"数据提示：{note}") for note in self._data_notes()]
        return [_html_output("\n".join(parts))]

    def _data_notes(self) -> list[str]:
        from helpers import narrative

        evaluation = self.scores().evaluations[self.selection.department]
        return narrative.write_data_notes(evaluation.result)

    def indicator_outputs(self) -> list[dict[str, Any]]:
        """The indicator table of the selection."""
        s = self.selection
        rows = self.indicators()
        headers = INDICATOR_COLUMNS if s.department else SORT_COLUMNS
        where = s.department or ALL_DEPARTMENTS
        head = f"{where}：指标 {len(rows)} 条{_filter_words(s)}，按“{SORT_COLUMNS[s.sort_by]}”"
        head += "升序" if s.ascending else "降序"
        return [_html_output(_paragraph(head) + "\n" + table_html(rows, headers))]

    def project_outputs(self) -> list[dict[str, Any]]:
        """The chosen project's indicators, target against actual, and its chart."""
        s = self.selection
        if not s.department:
            hint = f"请先在“部门”中选择一个部门（当前为{ALL_DEPARTMENTS}），再选择项目。"
            return [_html_output(_paragraph(hint))]
        projects = self.projects()
        if projects.empty:
            return [_html_output(_paragraph("没有符合条件的项目。"))]
        project = s.project if s.project in set(projects["project_id"]) else ""
        project = project or str(projects["project_id"].iloc[0])
        row = projects[projects["project_id"] == project].iloc[0]
        rows = self.indicators(project)
        headers = {k: INDICATOR_COLUMNS[k] for k in PROJECT_INDICATOR_COLUMNS}
        title = f"{row['name']}（{project}）"
        grade = row["grade"] if isinstance(row["grade"], str) and row["grade"] else "—"
        head = _paragraph(f"{title}：得分 {format_score(row['score'])}，等级 {grade}")
        png = charts.figure_to_png(charts.plot_target_vs_actual(rows, title=str(row["name"])))
        return [_html_output(head + "\n" + table_html(rows, headers)), _png_output(png, title)]

    # ------------------------------------------------------------------ widgets

    def controls(self) -> dict[str, Any]:
        """The shared widgets, made once: every view showing one shows the same selection."""
        if not self._controls:
            self._controls = _make_controls(self)
            for control in self._controls.values():
                control.observe(self._changed, names="value")
        return self._controls

    def view(
        self, key: str, names: Iterable[str], outputs: Callable[[], list[dict[str, Any]]]
    ) -> View:
        """A view: the named controls above one Output redrawn on every change.

        Args:
            key: the view's name; a view made again under the same name replaces the old one
                (a notebook cell run twice).
            names: the controls to show above the output (keys of :meth:`controls`).
            outputs: makes the output's contents from the current selection.
        """
        import ipywidgets as widgets

        controls = self.controls()
        output = widgets.Output()

        def redraw() -> None:
            try:
                output.outputs = tuple(outputs())
            except (ExploreError, DatasetError) as exc:
                output.outputs = (_html_output(_paragraph(str(exc))),)

        redraw()
        self._views[key] = redraw
        chosen = {name: controls[name] for name in names}
        row = widgets.HBox(list(chosen.values()), layout=widgets.Layout(flex_flow="row wrap"))
        return View(widgets.VBox([row, output]), output, chosen)

    def _changed(self, change: dict[str, Any]) -> None:
        """A control changed: update the selection and the dependent choices, redraw once."""
        if self._busy:
            return
        self._busy = True
        try:
            _read_controls(self)
            _sync_choices(self)
        finally:
            self._busy = False
        for redraw in self._views.values():
            redraw()


def _filter_words(s: Selection) -> str:
    words = [f"类别“{s.category}”" if s.category else "", s.status]
    words.append("只看有提示事项的项目" if s.flagged_only else "")
    shown = "，".join(w for w in words if w)
    return f"；{shown}" if shown else ""


def _department_options(explorer: Explorer) -> list[tuple[str, str]]:
    names = paths.list_departments(explorer.selection.fiscal_year, explorer.data_dir)
    return [(ALL_DEPARTMENTS, ""), *((n, n) for n in names)]


def _category_options(explorer: Explorer) -> list[tuple[str, str]]:
    s = explorer.selection
    try:
        names = categories(explorer.scores(), s.department)
    except ExploreError:
        names = []
    return [("全部", ""), *((n, n) for n in names)]


def _project_options(explorer: Explorer) -> list[tuple[str, str]]:
    if not explorer.selection.department:
        return []
    try:
        projects = explorer.projects()
    except ExploreError:
        return []
    return [
        (f"{name}（{pid}）", pid)
        for pid, name in zip(projects["project_id"], projects["name"], strict=True)
    ]


def _make_controls(explorer: Explorer) -> dict[str, Any]:
    """The dropdowns and check boxes, their values the (checked) selection."""
    import ipywidgets as widgets

    s = explorer.selection
    wide = widgets.Layout(width="max-content", min_width="16em")
    controls = {
        "year": widgets.Dropdown(options=explorer.years, value=s.fiscal_year, description="年度"),
        "department": widgets.Dropdown(
            options=_department_options(explorer), value=s.department, description="部门",
            layout=wide,
        ),
        "category": widgets.Dropdown(
            options=_category_options(explorer), value=s.category, description="类别"
        ),
        "status": widgets.Dropdown(
            options=[("全部", ""), *((x, x) for x in STATUSES)], value=s.status,
            description="完成情况",
        ),
        "flagged_only": widgets.Checkbox(value=s.flagged_only, description="只看有提示事项的"),
        "sort_by": widgets.Dropdown(
            options=[(label, key) for key, label in SORT_COLUMNS.items()], value=s.sort_by,
            description="排序",
        ),
        "ascending": widgets.Checkbox(value=s.ascending, description="升序"),
        "project": widgets.Dropdown(options=[], description="项目", layout=wide),
    }  # fmt: skip
    _set_options(controls["project"], _project_options(explorer), s.project)
    return controls


def _set_options(control: Any, options: list[tuple[str, Any]], value: Any) -> Any:
    """Give a dropdown new options, keeping ``value`` when it is one of them (else the first)."""
    control.options = options
    values = [v for _, v in options]
    control.value = value if value in values else (values[0] if values else None)
    control.disabled = not values
    return control.value


def _read_controls(explorer: Explorer) -> None:
    """The selection from the widgets' values (which can only be valid choices)."""
    c = explorer._controls
    explorer.selection = Selection(
        fiscal_year=c["year"].value,
        department=c["department"].value,
        category=c["category"].value,
        status=c["status"].value,
        flagged_only=bool(c["flagged_only"].value),
        sort_by=c["sort_by"].value,
        ascending=bool(c["ascending"].value),
        project=c["project"].value or "",
    )


def _sync_choices(explorer: Explorer) -> None:
    """The department, category and project choices of the (new) year and department."""
    c = explorer._controls
    s = explorer.selection
    department = _set_options(c["department"], _department_options(explorer), s.department)
    explorer.selection = replace(s, department=department)
    category = _set_options(c["category"], _category_options(explorer), s.category)
    explorer.selection = replace(explorer.selection, category=category)
    project = _set_options(c["project"], _project_options(explorer), s.project)
    explorer.selection = replace(explorer.selection, project=project or "")


# ----------------------------------------------------------------------- the notebook's cells


def department_browser(explorer: Explorer) -> View:
    """Year and department dropdowns; the year's departments, or one department's projects."""
    names = ["year", "department", "category", "flagged_only"]
    return explorer.view("departments", names, explorer.department_outputs)


def indicator_browser(explorer: Explorer) -> View:
    """Filters and sort; the indicator table of the selected department (or of the year)."""
    names = ["category", "status", "flagged_only", "sort_by", "ascending"]
    return explorer.view("indicators", names, explorer.indicator_outputs)


def project_picker(explorer: Explorer) -> View:
    """A project dropdown; the project's indicators, target against actual, and its chart."""
    return explorer.view("project", ["project"], explorer.project_outputs)
