"""The score document (``jixiao score --json``), its tidy tables and the CSV / Excel exports."""

from __future__ import annotations

import json
import math
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from helpers import paths, score_export
from helpers.cli import build_score_json, main
from helpers.paths import REPO_ROOT
from helpers.score_export import (
    build_score_document,
    dumps_score_document,
    neutralise,
    plain,
    score_tables,
    write_scores_csv,
    write_scores_xlsx,
)
from helpers.scoring import score_dataset

SEED = REPO_ROOT / "data" / "2021" / "高新区科技局"
DOC = REPO_ROOT / "docs" / "score-json.md"

# The contract, written out here rather than imported: changing the module alone fails these.
TOP_KEYS = ["schema", "department", "categories", "projects", "warnings"]
DEPARTMENT_TYPES = {
    "name": str,
    "fiscal_year": int,
    "budget_wan": (int, float),
    "spent_wan": (int, float),
    "execution_rate_pct": (int, float, type(None)),
    "stated_execution_rate_pct": (int, float, type(None)),
    "projects_budget_wan": (int, float),
    "n_projects": int,
    "n_categories": int,
    "n_indicators": int,
    "n_met": int,
    "n_near_met": int,
    "n_unmet": int,
    "n_not_scored": int,
    "n_scored_projects": int,
    "mean_score": (int, float, type(None)),
    "mean_grade": (str, type(None)),
    "grade_counts": dict,
    "n_flagged_projects": int,
}
CATEGORY_TYPES = {
    "category": str,
    "n_projects": int,
    "budget_wan": (int, float, type(None)),
    "n_indicators": int,
    "n_met": int,
    "n_unmet": int,
    "mean_score": (int, float, type(None)),
}
NUMBER_OR_NULL = (int, float, type(None))
PROJECT_TYPES = {
    "project_id": str,
    "name": str,
    "category": str,
    "budget_wan": NUMBER_OR_NULL,
    "spent_wan": NUMBER_OR_NULL,
    "execution_rate_pct": NUMBER_OR_NULL,
    "execution_score": NUMBER_OR_NULL,
    "execution": dict,
    "indicator_score": NUMBER_OR_NULL,
    "score": NUMBER_OR_NULL,
    "stated_score": NUMBER_OR_NULL,
    "grade": (str, type(None)),
    "n_indicators": int,
    "n_scored": int,
    "n_met": int,
    "n_near_met": int,
    "n_unmet": int,
    "unmet": list,
    "near_met": list,
    "flags": list,
    "level_notes": list,
    "indicators": list,
}
EXECUTION_TYPES = {
    "rate_pct": NUMBER_OR_NULL,
    "weight": (int, float),
    "score": NUMBER_OR_NULL,
    "stated_score": NUMBER_OR_NULL,
}
INDICATOR_TYPES = {
    "level1": str,
    "level2": (str, type(None)),
    "name": str,
    "target": (str, type(None)),
    "actual": (str, type(None)),
    "weight": NUMBER_OR_NULL,
    "weight_used": (int, float),
    "score": NUMBER_OR_NULL,
    "status": str,
    "stated_score": NUMBER_OR_NULL,
    "score_diff": NUMBER_OR_NULL,
    "deviation_reason": (str, type(None)),
    "source": (str, type(None)),
}
# What the first ``score --json`` printed per project: kept, whatever else is added.
FIRST_VERSION_PROJECT_KEYS = (
    "project_id",
    "name",
    "category",
    "budget_wan",
    "spent_wan",
    "execution_rate_pct",
    "execution_score",
    "indicator_score",
    "score",
    "grade",
    "stated_score",
    "n_indicators",
    "n_met",
    "n_near_met",
    "n_unmet",
    "unmet",
    "near_met",
    "flags",
    "level_notes",
)
PROJECT_HEADERS = [
    "项目编号",
    "项目名称",
    "项目类别",
    "全年预算数（万元）",
    "全年执行数（万元）",
    "预算执行率（%）",
    "执行率分值",
    "执行率得分",
    "执行率得分（自评）",
    "指标得分",
    "总分",
    "总分（自评）",
    "等级",
    "指标数",
    "可评分指标数",
    "达成",
    "基本达成",
    "未达成",
    "问题提示",
    "分值说明",
]
INDICATOR_HEADERS = [
    "项目编号",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "计分分值",
    "得分",
    "完成情况",
    "得分（自评）",
    "得分差（按规则−自评）",
    "偏差原因分析及改进措施",
    "数据位置",
]
PROJECT_TEXT = {"项目编号", "项目名称", "项目类别", "等级", "问题提示", "分值说明"}
INDICATOR_TEXT = {
    "项目编号",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "完成情况",
    "偏差原因分析及改进措施",
    "数据位置",
}
INJECTION = '=HYPERLINK("http://x","y")'


