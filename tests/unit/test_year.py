"""A year of every department: tidy tables, two named department scores, year over year, exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.cli import main
from helpers.year import compare_years, score_year, write_year_parquet, write_year_xlsx

from .conftest import DEPARTMENT_YAML, write_dataset_folder


def department_yaml(name: str, year: int) -> str:
    return DEPARTMENT_YAML.replace("测试局", name).replace("2021", str(year))


def met(project: str, name: str = "培训人次", actual: str = "120人次") -> dict[str, object]:
    return {
        "project_id": project,
        "name": name,
        "target": "100人次",
        "actual": actual,
        "weight": 90,
    }


@pytest.fixture
def district(tmp_path: Path) -> Path:
    """Two departments in 2021 (one with a big low-scoring project), one of them in 2020 too."""
    data = tmp_path / "data"
    write_dataset_folder(
        data / "2021" / "甲局",
        [
            {"project_id": "A1", "name": "大项目", "budget_wan": "900", "spent_wan": "900"},
            {"project_id": "A2", "name": "小项目", "budget_wan": "100", "spent_wan": "100"},
            {"project_id": "A3", "name": "新项目", "budget_wan": "10", "spent_wan": "10"},
            {"project_id": "A9", "name": "宣传经费", "budget_wan": "5", "spent_wan": "5"},
        ],
        [
            met("A1", actual="0人次"),  # unmet: a big project scoring low
            met("A2"),
            met("A3"),
            met("A9"),
        ],
        department_yaml("甲局", 2021),
    )
    write_dataset_folder(
        data / "2021" / "乙局",
        [{"project_id": "B1", "name": "乙项目"}],
        [met("B1", name="=1+1")],
        department_yaml("乙局", 2021),
    )
    write_dataset_folder(
        data / "2020" / "甲局",
        [
            {
                "project_id": "A1",
                "name": "大项目（上年名称）",
                "budget_wan": "800",
                "spent_wan": "800",
            },
            {"project_id": "A2", "name": "小项目", "budget_wan": "100", "spent_wan": "90"},
            {"project_id": "A5", "name": "宣传经费", "budget_wan": "5", "spent_wan": "5"},
        ],
        [met("A1"), met("A2"), met("A5")],
        department_yaml("甲局", 2020),
    )
    return data


def test_the_year_table_names_both_department_scores(district: Path) -> None:
    year = score_year(2021, district)
    table = year.departments.set_index("department")
    jia = table.loc["甲局"]
    assert jia["score_mean"] != jia["score_budget_weighted"]
    assert jia["score_budget_weighted"] < jia["score_mean"], "the big low project weighs more"
    assert list(year.departments["department"]) == ["乙局", "甲局"], "ranked by weighted score"
    assert list(year.departments["rank_budget_weighted"]) == [1, 2]
    assert set(year.projects["department"]) == {"甲局", "乙局"}
    assert {"department", "project", "status"} <= set(year.indicators.columns)
    assert not year.problems


def test_an_invalid_department_is_listed_and_the_others_still_count(district: Path) -> None:
    broken = district / "2021" / "丙局"
    broken.mkdir()
    (broken / "department.yaml").write_text("name: 丙局\nfiscal_year: 2021\n", "utf-8")
    year = score_year(2021, district)
    assert [d for d, _ in year.problems] == ["丙局"]
    assert len(year.departments) == 2


def test_projects_are_matched_by_code_then_by_name(district: Path) -> None:
    comparison = compare_years(score_year(2021, district), score_year(2020, district))
    projects = comparison["projects"].set_index("project_id")
    assert projects.loc["A1", "matched_by"] == "编码"  # renamed, same code
    assert projects.loc["A1", "budget_wan_change"] == 100
    assert projects.loc["A9", "matched_by"] == "名称"  # recoded A5 → A9, same name
    assert projects.loc["A3", "matched_by"] == ""  # new this year
    assert projects.loc["A2", "execution_rate_pct_change"] == 10  # 90 % → 100 %
    departments = comparison["departments"].set_index("department")
    assert pd.isna(departments.loc["乙局", "score_mean_previous"])  # no 2020 data
    unmet = comparison["newly_unmet"]
    assert list(unmet["project_id"]) == ["A1"] and list(unmet["previous_status"]) == ["达成"]


def test_the_year_exports_to_xlsx_and_parquet(district: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    year = score_year(2021, district)
    comparison = compare_years(year, score_year(2020, district))
    book = load_workbook(write_year_xlsx(year, tmp_path / "year.xlsx", comparison))
    assert book.sheetnames == [
        "部门",
        "项目",
        "指标",
        "提示事项",
        "同比_部门",
        "同比_项目",
        "同比_新增未达成",
        "未纳入部门",
    ]
    assert book["部门"]["A1"].value == "部门"
    formula_like = [c for row in book["指标"].iter_rows() for c in row if c.value == "=1+1"]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    files = write_year_parquet(year, tmp_path / "parquet", comparison)
    assert {f.name for f in files} >= {"部门.parquet", "项目.parquet", "指标.parquet"}
    back = pd.read_parquet(tmp_path / "parquet" / "部门.parquet")
    assert list(back["department"]) == ["乙局", "甲局"]
    assert not list((tmp_path / "parquet").glob(".*")), "no partial files left"


def test_jixiao_score_year_writes_every_table(district: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "all.xlsx"
    code = main(["score", "--year", "2021", "--data-dir", str(district), "--xlsx", str(out)])
    assert code == 0, capsys.readouterr().err
    assert out.is_file() and str(out) in capsys.readouterr().out
    from openpyxl import load_workbook

    assert "复核发现" in load_workbook(out).sheetnames
    assert main(["score"]) == 2
    assert main(["score", "x", "--year", "2021"]) == 2
    assert main(["score", "--year", "1999", "--data-dir", str(district)]) == 2
    capsys.readouterr()
    csv = tmp_path / "x.csv"
    csv.write_text("keep", "utf-8")
    assert main(["score", "--year", "2021", "--data-dir", str(district), "--xlsx", str(csv)]) == 2
    assert "应以 .xlsx 结尾" in capsys.readouterr().err
    assert csv.read_text("utf-8") == "keep"  # never overwritten with a workbook
    inside = district / "2021" / "年度得分.xlsx"
    assert (
        main(["score", "--year", "2021", "--data-dir", str(district), "--xlsx", str(inside)]) == 2
    )
    assert not inside.exists()
    folder = district / "2021" / "parquet"
    assert (
        main(["score", "--year", "2021", "--data-dir", str(district), "--parquet", str(folder)])
        == 2
    )
    assert not folder.exists()
    other_year = district / "2020" / "x.xlsx"  # the previous year would read it as a department
    assert (
        main(["score", "--year", "2021", "--data-dir", str(district), "--xlsx", str(other_year)])
        == 2
    )
    assert not other_year.exists()
    beside = district / "exports.xlsx"  # under the data root, not in a year: allowed
    assert (
        main(["score", "--year", "2021", "--data-dir", str(district), "--xlsx", str(beside)]) == 0
    )
    assert beside.is_file()


def test_jixiao_review_writes_the_workbook(district: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    out = tmp_path / "复核工作底稿.xlsx"
    assert main(["review", "--year", "2021", "--data-dir", str(district), "-o", str(out)]) == 0
    assert set(load_workbook(out).sheetnames) >= {"复核工作底稿", "复核发现", "规则"}
    assert "P0" in capsys.readouterr().err
    assert (
        main(
            ["review", "--year", "2021", "--data-dir", str(district), "-o", str(tmp_path / "x.csv")]
        )
        == 2
    )


def test_the_year_exports_folder_has_every_file(district: Path, tmp_path: Path) -> None:
    from helpers.overview import build_year_overview

    overview = build_year_overview(2021, district)
    written = {p.relative_to(tmp_path).as_posix() for p in overview.write_exports(tmp_path)}
    assert {
        "年度得分.xlsx",
        "复核工作底稿.xlsx",
        "年度得分_parquet/部门.parquet",
        "年度得分_parquet/复核发现.parquet",
    } <= written
    assert overview.comparison is not None and overview.findings is not None


def test_the_params_grade_bands_reach_the_year_table(tmp_path: Path) -> None:
    """70 points (60 met + 30 at 0 % + 10 execution) is 中 by 90/80/60 and 良 by 80/70/60."""
    data = tmp_path / "data"
    write_dataset_folder(
        data / "2021" / "丙局",
        [{"project_id": "C1", "name": "丙项目"}],
        [
            {
                "project_id": "C1",
                "name": "甲",
                "target": "100人次",
                "actual": "120人次",
                "weight": 60,
            },
            {
                "project_id": "C1",
                "name": "乙",
                "target": "100人次",
                "actual": "0人次",
                "weight": 30,
            },
        ],
        department_yaml("丙局", 2021),
    )
    default = score_year(2021, data).departments.iloc[0]
    bands = {"grade_bands": {"优": 80, "良": 70, "中": 60}}
    provincial = score_year(2021, data, scoring=bands).departments.iloc[0]
    assert default["score_budget_weighted"] == 70
    assert (default["grade_budget_weighted"], default["grade_mean"]) == ("中", "中")
    assert (provincial["grade_budget_weighted"], provincial["grade_mean"]) == ("良", "良")


# ----------------------------------------------------------------------- worker processes

REPO = Path(__file__).resolve().parents[2]


def assert_same_year(parallel, serial) -> None:  # type: ignore[no-untyped-def]
    for table in ("departments", "projects", "indicators", "flags"):
        pd.testing.assert_frame_equal(
            getattr(parallel, table), getattr(serial, table), check_exact=True, obj=table
        )
    assert parallel.problems == serial.problems
    assert list(parallel.evaluations) == list(serial.evaluations)


def test_worker_processes_give_the_tables_of_one_process_on_the_shipped_district() -> None:
    data = REPO / "data" / "district"
    assert_same_year(score_year(2021, data, workers=2), score_year(2021, data, workers=1))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated district of 13 departments (helpers.synthetic), one of them broken."""
    from helpers.synthetic import make_district, write_dataset

    root = tmp_path_factory.mktemp("generated")
    for spec in make_district(12, (2, 5), 7, (2021,)):
        write_dataset(spec, root)
    broken = root / "2021" / "丁局"
    broken.mkdir()
    (broken / "department.yaml").write_text("name: 丁局\nfiscal_year: 2021\n", "utf-8")
    return root


