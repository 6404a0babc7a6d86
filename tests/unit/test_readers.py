"""helpers.readers: real-world files in, the same tables out (Excel-typed cells, encodings, forms)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers import narrative
from helpers.dataset import DatasetError, load_dataset, write_workbook
from helpers.evaluation import evaluate, evaluate_path
from helpers.readers.cells import cell_text
from helpers.scoring import score_dataset

from .formbuilder import FormIndicator, sample_project, write_form_xlsx

# --- Excel-typed cells ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (0.985, "0.0%", "98.5%"),
        (0.9985, "0.00%", "99.85%"),
        (1, "0%", "100%"),
        (0.96, "0%", "96%"),
        (98.5, "General", "98.5"),
        (310, "General", "310"),
        (681.5307, "0.0000", "681.5307"),
        (0.1 + 0.2, "General", "0.3"),
        (dt.datetime(2022, 9, 30), "yyyy-mm-dd", "2022-09-30"),
        (dt.datetime(2022, 9, 30), 'yyyy"年"m"月"d"日"', "2022-09-30"),
        (dt.date(2022, 9, 30), "yyyy/m/d", "2022-09-30"),
        ("  ≥20场 ", "General", "≥20场"),
        ("=8个", "@", "=8个"),
        ("", "General", None),
        (None, "General", None),
    ],
)
def test_cell_text_reads_value_and_format_together(value, number_format, text):
    assert cell_text(value, number_format) == text


def _typed_workbook(seed_workbook: Path, tmp_path: Path) -> Path:
    """The seed workbook as an analyst edits it in Excel: rates typed as percents, numbers as
    numbers, one actual typed as a date and one as a percent cell."""
    book = openpyxl.load_workbook(seed_workbook)
    projects = book["projects"]
    headers = [c.value for c in projects[1]]
    rate_col = headers.index("执行率（%）") + 1
    for row in range(2, projects.max_row + 1):
        cell = projects.cell(row, rate_col)
        if cell.value is not None:
            cell.value = float(cell.value) / 100
            cell.number_format = "0.00%"
    indicators = book["indicators"]
    headers = [c.value for c in indicators[1]]
    actual_col = headers.index("实际完成值") + 1
    for row in range(2, indicators.max_row + 1):
        cell = indicators.cell(row, actual_col)
        if cell.value == "100%":
            cell.value = 1
            cell.number_format = "0%"
        elif cell.value == "99.8%":
            cell.value = 0.998
            cell.number_format = "0.0%"
    path = tmp_path / "typed.xlsx"
    book.save(path)
    return path


def test_excel_edited_workbook_scores_the_same_as_its_csv_twin(
    seed_result, seed_workbook, tmp_path
):
    typed = _typed_workbook(seed_workbook, tmp_path)
    result = score_dataset(load_dataset(typed))
    pd.testing.assert_series_equal(
        result.projects["score"], seed_result.projects["score"], check_names=False
    )
    pd.testing.assert_series_equal(
        result.indicators["score"], seed_result.indicators["score"], check_names=False
    )
    assert result.projects["stated_execution_rate_pct"].tolist() == pytest.approx(
        seed_result.projects["stated_execution_rate_pct"].tolist(), nan_ok=True
    )


def test_percent_cell_against_a_percent_target_is_met(tmp_path):
    project = sample_project()
    project.indicators[1] = FormIndicator(
        "产出指标", "质量指标", "合格率", "不低于90%", (0.96, "0%"), 10, 10
    )
    result = score_dataset(load_dataset(write_form_xlsx(tmp_path / "f.xlsx", [project])))
    row = result.indicators.set_index("name").loc["合格率"]
    assert (row["actual"], row["status"], row["score"]) == ("96%", "达成", 10.0)


def test_rate_percent_cell_is_a_percent_not_a_fraction(tmp_path):
    project = sample_project(
        rate=(0.9985, "0.00%"), budget=100, spent=99.85, fiscal=(100, 100, 99.85)
    )
    result = score_dataset(load_dataset(write_form_xlsx(tmp_path / "f.xlsx", [project])))
    (row,) = result.projects.itertuples()
    assert row.stated_execution_rate_pct == 99.85
    assert row.execution_score == 9.99  # 99.85 % of 10, half-up


def test_date_cell_after_the_deadline_is_unmet(tmp_path):
    project = sample_project()
    project.indicators[2] = FormIndicator(
        "产出指标", "时效指标", "完成时间", "2022年9月30日前", dt.datetime(2022, 11, 15), 10, 10
    )
    result = score_dataset(load_dataset(write_form_xlsx(tmp_path / "f.xlsx", [project])))
    row = result.indicators.set_index("name").loc["完成时间"]
    assert row["actual"] == "2022-11-15"
    assert row["status"] == "未达成"
    assert row["score"] < 10


# --- CSV encodings and malformed rows -----------------------------------------------------------


def test_gb18030_csv_is_read_and_the_note_says_so(seed_copy, seed_result):
    for name in ("projects.csv", "indicators.csv"):
        path = seed_copy / name
        path.write_bytes(path.read_text("utf-8").encode("gb18030"))
    dataset = load_dataset(seed_copy)
    assert any("GB18030" in w and "projects.csv" in w for w in dataset.warnings)
    assert score_dataset(dataset).projects["score"].tolist() == pytest.approx(
        seed_result.projects["score"].tolist(), nan_ok=True
    )


def test_excel_unicode_text_is_read_as_utf16_tab_separated(seed_copy, seed_result):
    """Excel's 另存为“Unicode 文本”: UTF-16 with a BOM, tabs between the fields."""
    import csv
    import io

    for name in ("projects.csv", "indicators.csv"):
        path = seed_copy / name
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
        out = io.StringIO(newline="")
        csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-16"))
    dataset = load_dataset(seed_copy)
    assert any("以制表符分隔" in w and "projects.csv" in w for w in dataset.warnings)
    assert score_dataset(dataset).projects["score"].tolist() == pytest.approx(
        seed_result.projects["score"].tolist(), nan_ok=True
    )


