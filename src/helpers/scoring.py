"""The scoring engine of 项目支出绩效自评 (财预〔2020〕10号 and budget-system practice).

All rules run as whole-column pandas / numpy operations; there is no per-row Python in the hot
path (the parser reads each distinct text once; per-project lists are filled by C-level ``map``).

Rules, as implemented (defaults in :class:`ScoringConfig`):

- 预算执行率 = 全年执行数 / 全年预算数 (else the stated rate); its score = min(rate, 1) × 10.
- First-level weights 产出 50, 效益 30, 满意度 10 (``成本`` rows count with 产出, as in the
  2020 table). Rows with an explicit weight keep it; the rest of a level's weight is split evenly
  over its other rows. A level without scorable rows hands its weight to the others in proportion
  to theirs, so the total stays 100; ``level_notes`` says so.
- ≥ / > / = : full when met, else actual / target × weight, never above full. ``=`` with target 0
  is full only when actual ≤ 0.
- ≤ / < : full when actual ≤ target; between target and 2 × target, (1 − (actual − target) /
  target) × weight; 0 from 2 × target.
- Qualitative and deadline rows: 达成 / 部分达成 / 未达成 → 1.0 / 0.7 / 0.3 of the weight, kept within
  the official bands [80 %, 100 %], [60 %, 80 %), [0, 60 %). Dates: on or before the deadline is
  达成, later is 未达成.
- Rows without a target or an actual are flagged and, by default, not scored (their weight goes to
  the level's other rows); ``missing_value_policy="zero"`` scores them 0 instead.
- Each row is rounded half-up to 2 decimals; the total is the sum of the rounded rows.
  Grades: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress, repeat
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from helpers.dataset import Dataset
from helpers.format import format_wan
from helpers.parse import (
    GRADE_MET,
    GRADE_PARTIAL,
    GRADE_UNMET,
    KIND_MISSING,
    _gc_paused,
    _parse_coded,
    infer_direction,
)
from helpers.schema import Template

GRADE_BANDS: tuple[tuple[float, str], ...] = ((90.0, "优"), (80.0, "良"), (60.0, "中"), (0.0, "差"))
STATUS_MET = "达成"
STATUS_NEAR = "基本达成"
STATUS_UNMET = "未达成"
STATUS_NOT_SCORED = "未评价"

_GRADE_LIMITS = {GRADE_MET: (0.8, 1.0), GRADE_PARTIAL: (0.6, 0.8), GRADE_UNMET: (0.0, 0.6)}
_MONEY_UNITS = {"万元"}
_PERCENT_UNITS = {"%", "‰", "个百分点", "百分点"}
_TIME_UNITS = {"天", "日", "个工作日", "工作日", "个月", "小时", "分钟", "周", "年"}


DEFAULT_LEVEL_WEIGHTS: dict[str, float] = {"产出": 50.0, "效益": 30.0, "满意度": 10.0}


class ScoringConfig(BaseModel):
    """Weights, fractions and thresholds of the scoring rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level_weights: dict[str, float] = Field(
        default_factory=lambda: {"产出": 50.0, "效益": 30.0, "满意度": 10.0}
    )
    level_pool: dict[str, str] = Field(default_factory=lambda: {"成本": "产出"})
    execution_weight: float = 10.0
    grade_fractions: dict[str, float] = Field(
        default_factory=lambda: {GRADE_MET: 1.0, GRADE_PARTIAL: 0.7, GRADE_UNMET: 0.3}
    )
    missing_value_policy: Literal["exclude", "zero"] = "exclude"
    over_achievement_pct: float = 130.0
    near_met_pct: float = 95.0
    low_execution_pct: float = 90.0

    @classmethod
    def for_template(cls, template: Template, **overrides: object) -> ScoringConfig:
        """The rules for a dataset's template (its execution and level weights).

        Level weights the template does not state are the default 产出 50 : 效益 30 : 满意度 10,
        scaled to the points left after execution (20 → 44.44 / 26.67 / 8.89).

        Example:
            >>> from helpers.schema import Template
            >>> ScoringConfig.for_template(Template(execution_weight=0,
            ...     level_weights={"产出": 40, "效益": 40, "满意度": 20})).level_weights
            {'产出': 40.0, '效益': 40.0, '满意度': 20.0}
            >>> ScoringConfig.for_template(Template(execution_weight=20)).level_weights["产出"]
            44.44444444444444
        """
        points = 100.0 - template.execution_weight
        levels = {k: float(v) for k, v in (template.level_weights or DEFAULT_LEVEL_WEIGHTS).items()}
        levels = {k: v for k, v in levels.items() if k not in ("成本",)} or dict(
            DEFAULT_LEVEL_WEIGHTS
        )
        total = sum(levels.values())
        if total > 0 and abs(total - points) > 1e-9:
            levels = {k: v * points / total for k, v in levels.items()}
        values: dict[str, object] = {
            "execution_weight": template.execution_weight,
            "level_weights": levels,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _check(self) -> ScoringConfig:
        total = sum(self.level_weights.values()) + self.execution_weight
        if abs(total - 100.0) > 1e-6:
            raise ValueError(
                f"一级指标权重与执行率权重合计应为 100（现为 {total:g}） / weights must total 100"
            )
        for grade, (low, high) in _GRADE_LIMITS.items():
            value = self.grade_fractions.get(grade)
            inside = value is not None and low <= value <= high and (value < high or high == 1.0)
            if not inside:
                raise ValueError(
                    f"“{grade}”的得分比例应在 [{low:.0%}, {high:.0%}{']' if high == 1.0 else ')'} 区间内 "
                    f"(grade fraction for {grade} outside the official band)"
                )
        return self


@dataclass
class ScoreResult:
    """Everything the engine computes for one dataset."""

    indicators: pd.DataFrame
    projects: pd.DataFrame
    department: dict[str, Any]
    categories: pd.DataFrame
    config: ScoringConfig
    warnings: list[str] = field(default_factory=list)


def round_half_up(values: pd.Series | np.ndarray | float, decimals: int = 2):  # type: ignore[no-untyped-def]
    """Round half away from zero, as finance systems (and Excel's ROUND) do.

    Example:
        >>> float(round_half_up(2.675, 2)), float(round_half_up(0.125, 2))
        (2.68, 0.13)
    """
    factor = 10.0**decimals
    scaled = np.abs(values) * factor
    return np.sign(values) * np.floor(scaled + 0.5 + 1e-9) / factor


def grade_for(scores: pd.Series) -> pd.Series:
    """Map scores to 优 / 良 / 中 / 差 (missing scores stay missing).

    Example:
        >>> grade_for(pd.Series([92.5, 80.0, 79.99, 59.9, None])).tolist()
        ['优', '良', '中', '差', nan]
    """
    conditions = [scores >= low for low, _ in GRADE_BANDS]
    labels = [label for _, label in GRADE_BANDS]
    out = pd.Series(np.select(conditions, labels, default=""), index=scores.index, dtype=object)
    return out.where(scores.notna(), np.nan)


def _factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes in order of first appearance (-1 for a missing value) and the distinct values.

    The same result as ``pd.factorize``, but neighbours are compared first, so that a column whose
    equal values come in runs (indicator rows grouped by project) hashes one value per run.
    """
    arr = np.asarray(values, dtype=object)
    if len(arr) < 2:
        return pd.factorize(arr)
    try:
        starts = np.flatnonzero(np.concatenate(([True], arr[1:] != arr[:-1])))
    except (TypeError, ValueError):  # values without a plain truth value (pd.NA)
        return pd.factorize(arr)
    head_codes, uniques = pd.factorize(arr[starts])
    return np.repeat(head_codes, np.diff(np.append(starts, len(arr)))), uniques


def _map_codes(
    codes: np.ndarray, uniques: np.ndarray, mapping: dict, default: object, dtype: Any
) -> np.ndarray:
    """``Series.map(mapping)`` from factorised codes: each distinct value is looked up once."""
    table = np.array([mapping.get(u, default) for u in uniques] + [default], dtype=dtype)
    return table[codes]  # code -1 (a missing value) takes the last entry


Coded = tuple[np.ndarray, list]
"""A column as codes into a list of its distinct values (a missing value may be among them)."""


def _coded(values: pd.Series) -> Coded:
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return np.where(codes < 0, len(uniques), codes), [*uniques, None]


def _per_row(coded: Coded, rule, dtype: Any) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``rule`` of every row's value (None when missing), evaluated once per distinct value."""
    codes, values = coded
    value_codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    table = np.array([*map(rule, distinct), rule(None)], dtype=dtype)
    return table[value_codes][codes]  # value code -1 (a missing value) takes the last entry


def _group_key(codes: np.ndarray) -> np.ndarray:
    """A groupby key from codes; -1 becomes NaN so that, as with a missing key, its rows drop."""
    return codes if codes.min(initial=0) >= 0 else np.where(codes >= 0, codes, np.nan)


def _clip(values: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """``Series.clip(lower, upper)`` on an array (NaN stays NaN)."""
    missing = np.isnan(values)
    out = np.where(missing | (values >= lower), values, lower)
    return np.where(missing | (values <= upper), out, upper)


def _unit_family(unit: str | None) -> int:
    """0 no unit, 1 money, 2 percent, 3 time, 4 any other (count) unit."""
    if unit is None:
        return 0
    return (
        1
        if unit in _MONEY_UNITS
        else 2
        if unit in _PERCENT_UNITS
        else 3
        if unit in _TIME_UNITS
        else 4
    )


def score_rows(
    target: pd.DataFrame, actual: pd.DataFrame, config: ScoringConfig | None = None
) -> pd.DataFrame:
    """Score parsed targets against parsed actuals, row by row but vectorised.

    Args:
        target: :func:`~helpers.parse.parse_indicator_values` of the targets.
        actual: the same for the actual values, on the same index.
        config: scoring rules (defaults when omitted).

    Returns:
        ``fraction`` (0–1 of the weight earned; NaN when not scorable), ``completion_pct``
        (actual against target in %, uncapped for ≥ rows), ``is_scorable`` and the row flags
        ``is_missing_target``, ``is_missing_actual``, ``is_unjudgeable``, ``has_unit_mismatch``.

    Example:
        >>> from helpers.parse import parse_indicator_values as parse
        >>> t = parse(pd.Series(["≥4个", "≤100万元", "≤100万元", "=0起", "达成"]))
        >>> a = parse(pd.Series(["1个", "150万元", "200万元", "0起", "部分达成"]))
        >>> score_rows(t, a)["fraction"].tolist()
        [0.25, 0.5, 0.0, 1.0, 0.7]
    """
    config = config or ScoringConfig()
    if not actual.index.equals(target.index):
        actual = actual.reindex(target.index)
    coded = {f"target_{c}": _coded(target[c]) for c in ("op", "kind", "unit")}
    coded |= {f"actual_{c}": _coded(actual[c]) for c in ("kind", "unit", "grade")}
    return _score_rows(target, actual, config, coded)


def _score_rows(
    target: pd.DataFrame, actual: pd.DataFrame, config: ScoringConfig, coded: dict[str, Coded]
) -> pd.DataFrame:
    """:func:`score_rows`, given the text columns it reads as codes into their distinct values.

    Whole-column numpy; the few distinct operators, kinds, units and grades are looked up once
    each (``score_dataset`` passes the codes the parser already has).
    """
    index = target.index
    t_val = target["value"].to_numpy(dtype=float)
    a_val = actual["value"].to_numpy(dtype=float)
    op = coded["target_op"]  # a missing operator reads as =
    is_upper_bound = _per_row(op, lambda v: v in ("≤", "<"), bool)
    is_eq_op = _per_row(op, lambda v: v is None or v == "=", bool)
    is_missing_target = _per_row(coded["target_kind"], lambda v: v == KIND_MISSING, bool)
    is_missing_actual = _per_row(coded["actual_kind"], lambda v: v == KIND_MISSING, bool)
    is_numeric = ~np.isnan(t_val) & ~np.isnan(a_val)
    t_deadline, a_deadline = target["deadline"], actual["deadline"]
    is_dated = (t_deadline.notna() & a_deadline.notna()).to_numpy() & ~is_numeric
    fractions = config.grade_fractions
    grade_fraction = _per_row(
        coded["actual_grade"], lambda v: np.nan if v is None else fractions.get(v, np.nan), float
    )
    is_graded = ~is_numeric & ~is_dated & ~np.isnan(grade_fraction)

    # Numeric rules.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        nonzero_target = np.where(t_val != 0, t_val, np.nan)
        ratio = a_val / nonzero_target
        zero_target = t_val == 0
        # A negative target keeps its meaning (≥ -5 %: a higher actual is better): met at or
        # above it, then linear down to 0 one |target| below it.
        magnitude = np.abs(nonzero_target)
        below_negative = _clip(1 - (t_val - a_val) / magnitude, 0, 1)
        ge_fraction = np.where(
            zero_target,
            np.where(is_eq_op, (a_val <= 0).astype(float), (a_val >= 0).astype(float)),
            np.where(t_val < 0, np.where(a_val >= t_val, 1.0, below_negative), _clip(ratio, 0, 1)),
        )
        over = (a_val - t_val) / magnitude
        le_fraction = np.where(
            zero_target,
            (a_val <= 0).astype(float),
            np.where(a_val <= t_val, 1.0, _clip(1 - over, 0, 1)),
        )
        numeric_fraction = np.where(is_upper_bound, le_fraction, ge_fraction)
        completion_ratio = ratio * 100
    date_fraction = np.where(
        (a_deadline <= t_deadline).to_numpy(), 1.0, config.grade_fractions[GRADE_UNMET]
    )
    fraction = np.full(len(index), np.nan)
    fraction = np.where(is_numeric, numeric_fraction, fraction)
    fraction = np.where(is_dated, date_fraction, fraction)
    fraction = np.where(is_graded, grade_fraction, fraction)
    has_both = ~is_missing_target & ~is_missing_actual
    fraction = np.where(has_both, fraction, np.nan)

    is_unjudgeable = np.isnan(fraction) & has_both
    if config.missing_value_policy == "zero":
        fraction = np.where(np.isnan(fraction), 0.0, fraction)
    completion = np.where(
        is_numeric & ~is_upper_bound & ~zero_target, completion_ratio, fraction * 100
    )
    t_family = _per_row(coded["target_unit"], _unit_family, np.int8)
    a_family = _per_row(coded["actual_unit"], _unit_family, np.int8)
    has_unit_mismatch = is_numeric & (t_family != 0) & (a_family != 0) & (t_family != a_family)
    return pd.DataFrame(
        {
            "fraction": fraction,
            "completion_pct": completion.astype("float64"),
            "is_scorable": ~np.isnan(fraction),
            "is_missing_target": is_missing_target,
            "is_missing_actual": is_missing_actual,
            "is_unjudgeable": is_unjudgeable,
            "has_unit_mismatch": has_unit_mismatch,
            "is_ge_rule": is_numeric & ~is_upper_bound,
        },
        index=index,
    )


def assign_weights(rows: pd.DataFrame, config: ScoringConfig | None = None) -> pd.DataFrame:
    """Give every indicator row its weight (分值) within its project.

    Args:
        rows: one row per indicator with ``project_id``, ``level1``, ``weight`` (explicit or NaN)
            and ``is_scorable``.
        config: scoring rules.

    Returns:
        ``rows`` with ``pool`` (the first-level pool), ``level_weight`` (the pool's weight after
        redistribution) and ``weight_used``.

    Example:
        >>> rows = pd.DataFrame({"project_id": ["A"] * 3, "level1": ["产出", "产出", "满意度"],
        ...                      "weight": [10.0, None, None], "is_scorable": [True, True, True]})
        >>> assign_weights(rows)["weight_used"].tolist()  # 效益 missing: 30 → 25 产出 + 5 满意度
        [10.0, 65.0, 15.0]
    """
    config = config or ScoringConfig()
    out = rows.copy()
    out["pool"], pool_codes, pools = _pools(out["level1"], config)
    _add_weights(out, config, _factorize(out["project_id"])[0], pool_codes, pools)
    return out


def _pools(level1: pd.Series, config: ScoringConfig) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``level1.replace(config.level_pool)``, with its codes and distinct values."""
    if not isinstance(level1.dtype, pd.StringDtype):
        pool = level1.replace(config.level_pool)
        return (pool, *_factorize(pool))
    level_codes, levels = _factorize(level1)
    pooled = [config.level_pool.get(level, level) for level in levels]
    remap, pools = pd.factorize(np.array(pooled, dtype=object))
    values = pd.array([*pooled, np.nan], dtype=level1.dtype)
    pool = pd.Series(
        values.take(np.where(level_codes < 0, len(levels), level_codes)), index=level1.index
    )
    return pool, np.append(remap, -1)[level_codes], pools


def _add_weights(
    out: pd.DataFrame,
    config: ScoringConfig,
    pid: np.ndarray,
    pool: np.ndarray,
    pools: np.ndarray,
) -> np.ndarray:
    """Add ``level_weight`` and ``weight_used`` to ``out`` (see :func:`assign_weights`).

    ``pid`` and ``pool`` are the factorised ``project_id`` and ``pool`` columns. Counts are
    bincounts; float sums stay pandas group sums so that they add up exactly as before.
    Returns which rows are the first of their (project, pool).
    """
    in_project = pid >= 0
    in_level = in_project & (pool >= 0)
    n_codes = max(int(pid.max(initial=-1)) + 1, 1)
    level = np.where(in_level, pid * len(pools) + pool, -1)  # one code per (project, pool)
    n_levels = max(n_codes * len(pools), 1)
    project_key, level_key = _group_key(pid), _group_key(level)
    safe_pid, safe_level = np.where(in_project, pid, 0), np.where(in_level, level, 0)

    is_scorable = out["is_scorable"].to_numpy(dtype=bool)
    explicit = out["weight"]
    has_explicit = explicit.notna().to_numpy()
    explicit_values = explicit.to_numpy(dtype=float)
    n_explicit = np.bincount(pid[in_project & has_explicit], minlength=n_codes)
    n_rows = np.bincount(pid[in_project], minlength=n_codes)
    is_all_explicit = in_project & (n_explicit[safe_pid] == n_rows[safe_pid])

    # Each project's indicator points (100 − its execution weight) and the template's level
    # weights scaled to them.
    execution = (
        out["execution_weight"].to_numpy(dtype=float)
        if "execution_weight" in out
        else np.full(len(out), np.nan)
    )
    execution = np.where(np.isnan(execution), config.execution_weight, execution)
    indicator_points = 100.0 - execution
    level_total = sum(config.level_weights.values()) or 1.0
    configured = _map_codes(pool, pools, config.level_weights, np.nan, float)
    configured = np.where(np.isnan(configured), 0.0, configured) * indicator_points / level_total
    scorable_explicit = np.where(is_scorable & has_explicit, explicit_values, 0.0)
    # Column by column, as Series sums (a frame-wide sum may add in another order).
    by_level = pd.DataFrame({"weight": explicit_values, "scorable": scorable_explicit}).groupby(
        level_key, sort=False
    )
    level_sums = {col: by_level[col].transform("sum") for col in ("weight", "scorable")}
    level_base = np.where(is_all_explicit, level_sums["weight"].to_numpy(), configured)
    any_scorable = np.bincount(level[in_level & is_scorable], minlength=n_levels) > 0
    level_present = np.where(in_level, any_scorable[safe_level], True)  # NaN key: NaN → True
    # One value per (project, pool) to sum over present levels.
    pair = (pid + 1) * (len(pools) + 1) + (pool + 1)
    first_of_level = ~pd.Series(pair).duplicated().to_numpy()
    present_base = (
        pd.Series(level_base * (first_of_level & level_present))
        .groupby(project_key, sort=False)
        .transform("sum")
        .to_numpy()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        level_weight = np.where(
            level_present,
            level_base * indicator_points / np.where(present_base > 0, present_base, np.nan),
            0.0,
        )
        explicit_sum = level_sums["scorable"].to_numpy()
        n_free = np.bincount(level[in_level & is_scorable & ~has_explicit], minlength=n_levels)
        free_count = np.where(in_level, n_free[safe_level], np.nan)
        remainder = level_weight - explicit_sum
        scale = level_weight / np.where(explicit_sum > 0, explicit_sum, np.nan)
        needs_scaling = (free_count == 0) | (remainder < 0)
        weight_used = np.where(
            has_explicit,
            np.where(needs_scaling, explicit_values * scale, explicit_values),
            np.where(needs_scaling, 0.0, remainder / np.where(free_count > 0, free_count, np.nan)),
        )
    # Projects with published 分值: those are kept as printed, scorable or not; rows without one
    # share what is left of the project's points, by level as the template weighs them.
    explicit_rows = in_project & has_explicit
    explicit_total = np.bincount(
        pid[explicit_rows], weights=explicit_values[explicit_rows], minlength=n_codes
    )
    has_published = in_project & (n_explicit[safe_pid] > 0)
    blank = in_level & ~has_explicit & is_scorable
    n_blank_level = np.bincount(level[blank], minlength=n_levels)
    explicit_level = np.bincount(
        level[in_level & has_explicit],
        weights=explicit_values[in_level & has_explicit],
        minlength=n_levels,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            blank,
            np.maximum(level_weight - explicit_level[safe_level], 0.0)
            / np.maximum(n_blank_level[safe_level], 1),
            0.0,
        )
        share_total = np.bincount(pid[blank], weights=share[blank], minlength=n_codes)
        n_blank = np.bincount(pid[blank], minlength=n_codes)
        left = np.maximum(indicator_points - explicit_total[safe_pid], 0.0)
        blank_weight = np.where(
            share_total[safe_pid] > 0,
            left * share / np.where(share_total[safe_pid] > 0, share_total[safe_pid], 1.0),
            left / np.maximum(n_blank[safe_pid], 1),
        )
    published_weight = np.where(has_explicit, explicit_values, np.where(blank, blank_weight, 0.0))
    weight_used = np.where(has_published, published_weight, np.where(is_scorable, weight_used, 0.0))
    weight_used = _round_weights_to_cents(weight_used, project_key)
    out["level_weight"] = pd.Series(level_weight, index=out.index)
    out["weight_used"] = pd.Series(weight_used, index=out.index)
    return first_of_level


def _round_weights_to_cents(weights: np.ndarray, project_key: object) -> np.ndarray:
    """Round weights to 0.01 so that each project's weights still add up exactly.

    Largest-remainder rounding, as 自评表 print 分值 with two decimals: three rows sharing 50
    points get 16.67, 16.67 and 16.66, never 16.67 × 3 = 50.01; so a project meeting every
    target scores exactly 100, and the total stays the sum of the rounded rows.
    """
    with np.errstate(invalid="ignore"):
        cents = weights * 100.0
        floor = np.floor(cents + 1e-6)
    frame = pd.DataFrame({"cents": cents, "floor": floor, "rest": cents - floor})
    grouped = frame.groupby(project_key, sort=False)
    deficit = np.rint(grouped["cents"].transform("sum")) - grouped["floor"].transform("sum")
    rank = grouped["rest"].rank(method="first", ascending=False)
    bump = (rank <= deficit).to_numpy() & (frame["rest"].to_numpy() > 1e-6)
    return np.where(np.isnan(weights), weights, (floor + bump) / 100.0)


def _level_notes(
    level_weight: np.ndarray,
    pid: np.ndarray,
    pool: np.ndarray,
    pools: np.ndarray,
    first_of_level: np.ndarray,
    n_codes: int,
    config: ScoringConfig,
) -> list[list[str]]:
    """Per project code, a sentence for every level that handed its weight to the others.

    ``first_of_level`` marks the first row of every (project, pool); level_weight is the same
    on all rows of one.
    """
    first = np.flatnonzero(first_of_level & (pid >= 0) & (pool >= 0))
    # Columns as the (project, pool) table would have them: pools in order of appearance.
    columns = pd.unique(pool[first])
    col_of_pool = np.full(len(pools), -1)
    col_of_pool[columns] = np.arange(len(columns))
    weights = np.full((n_codes, len(columns)), np.nan)
    weights[pid[first], col_of_pool[pool[first]]] = level_weight[first]
    has_rows = np.zeros(n_codes, dtype=bool)
    has_rows[pid[first]] = True
    present = weights > 0
    names = [pools[c] for c in columns]
    missing = np.column_stack(
        [
            ~present[:, names.index(lvl)] if lvl in names else np.ones(n_codes, dtype=bool)
            for lvl in config.level_weights
        ]
        or [np.zeros(n_codes, dtype=bool)]
    )
    noted = np.flatnonzero(has_rows & missing.any(axis=1) & present.any(axis=1))
    notes: list[list[str]] = [[] for _ in range(n_codes)]
    if not len(noted):
        return notes
    # One sentence per distinct (missing levels, weights of the others); most projects share one.
    levels = list(config.level_weights)
    combo = missing[noted] @ (1 << np.arange(missing.shape[1]))
    pattern = np.column_stack([combo, np.where(present[noted], weights[noted], -1.0)])
    inverse = np.zeros(len(noted), dtype=np.int64)
    for column in pattern.T:  # each row's pattern as one dense code, in order of appearance
        codes, values = pd.factorize(column)
        inverse = pd.factorize(inverse * (len(values) + 1) + codes)[0]
    _, first = np.unique(inverse, return_index=True)
    sentences = []
    for c, *row in pattern[first].tolist():
        gave = "、".join(
            f"{lvl}（{config.level_weights[lvl]:g} 分）"
            for i, lvl in enumerate(levels)
            if int(c) >> i & 1
        )
        got = "、".join(f"{name} {w:.4g} 分" for name, w in zip(names, row, strict=True) if w > 0)
        sentences.append(f"无可评分的{gave}指标，其分值按比例并入其他一级指标：{got}。")
    texts = np.array(sentences, dtype=object)[inverse].tolist()
    deque(map(list.append, map(notes.__getitem__, noted.tolist()), texts), maxlen=0)
    return notes


@_gc_paused()
def score_dataset(dataset: Dataset, config: ScoringConfig | None = None) -> ScoreResult:
    """Score every indicator and project of a dataset and summarise the department.

    Args:
        dataset: a loaded dataset (see :func:`helpers.dataset.load_dataset`).
        config: scoring rules; by default those of the dataset's template (its execution and
            level weights, see :meth:`ScoringConfig.for_template`). A project's own execution
            分值 and every published indicator 分值 are kept whatever the config says.

    Returns:
        A :class:`ScoreResult` with scored indicator rows, projects, categories and the
        department summary.
    """
    config = config or ScoringConfig.for_template(dataset.template)
    year = dataset.fiscal_year
    ind = dataset.indicators.reset_index(drop=True)
    used = ("kind", "op", "value", "unit", "deadline")  # the columns scored keeps and reads
    target, t_codes, t_table = _parsed_once(dataset, ind, "target", year, used)
    actual, a_codes, a_table = _parsed_once(dataset, ind, "actual", year, used)
    coded = {f"target_{c}": (t_codes, t_table[c].tolist()) for c in ("op", "kind", "unit")}
    coded |= {f"actual_{c}": (a_codes, a_table[c].tolist()) for c in ("kind", "unit", "grade")}
    direction_note = _apply_direction(ind, target, coded)
    rows = _score_rows(target, actual, config, coded)
    _score_identical_texts(ind, rows)
    scored = pd.concat([ind, rows], axis=1)
    scored["direction_note"] = direction_note
    for col in ("op", "value", "unit", "kind", "deadline"):
        scored[f"target_{col}"] = target[col]
        scored[f"actual_{col}"] = actual[col]
    # As assign_weights, with the project and pool codes kept for the project summaries.
    pid, pid_uniques = _factorize(scored["project_id"])
    scored["execution_weight"] = _row_execution_weights(dataset.projects, pid, pid_uniques)
    scored["pool"], pool, pools = _pools(scored["level1"], config)
    first_of_level = _add_weights(scored, config, pid, pool, pools)
    scored["score"] = round_half_up(scored["fraction"].fillna(0.0) * scored["weight_used"], 2)
    scored["score"] = scored["score"].where(scored["is_scorable"])
    if "stated_score" not in scored:
        scored["stated_score"] = np.nan
    stated = scored["stated_score"]
    scored["score_diff"] = round_half_up(scored["score"] - stated, 2)
    scored["has_score_diff"] = (scored["score"] - stated).abs().gt(0.005) | (
        stated.notna() & scored["score"].isna()
    )
    scored["is_weighted_unscored"] = (
        ~scored["is_scorable"] & scored["weight"].notna() & (scored["weight_used"] > 0)
    )
    completion = scored["completion_pct"]
    is_not_scored = ~scored["is_scorable"].to_numpy(dtype=bool)
    is_met = ~is_not_scored & (scored["fraction"] >= 1 - 1e-12).to_numpy()
    is_near = ~is_not_scored & ~is_met & (completion >= config.near_met_pct).to_numpy()
    status = np.select([is_not_scored, is_met, is_near], [0, 1, 2], default=3)
    statuses = pd.array([STATUS_NOT_SCORED, STATUS_MET, STATUS_NEAR, STATUS_UNMET], dtype="str")
    scored["status"] = pd.Series(statuses.take(status), index=scored.index, copy=False)
    scored["is_unmet"] = ~is_not_scored & ~is_met & ~is_near
    scored["is_near_met"] = is_near
    scored["is_over_achieved"] = scored["is_ge_rule"] & (completion >= config.over_achievement_pct)
    reason = scored["deviation_reason"]
    written = reason.notna().to_numpy()  # a missing reason reads as "", as does a blank one
    has_reason = np.zeros(len(scored), dtype=bool)
    if written.any():  # each distinct reason once; only text that strips to "" says nothing
        codes, reasons = pd.factorize(np.asarray(reason, dtype=object)[written])
        says = [not (isinstance(r, str) and r.strip() == "") for r in reasons]
        has_reason[written] = np.array([*says, False], dtype=bool)[codes]
    scored["lacks_deviation_reason"] = (
        scored["is_scorable"] & (scored["fraction"] < 1) & ~has_reason
    )

    codes = _ProjectCodes(pid, pid_uniques, pool, pools, first_of_level, is_met)
    projects = _score_projects(dataset, scored, config, codes)
    categories = _summarise_categories(dataset, projects)
    department = _summarise_department(dataset, projects, scored)
    return ScoreResult(scored, projects, department, categories, config, list(dataset.warnings))


def _parsed_once(
    dataset: Dataset, ind: pd.DataFrame, column: str, year: int, used: tuple[str, ...]
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """The loader's parse of a text column when it has one for these rows, else a new parse."""
    cached = dataset.parsed.get(column) if dataset.parsed else None
    if cached is not None and cached[0].index.equals(ind.index):
        frame, codes, table = cached
        # The scoring may change operators (direction): work on a copy of the used columns.
        return frame.loc[:, list(used)].copy(), codes, table
    return _parse_coded(ind[column], year, used)


def _row_execution_weights(
    projects: pd.DataFrame, pid: np.ndarray, pid_uniques: np.ndarray
) -> np.ndarray:
    """Each indicator row's project execution 分值 where the project states one, else NaN."""
    if "execution_weight" not in projects or not projects["execution_weight"].notna().any():
        return np.full(len(pid), np.nan)
    own = projects.drop_duplicates("project_id").set_index("project_id")["execution_weight"]
    per_code = np.append(own.reindex(pid_uniques).to_numpy(dtype=float), np.nan)
    return per_code[pid]  # pid -1 (no project) takes the trailing NaN


def _apply_direction(ind: pd.DataFrame, target: pd.DataFrame, coded: dict[str, Coded]) -> pd.Series:
    """Read a bare target number as ``≤`` where the direction column or the name says so.

    ``投诉率 5%`` with no sign, or a Sichuan row whose 指标性质 is ``≤``, is a reverse indicator:
    smaller is better. Changes ``target["op"]`` (and its codes) in place and returns, per row,
    the reason (None where nothing changed).
    """
    # Only bare-number targets can change: read the names (and directions) of those alone.
    bare = (target["op"].to_numpy(dtype=object) == "=") & target["value"].notna().to_numpy()
    if not bare.any():
        return pd.Series(None, index=ind.index, dtype=object)
    directions = ind.get("direction")
    inferred = infer_direction(ind["name"][bare], None if directions is None else directions[bare])
    op = np.full(len(ind), None, dtype=object)
    reason = np.full(len(ind), None, dtype=object)
    op[bare] = inferred["op"].to_numpy(dtype=object)
    reason[bare] = inferred["reason"].to_numpy(dtype=object)
    change = bare & (op == "≤")
    if not change.any():
        return pd.Series(None, index=ind.index, dtype=object)
    ops = target["op"].astype(object).to_numpy(copy=True)
    ops[change] = "≤"
    target["op"] = pd.Series(ops, index=target.index, dtype=object)
    coded["target_op"] = _coded(target["op"])
    reason[~change] = None
    return pd.Series(reason, index=ind.index, dtype=object)


def _score_identical_texts(ind: pd.DataFrame, rows: pd.DataFrame) -> None:
    """A row whose actual is written exactly as its target (``效果明显`` / ``效果明显``) is met."""
    targets = np.asarray(ind["target"], dtype=object)
    actuals = np.asarray(ind["actual"], dtype=object)
    same = (targets == actuals) & ind["target"].notna().to_numpy()
    same &= rows["fraction"].to_numpy(dtype=float) != 1.0
    if not same.any():
        return
    rows.loc[same, "fraction"] = 1.0
    rows.loc[same, "completion_pct"] = 100.0
    rows.loc[same, "is_scorable"] = True
    rows.loc[same, "is_unjudgeable"] = False


@dataclass
class _ProjectCodes:
    """Factorised ``project_id`` and ``pool`` of the scored rows, and which rows are met."""

    pid: np.ndarray
    pid_uniques: np.ndarray
    pool: np.ndarray
    pools: np.ndarray
    first_of_level: np.ndarray
    is_met: np.ndarray


def _lists_by_group(groups: np.ndarray, values: list, n_groups: int) -> list[list]:
    """``values`` gathered into one list per group 0 … n_groups − 1, in their order."""
    lists: list[list] = [[] for _ in range(n_groups)]
    deque(map(list.append, map(lists.__getitem__, groups.tolist()), values), maxlen=0)
    return lists


def _score_projects(
    dataset: Dataset, scored: pd.DataFrame, config: ScoringConfig, codes: _ProjectCodes
) -> pd.DataFrame:
    proj = dataset.projects.reset_index(drop=True).copy()
    for column in ("execution_weight", "stated_execution_score", "stated_score"):
        if column not in proj:
            proj[column] = np.nan
    computed_rate = proj["spent_wan"] / proj["budget_wan"].where(proj["budget_wan"] > 0) * 100
    proj["execution_rate_pct"] = round_half_up(
        computed_rate.fillna(proj["stated_execution_rate_pct"]), 2
    )
    proj["has_rate_mismatch"] = (computed_rate - proj["stated_execution_rate_pct"]).abs() > 0.01
    proj["execution_weight"] = proj["execution_weight"].fillna(config.execution_weight)
    proj["execution_score"] = round_half_up(
        (proj["execution_rate_pct"] / 100).clip(upper=1) * proj["execution_weight"], 2
    )
    # Per project code (rows without a project id belong to none), then per project row.
    pid = codes.pid
    in_project = pid >= 0
    n_codes = len(codes.pid_uniques)
    code_of_project = pd.Index(codes.pid_uniques).get_indexer(proj["project_id"])
    has_code = code_of_project >= 0
    safe_code = np.where(has_code, code_of_project, 0)

    def count(mask: np.ndarray) -> np.ndarray:
        per_code = np.bincount(pid[in_project & mask], minlength=n_codes)
        return np.where(has_code, per_code[safe_code] if n_codes else 0, 0).astype(int)

    score_sum = (
        scored["score"]
        .groupby(_group_key(pid), sort=False)
        .sum(min_count=1)
        .reindex(range(n_codes))
        .to_numpy()
    )
    proj["indicator_score"] = np.where(has_code, score_sum[safe_code] if n_codes else 0, np.nan)
    proj["n_indicators"] = count(np.ones(len(pid), dtype=bool))
    proj["n_scored"] = count(scored["is_scorable"].to_numpy(dtype=bool))
    proj["n_met"] = count(codes.is_met)
    proj["n_near_met"] = count(scored["is_near_met"].to_numpy(dtype=bool))
    proj["n_unmet"] = count(scored["is_unmet"].to_numpy(dtype=bool))
    proj["score"] = round_half_up(proj["indicator_score"] + proj["execution_score"], 2)
    proj["score"] = proj["score"].where(proj["n_scored"] > 0)
    proj["grade"] = grade_for(proj["score"])
    proj["is_budget_adjusted"] = (
        proj["initial_budget_wan"].notna()
        & proj["budget_wan"].notna()
        & (proj["initial_budget_wan"] - proj["budget_wan"]).abs().gt(1e-9)
    )
    proj["is_low_execution"] = proj["execution_rate_pct"] < config.low_execution_pct
    proj["has_score_mismatch"] = (proj["score"] - proj["stated_score"]).abs() > 0.005
    proj["has_execution_score_mismatch"] = (
        proj["execution_score"] - proj["stated_execution_score"]
    ).abs() > 0.005

    def per_project(by_code: list[list]) -> pd.Series:
        if has_code.all():
            lists = list(map(by_code.__getitem__, code_of_project.tolist()))
        else:
            lists = [by_code[c] if c >= 0 else [] for c in code_of_project.tolist()]
        return pd.Series(lists, index=proj.index, dtype=object)

    # With unique project ids, rows are gathered straight into project order.
    n_projects = len(proj)
    is_unique = np.bincount(code_of_project[has_code], minlength=n_codes).max(initial=0) <= 1
    project_of_code = np.full(n_codes + 1, -1)
    project_of_code[code_of_project[has_code]] = np.flatnonzero(has_code)
    row_project = project_of_code[pid]  # pid -1 (no project id) takes the last entry, -1

    def names_per_project(mask: np.ndarray, values: np.ndarray | None = None) -> pd.Series:
        values = names if values is None else values
        if is_unique:
            rows = np.flatnonzero(mask & (row_project >= 0))
            lists = _lists_by_group(row_project[rows], values[rows].tolist(), n_projects)
            return pd.Series(lists, index=proj.index, dtype=object)
        rows = np.flatnonzero(mask & in_project)
        return per_project(_lists_by_group(pid[rows], values[rows].tolist(), n_codes))

    lists = {
        "unmet": scored["is_unmet"],
        "near_met": scored["is_near_met"],
        "over_achieved": scored["is_over_achieved"],
        "missing_target": scored["is_missing_target"],
        "missing_actual": scored["is_missing_actual"],
        "unjudgeable": scored["is_unjudgeable"],
        "no_reason": scored["lacks_deviation_reason"],
        "unit_mismatch": scored["has_unit_mismatch"],
    }
    names = np.asarray(scored["name"], dtype=object)
    for key, mask in lists.items():
        proj[key] = names_per_project(mask.to_numpy(dtype=bool))
    level_weight = scored["level_weight"].to_numpy(dtype=float)
    notes = _level_notes(
        level_weight, pid, codes.pool, codes.pools, codes.first_of_level, n_codes, config
    )
    proj["level_notes"] = per_project(notes)
    proj["score_diffs"] = names_per_project(
        scored["has_score_diff"].to_numpy(dtype=bool), _score_diff_texts(scored)
    )
    unscored = scored["is_weighted_unscored"].to_numpy(dtype=bool)
    weights = _formatted(scored["weight_used"], "（{:g} 分）")
    proj["weighted_unscored"] = names_per_project(unscored, _joined(names, weights, unscored))
    blank = _blank_in_mixed(scored)
    proj["blank_weights"] = names_per_project(
        blank, _joined(names, _formatted(scored["weight_used"], " {:g} 分"), blank)
    )
    proj["blank_weight_notes"] = _blank_weight_notes(proj, scored, blank)
    directions = scored["direction_note"].notna().to_numpy(dtype=bool)
    reasons = np.asarray(scored["direction_note"].fillna(""), dtype=object)
    proj["direction_notes"] = names_per_project(
        directions, _joined(names, "：" + reasons, directions)
    )
    proj["flags"] = _project_flags(proj, config)
    return proj


def _score_diff_texts(scored: pd.DataFrame) -> np.ndarray:
    """``指标名（自评 8 分，按规则 6.4 分）`` for rows whose printed 得分 differs."""
    mask = scored["has_score_diff"].to_numpy(dtype=bool)
    out = np.asarray(scored["name"], dtype=object).copy()
    if not mask.any():
        return out
    for i in np.flatnonzero(mask).tolist():
        rule = scored["score"].iat[i]
        shown = "未评分" if pd.isna(rule) else f"{rule:g} 分"
        out[i] = f"{out[i]}（自评 {scored['stated_score'].iat[i]:g} 分，按规则 {shown}）"
    return out


def _formatted(values: pd.Series, template: str) -> np.ndarray:
    """``template.format(v)`` of every value, each distinct value formatted once."""
    codes, uniques = pd.factorize(values)
    table = np.array([template.format(u) for u in uniques.tolist()] + [""], dtype=object)
    return table[codes]


def _joined(names: np.ndarray, suffixes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``name + suffix`` where ``mask`` holds (C-level object add), the bare names elsewhere."""
    out = names.copy()
    if mask.any():
        out[mask] = names[mask] + suffixes[mask]
    return out


def _blank_in_mixed(scored: pd.DataFrame) -> np.ndarray:
    """Rows without a published 分值 in projects that publish some."""
    has_weight = scored["weight"].notna()
    by_project = has_weight.groupby(scored["project_id"], sort=False)
    mixed = by_project.transform("any") & ~by_project.transform("all")
    return (mixed & ~has_weight).to_numpy(dtype=bool)


def _blank_weight_notes(proj: pd.DataFrame, scored: pd.DataFrame, blank: np.ndarray) -> pd.Series:
    """Per project with published 分值 and blank ones: how many points each blank row got."""
    totals = scored["weight_used"].where(blank).groupby(scored["project_id"], sort=False).sum()
    notes: list[list[str]] = []
    for pid, shares in zip(
        proj["project_id"].tolist(), proj["blank_weights"].tolist(), strict=True
    ):
        if not shares:
            notes.append([])
            continue
        notes.append(
            [
                f"{len(shares)} 项指标未填写分值，按模板分得剩余的 {totals.get(pid, 0.0):g} 分："
                + "、".join(shares)
            ]
        )
    return pd.Series(notes, index=proj.index, dtype=object)


def _project_flags(proj: pd.DataFrame, config: ScoringConfig) -> pd.Series:
    """Human-readable red flags, one list per project (Chinese, for the report).

    Built column-wise: every kind of flag is a masked column of texts, appended in the order
    below to the lists of the projects it concerns.
    """
    flags: list[list[str]] = [[] for _ in range(len(proj))]

    def put(at: Iterable[int], texts: Iterable[str]) -> None:
        deque(map(list.append, map(flags.__getitem__, at), texts), maxlen=0)

    def add(mask: pd.Series, make, *columns: str) -> None:  # type: ignore[no-untyped-def]
        """Flag the projects in ``mask`` with ``make`` of their values in ``columns``."""
        at = np.flatnonzero(mask.to_numpy(dtype=bool))
        values = [proj[c].to_numpy()[at].tolist() for c in columns]
        put(at.tolist(), map(make, *values) if values else repeat(make(), len(at)))

    def add_names(column: str, prefix: str) -> None:
        """Flag the projects whose list ``column`` has names, naming them."""
        lists = proj[column].tolist()
        nonempty = list(map(bool, lists))
        put(
            compress(range(len(lists)), nonempty),
            map(prefix.__add__, map("、".join, compress(lists, nonempty))),
        )

    def same(text: str):  # type: ignore[no-untyped-def]
        return lambda: text

    add_names("unmet", "未完成指标：")
    add_names("near_met", "接近但未完全达到目标：")
    add(
        proj["is_low_execution"],
        lambda rate: f"预算执行率 {rate:g}% 低于 {config.low_execution_pct:g}%",
        "execution_rate_pct",
    )
    add(
        proj["execution_rate_pct"].isna(),
        same("缺少执行数据，无法计算预算执行率，未计算总分"),
    )
    add(
        proj["is_budget_adjusted"],
        lambda initial, budget: (
            f"年中预算调整：年初 {format_wan(initial)} 万元，全年 {format_wan(budget)} 万元"
        ),
        "initial_budget_wan",
        "budget_wan",
    )
    add_names(
        "over_achieved", f"超额完成 {config.over_achievement_pct:g}% 以上（目标设定偏低？）："
    )
    add_names("no_reason", "扣分但未说明偏差原因：")
    add_names("missing_target", "缺少目标值：")
    add_names("missing_actual", "缺少实际完成值：")
    add_names("unjudgeable", "无法判断完成情况：")
    add_names("unit_mismatch", "目标与实际单位不一致：")
    add_names("weighted_unscored", "有分值但无法评分，未计入得分：")
    add_names("score_diffs", "自评得分与按规则计算的得分不同：")
    add_names("direction_notes", "按反向指标处理：")
    for i, texts in enumerate(proj["blank_weight_notes"].tolist()):
        flags[i].extend(texts)
    add(
        proj["has_execution_score_mismatch"],
        lambda score, stated: f"执行率得分按规则为 {score:g} 分，自评为 {stated:g} 分",
        "execution_score",
        "stated_execution_score",
    )
    add(
        proj["has_rate_mismatch"],
        lambda stated: f"计算执行率与所述执行率 {stated:g}% 不一致",
        "stated_execution_rate_pct",
    )
    add(
        proj["has_score_mismatch"],
        lambda score, stated: f"计算得分 {score:g} 与所述得分 {stated:g} 不一致",
        "score",
        "stated_score",
    )
    add(proj["n_scored"].eq(0), same("无可评分指标，未计算得分"))
    return pd.Series(flags, index=proj.index, dtype=object)


def _summarise_categories(dataset: Dataset, projects: pd.DataFrame) -> pd.DataFrame:
    order = [c.name for c in dataset.department.categories]
    order += [c for c in projects["category"].unique() if c not in order]
    grouped = projects.groupby("category", sort=False)
    out = pd.DataFrame(
        {
            "n_projects": grouped.size(),
            "budget_wan": grouped["budget_wan"].sum(min_count=1).pipe(round_half_up, 4),
            "n_indicators": grouped["n_indicators"].sum(),
            "n_met": grouped["n_met"].sum(),
            "n_unmet": grouped["n_unmet"].sum(),
            "mean_score": grouped["score"].mean().pipe(round_half_up, 2),
        }
    )
    out = out.reindex([c for c in order if c in out.index])
    out.index.name = "category"
    return out.reset_index()


def _summarise_department(
    dataset: Dataset, projects: pd.DataFrame, scored: pd.DataFrame
) -> dict[str, Any]:
    dept = dataset.department
    rate = (
        float(round_half_up(dept.spent_wan / dept.budget_wan * 100, 2)) if dept.budget_wan else None
    )
    mean_score = projects["score"].mean()
    scores = projects["score"].to_numpy(dtype=float)
    band = np.select([scores >= low for low, _ in GRADE_BANDS], range(len(GRADE_BANDS)), -1)
    status = np.asarray(scored["status"], dtype=object)
    return {
        "name": dept.name,
        "fiscal_year": dept.fiscal_year,
        "budget_wan": dept.budget_wan,
        "spent_wan": dept.spent_wan,
        "execution_rate_pct": rate,
        "stated_execution_rate_pct": dept.stated_execution_rate_pct,
        "projects_budget_wan": float(round_half_up(projects["budget_wan"].sum(), 4)),
        "n_projects": len(projects),
        "n_categories": projects["category"].nunique(),
        "n_indicators": len(scored),
        "n_met": int((status == STATUS_MET).sum()),
        "n_near_met": int(scored["is_near_met"].sum()),
        "n_unmet": int(scored["is_unmet"].sum()),
        "n_not_scored": int((status == STATUS_NOT_SCORED).sum()),
        "n_scored_projects": int(projects["score"].notna().sum()),
        "mean_score": None if pd.isna(mean_score) else float(round_half_up(mean_score, 2)),
        "mean_grade": None if pd.isna(mean_score) else grade_for(pd.Series([mean_score]))[0],
        "grade_counts": {label: int((band == i).sum()) for i, (_, label) in enumerate(GRADE_BANDS)},
        "n_flagged_projects": sum(map(bool, projects["flags"].tolist())),
    }