def test_worker_processes_give_the_tables_of_one_process_on_a_generated_district(
    generated: Path,
) -> None:
    seen: list[str] = []
    parallel = score_year(2021, generated, progress=seen.append, workers=2)
    serial = score_year(2021, generated, workers=1)
    assert_same_year(parallel, serial)
    assert len(serial.departments) == 12
    names = sorted(p.name for p in (generated / "2021").iterdir())
    assert seen == names, "progress is called once per department, in order"


def test_a_bad_department_in_a_parallel_run_is_listed_not_fatal(generated: Path) -> None:
    year = score_year(2021, generated, workers=2)
    assert [d for d, _ in year.problems] == ["丁局"]
    assert "project" in year.problems[0][1] or "projects" in year.problems[0][1]
    assert len(year.departments) == 12 and "丁局" not in year.evaluations


def test_progress_is_called_before_each_department_in_one_process(district: Path) -> None:
    seen: list[str] = []
    score_year(2021, district, progress=seen.append, workers=1)
    assert seen == ["乙局", "甲局"] or sorted(seen) == ["乙局", "甲局"]
    assert len(seen) == 2


def test_small_years_are_scored_in_this_process() -> None:
    from helpers.year import PARALLEL_MIN_DEPARTMENTS, default_workers

    assert default_workers(PARALLEL_MIN_DEPARTMENTS - 1) == 1
    assert default_workers(10_000) >= 1


