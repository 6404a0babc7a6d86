"""Build the report as data (:mod:`helpers.document`) and show it in the notebook.

``report.ipynb`` stays thin: it calls :func:`build_report`, then one ``show_*`` method per
section. Each section is a list of blocks (headings, paragraphs, tiles, tables, figures) built
here from the scored dataset, with no markup in them. Shown in a notebook, a section's output
carries the blocks as JSON (:data:`helpers.document.MIMETYPE`) beside an HTML view; the
exporters rebuild the whole document from those outputs and render HTML, PDF and Word from it.

Analysts add their own numbered figures and tables in a notebook cell with
``report.figure(fig, "标题")`` and ``report.table(df, "标题")``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure as MplFigure

from helpers import charts, narrative
from helpers.dataset import Dataset
from helpers.document import (
    MIMETYPE,
    Block,
    Cell,
    Contents,
    Document,
    Figure,
    Heading,
    ItemList,
    Outline,
    Paragraph,
    Table,
    Tile,
    Tiles,
    blocks_to_bundle,
    compute_outline,
)
from helpers.evaluation import evaluate
from helpers.fonts import configure_charts
from helpers.format import MISSING, format_pct, format_score, format_wan
from helpers.scoring import ScoreResult, ScoringSettings
from helpers.vocabulary import SEVERITY_RED

EMPTY_SECTION_CHOICES = ("note", "omit")


def _slug(text: str) -> str:
    """A file-name-safe version of a caption (keeps Chinese)."""
    return re.sub(r"[\\/:*?\"<>|\s（）()]+", "_", text).strip("_")[:60]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _text(value: object) -> str:
    return "" if _is_blank(value) else narrative.tidy(value)


def _paragraphs(text: str | None, style: str = "body") -> list[Block]:
    """Free text (blank-line separated paragraphs) as paragraphs, lines of one joined."""
    if not text:
        return []
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return [Paragraph("".join(b.split("\n")), style) for b in blocks]


def _num(text: str) -> Cell:
    return Cell(text, is_numeric=True)


def _label(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell(text, colspan=colspan, rowspan=rowspan, is_header=True)


@dataclass
class Report:
    """One department's report under construction: data, scores and the blocks shown so far.

    Attributes:
        dataset: the validated dataset.
        result: its scores.
        charts_dir: where every chart is also saved as SVG (not saved when None).
        empty_sections: ``"note"`` writes a sentence in a section with nothing to say,
            ``"omit"`` leaves the section out.
        blocks: every block shown so far, in order (the document being built).
    """

    dataset: Dataset
    result: ScoreResult
    charts_dir: Path | None = None
    empty_sections: str = "note"
    blocks: list[Block] = field(default_factory=list)
    saved_charts: list[Path] = field(default_factory=list)
    figures_made: int = 0  # in order of the document: each chart's file is named 图N

    # ----------------------------------------------------------------- building blocks
    def make_figure(self, fig: MplFigure, caption: str) -> Figure:
        """A figure block from a matplotlib figure (SVG, text kept as text); saved if asked."""
        svg = charts.figure_to_svg(fig)
        if self.charts_dir is not None:
            self.charts_dir.mkdir(parents=True, exist_ok=True)
            self.figures_made += 1
            path = self.charts_dir / f"{_slug(f'图{self.figures_made} {caption}')}.svg"
            path.write_text(svg, "utf-8")
            self.saved_charts.append(path)
        return Figure(caption, svg)

    @property
    def department(self):  # type: ignore[no-untyped-def]
        """The department's information (``department.yaml``)."""
        return self.dataset.department

    def indicators_with_projects(self) -> pd.DataFrame:
        """Scored indicator rows with their project's ``project_name`` and ``category``."""
        projects = self.result.projects.set_index("project_id")
        ind = self.result.indicators.copy()
        ind["project_name"] = ind["project_id"].map(projects["name"])
        ind["category"] = ind["project_id"].map(projects["category"])
        return ind

    def _section_or_empty(self, heading: str, body: list[Block], kind: str) -> list[Block]:
        """A section, or (when it has nothing to say) a sentence saying so, or nothing."""
        if body:
            return [Heading(heading, 2), *body]
        if self.empty_sections == "omit":
            return []
        return [Heading(heading, 2), Paragraph(narrative.write_empty_section(kind))]

    # ----------------------------------------------------------------- sections as blocks
    def title_blocks(self) -> list[Block]:
        """Title, opening paragraph and the contents."""
        return [
            Heading(narrative.write_title(self.department), 1),
            Paragraph(narrative.write_opening(self.department)),
            Contents(),
        ]

    def key_figure_tiles(self) -> Tiles:
        """Key figures: budget, spent, rate, projects, indicators met, mean score."""
        d = self.result.department
        scored = d["n_met"] + d["n_near_met"] + d["n_unmet"]
        rate = d["execution_rate_pct"]
        low = not _is_blank(rate) and rate < self.result.config.low_execution_pct
        return Tiles(
            [
                Tile(
                    "全年预算",
                    format_wan(d["budget_wan"]),
                    f"其中项目 {format_wan(d['projects_budget_wan'])} 万元",
                    unit="万元",
                ),
                Tile("全年支出", format_wan(d["spent_wan"]), unit="万元"),
                Tile("预算执行率", format_pct(rate), is_warning=bool(low)),
                Tile("项目", str(d["n_projects"]), f"{d['n_categories']} 个类别", unit="个"),
                Tile(
                    "指标达成",
                    f"{d['n_met']} / {scored}",
                    f"未达成 {d['n_unmet']}，基本达成 {d['n_near_met']}",
                    is_warning=bool(d["n_unmet"]),
                ),
                Tile(
                    "平均得分",
                    format_score(d["mean_score"]) if not _is_blank(d["mean_score"]) else "未评分",
                    f"等级：{d['mean_grade'] or MISSING}",
                    unit="分" if not _is_blank(d["mean_score"]) else "",
                ),
            ]
        )

    def project_summary_table(self) -> Table:
        """One row per project: category, budget, rate, score, grade, unmet indicators."""
        p = self.result.projects
        body = [
            [
                Cell(r["name"]),
                Cell(r["category"]),
                _num(format_wan(r["budget_wan"])),
                _num(format_pct(r["execution_rate_pct"])),
                _num(format_score(r["score"]) if not _is_blank(r["score"]) else "未评分"),
                Cell(r["grade"] if isinstance(r["grade"], str) else MISSING),
                Cell("、".join(r["unmet"]) or "无"),
            ]
            for _, r in p.iterrows()
        ]
        d = self.result.department
        foot = [
            [
                Cell("合计"),
                Cell(f"{len(p)} 个项目"),
                _num(format_wan(d["projects_budget_wan"])),
                Cell(""),
                _num(format_score(d["mean_score"])),
                Cell("平均"),
                Cell(""),
            ]
        ]
        head = [
            [
                Cell(h, is_numeric=i in (2, 3, 4))
                for i, h in enumerate(
                    ["项目", "类别", "预算（万元）", "执行率", "得分", "等级", "未完成指标"]
                )
            ]
        ]
        return Table(
            "项目预算、执行率与自评得分",
            head,
            body,
            foot,
            widths=[2.8, 1.8, 1.8, 1.0, 0.8, 0.7, 2.3],
        )

    def overview_blocks(self) -> list[Block]:
        """The overview: tiles, budget by category, scores against bands, execution rates."""
        r = self.result
        return [
            Heading("绩效概览", 2),
            self.key_figure_tiles(),
            self.make_figure(
                charts.plot_budget_by_category(r.categories), "各类别项目预算（万元）"
            ),
            self.project_summary_table(),
            self.make_figure(charts.plot_scores(r.projects, r.config), "各项目自评得分与等级区间"),
            self.make_figure(
                charts.plot_execution_rates(r.projects, r.config.low_execution_pct),
                "各项目预算执行率",
            ),
        ]

    def organization_blocks(self) -> list[Block]:
        """一、组织开展情况: free text and the generated totals sentence."""
        return [
            Heading("一、组织开展情况", 2),
            *_paragraphs(self.department.sections.organization),
            Paragraph(narrative.write_totals_sentence(self.result, self.department)),
        ]

    def progress_blocks(self) -> list[Block]:
        """二、工作进展成效: per category, one paragraph per project and a chart."""
        blocks: list[Block] = []
        ind = self.indicators_with_projects()
        projects = self.result.projects
        for n, category in enumerate(self.result.categories["category"], start=1):
            heading = self.department.heading_for(category)
            blocks.append(Heading(f"（{narrative.chinese_numeral(n)}）{heading}", 3))
            members = projects[projects["category"] == category]
            for number, (_, project) in enumerate(members.iterrows(), start=1):
                rows = ind[ind["project_id"] == project["project_id"]]
                text = narrative.write_project_paragraph(
                    project, rows, number, low_execution_pct=self.result.config.low_execution_pct
                )
                blocks.append(Paragraph(text))
            rows = ind[ind["project_id"].isin(members["project_id"])]
            if rows["is_scorable"].any():
                blocks.append(
                    self.make_figure(
                        charts.plot_target_vs_actual(rows),
                        f"{category}类项目指标完成情况（实际/目标）",
                    )
                )
        return self._section_or_empty("二、工作进展成效", blocks, "progress")

    def problems_blocks(self) -> list[Block]:
        """三、存在问题及原因: free text and the generated findings."""
        body = _paragraphs(self.department.sections.problems)
        items = narrative.write_problem_items(self.result)
        if items:
            body += [Paragraph("经逐项对照绩效目标，主要问题如下："), ItemList(items)]
        return self._section_or_empty("三、存在问题及原因", body, "problems")

    def next_steps_blocks(self) -> list[Block]:
        """四、下步工作思路和工作建议, then the signature and date."""
        d = self.department
        blocks = self._section_or_empty(
            "四、下步工作思路和工作建议", _paragraphs(d.sections.next_steps), "next_steps"
        )
        blocks.append(Paragraph(d.signer or d.name, "signature"))
        if d.report_date:
            date = d.report_date
            blocks.append(Paragraph(f"{date.year}年{date.month}月{date.day}日", "signature"))
        return blocks

    def risks_blocks(self) -> list[Block]:
        """附件1 风险提示: the risks by severity (red, then amber), then the data-quality notes.

        The flags come from the scoring engine as data (``result.flags``) and are worded by
        :func:`helpers.narrative.write_risk_sections`: within a severity one heading per kind
        of flag, one item per project (why by kind: see there). Red items are marked ``warn``.
        """
        blocks: list[Block] = [
            Heading("附件1 风险提示", 2, starts_page=True),
            Paragraph(narrative.write_risk_summary(self.result.flags)),
        ]
        for n, section in enumerate(narrative.write_risk_sections(self.result), start=1):
            blocks.append(Heading(f"（{narrative.chinese_numeral(n)}）{section.title}", 3))
            if section.intro:
                blocks.append(Paragraph(section.intro, "note"))
            for group in section.groups:
                warn = "warn" if group.severity == SEVERITY_RED else ""
                blocks += [
                    Heading(group.heading, 4),
                    ItemList(group.items, [warn] * len(group.items)),
                ]
            blocks += [Paragraph(f"数据提示：{note}", "note") for note in section.notes]
        return blocks

    def project_form_tables(self, project: pd.Series, rows: pd.DataFrame) -> list[Block]:
        """The official 项目支出绩效自评表 of one project: the money part, then the indicators."""
        return [
            self._form_header_table(project),
            self._form_indicator_table(project, rows),
            *[Paragraph(n, "note") for n in project["level_notes"]],
        ]

    def _form_header_table(self, project: pd.Series) -> Table:
        """项目名称, 主管部门/实施单位, 项目资金 and, when given, 年度总体目标."""
        weight = project["execution_weight"]
        body = [
            [_label("项目名称", 2), Cell(project["name"], colspan=7)],
            [
                _label("主管部门", 2),
                Cell(_text(project["supervising_department"]) or self.department.name, colspan=3),
                _label("实施单位", 2),
                Cell(_text(project["implementing_unit"]) or MISSING, colspan=2),
            ],
            [
                _label("项目资金（万元）", 2, rowspan=2),
                _label("年初预算数"),
                _label("全年预算数"),
                _label("全年执行数"),
                _label("执行率"),
                _label("分值"),
                _label("得分"),
                _label("执行率偏低原因"),
            ],
            [
                _num(format_wan(project["initial_budget_wan"])),
                _num(format_wan(project["budget_wan"])),
                _num(format_wan(project["spent_wan"])),
                _num(format_pct(project["execution_rate_pct"])),
                _num(format_score(weight) if not _is_blank(weight) else MISSING),
                _num(format_score(project["execution_score"])),
                Cell(_text(project["low_execution_reason"]) if project["is_low_execution"] else ""),
            ],
        ]
        goal_target, goal_actual = _text(project["goal_target"]), _text(project["goal_actual"])
        if goal_target or goal_actual:
            body += [
                [
                    _label("年度总体目标", 2, rowspan=2),
                    _label("预期目标", 3),
                    _label("实际完成情况", 4),
                ],
                [Cell(goal_target or MISSING, colspan=3), Cell(goal_actual or MISSING, colspan=4)],
            ]
        return Table(
            f"{project['name']}绩效自评表",
            [],
            body,
            widths=[0.9, 0.9, 1.3, 1.3, 1.3, 1.0, 0.7, 0.7, 1.9],
            style="form",
        )

    def _form_indicator_table(self, project: pd.Series, rows: pd.DataFrame) -> Table:
        """The indicator rows, 一级/二级指标 merged over their rows as on the printed form."""
        header = [
            _label(h)
            for h in (
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "完成情况",
                "偏差原因",
            )
        ]
        level1 = run_lengths(list(rows["level1"]))
        level2 = run_lengths(list(zip(rows["level1"], rows["level2"], strict=True)))
        body = []
        for i, (_, r) in enumerate(rows.iterrows()):
            merged = [Cell(r["level1"], rowspan=level1[i])] if level1[i] else []
            merged += [Cell(r["level2"], rowspan=level2[i])] if level2[i] else []
            body.append(merged + self._indicator_cells(r))
        grade = project["grade"] if isinstance(project["grade"], str) else MISSING
        score = format_score(project["score"]) if not _is_blank(project["score"]) else "未评分"
        foot = [
            [
                _label("总分", 5),
                _num(format_score(narrative.points_available(project, rows))),
                _num(score),
                Cell(grade),
                Cell(""),
            ]
        ]
        return Table(
            "",
            [header],
            body,
            foot,
            widths=[0.9, 0.9, 1.8, 1.3, 1.3, 0.6, 0.6, 0.9, 1.9],
            style="form",
        )

    @staticmethod
    def _indicator_cells(r: pd.Series) -> list[Cell]:
        """三级指标 to 偏差原因 of one indicator row of the form."""
        return [
            Cell(r["name"]),
            Cell(_text(r["target"]) or MISSING),
            Cell(_text(r["actual"]) or MISSING),
            _num(format_score(r["weight_used"]) if r["is_scorable"] else MISSING),
            _num(format_score(r["score"])),
            Cell(r["status"], style=f"status-{r['status']}"),
            Cell(_text(r["deviation_reason"])),
        ]

    def project_tables_blocks(self) -> list[Block]:
        """附件2: every project's official self-evaluation table."""
        ind = self.result.indicators
        blocks: list[Block] = [Heading("附件2 项目支出绩效自评表", 2, starts_page=True)]
        for _, project in self.result.projects.iterrows():
            rows = ind[ind["project_id"] == project["project_id"]]
            blocks += self.project_form_tables(project, rows)
        return blocks

    # ----------------------------------------------------------------- the whole document
    SECTIONS = (
        "title_blocks",
        "overview_blocks",
        "organization_blocks",
        "progress_blocks",
        "problems_blocks",
        "next_steps_blocks",
        "risks_blocks",
        "project_tables_blocks",
    )

    def document(self) -> Document:
        """Every section, built in order (not displayed), as one document."""
        for name in self.SECTIONS:
            self.blocks += getattr(self, name)()
        return self.as_document()

    def as_document(self) -> Document:
        """The blocks built or shown so far as a document."""
        return Document(
            narrative.write_title(self.department),
            list(self.blocks),
            {"fiscal_year": self.dataset.fiscal_year, "department": self.department.name},
        )

    # ----------------------------------------------------------------- notebook API
    def show(self, blocks: Iterable[Block]) -> None:
        """Display blocks in the notebook, each output carrying its blocks as JSON.

        Text, tables and tiles are shown as HTML beside their JSON. A chart is one output of
        its own, its SVG as ``image/svg+xml`` (not repeated in the JSON, which holds its
        caption), followed by its caption; :mod:`helpers.render.collect` puts them back
        together. Figures and tables get the numbers they will have in the exported report.
        """
        blocks = list(blocks)
        show_blocks(blocks, before=self.blocks)
        self.blocks += blocks

    def figure(self, fig: MplFigure, caption: str) -> None:
        """Add an analyst's chart to the report: numbered, captioned, listed in the contents."""
        self.show([self.make_figure(fig, caption)])

    def table(
        self, frame: pd.DataFrame, caption: str, numeric_columns: Iterable[str] | None = None
    ) -> None:
        """Add an analyst's table to the report: numbered, captioned, listed in the contents.

        Args:
            frame: the rows to show (the index is left out; reset it to keep it).
            caption: the title after 表N.
            numeric_columns: right-aligned columns; by default the numeric dtypes.
        """
        self.show([table_from_frame(frame, caption, numeric_columns)])

    def show_title(self) -> None:
        """Display the title and opening paragraph."""
        self.show(self.title_blocks())

    def show_overview(self) -> None:
        """Display the overview (tiles, charts, project table)."""
        self.show(self.overview_blocks())

    def show_organization(self) -> None:
        """Display 一、组织开展情况."""
        self.show(self.organization_blocks())

    def show_progress(self) -> None:
        """Display 二、工作进展成效."""
        self.show(self.progress_blocks())

    def show_problems(self) -> None:
        """Display 三、存在问题及原因."""
        self.show(self.problems_blocks())

    def show_next_steps(self) -> None:
        """Display 四、下步工作思路和工作建议 and the signature."""
        self.show(self.next_steps_blocks())

    def show_risks(self) -> None:
        """Display 附件1 风险提示."""
        self.show(self.risks_blocks())

    def show_project_tables(self) -> None:
        """Display 附件2, the per-project tables."""
        self.show(self.project_tables_blocks())