def test_utf8_bom_csv_is_read_silently(seed_copy):
    path = seed_copy / "projects.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_dataset(seed_copy).warnings == []


def test_unquoted_comma_is_a_row_error_not_a_traceback(seed_copy):
    path = seed_copy / "projects.csv"
    text = path.read_text("utf-8").replace("科学技术奖奖励项目", "科学技术奖,奖励项目", 1)
    path.write_text(text, "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(seed_copy)
    (problem,) = info.value.problems
    assert problem.file.endswith("projects.csv")
    assert problem.row == 2
    assert "引号" in problem.expected_zh


def test_undecodable_csv_names_the_file(seed_copy):
    (seed_copy / "indicators.csv").write_bytes(b"\xff\xfe\x00\xd8" * 3 + b"\x81")
    with pytest.raises(DatasetError) as info:
        load_dataset(seed_copy)
    assert any(p.file.endswith("indicators.csv") for p in info.value.problems)


# --- the standard form --------------------------------------------------------------------------


def test_form_one_project_per_sheet_and_stacked_read_the_same(tmp_path):
    projects = [sample_project(), sample_project(name="第二个项目", total=None)]
    per_sheet = load_dataset(write_form_xlsx(tmp_path / "a.xlsx", projects))
    stacked = load_dataset(write_form_xlsx(tmp_path / "b.xlsx", projects, stacked=True))
    columns = ["project_id", "level1", "level2", "name", "target", "actual", "weight"]
    pd.testing.assert_frame_equal(per_sheet.indicators[columns], stacked.indicators[columns])
    assert per_sheet.projects["name"].tolist() == ["农村实用技术培训项目", "第二个项目"]
    assert per_sheet.department.name == "某某县某某镇人民政府"
    assert per_sheet.fiscal_year == 2022
    assert per_sheet.indicators["level1"].unique().tolist() == ["产出", "效益", "满意度"]


def test_form_error_names_the_sheet_and_cell(tmp_path):
    project = sample_project()
    project.indicators[0] = FormIndicator(
        "产出指标", "数量指标", "培训人次", "≥200人次", "230人次", "二十", 20
    )
    with pytest.raises(DatasetError) as info:
        load_dataset(write_form_xlsx(tmp_path / "自评表.xlsx", [project]))
    (problem,) = info.value.problems
    assert str(problem).startswith("[自评表.xlsx 工作表「项目1」G13，列 weight] 值 “二十”")


def _stacked_with(tmp_path, old: str, new: str, occurrence: int) -> Path:
    """Two stacked projects with the ``occurrence``-th cell reading ``old`` retyped as ``new``."""
    path = write_form_xlsx(
        tmp_path / "自评表.xlsx",
        [sample_project(), sample_project(name="第二个项目", total=None)],
        stacked=True,
    )
    book = openpyxl.load_workbook(path)
    cells = [c for row in book.active.iter_rows() for c in row if c.value == old]
    cells[occurrence].value = new
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("old", "new", "occurrence", "where", "expected"),
    [
        # A misspelt header of the second project: before, the project was left out in silence.
        ("三级指标", "三级指桥", 1, "第 23 行", "这个项目的表中找不到指标表头"),
        ("一级指标", "一级指木", 1, "第 23 行", "这个项目的表中找不到指标表头"),
        # A misspelt 项目名称: its indicators went unread, or into the project above.
        ("项目名称", "项目名字", 1, "第 32 行", "这张指标表上方没有“项目名称”行"),
        ("项目名称", "项目名字", 0, "第 12 行", "这张指标表上方没有“项目名称”行"),
        # A misspelt value column: every row read as missing, blamed on the data.
        ("年度指标值", "年度指标", 0, "第 12 行", "指标表头中找不到“年度指标值”或“目标值”列"),
        ("实际完成值", "实际完成", 1, "第 32 行", "指标表头中找不到“实际完成值”列"),
    ],
)
def test_a_misspelt_form_label_is_an_error_naming_its_place(
    tmp_path, old, new, occurrence, where, expected
):
    path = _stacked_with(tmp_path, old, new, occurrence)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    (problem,) = info.value.problems
    assert expected in str(problem), str(problem)
    assert f"工作表「自评表」{where}" in str(problem), str(problem)


