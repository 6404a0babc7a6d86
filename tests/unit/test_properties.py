"""Properties of the parser and the scoring, over generated texts and small generated datasets.

Deterministic (``derandomize=True``, no example database), so CI sees the same examples on every
run; the whole file runs in well under half a minute.
"""

from __future__ import annotations

import csv
import math
import tempfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.dataset import load_dataset
from helpers.parse import (
    GRADES,
    PARSED_COLUMNS,
    parse_indicator_value,
    parse_indicator_values,
)
from helpers.scoring import ScoringConfig, score_dataset, score_rows

from .test_parse_real import assert_same_reading

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SCORING_SETTINGS = settings(SETTINGS, max_examples=100)
"""Two parses and a scoring per example: fewer examples keep the file under half a minute."""
DATASET_SETTINGS = settings(SETTINGS, max_examples=30)
"""A dataset written, loaded, validated and scored per example."""

KINDS = {"numeric", "deadline", "qualitative", "missing"}
OPS = {"≥", ">", "≤", "<", "="}
SCORE_ROWS_COLUMNS = {
    "fraction",
    "completion_pct",
    "is_scorable",
    "is_missing_target",
    "is_missing_actual",
    "is_unjudgeable",
    "has_unit_mismatch",
}

# --- a grammar of what analysts write ----------------------------------------------------------

OP_WORDS = ["", "≥", ">", "≤", "<", "=", "＞", "≧", "不低于", "不少于", "不超过", "大于", "低于"]
OP_WORDS += ["达到", "约", "控制在", "至少", "不高于", ">=", "<="]
UNITS = ["", "个", "%", "万元", "亿元", "元", "千元", "人次", "天", "个工作日", "分", "‰"]
UNITS += ["个百分点", "场", "次", "户", "平方米", "吨", "小时", "年"]
SUFFIXES = ["", "以上", "以下", "以内", "左右", "余", "及以上", "多", "内"]
WORDS = ["显著提升", "达成预期指标", "部分达成", "基本达成", "未完成", "零投诉", "无", "是", "否"]
WORDS += ["见附件3", "有效改善", "百分之九十", "两个", "十二次", "一万二千人次", "无安全事故"]
WORDS += ["较好", "滞后", "按时完成", "未发生安全事故", "一般", "良好", "满意", "提高"]
DATES = ["2022年9月30日前", "2022年底前", "12月前", "2022-09-30", "2022年第三季度", "2022/9"]
DATES += ["2021年13月前", "2月30日", "次年6月", "2022年上半年", "9月上旬", "2022.9.30", "2022年"]
DATES += ["2022-09-30 00:00:00", "第3季度", "7月", "2099年12月31日", "1900年1月"]

numbers = st.one_of(
    st.integers(min_value=0, max_value=10**7).map(str),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False).map(lambda d: f"{d:f}"),
    st.integers(min_value=-500, max_value=-1).map(str),
    st.sampled_from(["1,234", "1,234.5", "３１０", "0", "0.0", "-0", "1e5", "9" * 40, "00.5"]),
)


@st.composite
def numeric_texts(draw: st.DrawFn) -> str:
    op = draw(st.sampled_from(OP_WORDS))
    number = draw(numbers)
    if draw(st.booleans()) and draw(st.booleans()):  # a range: 3-5个
        number += draw(st.sampled_from(["-", "~", "至", "到"])) + draw(numbers)
    return op + number + draw(st.sampled_from(UNITS)) + draw(st.sampled_from(SUFFIXES))


grammar_texts = st.builds(
    lambda parts, glue: glue.join(parts),
    st.lists(
        st.one_of(numeric_texts(), st.sampled_from(WORDS), st.sampled_from(DATES)),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["", "", " ", "，"]),
)
"""One to three pieces of the grammar glued together (``不低于90%以上``, ``2022年底前完成5个``)."""

cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    grammar_texts,
    grammar_texts.map(lambda t: f"  {t} "),
)
"""What a target or actual cell holds: nothing, any text, or text an analyst would write."""


def _series(values: list[object], start: int = 10) -> pd.Series:
    """A column on an index that is not 0..n-1, so that the index is seen to be kept."""
    return pd.Series(values, index=range(start, start + len(values)), dtype=object)


# --- the parser --------------------------------------------------------------------------------