# ------------------------------------------------ the loader's quick schema check (a year's bulk)
# (helpers.dataset._surely_valid: it lets a valid table skip pandera's slower validation)


def _as_checked(frame: pd.DataFrame) -> pd.DataFrame:
    checked = frame.astype(object)
    checked = checked.where(checked.notna(), None)
    return checked.astype("str").where(checked.notna(), None)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("indicators", "level1", "产出指标X"),
        ("indicators", "name", "  "),
        ("indicators", "project_id", None),
        ("indicators", "weight", "120"),
        ("indicators", "weight", "十分"),
        ("indicators", "stated_score", "-1"),
        ("projects", "project_id", "DUP"),
        ("projects", "budget_wan", "12.345678"),
        ("projects", "budget_wan", "1,000"),
        ("projects", "category", None),
        ("projects", "stated_execution_rate_pct", "1200"),
        ("projects", "name", "DROP"),
    ],
)
def test_the_quick_schema_check_never_passes_what_pandera_refuses(
    table: str, column: str, value: object
) -> None:
    import pandera.pandas as pa

    from helpers.dataset import _surely_valid
    from helpers.schema import INDICATORS_SCHEMA, PROJECTS_SCHEMA

    schema = INDICATORS_SCHEMA if table == "indicators" else PROJECTS_SCHEMA
    good = {
        "indicators": pd.DataFrame(
            {
                "project_id": ["P1", "P1"],
                "level1": ["产出", "效益"],
                "level2": ["数量", "社会效益"],
                "name": ["培训人次", "带动就业"],
                "target": ["≥100人次", None],
                "actual": ["120人次", "明显"],
                "weight": ["45", None],
                "stated_score": [None, "30"],
            }
        ),
        "projects": pd.DataFrame(
            {
                "project_id": ["P1", "P2"],
                "category": ["科技", "科技"],
                "name": ["甲", "乙"],
                "budget_wan": ["681.5307", None],
                "stated_execution_rate_pct": ["98.5", None],
            }
        ),
    }[table]
    checked = _as_checked(good)
    assert _surely_valid(checked, schema)
    schema.validate(checked, lazy=True)

    bad = good.copy()
    if value == "DUP":
        bad.loc[1, column] = bad.loc[0, column]
    elif value == "DROP":
        bad = bad.drop(columns=column)
    else:
        bad.loc[0, column] = value
    checked = _as_checked(bad)
    assert not _surely_valid(checked, schema)
    with pytest.raises(pa.errors.SchemaErrors):
        schema.validate(checked, lazy=True)