def _reject_constant(name: str):
    raise AssertionError(f"invalid JSON constant {name}")


def strict_loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


@pytest.fixture(scope="module")
def seed_document(seed_result) -> dict[str, Any]:
    return build_score_document(seed_result)


def assert_types(obj: dict[str, Any], types: dict[str, Any], where: str) -> None:
    assert list(obj) == list(types), where
    for key, expected in types.items():
        assert isinstance(obj[key], expected), f"{where}.{key} = {obj[key]!r}"
        assert not isinstance(obj[key], bool) or expected is bool, f"{where}.{key} is a bool"


# --- the JSON document ------------------------------------------------------------------------


def test_document_shape(seed_document):
    doc = seed_document
    assert list(doc) == TOP_KEYS
    assert doc["schema"] == "jixiao.score/1"
    assert_types(doc["department"], DEPARTMENT_TYPES, "department")
    assert doc["department"]["grade_counts"] == {"优": 17, "良": 0, "中": 1, "差": 0}
    assert len(doc["categories"]) == 4
    for category in doc["categories"]:
        assert_types(category, CATEGORY_TYPES, "category")
    assert len(doc["projects"]) == 20
    n_indicators = 0
    for project in doc["projects"]:
        where = project["project_id"]
        assert_types(project, PROJECT_TYPES, where)
        assert_types(project["execution"], EXECUTION_TYPES, f"{where}.execution")
        for key in ("unmet", "near_met", "flags", "level_notes"):
            assert all(isinstance(item, str) for item in project[key]), (where, key)
        assert len(project["indicators"]) == project["n_indicators"]
        for indicator in project["indicators"]:
            assert_types(indicator, INDICATOR_TYPES, f"{where}.indicators")
            assert indicator["status"] in {"达成", "基本达成", "未达成", "未评价"}
        n_indicators += len(project["indicators"])
    assert n_indicators == doc["department"]["n_indicators"] == 84
    assert all(isinstance(w, str) for w in doc["warnings"])


def test_document_keeps_every_key_of_the_first_version(seed_document):
    for project in seed_document["projects"]:
        assert set(FIRST_VERSION_PROJECT_KEYS) <= set(project)
        assert project["execution_rate_pct"] == project["execution"]["rate_pct"]
        assert project["execution_score"] == project["execution"]["score"]


def test_cli_alias_is_the_document(seed_result, seed_document):
    assert build_score_json(seed_result) == seed_document


def test_indicator_scores_sum_to_the_project_indicator_score(seed_document):
    for project in seed_document["projects"]:
        scores = [i["score"] for i in project["indicators"] if i["score"] is not None]
        if not scores:
            assert project["indicator_score"] is None, project["project_id"]
            continue
        assert project["indicator_score"] == pytest.approx(sum(scores), abs=1e-9)
        assert project["n_scored"] == len(scores)


def test_project_score_is_indicators_plus_execution(seed_document):
    scored = [p for p in seed_document["projects"] if p["score"] is not None]
    assert len(scored) == 18
    for project in scored:
        total = project["indicator_score"] + project["execution"]["score"]
        assert project["score"] == pytest.approx(round(total, 2), abs=1e-9)


