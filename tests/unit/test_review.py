"""自评复核 (issue 10, item 4): each review rule fires on data built to trigger it and not on a
clean dataset; the self-vs-rule rule matches the published tables' printed 得分 exactly;
copied text is found across departments; the 复核工作底稿 reads back with openpyxl."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers import review as rv
from helpers.evaluation import Evaluation, evaluate, evaluate_path
from helpers.schema import INDICATOR_COLUMNS, PROJECT_COLUMNS
from helpers.scoring import ScoringConfig

from .conftest import write_csv  # with the schema's columns: every column jixiao reads

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = FIXTURES / "corpus"
NARRATIVE = FIXTURES / "narrative"
CORPUS_TABLES = sorted(
    next(p for p in folder.iterdir() if p.suffix in (".xlsx", ".docx", ".xls"))
    for folder in CORPUS.iterdir()
    if folder.is_dir()
)

CLEAN_INDICATORS = [
    {"level1": "产出", "name": "培训人次", "target": "≥100人次", "actual": "110人次"},
    {
        "level1": "产出",
        "level2": "成本",
        "name": "培训成本",
        "target": "≤20万元",
        "actual": "18万元",
    },
    {"level1": "效益", "name": "学员技能合格率", "target": "≥90%", "actual": "92%"},
    {
        "level1": "满意度",
        "name": "学员满意度",
        "target": "≥90%",
        "actual": "95%",
        "note": "发放问卷200份",
    },
]
CLEAN_STATED = (25, 25, 30, 10)  # 产出 50 over two rows, 效益 30, 满意度 10: all met

LONG_REASON = "受汛期持续降雨影响，两期农民实用技术培训延至次年三月举办，培训人次未达年度目标"
OTHER_REASON = "部分行政村选址调整，建设用地审批手续尚未办结，服务站建设数量未达到预期目标"


def department_yaml(name: str = "测试局", **sections: str) -> str:
    text = f"name: {name}\nfiscal_year: 2021\nbudget_wan: 100\nspent_wan: 100\n"
    if sections:
        text += "sections:\n" + "".join(
            f"  {key}: |\n" + "".join(f"    {line}\n" for line in value.splitlines())
            for key, value in sections.items()
        )
    return text


def clean_rows(**changes: dict[str, object]) -> list[dict[str, object]]:
    """The clean indicators with their printed 得分; ``changes`` by row name."""
    rows = []
    for row, stated in zip(CLEAN_INDICATORS, CLEAN_STATED, strict=True):
        rows.append({**row, "stated_score": stated, **changes.get(str(row["name"]), {})})
    return rows


LEVEL2_OF = {"产出": "数量", "效益": "社会效益", "满意度": "服务对象满意度"}
PROJECT_DEFAULTS = {
    "project_id": "P1",
    "category": "测试类别",
    "name": "测试项目",
    "budget_wan": "100",
    "spent_wan": "100",
}


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., Evaluation]:
    """Write a dataset folder (projects, indicators, department.yaml) and evaluate it."""
    counter = iter(range(1_000_000))

    def make(
        projects: list[dict[str, object]] | None = None,
        indicators: list[dict[str, object]] | None = None,
        department: str | None = None,
        config: ScoringConfig | None = None,
    ) -> Evaluation:
        folder = tmp_path / f"dataset{next(counter)}"
        folder.mkdir()
        (folder / "department.yaml").write_text(department or department_yaml(), "utf-8")
        projects = [{**PROJECT_DEFAULTS, **p} for p in projects or [{"stated_score": "100"}]]
        write_csv(folder / "projects.csv", PROJECT_COLUMNS, projects)
        rows = [
            {"project_id": "P1", "level2": LEVEL2_OF.get(str(r["level1"]), "数量"), **r}
            for r in (clean_rows() if indicators is None else indicators)
        ]
        write_csv(folder / "indicators.csv", INDICATOR_COLUMNS, rows)
        return evaluate_path(folder, config=config)

    return make


def fired(findings: pd.DataFrame, rule_id: str) -> pd.DataFrame:
    return findings.loc[findings["rule_id"] == rule_id]


# ----------------------------------------------------------------------------- the table


def test_rules_are_declared_once_with_unique_ids_and_known_severities():
    ids = [rule.id for rule in rv.RULES]
    assert len(set(ids)) == len(ids) == 9
    assert all(rule.severity in rv.SEVERITIES for rule in rv.RULES)
    assert [i[:3] for i in ids] == [f"R{n:02d}" for n in range(1, 10)]
    table = rv.rules_frame()
    assert table["rule_id"].tolist() == ids
    assert table["title"].str.contains(r"[\u4e00-\u9fff]").all()


def test_the_clean_dataset_has_no_finding(build):
    findings = rv.review([build()])
    assert list(findings.columns) == list(rv.FINDING_COLUMNS)
    assert findings.empty, findings["evidence"].tolist()


def test_no_evaluation_no_finding():
    findings = rv.review([])
    assert findings.empty and list(findings.columns) == list(rv.FINDING_COLUMNS)


# ----------------------------------------------------------------------------- R01


def test_self_score_above_the_rules_is_p0_with_the_difference(build):
    ev = build(
        indicators=clean_rows(培训人次={"actual": "50人次", "deviation_reason": LONG_REASON})
    )
    found = fired(rv.review([ev]), "R01-self-vs-rule")
    row = found.loc[found["indicator"] == "培训人次"].iloc[0]
    assert (row.severity, row.self_score, row.rule_score, row.difference) == (
        "P0",
        25.0,
        12.5,
        12.5,
    )
    assert "自评高出 12.5 分" in row.evidence and row.level == "indicator"
    total = found.loc[found["level"] == "project"].iloc[0]  # printed 100, rules 87.5
    assert (total.severity, total.rule_score, total.difference) == ("P0", 87.5, 12.5)
    assert len(found) == 2


def test_self_score_below_the_rules_or_by_rounding_is_p2(build):
    ev = build(
        indicators=clean_rows(
            培训人次={"stated_score": 20, "deviation_reason": LONG_REASON},
            学员技能合格率={"stated_score": 30.3},
        ),
        projects=[{"stated_score": "95.3"}],
    )
    found = fired(rv.review([ev]), "R01-self-vs-rule").set_index("indicator")
    assert found.loc["培训人次", "difference"] == -5.0
    assert "自评低 5 分" in found.loc["培训人次", "evidence"]
    assert found.loc["学员技能合格率", "difference"] == pytest.approx(0.3)
    assert set(found["severity"]) == {"P2"}


def test_a_self_score_the_rules_cannot_check_is_p1(build):
    ev = build(
        indicators=[*clean_rows(), {"level1": "效益", "name": "社会影响", "stated_score": 5}]
    )
    found = fired(rv.review([ev]), "R01-self-vs-rule")
    row = found.loc[found["indicator"] == "社会影响"].iloc[0]
    assert row.severity == "P1" and pd.isna(row.rule_score)
    assert "按规则无法评分（缺少年度指标值和实际完成值）" in row.evidence


def test_the_printed_execution_score_is_compared(build):
    ev = build(
        projects=[
            {
                "spent_wan": "95",
                "stated_execution_score": "10",
                "execution_weight": "10",
                "stated_score": None,
            }
        ]
    )
    found = fired(rv.review([ev]), "R01-self-vs-rule")
    assert found["level"].tolist() == ["execution"]
    row = found.iloc[0]  # 10 − 9.5 = 0.5 points: at the P0 limit
    assert (row.severity, row.self_score, row.rule_score, row.difference) == ("P0", 10, 9.5, 0.5)
    assert "预算执行率 95%，执行率得分自评 10 分（分值 10），按规则 9.5 分" in row.evidence
    rounding = build(projects=[{"spent_wan": "96", "stated_execution_score": "10"}])
    found = fired(rv.review([rounding]), "R01-self-vs-rule")
    assert found["severity"].tolist() == ["P2"] and found.iloc[0].difference == 0.4


@pytest.mark.parametrize("table", CORPUS_TABLES, ids=lambda p: p.parent.name[:2])
def test_self_vs_rule_fires_exactly_where_printed_and_computed_scores_differ(table):
    ev = evaluate_path(table)
    found = fired(rv.review([ev]), "R01-self-vs-rule")
    ind, proj = ev.result.indicators.reset_index(drop=True), ev.result.projects

    def differ(stated: pd.Series, rule: pd.Series) -> pd.Series:
        stated, rule = stated.astype(float), rule.astype(float)
        return stated.notna() & (rule.isna() | (stated - rule).abs().gt(0.005))

    expected_rows = set(ind.index[differ(ind["stated_score"], ind["score"])])
    assert set(found.loc[found["level"] == "indicator", "row"].astype(int)) == expected_rows
    expected_total = set(proj.loc[differ(proj["stated_score"], proj["score"]), "project_id"])
    assert set(found.loc[found["level"] == "project", "project_id"]) == expected_total
    expected_exec = set(
        proj.loc[differ(proj["stated_execution_score"], proj["execution_score"]), "project_id"]
    )
    assert set(found.loc[found["level"] == "execution", "project_id"]) == expected_exec
    for row in found.itertuples():
        higher = row.self_score > row.rule_score + 0.005
        assert ("自评高出" in row.evidence) == higher, row.evidence
        unverifiable = pd.isna(row.rule_score) and row.self_score > 0
        expected = "P0" if row.difference >= 0.495 else "P1" if unverifiable else "P2"
        assert row.severity == expected, row.evidence


def test_corpus_self_vs_rule_known_rows():
    evaluations = [evaluate_path(t) for t in CORPUS_TABLES]
    found = fired(rv.review(evaluations), "R01-self-vs-rule")
    assert len(found) >= 40  # 55 when written: a regression to none must fail
    school = found.loc[found["department"] == "永德县明朗中学"]
    assert set(school["indicator"]) == {"资金到位及时率", "政策知晓率"}  # met row scored 7; 9 of 10
    water = found.loc[(found["department"] == "天长市水利局") & (found["level"] == "project")]
    assert (water.iloc[0].severity, water.iloc[0].self_score, water.iloc[0].rule_score) == (
        "P0",
        100.0,
        40.0,
    )


# ----------------------------------------------------------------------------- R02


def test_all_projects_self_scored_100(build):
    two = [{"project_id": "P1", "stated_score": "100"}, {"project_id": "P2", "stated_score": "100"}]
    indicators = [*clean_rows(), *({**r, "project_id": "P2"} for r in clean_rows())]
    found = fired(rv.review([build(two, indicators)]), "R02-all-full-marks")
    assert len(found) == 1 and found.iloc[0].level == "department"
    assert found.iloc[0].severity == "P2"  # the rules agree: 100 and 100
    assert "全部 2 个项目自评均为 100 分" in found.iloc[0].evidence

    indicators[4] = {**indicators[4], "actual": "50人次", "deviation_reason": LONG_REASON}
    found = fired(rv.review([build(two, indicators)]), "R02-all-full-marks")
    assert found.iloc[0].severity == "P1" and found.iloc[0].rule_score == 93.75
    assert "87.5～100 分" in found.iloc[0].evidence

    mixed = [two[0], {"project_id": "P2", "stated_score": "95"}]
    assert fired(rv.review([build(mixed, indicators)]), "R02-all-full-marks").empty
    assert fired(rv.review([build()]), "R02-all-full-marks").empty  # one project only


# ----------------------------------------------------------------------------- R03


@pytest.mark.parametrize(
    ("row", "fires"),
    [
        ({"level2": "成本", "name": "培训成本", "target": "≥20万元", "actual": "18万元"}, True),
        ({"level2": "数量", "name": "会议费用", "target": "不低于5万元", "actual": "5万元"}, True),
        ({"level2": "数量", "name": "运行成本", "target": "5万元以上", "actual": "5万元"}, True),
        ({"level2": "数量", "name": "支出控制", "target": "≥5万元", "actual": "5万元"}, True),
        ({"level2": "数量", "name": "会务费用", "target": "大于5万元", "actual": "6万元"}, True),
        ({"level2": "成本", "name": "培训成本", "target": "≤20万元", "actual": "18万元"}, False),
        ({"level2": "质量", "name": "成本控制率", "target": "≥90%", "actual": "95%"}, False),
        ({"level2": "数量", "name": "虫害控制面积", "target": "≥500亩", "actual": "520亩"}, False),
    ],
)
def test_a_cost_indicator_written_as_a_floor(build, row, fires):
    rows = clean_rows()
    rows[1] = {**rows[1], **row, "stated_score": None}
    found = fired(rv.review([build(indicators=rows)]), "R03-cost-as-floor")
    assert len(found) == int(fires)
    if fires:
        assert found.iloc[0].indicator == row["name"] and found.iloc[0].severity == "P1"
        assert "≤" in found.iloc[0].evidence


# ----------------------------------------------------------------------------- R04


@pytest.mark.parametrize(
    ("change", "fires"),
    [
        ({"note": None}, True),
        ({"note": None, "actual": "95%（第三方问卷调查）"}, False),
        ({"note": "电话回访300户"}, False),
        ({"note": None, "target": None, "stated_score": None}, False),  # not scored
    ],
)
def test_satisfaction_scored_without_a_survey(build, change, fires):
    ev = build(indicators=clean_rows(学员满意度=change))
    found = fired(rv.review([ev]), "R04-satisfaction-unsurveyed")
    assert len(found) == int(fires)
    if fires:
        assert found.iloc[0].indicator == "学员满意度" and "问卷" in found.iloc[0].evidence


# ----------------------------------------------------------------------------- R05


def test_target_exceeded_by_130_percent(build):
    found = fired(
        rv.review([build(indicators=clean_rows(培训人次={"actual": "130人次"}))]),
        "R05-target-too-low",
    )
    assert found["indicator"].tolist() == ["培训人次"]
    assert "完成 130%（≥130%）" in found.iloc[0].evidence
    quiet = rv.review([build(indicators=clean_rows(培训人次={"actual": "129人次"}))])
    assert fired(quiet, "R05-target-too-low").empty
    relaxed = build(
        indicators=clean_rows(培训人次={"actual": "130人次"}),
        config=ScoringConfig(over_achievement_pct=150),
    )
    assert fired(rv.review([relaxed]), "R05-target-too-low").empty


# ----------------------------------------------------------------------------- R06


@pytest.mark.parametrize(
    ("change", "fires"),
    [
        ({"actual": "50人次", "stated_score": 12.5}, True),
        ({"actual": "50人次", "stated_score": 12.5, "deviation_reason": "无"}, True),
        ({"actual": "50人次", "stated_score": 12.5, "deviation_reason": "／"}, True),
        ({"actual": "50人次", "stated_score": 12.5, "deviation_reason": LONG_REASON}, False),
        ({"stated_score": 20}, True),  # met by the rules, deducted by the unit
        ({"stated_score": 20, "deviation_reason": "培训教材未按时印发，自评扣5分"}, False),
    ],
)
def test_unmet_or_deducted_without_a_reason(build, change, fires):
    ev = build(indicators=clean_rows(培训人次=change), projects=[{}])
    found = fired(rv.review([ev]), "R06-no-deviation-reason")
    assert found["indicator"].tolist() == (["培训人次"] if fires else [])
    if fires:
        assert "未说明偏差原因" in found.iloc[0].evidence


# ----------------------------------------------------------------------------- R07


@pytest.mark.parametrize(("target", "fires"), [(None, True), ("—", True), ("≥100人次", False)])
def test_indicator_without_a_target(build, target, fires):
    ev = build(indicators=clean_rows(培训人次={"target": target, "stated_score": None}))
    found = fired(rv.review([ev]), "R07-missing-target")
    assert found["indicator"].tolist() == (["培训人次"] if fires else [])


# ----------------------------------------------------------------------------- R08


def test_low_execution_without_a_reason(build):
    low = build(projects=[{"spent_wan": "50"}])
    found = fired(rv.review([low]), "R08-low-execution-no-reason")
    assert len(found) == 1 and found.iloc[0].level == "execution"
    assert "预算执行率 50%，低于 90%" in found.iloc[0].evidence
    explained = build(projects=[{"spent_wan": "50", "low_execution_reason": "工程尾款次年支付"}])
    assert fired(rv.review([explained]), "R08-low-execution-no-reason").empty
    assert fired(
        rv.review([build(projects=[{"spent_wan": "95"}])]), "R08-low-execution-no-reason"
    ).empty
    lenient = build(projects=[{"spent_wan": "50"}], config=ScoringConfig(low_execution_pct=40))
    assert fired(rv.review([lenient]), "R08-low-execution-no-reason").empty


def test_low_execution_on_the_narrative_fixtures():
    evaluations = [
        evaluate(2023, "示例县卫生健康委员会", NARRATIVE),
        evaluate(2022, "示例县供销合作社联合社", NARRATIVE),
    ]
    found = fired(rv.review(evaluations), "R08-low-execution-no-reason")
    # WJ01 and GX01 give a reason; WJ02 (20 %), GX02 (82.81 %) and GX03 do not.
    assert sorted(found["project_id"]) == ["GX02", "GX03", "WJ02"]


# ----------------------------------------------------------------------------- R09


def unmet_with(reason: str) -> list[dict[str, object]]:
    return clean_rows(
        培训人次={"actual": "50人次", "stated_score": 12.5, "deviation_reason": reason}
    )


def test_a_deviation_reason_copied_between_departments(build):
    a = build(indicators=unmet_with(LONG_REASON), department=department_yaml("甲局"))
    near = LONG_REASON.replace("三月", "四月").replace("两期", "三期")
    b = build(indicators=unmet_with(near), department=department_yaml("乙局"))
    found = fired(rv.review([a, b]), "R09-copied-text")
    assert found["department"].tolist() == ["甲局", "乙局"]  # in the order given
    assert set(found["severity"]) == {"P1"} and set(found["indicator"]) == {"培训人次"}
    evidence = found.set_index("department").loc["甲局", "evidence"]
    assert "乙局「测试项目」三级指标「培训人次」的偏差原因高度相似" in evidence

    exact = build(indicators=unmet_with(LONG_REASON), department=department_yaml("丙局"))
    found = fired(rv.review([a, exact]), "R09-copied-text")
    assert len(found) == 2 and found["evidence"].str.contains("相同").all()


def test_different_or_short_texts_are_not_copies(build):
    a = build(indicators=unmet_with(LONG_REASON), department=department_yaml("甲局"))
    b = build(indicators=unmet_with(OTHER_REASON), department=department_yaml("乙局"))
    assert fired(rv.review([a, b]), "R09-copied-text").empty
    short_a = build(
        indicators=unmet_with("受疫情影响，未能按期开展"), department=department_yaml("甲局")
    )
    short_b = build(
        indicators=unmet_with("受疫情影响，未能按期开展"), department=department_yaml("乙局")
    )
    assert fired(rv.review([short_a, short_b]), "R09-copied-text").empty


def test_copies_between_projects_of_one_department_are_p2_and_within_a_project_ignored(build):
    projects = [{"project_id": "P1"}, {"project_id": "P2", "name": "另一项目"}]
    rows = unmet_with(LONG_REASON)
    second = [{**r, "project_id": "P2"} for r in unmet_with(LONG_REASON)]
    found = fired(rv.review([build(projects, [*rows, *second])]), "R09-copied-text")
    assert sorted(found["project_id"]) == ["P1", "P2"] and set(found["severity"]) == {"P2"}

    same_project = [*rows, {**rows[0], "name": "培训班次", "target": "≥4期", "actual": "2期"}]
    assert fired(rv.review([build(indicators=same_project)]), "R09-copied-text").empty


def test_a_section_paragraph_copied_between_departments(build):
    shared = "在今后的工作中，我局将严格按照新《预算法》的要求，加大绩效管理工作力度，加强预算编制的科学性"
    a = build(department=department_yaml("甲局", next_steps=f"一是加强培训。\n\n{shared}"))
    b = build(
        department=department_yaml("乙委", problems=shared.replace("我局", "我委")),
    )
    c = build(department=department_yaml("丙局", problems=OTHER_REASON))
    found = fired(rv.review([a, b, c]), "R09-copied-text")
    assert found["department"].tolist() == ["甲局", "乙委"]
    assert set(found["level"]) == {"department"} and set(found["project"]) == {""}
    assert "乙委“存在问题及原因”部分" in found.set_index("department").loc["甲局", "evidence"]


def test_near_duplicate_families():
    keys = [
        rv.normalise_text(LONG_REASON),
        rv.normalise_text(OTHER_REASON),
        rv.normalise_text(LONG_REASON.replace("三月", "五月")),
        rv.normalise_text("受汛期持续降雨影响"),
        rv.normalise_text(OTHER_REASON.replace("部分行政村", "三个村")),
    ]
    assert rv.near_duplicate_families(keys) == [0, 1, 0, 3, 1]
    assert rv.similarity(keys[0], keys[2]) >= rv.SIMILARITY > rv.similarity(keys[0], keys[1])


def test_thousands_of_near_identical_texts_stay_quick():
    import itertools
    import random
    import time

    pool = "东南西北上下中前后左右金木水火土山川河湖田林草花石桥"
    villages = ["".join(p) for p in itertools.product(pool, repeat=3)][:3000]
    keys = [
        rv.normalise_text(f"{v}村服务站因用地审批未完成延期建设，预计次年完工投入使用")
        for v in villages
    ]
    rng = random.Random(10)
    chars = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000))
    keys += ["".join(rng.choice(chars) for _ in range(30)) for _ in range(3000)]
    start = time.perf_counter()
    families = rv.near_duplicate_families(keys)
    assert time.perf_counter() - start < 20
    assert set(families[:3000]) == {0}  # one family of village texts
    assert families[3000:] == list(range(3000, 6000))  # the random texts stand alone


# ----------------------------------------------------------------------------- order, seed


def test_findings_are_sorted_by_severity_then_department():
    evaluations = [evaluate_path(t) for t in CORPUS_TABLES]
    findings = rv.review(evaluations)
    order = findings["severity"].map({"P0": 0, "P1": 1, "P2": 2})
    assert order.is_monotonic_increasing
    assert set(findings["severity"]) == {"P0", "P1", "P2"}
    position = {ev.dataset.department.name: i for i, ev in enumerate(evaluations)}
    for _, group in findings.groupby("severity"):
        assert group["department"].map(position).is_monotonic_increasing


def test_the_seed_review():
    findings = rv.review([evaluate(2021, "高新区科技局")])
    assert "P0" not in set(findings["severity"])  # its one printed score (JG04 92.5) agrees
    over = fired(findings, "R05-target-too-low").set_index("indicator")
    assert "完成 200%" in over.loc["认定获奖数量", "evidence"]
    reasons = fired(findings, "R06-no-deviation-reason")
    assert "引进港澳台项目数量" in set(reasons["indicator"])
    counts = rv.counts_by_rule(findings)
    assert counts.loc["R07-missing-target", "total"] > 20
    assert counts["total"].sum() == len(findings)


# ----------------------------------------------------------------------------- the workbook


def test_the_workbook_round_trips(build, tmp_path):
    hostile = "=1+1"
    ev = build(
        indicators=clean_rows(
            培训人次={"actual": "50人次", "deviation_reason": hostile}, 学员满意度={"note": None}
        )
    )
    findings = rv.review([ev])
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "复核工作底稿.xlsx"
    assert rv.write_review_workbook([ev], findings, target) == target
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial file left

    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["复核工作底稿", "复核发现", "规则", "未纳入部门"]
    assert [[c.value for c in row] for row in book["未纳入部门"].iter_rows()] == [
        ["部门", "数据校验问题（未复核）"]
    ]
    sheet = book["复核工作底稿"]
    headers = [c.value for c in sheet[1]]
    assert headers == list(rv.WORKSHEET_HEADERS)
    for name in (
        "部门",
        "项目",
        "三级指标",
        "自评完成值",
        "自评得分",
        "复核完成值",
        "复核得分",
        "偏离度",
        "问题",
        "规则",
    ):
        assert name in headers
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["M"].width == 60
    rows = [
        dict(zip(headers, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    assert [r["三级指标"] for r in rows] == [
        "预算执行率",
        "培训人次",
        "培训成本",
        "学员技能合格率",
        "学员满意度",
        "项目总分",
    ]
    training = rows[1]
    assert (training["自评得分"], training["复核得分"], training["偏离度"]) == (25, 12.5, 12.5)
    assert training["自评完成值"] == "50人次" and training["复核完成值"] == "50人次"
    assert "R01-self-vs-rule" in training["规则"] and "自评高出 12.5 分" in training["问题"]
    assert rows[4]["规则"] == "R04-satisfaction-unsurveyed"
    assert rows[5]["规则"] == "R01-self-vs-rule" and rows[5]["复核得分"] == 87.5

    found = book["复核发现"]
    assert [c.value for c in found[1]] == list(rv.FINDINGS_HEADERS)
    assert found.max_row == len(findings) + 1
    assert [c.value for c in book["规则"]["A"][1:]] == [r.id for r in rv.RULES]

    copied = build(
        indicators=clean_rows(培训人次={"actual": "50人次", "deviation_reason": hostile}),
        department=department_yaml('=HYPERLINK("http://x")'),
    )
    rv.write_review_workbook([copied], rv.review([copied]), target)
    sheet = openpyxl.load_workbook(target)["复核工作底稿"]
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_formula_like_text_stays_text_in_every_sheet(build, tmp_path):
    ev = build(
        indicators=clean_rows(培训人次={"target": None, "actual": "=1+1", "stated_score": None})
    )
    findings = rv.review([ev])
    target = rv.write_review_workbook([ev], findings, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(target)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    formula_like = [c for c in cells if str(c.value).startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    assert "=1+1" in [c.value for c in formula_like]
    assert any("=1+1" in str(c.value) for c in cells if c.column_letter == "H")  # in 问题 too


def test_error_like_and_wrapped_formula_like_text_stay_text(build, tmp_path):
    """The workbook is written row by row (write-only): text typed as text there too."""
    ev = build(
        indicators=clean_rows(
            培训人次={"actual": "#N/A"},
        ),
        department=department_yaml("=1+1"),
    )
    findings = rv.review([ev])
    target = rv.write_review_workbook([ev], findings, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(target)
    sheet = book["复核工作底稿"]
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:N")
    assert sheet["L1"].comment is not None and sheet["A1"].font.b
    problems = [row[12] for row in sheet.iter_rows(min_row=2)]
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in problems)
    cells = [c for s in book for row in s.iter_rows() for c in row if c.value is not None]
    hostile = [c for c in cells if str(c.value) in ("=1+1", "#N/A")]
    assert {c.value for c in hostile} == {"=1+1", "#N/A"}
    assert all(c.data_type == "s" for c in hostile)
    assert all(c.data_type != "f" for c in cells)


def test_the_workbook_wants_xlsx(build, tmp_path):
    ev = build()
    (tmp_path / "out").mkdir()
    with pytest.raises(ValueError, match="xlsx"):
        rv.write_review_workbook([ev], rv.review([ev]), tmp_path / "out" / "r.csv")
    assert not list((tmp_path / "out").iterdir())


def _families_by_brute_force(keys: list[str]) -> list[int]:
    """The definition, with no filter: each text against every earlier leader, in order."""
    leaders: list[int] = []
    family = list(range(len(keys)))
    for i, key in enumerate(keys):
        a = rv._bigrams(key)
        for j in leaders:
            b = rv._bigrams(keys[j])
            shared = len(a & b)
            if shared >= rv.CANDIDATE_JACCARD * len(a | b) and (
                rv.similarity(key, keys[j]) >= rv.SIMILARITY
            ):
                family[i] = j
                break
        else:
            leaders.append(i)
    return family


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_near_duplicate_families_are_the_brute_force_families(seed: int) -> None:
    """The prefix filter and the bulk Jaccard bound drop no pair the definition keeps."""
    import random

    rng = random.Random(seed)
    pieces = [
        "受疫情影响",
        "部分培训活动",
        "宣传活动",
        "延期至下一年度",
        "举办",
        "资金拨付",
        "滞后",
        "项目",
        "审批尚未完成",
        "选址调整",
        "两个行政村",
        "按计划完成",
        "年度",
    ]
    keys = list(
        dict.fromkeys(
            "".join(rng.choice(pieces) for _ in range(rng.randint(2, 6))) for _ in range(400)
        )
    )
    families = rv.near_duplicate_families(keys)
    assert families == _families_by_brute_force(keys)
    assert len(set(families)) < len(keys) - 50  # many texts join a family
