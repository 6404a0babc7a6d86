"""helpers.scoring: the rules of the module docstring, one by one, on tiny inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import narrative
from helpers.parse import parse_indicator_values
from helpers.scoring import (
    ScoringConfig,
    assign_weights,
    grade_for,
    round_half_up,
    score_rows,
)


def rows(targets, actuals, config=None, fiscal_year=2021) -> pd.DataFrame:
    target = parse_indicator_values(pd.Series(targets, dtype="object"), fiscal_year)
    actual = parse_indicator_values(pd.Series(actuals, dtype="object"), fiscal_year)
    return score_rows(target, actual, config)


def fraction(target, actual, config=None) -> float:
    return float(rows([target], [actual], config)["fraction"].iloc[0])


def fraction_with_actual_value(target: str, actual_text: str, actual_value: float) -> float:
    """Score against a parsed actual whose number is forced (independent of the parser)."""
    t = parse_indicator_values(pd.Series([target], dtype="object"))
    a = parse_indicator_values(pd.Series([actual_text], dtype="object"))
    a.loc[0, "value"] = actual_value
    return float(score_rows(t, a)["fraction"].iloc[0])


def project(result, pid="P1") -> pd.Series:
    return result.projects.set_index("project_id").loc[pid]


def project_flags(result, pid="P1") -> list[str]:
    """The narrative's sentences of one project's flags."""
    written = narrative.write_project_flags(result.flags, len(result.projects))
    return dict(zip(result.projects["project_id"], written, strict=True))[pid]


def indicator(result, name) -> pd.Series:
    matches = result.indicators[result.indicators["name"] == name]
    assert len(matches) == 1, name
    return matches.iloc[0]


# --- numeric rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥4个", "4个", 1.0),  # met exactly
        ("≥4个", "5个", 1.0),  # met
        ("≥4个", "1个", 0.25),  # unmet: actual / target
        ("≥4个", "0个", 0.0),
        ("≥4个", "8个", 1.0),  # over-achievement is capped at full
        ("不低于90%", "95%", 1.0),
        ("不低于90%", "45%", 0.5),
        (">10场", "5场", 0.5),
        ("4次", "1次", 0.25),  # a bare number is "=" and scored like ≥
        ("4次", "12次", 1.0),
        ("=8个", "8个", 1.0),
    ],
)
def test_at_least_rules(target, actual, expected):
    assert fraction(target, actual) == pytest.approx(expected)


def test_over_achievement_keeps_the_uncapped_completion():
    scored = rows(["≥4个"], ["8个"])
    assert scored["fraction"].iloc[0] == 1.0
    assert scored["completion_pct"].iloc[0] == pytest.approx(200.0)
    assert bool(scored["is_ge_rule"].iloc[0]) is True


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≤100万元", "100万元", 1.0),  # at the target
        ("≤100万元", "80万元", 1.0),  # below the target
        ("≤100万元", "150万元", 0.5),  # between target and 2 × target
        ("≤100万元", "125万元", 0.75),
        ("≤100万元", "200万元", 0.0),  # exactly 2 × target
        ("≤100万元", "250万元", 0.0),  # above 2 × target: 0, not negative
        ("不超过 360 天", "540天", 0.5),
        ("<100万元", "150万元", 0.5),
    ],
)
def test_at_most_rules(target, actual, expected):
    assert fraction(target, actual) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("actual_text", "actual_value", "expected"),
    [("0起", 0.0, 1.0), ("1起", 1.0, 0.0), ("1起", -1.0, 1.0), ("3起", 3.0, 0.0)],
)
def test_equal_zero_target(actual_text, actual_value, expected):
    assert fraction_with_actual_value("=0起", actual_text, actual_value) == expected


def test_equal_zero_target_from_text():
    assert fraction("=0起", "0起") == 1.0
    assert fraction("=0起", "1起") == 0.0
    assert fraction("=0起", "-1起") == 1.0


def test_negative_actual_on_an_at_least_rule_scores_zero_not_negative():
    assert fraction_with_actual_value("≥4个", "2个", -2.0) == 0.0
    assert fraction("≥4个", "-2个") == 0.0


def test_negative_actual_in_a_dataset_scores_zero(score_project):
    result = score_project(
        [
            {"name": "数量", "target": "≥4个", "actual": "-2个", "deviation_reason": "退回"},
            {"level1": "效益", "target": "显著改善", "actual": "达成"},
            {"level1": "满意度", "target": "≥90%", "actual": "95%"},
        ]
    )
    row = indicator(result, "数量")
    assert row["score"] == 0.0
    assert row["status"] == "未达成"
    assert project(result)["score"] == 50.0


# --- qualitative and deadline rules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"), [("达成", 1.0), ("部分达成", 0.7), ("未达成", 0.3)]
)
def test_qualitative_grades(actual, expected):
    assert fraction("达成预期指标", actual) == expected


def test_qualitative_grade_words():
    scored = rows(["合规", "及时", "显著改善"], ["基本合规", "不及时", "显著改善"])
    assert scored["fraction"].tolist() == [0.7, 0.3, 1.0]


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("2021年11月30日完成", 1.0),  # before the deadline
        ("2021年12月31日", 1.0),  # on the deadline
        ("12月前完成拨付", 1.0),  # year = fiscal year
        ("2022年1月完成", 0.3),  # late: 未达成
        ("2022年底之前", 0.3),
    ],
)
def test_deadline_met_or_late(actual, expected):
    assert fraction("2021年12月前", actual) == expected


def test_late_deadline_uses_the_configured_unmet_fraction():
    config = ScoringConfig(grade_fractions={"达成": 1.0, "部分达成": 0.7, "未达成": 0.5})
    assert fraction("2021年12月前", "2022年1月完成", config) == 0.5


def test_configurable_grade_fractions():
    config = ScoringConfig(grade_fractions={"达成": 0.9, "部分达成": 0.65, "未达成": 0.1})
    scored = rows(["达成预期指标"] * 3, ["达成", "部分达成", "未达成"], config)
    assert scored["fraction"].tolist() == [0.9, 0.65, 0.1]


@pytest.mark.parametrize(
    "fractions",
    [
        {"达成": 0.8, "部分达成": 0.6, "未达成": 0.0},  # lower edges of the bands
        {"达成": 1.0, "部分达成": 0.79, "未达成": 0.59},  # just inside the open upper edges
    ],
)
def test_grade_fractions_inside_the_official_bands_are_accepted(fractions):
    assert ScoringConfig(grade_fractions=fractions).grade_fractions == fractions


@pytest.mark.parametrize(
    "fractions",
    [
        {"达成": 0.79, "部分达成": 0.7, "未达成": 0.3},  # 达成 in [0.8, 1]
        {"达成": 1.01, "部分达成": 0.7, "未达成": 0.3},
        {"达成": 1.0, "部分达成": 0.8, "未达成": 0.3},  # 部分达成 in [0.6, 0.8)
        {"达成": 1.0, "部分达成": 0.59, "未达成": 0.3},
        {"达成": 1.0, "部分达成": 0.7, "未达成": 0.6},  # 未达成 in [0, 0.6)
        {"达成": 1.0, "部分达成": 0.7, "未达成": -0.1},
        {"达成": 1.0, "部分达成": 0.7},  # a grade without a fraction
    ],
)
def test_grade_fractions_outside_the_official_bands_are_rejected(fractions):
    with pytest.raises(ValueError, match="official band"):
        ScoringConfig(grade_fractions=fractions)


def test_level_weights_must_total_100_with_the_execution_weight():
    with pytest.raises(ValueError, match="weights must total 100"):
        ScoringConfig(level_weights={"产出": 50.0, "效益": 30.0, "满意度": 20.0})
    ScoringConfig(level_weights={"产出": 60.0, "效益": 20.0, "满意度": 10.0})
    ScoringConfig(execution_weight=20.0, level_weights={"产出": 50.0, "效益": 20.0, "满意度": 10.0})


# --- missing, unjudgeable ---------------------------------------------------------------------


def test_missing_target_or_actual_is_not_scored_and_flagged():
    scored = rows(["≥4个", None, "≥4个", "高质量"], [None, "4个", "4个", "很好"])
    assert scored["is_scorable"].tolist() == [False, False, True, False]
    assert scored["is_missing_actual"].tolist() == [True, False, False, False]
    assert scored["is_missing_target"].tolist() == [False, True, False, False]
    assert scored["is_unjudgeable"].tolist() == [False, False, False, True]
    assert math.isnan(scored["fraction"].iloc[0])


def test_missing_value_policy_zero_scores_missing_rows_zero():
    config = ScoringConfig(missing_value_policy="zero")
    scored = rows(["≥4个", None], [None, "4个"], config)
    assert scored["fraction"].tolist() == [0.0, 0.0]
    assert scored["is_scorable"].tolist() == [True, True]


def test_unit_mismatch_is_flagged():
    scored = rows(["≥100万元", "≥100人"], ["100%", "120人"])
    assert scored["has_unit_mismatch"].tolist() == [True, False]


# --- rounding and grades ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2.675, 2, 2.68),  # 2.675 is 2.67499… in binary; finance rounding still gives 2.68
        (0.125, 2, 0.13),  # banker's rounding would give 0.12
        (5.625, 2, 5.63),
        (1.005, 2, 1.01),
        (2.674, 2, 2.67),
        (-2.675, 2, -2.68),
        (92.5, 2, 92.5),
        (0.0, 2, 0.0),
        (681.53065, 4, 681.5307),
        (99.96979, 2, 99.97),
    ],
)
def test_round_half_up(value, decimals, expected):
    assert float(round_half_up(value, decimals)) == expected


def test_round_half_up_on_series_keeps_the_index_and_missing_values():
    out = round_half_up(pd.Series([0.125, np.nan, 2.675], index=[3, 1, 2]), 2)
    assert list(out.index) == [3, 1, 2]
    assert out.iloc[0] == 0.13
    assert math.isnan(out.iloc[1])
    assert out.iloc[2] == 2.68


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100.0, "优"),
        (90.0, "优"),
        (89.99, "良"),
        (80.0, "良"),
        (79.99, "中"),
        (60.0, "中"),
        (59.99, "差"),
        (0.0, "差"),
    ],
)
def test_grade_for(score, grade):
    assert grade_for(pd.Series([score])).tolist() == [grade]


def test_grade_for_keeps_missing_scores_missing():
    grades = grade_for(pd.Series([92.5, None], index=["a", "b"]))
    assert grades["a"] == "优"
    assert pd.isna(grades["b"])


def test_each_row_is_rounded_half_up_and_the_total_is_the_sum_of_rounded_rows(score_project):
    # 1/8 of 45 points = 5.625 per row → 5.63 each (not 5.62), so 11.26 and not round(11.25).
    result = score_project(
        [
            {"target": "≥8个", "actual": "1个", "weight": "45", "deviation_reason": "疫情"},
            {"target": "≥8个", "actual": "1个", "weight": "45", "deviation_reason": "疫情"},
        ]
    )
    assert result.indicators["score"].tolist() == [5.63, 5.63]
    p = project(result)
    assert p["indicator_score"] == pytest.approx(11.26)
    assert p["execution_score"] == 10.0
    assert p["score"] == pytest.approx(21.26)
    assert p["grade"] == "差"


# --- weights ----------------------------------------------------------------------------------


def test_assign_weights_explicit_kept_rest_split_and_missing_level_redistributed():
    rows_ = pd.DataFrame(
        {
            "project_id": ["A"] * 3,
            "level1": ["产出", "产出", "满意度"],
            "weight": [10.0, None, None],
            "is_scorable": [True, True, True],
        }
    )
    out = assign_weights(rows_)
    assert out["weight_used"].tolist() == pytest.approx([10.0, 65.0, 15.0])
    assert out["weight_used"].sum() + ScoringConfig().execution_weight == pytest.approx(100.0)


def test_assign_weights_splits_each_level_evenly_over_its_rows():
    rows_ = pd.DataFrame(
        {
            "project_id": ["A", "A", "A", "A", "A", "B"],
            "level1": ["产出", "产出", "产出", "效益", "满意度", "产出"],
            "weight": [None] * 6,
            "is_scorable": [True] * 6,
        }
    )
    out = assign_weights(rows_)
    # Even split, rounded to 0.01 by largest remainder so the level still holds exactly 50.
    assert out["weight_used"].tolist() == pytest.approx([16.67, 16.67, 16.66, 30, 10, 90])
    assert out.loc[out["project_id"] == "A", "weight_used"].sum() == pytest.approx(90.0, abs=1e-9)


def test_a_project_meeting_every_target_scores_exactly_100_whatever_the_split():
    # 7 equal rows of 90/7 = 12.857…: rounding each to 12.86 would total 100.02.
    rows_ = pd.DataFrame(
        {
            "project_id": ["A"] * 7,
            "level1": ["产出"] * 7,
            "weight": [None] * 7,
            "is_scorable": [True] * 7,
        }
    )
    weights = assign_weights(rows_)["weight_used"]
    assert sorted(weights.round(2).tolist()) == [12.85] * 2 + [12.86] * 5
    assert weights.sum() + ScoringConfig().execution_weight == pytest.approx(100.0, abs=1e-9)


def test_assign_weights_unscorable_rows_get_nothing_and_others_take_their_share():
    rows_ = pd.DataFrame(
        {
            "project_id": ["A"] * 4,
            "level1": ["产出", "产出", "效益", "满意度"],
            "weight": [None] * 4,
            "is_scorable": [True, False, True, True],
        }
    )
    out = assign_weights(rows_)
    assert out["weight_used"].tolist() == pytest.approx([50, 0, 30, 10])


def test_cost_rows_count_with_output():
    rows_ = pd.DataFrame(
        {
            "project_id": ["A"] * 4,
            "level1": ["产出", "成本", "效益", "满意度"],
            "weight": [None] * 4,
            "is_scorable": [True] * 4,
        }
    )
    out = assign_weights(rows_)
    assert out["pool"].tolist() == ["产出", "产出", "效益", "满意度"]
    assert out["weight_used"].tolist() == pytest.approx([25, 25, 30, 10])


def test_weights_in_a_dataset_total_100_and_level_notes_name_the_missing_level(score_project):
    result = score_project(
        [
            {"name": "甲", "target": "≥4个", "actual": "4个", "weight": "20"},
            {"name": "乙", "target": "≥4个", "actual": "4个"},
            {"name": "丙", "level1": "满意度", "target": "≥90%", "actual": "95%"},
        ]
    )
    weights = result.indicators.set_index("name")["weight_used"]
    assert weights["甲"] == 20.0  # explicit weight kept
    assert weights["乙"] == pytest.approx(55.0)  # 产出 50 → 75 after 效益's 30 is shared out
    assert weights["丙"] == pytest.approx(15.0)  # 满意度 10 → 15
    assert weights.sum() + result.config.execution_weight == pytest.approx(100.0)
    assert project(result)["score"] == 100.0
    notes = project(result)["level_notes"]
    assert len(notes) == 1
    assert "效益（30 分）" in notes[0]
    assert "产出 75 分" in notes[0]
    assert "满意度 15 分" in notes[0]


def test_a_project_scored_by_its_printed_weights_has_no_level_note(score_project):
    """Every row printed with its 分值 and no 满意度 row: the 分值 are scored as printed, so no
    note may say the missing level's points went to the others (a user trial found one)."""
    result = score_project(
        [
            {"name": "甲", "target": "≥4个", "actual": "4个", "weight": "60"},
            {"name": "乙", "level1": "效益", "target": "显著", "actual": "显著", "weight": "30"},
        ]
    )
    assert result.indicators["weight_used"].tolist() == [60.0, 30.0]
    assert project(result)["level_notes"] == []