def test_seed_values(seed_document):
    by_id = {p["project_id"]: p for p in seed_document["projects"]}
    jg04 = by_id["JG04"]
    assert jg04["execution"] == {"rate_pct": 100, "weight": 10, "score": 10, "stated_score": None}
    assert (jg04["indicator_score"], jg04["score"], jg04["stated_score"]) == (82.5, 92.5, 92.5)
    first = jg04["indicators"][0]
    assert first["name"] == "开展金融风险防控专题讲座数量"
    assert (first["target"], first["actual"], first["status"]) == ("4次", "1次", "未达成")
    assert (first["weight"], first["weight_used"], first["score"]) == (10, 10, 2.5)
    assert first["deviation_reason"] == "受疫情影响"
    assert first["source"].endswith("indicators.csv 第 71 行")
    assert jg04["indicators"][1]["weight"] is None
    assert jg04["indicators"][1]["weight_used"] == 65
    assert by_id["KJ10"]["budget_wan"] == 681.5307
    assert by_id["JR01"]["score"] is None and by_id["JR01"]["grade"] is None


def test_json_text_is_strict_unescaped_and_exact(seed_document):
    text = dumps_score_document(seed_document)
    assert strict_loads(text) == seed_document
    assert "NaN" not in text and "Infinity" not in text
    assert "\\u" not in text and "金融风险防控专项经费项目" in text
    assert '"budget_wan": 681.5307,' in text
    # JR01's indicator scores add up to 89.96000000000001 in floating point.
    assert '"indicator_score": 89.96,' in text
    assert "0000000" not in text and "9999999" not in text


def test_plain_values():
    assert plain(np.float64("nan")) is None
    assert plain(float("inf")) is None
    assert plain(-np.inf) is None
    assert plain(pd.NA) is None
    assert plain(np.int64(3)) == 3 and type(plain(np.int64(3))) is int
    assert plain(np.bool_(True)) is True
    assert plain(np.float64(0.1) + np.float64(0.2)) == 0.3
    assert plain(681.5306999999999) == 681.5307
    assert plain([np.float64(1.5), None, {"a": np.nan}]) == [1.5, None, {"a": None}]


def test_missing_values_are_null(make_dataset):
    dataset = make_dataset(
        [{"budget_wan": "0", "spent_wan": "0"}],
        [{"target": "≥10个", "actual": ""}, {"target": "≥5个", "actual": "6个", "weight": "90"}],
    )
    doc = build_score_document(score_dataset(dataset))
    text = dumps_score_document(doc)
    strict_loads(text)
    (project,) = doc["projects"]
    assert project["execution"]["rate_pct"] is None
    assert project["score"] is None
    missing = project["indicators"][0]
    assert missing["actual"] is None and missing["score"] is None
    assert missing["status"] == "未评价"


# --- the document matches its documentation ---------------------------------------------------


def documented_keys(text: str) -> dict[str, list[str]]:
    """The keys listed in each table of docs/score-json.md, by section heading."""
    sections: dict[str, list[str]] = {}
    heading = None
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        match = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if match and heading is not None:
            sections.setdefault(heading, []).append(match.group(1))
    return sections


def test_every_key_is_documented(seed_document):
    sections = documented_keys(DOC.read_text("utf-8"))
    project = seed_document["projects"][0]
    assert sections["Top level"] == list(seed_document)
    assert sections["`department`"] == list(seed_document["department"])
    assert sections["`categories`"] == list(seed_document["categories"][0])
    assert sections["`projects`"] == list(project)
    assert sections["`execution`"] == list(project["execution"])
    assert sections["`indicators`"] == list(project["indicators"][0])


