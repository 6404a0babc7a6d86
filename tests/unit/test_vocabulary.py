"""helpers.vocabulary: flags as typed data, declared once, worded by the narrative.

The flag kinds, their severities and labels, statuses, grades and thresholds live in one module;
the scoring engine emits a tidy flags table in that vocabulary; the report's 风险提示 is ordered
by severity, with data-quality notes (a missing satisfaction target) after the risks; the params
file's ``scoring:`` settings reach the rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import charts, narrative, scoring, vocabulary
from helpers.document import Heading, ItemList, Paragraph
from helpers.evaluation import evaluate
from helpers.report import Report, build_report
from helpers.runner import ParamsError, load_run_params
from helpers.scoring import ScoringConfig, ScoringSettings, ScoringSettingsError
from helpers.vocabulary import FLAG_COLUMNS, FLAG_KINDS, SEVERITIES, SEVERITY_ORDER

from .conftest import write_dataset_folder

SEED_KINDS = {
    "missing_target": 34,
    "over_achieved": 14,
    "missing_actual": 10,
    "no_reason": 3,
    "blank_weight": 3,
    "unmet": 2,
    "near_met": 2,
    "no_execution_data": 2,
}
"""What the seed's flags table holds, kind by kind (read off the seed report by hand)."""


@pytest.fixture(scope="module")
def seed_report() -> Report:
    return build_report(2021, "高新区科技局")


def _emitted_kinds(result: scoring.ScoreResult) -> list[str]:
    """Every kind the engine's flag rules can emit (whether or not it fires on this data)."""
    config = result.config
    specs = [
        *scoring._indicator_flag_specs(result.indicators, config),
        *scoring._project_flag_specs(result.projects, config),
    ]
    return [kind for kind, *_ in specs]


# ----------------------------------------------------------------------------- the vocabulary


def test_every_kind_the_engine_emits_is_declared_and_every_declared_kind_is_emitted(seed_result):
    emitted = _emitted_kinds(seed_result)
    assert len(emitted) == len(set(emitted)), "a kind is emitted by two rules"
    assert set(emitted) == set(FLAG_KINDS)


def test_every_kind_has_a_label_a_severity_a_scope_and_a_colour():
    for key, kind in FLAG_KINDS.items():
        assert kind.key == key
        assert re.search(r"[\u4e00-\u9fff]", kind.label), key
        assert kind.severity in SEVERITIES, key
        assert kind.scope in ("indicator", "project"), key
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", kind.colour), key
    for key, info in SEVERITIES.items():
        assert info.key == key and info.label and info.title
    assert SEVERITY_ORDER == ("red", "amber", "note")  # most serious first


def test_data_quality_kinds_are_notes_and_shortfalls_are_red():
    notes = {k for k, kind in FLAG_KINDS.items() if kind.severity == "note"}
    assert {"missing_target", "missing_actual", "unjudgeable", "unit_mismatch"} <= notes
    red = {k for k, kind in FLAG_KINDS.items() if kind.severity == "red"}
    assert {"unmet", "low_execution", "no_execution_data", "no_scorable"} <= red
    assert not FLAG_KINDS["missing_target"].is_risk and FLAG_KINDS["unmet"].is_risk


def test_the_old_names_are_the_vocabulary_s():
    assert scoring.STATUS_MET is vocabulary.STATUS_MET
    assert scoring.STATUS_NOT_SCORED is vocabulary.STATUS_NOT_SCORED
    assert scoring.GRADE_BANDS == ((90.0, "优"), (80.0, "良"), (60.0, "中"), (0.0, "差"))
    assert charts.STATUS_COLOURS is vocabulary.STATUS_COLOURS
    assert charts.OKABE_ITO is vocabulary.OKABE_ITO
    config = ScoringConfig()
    for key, value in vocabulary.DEFAULT_THRESHOLDS.items():
        assert getattr(config, key) == value
    assert config.grade_bands == vocabulary.DEFAULT_GRADE_BANDS


def test_every_setting_a_params_file_may_give_is_a_settings_field():
    assert set(vocabulary.SCORING_SETTINGS) == set(ScoringSettings.model_fields)


# ----------------------------------------------------------------------------- the flags table


def test_the_seed_flags_table_has_the_expected_kinds_and_counts(seed_result):
    flags = seed_result.flags
    assert list(flags.columns) == list(FLAG_COLUMNS)
    counts = flags["kind"].value_counts()
    assert counts[counts > 0].to_dict() == SEED_KINDS
    assert set(flags["department"]) == {"高新区科技局"}
    kinds = flags["kind"].astype(str)
    assert (flags["severity"].astype(str) == kinds.map(lambda k: FLAG_KINDS[k].severity)).all()
    project_level = kinds.map(lambda k: FLAG_KINDS[k].scope == "project")
    assert (flags.loc[project_level, "indicator"] == "").all()
    assert (flags.loc[~project_level, "indicator"] != "").all()


