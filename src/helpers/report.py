"""Assemble the report in a notebook: sections, numbered figures and tables, saved charts.

``report.ipynb`` stays thin: it calls :func:`build_report` and then one ``show_*`` method per
section. Every piece of text that comes from data is escaped here (``html.escape``) before it
becomes HTML, so a project named ``<img src=x onerror=alert(1)>`` is shown, never run.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from helpers import charts, narrative
from helpers.dataset import Dataset
from helpers.evaluation import evaluate
from helpers.fonts import configure_charts
from helpers.format import MISSING, format_pct, format_score, format_wan
from helpers.markup import TOC_SLOT, render_table
from helpers.markup import p_html as _p
from helpers.markup import paragraphs_html as _paragraphs
from helpers.scoring import ScoreResult


def _display_html(fragment: str) -> None:
    from IPython.display import HTML, display

    display(HTML(fragment))


def _slug(text: str) -> str:
    """A file-name-safe version of a caption (keeps Chinese)."""
    return re.sub(r"[\\/:*?\"<>|\s（）()]+", "_", text).strip("_")[:60]


@dataclass
class Report:
    """One department's report under construction: data, scores and numbering."""

    dataset: Dataset
    result: ScoreResult
    charts_dir: Path | None = None
    figure_count: int = 0
    table_count: int = 0
    saved_charts: list[Path] = field(default_factory=list)

    # ----------------------------------------------------------------- building blocks
    def figure_html(self, fig: Figure, caption: str) -> str:
        """Number a figure, save it as PNG and SVG (when ``charts_dir`` is set), embed it."""
        self.figure_count += 1
        label = f"图{self.figure_count} {caption}"
        png = charts.figure_to_png(fig)
        if self.charts_dir is not None:
            self.charts_dir.mkdir(parents=True, exist_ok=True)
            stem = self.charts_dir / _slug(label)
            stem.with_suffix(".png").write_bytes(png)
            fig.savefig(stem.with_suffix(".svg"), format="svg")
            self.saved_charts += [stem.with_suffix(".png"), stem.with_suffix(".svg")]
        data = base64.b64encode(png).decode("ascii")
        return (
            f'<figure><img alt="{escape(label)}" src="data:image/png;base64,{data}">'
            f'<figcaption id="fig-{self.figure_count}">{escape(label)}</figcaption></figure>'
        )

    def _next_table(self) -> int:
        self.table_count += 1
        return self.table_count

    def table_html(self, header: list[str], rows: list[list[object]], caption: str, **kw) -> str:  # type: ignore[no-untyped-def]
        """Number a table and render it with its caption."""
        number = self._next_table()
        return render_table(
            header, rows, caption=f"表{number} {caption}", caption_id=f"tab-{number}", **kw
        )

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

    # ----------------------------------------------------------------- sections
    def title_html(self) -> str:
        """Title, opening paragraph and the table-of-contents slot."""
        return (
            f"<h1>{escape(narrative.write_title(self.department))}</h1>"
            + _p(narrative.write_opening(self.department))
            + TOC_SLOT
        )

    def key_figures_html(self) -> str:
        """Key-figure tiles: budget, spent, rate, projects, indicators met, mean score."""
        d = self.result.department
        scored = d["n_met"] + d["n_near_met"] + d["n_unmet"]
        tiles = [
            (
                "全年预算",
                f"{format_wan(d['budget_wan'])} 万元",
                f"其中项目 {format_wan(d['projects_budget_wan'])} 万元",
                "",
            ),
            ("全年支出", f"{format_wan(d['spent_wan'])} 万元", "", ""),
            ("预算执行率", format_pct(d["execution_rate_pct"]), "", ""),
            ("项目", f"{d['n_projects']} 个", f"{d['n_categories']} 个类别", ""),
            (
                "指标达成",
                f"{d['n_met']} / {scored}",
                f"未达成 {d['n_unmet']}，基本达成 {d['n_near_met']}",
                "warn" if d["n_unmet"] else "",
            ),
            (
                "平均得分",
                f"{format_score(d['mean_score'])} 分",
                f"等级：{d['mean_grade'] or MISSING}",
                "",
            ),
        ]
        # Inline styles as well as the report stylesheet's classes: the tiles also appear in
        # JupyterLab (explore.ipynb), where the report's CSS is not loaded.
        tile_style = (
            "flex:1 1 150px;background:#f4f8fb;border-radius:6px;padding:8px 12px;"
            "border-left:4px solid {colour}"
        )
        items = "".join(
            f'<div class="tile {cls}" style="{tile_style.format(colour="#D55E00" if cls else "#0072B2")}">'
            f'<div class="label" style="font-size:12px;color:#57606a">{escape(label)}</div>'
            f'<div class="value" style="font-size:20px;font-weight:700">{escape(value)}</div>'
            f'<div class="sub" style="font-size:12px;color:#57606a">{escape(sub)}</div></div>'
            for label, value, sub, cls in tiles
        )
        return f'<div class="tiles" style="display:flex;flex-wrap:wrap;gap:10px">{items}</div>'

    def project_summary_table_html(self) -> str:
        """One row per project: category, budget, rate, score, grade, unmet indicators."""
        p = self.result.projects
        rows = [
            [
                r["name"],
                r["category"],
                format_wan(r["budget_wan"]),
                format_pct(r["execution_rate_pct"]),
                format_score(r["score"]),
                r["grade"] if isinstance(r["grade"], str) else MISSING,
                "、".join(r["unmet"]) or "无",
            ]
            for _, r in p.iterrows()
        ]
        footer = [
            "合计",
            f"{len(p)} 个项目",
            format_wan(self.result.department["projects_budget_wan"]),
            "",
            format_score(self.result.department["mean_score"]),
            "平均",
            "",
        ]
        return self.table_html(
            ["项目", "类别", "预算（万元）", "执行率", "得分", "等级", "未完成指标"],
            rows,
            "项目预算、执行率与自评得分",
            numeric_columns=frozenset({2, 3, 4}),
            footer=footer,
            table_class="data summary",
        )

    def overview_html(self) -> str:
        """The overview: tiles, budget by category, scores against bands, execution rates."""
        r = self.result
        return (
            "<h2>绩效概览</h2>"
            + self.key_figures_html()
            + self.figure_html(
                charts.plot_budget_by_category(r.categories), "各类别项目预算（万元）"
            )
            # The table flows across pages and fills the space the tall charts would leave.
            + self.project_summary_table_html()
            + self.figure_html(charts.plot_scores(r.projects), "各项目自评得分与等级区间")
            + self.figure_html(
                charts.plot_execution_rates(r.projects, r.config.low_execution_pct),
                "各项目预算执行率",
            )
        )

    def organization_html(self) -> str:
        """一、组织开展情况: free text and the generated totals sentence."""
        return (
            "<h2>一、组织开展情况</h2>"
            + _paragraphs(self.department.sections.organization)
            + _p(narrative.write_totals_sentence(self.result, self.department))
        )

    def progress_html(self) -> str:
        """二、工作进展成效: per category, a chart and one paragraph per project."""
        parts = ["<h2>二、工作进展成效</h2>"]
        ind = self.indicators_with_projects()
        projects = self.result.projects
        for n, category in enumerate(self.result.categories["category"], start=1):
            heading = self.department.heading_for(category)
            parts.append(f"<h3>（{narrative.chinese_numeral(n)}）{escape(heading)}</h3>")
            members = projects[projects["category"] == category]
            for number, (_, project) in enumerate(members.iterrows(), start=1):
                rows = ind[ind["project_id"] == project["project_id"]]
                parts.append(_p(narrative.write_project_paragraph(project, rows, number)))
            rows = ind[ind["project_id"].isin(members["project_id"])]
            parts.append(
                self.figure_html(
                    charts.plot_target_vs_actual(rows), f"{category}类项目指标完成情况（实际/目标）"
                )
            )
        return "".join(parts)

    def problems_html(self) -> str:
        """三、存在问题及原因: free text and the generated findings."""
        items = narrative.write_problem_items(self.result)
        listing = ""
        if items:
            listing = (
                _p("经逐项对照绩效目标，主要问题如下：")
                + '<ul class="flags">'
                + "".join(f"<li>{escape(i)}</li>" for i in items)
                + "</ul>"
            )
        return (
            "<h2>三、存在问题及原因</h2>" + _paragraphs(self.department.sections.problems) + listing
        )

    def next_steps_html(self) -> str:
        """四、下步工作思路和工作建议, then the signature and date."""
        d = self.department
        date = (
            f"{d.report_date.year}年{d.report_date.month}月{d.report_date.day}日"
            if d.report_date
            else ""
        )
        return (
            "<h2>四、下步工作思路和工作建议</h2>"
            + _paragraphs(d.sections.next_steps)
            + f'<div class="signature">{_p(d.signer or d.name)}{_p(date) if date else ""}</div>'
        )

    def risks_html(self) -> str:
        """附件1 风险提示: every flag of the scoring engine, per project."""
        p = self.result.projects
        flagged = p[p["flags"].map(bool)]
        parts = ['<h2 class="page-break">附件1 风险提示</h2>']
        if flagged.empty:
            return parts[0] + _p("评分引擎未发现需要提示的风险。")
        parts.append(
            _p(f"共 {len(flagged)} 个项目有提示事项（未完成、执行率偏低、目标偏低、数据缺失等）。")
        )
        for _, r in flagged.iterrows():
            notes = [*r["flags"], *r["level_notes"]]
            parts.append(
                f'<h4>{escape(r["name"])}</h4><ul class="flags">'
                + "".join(
                    f'<li class="{"flag-warn" if f.startswith(("未完成", "预算执行率")) else ""}">{escape(f)}</li>'
                    for f in notes
                )
                + "</ul>"
            )
        for warning in self.result.warnings:
            parts.append(_p(f"数据提示：{warning}", "note"))
        return "".join(parts)

    def project_table_html(self, project: pd.Series, rows: pd.DataFrame) -> str:
        """The official 项目支出绩效自评表 of one project."""
        cfg = self.result.config
        header_rows = [
            [
                format_wan(project["initial_budget_wan"]),
                format_wan(project["budget_wan"]),
                format_wan(project["spent_wan"]),
                format_pct(project["execution_rate_pct"]),
                f"{cfg.execution_weight:g}",
                format_score(project["execution_score"]),
            ]
        ]
        caption = f"表{self._next_table()} {project['name']}绩效自评表"
        money = render_table(
            [
                "年初预算数（万元）",
                "全年预算数（万元）",
                "全年执行数（万元）",
                "执行率",
                "分值",
                "得分",
            ],
            header_rows,
            caption=caption,
            caption_id=f"tab-{self.table_count}",
            numeric_columns=frozenset(range(6)),
            table_class="data money",
        )
        body = [
            [
                r["level1"],
                r["level2"],
                r["name"],
                narrative.tidy(r["target"]) or MISSING,
                narrative.tidy(r["actual"]) or MISSING,
                format_score(r["weight_used"]) if r["is_scorable"] else MISSING,
                format_score(r["score"]),
                (r["status"], f"status-{r['status']}"),
                narrative.tidy(r["deviation_reason"]) or "",
            ]
            for _, r in rows.iterrows()
        ]
        grade = project["grade"] if isinstance(project["grade"], str) else MISSING
        footer = ["总分", "", "", "", "", "100", format_score(project["score"]), grade, ""]
        table = render_table(
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "完成情况",
                "偏差原因",
            ],
            body,
            numeric_columns=frozenset({5, 6}),
            footer=footer,
            table_class="data indicators",
        )
        notes = "".join(_p(n, "note") for n in project["level_notes"])
        score = _p(f"自评得分：{format_score(project['score'])} 分，等级：{grade}。", "score-line")
        return f'<div class="project-block">{money}{table}{score}{notes}</div>'

    def project_tables_html(self) -> str:
        """附件2: every project's official self-evaluation table."""
        ind = self.result.indicators
        parts = ['<h2 class="page-break">附件2 项目支出绩效自评表</h2>']
        for _, project in self.result.projects.iterrows():
            parts.append(
                self.project_table_html(project, ind[ind["project_id"] == project["project_id"]])
            )
        return "".join(parts)

    # ----------------------------------------------------------------- notebook API
    def show_title(self) -> None:
        """Display the title and opening paragraph."""
        _display_html(self.title_html())

    def show_overview(self) -> None:
        """Display the overview (tiles, charts, project table)."""
        _display_html(self.overview_html())

    def show_organization(self) -> None:
        """Display 一、组织开展情况."""
        _display_html(self.organization_html())

    def show_progress(self) -> None:
        """Display 二、工作进展成效."""
        _display_html(self.progress_html())

    def show_problems(self) -> None:
        """Display 三、存在问题及原因."""
        _display_html(self.problems_html())

    def show_next_steps(self) -> None:
        """Display 四、下步工作思路和工作建议 and the signature."""
        _display_html(self.next_steps_html())

    def show_risks(self) -> None:
        """Display 附件1 风险提示."""
        _display_html(self.risks_html())

    def show_project_tables(self) -> None:
        """Display 附件2, the per-project tables."""
        _display_html(self.project_tables_html())


def build_report(
    fiscal_year: int,
    department: str,
    data_dir: str | Path | None = None,
    charts_dir: str | Path | None = None,
) -> Report:
    """Load, validate and score a dataset and prepare its report.

    Args:
        fiscal_year: 预算年度.
        department: the department folder (or workbook stem) under ``data/<year>/``.
        data_dir: the data root; the project's ``data/`` when empty.
        charts_dir: where to save every chart as PNG and SVG; not saved when empty.

    Returns:
        A :class:`Report` whose ``show_*`` methods display the sections.
    """
    configure_charts()
    evaluation = evaluate(fiscal_year, department, data_dir)
    return Report(evaluation.dataset, evaluation.result, Path(charts_dir) if charts_dir else None)
