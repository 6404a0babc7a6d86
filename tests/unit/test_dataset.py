"""helpers.dataset: loading, validation problems, warnings and the workbook layout."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers.dataset import DatasetError, Problem, load_dataset, write_workbook


def problems_of(folder) -> list[Problem]:
    with pytest.raises(DatasetError) as info:
        load_dataset(folder)
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return info.value.problems


def edit(path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


# --- the loaded tables ------------------------------------------------------------------------


def test_seed_loads_typed(seed_dataset):
    ds = seed_dataset
    assert ds.fiscal_year == 2021
    assert ds.department.name == "高新区科技局"
    assert ds.department.display_name == "科技局"
    assert ds.department.budget_wan == 39732.0
    for col in ("initial_budget_wan", "budget_wan", "spent_wan", "stated_execution_rate_pct"):
        assert ds.projects[col].dtype == "float64", col
    assert ds.indicators["weight"].dtype == "float64"
    assert ds.warnings == []
    kj10 = ds.projects.set_index("project_id").loc["KJ10"]
    assert kj10["budget_wan"] == 681.5307
    assert kj10["spent_wan"] == 681.5307


def test_line_column_is_the_csv_line_number(seed_dataset):
    assert seed_dataset.projects["line"].tolist() == list(range(2, 22))
    assert seed_dataset.indicators["line"].tolist() == list(range(2, 86))
    jg04_reason = seed_dataset.indicators.set_index("line").loc[71]
    assert jg04_reason["project_id"] == "JG04"
    assert jg04_reason["deviation_reason"] == "受疫情影响"


def test_department_heading_defaults(seed_dataset):
    assert seed_dataset.department.heading_for("科技金融") == "科技金融工作方面"
    assert seed_dataset.department.heading_for("其他") == "其他方面"


# --- problems ---------------------------------------------------------------------------------


def test_problem_text_is_chinese_then_english():
    problem = Problem("projects.csv", 3, "budget_wan", "-3", "应为金额", "expected an amount")
    assert str(problem) == (
        "[projects.csv 第 3 行，列 budget_wan] 值 “-3”：应为金额。 / "
        '[projects.csv row 3, column budget_wan] value "-3": expected an amount.'
    )
    bare = Problem("x.csv", None, None, None, "找不到文件", "file not found")
    assert str(bare) == "[x.csv] 找不到文件。 / [x.csv] file not found."


def test_dataset_not_found(tmp_path):
    (problem,) = problems_of(tmp_path / "nothing")
    assert problem.expected_en == "dataset not found"


def test_every_missing_file_is_listed(tmp_path):
    (tmp_path / "empty").mkdir()
    problems = problems_of(tmp_path / "empty")
    assert sorted(p.file.rsplit("/", 1)[-1] for p in problems) == [
        "department.yaml",
        "indicators.csv",
        "projects.csv",
    ]
    assert {p.expected_zh for p in problems} == {"找不到文件"}


def test_all_table_problems_are_collected_and_sorted(seed_copy):
    edit(seed_copy / "projects.csv", ",,3270,", ",,3270.12345,")
    edit(seed_copy / "projects.csv", ",,310,", ",,-310,")
    edit(
        seed_copy / "projects.csv",
        "KJ05,科技创新发展,科技创新平台资助项目",
        "KJ05,,科技创新平台资助项目",
    )
    problems = problems_of(seed_copy)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "budget_wan", "-310"),
        (4, "budget_wan", "3270.12345"),
        (6, "category", None),
    ]
    assert all(p.file.endswith("projects.csv") for p in problems)


@pytest.mark.parametrize("amount", ["0", "310", "2.0083", "681.5307", "12432.6782"])
def test_valid_amounts(make_dataset, amount):
    ds = make_dataset([{"budget_wan": amount, "spent_wan": amount}], [{"target": "1个"}])
    assert ds.projects["budget_wan"].iloc[0] == float(amount)


@pytest.mark.parametrize(
    ("written", "value"), [("150万", 150.0), ("125.25万元", 125.25), ("３１０", 310.0)]
)
def test_amounts_as_printed_in_real_tables(make_dataset, written, value):
    department = "name: 某某镇\nfiscal_year: 2022\nbudget_wan: 1000\nspent_wan: 900\n"
    ds = make_dataset(
        [{"budget_wan": written, "spent_wan": written}], [{"target": "1个"}], department=department
    )
    assert ds.projects["budget_wan"].iloc[0] == value
    assert all("３１０" in w for w in ds.warnings) if written == "３１０" else ds.warnings == []


def test_a_unit_budget_below_its_projects_budgets_is_a_warning(make_dataset):
    department = "name: 某某中学\nfiscal_year: 2022\nbudget_wan: 50\nspent_wan: 40\n"
    ds = make_dataset(
        [{"budget_wan": "1289.5", "spent_wan": "1200"}], [{"target": "1个"}], department=department
    )
    assert any("单位全年预算 50 万元小于其项目预算合计 1289.5 万元" in w for w in ds.warnings), (
        ds.warnings
    )


@pytest.mark.parametrize(
    "amount", ["-3", "1,234.5", "12.34567", "三百", "1e3", "12.", ".5", "100元", "NaN"]
)
def test_invalid_amounts_name_the_exact_text(write_folder, amount):
    folder = write_folder([{"initial_budget_wan": amount}], [{"target": "1个"}])
    (problem,) = problems_of(folder)
    assert (problem.row, problem.column, problem.value) == (2, "initial_budget_wan", amount)
    assert "最多 4 位小数" in problem.expected_zh
    assert "at most 4 decimals" in problem.expected_en


@pytest.mark.parametrize(
    ("column", "value", "expected_en"),
    [
        ("stated_execution_rate_pct", "-1", "expected a non-negative percentage (98.5 or 98.5%)"),
        ("stated_score", "-1", "expected a non-negative total score"),
    ],
)
def test_project_number_ranges(write_folder, column, value, expected_en):
    folder = write_folder([{column: value}], [{"target": "1个"}])
    (problem,) = problems_of(folder)
    assert (problem.row, problem.column, problem.value) == (2, column, value)
    assert problem.expected_en == expected_en


@pytest.mark.parametrize(
    ("row", "column", "value", "expected_en"),
    [
        ({"level1": "产出", "level2": "效率"}, "level2", "效率", "expected one of 数量"),
        ({"weight": "120"}, "weight", "120", "expected a weight from 0 to 100"),
        ({"weight": "十"}, "weight", "十", "expected a weight from 0 to 100"),
        ({"name": " "}, "name", None, "must not be empty"),
    ],
)
def test_indicator_cell_problems(write_folder, row, column, value, expected_en):
    folder = write_folder([{}], [{"target": "1个", **row}])
    problems = problems_of(folder)
    assert any(
        (p.row, p.column, p.value) == (2, column, value) and p.expected_en.startswith(expected_en)
        for p in problems
    ), [str(p) for p in problems]


def test_printed_level_labels_are_read(make_dataset):
    ds = make_dataset(
        [{}],
        [
            {"level1": "产出指标", "level2": "进度指标", "target": "1个"},
            {"level1": "满意度指标", "level2": "满意度指标", "target": "1个"},
            {"level1": "成本指标", "level2": "经济成本指标", "target": "1个"},
        ],
    )
    assert ds.indicators[["level1", "level2"]].values.tolist() == [
        ["产出", "时效"],
        ["满意度", "服务对象满意度"],
        ["成本", "经济成本"],
    ]


def test_invalid_level1(write_folder):
    folder = write_folder([{}], [{"level1": "产出类", "target": "1个"}])
    (problem,) = problems_of(folder)
    assert (problem.row, problem.column, problem.value) == (2, "level1", "产出类")
    assert problem.expected_zh == "应为 产出 / 效益 / 满意度 / 成本 / 决策 / 过程 之一"


@pytest.mark.parametrize(
    ("old", "new", "column", "value", "expected_zh"),
    [
        (
            "budget_wan: 39732",
            "budget_wan: 39732.1234567",
            "budget_wan",
            39732.1234567,
            "最多 4 位小数",
        ),
        ("budget_wan: 39732", "budget_wan: -1", "budget_wan", -1, "不小于 0"),
        ("fiscal_year: 2021", "fiscal_year: 1999", "fiscal_year", 1999, "不符合要求"),
        ("name: 高新区科技局\n", "", "name", None, "缺少此字段"),
        (
            "signer: 高新区科技局\n",
            "signer: 高新区科技局\nsigner2: x\n",
            "signer2",
            "x",
            "未知字段",
        ),
    ],
)
def test_department_problems(seed_copy, old, new, column, value, expected_zh):
    edit(seed_copy / "department.yaml", old, new)
    (problem,) = problems_of(seed_copy)
    assert problem.file.endswith("department.yaml")
    assert problem.column == column
    assert problem.value == value
    assert expected_zh in problem.expected_zh


def test_invalid_yaml(seed_copy):
    (seed_copy / "department.yaml").write_text("name: [unclosed\n", "utf-8")
    (problem,) = problems_of(seed_copy)
    assert problem.expected_en.startswith("invalid YAML (")
    assert problem.row == 2  # where the parser gave up


def test_duplicate_yaml_key_is_an_error_naming_both_lines(seed_copy):
    path = seed_copy / "department.yaml"
    path.write_text(path.read_text("utf-8") + "\nname: 别的局\n", "utf-8")
    (problem,) = problems_of(seed_copy)
    assert "键“name”重复（第 1 行已有）" in problem.expected_zh
    assert problem.row is not None and problem.row > 1


def test_nested_yaml_aliases_are_refused_quickly(seed_copy):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(12)
    )
    (seed_copy / "department.yaml").write_text(bomb, "utf-8")
    (problem,) = problems_of(seed_copy)
    assert "别名" in problem.expected_zh


# --- weights ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("weights", "ok"), [(("60", "30"), True), (("60", "20"), False)])
def test_all_explicit_weights_must_total_90(make_dataset, weights, ok):
    indicators = [
        {"target": "1个", "actual": "1个", "weight": weights[0]},
        {"level1": "满意度", "target": "90%", "actual": "95%", "weight": weights[1]},
    ]
    if ok:
        make_dataset([{}], indicators)
        return
    with pytest.raises(DatasetError) as info:
        make_dataset([{}], indicators)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "weight", "P1: 80")
    assert "现为 90 分" in problem.expected_zh


def test_partial_explicit_weights_may_not_exceed_90(make_dataset):
    with pytest.raises(DatasetError) as info:
        make_dataset(
            [{}],
            [
                {"target": "1个", "actual": "1个", "weight": "95"},
                {"level1": "满意度", "target": "90%", "actual": "95%"},
            ],
        )
    assert info.value.problems[0].value == "P1: 95"


def test_weight_check_follows_the_execution_weight(write_folder):
    folder = write_folder([{}], [{"target": "1个", "actual": "1个", "weight": "80"}])
    assert load_dataset(folder, execution_weight=20.0).indicators["weight"].tolist() == [80.0]
    with pytest.raises(DatasetError):
        load_dataset(folder)


# --- warnings ---------------------------------------------------------------------------------


def test_spending_above_budget_is_a_warning_with_exact_amounts(seed_copy):
    edit(seed_copy / "projects.csv", "681.5307,681.5307,", "681.5307,700.0001,")
    ds = load_dataset(seed_copy)
    (warning,) = ds.warnings
    assert "projects.csv 第 11 行" in warning
    assert "创新型孵化器建设扶持资金项目" in warning
    assert "700.0001 万元超过预算 681.5307 万元" in warning
    assert "spending exceeds the budget" in warning


def test_department_spending_above_budget_is_a_warning(seed_copy):
    edit(seed_copy / "department.yaml", "spent_wan: 39720", "spent_wan: 39732.5")
    (warning,) = load_dataset(seed_copy).warnings
    assert "department.yaml" in warning
    assert "39732.5 万元超过预算 39732 万元" in warning


def test_unparseable_value_is_a_warning_naming_file_row_and_column(seed_copy):
    edit(
        seed_copy / "indicators.csv",
        "KJ03,产出,数量,认定高新技术企业数量,300家,381家",
        "KJ03,产出,数量,认定高新技术企业数量,300家,高质量",
    )
    (warning,) = load_dataset(seed_copy).warnings
    assert "indicators.csv 第 7 行，列 actual" in warning
    assert "“高质量”" in warning
    assert "row 7, column actual" in warning


# --- workbook ---------------------------------------------------------------------------------


def test_workbook_round_trip_gives_identical_tables(seed_dataset, seed_workbook):
    again = load_dataset(seed_workbook)
    assert again.department == seed_dataset.department
    where = ["source_location", "_cells"]
    pd.testing.assert_frame_equal(
        again.projects.drop(columns=where), seed_dataset.projects.drop(columns=where)
    )
    pd.testing.assert_frame_equal(
        again.indicators.drop(columns=where), seed_dataset.indicators.drop(columns=where)
    )
    assert again.projects["source_location"].iloc[0] == "高新区科技局.xlsx[projects] 第 2 行"
    assert (
        again.projects["_cells"].iloc[0]["budget_wan"] == "高新区科技局.xlsx 工作表「projects」D2"
    )
    assert again.warnings == []


def test_workbook_stores_amounts_as_exact_numbers(seed_workbook):
    sheet = openpyxl.load_workbook(seed_workbook, read_only=True)["projects"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    budgets = [row[header.index("全年预算数（万元）")] for row in rows]
    assert 681.5307 in budgets
    assert 2.0083 in budgets
    assert 310 in budgets
    assert all(isinstance(b, (int, float)) for b in budgets if b is not None)


def test_workbook_department_sheet_uses_dotted_fields(seed_workbook):
    sheet = openpyxl.load_workbook(seed_workbook, read_only=True)["department"]
    fields = dict(sheet.iter_rows(min_row=2, values_only=True))
    assert fields["name"] == "高新区科技局"
    assert fields["categories.1.name"] == "科技金融"
    assert fields["basis_documents.1.number"] == "石高财绩〔2022〕1号"
    assert fields["sections.conclusion"] == "年初既定绩效目标基本完成"


def test_workbook_without_field_value_columns(seed_workbook, tmp_path):
    broken = tmp_path / "broken.xlsx"
    book = openpyxl.load_workbook(seed_workbook)
    book["department"]["A1"] = "key"
    book.save(broken)
    (problem,) = problems_of(broken)
    assert problem.file == "broken.xlsx[department]"
    assert problem.expected_en == "expected the columns field and value"


def test_unreadable_workbook(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    (problem,) = problems_of(bad)
    assert problem.expected_en == "cannot read the workbook"


def test_write_workbook_returns_the_path(seed_dataset, tmp_path):
    target = tmp_path / "out.xlsx"
    assert write_workbook(seed_dataset, target) == target
    assert openpyxl.load_workbook(target, read_only=True).sheetnames == [
        "department",
        "projects",
        "indicators",
    ]


def test_impossible_date_in_department_file_is_an_error(seed_copy):
    edit(seed_copy / "department.yaml", "report_date: 2021-04-29", "report_date: 2021-02-30")
    (problem,) = problems_of(seed_copy)
    assert problem.expected_zh.startswith("日期“2021-02-30”不存在")
    assert problem.row == 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [("科学\x1b[2J技术", "含有控制字符"), ("科" * 6000, "文本超过 5000 字")],
)
def test_control_characters_and_huge_text_are_refused_naming_the_cell(write_folder, text, expected):
    folder = write_folder([{}], [{"target": "1个", "deviation_reason": text}])
    (problem,) = problems_of(folder)
    assert (problem.row, problem.column) == (2, "deviation_reason")
    assert expected in problem.expected_zh
    assert "\x1b" not in str(problem)


def test_zero_width_characters_are_dropped_and_said(make_dataset):
    ds = make_dataset([{}], [{"name": "培训\u200b人次", "target": "1个"}])
    assert ds.indicators["name"].iloc[0] == "培训人次"
    assert any("零宽字符" in w for w in ds.warnings)


def test_a_dataset_without_projects_is_an_error(seed_copy):
    (seed_copy / "projects.csv").write_text(
        (seed_copy / "projects.csv").read_text("utf-8").splitlines()[0] + "\n", "utf-8"
    )
    (seed_copy / "indicators.csv").write_text(
        (seed_copy / "indicators.csv").read_text("utf-8").splitlines()[0] + "\n", "utf-8"
    )
    (problem,) = problems_of(seed_copy)
    assert problem.expected_zh == "没有任何项目"


def test_oversized_csv_is_refused_before_reading(seed_copy, monkeypatch):
    import helpers.readers.limits as limits

    monkeypatch.setattr(limits, "MAX_TABLE_BYTES", 1000)
    monkeypatch.setattr(limits.check_file_size, "__defaults__", (1000,))
    problems = problems_of(seed_copy)
    assert any("超过上限" in p.expected_zh for p in problems)


def test_workbook_that_unpacks_too_large_is_refused(seed_workbook, monkeypatch):
    import helpers.readers.limits as limits

    monkeypatch.setattr(limits.check_zip_size, "__defaults__", (1000,))
    (problem,) = problems_of(seed_workbook)
    assert "解压后" in problem.expected_zh


def test_cells_as_text_are_what_astype_str_gives() -> None:
    """The validator's text view of a table: built directly, equal to the pandas route."""
    import numpy as np

    from helpers.dataset import _as_text

    frame = pd.DataFrame(
        {
            "text": ["x", None, np.nan, "y"],
            "mixed": [1.5, None, "z", 3],
            "empty": [None] * 4,
            "str": pd.Series(["p", None, "q", "r"], dtype="str"),
            "na": [pd.NA, "k", "l", "m"],
            "date": [pd.Timestamp("2021-12-31"), None, "2022年", 7],
        }
    )
    cells = frame.astype(object)
    cells = cells.where(cells.notna(), None)
    expected = cells.astype("str").where(cells.notna(), None)
    pd.testing.assert_frame_equal(_as_text(frame), expected)