def test_full_levels_have_no_level_notes(score_project):
    result = score_project(
        [
            {"target": "≥4个", "actual": "4个"},
            {"level1": "效益", "target": "显著改善", "actual": "显著改善"},
            {"level1": "满意度", "target": "≥90%", "actual": "95%"},
        ]
    )
    assert result.indicators["weight_used"].tolist() == pytest.approx([50, 30, 10])
    assert project(result)["level_notes"] == []


def test_a_level_whose_rows_all_lack_values_hands_over_its_weight(score_project):
    result = score_project(
        [
            {"name": "甲", "target": "≥4个", "actual": "4个"},
            {"name": "乙", "level1": "满意度", "actual": "100%"},  # no target
        ]
    )
    weights = result.indicators.set_index("name")["weight_used"]
    assert weights["甲"] == pytest.approx(90.0)
    assert weights["乙"] == 0.0
    assert weights.sum() + 10 == pytest.approx(100.0)
    notes = " ".join(project(result)["level_notes"])
    assert "效益（30 分）" in notes and "满意度（10 分）" in notes
    assert "缺少目标值：乙" in project_flags(result)


@pytest.mark.parametrize(
    ("policy", "expected_weights", "expected_score"),
    [("exclude", [50, 0, 30, 10], 100.0), ("zero", [25, 25, 30, 10], 75.0)],
)
def test_missing_value_policy_in_a_dataset(score_project, policy, expected_weights, expected_score):
    result = score_project(
        [
            {"target": "≥4个", "actual": "4个"},
            {"target": "≥4个"},  # no actual
            {"level1": "效益", "target": "显著改善", "actual": "显著改善"},
            {"level1": "满意度", "target": "≥90%", "actual": "95%"},
        ],
        config=ScoringConfig(missing_value_policy=policy),
    )
    assert result.indicators["weight_used"].tolist() == pytest.approx(expected_weights)
    assert project(result)["score"] == expected_score