def _check_parsed(parsed: pd.DataFrame, texts: pd.Series) -> None:
    assert list(parsed.columns) == list(PARSED_COLUMNS)
    assert parsed.index.equals(texts.index)
    assert set(parsed["kind"]) <= KINDS
    assert set(parsed["op"].dropna()) <= OPS
    assert set(parsed["grade"].dropna()) <= {*GRADES, ""}
    assert parsed["is_parsed"].map(lambda v: isinstance(v, (bool, np.bool_))).all()
    assert parsed["is_approx"].map(lambda v: isinstance(v, (bool, np.bool_))).all()
    missing = texts.map(lambda t: t is None or (isinstance(t, str) and not t.strip()))
    assert (parsed.loc[missing, "kind"] == "missing").all()
    numeric = parsed["kind"] == "numeric"
    assert parsed.loc[numeric, "value"].notna().all()
    deadline = parsed.loc[parsed["kind"] == "deadline"]  # a date, or a duration (不超过 5 天)
    assert (deadline["deadline"].notna() | deadline["value"].notna()).all()
    assert parsed.loc[parsed["kind"] == "qualitative", "op"].isna().all()


@SETTINGS
@given(st.lists(cells, max_size=12), st.one_of(st.none(), st.integers(2000, 2100)))
def test_parse_never_raises_and_returns_the_documented_columns(
    values: list[str | None], year: int | None
) -> None:
    texts = _series(values)
    _check_parsed(parse_indicator_values(texts, fiscal_year=year), texts)


@SETTINGS
@given(
    st.lists(st.one_of(cells, st.floats(), st.integers()), max_size=12),
    st.one_of(st.none(), st.integers(2000, 2100)),
)
def test_one_cell_parser_reads_every_cell_as_the_column_parser(
    values: list[object], year: int | None
) -> None:
    texts = _series(values)
    by_column = parse_indicator_values(texts, fiscal_year=year).to_dict(orient="records")
    for text, row in zip(texts.tolist(), by_column, strict=True):
        assert_same_reading(parse_indicator_value(text, year), row, text)


@SETTINGS
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_parse_never_raises_on_any_text(values: list[str]) -> None:
    texts = _series(values)
    _check_parsed(parse_indicator_values(texts, fiscal_year=2022), texts)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(10**20), 10**20),
            st.booleans(),
            cells,
        ),
        max_size=8,
    )
)
def test_parse_reads_cells_typed_as_numbers(values: list[object]) -> None:
    texts = _series(values)
    parsed = parse_indicator_values(texts, fiscal_year=2022)
    assert list(parsed.columns) == list(PARSED_COLUMNS)
    assert parsed.index.equals(texts.index)


# --- score_rows --------------------------------------------------------------------------------


def _parsed_pair(targets: list[object], actuals: list[object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        parse_indicator_values(_series(targets), fiscal_year=2022),
        parse_indicator_values(_series(actuals), fiscal_year=2022),
    )


pairs = st.integers(1, 10).flatmap(
    lambda n: st.tuples(
        st.lists(cells, min_size=n, max_size=n), st.lists(cells, min_size=n, max_size=n)
    )
)


@SCORING_SETTINGS
@given(pairs)
def test_score_rows_fraction_is_within_0_and_1_or_nan(pair: tuple[list, list]) -> None:
    target, actual = _parsed_pair(*pair)
    rows = score_rows(target, actual)
    assert set(rows.columns) >= SCORE_ROWS_COLUMNS
    assert rows.index.equals(target.index)
    fraction = rows["fraction"]
    assert (fraction.isna() | fraction.between(0, 1)).all(), fraction
    assert (rows["is_scorable"] == fraction.notna()).all()
    zero = score_rows(target, actual, ScoringConfig(missing_value_policy="zero"))["fraction"]
    assert zero.between(0, 1).all(), zero  # nothing left unscored


positive = st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2, allow_nan=False)
non_negative = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
SAME_UNITS = ["", "个", "%", "万元", "亿元", "人次", "天", "场"]


@st.composite
def bound_rows(draw: st.DrawFn, ops: list[str], suffixes: list[str]) -> tuple[str, list[str]]:
    """One target ``≥T`` (or ``≤T`` …) and sorted actuals in the same unit."""
    unit = draw(st.sampled_from(SAME_UNITS))
    bound = f"{draw(positive):f}"
    if draw(st.booleans()):
        target = draw(st.sampled_from(ops)) + bound + unit
    else:
        target = bound + unit + draw(st.sampled_from(suffixes))
    actuals = sorted(draw(st.lists(non_negative, min_size=2, max_size=8)))
    return target, [f"{a:f}{unit}" for a in actuals]


def _fractions(target: str, actuals: list[str]) -> np.ndarray:
    t, a = _parsed_pair([target] * len(actuals), actuals)
    assert t["value"].gt(0).all(), t  # numeric (a duration such as 5天 is kind deadline)
    fraction = score_rows(t, a)["fraction"].to_numpy()
    assert not np.isnan(fraction).any(), (target, actuals, fraction)
    return fraction