def show_blocks(blocks: list[Block], before: Iterable[Block] = ()) -> None:
    """Display blocks in a notebook as report outputs (see :meth:`Report.show`).

    Args:
        blocks: what to show.
        before: the blocks shown earlier in the same report (for figure and table numbers).
    """
    from IPython.display import display

    before = list(before)
    figures = sum(isinstance(b, Figure) for b in before)
    tables = sum(isinstance(b, Table) and bool(b.caption) for b in before)
    outline = compute_outline(blocks, figures, tables)
    for start, stop in _display_groups(blocks):
        part = Outline(outline.anchors[start:stop], outline.labels[start:stop], [])
        for bundle in _display_bundles(blocks[start:stop], part):
            display(bundle, raw=True)


def _display_groups(blocks: list[Block]) -> list[tuple[int, int]]:
    """Slices of ``blocks`` shown as one output: each figure alone, runs of the rest together."""
    groups: list[tuple[int, int]] = []
    start = 0
    for i, block in enumerate(blocks):
        if isinstance(block, Figure):
            if start < i:
                groups.append((start, i))
            groups.append((i, i + 1))
            start = i + 1
    if start < len(blocks):
        groups.append((start, len(blocks)))
    return groups


def _display_bundles(blocks: list[Block], outline: Outline) -> list[dict[str, Any]]:
    """The outputs (mimetype bundles) showing one display group."""
    from helpers.render.html import render_fragment

    first = blocks[0]
    if isinstance(first, Figure):
        caption_only = replace(first, svg="")
        return [
            {
                "image/svg+xml": first.svg,
                MIMETYPE: blocks_to_bundle([caption_only]),
                "text/plain": outline.labels[0],
            },
            {"text/html": render_fragment([caption_only], outline)},
        ]
    return [
        {
            "text/html": render_fragment(blocks, outline),
            MIMETYPE: blocks_to_bundle(blocks),
            "text/plain": f"<jixiao: {len(blocks)} blocks>",
        }
    ]