def test_the_year_workbook_keeps_hostile_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from helpers.year import YearScores

    frame = pd.DataFrame(
        {"department": ["=1+1", "#N/A", "甲"], "score": [1.5, None, 3], "flag": [True, None, "x"]}
    )
    scores = YearScores(2021, frame, frame, frame, frame)
    book = load_workbook(write_year_xlsx(scores, tmp_path / "y.xlsx"))
    sheet = book["部门"]
    assert [c.value for c in sheet[1]] == ["部门", "score", "flag"] and sheet["A1"].font.b
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [
        ("=1+1", "s"),
        ("#N/A", "s"),
        ("甲", "s"),
    ]
    assert [c.value for c in sheet["B"][1:]] == [1.5, None, 3.0]
    assert [c.value for c in sheet["C"][1:]] == ["True", None, "x"]
    assert sheet.freeze_panes == "A2"


def test_a_year_without_its_evaluations_has_the_same_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """keep_evaluations=False (a comparison's previous year): the tables, and no evaluations."""
    from helpers import paths as project_paths
    from helpers.year import score_year

    district = project_paths.REPO_ROOT / "data" / "district"
    kept = score_year(2020, district)
    tables_only = score_year(2020, district, keep_evaluations=False)
    assert kept.evaluations and not tables_only.evaluations
    assert tables_only.problems == kept.problems
    for name in ("departments", "projects", "indicators", "flags"):
        pd.testing.assert_frame_equal(getattr(tables_only, name), getattr(kept, name))
    parallel = score_year(2020, district, workers=2, keep_evaluations=False)
    pd.testing.assert_frame_equal(parallel.departments, kept.departments)
    assert not parallel.evaluations