def test_weights_total_100_for_every_seed_project(seed_result):
    ind = seed_result.indicators
    scored = seed_result.projects[seed_result.projects["n_scored"] > 0]["project_id"]
    totals = ind[ind["project_id"].isin(scored)].groupby("project_id")["weight_used"].sum()
    assert (totals + seed_result.config.execution_weight).round(9).eq(100.0).all()


# --- execution rate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_fields", "rate", "execution_score"),
    [
        ({"budget_wan": "100", "spent_wan": "95"}, 95.0, 9.5),
        ({"budget_wan": "100", "spent_wan": "100"}, 100.0, 10.0),
        ({"budget_wan": "100", "spent_wan": "120"}, 120.0, 10.0),  # capped: min(rate, 1) × 10
        ({"budget_wan": "100", "spent_wan": "0"}, 0.0, 0.0),
        ({"budget_wan": "26.95", "spent_wan": "", "stated_execution_rate_pct": "91"}, 91.0, 9.1),
        ({"budget_wan": "3", "spent_wan": "2"}, 66.67, 6.67),
    ],
)
def test_execution_rate_score(score_project, project_fields, rate, execution_score):
    result = score_project([{"target": "≥4个", "actual": "4个"}], **project_fields)
    p = project(result)
    assert p["execution_rate_pct"] == rate
    assert p["execution_score"] == execution_score
    assert p["score"] == pytest.approx(90.0 + execution_score)