@pytest.mark.parametrize("merged", [False, True], ids=["two cells", "one merged cell"])
def test_an_achieved_goal_written_as_the_expected_one_is_kept(tmp_path, merged):
    """实际完成情况 in a cell of its own is read even when it repeats 预期目标 word for word;
    one merged cell across both columns is the goal alone."""
    project = sample_project(goal=("完成年度任务。", "完成年度任务。"))
    path = write_form_xlsx(tmp_path / "自评表.xlsx", [project])
    if merged:
        book = openpyxl.load_workbook(path)
        sheet = book.active
        sheet.unmerge_cells("B11:E11")
        sheet.unmerge_cells("F11:I11")
        sheet["F11"] = None
        sheet.merge_cells("B11:I11")
        book.save(path)
    projects = load_dataset(path).projects
    assert projects.loc[0, "goal_target"] == "完成年度任务。"
    if merged:
        assert "goal_actual" not in projects or pd.isna(projects.loc[0, "goal_actual"])
    else:
        assert projects.loc[0, "goal_actual"] == "完成年度任务。"


def test_a_footnote_naming_the_levels_is_not_a_header(tmp_path):
    path = _stacked_with(tmp_path, "三级指标", "三级指标", 0)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.cell(sheet.max_row + 2, 1, "注：1.一级指标分值统一设置，三级指标由单位自定。")
    book.save(path)
    assert len(load_dataset(path).projects) == 2


def test_form_sichuan_columns_compose_the_target(tmp_path):
    project = sample_project()
    project.indicators[0] = FormIndicator(
        "产出指标", "数量指标", "培训人次", 200, "230", 20, 20, direction="≥", unit="人次"
    )
    project.indicators[3] = FormIndicator(
        "产出指标", "成本指标", "人均培训成本", 500, "520", 10, 9.6, direction="≤", unit="元"
    )
    result = score_dataset(
        load_dataset(write_form_xlsx(tmp_path / "sc.xlsx", [project], sichuan=True))
    )
    rows = result.indicators.set_index("name")
    assert rows.loc["培训人次", "target"] == "≥200人次"
    assert rows.loc["人均培训成本", "target"] == "≤500元"
    assert rows.loc["人均培训成本", "score"] == 9.6  # 4 % over a ≤ target: 96 % of 10


def test_form_total_zero_is_recomputed_from_its_parts(tmp_path):
    project = sample_project(initial=0, budget=0, spent=0, rate=0, score=0, fiscal=(90, 90, 89.974))
    dataset = load_dataset(write_form_xlsx(tmp_path / "f.xlsx", [project]))
    (row,) = dataset.projects.itertuples()
    assert (row.budget_wan, row.spent_wan) == (90.0, 89.974)
    assert any("按其中各项合计" in w for w in dataset.warnings)


def test_execution_weight_and_published_weights_are_kept(tmp_path):
    indicators = [
        FormIndicator("产出指标", "数量指标", "甲", "≥10个", "10个", 40, 40),
        FormIndicator("效益指标", "社会效益指标", "乙", "显著提升", "无法说清", 30, 30),
        FormIndicator("满意度指标", "服务对象满意度指标", "丙", "≥90%", "95%", 10, 10),
    ]
    project = sample_project(
        indicators=indicators,
        weight=20,
        score=20,
        rate=(1, "0%"),
        spent=100,
        fiscal=(100, 100, 100),
    )
    result = score_dataset(load_dataset(write_form_xlsx(tmp_path / "f.xlsx", [project])))
    rows = result.indicators.set_index("name")
    assert rows["weight_used"].tolist() == [40.0, 30.0, 10.0]  # never rescaled
    assert pd.isna(rows.loc["乙", "score"])  # cannot be judged: left out, and said so
    (proj,) = result.projects.itertuples()
    assert proj.execution_weight == 20.0
    assert proj.score == 70.0  # 40 + 10 + execution 20; 乙's 30 points not counted
    (flags,) = narrative.write_project_flags(result.flags, 1)
    assert any("有分值但无法评分" in f and "乙（30 分）" in f for f in flags)
    assert any("自评得分与按规则计算的得分不同" in f for f in flags)


