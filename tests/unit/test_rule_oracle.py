"""The vectorised row scoring agrees with the plain row-by-row rules of ``rule_oracle``.

Random targets and actuals, written as analysts write them (≥ / ≤ / = numbers, percents, money in
万元 and 亿元, deadlines and time spans, qualitative words, zero targets, missing cells and
mismatched pairs), are parsed with the public :func:`helpers.parse.parse_indicator_values`;
:func:`helpers.scoring.score_rows` must give every row the oracle's fraction (NaN where the
oracle has NaN). Each seed is a fixed numpy ``Generator``, so a failure is reproducible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.parse import GRADE_MET, GRADE_PARTIAL, GRADE_UNMET, parse_indicator_values
from helpers.scoring import ScoringConfig, score_dataset, score_rows

from . import rule_oracle

FISCAL_YEAR = 2021
ROWS_PER_SEED = 3000
SEEDS = [1, 2, 3, 20210101, 987654321]

GE_WORDS = ["≥", "≥ ", "不低于", "不少于", "至少", "大于", ">", "达到", "", "="]
LE_WORDS = ["≤", "<=", "不超过", "不高于", "小于", "<", "控制在", "低于"]
COUNT_UNITS = ["个", "次", "人次", "家", "场", "项", "户", "件"]
NUMBERS = [0, 1, 2, 3, 5, 8, 10, 12, 20, 35, 50, 100, 120, 300, 1000, 5000]
FACTORS = [0, 0.25, 0.5, 0.8, 0.95, 1, 1, 1, 1.05, 1.2, 1.5, 1.99, 2, 2.5, 3]
PERCENTS = [0, 5, 50, 80, 85, 90, 95, 98, 100]
QUAL_TARGETS = ["显著改善", "有效提升", "达成预期指标", "合规", "及时", "是", "长期", "逐步完善"]
QUAL_ACTUALS = [
    "达成预期指标",
    "部分达成",
    "未达成",
    "基本完成",
    "未完成",
    "效果良好",
    "有效提升了服务水平",
    "一般",
    "是",
    "否",
    "无",
    "按时完成",
    "延迟完成",
    "未超预算",
    "详见附件",
    "按计划推进",
    "已开展",
]
MISSING = [None, np.nan, "", "  "]


def _num(x: float) -> str:
    """A number as analysts write it: no trailing zeros (``202.6``, ``3``)."""
    return f"{x:.4f}".rstrip("0").rstrip(".")


class Writer:
    """Random target and actual texts of one family each, from a seeded Generator."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def pick(self, options):  # type: ignore[no-untyped-def]
        return options[int(self.rng.integers(len(options)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def actual_number(self, target: float) -> float:
        if self.chance(0.15):
            return float(self.pick(NUMBERS))  # unrelated to the target (0 included)
        return round(target * self.pick(FACTORS), 2)

    # -- families: each returns (target text, actual text)
    def count_ge(self) -> tuple[str, str]:
        n, unit = self.pick(NUMBERS), self.pick(COUNT_UNITS)
        target = f"{self.pick(GE_WORDS)}{n}{unit}"
        if self.chance(0.15):
            target = f"{n}{unit}以上"
        got = round(self.actual_number(n))
        actual = f"{got}{self.pick(['', '余', '多'])}{unit}"
        return target, actual

    def count_eq(self) -> tuple[str, str]:
        n, unit = self.pick(NUMBERS), self.pick(COUNT_UNITS)
        return f"{self.pick(['=', '等于', ''])}{n}{unit}", f"{round(self.actual_number(n))}{unit}"

    def upper_bound(self) -> tuple[str, str]:
        n = self.pick(NUMBERS)
        unit = self.pick(["个", "次", "%", "万元", ""])
        target = f"{self.pick(LE_WORDS)}{n}{unit}"
        if self.chance(0.15):
            target = f"{n}{unit}{self.pick(['以下', '以内'])}"
        return target, f"{_num(self.actual_number(n))}{unit}"

    def percent(self) -> tuple[str, str]:
        pct = self.pick(PERCENTS)
        op = self.pick([*GE_WORDS, "≤", "不高于"])
        target = f"{op}{pct}%" if not self.chance(0.1) else f"{pct}%以上"
        got = min(max(pct + float(self.rng.normal(0, 8)), 0), 100)
        actual = f"{_num(round(got, 1))}%"
        if self.chance(0.05):
            actual = "百分之九十"
        return target, actual

    def money(self) -> tuple[str, str]:
        yi = self.chance(0.4)
        amount = self.pick([0.5, 1, 1.2, 1.5, 3]) if yi else self.pick([0, 20, 50, 202.6, 1000])
        unit = "亿元" if yi else "万元"
        op = self.pick(GE_WORDS) if self.chance(0.5) else self.pick(LE_WORDS)
        target = f"{op}{_num(amount)}{unit}"
        got = self.actual_number(amount * (10000 if yi else 1))  # in 万元
        if self.chance(0.5) and got >= 10000:
            actual = f"{_num(got / 10000)}亿元"  # the other unit than the target's, sometimes
        else:
            actual = f"{_num(got)}万元"
        if self.chance(0.1):
            actual = self.pick(["未超预算", "超预算", "控制在预算内"])
        return target, actual

    def deadline(self) -> tuple[str, str]:
        month = int(self.rng.integers(1, 13))
        target = self.pick(
            [
                f"{FISCAL_YEAR}年{month}月前",
                f"{FISCAL_YEAR}年{month}月底前",
                f"{month}月前",
                f"{FISCAL_YEAR}年底前",
                f"{FISCAL_YEAR + 1}年底之前",
                f"{FISCAL_YEAR}年上半年",
                f"{FISCAL_YEAR}年第{self.pick(['一', '二', '三', '四'])}季度",
            ]
        )
        done = int(self.rng.integers(1, 13))
        year = FISCAL_YEAR + (1 if self.chance(0.1) else 0)
        actual = self.pick(
            [
                f"{year}年{done}月完成",
                f"{done}月前完成拨付",
                f"{year}年{done}月{int(self.rng.integers(1, 29))}日",
                self.pick(["按时完成", "已完成", "延迟完成", "滞后", "部分完成"]),
            ]
        )
        return target, actual

    def duration(self) -> tuple[str, str]:
        days = self.pick([5, 10, 30, 90, 360])
        unit = self.pick(["天", "个工作日", "日"])
        target = f"{self.pick(['不超过', '≤', '小于'])}{days}{unit}"
        if self.chance(0.2):
            target = f"{days}{unit}以内"
        actual = f"{round(self.actual_number(days))}{unit}"
        if self.chance(0.2):
            actual = f"未超过{days}{unit}"
        return target, actual

    def qualitative(self) -> tuple[str, str]:
        return self.pick(QUAL_TARGETS), self.pick(QUAL_ACTUALS)

    def zero_target(self) -> tuple[str, str]:
        target = self.pick(["零投诉", "无安全事故", "=0", "0起", "≤0", "≥0个", "0个", "无", "0%"])
        actual = self.pick(["0", "0起", "1起", "2次", "无", "未发生", "0%", "3%", "否", "-1"])
        return target, actual

    FAMILIES = (
        "count_ge",
        "count_eq",
        "upper_bound",
        "percent",
        "money",
        "deadline",
        "duration",
        "qualitative",
        "zero_target",
    )

    def row(self) -> tuple[object, object]:
        target, actual = getattr(self, self.pick(self.FAMILIES))()
        if self.chance(0.08):  # a target and an actual of different families
            actual = getattr(self, self.pick(self.FAMILIES))()[1]
        if self.chance(0.08):
            target = self.pick(MISSING)
        if self.chance(0.08):
            actual = self.pick(MISSING)
        return target, actual

    def rows(self, n: int) -> pd.DataFrame:
        pairs = [self.row() for _ in range(n)]
        return pd.DataFrame(pairs, columns=["target", "actual"], dtype=object)


def parsed(texts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        parse_indicator_values(texts["target"], FISCAL_YEAR),
        parse_indicator_values(texts["actual"], FISCAL_YEAR),
    )


def assert_same_fractions(texts: pd.DataFrame, engine: pd.Series, oracle: pd.Series) -> None:
    e, o = engine.to_numpy(dtype=float), oracle.to_numpy(dtype=float)
    same = (np.isnan(e) & np.isnan(o)) | (np.abs(e - o) <= 1e-12)
    if not same.all():
        bad = texts[~same].assign(engine=e[~same], oracle=o[~same])
        raise AssertionError(
            f"engine and oracle disagree on {len(bad)} of {len(texts)} rows:\n"
            + bad.head(20).to_string()
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_score_rows_agrees_with_the_oracle(seed: int) -> None:
    texts = Writer(seed).rows(ROWS_PER_SEED)
    target, actual = parsed(texts)
    engine = score_rows(target, actual)["fraction"]
    assert_same_fractions(texts, engine, rule_oracle.fractions(target, actual))


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_agreement_under_another_config(seed: int) -> None:
    config = ScoringConfig(
        grade_fractions={GRADE_MET: 0.9, GRADE_PARTIAL: 0.65, GRADE_UNMET: 0.2},
        missing_value_policy="zero",
    )
    texts = Writer(seed).rows(ROWS_PER_SEED)
    target, actual = parsed(texts)
    engine = score_rows(target, actual, config)["fraction"]
    assert_same_fractions(texts, engine, rule_oracle.fractions(target, actual, config))


def test_the_rows_cover_every_branch_of_the_rules() -> None:
    """The generator is not degenerate: each rule decides a good share of the rows."""
    texts = Writer(SEEDS[0]).rows(ROWS_PER_SEED)
    target, actual = parsed(texts)
    numeric = target["value"].notna() & actual["value"].notna()
    dated = ~numeric & target["deadline"].notna() & actual["deadline"].notna()
    ops = target["op"].where(numeric).fillna("=").where(numeric)
    fraction = rule_oracle.fractions(target, actual)
    counts = {
        "≥ / >": ops.isin(["≥", ">"]).sum(),
        "=": ops.eq("=").sum(),
        "≤ / <": ops.isin(["≤", "<"]).sum(),
        "target 0": (numeric & target["value"].eq(0)).sum(),
        "linear part of ≤": (ops.isin(["≤", "<"]) & fraction.between(0, 1, "neither")).sum(),
        "dates": dated.sum(),
        "grades": (~numeric & ~dated & actual["grade"].notna()).sum(),
        "missing": (target["kind"].eq("missing") | actual["kind"].eq("missing")).sum(),
        "unjudgeable (NaN)": (fraction.isna() & ~target["kind"].eq("missing")).sum(),
        "亿元": texts["target"].astype(str).str.contains("亿元").sum(),
    }
    for grade in (GRADE_MET, GRADE_PARTIAL, GRADE_UNMET):
        counts[grade] = (~numeric & ~dated & actual["grade"].eq(grade)).sum()
    thin = {k: int(v) for k, v in counts.items() if v < 20}
    assert not thin, f"too few rows for {thin} of {ROWS_PER_SEED}"


def test_table_rules_agree_with_score_dataset(seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """The oracle's table level (direction, identical texts) on the shipped FY2021 table."""
    result = score_dataset(seed_dataset, ScoringConfig())
    ind = seed_dataset.indicators.reset_index(drop=True)
    oracle = rule_oracle.table_fractions(ind, seed_dataset.fiscal_year)
    assert_same_fractions(ind[["target", "actual"]], result.indicators["fraction"], oracle)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_the_row_by_row_reference_agrees_with_the_oracle(seed: int) -> None:
    """The benchmark's reference (one cell parsed at a time, apply over rows) is the oracle."""
    texts = Writer(seed).rows(ROWS_PER_SEED)
    names = ["投诉率", "培训人次", "群众满意度（≥90%）", "单位成本", "覆盖率"]
    texts["name"] = [names[i % len(names)] for i in range(len(texts))]
    texts["direction"] = [None if i % 7 else "≤(反向)" for i in range(len(texts))]
    reference = rule_oracle.row_by_row_fractions(texts, FISCAL_YEAR)
    assert_same_fractions(texts, reference, rule_oracle.table_fractions(texts, FISCAL_YEAR))


def test_the_row_by_row_reference_agrees_with_score_dataset(seed_dataset) -> None:  # type: ignore[no-untyped-def]
    result = score_dataset(seed_dataset, ScoringConfig())
    ind = seed_dataset.indicators.reset_index(drop=True)
    reference = rule_oracle.row_by_row_fractions(ind, seed_dataset.fiscal_year)
    assert_same_fractions(ind[["target", "actual"]], result.indicators["fraction"], reference)