def test_no_execution_data_means_no_total_score(score_project):
    result = score_project([{"target": "≥4个", "actual": "4个"}], spent_wan="")
    p = project(result)
    assert pd.isna(p["score"])
    assert pd.isna(p["grade"])
    assert any("缺少执行数据" in flag for flag in project_flags(result))


# --- flags ------------------------------------------------------------------------------------


FULL_OTHER_LEVELS = [
    {"level1": "效益", "target": "显著改善", "actual": "显著改善"},
    {"level1": "满意度", "target": "≥90%", "actual": "95%"},
]


def flags_of(score_project, first_row, **project_fields) -> list[str]:
    result = score_project([{"name": "指标甲", **first_row}, *FULL_OTHER_LEVELS], **project_fields)
    return project_flags(result)


def test_flag_unmet(score_project):
    flags = flags_of(
        score_project, {"target": "≥4个", "actual": "1个", "deviation_reason": "受疫情影响"}
    )
    assert flags == ["未完成指标：指标甲"]


def test_flag_below_full_marks_without_deviation_reason(score_project):
    flags = flags_of(score_project, {"target": "≥4个", "actual": "1个"})
    assert "未完成指标：指标甲" in flags
    assert "扣分但未说明偏差原因：指标甲" in flags


def test_flag_near_met_without_reason(score_project):
    flags = flags_of(score_project, {"target": "100%", "actual": "99.8%"})
    assert "接近但未完全达到目标：指标甲" in flags
    assert "扣分但未说明偏差原因：指标甲" in flags
    assert not any(flag.startswith("未完成指标") for flag in flags)