def test_documented_example_is_real_output(seed_document):
    text = DOC.read_text("utf-8")
    (block,) = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    example = strict_loads(block)
    assert list(example) == TOP_KEYS
    assert example["schema"] == seed_document["schema"]
    assert example["department"] == seed_document["department"]
    assert example["categories"] == seed_document["categories"][: len(example["categories"])]
    assert example["warnings"] == seed_document["warnings"]
    real = {p["project_id"]: p for p in seed_document["projects"]}
    assert example["projects"]
    for shown in example["projects"]:
        project = real[shown["project_id"]]
        assert {k: v for k, v in shown.items() if k != "indicators"} == {
            k: v for k, v in project.items() if k != "indicators"
        }
        assert shown["indicators"]
        for shown_row, row in zip(shown["indicators"], project["indicators"], strict=False):
            # The example was made with a relative path; the fixture reads an absolute one.
            assert row["source"].endswith(shown_row["source"])
            assert {**shown_row, "source": None} == {**row, "source": None}


# --- tidy tables ------------------------------------------------------------------------------


def test_score_tables(seed_result, seed_document):
    tables = score_tables(seed_result)
    projects, indicators = tables["projects"], tables["indicators"]
    assert list(projects.columns) == PROJECT_HEADERS
    assert list(indicators.columns) == INDICATOR_HEADERS
    assert len(projects) == 20 and len(indicators) == 84
    jg04 = projects.set_index("项目编号").loc["JG04"]
    assert jg04["总分"] == 92.5 and jg04["等级"] == "优"
    assert jg04["问题提示"].startswith("未完成指标：开展金融风险防控专题讲座数量；")
    rows = indicators[indicators["项目编号"] == "JG04"]
    assert rows["项目名称"].unique().tolist() == ["金融风险防控专项经费项目"]
    assert rows["得分"].sum() == pytest.approx(jg04["指标得分"])
    assert math.isnan(rows["分值"].iloc[1])
    english = score_tables(seed_result, headers="en")
    assert list(english["indicators"].columns[:5]) == [
        "project_id",
        "project_name",
        "level1",
        "level2",
        "name",
    ]
    assert english["projects"]["project_id"].tolist() == [
        p["project_id"] for p in seed_document["projects"]
    ]


def assert_same_table(read: pd.DataFrame, expected: pd.DataFrame, text: set[str], csv: bool):
    """A table read back (every cell as text, empty as "") equals the one written."""
    assert list(read.columns) == list(expected.columns)
    assert len(read) == len(expected)
    for column in expected.columns:
        for i, (got, want) in enumerate(zip(read[column], expected[column], strict=True)):
            where = f"{column} row {i + 2}"
            if want is None or (isinstance(want, float) and math.isnan(want)):
                assert got == "", where
            elif column in text:
                assert got == (neutralise(want) if csv else want), where
            else:
                assert float(got) == want, where


def read_csv_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_csv_round_trip(seed_result, tmp_path):
    written = write_scores_csv(seed_result, tmp_path / "得分.csv")
    assert written == [tmp_path / "得分.csv", tmp_path / "得分_projects.csv"]
    tables = score_tables(seed_result)
    for path, table, text in zip(
        written,
        (tables["indicators"], tables["projects"]),
        (INDICATOR_TEXT, PROJECT_TEXT),
        strict=True,
    ):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert b"\xef\xbb\xbf" not in raw[3:]
        assert_same_table(read_csv_text(path), table, text, csv=True)
    projects_text = written[1].read_text("utf-8-sig")
    assert ",681.5307," in projects_text
    assert ",89.96," in projects_text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["得分.csv", "得分_projects.csv"]


def test_xlsx_round_trip(seed_result, tmp_path):
    target = write_scores_xlsx(seed_result, tmp_path / "得分.xlsx")
    assert target == tmp_path / "得分.xlsx"
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["项目", "指标"]
    tables = score_tables(seed_result)
    for name, table, text in (
        ("项目", tables["projects"], PROJECT_TEXT),
        ("指标", tables["indicators"], INDICATOR_TEXT),
    ):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert [c.value for c in sheet[1]] == list(table.columns)
        for j, column in enumerate(table.columns, start=1):
            letter = openpyxl.utils.get_column_letter(j)
            assert sheet.column_dimensions[letter].width >= 8, (name, column)
            cells = [sheet.cell(row=i, column=j) for i in range(2, len(table) + 2)]
            for cell, want in zip(cells, table[column], strict=True):
                if want is None or (isinstance(want, float) and math.isnan(want)):
                    assert cell.value is None, cell.coordinate
                elif column in text:
                    assert cell.data_type == "s" and cell.value == want, cell.coordinate
                else:
                    assert cell.data_type == "n" and cell.value == want, cell.coordinate
        assert sheet.max_row == len(table) + 1
    read = pd.read_excel(target, sheet_name="项目", dtype=str, keep_default_na=False)
    kj10 = read.set_index("项目编号").loc["KJ10"]
    assert kj10["全年预算数（万元）"] == "681.5307"


