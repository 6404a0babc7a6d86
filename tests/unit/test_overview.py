"""The finance bureau's overview: one document, rendered like a department's report."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from helpers.document import Cell, Document, Table
from helpers.overview import build_overview, report_links_for
from helpers.render.html import render_html
from helpers.year import compare_years, score_year

from .test_year import district  # noqa: F401 - the two-department district fixture


def overview(district: Path) -> Document:  # noqa: F811
    year = score_year(2021, district)
    comparison = compare_years(year, score_year(2020, district))
    findings = pd.DataFrame(
        [
            {
                "rule_id": "R01",
                "severity": "P0",
                "department": "甲局",
                "project": "大项目",
                "indicator": "培训人次",
                "evidence": "自评得分高于按规则计算的得分 20 分",
            }
        ]
    )
    links = report_links_for(list(year.departments["department"]), ["html", "pdf"])
    return build_overview(year, comparison, links, findings)


def test_the_overview_ranks_compares_and_indexes(district: Path) -> None:  # noqa: F811
    document = overview(district)
    sections = [e.label for e in document.outline().sections]
    assert sections[:3] == ["一、部门得分与排名", "二、预算执行", "三、提示事项"]
    assert "四、与上年比较" in sections and "五、自评复核" in sections
    ranking = next(b for b in document.blocks if isinstance(b, Table))
    assert [row[1].text for row in ranking.body] == ["乙局", "甲局"]
    headers = [c.text for c in ranking.head[0]]
    assert "加权得分" in headers and "平均得分" in headers, "both department scores, named"
    assert ranking.body[1][1].link == "甲局/report.html"
    html = render_html(document)
    assert '<a href="甲局/report.html">甲局</a>' in html
    assert "本年新出现的未达成指标" in html and "大项目" in html
    assert "P0" in html


def test_the_overview_renders_to_pdf_and_word(district: Path) -> None:  # noqa: F811
    import docx

    from helpers.render.docx import render_docx
    from helpers.render.pdf import render_pdf

    document = overview(district)
    assert render_pdf(document).startswith(b"%PDF")
    word = docx.Document(io.BytesIO(render_docx(document)))
    cells = {c.text for t in word.tables for row in t.rows for c in row.cells}
    assert "乙局" in cells and "甲局" in cells


def test_links_are_relative_paths_only() -> None:
    cells = [
        Cell("甲", link="javascript:alert(1)"),
        Cell("乙", link="/etc/passwd"),
        Cell("丙", link="../../secret.html"),
        Cell("丁", link="丁局/report.html"),
    ]
    html = render_html(Document("t", [Table("表", [[Cell("部门")]], [[c] for c in cells])]))
    assert html.count("<a href=") == 1 and '<a href="丁局/report.html">丁</a>' in html


def test_the_flag_matrix_gives_department_names_room() -> None:
    """The department column is as wide as the longest name (in characters, up to 16); each
    count column three characters, so names do not wrap into narrow columns."""
    from helpers import paths
    from helpers.overview import flag_matrix

    year = score_year(2021, paths.REPO_ROOT / "data" / "district")
    table = flag_matrix(year)
    longest = max(len(d) for d in year.flags["department"].unique())
    assert table.widths[0] == min(longest, 16)
    assert set(table.widths[1:]) == {3.0}
    assert len(table.widths) == table.columns


def test_a_large_year_shows_the_execution_distribution_not_a_bar_each() -> None:
    """Beyond EXECUTION_BARS_MAX departments a bar each would make a chart pages tall."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from helpers import paths
    from helpers.overview import EXECUTION_BARS_MAX, execution_chart

    year = score_year(2021, paths.REPO_ROOT / "data" / "district")
    small = execution_chart(year, 90.0)
    assert len(small.axes[0].patches) == len(year.departments)  # a bar each
    n = EXECUTION_BARS_MAX + 20
    rates = np.r_[np.linspace(40, 89.9, 15), np.linspace(90, 130, n - 15)]
    table = pd.DataFrame(
        {"department": [f"部门{i}" for i in range(n)], "execution_rate_pct": rates}
    )
    large = execution_chart(dataclasses.replace(year, departments=table), 90.0)
    bars = large.axes[0].patches
    assert len(bars) == 22  # 0–110 % in steps of 5
    assert sum(b.get_height() for b in bars) == n
    below = sum(b.get_height() for b in bars if b.get_x() < 90)
    assert below == 15
    assert large.get_size_inches()[1] < 4