def test_a_large_year_writes_its_workbook_in_a_worker_as_here(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """≥ 40 departments: 年度得分.xlsx is written by a worker process beside the 底稿; the same
    workbook as written here, and the worker's failure reaches the caller."""
    import openpyxl

    from helpers.review import review
    from helpers.synthetic import write_district
    from helpers.year import (
        PARALLEL_MIN_DEPARTMENTS,
        _beside,
        _can_start_workers,
        default_workers,
        score_year,
        write_year_exports,
        write_year_xlsx,
    )

    # The machines this runs on (CI: 2 cores) take the worker path.
    assert default_workers(PARALLEL_MIN_DEPARTMENTS + 2) >= 2 and _can_start_workers()
    write_district(tmp_path / "data", PARALLEL_MIN_DEPARTMENTS + 2, (1, 2), seed=3, years=[2021])
    scores = score_year(2021, tmp_path / "data")
    assert len(scores.departments) >= PARALLEL_MIN_DEPARTMENTS
    findings = review(list(scores.evaluations.values()))
    written = write_year_exports(tmp_path / "out", scores, None, findings)
    assert written[0] == tmp_path / "out" / "年度得分.xlsx"
    here = write_year_xlsx(scores, tmp_path / "here.xlsx", None, findings)
    by_worker, by_here = openpyxl.load_workbook(written[0]), openpyxl.load_workbook(here)
    assert by_worker.sheetnames == by_here.sheetnames
    for name in by_here.sheetnames:
        assert list(by_worker[name].values) == list(by_here[name].values), name
    assert (tmp_path / "out" / "复核工作底稿.xlsx").is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "复核工作底稿.xlsx",
        "年度得分.xlsx",
        "年度得分_parquet",
    ]

    many = PARALLEL_MIN_DEPARTMENTS * 2
    with pytest.raises(OSError), _beside(many, {}, tmp_path / "no-such-folder" / "x.xlsx"):
        pass  # the worker cannot write there: raised at the block's end
    tables = {"部门": scores.departments}
    with pytest.raises(RuntimeError), _beside(many, tables, tmp_path / "failed.xlsx"):
        raise RuntimeError("the block fails")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".failed", "failed"))]


def test_a_killed_year_export_leaves_no_worker_and_no_workbook(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL to the process writing a year's exports: its workbook worker exits too and
    publishes nothing."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = f"""
import multiprocessing, sys, time
import pandas as pd
from pathlib import Path
from helpers.year import _beside
tables = {{"t": pd.DataFrame({{"a": range(300_000)}})}}
with _beside(1000, tables, Path({str(tmp_path / "book.xlsx")!r})):
    time.sleep(0.5)
    print(*[p.pid for p in multiprocessing.active_children()], flush=True)
    time.sleep(60)
"""
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    workers = [int(pid) for pid in run.stdout.readline().split()]
    assert workers, "the workbook is written by a worker"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if _is_running(pid)]
    assert not alive, f"workers left: {alive}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no workbook, no partial file"


def _is_running(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_left_out_department_s_problems_are_cut_visibly_to_fit_a_cell(
    district: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from helpers.review import review, write_review_workbook

    year = score_year(2021, district)
    year.problems = [("丙局", "[丙局/indicators.csv 第 2 行] 值有误\n" * 2_000)]
    book = load_workbook(write_year_xlsx(year, tmp_path / "year.xlsx"), read_only=True)
    (_, (name, problem)) = list(book["未纳入部门"].iter_rows(values_only=True))
    assert name == "丙局" and problem.endswith("全文共 60000 字）") and len(problem) <= 32_767
    evaluations = list(year.evaluations.values())
    path = write_review_workbook(
        evaluations, review(evaluations), tmp_path / "r.xlsx", year.problems
    )
    rows = list(load_workbook(path, read_only=True)["未纳入部门"].iter_rows(values_only=True))
    assert rows[1][0] == "丙局" and rows[1][1].endswith("全文共 60000 字）")