# --- formulas in the data stay text -----------------------------------------------------------


@pytest.fixture
def hostile_result(make_dataset):
    dataset = make_dataset(
        [{"name": INJECTION, "category": "@SUM(1+1)"}],
        [
            {"name": INJECTION, "target": "≥10个", "actual": "8个", "deviation_reason": "+1 说明"},
            {"name": "-2+3", "target": "≥5个", "actual": "6个", "deviation_reason": "@cmd"},
        ],
    )
    return score_dataset(dataset)


def test_csv_neutralises_formulas(hostile_result, tmp_path):
    indicators_csv, projects_csv = write_scores_csv(hostile_result, tmp_path / "out.csv")
    indicators = read_csv_text(indicators_csv)
    assert indicators["三级指标"].tolist() == ["'" + INJECTION, "'-2+3"]
    assert indicators["项目名称"].tolist() == ["'" + INJECTION] * 2
    assert indicators["偏差原因分析及改进措施"].tolist() == ["'+1 说明", "'@cmd"]
    projects = read_csv_text(projects_csv)
    assert projects["项目名称"].tolist() == ["'" + INJECTION]
    assert projects["项目类别"].tolist() == ["'@SUM(1+1)"]
    # Numbers are not text: a negative score difference would stay a number (no quote).
    assert not any(cell.startswith("'") for cell in indicators["得分"])


