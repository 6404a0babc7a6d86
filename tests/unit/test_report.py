"""Report assembly: numbered figures and tables, saved charts, escaping of data text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.export import add_table_of_contents
from helpers.markup import TOC_SLOT
from helpers.paths import get_dataset_dir
from helpers.report import Report, build_report

SEED = get_dataset_dir(2021, "高新区科技局")
SECTIONS = (
    "title_html",
    "overview_html",
    "organization_html",
    "progress_html",
    "problems_html",
    "next_steps_html",
    "risks_html",
    "project_tables_html",
)


def render_all(report: Report) -> str:
    return "".join(getattr(report, name)() for name in SECTIONS)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    charts = tmp_path_factory.mktemp("charts")
    report = build_report(2021, "高新区科技局", charts_dir=charts)
    return report, render_all(report)


def test_figures_are_numbered_and_captioned_as_the_data_implies(rendered) -> None:
    report, html = rendered
    captions = re.findall(r'<figcaption id="fig-(\d+)">(.*?)</figcaption>', html)
    categories = list(report.result.categories["category"])
    assert len(captions) == 3 + len(categories) == 7
    assert [int(n) for n, _ in captions] == list(range(1, 8))
    assert captions[0][1] == "图1 各类别项目预算（万元）"
    assert captions[1][1] == "图2 各项目自评得分与等级区间"
    assert captions[2][1] == "图3 各项目预算执行率"
    for (n, caption), category in zip(captions[3:], categories, strict=True):
        assert caption == f"图{n} {category}类项目指标完成情况（实际/目标）"
    assert html.count('src="data:image/png;base64,') == 7


def test_tables_are_numbered_one_summary_plus_one_per_project(rendered) -> None:
    report, html = rendered
    captions = re.findall(r'<caption id="tab-(\d+)">(.*?)</caption>', html)
    names = list(report.result.projects["name"])
    assert len(captions) == 1 + len(names) == 21
    assert captions[0][1] == "表1 项目预算、执行率与自评得分"
    for (n, caption), name in zip(captions[1:], names, strict=True):
        assert caption == f"表{n} {name}绩效自评表"


def test_every_chart_is_saved_as_png_and_svg_named_after_its_content(rendered) -> None:
    report, _ = rendered
    saved = sorted(p.name for p in report.saved_charts)
    assert len(saved) == 14
    folder = report.charts_dir
    assert folder is not None
    assert (folder / "图4_科技创新发展类项目指标完成情况_实际_目标.png").stat().st_size > 10_000
    svg = (folder / "图1_各类别项目预算_万元.svg").read_text("utf-8")
    assert "<svg" in svg and "生物医药" in svg  # text kept as text, reusable in Word


def test_table_of_contents_lists_sections_figures_and_tables(rendered) -> None:
    _, html = rendered
    document = add_table_of_contents(f"<main>{html}</main>")
    assert TOC_SLOT not in document
    toc = document[document.index('<nav class="toc">') : document.index("</nav>")]
    for entry in (
        "一、组织开展情况",
        "二、工作进展成效",
        "三、存在问题及原因",
        "附件1 风险提示",
        "图7 生物医药类项目指标完成情况（实际/目标）",
        "表21 ",
    ):
        assert entry in toc


def test_sections_follow_the_official_structure(rendered) -> None:
    _, html = rendered
    order = [
        "<h1>科技局2021年度绩效自评工作报告</h1>",
        "绩效概览",
        "一、组织开展情况",
        "二、工作进展成效",
        "（一）科技创新发展方面",
        "（二）科技金融工作方面",
        "（三）金融监管工作方面",
        "（四）扶持生物医药产业发展方面",
        "三、存在问题及原因",
        "四、下步工作思路和工作建议",
        "高新区科技局",
        "2021年4月29日",
        "附件1 风险提示",
        "附件2 项目支出绩效自评表",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_text_from_data_is_escaped_everywhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SEED, data / "2021" / "高新区科技局")
    projects = data / "2021" / "高新区科技局" / "projects.csv"
    text = projects.read_text("utf-8")
    evil = "<img src=x onerror=alert(1)>"
    text = text.replace("科学技术奖奖励项目", evil, 1)
    text = text.replace("有效提高了企业自主创新能力", "<script>alert(2)</script>", 1)
    projects.write_text(text, "utf-8")
    report = build_report(2021, "高新区科技局", data_dir=data)
    html = render_all(report)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    # The PDF shows the name as text too (laid out from the same escaped HTML).
    from pypdf import PdfReader

    from helpers.pdf import html_to_pdf

    pdf = tmp_path / "report.pdf"
    html_to_pdf(f"<html><body><main>{report.progress_html()}</main></body></html>", pdf)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "<img src=x onerror=alert(1)>" in text.replace("\n", "")