@pytest.mark.parametrize(
    "texts",
    [
        ["0", "100", "100.0", "99.9999", "1000", "1000.5", "-1", "1e2", " 5", "5 ", "", "abc"],
        ["0.", ".5", "12345678901234", "007", "50", "100.000000000001", "１０", "٣", "1,000"],
        ["  ", "\t", "\u3000", "科技局", " a ", "x\n", "\u00a0"],
    ],
)
def test_the_quick_checks_answer_as_the_pandera_checks(texts: list[str]) -> None:
    """Each schema check's one-text test (the loader's fast path) agrees with the check."""
    from helpers.schema import FORM_PROJECTS_SCHEMA, INDICATORS_SCHEMA, PROJECTS_SCHEMA

    series = pd.Series(texts, dtype="str")
    checked = 0
    for schema in (PROJECTS_SCHEMA, INDICATORS_SCHEMA, FORM_PROJECTS_SCHEMA):
        for column in schema.columns.values():
            for check in column.checks:
                quick = getattr(check, "quick", None)
                if quick is None:
                    continue
                by_pandera = check(series).check_output.tolist()
                assert [quick(t) for t in texts] == by_pandera, (column.name, check.error)
                checked += 1
    assert checked >= 8


@pytest.mark.parametrize("layout", ["folder", "workbook"])
def test_a_dataset_without_any_actual_yet_converts_and_reads_back(seed_dataset, tmp_path, layout):
    """Required columns are written even when every cell is blank (targets set, no actuals)."""
    import dataclasses

    from helpers.writers.folder import write_tables_folder

    draft = dataclasses.replace(
        seed_dataset, indicators=seed_dataset.indicators.assign(actual=None)
    )
    if layout == "folder":
        written = write_tables_folder(draft, tmp_path / "草稿局")
    else:
        written = write_workbook(draft, tmp_path / "草稿局.xlsx")
    back = load_dataset(written)
    assert back.indicators["actual"].isna().all()
    assert (
        back.indicators["target"].notna().sum() == seed_dataset.indicators["target"].notna().sum()
    )