def test_a_flag_carries_its_value_and_threshold(seed_result):
    flags = seed_result.flags.reset_index()
    unmet = flags[flags["kind"] == "unmet"].set_index("project_id")
    assert unmet.loc["KJ10", "indicator"] == "引进港澳台项目数量"
    assert unmet.loc["KJ10", "value"] == 0.0
    assert unmet.loc["KJ10", "threshold"] == seed_result.config.near_met_pct
    over = flags[flags["kind"] == "over_achieved"]
    assert (over["value"] >= over["threshold"]).all() and (over["threshold"] == 130).all()
    no_data = flags[flags["kind"] == "no_execution_data"]
    assert set(no_data["project"]) == {"信息动态公示平台建设项目", "金融风险防控宣传经费项目"}
    assert no_data["value"].isna().all()


def test_rows_come_by_project_then_kind_and_index_the_projects(seed_result):
    flags = seed_result.flags
    position = flags.index.to_numpy()
    kind = flags["kind"].cat.codes.to_numpy()
    key = position * len(FLAG_KINDS) + kind
    assert (np.diff(key) >= 0).all()
    names = seed_result.projects["name"].to_numpy()
    assert (names[position] == flags["project"].to_numpy()).all()


def test_project_flag_sentences_are_the_narrative_s_of_the_table(seed_result):
    assert "flags" not in seed_result.projects  # the engine writes no prose
    written = narrative.write_project_flags(seed_result.flags, len(seed_result.projects))
    by_row = [
        narrative.write_flag_items(seed_result.flags.loc[[i]])
        if i in seed_result.flags.index
        else []
        for i in range(len(seed_result.projects))
    ]
    assert written == by_row
    jg04 = dict(zip(seed_result.projects["project_id"], written, strict=True))["JG04"]
    assert "未完成指标：开展金融风险防控专题讲座数量" in jg04
    assert "超额完成 130% 以上（目标设定偏低？）：讲座参与人次" in jg04


def test_a_kind_nobody_declared_is_refused_by_the_narrative():
    flags = pd.DataFrame(
        {"project_id": ["P1"], "project": ["甲"], "indicator": ["乙"], "kind": ["odd"]}
        | {"severity": ["red"], "value": [1.0], "threshold": [2.0], "note": [""]}
    )
    with pytest.raises(ValueError, match="odd"):
        narrative.write_flag_items(flags)


def _one_row_per_kind() -> pd.DataFrame:
    rows = []
    for key, kind in FLAG_KINDS.items():
        indicator = "" if kind.scope == "project" else "某指标"
        note = "名称含“率”，按越小越好处理" if key == "direction" else ""
        rows.append(
            {"department": "局", "project_id": f"P{len(rows)}", "project": f"项目{len(rows)}"}
            | {"indicator": indicator, "kind": key, "severity": kind.severity}
            | {"value": 85.5, "threshold": 90.0, "note": note}
        )
    return pd.DataFrame(rows)


def test_the_narrative_words_every_kind_in_chinese():
    flags = _one_row_per_kind()
    texts = narrative.write_flag_items(flags)
    assert len(texts) == len(FLAG_KINDS)
    for (key, kind), text in zip(FLAG_KINDS.items(), texts, strict=True):
        assert text and not re.search(r"[A-Za-z]|nan", text), (key, text)
        if kind.scope == "indicator":
            assert "某指标" in text, (key, text)
        assert narrative.describe_flag(flags.iloc[list(FLAG_KINDS).index(key)]) == text
    assert texts[list(FLAG_KINDS).index("low_execution")] == "预算执行率 85.5% 低于 90%"


def test_flag_sentences_join_one_project_s_indicators_of_one_kind(seed_result):
    sentences = narrative.flag_sentences(seed_result.flags)
    kj10 = sentences[(sentences["project_id"] == "KJ10") & (sentences["kind"] == "missing_target")]
    (text,) = kj10["text"].tolist()
    assert text == "缺少目标值：资金下达时效、示范带动效应、企业满意度"
    assert kj10["lead"].tolist() == ["缺少目标值"]
    assert kj10["detail"].tolist() == ["资金下达时效、示范带动效应、企业满意度"]


# ----------------------------------------------------------------------------- 风险提示


def _sections(blocks: list) -> dict[str, list]:
    """The blocks under each level-3 heading of 风险提示."""
    sections: dict[str, list] = {}
    current = None
    for block in blocks:
        if isinstance(block, Heading) and block.level == 3:
            current = sections.setdefault(block.text, [])
        elif current is not None:
            current.append(block)
    return sections


