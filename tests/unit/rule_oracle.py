"""The row scoring rules, written out plainly, one row at a time: the oracle for the engine.

:func:`helpers.scoring.score_rows` scores whole columns at once with numpy; this module states
the same rules (the module docstring of :mod:`helpers.scoring`, README "Scoring rules") as
ordinary Python over one parsed target and one parsed actual, so that a randomized test
(``tests/unit/test_rule_oracle.py``) and the benchmark (``bench/score_bench.py``) can check the
engine against it. It reads values only through public names: the parser is
:func:`helpers.parse.parse_indicator_values` (the oracle does not parse text itself) and the
direction of an indicator is :func:`helpers.parse.infer_direction`.

The row rules, for a target ``t`` and an actual ``a`` as the parser reads them:

1. a missing target or actual: not scored (NaN; 0 under ``missing_value_policy="zero"``);
2. both have a number: by the target's operator (none means ``=``)

   - ``≥ > =``: actual / target, capped at 1 (never below 0); with target 0, ``=`` is full only
     for actual ≤ 0 and ``≥ >`` are full for actual ≥ 0;
   - ``≤ <``: full up to the target, then linear down to 0 at twice the target;

3. both have a date: on or before the deadline is 达成 (1), later is 未达成 (0.3);
4. otherwise the actual's words: 达成 / 部分达成 / 未达成 → 1.0 / 0.7 / 0.3;
5. anything else cannot be judged (NaN; 0 under ``missing_value_policy="zero"``).

:func:`row_by_row_fractions` states the same with every cell parsed on its own (the one-cell
parser) and ``DataFrame.apply`` over the rows: the benchmark's row-by-row reference.

Imported by the tests as ``tests.unit.rule_oracle`` and by the benchmark by its path; it has no
imports of its own from the tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from helpers.parse import (
    GRADE_UNMET,
    KIND_MISSING,
    infer_direction,
    infer_direction_of,
    parse_indicator_value,
    parse_indicator_values,
)
from helpers.scoring import ScoringConfig

Row = Mapping[str, Any]
"""One row of :func:`helpers.parse.parse_indicator_values` (``kind``, ``op``, ``value`` …)."""


def _has(value: object) -> bool:
    """True for a present value (not None, NaN or NaT)."""
    return value is not None and not pd.isna(value)


def _between_0_and_1(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def numeric_fraction(op: str | None, target: float, actual: float) -> float:
    """The share of the weight a numeric row earns (rule 2)."""
    op = op or "="
    if op in ("≤", "<"):
        if actual <= target:
            return 1.0  # full up to the target
        if target == 0:
            return 0.0  # twice 0 is 0: anything above it earns nothing
        # 1 at the target, 0 one |target| beyond it (twice the target when it is positive)
        return _between_0_and_1(1 - (actual - target) / abs(target))
    # ≥, > and =
    if target == 0:
        if op == "=":
            return 1.0 if actual <= 0 else 0.0
        return 1.0 if actual >= 0 else 0.0
    if target < 0:  # ≥ -5 %: a higher actual is better; 0 one |target| below it
        return 1.0 if actual >= target else _between_0_and_1(1 - (target - actual) / -target)
    return _between_0_and_1(actual / target)


def row_fraction(target: Row, actual: Row, config: ScoringConfig | None = None) -> float:
    """The share (0–1) of its weight one indicator row earns; NaN when it cannot be scored."""
    config = config or ScoringConfig()
    fraction = _row_fraction(target, actual, config.grade_fractions)
    if math.isnan(fraction) and config.missing_value_policy == "zero":
        return 0.0
    return fraction


def _row_fraction(target: Row, actual: Row, grade_fractions: Mapping[str, float]) -> float:
    # 1. Missing target or actual.
    if target["kind"] == KIND_MISSING or actual["kind"] == KIND_MISSING:
        return math.nan
    # 2. Numbers on both sides.
    if _has(target["value"]) and _has(actual["value"]):
        return numeric_fraction(target["op"], float(target["value"]), float(actual["value"]))
    # 3. Dates on both sides.
    if _has(target["deadline"]) and _has(actual["deadline"]):
        if actual["deadline"] <= target["deadline"]:
            return 1.0
        return grade_fractions[GRADE_UNMET]
    # 4. The words of the actual.
    grade = actual["grade"]
    if isinstance(grade, str) and grade in grade_fractions:
        return grade_fractions[grade]
    # 5. Nothing to judge by.
    return math.nan


def fractions(
    target: pd.DataFrame, actual: pd.DataFrame, config: ScoringConfig | None = None
) -> pd.Series:
    """:func:`row_fraction` of every row of two parsed tables on the same index."""
    config = config or ScoringConfig()
    actual = actual.reindex(target.index)
    values = [
        row_fraction(t, a, config)
        for t, a in zip(
            target.to_dict(orient="records"), actual.to_dict(orient="records"), strict=True
        )
    ]
    return pd.Series(values, index=target.index, dtype=float, name="fraction")


def table_fractions(
    indicators: pd.DataFrame, fiscal_year: int | None, config: ScoringConfig | None = None
) -> pd.Series:
    """Row fractions of an indicator table as :func:`helpers.scoring.score_dataset` scores it.

    Two rules of a whole table come before the row rules: a target that is a bare number
    (operator ``=``) is read as ``≤`` where :func:`helpers.parse.infer_direction` says the
    indicator is a reverse one (from its ``direction`` cell, else its name); and an actual
    written exactly as its target (``效果明显`` / ``效果明显``) is met.
    """
    target = parse_indicator_values(indicators["target"], fiscal_year)
    actual = parse_indicator_values(indicators["actual"], fiscal_year)
    reverse = infer_direction(indicators["name"], indicators.get("direction"))["op"].eq("≤")
    bare_number = target["op"].eq("=") & target["value"].notna()
    target["op"] = target["op"].mask(bare_number & reverse, "≤")
    out = fractions(target, actual, config)
    same_text = [
        isinstance(t, str) and t == a
        for t, a in zip(indicators["target"].tolist(), indicators["actual"].tolist(), strict=True)
    ]
    return out.mask(pd.Series(same_text, index=out.index), 1.0)


def row_by_row_fractions(
    indicators: pd.DataFrame, fiscal_year: int | None, config: ScoringConfig | None = None
) -> pd.Series:
    """:func:`table_fractions` computed row by row (``DataFrame.apply(axis=1)``).

    Each row on its own, as a hand-written pandas tool would: its target and actual parsed one
    cell at a time (:func:`helpers.parse.parse_indicator_value`, regexes per cell), its
    direction (:func:`helpers.parse.infer_direction_of`), the identical-text rule, then
    :func:`row_fraction`. The row-by-row reference of the scoring benchmark.
    """
    config = config or ScoringConfig()
    has_direction = "direction" in indicators

    def one(row: pd.Series) -> float:
        target = parse_indicator_value(row["target"], fiscal_year)
        actual = parse_indicator_value(row["actual"], fiscal_year)
        if target["op"] == "=" and _has(target["value"]):
            direction = row["direction"] if has_direction else None
            if infer_direction_of(row["name"], direction)[0] == "≤":
                target["op"] = "≤"
        if isinstance(row["target"], str) and row["target"] == row["actual"]:
            return 1.0
        return row_fraction(target, actual, config)

    if indicators.empty:
        return pd.Series(dtype=float, name="fraction")
    return indicators.apply(one, axis=1).astype(float).rename("fraction")