@pytest.mark.parametrize("written", ["1，234", "６８x", "12万元x"])
def test_a_refused_number_is_quoted_as_written_not_as_folded(seed_dataset, tmp_path, written):
    import shutil

    from helpers.paths import REPO_ROOT

    folder = Path(shutil.copytree(REPO_ROOT / "data" / "2021" / "高新区科技局", tmp_path / "局"))
    projects = folder / "projects.csv"
    projects.write_text(projects.read_text("utf-8-sig").replace("681.5307", written, 1), "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(folder)
    (problem,) = [p for p in info.value.problems if p.column == "budget_wan"]
    assert problem.value == written


def test_a_misspelt_required_header_is_named_in_the_problem(tmp_path):
    import shutil

    from helpers.paths import REPO_ROOT

    folder = Path(shutil.copytree(REPO_ROOT / "data" / "2021" / "高新区科技局", tmp_path / "局"))
    indicators = folder / "indicators.csv"
    lines = indicators.read_text("utf-8-sig").splitlines(keepends=True)
    indicators.write_text(lines[0].replace("target", "targt") + "".join(lines[1:]), "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(folder)
    (problem,) = info.value.problems
    assert problem.column == "target" and "表中有“targt”，是否应为“target”？" in str(problem)


def _retitled(seed_copy: Path, old: str, new: str) -> Path:
    """The seed with one projects.csv header written another way."""
    path = seed_copy / "projects.csv"
    header, rest = path.read_text("utf-8").split("\n", 1)
    names = header.split(",")
    names[names.index(old)] = new
    path.write_text(",".join(names) + "\n" + rest, "utf-8")
    return seed_copy


@pytest.mark.parametrize(
    ("old", "new", "meant"),
    [
        ("budget_wan", "budget_wn", "budget_wan"),
        ("budget_wan", "全年预算书（万元）", "全年预算数（万元）"),
        ("budget_wan", "全年预算(万元)", "全年预算数（万元）"),
        ("spent_wan", "全年执行（万元）", "全年执行数（万元）"),
    ],
)
def test_a_misspelt_optional_header_is_an_error_naming_the_header_meant(seed_copy, old, new, meant):
    """An optional column misspelt was ignored with a warning: every project went unscored."""
    with pytest.raises(DatasetError) as info:
        load_dataset(_retitled(seed_copy, old, new))
    (problem,) = info.value.problems
    assert f"是否应为“{meant}”？（不改正，这一列的数据会被忽略）" in str(problem), str(problem)
    assert problem.row == 1 and problem.file.endswith("projects.csv")


def test_a_misspelt_required_header_in_chinese_names_the_chinese_header(seed_copy):
    with pytest.raises(DatasetError) as info:
        load_dataset(_retitled(seed_copy, "name", "项目名"))
    (problem,) = info.value.problems
    assert "缺少此列（表中有“项目名”，是否应为“项目名称”？）" in str(problem), str(problem)


def test_a_column_only_like_a_known_one_stays_a_warning(seed_copy):
    """A column of the analyst's own (备注说明, 执行进度) is ignored with a hint, never refused."""
    dataset = load_dataset(_retitled(seed_copy, "note", "执行进度"))
    assert any("未知列“执行进度”已忽略" in w for w in dataset.warnings)


@pytest.mark.parametrize(
    ("yaml_tail", "key", "meant"),
    [
        ("sections:\n  next_step: 明年继续\n", "sections.next_step", "next_steps"),
        ("sectons:\n  next_steps: 明年继续\n", "sectons", "sections"),
        ("budget_wn: 100\n", "budget_wn", "budget_wan"),
    ],
)
def test_a_misspelt_yaml_key_names_the_key_meant(seed_copy, yaml_tail, key, meant):
    path = seed_copy / "department.yaml"
    head = "name: 某某镇\nfiscal_year: 2021\nbudget_wan: 40000\nspent_wan: 39000\n"
    path.write_text(head + yaml_tail, "utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(seed_copy)
    (problem,) = [p for p in info.value.problems if p.column == key]
    assert f"未知字段，是否应为“{meant}”？" in str(problem), str(problem)