def test_a_missing_satisfaction_target_is_a_note_not_a_red_flag(seed_result, seed_report: Report):
    flags = seed_result.flags
    satisfaction = flags[
        (flags["kind"] == "missing_target") & (flags["indicator"] == "服务对象满意度")
    ]
    assert len(satisfaction) >= 10 and (satisfaction["severity"] == "note").all()
    sections = _sections(seed_report.risks_blocks())
    for title, blocks in sections.items():
        texts = [t for b in blocks if isinstance(b, ItemList) for t in b.items]
        said = any("服务对象满意度" in t for t in texts)
        assert said == (title == "（三）数据质量提示"), title


def test_risks_come_by_severity_with_data_notes_last(seed_report: Report):
    blocks = seed_report.risks_blocks()
    assert blocks[0] == Heading("附件1 风险提示", 2, starts_page=True)
    assert isinstance(blocks[1], Paragraph) and "高 4 条" in blocks[1].text
    titles = [b.text for b in blocks if isinstance(b, Heading) and b.level == 3]
    assert titles == [
        "（一）需重点关注的风险（高）",
        "（二）需要关注的事项（中）",
        "（三）数据质量提示",
    ]
    sections = _sections(blocks)
    red = sections[titles[0]]
    kinds = [b.text for b in red if isinstance(b, Heading)]
    assert kinds == ["未完成指标（2 个项目，2 项指标）", "缺少执行数据（2 个项目）"]
    assert all(set(b.severities) == {"warn"} for b in red if isinstance(b, ItemList))
    amber = sections[titles[1]]
    assert not any("warn" in b.severities for b in amber if isinstance(b, ItemList))
    assert "超额完成 130% 以上，目标设定可能偏低（10 个项目，14 项指标）" in [
        b.text for b in amber if isinstance(b, Heading)
    ]
    notes = sections[titles[2]]
    assert isinstance(notes[0], Paragraph) and notes[0].style == "note"
    assert [b.text for b in notes if isinstance(b, Heading)] == [
        "缺少目标值（18 个项目，34 项指标）",
        "缺少实际完成值（8 个项目，10 项指标）",
        "未填写分值（1 个项目，3 项指标）",
        "一级指标分值调整（19 个项目）",
    ]


def test_no_risk_at_all_says_so(score_project):
    result = score_project(
        [
            {"target": "≥4个", "actual": "4个"},
            {"level1": "效益", "target": "显著改善", "actual": "显著改善"},
            {"level1": "满意度", "target": "≥90%", "actual": "95%"},
        ]
    )
    assert result.flags.empty
    assert narrative.write_project_flags(result.flags, len(result.projects)) == [[]]
    assert narrative.write_risk_summary(result.flags) == "未发现需要提示的风险事项。"
    assert narrative.write_risk_sections(result) == []


# ----------------------------------------------------------------------------- settings


def _seventy_five(tmp_path: Path) -> Path:
    """data/2021/测试局: one project scoring 10 (execution) + 65 of 90 = 75 points."""
    write_dataset_folder(
        tmp_path / "2021" / "测试局", [{}], [{"target": "≥90个", "actual": "65个"}]
    )
    return tmp_path


def test_the_80_70_60_bands_make_a_75_point_project_good(tmp_path):
    data = _seventy_five(tmp_path)
    plain = evaluate(2021, "测试局", data).result
    assert plain.projects["score"].tolist() == [75.0]
    assert plain.projects["grade"].tolist() == ["中"]
    bands = {"grade_bands": {"优": 80, "良": 70, "中": 60}}
    provincial = evaluate(2021, "测试局", data, scoring=bands).result
    assert provincial.projects["grade"].tolist() == ["良"]
    assert provincial.department["mean_grade"] == "良"
    assert provincial.department["grade_counts"] == {"优": 0, "良": 1, "中": 0, "差": 0}


