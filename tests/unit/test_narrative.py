"""The generated report text for the seed FY2021 dataset (issue: the narrative report)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import narrative
from helpers.dataset import load_dataset
from helpers.format import format_wan
from helpers.paths import get_dataset_dir
from helpers.report import Report
from helpers.scoring import score_dataset

SEED = get_dataset_dir(2021, "高新区科技局")


@pytest.fixture(scope="module")
def report() -> Report:
    dataset = load_dataset(SEED)
    return Report(dataset, score_dataset(dataset))


def paragraph(report: Report, project_id: str) -> str:
    projects = report.result.projects
    project = projects[projects["project_id"] == project_id].iloc[0]
    members = projects[projects["category"] == project["category"]]
    number = list(members["project_id"]).index(project_id) + 1
    ind = report.result.indicators
    return narrative.write_project_paragraph(project, ind[ind["project_id"] == project_id], number)


EXPECTED = {
    "KJ01": (
        "1. 科学技术奖奖励项目。资金预算310万元，包括认定获奖数量、预算执行率、服务对象满意度等3项指标。"
        "认定获奖数量预期目标4个，实际完成8个；预算执行率达到100%；服务对象满意度达到100%；"
        "预期绩效目标全部完成。自评得分100分，等级为“优”。有效提高了企业自主创新能力，促进企业科技创新。"
    ),
    "KJ10": (
        "10. 创新型孵化器建设扶持资金项目。资金预算681.5307万元，包括举办创新创业活动数量、引进港澳台项目数量、"
        "资金下达时效、需要支出资金、示范带动效应、预算执行率、企业满意度等7项指标。"
        "举办创新创业活动数量预期目标20场，实际完成20场；引进港澳台项目数量预期目标4个，实际完成0个；"
        "需要支出资金预期小于681.5307万元，实际完成681.5307万元；示范带动效应：形成较好创新带动示范作用；"
        "实际支出681.5307万元，预算执行率达到100%；企业满意度达到87%；"
        "预期绩效目标中引进港澳台项目数量（目标4个，实际0个）未完成。资金下达时效未提供目标值和完成值。"
        "自评得分70分，等级为“中”。创新型孵化器在高新区形成较好创新带动示范作用。"
    ),
    "JG04": (
        "4. 金融风险防控专项经费项目。资金预算2.93万元，包括开展金融风险防控专题讲座数量、讲座参与人次、"
        "定期开展讲座、预算执行率、服务对象满意度等5项指标。开展金融风险防控专题讲座数量预期目标4次，实际完成1次；"
        "讲座参与人次预期不少于500人，实际完成700余次；实际支出2.93万元，预算执行率达到100%；"
        "服务对象满意度预期不低于90%，实际完成95%；预期绩效目标中开展金融风险防控专题讲座数量（目标4次，实际1次）"
        "未完成，原因是受疫情影响。定期开展讲座未提供目标值和完成值。自评得分92.5分，等级为“优”。"
        "确保了全区金融风险排查工作有序开展。"
    ),
}


@pytest.mark.parametrize("project_id", sorted(EXPECTED))
def test_three_paragraphs_read_as_expected(report: Report, project_id: str) -> None:
    assert paragraph(report, project_id) == EXPECTED[project_id]


def numbers_in(text: object) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", narrative.tidy(text))


def test_every_paragraph_states_budget_and_each_target_and_actual(report: Report) -> None:
    ind = report.result.indicators
    for _, project in report.result.projects.iterrows():
        text = paragraph(report, project["project_id"])
        assert f"资金预算{format_wan(project['budget_wan'])}万元" in text
        for _, row in ind[ind["project_id"] == project["project_id"]].iterrows():
            assert row["name"] in text
            for value in (row["target"], row["actual"]):
                for number in numbers_in(value):
                    assert number in text, (project["name"], row["name"], number)


def test_unmet_indicators_are_stated_as_unmet_and_listed_under_problems(report: Report) -> None:
    unmet = {"KJ10": "引进港澳台项目数量", "JG04": "开展金融风险防控专题讲座数量"}
    for project_id, name in unmet.items():
        assert f"预期绩效目标中{name}（" in paragraph(report, project_id)
    problems = "".join(
        " ".join(getattr(b, "items", [])) + getattr(b, "text", "") for b in report.problems_blocks()
    )
    assert "引进港澳台项目数量未完成，目标4个，实际0个" in problems
    assert "开展金融风险防控专题讲座数量未完成，目标4次，实际1次，偏差原因：受疫情影响" in problems


def test_projects_with_all_targets_met_say_so(report: Report) -> None:
    projects = report.result.projects
    met = projects[(projects["n_unmet"] == 0) & (projects["n_near_met"] == 0)]
    assert len(met) >= 15
    for project_id in met["project_id"]:
        assert "预期绩效目标全部完成。" in paragraph(report, project_id)
    for project_id in projects.loc[projects["n_unmet"] > 0, "project_id"]:
        assert "全部完成" not in paragraph(report, project_id)


def test_problems_list_low_targets_and_low_execution(report: Report) -> None:
    items = narrative.write_problem_items(report.result)
    assert any("认定获奖数量目标4个，实际8个，完成200%，超出目标30%以上" in i for i in items)
    assert not any("预算执行率" in i and "低于90%" in i for i in items)  # no seed rate is below 90%
    projects = report.result.projects.copy()
    projects.loc[projects["project_id"] == "SW02", "is_low_execution"] = True
    low = narrative.write_problem_items(
        type(report.result)(
            report.result.indicators,
            projects,
            report.result.department,
            report.result.categories,
            report.result.config,
        )
    )
    assert any(
        i.startswith("创新型产业集群高质量发展培训班项目：预算执行率91%，低于90%") for i in low
    )


def test_title_opening_and_totals(report: Report) -> None:
    dept = report.dataset.department
    assert narrative.write_title(dept) == "科技局2021年度绩效自评工作报告"
    opening = narrative.write_opening(dept)
    assert "石家庄市财政局《关于开展2022年监督评价工作的通知》" in opening
    assert "（石高财绩〔2022〕1号）" in opening
    assert narrative.write_totals_sentence(report.result, dept) == (
        "2021年我局严格按照预算管理要求开展各项工作，全年预算安排39732万元，全年支出39720万元，"
        "预算执行率达到99.97%，年初既定绩效目标基本完成。"
    )


def test_amounts_keep_their_written_precision() -> None:
    row = pd.Series({"name": "实现企业融资金额", "target": "不低于1.5亿元", "actual": "1.5084亿元"})
    assert (
        narrative.describe_indicator(row) == "实现企业融资金额预期不低于1.5亿元，实际完成1.5084亿元"
    )


@pytest.mark.parametrize(("folder", "speaker"), [("01_", "我镇"), ("04_", "我校"), ("08_", "我社")])
def test_the_report_speaks_for_the_unit_not_as_the_seed(folder, speaker):
    from pathlib import Path

    from helpers.narrative import write_opening

    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
    table = next(
        p for d in corpus.glob(f"{folder}*") for p in d.iterdir() if p.suffix in (".xlsx", ".docx")
    )
    opening = write_opening(load_dataset(table).department)
    assert speaker in opening and "我局" not in opening


def test_self_reference_can_be_set(seed_copy):
    path = seed_copy / "department.yaml"
    path.write_text(path.read_text("utf-8") + "self_reference: 本单位\n", "utf-8")
    from helpers.narrative import write_opening

    assert "本单位对2021年度" in write_opening(load_dataset(seed_copy).department)


def test_the_conclusion_follows_the_results_when_not_given(make_dataset):
    from helpers.narrative import write_totals_sentence
    from helpers.scoring import score_dataset

    department = "name: 某某镇人民政府\nfiscal_year: 2022\nbudget_wan: 100\nspent_wan: 20\n"
    low = make_dataset(
        [{"budget_wan": "100", "spent_wan": "20"}],
        [{"target": "≥1个", "actual": "1个"}],
        department=department,
    )
    sentence = write_totals_sentence(score_dataset(low), low.department)
    assert "2022年我镇" in sentence and "预算执行率仅为20%" in sentence
    assert "未能如期完成" in sentence and "基本完成" not in sentence


@pytest.mark.parametrize(
    "value",
    [
        681.5307,
        310.0,
        0.0,
        -0.0,
        0.1 + 0.2,
        12432.67820001,
        1e16,
        1.5e-05,
        -3.25,
        2.00005,
        float("nan"),
        99999.99995,
    ],
)
def test_amounts_are_written_as_format_wan_writes_them(value):
    assert narrative._wan_text(value) == format_wan(value)