@pytest.mark.parametrize(
    ("actual", "flagged"), [("130人", True), ("200人", True), ("129人", False)]
)
def test_flag_over_achievement_from_130_percent(score_project, actual, flagged):
    flags = flags_of(score_project, {"target": "≥100人", "actual": actual})
    assert ("超额完成 130% 以上（目标设定偏低？）：指标甲" in flags) is flagged
    if not flagged:
        assert flags == []


def test_no_over_achievement_flag_for_upper_bounds(score_project):
    assert flags_of(score_project, {"target": "≤100万元", "actual": "10万元"}) == []


@pytest.mark.parametrize(("spent", "flagged"), [("89.99", True), ("90", False), ("100", False)])
def test_flag_execution_below_90_percent(score_project, spent, flagged):
    flags = flags_of(score_project, {"target": "≥4个", "actual": "4个"}, spent_wan=spent)
    assert ("预算执行率 89.99% 低于 90%" in flags) is flagged
    if not flagged:
        assert flags == []


def test_flag_budget_adjusted(score_project):
    flags = flags_of(
        score_project,
        {"target": "≥4个", "actual": "4个"},
        initial_budget_wan="600",
        budget_wan="681.5307",
        spent_wan="681.5307",
    )
    assert flags == ["年中预算调整：年初 600 万元，全年 681.5307 万元"]