def run_lengths(keys: list[Any]) -> list[int]:
    """For each row, how many rows its run of equal keys covers (0 inside a run).

    Example:
        >>> run_lengths(["产出", "产出", "效益", "产出"])
        [2, 0, 1, 1]
    """
    spans = [0] * len(keys)
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            spans[start] = i - start
            start = i
    return spans


def table_from_frame(
    frame: pd.DataFrame, caption: str, numeric_columns: Iterable[str] | None = None
) -> Table:
    """A captioned table block from a DataFrame (values shown as text, numbers as printed).

    Example:
        >>> t = table_from_frame(pd.DataFrame({"项目": ["<b>"], "预算": [681.5307]}), "预算")
        >>> [c.text for c in t.body[0]], t.body[0][1].is_numeric
        (['<b>', '681.5307'], True)
    """
    if numeric_columns is None:
        numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    else:
        numeric = set(numeric_columns)

    def show(value: Any) -> str:
        if _is_blank(value) or value is pd.NA:
            return MISSING
        if isinstance(value, float):
            return f"{value:.4f}".rstrip("0").rstrip(".")
        return str(value)

    head = [[Cell(str(c), is_numeric=c in numeric) for c in frame.columns]]
    body = [
        [Cell(show(v), is_numeric=c in numeric) for c, v in zip(frame.columns, row, strict=True)]
        for row in frame.itertuples(index=False, name=None)
    ]
    return Table(caption, head, body)


