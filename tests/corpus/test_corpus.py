"""The corpus of published 自评表: every table validates, every printed 得分 agrees or is explained.

The expectation is the printed table (``tests/fixtures/corpus/*/expected.yaml``), never jixiao's
own output. A difference from the printed score must be listed in
``tests/fixtures/corpus/differences.yaml`` as a grader deviation, a documented rule choice or a
form inconsistency; a listed difference that disappears fails too, so the list stays true.
"""

from __future__ import annotations

import math

import pytest
import yaml

from helpers.dataset import load_dataset

from .compare import CORPUS_DIR, compare_table, published_file, table_dirs

TABLES = table_dirs()


def _explained() -> dict[str, dict]:
    data = yaml.safe_load((CORPUS_DIR / "differences.yaml").read_text("utf-8"))
    return {f"{d['table']} | {d['project']} | {d['item']}": d for d in data["differences"]}


def test_corpus_covers_four_provinces_and_twelve_tables():
    provinces = {
        yaml.safe_load((d / "expected.yaml").read_text("utf-8"))["province"] for d in TABLES
    }
    assert len(TABLES) >= 12
    assert len(provinces) >= 4
    suffixes = {published_file(d).suffix for d in TABLES}
    assert {".xlsx", ".xls", ".docx"} <= suffixes


@pytest.mark.parametrize("folder", TABLES, ids=lambda p: p.name)
def test_table_validates_with_every_project_and_indicator(folder):
    expected = yaml.safe_load((folder / "expected.yaml").read_text("utf-8"))
    dataset = load_dataset(published_file(folder))
    assert dataset.fiscal_year == expected["fiscal_year"]
    assert len(dataset.projects) == len(expected["projects"])
    printed_names = {i["name"] for p in expected["projects"] for i in p["indicators"] if i["name"]}
    read_names = set(dataset.indicators["name"])
    execution_rows = {n for n in printed_names if "预算执行率" in n}
    missing = {n for n in printed_names - read_names - execution_rows if not n.startswith("指标")}
    assert not missing, f"indicator rows not read: {sorted(missing)[:5]}"


@pytest.mark.parametrize("folder", TABLES, ids=lambda p: p.name)
def test_every_printed_score_agrees_or_is_explained(folder):
    explained = _explained()
    for row in compare_table(folder):
        entry = explained.get(row.key)
        if row.agrees:
            assert entry is None, f"listed as a difference but agrees now: {row.key}"
            continue
        assert entry is not None, (
            f"unexplained difference {row.key}: printed {row.printed}, jixiao {row.computed}"
        )
        assert entry["kind"] in {"grader", "rule", "form"}
        assert entry["printed"] == pytest.approx(row.printed)
        if entry["jixiao"] is None:
            assert row.computed is None or math.isnan(row.computed)
        else:
            assert entry["jixiao"] == pytest.approx(row.computed, abs=0.005)


def test_no_stale_explanations():
    current = {row.key for folder in TABLES for row in compare_table(folder) if not row.agrees}
    stale = set(_explained()) - current
    assert not stale, f"explanations for differences that no longer occur: {sorted(stale)[:5]}"


@pytest.mark.parametrize("folder", TABLES, ids=lambda p: p.name)
def test_cli_validate_score_and_convert_every_table(folder, tmp_path, capsys):
    from helpers.cli import main

    table = published_file(folder)
    assert main(["validate", str(table)]) == 0
    assert main(["score", str(table), "--json"]) == 0
    assert '"schema": "jixiao.score/1"' in capsys.readouterr().out
    out = tmp_path / "dataset"
    assert main(["convert", str(table), "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0  # the transcription validates too


def _school_form(path, title: str):  # type: ignore[no-untyped-def]
    """The 明朗中学 .docx saved at ``path`` with its title paragraph retyped."""
    import docx

    folder = next(d for d in TABLES if d.name.startswith("04_"))
    document = docx.Document(str(published_file(folder)))
    assert document.paragraphs[0].text == "2022年度项目支出绩效自评表"
    document.paragraphs[0].text = title
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def test_a_form_without_a_year_takes_its_year_folder(tmp_path):
    path = _school_form(tmp_path / "data" / "2022" / "明朗中学.docx", "项目支出绩效自评表")
    dataset = load_dataset(path)
    assert dataset.fiscal_year == 2022
    assert dataset.department.name == "永德县明朗中学"
    assert any("按所在文件夹 2022 年处理" in w for w in dataset.warnings)


def test_a_word_goal_achieved_as_expected_is_read_from_its_own_cell(tmp_path):
    """明朗中学 writes the same sentence under 预期目标 and 实际完成情况, in two Word cells."""
    dataset = load_dataset(_school_form(tmp_path / "某某中学.docx", "2022年度项目支出绩效自评表"))
    goal = dataset.projects.loc[0, "goal_target"]
    assert goal.startswith("确保每一个学生都能享受到")
    assert dataset.projects.loc[0, "goal_actual"] == goal


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2022年度项目支出绩效自评表", 2022),
        ("项目支出绩效自评表（2023年度）", 2023),
        ("(2021年)", 2021),
    ],
)
def test_a_word_form_takes_the_year_of_its_title_paragraph(tmp_path, title, year):
    """The year printed above a Word table (not in it, nor in the file name) is read."""
    dataset = load_dataset(_school_form(tmp_path / "某某中学.docx", title))
    assert dataset.fiscal_year == year
    assert not any("年度" in w and "处理" in w for w in dataset.warnings)


def test_a_folder_of_forms_takes_the_year_of_its_year_folder(tmp_path):
    import shutil

    folder = next(d for d in TABLES if d.name.startswith("04_"))
    department = tmp_path / "data" / "2022" / "明朗中学"
    department.mkdir(parents=True)
    shutil.copy(published_file(folder), department / "自评表.docx")
    dataset = load_dataset(department)
    assert dataset.fiscal_year == 2022
    (department / "department.yaml").write_text("fiscal_year: 2022\n", "utf-8")
    assert not any("按所在文件夹" in w for w in load_dataset(department).warnings)