def test_no_budget_adjusted_flag_when_initial_equals_full_year(score_project):
    flags = flags_of(score_project, {"target": "≥4个", "actual": "4个"}, initial_budget_wan="100")
    assert flags == []


def test_flag_missing_actual(score_project):
    flags = flags_of(score_project, {"target": "≥4个"})
    assert flags == ["缺少实际完成值：指标甲"]


def test_flag_stated_score_mismatch(score_project):
    flags = flags_of(score_project, {"target": "≥4个", "actual": "4个"}, stated_score="95")
    assert flags == ["计算得分 100 与所述得分 95 不一致"]


def test_flags_stay_empty_when_everything_is_met(score_project):
    assert flags_of(score_project, {"target": "≥4个", "actual": "4个"}) == []


# --- department and categories ----------------------------------------------------------------


def test_department_summary_counts(make_dataset):
    from helpers.scoring import score_dataset

    dataset = make_dataset(
        [
            {"project_id": "A", "category": "甲类"},
            {"project_id": "B", "category": "乙类", "budget_wan": "50.5", "spent_wan": "50.5"},
        ],
        [
            {"project_id": "A", "target": "≥4个", "actual": "4个"},
            {"project_id": "B", "target": "≥4个", "actual": "1个", "deviation_reason": "疫情"},
        ],
    )
    result = score_dataset(dataset)
    dept = result.department
    assert dept["execution_rate_pct"] == 100.0
    assert dept["projects_budget_wan"] == 150.5
    assert dept["n_projects"] == 2
    assert dept["n_unmet"] == 1
    assert dept["mean_score"] == pytest.approx((100.0 + 32.5) / 2)
    assert dept["grade_counts"] == {"优": 1, "良": 0, "中": 0, "差": 1}
    assert result.categories["category"].tolist() == ["甲类", "乙类"]
    assert result.categories["budget_wan"].tolist() == [100.0, 50.5]


@pytest.mark.parametrize(
    ("target", "actual", "fraction"),
    [
        ("≥-5%", "-10%", 0.0),  # fell twice as far as allowed
        ("≥-5%", "-7.5%", 0.5),
        ("≥-5%", "0%", 1.0),  # better than the floor
        ("≥-5%", "3%", 1.0),
        ("≤-3%", "-5%", 1.0),  # a decline of at least 3 %: met
        ("≤-3%", "-1.5%", 0.5),
        ("≤-3%", "1%", 0.0),
    ],
)
def test_signed_targets_are_scored_by_their_meaning(target, actual, fraction):
    from helpers.parse import parse_indicator_values as parse

    rows = score_rows(parse(pd.Series([target])), parse(pd.Series([actual])))
    assert rows["fraction"].iloc[0] == pytest.approx(fraction)


def test_cent_rounding_ranks_as_pandas_does():
    from helpers.scoring import _group_key, _round_weights_to_cents

    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 200))
        pid = pd.factorize(np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 12, n)))[0]
        weights = rng.choice([100 / 3, 50 / 3, 10.0, 25 / 7, 0.0, np.nan, 90 / 7], n)
        key = _group_key(pid)
        cents = weights * 100.0
        floor = np.floor(cents + 1e-6)
        frame = pd.DataFrame({"cents": cents, "floor": floor, "rest": cents - floor})
        grouped = frame.groupby(key, sort=False)
        deficit = np.rint(grouped["cents"].transform("sum")) - grouped["floor"].transform("sum")
        rank = grouped["rest"].rank(method="first", ascending=False)
        bump = (rank <= deficit).to_numpy() & (frame["rest"].to_numpy() > 1e-6)
        expected = np.where(np.isnan(weights), weights, (floor + bump) / 100.0)
        assert np.array_equal(_round_weights_to_cents(weights, pid, key), expected, equal_nan=True)