def test_the_80_70_60_bands_come_from_the_params_file(tmp_path):
    data = _seventy_five(tmp_path / "data")
    params = tmp_path / "p.yaml"
    params.write_text(
        f"fiscal_year: 2021\ndata_dir: {data}\nscoring:\n  grade_bands: {{优: 80, 良: 70, 中: 60}}\n",
        "utf-8",
    )
    run = load_run_params(params)
    assert run.notebook_parameters["scoring"] == {"grade_bands": {"优": 80, "良": 70, "中": 60}}
    report = build_report(2021, "测试局", data, scoring=run.notebook_parameters["scoring"])
    assert report.result.projects["grade"].tolist() == ["良"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"low_execution": 85}, "未知的评分设置 scoring.low_execution"),
        ({"low_execution_pct": "九十"}, "scoring.low_execution_pct 的值 '九十' 类型不符"),
        ({"low_execution_pct": True}, "scoring.low_execution_pct 的值 True 类型不符"),
        ({"low_execution_pct": 150}, "scoring.low_execution_pct 的值 150 超出范围（应不大于 100）"),
        (
            {"over_achievement_pct": 90},
            "scoring.over_achievement_pct 的值 90 超出范围（应大于 100）",
        ),
        ({"missing_value_policy": "drop"}, "应为exclude 或 zero"),
        ({"grade_bands": {"优": 70, "良": 80}}, "逐级递减"),
        ({"grade_bands": {"及格": 60}}, "不能设定 及格"),
        ({"grade_bands": [90, 80, 60]}, "应为键值映射"),
    ],
)
def test_a_bad_scoring_setting_is_an_error_naming_it(settings, expected):
    with pytest.raises(ScoringSettingsError) as info:
        ScoringSettings.parse(settings)
    assert any(expected in problem for problem in info.value.problems), info.value.problems
    assert all(" / " in problem for problem in info.value.problems)  # Chinese / English
    assert not any("Input should" in p or "（le " in p for p in info.value.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scoring:\n  low_execution: 85\n", "未知的评分设置 scoring.low_execution"),
        ("scoring:\n  low_execution_pct: 九十\n", "类型不符"),
        ("scoring: 85\n", "参数 scoring 的值 85 类型不符，应为 dict"),
    ],
)
def test_a_bad_scoring_key_in_the_params_file_is_a_params_error(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text("fiscal_year: 2021\n" + text, "utf-8")
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert any(expected in problem for problem in info.value.problems), info.value.problems


def test_the_annotated_example_s_scoring_settings_are_valid(tmp_path):
    example = Path(__file__).parents[2] / "params" / "example_fy2022.yaml"
    lines = example.read_text("utf-8").splitlines()
    start = lines.index("# scoring:")
    block = [line[2:] for line in lines[start:] if line.startswith(("# scoring:", "#   "))]
    block = [line for line in block if not line.lstrip().startswith("#")]  # the 80/70/60 variant
    path = tmp_path / "p.yaml"
    path.write_text("fiscal_year: 2021\n" + "\n".join(block) + "\n", "utf-8")
    scoring_settings = load_run_params(path).notebook_parameters["scoring"]
    assert set(scoring_settings) == set(vocabulary.SCORING_SETTINGS)
    ScoringSettings.parse(scoring_settings)


def test_settings_reach_the_rules(tmp_path):
    data = _seventy_five(tmp_path)
    settings = {"low_execution_pct": 99.5, "near_met_pct": 70, "execution_weight": 20}
    write_dataset_folder(
        tmp_path / "2021" / "乙局",
        [{"spent_wan": "99"}],
        [{"target": "≥90个", "actual": "65个"}],
    )
    result = evaluate(2021, "乙局", data, scoring=settings).result
    assert result.config.execution_weight == 20 and result.config.low_execution_pct == 99.5
    kinds = set(result.flags["kind"].astype(str))
    assert "low_execution" in kinds  # 99 % is below 99.5 %
    assert "near_met" in kinds and "unmet" not in kinds  # 72 % of the target is near with 70
    assert result.projects["execution_score"].tolist() == [19.8]  # 99 % of 20 points
    with pytest.raises(ValueError, match="config"):
        evaluate(2021, "乙局", data, config=ScoringConfig(), scoring=settings)


def test_a_config_s_bands_must_decrease():
    with pytest.raises(ValueError, match="逐级递减"):
        ScoringConfig(grade_bands={"优": 90, "良": 90, "中": 60})
    assert ScoringConfig(grade_bands={"优": 85}).bands[:2] == ((85.0, "优"), (80.0, "良"))


def test_a_repeated_project_id_flags_every_project_row_of_it(seed_dataset, seed_result):
    """Validation refuses repeated ids; a dataset built by hand may have one (as before)."""
    import dataclasses

    projects = seed_dataset.projects
    twice = pd.concat([projects, projects[projects["project_id"] == "KJ10"]], ignore_index=True)
    result = scoring.score_dataset(dataclasses.replace(seed_dataset, projects=twice))
    flags = result.flags
    original, copy = flags.loc[[9]], flags.loc[[len(twice) - 1]]
    assert len(original) == len(seed_result.flags.loc[[9]]) > 0
    assert copy["kind"].tolist() == original["kind"].tolist()
    assert copy["indicator"].tolist() == original["indicator"].tolist()
    written = narrative.write_project_flags(flags, len(result.projects))
    assert written[-1] == written[9]
