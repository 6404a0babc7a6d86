"""The report document built from the seed: structure, numbering, contents, saved charts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.document import Contents, Figure, Heading, ItemList, Paragraph, Table, blocks_to_bundle
from helpers.paths import get_dataset_dir
from helpers.report import Report, build_report, run_lengths, table_from_frame

SEED = get_dataset_dir(2021, "高新区科技局")


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    report = build_report(2021, "高新区科技局", charts_dir=tmp_path_factory.mktemp("charts"))
    report.document()
    return report


def test_figures_are_numbered_and_captioned_as_the_data_implies(seed_report: Report) -> None:
    outline = seed_report.as_document().outline()
    categories = list(seed_report.result.categories["category"])
    labels = [e.label for e in outline.figures]
    assert len(labels) == 3 + len(categories) == 7
    assert labels[:3] == [
        "图1 各类别项目预算（万元）",
        "图2 各项目自评得分与等级区间",
        "图3 各项目预算执行率",
    ]
    for n, (label, category) in enumerate(zip(labels[3:], categories, strict=True), start=4):
        assert label == f"图{n} {category}类项目指标完成情况（实际/目标）"
    assert [e.anchor for e in outline.figures] == [f"fig-{n}" for n in range(1, 8)]


def test_tables_are_numbered_one_summary_plus_one_form_per_project(seed_report: Report) -> None:
    outline = seed_report.as_document().outline()
    names = list(seed_report.result.projects["name"])
    labels = [e.label for e in outline.tables]
    assert len(labels) == 1 + len(names) == 21
    assert labels[0] == "表1 项目预算、执行率与自评得分"
    for n, (label, name) in enumerate(zip(labels[1:], names, strict=True), start=2):
        assert label == f"表{n} {name}绩效自评表"


def test_contents_lists_sections_in_the_official_order(seed_report: Report) -> None:
    doc = seed_report.as_document()
    assert sum(isinstance(b, Contents) for b in doc.blocks) == 1
    sections = [e.label for e in doc.outline().sections]
    assert sections == [
        "绩效概览",
        "一、组织开展情况",
        "二、工作进展成效",
        "（一）科技创新发展方面",
        "（二）科技金融工作方面",
        "（三）金融监管工作方面",
        "（四）扶持生物医药产业发展方面",
        "三、存在问题及原因",
        "四、下步工作思路和工作建议",
        "附件1 风险提示",
        "（一）需重点关注的风险（高）",
        "（二）需要关注的事项（中）",
        "（三）数据质量提示",
        "附件2 项目支出绩效自评表",
    ]
    title = doc.blocks[0]
    assert isinstance(title, Heading) and title.level == 1
    assert title.text == "科技局2021年度绩效自评工作报告" == doc.title
    signature = [b.text for b in doc.blocks if isinstance(b, Paragraph) and b.style == "signature"]
    assert signature == ["高新区科技局", "2021年4月29日"]


def test_the_self_evaluation_form_merges_levels_and_keeps_money_precision(
    seed_report: Report,
) -> None:
    doc = seed_report.as_document()
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    form = next(t for t in tables if t.caption == "创新型孵化器建设扶持资金项目绩效自评表")
    indicators = tables[tables.index(form) + 1]
    assert indicators.caption == "" and indicators.style == "form"
    assert [c.text for c in indicators.head[0]][:3] == ["一级指标", "二级指标", "三级指标"]
    texts = [c.text for row in form.body for c in row]
    assert "681.5307" in texts  # 万元 with all four decimals
    grid = indicators.grid()
    assert all(max(col + c.colspan for col, c in row) <= 9 for row in grid)
    first_level = [c for row in indicators.body for c in row if c.text in ("产出指标", "产出")]
    assert first_level and first_level[0].rowspan > 1  # 一级指标 merged over its rows
    statuses = {c.text for row in indicators.body for c in row if c.style.startswith("status-")}
    assert "未达成" in statuses


def test_every_chart_is_saved_as_svg_named_after_its_content(seed_report: Report) -> None:
    saved = sorted(p.name for p in seed_report.saved_charts)
    assert len(saved) == 7
    folder = seed_report.charts_dir
    assert folder is not None
    assert saved[:3] == [
        "图1_各类别项目预算_万元.svg",
        "图2_各项目自评得分与等级区间.svg",
        "图3_各项目预算执行率.svg",
    ]
    svg = (folder / "图1_各类别项目预算_万元.svg").read_text("utf-8")
    assert "<svg" in svg and "生物医药" in svg  # text kept as text, reusable in Word
    figure = next(b for b in seed_report.blocks if isinstance(b, Figure))
    assert figure.svg == svg


def test_the_model_holds_no_markup_and_round_trips_through_json(seed_report: Report) -> None:
    import json

    from helpers.document import blocks_from_bundle

    bundle = json.loads(json.dumps(blocks_to_bundle(seed_report.blocks), ensure_ascii=False))
    assert blocks_from_bundle(bundle) == seed_report.blocks
    for block in seed_report.blocks:
        if isinstance(block, (Paragraph, Heading)):
            assert "<" not in block.text or "&lt;" not in block.text
            assert "<p" not in block.text and "<h" not in block.text


def test_run_lengths_merge_only_consecutive_equal_keys() -> None:
    assert run_lengths([]) == []
    assert run_lengths(["a"]) == [1]
    assert run_lengths(["a", "a", "b", "b", "b", "a"]) == [2, 0, 3, 0, 0, 1]


def test_an_analysts_table_keeps_text_and_numbers_as_written() -> None:
    import pandas as pd

    frame = pd.DataFrame({"项目": ["=1+1", "<b>"], "预算（万元）": [681.5307, 12.0]})
    table = table_from_frame(frame, "自定义表")
    assert [[c.text for c in row] for row in table.body] == [["=1+1", "681.5307"], ["<b>", "12"]]
    assert [c.is_numeric for c in table.head[0]] == [False, True]


def test_empty_sections_are_noted_or_omitted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SEED, data / "2021" / "高新区科技局")
    dept = data / "2021" / "高新区科技局" / "department.yaml"
    text = dept.read_text("utf-8")
    import yaml

    info = yaml.safe_load(text)
    info.setdefault("sections", {})["next_steps"] = ""
    dept.write_text(yaml.safe_dump(info, allow_unicode=True), "utf-8")
    noted = build_report(2021, "高新区科技局", data_dir=data).next_steps_blocks()
    assert noted[0] == Heading("四、下步工作思路和工作建议", 2)
    assert isinstance(noted[1], Paragraph) and noted[1].text
    omitted = build_report(2021, "高新区科技局", data_dir=data, empty_sections="omit")
    assert all(not isinstance(b, Heading) for b in omitted.next_steps_blocks())
    with pytest.raises(ValueError, match="empty_sections"):
        build_report(2021, "高新区科技局", data_dir=data, empty_sections="hide")


def test_risks_list_flags_with_severity(seed_report: Report) -> None:
    blocks = seed_report.risks_blocks()
    assert blocks[0] == Heading("附件1 风险提示", 2, starts_page=True)
    lists = [b for b in blocks if isinstance(b, ItemList)]
    assert lists and any("warn" in b.severities for b in lists)


def test_an_analysts_figure_and_table_get_numbers_and_contents_entries(
    seed_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """report.figure / report.table in a notebook cell: numbered after the report's own."""
    import IPython.display
    import pandas as pd
    from matplotlib.figure import Figure as Chart

    from helpers.document import MIMETYPE
    from helpers.render.collect import collect_document

    shown: list[dict] = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw=False: shown.append(bundle))
    report = Report(seed_report.dataset, seed_report.result)
    report.show_title()
    report.show_overview()
    chart = Chart()
    chart.subplots().bar(["甲", "乙"], [1, 2])
    report.figure(chart, "自定义图表")
    report.table(pd.DataFrame({"项目": ["甲"], "金额（万元）": [1.5]}), "自定义表格")

    html = "".join(b.get("text/html", "") for b in shown)
    assert "图4 自定义图表" in html and "表2 自定义表格" in html  # numbered as in the report
    svg_outputs = [b for b in shown if "image/svg+xml" in b]
    assert len(svg_outputs) == 4 and all(MIMETYPE in b for b in svg_outputs)
    cells = [{"cell_type": "code", "outputs": [{"data": b} for b in shown]}]
    document = collect_document({"cells": cells})
    labels = [e.label for e in document.outline().entries]
    assert "图4 自定义图表" in labels and "表2 自定义表格" in labels
    figures = [b for b in document.blocks if isinstance(b, Figure)]
    assert len(figures) == 4 and all(f.svg.startswith("<?xml") or "<svg" in f.svg for f in figures)


@pytest.fixture
def shell_main_module():  # type: ignore[no-untyped-def]
    """An in-process IPython shell replaces ``sys.modules['__main__']``: put it back after."""
    import sys

    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def test_a_reused_kernel_is_reset_as_if_new(shell_main_module) -> None:  # type: ignore[no-untyped-def]
    """reset_kernel: the user's names go, counts restart at 1, the chart style comes back."""
    import matplotlib
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from helpers.report import reset_kernel, warm_up

    config = Config()
    config.HistoryManager.enabled = False  # as in the runner's kernels
    shell = InteractiveShell.instance(config=config)
    warm_up()
    style = matplotlib.rcParams["font.family"]
    shell.run_cell("report = 'previous department'; x = 1", store_history=True)
    matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
    reset_kernel(shell)
    assert "report" not in shell.user_ns and "x" not in shell.user_ns
    assert shell.execution_count == 1
    assert matplotlib.rcParams["font.family"] == style
    assert shell.run_cell("y = 2", store_history=True).execution_count == 1
