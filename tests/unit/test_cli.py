"""The jixiao command line: validation errors, warnings and ``score --json``."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers.cli import main
from helpers.schema import canonical_column


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def column_index(sheet, name: str) -> int:
    """The 1-based column of ``name`` in a sheet whose headers may be Chinese (项目编号 …)."""
    return [canonical_column(str(cell.value)) for cell in sheet[1]].index(name) + 1


@dataclass(frozen=True)
class BrokenInput:
    """One way to break the seed, in the folder and in the workbook, and the expected problem."""

    id: str
    break_folder: object
    break_workbook: object
    file: str  # the folder file / the workbook sheet named in the message
    row: int | None
    column: str | None
    value: str | None
    zh: str
    en: str


def _missing_file(folder: Path) -> None:
    (folder / "indicators.csv").unlink()


def _missing_sheet(book) -> None:
    book.remove(book["indicators"])


def _missing_column(folder: Path) -> None:
    edit(folder / "projects.csv", "project_id,category,name,", "project_id,kind,name,")


def _missing_column_wb(book) -> None:
    sheet = book["projects"]
    sheet.delete_cols(column_index(sheet, "category"))


def _duplicate_id(folder: Path) -> None:
    edit(folder / "projects.csv", "KJ02,", "KJ01,")


def _duplicate_id_wb(book) -> None:
    book["projects"].cell(3, column_index(book["projects"], "project_id"), "KJ01")


def _orphan(folder: Path) -> None:
    edit(folder / "indicators.csv", "KJ03,产出", "KJ99,产出")


def _orphan_wb(book) -> None:
    book["indicators"].cell(7, column_index(book["indicators"], "project_id"), "KJ99")


def _amount(text: str):
    def break_folder(folder: Path) -> None:
        edit(folder / "projects.csv", "科学技术奖奖励项目,,310,", f"科学技术奖奖励项目,,{text},")

    def break_workbook(book) -> None:
        book["projects"].cell(2, column_index(book["projects"], "budget_wan"), text)

    return break_folder, break_workbook


def _weights(folder: Path) -> None:
    edit(folder / "indicators.csv", "认定获奖数量,4个,8个,,", "认定获奖数量,4个,8个,60,")
    edit(
        folder / "indicators.csv",
        "KJ01,满意度,服务对象满意度,服务对象满意度,,100%,,",
        "KJ01,满意度,服务对象满意度,服务对象满意度,,100%,20,",
    )


def _weights_wb(book) -> None:
    sheet = book["indicators"]
    sheet.cell(2, column_index(sheet, "weight"), 60)
    sheet.cell(3, column_index(sheet, "weight"), 20)


AMOUNT_ZH = "应为不小于 0 的金额（万元，最多 4 位小数，不带千分位逗号）"
AMOUNT_EN = "expected a non-negative amount in 万元 with at most 4 decimals"

BROKEN = [
    BrokenInput(
        "missing-file",
        _missing_file,
        _missing_sheet,
        "indicators",
        None,
        None,
        None,
        "找不到文件",
        "file not found",
    ),
    BrokenInput(
        "missing-column",
        _missing_column,
        _missing_column_wb,
        "projects",
        1,
        "category",
        None,
        "缺少此列",
        "the column is missing",
    ),
    BrokenInput(
        "duplicate-id",
        _duplicate_id,
        _duplicate_id_wb,
        "projects",
        3,
        "project_id",
        "KJ01",
        "项目编号必须唯一",
        "expected a unique project id",
    ),
    BrokenInput(
        "unknown-project",
        _orphan,
        _orphan_wb,
        "indicators",
        7,
        "project_id",
        "KJ99",
        "项目不存在于 projects 表",
        "no such project in the projects table",
    ),
    BrokenInput(
        "negative-amount",
        *_amount("-310"),
        "projects",
        2,
        "budget_wan",
        "-310",
        AMOUNT_ZH,
        AMOUNT_EN,
    ),
    BrokenInput(
        "non-numeric-amount",
        *_amount("三百"),
        "projects",
        2,
        "budget_wan",
        "三百",
        AMOUNT_ZH,
        AMOUNT_EN,
    ),
    BrokenInput(
        "five-decimals",
        *_amount("310.12345"),
        "projects",
        2,
        "budget_wan",
        "310.12345",
        AMOUNT_ZH,
        AMOUNT_EN,
    ),
    BrokenInput(
        "weight-total",
        _weights,
        _weights_wb,
        "indicators",
        2,
        "weight",
        "KJ01: 80",
        "项目指标分值合计加预算执行率 10 分应为 100 分（现为 90 分）",
        "the project's weights plus 10 for the execution rate must total 100 (they total 90)",
    ),
]

COMMANDS = [["validate"], ["score"], ["score", "--json"]]


def assert_one_problem(err: str, file: str, case: BrokenInput, sheet: str | None = None) -> None:
    """stderr lists exactly one problem: Chinese half first, English half after.

    With ``sheet``, a problem in a data row may name its cell (``工作表「projects」E3``).
    """
    assert err.startswith("数据校验失败，共 1 处问题 / validation failed with 1 problem(s): ")
    (line,) = [line for line in err.splitlines() if line.startswith("  - ")]
    zh, sep, en = line[4:].partition(" / [")
    assert sep, line
    en = "[" + en
    assert zh.startswith(f"[{file}")
    assert en.startswith(f"[{file}")
    if case.row is not None:
        cell = re.search(rf"工作表「{sheet}」[A-Z]+{case.row}[，\]]", zh) if sheet else None
        if cell is None:
            assert f"第 {case.row} 行" in zh
            assert f"row {case.row}" in en
        else:
            assert cell.group(0)[:-1] in en
    if case.column is not None:
        assert f"列 {case.column}" in zh
        assert f"column {case.column}" in en
    if case.value is not None:
        assert f"值 “{case.value}”：{case.zh}" in zh
        assert f'value "{case.value}": {case.en}' in en
    else:
        assert f"{case.zh}。" in zh
        assert f"{case.en}" in en
    assert case.en not in zh
    assert case.zh not in en


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.id)
def test_bad_folder_exits_2_naming_file_row_column_and_value(seed_copy, capsys, case, command):
    case.break_folder(seed_copy)
    assert main([*command, str(seed_copy)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_problem(err, str(seed_copy / f"{case.file}.csv"), case)


@pytest.fixture
def workbook_copy(seed_workbook, tmp_path) -> Path:
    return Path(shutil.copy(seed_workbook, tmp_path / "科技局.xlsx"))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.id)
def test_bad_workbook_exits_2_naming_sheet_row_column_and_value(
    workbook_copy, capsys, case, command
):
    book = openpyxl.load_workbook(workbook_copy)
    case.break_workbook(book)
    book.save(workbook_copy)
    assert main([*command, str(workbook_copy)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    if case.id == "missing-file":
        missing_sheet = BrokenInput(
            case.id, None, None, "", None, None, "indicators", "缺少工作表", "the sheet is missing"
        )
        assert_one_problem(err, str(workbook_copy), missing_sheet)
    else:
        assert_one_problem(err, "科技局.xlsx", case, sheet=case.file)


def test_missing_dataset_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "找不到数据集" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["validate", "score", "convert"])
@pytest.mark.parametrize("name", ["无.xls", "无.xlsx", "无.docx"])
def test_a_mistyped_table_file_is_not_found_not_an_internal_error(tmp_path, capsys, name, command):
    extra = ["-o", str(tmp_path / "out")] if command == "convert" else []
    assert main([command, str(tmp_path / name), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{name}] 找不到文件。" in err and "file not found" in err, err
    assert "内部错误" not in err and "Package not found" not in err


@pytest.mark.parametrize("command", ["validate", "score"])
def test_a_year_folder_given_as_a_dataset_says_what_to_give(tmp_path, capsys, command):
    year = tmp_path / "2022"
    (year / "某某镇").mkdir(parents=True)
    (year / "某某街道办事处.xlsx").write_bytes(b"")
    assert main([command, str(year)]) == 2
    err = capsys.readouterr().err
    assert "这是年度文件夹，不是一个单位的数据" in err and "jixiao score --year 2022" in err, err
    assert "未找到自评表" not in err


def test_every_problem_is_listed(seed_copy, capsys):
    _duplicate_id(seed_copy)
    _amount("-310")[0](seed_copy)
    assert main(["validate", str(seed_copy)]) == 2
    err = capsys.readouterr().err
    assert "共 2 处问题" in err
    assert err.count("\n  - ") == 2


# --- warnings are listed and not fatal --------------------------------------------------------


@pytest.fixture
def warned_copy(seed_copy) -> Path:
    edit(seed_copy / "projects.csv", "681.5307,681.5307,", "681.5307,700,")
    edit(seed_copy / "indicators.csv", "认定获奖数量,4个,8个", "认定获奖数量,高质量,8个")
    return seed_copy


@pytest.mark.parametrize("command", [["validate"], ["score"]], ids=" ".join)
def test_warnings_are_listed_and_not_fatal(warned_copy, capsys, command):
    assert main([*command, str(warned_copy)]) == 0
    out, err = capsys.readouterr()
    warnings = [line for line in err.splitlines() if line.startswith("警告 / warning: ")]
    assert len(warnings) == 2
    assert "projects.csv 第 11 行" in warnings[0]
    assert "700 万元超过预算 681.5307 万元" in warnings[0]
    assert "indicators.csv 第 2 行，列 target" in warnings[1]
    assert "高质量" in warnings[1]
    if command == ["validate"]:
        assert "校验通过 / valid: 高新区科技局 2021" in out
        assert "2 条警告 / warnings" in out


def test_score_json_carries_the_warnings(warned_copy, capsys):
    assert main(["score", "--json", str(warned_copy)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["warnings"]) == 2


def test_validate_seed(capsys):
    from helpers.paths import REPO_ROOT

    assert main(["validate", str(REPO_ROOT / "data" / "2021" / "高新区科技局")]) == 0
    out, err = capsys.readouterr()
    assert "20 个项目 / projects, 84 条指标 / indicators, 0 条警告 / warnings" in out
    assert err == ""


# --- score ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_json_output() -> str:
    import contextlib
    import io

    from helpers.paths import REPO_ROOT

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["score", "--json", str(REPO_ROOT / "data" / "2021" / "高新区科技局")])
    assert code == 0
    return buffer.getvalue()


def _reject_constant(name: str):
    raise AssertionError(f"invalid JSON constant {name}")


def test_score_json_is_one_valid_object(seed_json_output):
    doc = json.loads(seed_json_output, parse_constant=_reject_constant)
    assert isinstance(doc, dict)
    assert "NaN" not in seed_json_output
    assert "Infinity" not in seed_json_output


def test_score_json_keeps_chinese_unescaped(seed_json_output):
    assert "\\u" not in seed_json_output
    assert '"name": "高新区科技局"' in seed_json_output
    assert "金融风险防控专项经费项目" in seed_json_output


def test_score_json_department(seed_json_output):
    dept = json.loads(seed_json_output)["department"]
    assert dept["budget_wan"] == 39732
    assert dept["spent_wan"] == 39720
    assert dept["execution_rate_pct"] == 99.97
    assert dept["projects_budget_wan"] == 12432.6782


def test_score_json_projects(seed_json_output):
    projects = json.loads(seed_json_output)["projects"]
    assert len(projects) == 20
    for project in projects:
        for key in ("name", "category", "budget_wan", "execution_rate_pct", "score", "grade"):
            assert key in project, key
        assert isinstance(project["unmet"], list)
        assert isinstance(project["flags"], list)
        assert all(isinstance(flag, str) for flag in project["flags"])
    by_name = {p["name"]: p for p in projects}
    jg04 = by_name["金融风险防控专项经费项目"]
    assert jg04["category"] == "金融监管"
    assert jg04["budget_wan"] == 2.93
    assert jg04["execution_rate_pct"] == 100
    assert jg04["score"] == 92.5
    assert jg04["grade"] == "优"
    assert jg04["unmet"] == ["开展金融风险防控专题讲座数量"]
    assert "未完成指标：开展金融风险防控专题讲座数量" in jg04["flags"]
    kj10 = by_name["创新型孵化器建设扶持资金项目"]
    assert kj10["budget_wan"] == 681.5307
    assert kj10["unmet"] == ["引进港澳台项目数量"]
    jr01 = by_name["信息动态公示平台建设项目"]
    assert jr01["score"] is None
    assert jr01["grade"] is None
    assert jr01["execution_rate_pct"] is None


def test_score_table(capsys, monkeypatch):
    from helpers.paths import REPO_ROOT

    monkeypatch.setenv("COLUMNS", "250")
    assert main(["score", str(REPO_ROOT / "data" / "2021" / "高新区科技局")]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "金融风险防控专项经费项目" in line)
    assert "92.5" in row and "优" in row and "开展金融风险防控专题讲座数量" in row
    assert "全年预算 39732 万元，支出 39720 万元，执行率 99.97%" in out


def test_score_table_without_any_scored_project_says_so_plainly(seed_copy, capsys, monkeypatch):
    indicators = pd.read_csv(seed_copy / "indicators.csv", dtype=str, keep_default_na=False)
    indicators["actual"] = ""  # nothing can be scored
    indicators.to_csv(seed_copy / "indicators.csv", index=False)
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["score", str(seed_copy)]) == 0
    out = capsys.readouterr().out
    assert "平均得分 —" in out
    assert "None" not in out and "nan" not in out


def test_report_data_dir_from_the_command_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """--data-dir chooses the data root; a year without data there is one clear error."""
    from helpers import paths
    from helpers.params import load_run_params

    district = paths.REPO_ROOT / "data" / "district"
    params = load_run_params(None, year=2021, data_dir=str(district))
    assert params.data_dir == district
    assert len(params.departments) >= 5
    code = main(
        ["report", "--year", "2019", "--data-dir", str(district), "--output", str(tmp_path)]
    )
    assert code == 2
    assert "没有 2019 年度的数据" in capsys.readouterr().err


def test_score_tables_at_80_columns_never_split_a_number(capsys, monkeypatch):
    from helpers.paths import REPO_ROOT

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["score", str(REPO_ROOT / "data" / "2021" / "高新区科技局")]) == 0
    seed = capsys.readouterr().out
    district = REPO_ROOT / "data" / "district"
    main(["score", "--year", "2021", "--data-dir", str(district)])
    year = capsys.readouterr().out
    from rich.cells import cell_len  # a Chinese character takes two columns

    assert max(map(cell_len, (seed + year).splitlines())) <= 80
    for number in ("3270", "681.5307", "92.5"):
        assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", seed), number
    for number in ("6787.5694", "1349.4865", "99.55", "85.4%"):
        assert number in year, number


@pytest.mark.parametrize("width", ["50", "60", "79"])
def test_score_tables_on_a_narrow_terminal_fold_and_never_cut(capsys, monkeypatch, width):
    from helpers.paths import REPO_ROOT

    monkeypatch.setenv("COLUMNS", width)
    main(["score", "--year", "2021", "--data-dir", str(REPO_ROOT / "data" / "district")])
    out = capsys.readouterr().out
    assert "…" not in out  # Rich's ellipsis: a cut value
    assert "苇塘" in out and "6787" in out