def test_xlsx_keeps_formulas_as_text(hostile_result, tmp_path):
    target = write_scores_xlsx(hostile_result, tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(target)
    project_cell = book["项目"]["B2"]
    assert book["项目"]["B1"].value == "项目名称"
    assert project_cell.data_type == "s" and project_cell.value == INJECTION
    assert book["项目"]["C2"].data_type == "s" and book["项目"]["C2"].value == "@SUM(1+1)"
    sheet = book["指标"]
    assert [c.value for c in sheet[1]][4] == "三级指标"
    assert sheet["E2"].data_type == "s" and sheet["E2"].value == INJECTION
    assert sheet["E3"].data_type == "s" and sheet["E3"].value == "-2+3"
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == INJECTION
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_control_characters_do_not_break_the_workbook(make_dataset, tmp_path):
    # The loader refuses control characters; the writer must still survive them (defence in depth).
    dataset = make_dataset([{}], [{"target": "≥1个", "actual": "1个", "deviation_reason": "ab"}])
    result = score_dataset(dataset)
    result.indicators.loc[0, "deviation_reason"] = "a\x0bb"
    target = write_scores_xlsx(result, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(target)["指标"]
    assert sheet["N2"].value == "ab"


# --- the command line -------------------------------------------------------------------------


def test_cli_csv(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", str(SEED), "--csv", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    (line,) = stdout.splitlines()
    zh, _, en = line.partition(" / ")
    assert zh.startswith("已写入 20 个项目、84 条指标的得分：") and str(out) in zh
    assert en.startswith("wrote the scores of 20 projects and 84 indicators: ")
    assert str(tmp_path / "scores_projects.csv") in en
    assert stderr == ""
    assert len(read_csv_text(out)) == 84
    assert len(read_csv_text(tmp_path / "scores_projects.csv")) == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv", "scores_projects.csv"]


def test_cli_xlsx(tmp_path, capsys):
    out = tmp_path / "scores.xlsx"
    assert main(["score", str(SEED), "--xlsx", str(out)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("已写入 ") and str(out) in line and " / wrote " in line
    assert openpyxl.load_workbook(out).sheetnames == ["项目", "指标"]
    assert [p.name for p in tmp_path.iterdir()] == ["scores.xlsx"]


def test_cli_json_is_the_document(seed_document, capsys):
    assert main(["score", str(SEED), "--json"]) == 0
    assert strict_loads(capsys.readouterr().out) == seed_document


@pytest.mark.parametrize(
    ("option", "name", "zh", "en"),
    [
        (
            "--xlsx",
            "out.csv",
            "--xlsx 的文件名应以 .xlsx 结尾",
            "--xlsx expects a file name ending",
        ),
        ("--csv", "out.xlsx", "--csv 的文件名应以 .csv 结尾", "--csv expects a file name ending"),
        ("--csv", "out", "--csv 的文件名应以 .csv 结尾", "--csv expects a file name ending"),
        ("--csv", "missing/out.csv", "文件夹不存在", "no such folder"),
    ],
)
def test_cli_bad_output_exits_2_writing_nothing(tmp_path, capsys, option, name, zh, en):
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["score", str(SEED), option, str(folder / name)]) == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert zh in stderr and en in stderr
    assert stderr.index(zh) < stderr.index(en)
    assert list(folder.iterdir()) == []


def test_cli_will_not_write_into_the_dataset(seed_copy, capsys):
    before = {p.name: p.read_bytes() for p in seed_copy.iterdir()}
    assert main(["score", str(seed_copy), "--csv", str(seed_copy / "indicators.csv")]) == 2
    assert "will not write scores over or into the dataset" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in seed_copy.iterdir()} == before


def test_cli_keeps_workbooks_out_of_the_data_year_folders(tmp_path, capsys, monkeypatch):
    year = tmp_path / "data" / "2021"
    year.mkdir(parents=True)
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path / "data"))
    assert main(["score", str(SEED), "--xlsx", str(year / "得分.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "否则会被当作一个部门的数据集" in err and "read as a department's dataset" in err
    assert list(year.iterdir()) == []
    assert paths.list_departments(2021, tmp_path / "data") == []
    # A CSV there is not a dataset: allowed.
    assert main(["score", str(SEED), "--csv", str(year / "得分.csv")]) == 0
    assert paths.list_departments(2021, tmp_path / "data") == []


def test_cli_bad_dataset_writes_nothing(seed_copy, tmp_path, capsys):
    (seed_copy / "indicators.csv").unlink()
    out = tmp_path / "out"
    out.mkdir()
    assert main(["score", str(seed_copy), "--xlsx", str(out / "s.xlsx")]) == 2
    assert "数据校验失败" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_cli_output_options_exclude_each_other(tmp_path):
    assert main(["score", str(SEED), "--json", "--csv", str(tmp_path / "x.csv")]) == 2
    assert not (tmp_path / "x.csv").exists()


# --- writing is all or nothing ----------------------------------------------------------------


def test_failed_xlsx_leaves_the_old_file(seed_result, tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_scores_xlsx(seed_result, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_failed_csv_leaves_nothing_half_written(seed_result, tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old", "utf-8")
    real_write = score_export._write_csv_file

    def write_then_fail(path, frame, *args):
        real_write(path, frame, *args)
        if "category" in frame:  # the projects table, written second
            raise OSError("disk full")

    monkeypatch.setattr(score_export, "_write_csv_file", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_scores_csv(seed_result, target)
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_cli_reports_a_failed_write(tmp_path, capsys, monkeypatch):
    def broken_save(self, filename):
        raise PermissionError("read-only")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    assert main(["score", str(SEED), "--xlsx", str(tmp_path / "s.xlsx")]) == 1
    assert "写入失败 / could not write" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_the_usual_permissions(seed_result, tmp_path):
    for path in write_scores_csv(seed_result, tmp_path / "s.csv"):
        assert stat.S_IMODE(path.stat().st_mode) == paths.shared_mode(0o666)