def build_report(
    fiscal_year: int,
    department: str,
    data_dir: str | Path | None = None,
    charts_dir: str | Path | None = None,
    empty_sections: str = "note",
    scoring: Mapping[str, Any] | ScoringSettings | None = None,
) -> Report:
    """Load, validate and score a dataset and prepare its report.

    Args:
        fiscal_year: 预算年度.
        department: the department folder (or workbook stem) under ``data/<year>/``.
        data_dir: the data root; the project's ``data/`` when empty.
        charts_dir: where to save every chart as SVG; not saved when empty.
        empty_sections: ``"note"`` (a sentence says the section has nothing) or ``"omit"``.
        scoring: the params file's scoring settings (thresholds, grade bands, execution
            weight, missing-value policy; see :class:`~helpers.scoring.ScoringSettings`).

    Returns:
        A :class:`Report` whose ``show_*`` methods display the sections.

    Raises:
        ValueError: ``empty_sections`` is not one of :data:`EMPTY_SECTION_CHOICES`, or
            ``scoring`` has an unknown key or a wrong value (a ``ScoringSettingsError``).
    """
    if empty_sections not in EMPTY_SECTION_CHOICES:
        raise ValueError(
            f"empty_sections 应为 note 或 omit，而不是 {empty_sections!r} / "
            f"empty_sections must be 'note' or 'omit', not {empty_sections!r}"
        )
    settings = ScoringSettings.parse(scoring)
    configure_charts()
    evaluation = evaluate(fiscal_year, department, data_dir, scoring=settings)
    return Report(
        evaluation.dataset,
        evaluation.result,
        Path(charts_dir) if charts_dir else None,
        empty_sections,
    )


