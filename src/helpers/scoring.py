"""The scoring engine of 项目支出绩效自评 (财预〔2020〕10号 and budget-system practice).

All rules run as whole-column pandas operations; there is no per-row Python in the hot path.

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

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from helpers.dataset import Dataset
from helpers.parse import (
    GRADE_MET,
    GRADE_PARTIAL,
    GRADE_UNMET,
    KIND_MISSING,
    parse_indicator_values,
)

GRADE_BANDS: tuple[tuple[float, str], ...] = ((90.0, "优"), (80.0, "良"), (60.0, "中"), (0.0, "差"))
STATUS_MET = "达成"
STATUS_NEAR = "基本达成"
STATUS_UNMET = "未达成"
STATUS_NOT_SCORED = "未评价"

_GRADE_LIMITS = {GRADE_MET: (0.8, 1.0), GRADE_PARTIAL: (0.6, 0.8), GRADE_UNMET: (0.0, 0.6)}
_MONEY_UNITS = {"万元"}
_PERCENT_UNITS = {"%", "‰", "个百分点", "百分点"}
_TIME_UNITS = {"天", "日", "个工作日", "工作日", "个月", "小时", "周"}


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

    @model_validator(mode="after")
    def _check(self) -> ScoringConfig:
        total = sum(self.level_weights.values()) + self.execution_weight
        if abs(total - 100.0) > 1e-9:
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
    department: dict[str, object]
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


def _unit_family(units: pd.Series) -> pd.Series:
    family = np.select(
        [
            units.isin(_MONEY_UNITS),
            units.isin(_PERCENT_UNITS),
            units.isin(_TIME_UNITS),
            units.notna(),
        ],
        ["money", "percent", "time", "count"],
        default="",
    )
    return pd.Series(family, index=units.index)


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
    t_val, a_val = target["value"], actual["value"]
    op = target["op"].fillna("=")
    is_missing_target = target["kind"].eq(KIND_MISSING)
    is_missing_actual = actual["kind"].eq(KIND_MISSING)
    is_numeric = t_val.notna() & a_val.notna()
    is_dated = target["deadline"].notna() & actual["deadline"].notna() & ~is_numeric
    grade_fraction = actual["grade"].map(config.grade_fractions).astype("float64")
    is_graded = ~is_numeric & ~is_dated & grade_fraction.notna()

    # Numeric rules.
    ratio = a_val / t_val.where(t_val != 0)
    is_upper_bound = op.isin(["≤", "<"])
    zero_target = t_val.eq(0)
    ge_fraction = np.where(
        zero_target,
        np.where(op.eq("="), (a_val <= 0).astype(float), (a_val >= 0).astype(float)),
        ratio.clip(lower=0, upper=1),
    )
    over = (a_val - t_val) / t_val.where(t_val != 0)
    le_fraction = np.where(
        zero_target,
        (a_val <= 0).astype(float),
        np.where(a_val <= t_val, 1.0, (1 - over).clip(lower=0, upper=1)),
    )
    numeric_fraction = np.where(is_upper_bound, le_fraction, ge_fraction)
    date_fraction = np.where(
        actual["deadline"] <= target["deadline"], 1.0, config.grade_fractions[GRADE_UNMET]
    )
    fraction = pd.Series(np.nan, index=target.index)
    fraction = fraction.mask(is_numeric, pd.Series(numeric_fraction, index=target.index))
    fraction = fraction.mask(is_dated, pd.Series(date_fraction, index=target.index))
    fraction = fraction.mask(is_graded, grade_fraction)
    fraction = fraction.where(~is_missing_target & ~is_missing_actual)

    is_unjudgeable = fraction.isna() & ~is_missing_target & ~is_missing_actual
    if config.missing_value_policy == "zero":
        fraction = fraction.fillna(0.0)
    completion = np.where(is_numeric & ~is_upper_bound & ~zero_target, ratio * 100, fraction * 100)
    t_family, a_family = _unit_family(target["unit"]), _unit_family(actual["unit"])
    has_unit_mismatch = is_numeric & t_family.ne("") & a_family.ne("") & t_family.ne(a_family)
    return pd.DataFrame(
        {
            "fraction": fraction,
            "completion_pct": pd.Series(completion, index=target.index).astype("float64"),
            "is_scorable": fraction.notna(),
            "is_missing_target": is_missing_target,
            "is_missing_actual": is_missing_actual,
            "is_unjudgeable": is_unjudgeable,
            "has_unit_mismatch": has_unit_mismatch,
            "is_ge_rule": is_numeric & ~is_upper_bound,
        }
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
    out["pool"] = out["level1"].replace(config.level_pool)
    pid, pool = out["project_id"], out["pool"]
    is_scorable = out["is_scorable"].astype(bool)
    explicit = out["weight"]
    has_explicit = explicit.notna()
    by_project = out.groupby(pid, sort=False)
    is_all_explicit = (
        by_project["weight"].transform("count").eq(by_project["weight"].transform("size"))
    )
    by_level = out.groupby([pid, pool], sort=False)

    configured = pool.map(config.level_weights).astype("float64").fillna(0.0)
    level_base = configured.where(~is_all_explicit, by_level["weight"].transform("sum"))
    level_present = by_level["is_scorable"].transform("any").astype(bool)
    # One value per (project, pool) to sum over present levels.
    first_of_level = ~out[["project_id", "pool"]].duplicated()
    present_base = (
        (level_base * (first_of_level & level_present)).groupby(pid, sort=False).transform("sum")
    )
    indicator_points = 100.0 - config.execution_weight
    level_weight = (level_base * indicator_points / present_base.where(present_base > 0)).where(
        level_present, 0.0
    )

    scorable_explicit = explicit.where(is_scorable & has_explicit, 0.0)
    explicit_sum = scorable_explicit.groupby([pid, pool], sort=False).transform("sum")
    free_count = (is_scorable & ~has_explicit).groupby([pid, pool], sort=False).transform("sum")
    remainder = level_weight - explicit_sum
    scale = level_weight / explicit_sum.where(explicit_sum > 0)
    needs_scaling = (free_count == 0) | (remainder < 0)
    weight_used = np.where(
        has_explicit,
        np.where(needs_scaling, explicit * scale, explicit),
        np.where(needs_scaling, 0.0, remainder / free_count.where(free_count > 0)),
    )
    out["level_weight"] = level_weight
    out["weight_used"] = pd.Series(weight_used, index=out.index).where(is_scorable, 0.0)
    return out


def _level_notes(scored: pd.DataFrame, config: ScoringConfig) -> pd.Series:
    """Per project, a sentence for every level that handed its weight to the others."""
    levels = scored.groupby(["project_id", "pool"], sort=False)["level_weight"].first().unstack()
    notes: dict[str, list[str]] = {}
    for pid, weights in levels.iterrows():  # one row per project, not per indicator
        present = weights[weights > 0]
        missing = [lvl for lvl in config.level_weights if lvl not in present.index]
        lines = []
        if missing and len(present):
            gave = "、".join(f"{lvl}（{config.level_weights[lvl]:g} 分）" for lvl in missing)
            got = "、".join(f"{lvl} {w:.4g} 分" for lvl, w in present.items())
            lines.append(f"无可评分的{gave}指标，其分值按比例并入其他一级指标：{got}。")
        notes[pid] = lines
    return pd.Series(notes, dtype=object)


def score_dataset(dataset: Dataset, config: ScoringConfig | None = None) -> ScoreResult:
    """Score every indicator and project of a dataset and summarise the department.

    Args:
        dataset: a loaded dataset (see :func:`helpers.dataset.load_dataset`).
        config: scoring rules; defaults to the official ones.

    Returns:
        A :class:`ScoreResult` with scored indicator rows, projects, categories and the
        department summary.
    """
    config = config or ScoringConfig()
    year = dataset.fiscal_year
    ind = dataset.indicators.reset_index(drop=True)
    target = parse_indicator_values(ind["target"], year)
    actual = parse_indicator_values(ind["actual"], year)
    rows = score_rows(target, actual, config)
    scored = pd.concat([ind, rows], axis=1)
    for col in ("op", "value", "unit", "kind", "deadline"):
        scored[f"target_{col}"] = target[col]
        scored[f"actual_{col}"] = actual[col]
    scored = assign_weights(scored, config)
    scored["score"] = round_half_up(scored["fraction"].fillna(0.0) * scored["weight_used"], 2)
    scored["score"] = scored["score"].where(scored["is_scorable"])
    completion = scored["completion_pct"]
    status = np.select(
        [
            ~scored["is_scorable"],
            scored["fraction"] >= 1 - 1e-12,
            completion >= config.near_met_pct,
        ],
        [STATUS_NOT_SCORED, STATUS_MET, STATUS_NEAR],
        default=STATUS_UNMET,
    )
    scored["status"] = status
    scored["is_unmet"] = scored["status"].eq(STATUS_UNMET)
    scored["is_near_met"] = scored["status"].eq(STATUS_NEAR)
    scored["is_over_achieved"] = scored["is_ge_rule"] & (completion >= config.over_achievement_pct)
    has_reason = scored["deviation_reason"].fillna("").str.strip().ne("")
    scored["lacks_deviation_reason"] = (
        scored["is_scorable"] & (scored["fraction"] < 1) & ~has_reason
    )

    projects = _score_projects(dataset, scored, config)
    categories = _summarise_categories(dataset, projects)
    department = _summarise_department(dataset, projects, scored)
    return ScoreResult(scored, projects, department, categories, config, list(dataset.warnings))


def _names_where(scored: pd.DataFrame, mask: pd.Series) -> pd.Series:
    return scored.loc[mask].groupby("project_id", sort=False)["name"].agg(list)


def _score_projects(dataset: Dataset, scored: pd.DataFrame, config: ScoringConfig) -> pd.DataFrame:
    proj = dataset.projects.reset_index(drop=True).copy()
    computed_rate = proj["spent_wan"] / proj["budget_wan"].where(proj["budget_wan"] > 0) * 100
    proj["execution_rate_pct"] = round_half_up(
        computed_rate.fillna(proj["stated_execution_rate_pct"]), 2
    )
    proj["has_rate_mismatch"] = (computed_rate - proj["stated_execution_rate_pct"]).abs() > 0.01
    proj["execution_score"] = round_half_up(
        (proj["execution_rate_pct"] / 100).clip(upper=1) * config.execution_weight, 2
    )
    by_project = scored.groupby("project_id", sort=False)
    agg = pd.DataFrame(
        {
            "indicator_score": by_project["score"].sum(min_count=1),
            "n_indicators": by_project.size(),
            "n_scored": by_project["is_scorable"].sum(),
            "n_met": by_project["status"].agg(lambda s: int((s == STATUS_MET).sum())),
            "n_near_met": by_project["is_near_met"].sum(),
            "n_unmet": by_project["is_unmet"].sum(),
        }
    )
    proj = proj.join(agg, on="project_id")
    for col in ("n_indicators", "n_scored", "n_met", "n_near_met", "n_unmet"):
        proj[col] = proj[col].fillna(0).astype(int)
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
    for key, mask in lists.items():
        names = _names_where(scored, mask)
        proj[key] = proj["project_id"].map(names).map(lambda v: v if isinstance(v, list) else [])
    proj["level_notes"] = (
        proj["project_id"]
        .map(_level_notes(scored, config))
        .map(lambda v: v if isinstance(v, list) else [])
    )
    proj["flags"] = _project_flags(proj, config)
    return proj


def _project_flags(proj: pd.DataFrame, config: ScoringConfig) -> pd.Series:
    """Human-readable red flags, one list per project (Chinese, for the report)."""

    def joined(names: list[str]) -> str:
        return "、".join(names)

    def flags_of(row: pd.Series) -> list[str]:
        out = []
        if row["unmet"]:
            out.append(f"未完成指标：{joined(row['unmet'])}")
        if row["near_met"]:
            out.append(f"接近但未完全达到目标：{joined(row['near_met'])}")
        if row["is_low_execution"]:
            out.append(
                f"预算执行率 {row['execution_rate_pct']:g}% 低于 {config.low_execution_pct:g}%"
            )
        if pd.isna(row["execution_rate_pct"]):
            out.append("缺少执行数据，无法计算预算执行率，未计算总分")
        if row["is_budget_adjusted"]:
            out.append(
                f"年中预算调整：年初 {row['initial_budget_wan']:g} 万元，全年 {row['budget_wan']:g} 万元"
            )
        if row["over_achieved"]:
            out.append(
                f"超额完成 {config.over_achievement_pct:g}% 以上（目标设定偏低？）：{joined(row['over_achieved'])}"
            )
        if row["no_reason"]:
            out.append(f"扣分但未说明偏差原因：{joined(row['no_reason'])}")
        if row["missing_target"]:
            out.append(f"缺少目标值：{joined(row['missing_target'])}")
        if row["missing_actual"]:
            out.append(f"缺少实际完成值：{joined(row['missing_actual'])}")
        if row["unjudgeable"]:
            out.append(f"无法判断完成情况：{joined(row['unjudgeable'])}")
        if row["unit_mismatch"]:
            out.append(f"目标与实际单位不一致：{joined(row['unit_mismatch'])}")
        if row["has_rate_mismatch"]:
            out.append(f"计算执行率与所述执行率 {row['stated_execution_rate_pct']:g}% 不一致")
        if row["has_score_mismatch"]:
            out.append(f"计算得分 {row['score']:g} 与所述得分 {row['stated_score']:g} 不一致")
        if row["n_scored"] == 0:
            out.append("无可评分指标，未计算得分")
        return out

    # Flags are built per project (tens to thousands of rows), outside the indicator hot path.
    return proj.apply(flags_of, axis=1).astype(object)


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
) -> dict[str, object]:
    dept = dataset.department
    rate = (
        float(round_half_up(dept.spent_wan / dept.budget_wan * 100, 2)) if dept.budget_wan else None
    )
    mean_score = projects["score"].mean()
    grades = grade_for(projects["score"]).value_counts()
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
        "n_met": int(scored["status"].eq(STATUS_MET).sum()),
        "n_near_met": int(scored["is_near_met"].sum()),
        "n_unmet": int(scored["is_unmet"].sum()),
        "n_not_scored": int(scored["status"].eq(STATUS_NOT_SCORED).sum()),
        "n_scored_projects": int(projects["score"].notna().sum()),
        "mean_score": None if pd.isna(mean_score) else float(round_half_up(mean_score, 2)),
        "mean_grade": None if pd.isna(mean_score) else grade_for(pd.Series([mean_score]))[0],
        "grade_counts": {label: int(grades.get(label, 0)) for _, label in GRADE_BANDS},
        "n_flagged_projects": int(projects["flags"].map(bool).sum()),
    }
