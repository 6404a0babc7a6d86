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


# --------------------------------------------------------------------------------------------
# Weights (分值) and row scores, one project at a time
# --------------------------------------------------------------------------------------------


def project_weights(
    levels: list[str],
    weights: list[float],
    is_scorable: list[bool],
    execution_weight: float | None = None,
    config: ScoringConfig | None = None,
) -> list[float]:
    """The weight (分值) every indicator row of one project carries, in cents.

    The weight rules of :func:`helpers.scoring.assign_weights` (README "Scoring rules"), one
    project and one row at a time, in plain Python:

    1. the project's indicator points are 100 − its execution 分值 (the config's by default);
    2. a level's weight is its template weight scaled to those points (``成本`` counts as
       ``产出``), or, when every row has a published 分值, the sum of its 分值; a level with no
       scorable row hands its weight to the other levels in proportion;
    3. with no published 分值, the scorable rows of a level share its weight equally; rows that
       cannot be scored get nothing;
    4. published 分值 are kept as printed, scorable or not; the blank scorable rows share what is
       left of the project's points, each level's blank rows as much as the level has left;
    5. every weight is rounded to cents by largest remainder, so that the rounded weights add up
       to what the unrounded ones did (ties in row order, rests compared in billionths of a
       cent, so that float noise decides nothing).
    """
    config = config or ScoringConfig()
    execution = config.execution_weight if execution_weight is None else execution_weight
    if isinstance(execution, float) and math.isnan(execution):
        execution = config.execution_weight
    points = 100.0 - execution
    pools = [config.level_pool.get(level, level) for level in levels]
    explicit = [_has(w) for w in weights]
    template_total = sum(config.level_weights.values()) or 1.0

    # 2. Each level's weight, handed on where a level has nothing to score.
    base: dict[str, float] = {}
    is_present: dict[str, bool] = {}
    is_all_published = all(explicit)
    for pool, weight, ok in zip(pools, weights, is_scorable, strict=True):
        if is_all_published:
            base[pool] = math.fsum([base.get(pool, 0.0), weight])
        else:
            base[pool] = config.level_weights.get(pool, 0.0) * points / template_total
        is_present[pool] = is_present.get(pool, False) or ok
    present_base = math.fsum(base[p] for p in base if is_present[p])
    level_weight = {
        p: (base[p] * points / present_base if present_base > 0 else math.nan)
        if is_present[p]
        else 0.0
        for p in base
    }

    if any(explicit):
        # 4. Published 分值 kept; the blank scorable rows share what is left.
        published_in = {
            p: math.fsum(
                w for q, w, e in zip(pools, weights, explicit, strict=True) if q == p and e
            )
            for p in base
        }
        blank = [ok and not e for ok, e in zip(is_scorable, explicit, strict=True)]
        n_blank_in = {p: sum(b for q, b in zip(pools, blank, strict=True) if q == p) for p in base}
        share = [
            max(level_weight[p] - published_in[p], 0.0) / max(n_blank_in[p], 1) if b else 0.0
            for p, b in zip(pools, blank, strict=True)
        ]
        left = max(points - math.fsum(w for w, e in zip(weights, explicit, strict=True) if e), 0.0)
        share_total = math.fsum(share)
        n_blank = sum(blank)
        used = []
        for weight, e, b, s in zip(weights, explicit, blank, share, strict=True):
            if e:
                used.append(float(weight))
            elif not b:
                used.append(0.0)
            elif share_total > 0:
                used.append(left * s / share_total)
            else:
                used.append(left / max(n_blank, 1))
    else:
        # 3. The level's weight shared by its scorable rows.
        n_scorable_in = {
            p: sum(ok for q, ok in zip(pools, is_scorable, strict=True) if q == p) for p in base
        }
        used = [
            level_weight[p] / n_scorable_in[p] if ok else 0.0
            for p, ok in zip(pools, is_scorable, strict=True)
        ]
    return cents_by_largest_remainder(used)


def cents_by_largest_remainder(weights: list[float]) -> list[float]:
    """Round weights to 0.01, the largest remainders taking the cents the floors lost.

    A missing weight stays missing and takes no part.
    """
    rows = [i for i, w in enumerate(weights) if not math.isnan(w)]
    cents = {i: weights[i] * 100.0 for i in rows}
    floors = {i: math.floor(cents[i] + 1e-6) for i in rows}
    owed = round(math.fsum(cents.values())) - sum(floors.values())
    rests = {i: cents[i] - floors[i] for i in rows}
    # Ties (rests equal in billionths of a cent, rounded) go in row order: sorted() is stable.
    by_rest = sorted((i for i in rows if rests[i] > 1e-6), key=lambda i: -round(rests[i] * 1e9))
    for i in by_rest[: max(int(owed), 0)]:
        floors[i] += 1
    return [floors[i] / 100.0 if i in floors else math.nan for i in range(len(weights))]


def round_half_up(x: float) -> float:
    """Round half away from zero to 2 decimals, as finance systems do."""
    return math.copysign(math.floor(abs(x) * 100.0 + 0.5 + 1e-9) / 100.0, x) if x else 0.0


def row_by_row_scores(
    indicators: pd.DataFrame,
    fiscal_year: int | None,
    config: ScoringConfig | None = None,
    execution_weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Every row's fraction, weight and score, row by row: the benchmark's reference.

    :func:`row_by_row_fractions` (``DataFrame.apply`` over the rows), then each project's rows
    weighed by :func:`project_weights` (a ``groupby`` loop over the projects), then each row's
    score, fraction × weight rounded half up to cents (``DataFrame.apply`` again): the same
    rules as :func:`helpers.scoring.score_dataset` gives its ``fraction``, ``weight_used`` and
    ``score`` columns. ``indicators`` must hold whole projects.

    Args:
        indicators: indicator rows (``project_id``, ``level1``, ``name``, ``target``,
            ``actual``, ``weight``).
        fiscal_year: the year to assume for dates written without one.
        config: scoring rules.
        execution_weights: a project's own execution 分值 by project id, where it has one.
    """
    config = config or ScoringConfig()
    execution_weights = execution_weights or {}
    rows = indicators[["project_id", "level1", "weight"]].copy()
    rows["fraction"] = row_by_row_fractions(indicators, fiscal_year, config)
    rows["is_scorable"] = rows["fraction"].notna()
    weight_of: dict[object, float] = {}
    for project_id, project in rows.groupby("project_id", sort=False):
        weights = project_weights(
            project["level1"].tolist(),
            project["weight"].astype(float).tolist(),
            project["is_scorable"].tolist(),
            execution_weights.get(project_id),  # type: ignore[arg-type]
            config,
        )
        weight_of.update(zip(project.index, weights, strict=True))
    rows["weight_used"] = [weight_of.get(label, math.nan) for label in rows.index]

    def score(row: pd.Series) -> float:
        if not row["is_scorable"]:
            return math.nan
        return round_half_up(row["fraction"] * row["weight_used"])

    if rows.empty:
        return rows.assign(score=pd.Series(dtype=float))
    rows["score"] = rows.apply(score, axis=1)
    return rows[["fraction", "weight_used", "score"]]