@SCORING_SETTINGS
@given(bound_rows(["≥", "不低于", "不少于", "至少", ">", "大于", ">="], ["以上", "及以上"]))
def test_at_least_target_fraction_never_falls_as_the_actual_rises(
    row: tuple[str, list[str]],
) -> None:
    target, actuals = row
    fraction = _fractions(target, actuals)
    assert (np.diff(fraction) >= -1e-12).all(), (target, actuals, fraction)


@SCORING_SETTINGS
@given(bound_rows(["≤", "不超过", "不高于", "<", "小于", "<="], ["以内", "以下"]))
def test_at_most_target_fraction_never_rises_as_the_actual_rises(
    row: tuple[str, list[str]],
) -> None:
    target, actuals = row
    fraction = _fractions(target, actuals)
    assert (np.diff(fraction) <= 1e-12).all(), (target, actuals, fraction)


# --- whole datasets ----------------------------------------------------------------------------

LEVELS = {"产出": "数量", "效益": "社会效益", "满意度": "服务对象满意度", "成本": "经济成本"}
amounts = st.decimals(min_value=0, max_value=10**5, places=4, allow_nan=False).map(
    lambda d: f"{d.normalize():f}" if d else "0"
)
analyst_cells = st.one_of(st.none(), grammar_texts)


@st.composite
def datasets(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    """1–3 projects with 1–4 indicators each; 分值 none, some, or all (then totalling 90)."""
    projects, indicators = [], []
    for p in range(draw(st.integers(1, 3))):
        pid = f"P{p + 1}"
        projects.append(
            {
                "project_id": pid,
                "category": draw(st.sampled_from(["甲类", "乙类"])),
                "name": f"项目{p + 1}",
                "budget_wan": draw(st.one_of(st.none(), amounts)),
                "spent_wan": draw(st.one_of(st.none(), amounts)),
                "stated_execution_rate_pct": draw(
                    st.one_of(st.none(), st.integers(0, 150).map(str))
                ),
            }
        )
        n = draw(st.integers(1, 4))
        mode = draw(st.sampled_from(["none", "some", "all"]))
        if mode == "all":
            shares = draw(st.lists(st.integers(0, 90 // n), min_size=n - 1, max_size=n - 1))
            weights = [str(w) for w in [*shares, 90 - sum(shares)]]
        elif mode == "some":
            weights = [None] + [
                draw(st.one_of(st.none(), st.integers(0, 25).map(str))) for _ in range(n - 1)
            ]
        else:
            weights = [None] * n
        for i in range(n):
            level1 = draw(st.sampled_from(list(LEVELS)))
            indicators.append(
                {
                    "project_id": pid,
                    "level1": level1,
                    "level2": LEVELS[level1],
                    "name": f"指标{p + 1}-{i + 1}",
                    "target": draw(analyst_cells),
                    "actual": draw(analyst_cells),
                    "weight": weights[i],
                }
            )
    return projects, indicators


def _write(folder: Path, projects: list[dict], indicators: list[dict]) -> Path:
    folder.mkdir()
    (folder / "department.yaml").write_text(
        "name: 测试局\nfiscal_year: 2022\nbudget_wan: 100\nspent_wan: 90\n", encoding="utf-8"
    )
    for name, rows in (("projects.csv", projects), ("indicators.csv", indicators)):
        columns = list(rows[0])
        if name == "projects.csv":
            columns.insert(3, "initial_budget_wan")
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


@DATASET_SETTINGS
@given(datasets())
def test_scores_of_a_dataset_stay_within_their_weights(data: tuple[list, list]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dataset = load_dataset(_write(Path(tmp) / "ds", *data))
        result = score_dataset(dataset)
    rows = result.indicators
    assert (rows["weight_used"].fillna(0) >= 0).all()
    score, weight = rows["score"], rows["weight_used"]
    assert (score.isna() | ((score >= 0) & (score <= weight + 1e-9))).all(), rows[
        ["name", "target", "actual", "fraction", "weight_used", "score"]
    ]
    assert (rows["fraction"].isna() | rows["fraction"].between(0, 1)).all()
    projects = result.projects
    execution = projects["execution_score"]
    assert (execution.isna() | execution.between(0, projects["execution_weight"] + 1e-9)).all()
    total = projects["score"]
    assert (total.isna() | total.between(0, 100 + 1e-9)).all(), projects[["project_id", "score"]]
    for value in total.dropna():
        assert math.isfinite(value)


# --- found by the properties above (run with more examples) ------------------------------------


@pytest.mark.parametrize("text", ["٣个", "≥३%", "᠐", "𝟙𝟚个"])
def test_non_ascii_digits_give_a_number_or_stay_qualitative(text: str) -> None:
    """Decimal digits of other scripts match ``\\d``: never a numeric row without a value."""
    row = parse_indicator_values(pd.Series([text]), fiscal_year=2022).iloc[0]
    assert row["kind"] != "numeric" or math.isfinite(row["value"]), row.to_dict()