def build_document(
    fiscal_year: int,
    department: str,
    data_dir: str | Path | None = None,
    empty_sections: str = "note",
    scoring: Mapping[str, Any] | ScoringSettings | None = None,
) -> Document:
    """The whole report of one department as a document, without a notebook.

    ``scoring`` is as for :func:`build_report`.

    Example:
        >>> doc = build_document(2021, "高新区科技局")
        >>> doc.outline().figures[0].label
        '图1 各类别项目预算（万元）'
    """
    report = build_report(fiscal_year, department, data_dir, None, empty_sections, scoring)
    return report.document()


_CHART_STYLE: dict[str, Any] = {}


def warm_up() -> None:
    """Do ahead of time what the first report would pay for: fonts, templates, one chart.

    The runner calls it in a kernel started before the parameters are known. The chart style
    it sets is remembered for :func:`reset_charts`.
    """
    import matplotlib

    from helpers.render.html import environment

    configure_charts()
    environment().get_template("fragment.html.j2")
    fig = MplFigure(figsize=(2, 1))
    fig.subplots().barh(["预算绩效"], [2021])
    charts.figure_to_svg(fig)
    _CHART_STYLE.update(dict(matplotlib.rcParams.items()))


def reset_charts() -> None:
    """Put back the chart style :func:`warm_up` set (a kernel reused for the next report)."""
    import matplotlib

    if _CHART_STYLE:
        matplotlib.rcParams.update(_CHART_STYLE)  # type: ignore[arg-type]
    else:
        warm_up()


def reset_kernel(shell: Any) -> None:
    """Make a kernel that ran one report ready for the next: as if just started and warmed.

    The user's names go (the modules stay imported), execution counts start again at 1 and the
    chart style is put back. IPython's own ``reset`` would do the same plus a full garbage
    collection, a tenth of a second per report that Python's collector does anyway later.
    """
    hidden = shell.user_ns_hidden
    for name in [n for n in shell.user_ns if n not in hidden]:
        del shell.user_ns[name]
    shell.user_ns["Out"].clear()  # cleared in place: IPython's history holds the same objects
    del shell.user_ns["In"][1:]
    shell.execution_count = 1
    reset_charts()
