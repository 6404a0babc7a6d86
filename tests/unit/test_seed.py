"""The seed dataset (data/2021/高新区科技局, transcribed from the 2021 self-evaluation report)."""

from __future__ import annotations

import pandas as pd

from helpers.cli import main
from helpers.dataset import load_dataset
from helpers.paths import REPO_ROOT
from helpers.scoring import score_dataset

SEED_DIR = REPO_ROOT / "data" / "2021" / "高新区科技局"
CATEGORIES = ["科技创新发展", "科技金融", "金融监管", "生物医药"]


def by_id(result) -> pd.DataFrame:
    return result.projects.set_index("project_id")


def test_twenty_projects_in_four_categories(seed_dataset, seed_result):
    assert len(seed_dataset.projects) == 20
    assert seed_dataset.projects["project_id"].is_unique
    assert set(seed_dataset.projects["category"]) == set(CATEGORIES)
    assert seed_result.categories["category"].tolist() == CATEGORIES
    assert seed_result.categories["n_projects"].tolist() == [11, 3, 4, 2]
    assert seed_result.department["n_projects"] == 20
    assert seed_result.department["n_categories"] == 4


def test_project_budgets_sum_to_12432_6782(seed_dataset, seed_result):
    assert round(seed_dataset.projects["budget_wan"].sum(), 4) == 12432.6782
    assert seed_result.department["projects_budget_wan"] == 12432.6782
    assert round(seed_result.categories["budget_wan"].sum(), 4) == 12432.6782


def test_department_execution_rate(seed_result):
    dept = seed_result.department
    assert dept["budget_wan"] == 39732.0
    assert dept["spent_wan"] == 39720.0
    assert dept["execution_rate_pct"] == 99.97
    assert dept["stated_execution_rate_pct"] == 99.97


def test_financial_risk_project_scores_exactly_92_5(seed_result):
    project = by_id(seed_result).loc["JG04"]
    assert project["name"] == "金融风险防控专项经费项目"
    assert project["score"] == 92.5
    assert project["stated_score"] == 92.5
    assert bool(project["has_score_mismatch"]) is False
    assert project["grade"] == "优"
    assert project["unmet"] == ["开展金融风险防控专题讲座数量"]


def test_exactly_two_unmet_indicators(seed_result):
    ind = seed_result.indicators
    unmet = ind[ind["is_unmet"]]
    assert sorted(zip(unmet["project_id"], unmet["name"], strict=True)) == [
        ("JG04", "开展金融风险防控专题讲座数量"),
        ("KJ10", "引进港澳台项目数量"),
    ]
    hmt = unmet.set_index("project_id").loc["KJ10"]
    assert (hmt["target"], hmt["actual"]) == ("4个", "0个")
    assert (hmt["target_value"], hmt["actual_value"]) == (4.0, 0.0)
    lecture = unmet.set_index("project_id").loc["JG04"]
    assert "专题讲座" in lecture["name"]
    assert (lecture["target_value"], lecture["actual_value"]) == (4.0, 1.0)
    assert seed_result.department["n_unmet"] == 2
    assert by_id(seed_result)["n_unmet"].sum() == 2


def test_seed_scores(seed_result):
    scores = by_id(seed_result)["score"]
    assert scores["KJ10"] == 70.0
    assert scores["JR03"] == 99.86
    assert scores["SW02"] == 99.1
    # No execution rate in the source: no total score.
    assert pd.isna(scores["JR01"]) and pd.isna(scores["JG01"])
    assert scores.notna().sum() == 18


def test_seed_has_no_warnings(seed_dataset):
    assert seed_dataset.warnings == []


def assert_same_scores(a, b) -> None:
    cols = ["project_id", "score", "grade", "execution_rate_pct", "indicator_score", "n_unmet"]
    pd.testing.assert_frame_equal(a.projects[cols], b.projects[cols])
    pd.testing.assert_series_equal(a.indicators["score"], b.indicators["score"])
    assert a.department == b.department


def test_workbook_gives_the_same_scores_as_the_folder(seed_result, seed_workbook):
    assert_same_scores(score_dataset(load_dataset(seed_workbook)), seed_result)


def test_convert_command_writes_a_workbook_with_the_same_scores(seed_result, tmp_path, capsys):
    target = tmp_path / "科技局.xlsx"
    assert main(["convert", str(SEED_DIR), "--output", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert_same_scores(score_dataset(load_dataset(target)), seed_result)

    # An existing workbook is not overwritten without --force.
    assert main(["convert", str(SEED_DIR), "--output", str(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["convert", str(SEED_DIR), "--output", str(target), "--force"]) == 0


def test_score_command_reads_the_workbook(seed_workbook, capsys):
    import json

    assert main(["score", "--json", str(seed_workbook)]) == 0
    doc = json.loads(capsys.readouterr().out)
    scores = {p["project_id"]: p["score"] for p in doc["projects"]}
    assert scores["JG04"] == 92.5
    assert doc["department"]["execution_rate_pct"] == 99.97