def test_folder_year_must_match_the_data(seed_dataset, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(seed_dataset.source, data / "2022" / "高新区科技局")
    with pytest.raises(DatasetError) as info:
        evaluate(2022, "高新区科技局", data)
    (problem,) = info.value.problems
    assert "2021" in problem.expected_zh and "2022" in problem.expected_zh
    with pytest.raises(DatasetError):
        evaluate_path(data / "2022" / "高新区科技局")


def test_category_typo_is_warned(seed_copy):
    path = seed_copy / "projects.csv"
    path.write_text(
        path.read_text("utf-8").replace("KJ02,科技创新发展", "KJ02,科技创新", 1), "utf-8"
    )
    warnings = load_dataset(seed_copy).warnings
    assert any("科技创新" in w and "科技创新发展" in w for w in warnings)


def test_workbook_round_trip_keeps_typed_numbers(seed_dataset, tmp_path):
    path = write_workbook(seed_dataset, tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["indicators"]
    assert sheet.freeze_panes == "A2"
    level1 = sheet.data_validations.dataValidation[0]
    assert level1.formula1 == '"产出,效益,满意度,成本,决策,过程"' and level1.showErrorMessage
    (category,) = book["projects"].data_validations.dataValidation
    assert category.formula1 == '"科技创新发展,科技金融,金融监管,生物医药"'
    assert [c.value for c in book["projects"][1]][:3] == ["项目编号", "项目类别", "项目名称"]


def test_the_dataset_is_parsed_once(seed_dataset, seed_result, monkeypatch):
    import helpers.scoring as scoring

    def refuse(*args, **kwargs):
        raise AssertionError("scoring parsed the texts again")

    monkeypatch.setattr(scoring, "_parse_coded", refuse)
    result = scoring.score_dataset(seed_dataset)
    pd.testing.assert_series_equal(result.projects["score"], seed_result.projects["score"])


def test_form_chongqing_adjusted_target_is_scored_where_given(tmp_path):
    project = sample_project()
    project.indicators[0] = FormIndicator(
        "产出指标",
        "数量指标",
        "培训人次",
        "≥200人次",
        "230人次",
        20,
        20,
        target_adjusted="≥250人次",
    )
    project.indicators[5] = FormIndicator(
        "满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%", "95%", 10, 10
    )
    path = write_form_xlsx(tmp_path / "cq.xlsx", [project], layout="chongqing")
    rows = score_dataset(load_dataset(path)).indicators.set_index("name")
    assert rows.loc["培训人次", "target"] == "≥250人次"  # the adjusted target
    assert rows.loc["培训人次", "score"] == 18.4  # 230 / 250 × 20
    assert rows.loc["参训人员满意度", "target"] == "≥90%"  # no adjustment: the initial one


def test_form_symbol_column_makes_a_bare_number_a_reverse_indicator(tmp_path):
    project = sample_project()
    project.indicators[3] = FormIndicator(
        "产出指标", "成本指标", "人均培训成本", "500元", "520元", 10, 10, direction="≤"
    )
    path = write_form_xlsx(tmp_path / "sym.xlsx", [project], layout="symbol")
    rows = score_dataset(load_dataset(path)).indicators.set_index("name")
    assert rows.loc["人均培训成本", "direction"] == "≤"
    assert rows.loc["人均培训成本", "score"] == 9.6  # 4 % over the ≤ 500 bound
    assert rows.loc["人均培训成本", "has_score_diff"]  # printed 10, rules 9.6


def test_docx_and_xls_forms_read_like_the_xlsx(tmp_path):
    from helpers.readers.grid import read_grids

    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
    docx = next(corpus.glob("04_*/*.docx"))
    xls = next(corpus.glob("09_*/*.xls"))
    assert read_grids(docx)[0].is_word_table
    assert load_dataset(xls).indicators["weight"].sum() == 100


def test_blank_weights_share_what_is_left_and_say_how_much(score_project):
    result = score_project(
        [
            {"name": "甲", "target": "≥4个", "actual": "4个", "weight": "40"},
            {"name": "乙", "target": "≥4个", "actual": "4个"},
            {"name": "丙", "level1": "满意度", "target": "≥90%", "actual": "95%"},
        ]
    )
    rows = result.indicators.set_index("name")["weight_used"]
    assert rows["甲"] == 40.0  # published: kept
    assert rows["乙"] + rows["丙"] == 50.0  # the rest of the 90 indicator points
    (flags,) = narrative.write_project_flags(result.flags, len(result.projects))
    (note,) = [f for f in flags if "未填写分值" in f]
    assert (
        note
        == f"2 项指标未填写分值，按模板分得剩余的 50 分：乙 {rows['乙']:g} 分、丙 {rows['丙']:g} 分"
    )
