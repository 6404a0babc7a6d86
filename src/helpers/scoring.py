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
  Grades: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below (``grade_bands``; some provinces use 80/70/60).

Flags are data: :func:`flag_table` gives one row per occurrence (kind, severity, value,
threshold) in the vocabulary of :mod:`helpers.vocabulary`; the sentences of a project's
``flags`` are written by :mod:`helpers.narrative`. A params file's ``scoring:`` mapping is read
by :class:`ScoringSettings`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from helpers.arrays import factorize_objects, repeated
from helpers.dataset import Dataset
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
from helpers.vocabulary import (
    DEFAULT_EXECUTION_WEIGHT,
    DEFAULT_GRADE_BANDS,
    DEFAULT_LOW_EXECUTION_PCT,
    DEFAULT_NEAR_MET_PCT,
    DEFAULT_OVER_ACHIEVEMENT_PCT,
    FLAG_COLUMNS,
    FLAG_KINDS,
    GRADES,
    SCORING_SETTINGS,
    SEVERITY_ORDER,
    grade_bands,
)

# Declared in helpers.vocabulary; importable from here as before.
from helpers.vocabulary import GRADE_BANDS as GRADE_BANDS
from helpers.vocabulary import STATUS_MET as STATUS_MET
from helpers.vocabulary import STATUS_NEAR as STATUS_NEAR
from helpers.vocabulary import STATUS_NOT_SCORED as STATUS_NOT_SCORED
from helpers.vocabulary import STATUS_UNMET as STATUS_UNMET

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
    execution_weight: float = Field(default=DEFAULT_EXECUTION_WEIGHT, ge=0, le=100)
    grade_fractions: dict[str, float] = Field(
        default_factory=lambda: {GRADE_MET: 1.0, GRADE_PARTIAL: 0.7, GRADE_UNMET: 0.3}
    )
    missing_value_policy: Literal["exclude", "zero"] = "exclude"
    over_achievement_pct: float = Field(default=DEFAULT_OVER_ACHIEVEMENT_PCT, gt=100)
    near_met_pct: float = Field(default=DEFAULT_NEAR_MET_PCT, gt=0, le=100)
    low_execution_pct: float = Field(default=DEFAULT_LOW_EXECUTION_PCT, gt=0, le=100)
    grade_bands: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_GRADE_BANDS))

    @property
    def bands(self) -> tuple[tuple[float, str], ...]:
        """The grade bands as (lowest score, grade) pairs, best first, the last from 0.

        Example:
            >>> ScoringConfig(grade_bands={"优": 80, "良": 70, "中": 60}).bands[:2]
            ((80.0, '优'), (70.0, '良'))
        """
        return grade_bands(self.grade_bands)

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

    @field_validator("grade_bands", mode="before")
    @classmethod
    def _complete_bands(cls, value: object) -> object:
        """Bands not given keep their default (``{优: 85}`` moves 优 alone)."""
        return {**DEFAULT_GRADE_BANDS, **value} if isinstance(value, dict) else value

    @field_validator("grade_bands")
    @classmethod
    def _check_bands(cls, bands: dict[str, float]) -> dict[str, float]:
        unknown = [g for g in bands if g not in GRADES[:-1]]
        if unknown:
            raise ValueError(
                f"等级区间只能设定 {'、'.join(GRADES[:-1])} 的最低分，不能设定 {'、'.join(unknown)} / "
                f"grade bands set the lowest score of {', '.join(GRADES[:-1])} only"
            )
        lows = [bands[g] for g in GRADES[:-1]]
        ordered = all(a > b for a, b in pairwise(lows))
        if not ordered or lows[0] > 100 or lows[-1] <= 0:
            shown = "、".join(f"{g} {bands[g]:g}" for g in GRADES[:-1])
            raise ValueError(
                f"等级区间应在 0 到 100 之间且逐级递减（现为 {shown}） / "
                "grade bands must decrease from 优 to 中 within (0, 100]"
            )
        return bands

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


class ScoringSettingsError(ValueError):
    """A ``scoring:`` mapping that cannot be used; ``problems`` says why (Chinese / English)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


_SETTING_TYPES = {
    "grade_bands": (
        "键值映射，如 {优: 90, 良: 80, 中: 60}",
        "a mapping such as {优: 90, 良: 80, 中: 60}",
    ),
    "missing_value_policy": ("exclude 或 zero", "exclude or zero"),
}
"""What a setting's value must be, where it is not a number (Chinese, English)."""


class ScoringSettings(BaseModel):
    """The scoring settings of a params file (its ``scoring:`` mapping); None keeps the default.

    Thresholds and grade bands replace :class:`ScoringConfig`'s; ``execution_weight`` replaces
    the dataset template's (a project's own printed 分值 still wins); every key is optional.
    See :data:`helpers.vocabulary.SCORING_SETTINGS` for what each means.

    Example:
        >>> settings = ScoringSettings.parse({"low_execution_pct": 85, "grade_bands": {"优": 85}})
        >>> config = settings.config_for(Template())
        >>> config.low_execution_pct, config.bands[:2]
        (85.0, ((85.0, '优'), (80.0, '良')))
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    low_execution_pct: float | None = Field(default=None, gt=0, le=100)
    over_achievement_pct: float | None = Field(default=None, gt=100)
    near_met_pct: float | None = Field(default=None, gt=0, le=100)
    grade_bands: dict[str, float] | None = None
    execution_weight: float | None = Field(default=None, ge=0, le=100)
    missing_value_policy: Literal["exclude", "zero"] | None = None

    @classmethod
    def parse(cls, value: object) -> ScoringSettings:
        """The settings of a ``scoring:`` mapping (None or ``{}``: all defaults), checked.

        Raises:
            ScoringSettingsError: naming every unknown key and every value of the wrong type
                or out of range.
        """
        if value is None or isinstance(value, ScoringSettings):
            return value or cls()
        if not isinstance(value, dict):
            raise ScoringSettingsError(
                [
                    f"评分设置 scoring 应为键值映射，而不是 {value!r} / "
                    f"scoring must be a mapping of settings, not {value!r}"
                ]
            )
        try:
            settings = cls.model_validate(value)
            settings.config_for(Template())  # the bands and limits as the rules check them
        except ValidationError as exc:
            raise ScoringSettingsError(_setting_problems(exc)) from None
        return settings

    def overrides(self) -> dict[str, Any]:
        """The settings given, as :class:`ScoringConfig` fields (the execution weight aside)."""
        given = self.model_dump(exclude_none=True)
        given.pop("execution_weight", None)
        return given

    def config_for(self, template: Template) -> ScoringConfig:
        """The rules for a dataset of ``template`` with these settings applied."""
        if self.execution_weight is not None:
            template = Template(
                execution_weight=self.execution_weight, level_weights=template.level_weights
            )
        return ScoringConfig.for_template(template, **self.overrides())


def _setting_problems(exc: ValidationError) -> list[str]:
    """Each error of a ``scoring:`` mapping as one Chinese / English sentence naming its key."""
    return [_setting_problem(error) for error in exc.errors()]


def _setting_problem(error: Any) -> str:
    key = str(error["loc"][0]) if error["loc"] else "scoring"
    path = ".".join(str(part) for part in error["loc"] if part != "[key]") or key
    value, kind = error.get("input"), error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(SCORING_SETTINGS)
        return (
            f"未知的评分设置 scoring.{key}（可用：{allowed}） / "
            f"unknown scoring setting {key!r} (allowed: {allowed})"
        )
    if kind.endswith("_type") or kind == "literal_error":
        zh, en = _SETTING_TYPES.get(key, ("数字", "a number"))
        if kind == "string_type":  # a grade band keyed by something other than a grade name
            zh, en = "优、良、中之一", "one of 优, 良, 中"
        return (
            f"评分设置 scoring.{path} 的值 {value!r} 类型不符，应为{zh} / "
            f"scoring setting {path}: {value!r} should be {en}"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    if " / " in message:  # our own bilingual message (grade bands, weights)
        return f"评分设置 scoring.{path}：{message}"
    zh_limit, en_limit = _limit_words(error.get("ctx") or {})
    return (
        f"评分设置 scoring.{path} 的值 {value!r} 超出范围（{zh_limit}） / "
        f"scoring setting {path}: {value!r} is out of range ({en_limit or message})"
    )


_BOUND_WORDS = {
    "ge": ("应不小于", "at least"),
    "gt": ("应大于", "above"),
    "le": ("应不大于", "at most"),
    "lt": ("应小于", "below"),
}


def _limit_words(ctx: dict[str, Any]) -> tuple[str, str]:
    """A pydantic bound (``{"le": 100.0}``) in words: ``应不大于 100`` / ``at most 100``.

    Example:
        >>> _limit_words({"ge": 0.0, "le": 100.0})
        ('应不小于 0，应不大于 100', 'at least 0, at most 100')
    """
    bounds = [(words, ctx[key]) for key, words in _BOUND_WORDS.items() if key in ctx]
    shown = [(zh, en, f"{v:g}" if isinstance(v, int | float) else str(v)) for (zh, en), v in bounds]
    return "，".join(f"{zh} {v}" for zh, _, v in shown), ", ".join(
        f"{en} {v}" for _, en, v in shown
    )


@dataclass
class ScoreResult:
    """Everything the engine computes for one dataset.

    Attributes:
        indicators: one row per indicator, scored.
        projects: one row per project (its flags are in ``flags`` below; their Chinese
            sentences are the narrative's, :func:`helpers.narrative.write_project_flags`).
        department: the department's summary.
        categories: one row per project category.
        config: the rules used.
        warnings: non-fatal findings of the loader.
        flags: the flags as data, one row per occurrence (see :func:`flag_table`), in the
            order of the projects, then of :data:`helpers.vocabulary.FLAG_KINDS`, then of the
            indicators; its index is the project's position in ``projects``.
    """

    indicators: pd.DataFrame
    projects: pd.DataFrame
    department: dict[str, Any]
    categories: pd.DataFrame
    config: ScoringConfig
    warnings: list[str] = field(default_factory=list)
    flags: pd.DataFrame = field(default_factory=lambda: empty_flag_table())


def round_half_up(values: pd.Series | np.ndarray | float, decimals: int = 2):  # type: ignore[no-untyped-def]
    """Round half away from zero, as finance systems (and Excel's ROUND) do.

    Example:
        >>> float(round_half_up(2.675, 2)), float(round_half_up(0.125, 2))
        (2.68, 0.13)
    """
    factor = 10.0**decimals
    scaled = np.abs(values) * factor
    return np.sign(values) * np.floor(scaled + 0.5 + 1e-9) / factor


def grade_for(scores: pd.Series, bands: tuple[tuple[float, str], ...] = GRADE_BANDS) -> pd.Series:
    """Map scores to 优 / 良 / 中 / 差 (missing scores stay missing).

    Args:
        scores: the scores.
        bands: (lowest score, grade) pairs, best first (``ScoringConfig.bands``); 90 / 80 / 60
            by default.

    Example:
        >>> grade_for(pd.Series([92.5, 80.0, 79.99, 59.9, None])).tolist()
        ['优', '良', '中', '差', nan]
        >>> grade_for(pd.Series([75.0]), ScoringConfig(grade_bands={"优": 80, "良": 70}).bands)[0]
        '良'
    """
    conditions = [scores >= low for low, _ in bands]
    labels = np.array([*(label for _, label in bands), ""], dtype=object)
    band = np.select(conditions, range(len(bands)), default=len(bands))
    out = pd.Series(labels[band], index=scores.index, dtype=object)
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
    weight_used = _round_weights_to_cents(weight_used, pid, project_key)
    out["level_weight"] = pd.Series(level_weight, index=out.index)
    out["weight_used"] = pd.Series(weight_used, index=out.index)
    return first_of_level


def _round_weights_to_cents(
    weights: np.ndarray, pid: np.ndarray, project_key: object
) -> np.ndarray:
    """Round weights to 0.01 so that each project's weights still add up exactly.

    Largest-remainder rounding, as 自评表 print 分值 with two decimals: three rows sharing 50
    points get 16.67, 16.67 and 16.66, never 16.67 × 3 = 50.01; so a project meeting every
    target scores exactly 100, and the total stays the sum of the rounded rows.
    """
    with np.errstate(invalid="ignore"):
        cents = weights * 100.0
        floor = np.floor(cents + 1e-6)
    rest = cents - floor
    grouped = pd.Series(cents).groupby(project_key, sort=False)
    deficit = (np.rint(grouped.transform("sum")) - _grouped_floor_sum(floor, pid)).to_numpy()
    bump = _largest_rests(pid, rest, deficit)
    return np.where(np.isnan(weights), weights, (floor + bump) / 100.0)


def _grouped_floor_sum(floor: np.ndarray, pid: np.ndarray) -> np.ndarray:
    """Per row, the sum of its project's whole-cent floors (NaN outside a project).

    The floors are whole numbers, so their sum is exact in any order (NaN floors count 0).
    """
    inside = pid >= 0
    n_codes = int(pid.max(initial=-1)) + 1
    sums = np.bincount(
        pid[inside], weights=np.where(np.isnan(floor), 0.0, floor)[inside], minlength=n_codes
    )
    return np.where(inside, np.append(sums, np.nan)[pid], np.nan)


def _largest_rests(pid: np.ndarray, rest: np.ndarray, deficit: np.ndarray) -> np.ndarray:
    """Rows whose rest (> 1e-6) is among the ``deficit`` largest of their project.

    As ``(groupby(pid).rank(method="first", ascending=False) <= deficit) & (rest > 1e-6)``:
    ties go in row order, rests being compared in billionths of a cent (rounded). A row ranks behind every row of its project with a larger rest, so
    among the rows with a rest above 1e-6 (in projects owed at least a cent) its rank is the
    same; rows outside a project have a NaN deficit and are never bumped.
    """
    bump = np.zeros(len(rest), dtype=bool)
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero((rest > 1e-6) & (deficit >= 1))
    if not len(rows):
        return bump
    groups = pid[rows]
    # Rests equal but for float noise (2/3 of a cent reached by two sums) are a tie, so they are
    # compared in whole billionths of a cent.
    order = np.lexsort((-np.rint(rest[rows] * 1e9), groups))  # stable: ties keep the row order
    rows, groups = rows[order], groups[order]
    starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    first = np.repeat(starts, np.diff(np.append(starts, len(rows))))
    bump[rows] = np.arange(1, len(rows) + 1) - first <= deficit[rows]
    return bump


def _level_notes(
    level_weight: np.ndarray,
    pid: np.ndarray,
    pool: np.ndarray,
    pools: np.ndarray,
    first_of_level: np.ndarray,
    n_codes: int,
    config: ScoringConfig,
    is_printed: np.ndarray,
) -> list[list[str]]:
    """Per project code, a sentence for every level that handed its weight to the others.

    ``first_of_level`` marks the first row of every (project, pool); level_weight is the same
    on all rows of one. A project whose every scorable row has a published 分值
    (``is_printed``, per code) hands no weight on: its 分值 are scored as printed.
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
    noted = np.flatnonzero(has_rows & ~is_printed & missing.any(axis=1) & present.any(axis=1))
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
    return _summarised(dataset, _score_rows_and_projects(dataset, config), config)


@dataclass
class _Scored:
    """The rows, projects and flags of a scoring, before the category and department summaries."""

    indicators: pd.DataFrame
    projects: pd.DataFrame
    flags: pd.DataFrame
    is_met: np.ndarray


def _summarised(dataset: Dataset, scored: _Scored, config: ScoringConfig) -> ScoreResult:
    categories = _summarise_categories(dataset, scored.projects)
    department = _summarise_department(
        dataset, scored.projects, scored.indicators, config, scored.is_met, scored.flags
    )
    warnings = list(dataset.warnings)
    return ScoreResult(
        scored.indicators,
        scored.projects,
        department,
        categories,
        config,
        warnings,
        scored.flags,
    )


def _score_rows_and_projects(dataset: Dataset, config: ScoringConfig) -> _Scored:
    """Every row scored, the projects and the flags (see :func:`score_dataset`)."""
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
        reason_codes, reasons = factorize_objects(np.asarray(reason, dtype=object)[written])
        says = [not (isinstance(r, str) and r.strip() == "") for r in reasons]
        has_reason[written] = np.array([*says, False], dtype=bool)[reason_codes]
    scored["lacks_deviation_reason"] = (
        scored["is_scorable"] & (scored["fraction"] < 1) & ~has_reason
    )

    codes = _ProjectCodes(pid, pid_uniques, pool, pools, first_of_level, is_met)
    projects, rows_of = _score_projects(dataset, scored, config, codes)
    flags = flag_table(dataset.department.name, projects, scored, config, rows_of)
    return _Scored(scored, projects, flags, is_met)


_KEY_SEPARATOR = "\x1f"  # between a dataset's number and its project ids in a merged scoring


@_gc_paused()
def score_datasets(
    datasets: Sequence[Dataset], configs: Sequence[ScoringConfig]
) -> list[ScoreResult]:
    """Score many datasets at once: ``[score_dataset(d, c) for d, c in zip(...)]``, faster.

    Datasets of one fiscal year, one config and one order of 一级指标 are scored as one table
    (their project ids kept apart), then split; a department's summaries are its own. For a year of small
    departments this spares most of pandas' fixed cost per call. A dataset that does not fit
    a merged table (columns of its own) is scored alone. The results are those of
    :func:`score_dataset`, frame for frame (a test holds them to it).

    Args:
        datasets: loaded datasets.
        configs: the scoring rules of each.

    Returns:
        The :class:`ScoreResult` of each dataset, in their order.
    """
    results: list[ScoreResult | None] = [None] * len(datasets)
    groups: list[tuple[tuple[Any, ...], list[int]]] = []
    for i, (dataset, config) in enumerate(zip(datasets, configs, strict=True)):
        key = (
            dataset.fiscal_year,
            config,
            tuple(dataset.projects.columns),
            tuple(dataset.indicators.columns),
            tuple(map(str, dataset.projects.dtypes)),
            tuple(map(str, dataset.indicators.dtypes)),
            # The level notes name levels in their order of appearance in the dataset.
            tuple(pd.unique(dataset.indicators["level1"].dropna())),
            # Only text project ids, none missing (as loaded), can be kept apart by a prefix.
            None if _mergeable(dataset) else i,
        )
        for group_key, members in groups:
            if group_key == key:
                members.append(i)
                break
        else:
            groups.append((key, [i]))
    for (_, config, *_), members in groups:
        if len(members) == 1:
            results[members[0]] = score_dataset(datasets[members[0]], config)
            continue
        parts = [datasets[i] for i in members]
        merged = _score_rows_and_projects(_merged(parts), config)
        for i, dataset, scored in zip(members, parts, _split(merged, parts), strict=True):
            results[i] = _summarised(dataset, scored, config)
    return [r for r in results if r is not None]


def _mergeable(dataset: Dataset) -> bool:
    """Whether a dataset's project ids are text with none missing (every loaded dataset's)."""
    for frame in (dataset.projects, dataset.indicators):
        ids = frame.get("project_id")
        if ids is None or not isinstance(ids.dtype, pd.StringDtype) or ids.isna().any():
            return False
    return True


def _keyed(frame: pd.DataFrame, number: int) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    ids = out["project_id"].to_numpy(dtype=object)
    prefix = f"{number}{_KEY_SEPARATOR}"
    out["project_id"] = pd.Series(
        [prefix + v if isinstance(v, str) else v for v in ids.tolist()],
        dtype=frame["project_id"].dtype,
    )
    return out


def _merged(datasets: list[Dataset]) -> Dataset:
    """One dataset of several, each project id prefixed with its dataset's number."""
    first = datasets[0]
    return Dataset(
        first.department,
        pd.concat([_keyed(d.projects, n) for n, d in enumerate(datasets)], ignore_index=True),
        pd.concat([_keyed(d.indicators, n) for n, d in enumerate(datasets)], ignore_index=True),
        first.source,
        parsed=_merged_parses(datasets),
    )


def _merged_parses(datasets: list[Dataset]) -> dict[str, Any]:
    """The datasets' parses as one, when one parse made them all (:func:`parse_datasets`)."""
    merged: dict[str, Any] = {}
    for column in ("target", "actual"):
        if not all(column in d.parsed for d in datasets):
            return {}
        parses = [d.parsed[column] for d in datasets]
        if any(p[2] is not parses[0][2] for p in parses):
            return {}  # parsed one by one: the merged table is parsed anew
        merged[column] = (
            pd.concat([p[0] for p in parses], ignore_index=True),
            np.concatenate([p[1] for p in parses]),
            parses[0][2],
        )
    return merged


def _unkeyed(frame: pd.DataFrame, column: str = "project_id") -> pd.DataFrame:
    ids = frame[column].to_numpy(dtype=object)
    frame[column] = pd.Series(
        [v.split(_KEY_SEPARATOR, 1)[1] if isinstance(v, str) else v for v in ids.tolist()],
        index=frame.index,
        dtype=frame[column].dtype,
    )
    return frame


def _split(merged: _Scored, datasets: list[Dataset]) -> Iterator[_Scored]:
    """The merged scoring's rows, projects and flags of each dataset, as its own scoring."""
    n_rows = np.cumsum([0, *(len(d.indicators) for d in datasets)])
    n_projects = np.cumsum([0, *(len(d.projects) for d in datasets)])
    flag_at = np.searchsorted(merged.flags.index.to_numpy(), n_projects)
    for k, dataset in enumerate(datasets):
        rows = slice(n_rows[k], n_rows[k + 1])
        indicators = _unkeyed(merged.indicators.iloc[rows].reset_index(drop=True))
        projects = _unkeyed(merged.projects.iloc[n_projects[k] : n_projects[k + 1]].copy())
        projects.index = pd.RangeIndex(len(projects))
        flags = merged.flags.iloc[flag_at[k] : flag_at[k + 1]].copy()
        flags.index = pd.Index(flags.index.to_numpy() - n_projects[k], name=flags.index.name)
        flags["department"] = pd.Series(
            repeated(dataset.department.name, len(flags)), index=flags.index, dtype=object
        )
        yield _Scored(indicators, projects, _unkeyed(flags), merged.is_met[rows])


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


def _no_notes(index: pd.Index) -> pd.Series:
    """A note column without notes: None in every row (as in a column with some notes)."""
    return pd.Series(np.full(len(index), None, dtype=object), index=index, dtype=object)


def _apply_direction(ind: pd.DataFrame, target: pd.DataFrame, coded: dict[str, Coded]) -> pd.Series:
    """Read a bare target number as ``≤`` where the direction column or the name says so.

    ``投诉率 5%`` with no sign, or a Sichuan row whose 指标性质 is ``≤``, is a reverse indicator:
    smaller is better. Changes ``target["op"]`` (and its codes) in place and returns, per row,
    the reason (None where nothing changed).
    """
    # Only bare-number targets can change: read the names (and directions) of those alone.
    is_eq = _per_row(coded["target_op"], lambda v: v == "=", bool)
    bare = is_eq & target["value"].notna().to_numpy()
    if not bare.any():
        return _no_notes(ind.index)
    directions = ind.get("direction")
    inferred = infer_direction(ind["name"][bare], None if directions is None else directions[bare])
    reason = np.full(len(ind), None, dtype=object)
    reason[bare] = inferred["reason"].to_numpy(dtype=object)
    change = np.zeros(len(ind), dtype=bool)
    change[bare] = inferred["op"].to_numpy(dtype=object) == "≤"
    if not change.any():
        return _no_notes(ind.index)
    ops = target["op"].astype(object).to_numpy(copy=True)
    ops[change] = "≤"
    target["op"] = pd.Series(ops, index=target.index, dtype=object)
    coded["target_op"] = _coded(target["op"])
    reason[~change] = None
    return pd.Series(reason, index=ind.index, dtype=object)


def _score_identical_texts(ind: pd.DataFrame, rows: pd.DataFrame) -> None:
    """A row whose actual is written exactly as its target (``效果明显`` / ``效果明显``) is met."""
    # Texts are compared only where the row is not met already (most rows are).
    maybe = np.flatnonzero(
        ind["target"].notna().to_numpy() & (rows["fraction"].to_numpy(dtype=float) != 1.0)
    )
    targets = np.asarray(ind["target"], dtype=object)[maybe]
    same = np.zeros(len(ind), dtype=bool)
    same[maybe] = targets == np.asarray(ind["actual"], dtype=object)[maybe]
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
    if len(groups) == 0 or (
        groups[0] >= 0 and groups[-1] < n_groups and bool((groups[1:] >= groups[:-1]).all())
    ):  # groups in order (rows come by project): each group's values are one slice
        bounds = np.searchsorted(groups, np.arange(n_groups + 1)).tolist()
        return list(map(values.__getitem__, map(slice, bounds[:-1], bounds[1:])))
    lists: list[list] = [[] for _ in range(n_groups)]
    deque(map(list.append, map(lists.__getitem__, groups.tolist()), values), maxlen=0)
    return lists


def _score_projects(
    dataset: Dataset, scored: pd.DataFrame, config: ScoringConfig, codes: _ProjectCodes
) -> tuple[pd.DataFrame, _RowProjects]:
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
    proj["grade"] = grade_for(proj["score"], config.bands)
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

    names = np.asarray(scored["name"], dtype=object)
    rows_of = _RowProjects.build(pid, code_of_project, n_codes, names)
    for key, column in (("unmet", "is_unmet"), ("near_met", "is_near_met")):
        proj[key] = rows_of.names_per_project(scored[column].to_numpy(dtype=bool), proj.index)
    level_weight = scored["level_weight"].to_numpy(dtype=float)
    # Published 分值 are kept as printed: a level hands its weight on only where blank rows
    # share it (not in a project whose every scorable row has its 分值).
    is_weighted = scored["weight"].notna().to_numpy()
    is_blank = ~is_weighted & scored["is_scorable"].to_numpy(dtype=bool)
    inside = pid >= 0
    has_published = np.bincount(pid[inside & is_weighted], minlength=n_codes)[:n_codes] > 0
    has_blank = np.bincount(pid[inside & is_blank], minlength=n_codes)[:n_codes] > 0
    is_printed = has_published & ~has_blank
    notes = _level_notes(
        level_weight,
        pid,
        codes.pool,
        codes.pools,
        codes.first_of_level,
        n_codes,
        config,
        is_printed,
    )
    proj["level_notes"] = per_project(notes)
    return proj, rows_of


@dataclass
class _RowProjects:
    """The project rows each indicator row belongs to, and the indicator rows' names.

    Project ids are unique in a validated dataset; a dataset built by hand may repeat one, and
    then an indicator row belongs to every project row of its id.
    """

    pid: np.ndarray  # each indicator row's project code (-1: none)
    order: np.ndarray  # project positions, by code
    start: np.ndarray  # per code (and a trailing 0 for -1): its first entry in ``order``
    count: np.ndarray  # per code (and a trailing 0 for -1): how many project rows have it
    n_projects: int
    names: np.ndarray  # each indicator row's name (Python strings)

    @classmethod
    def build(
        cls, pid: np.ndarray, code_of_project: np.ndarray, n_codes: int, names: np.ndarray
    ) -> _RowProjects:
        """From the indicator rows' codes and each project row's code (-1: no indicator)."""
        has = code_of_project >= 0
        codes = code_of_project[has]
        order = np.flatnonzero(has)[np.argsort(codes, kind="stable")]
        count = np.bincount(codes, minlength=n_codes)
        start = np.cumsum(count) - count
        n_projects = len(code_of_project)
        return cls(pid, order, np.append(start, 0), np.append(count, 0), n_projects, names)

    def expand(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For indicator ``rows``: (which of them, their project position), one per project.

        Rows keep their order; a row outside every project is left out.
        """
        codes = self.pid[rows]
        n = self.count[codes]
        if len(n) and n.min() == 1 and n.max() == 1:
            return np.arange(len(rows)), self.order[self.start[codes]]
        entry = np.repeat(np.arange(len(rows)), n)
        offset = np.arange(len(entry)) - np.repeat(np.cumsum(n) - n, n)
        return entry, self.order[np.repeat(self.start[codes], n) + offset]

    def names_per_project(self, mask: np.ndarray, index: pd.Index) -> pd.Series:
        """Per project, the names of its indicator rows in ``mask``, in row order."""
        rows = np.flatnonzero(mask)
        entry, position = self.expand(rows)
        lists = _lists_by_group(position, self.names[rows[entry]].tolist(), self.n_projects)
        return pd.Series(lists, index=index, dtype=object)


_KIND_CODES = {key: code for code, key in enumerate(FLAG_KINDS)}
_SEVERITY_OF_KIND = np.array(
    [SEVERITY_ORDER.index(kind.severity) for kind in FLAG_KINDS.values()], dtype=np.int8
)

FlagSpec = tuple[str, Any, Any, Any]
"""A kind of flag as (kind, mask, value, threshold): columns, scalars or None (no value)."""


def _indicator_flag_specs(
    scored: pd.DataFrame, config: ScoringConfig, pid: np.ndarray | None = None
) -> list[FlagSpec]:
    """The indicator-level flags, their rows and what their value and threshold are.

    ``pid``: the rows' project codes, when known (see :func:`_blank_in_mixed`).
    """
    completion = scored["completion_pct"]
    weight = scored["weight_used"]
    return [
        ("unmet", scored["is_unmet"], completion, config.near_met_pct),
        ("near_met", scored["is_near_met"], completion, 100.0),
        ("over_achieved", scored["is_over_achieved"], completion, config.over_achievement_pct),
        ("no_reason", scored["lacks_deviation_reason"], scored["score"], weight),
        ("missing_target", scored["is_missing_target"], None, None),
        ("missing_actual", scored["is_missing_actual"], None, None),
        ("unjudgeable", scored["is_unjudgeable"], None, None),
        ("unit_mismatch", scored["has_unit_mismatch"], None, None),
        ("weighted_unscored", scored["is_weighted_unscored"], weight, None),
        ("score_diff", scored["has_score_diff"], scored["stated_score"], scored["score"]),
        ("direction", scored["direction_note"].notna(), None, None),
        ("blank_weight", _blank_in_mixed(scored, pid), weight, None),
    ]


def _project_flag_specs(proj: pd.DataFrame, config: ScoringConfig) -> list[FlagSpec]:
    """The project-level flags, their projects and what their value and threshold are."""
    rate = proj["execution_rate_pct"]
    return [
        ("low_execution", proj["is_low_execution"], rate, config.low_execution_pct),
        ("no_execution_data", rate.isna(), None, None),
        (
            "budget_adjusted",
            proj["is_budget_adjusted"],
            proj["budget_wan"],
            proj["initial_budget_wan"],
        ),
        (
            "execution_score_mismatch",
            proj["has_execution_score_mismatch"],
            proj["stated_execution_score"],
            proj["execution_score"],
        ),
        ("rate_mismatch", proj["has_rate_mismatch"], proj["stated_execution_rate_pct"], rate),
        ("score_mismatch", proj["has_score_mismatch"], proj["stated_score"], proj["score"]),
        ("no_scorable", proj["n_scored"].eq(0), None, None),
    ]


def _taken(values: Any, at: np.ndarray) -> np.ndarray:
    """``values`` (a column, a number or None for no value) at positions ``at``, as floats."""
    if values is None or np.isscalar(values):
        return np.full(len(at), np.nan if values is None else values, dtype=float)
    return np.asarray(values, dtype=float)[at]


def _gathered(specs: list[FlagSpec], keep: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """The rows of every kind in ``specs``, kind after kind: (rows, kind codes, values, limits)."""
    rows, kinds, values, limits = [], [], [], []
    for key, mask, value, threshold in specs:
        selected = np.asarray(mask, dtype=bool)
        at = np.flatnonzero(selected if keep is None else selected & keep)
        rows.append(at)
        kinds.append(np.full(len(at), _KIND_CODES[key], dtype=np.int8))
        values.append(_taken(value, at))
        limits.append(_taken(threshold, at))
    return tuple(np.concatenate(parts) for parts in (rows, kinds, values, limits))


def _texts(values: Any) -> np.ndarray:
    """Text values as an object array with "" appended (for the position -1: no text)."""
    return np.append(np.asarray(values, dtype=object), "")


def empty_flag_table() -> pd.DataFrame:
    """A flags table without rows (the columns and types of :func:`flag_table`)."""
    none = np.array([], dtype=np.int64)
    texts = _texts([])
    return _flag_frame(
        np.array([""], dtype=object),
        np.stack([texts, texts]),
        texts,
        texts,
        none,
        none,
        none,
        np.array([]),
        np.array([]),
    )


def _flag_frame(
    department: np.ndarray,
    projects: np.ndarray,
    indicators: np.ndarray,
    notes: np.ndarray,
    position: np.ndarray,
    row: np.ndarray,
    kinds: np.ndarray,
    values: np.ndarray,
    limits: np.ndarray,
) -> pd.DataFrame:
    """The flags table: per flag its project ``position``, indicator ``row`` (-1: none), kind.

    ``department`` holds one name; ``projects`` two columns (id, name) by project position;
    ``indicators`` and ``notes`` by indicator row, "" last. Texts stay Python strings.
    """

    def text(values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=index, dtype=object, copy=False)

    index = pd.Index(position, name="project_row")
    columns = {
        "department": text(repeated(department[0], len(kinds))),
        "project_id": text(projects[0][position]),
        "project": text(projects[1][position]),
        "indicator": text(indicators[row]),
        "kind": pd.Categorical.from_codes(kinds, categories=list(FLAG_KINDS)),
        "severity": pd.Categorical.from_codes(
            _SEVERITY_OF_KIND[kinds], categories=list(SEVERITY_ORDER), ordered=True
        ),
        "value": values,
        "threshold": limits,
        "note": text(notes[row]),
    }
    return pd.DataFrame(columns, index=index, copy=False)[list(FLAG_COLUMNS)]


def flag_table(
    department: str,
    proj: pd.DataFrame,
    scored: pd.DataFrame,
    config: ScoringConfig,
    rows_of: _RowProjects,
) -> pd.DataFrame:
    """Every flag of a dataset as a tidy table, one row per occurrence.

    Columns (:data:`helpers.vocabulary.FLAG_COLUMNS`): ``department``, ``project_id``,
    ``project`` (its name), ``indicator`` (its name; "" for a project-level flag), ``kind`` and
    ``severity`` (categoricals of :data:`~helpers.vocabulary.FLAG_KINDS` and
    :data:`~helpers.vocabulary.SEVERITY_ORDER`, most serious first), ``value`` and
    ``threshold`` (numbers or NaN: what each means is declared by the kind's ``value`` and
    ``threshold``) and ``note`` (the reason of a ``direction`` flag, else ""). The index is the
    project's position in ``proj``; rows come by project, then in the order of FLAG_KINDS,
    then by indicator. Built from whole columns; no sentence is written here (see
    :func:`helpers.narrative.flag_sentences`).
    """
    rows, ind_kinds, ind_values, ind_limits = _gathered(
        _indicator_flag_specs(scored, config, rows_of.pid), rows_of.pid >= 0
    )
    entry, ind_positions = rows_of.expand(rows)
    positions, proj_kinds, proj_values, proj_limits = _gathered(_project_flag_specs(proj, config))
    position = np.concatenate([ind_positions, positions])
    kind = np.concatenate([ind_kinds[entry], proj_kinds])
    order = np.argsort(position * len(FLAG_KINDS) + kind, kind="stable")
    row = np.concatenate([rows[entry], np.full(len(positions), -1)])[order]
    kind = kind[order]
    notes = repeated("", len(scored) + 1)
    directions = np.flatnonzero(scored["direction_note"].notna().to_numpy())
    notes[directions] = np.asarray(scored["direction_note"], dtype=object)[directions]
    return _flag_frame(
        np.array([department], dtype=object),
        np.stack([_texts(proj["project_id"]), _texts(proj["name"])]),
        np.append(rows_of.names, ""),
        notes,
        position[order],
        row,
        kind,
        np.concatenate([ind_values[entry], proj_values])[order],
        np.concatenate([ind_limits[entry], proj_limits])[order],
    )


def _blank_in_mixed(scored: pd.DataFrame, pid: np.ndarray | None = None) -> np.ndarray:
    """Rows without a published 分值 in projects that publish some.

    ``pid`` is the rows' project codes (``_factorize`` of ``project_id``, -1 for none) when
    known: counted per code instead of grouping the texts again. A row without a project is
    never one.

    Example:
        >>> rows = pd.DataFrame({"project_id": ["A", "A", "B", None],
        ...                      "weight": [10.0, None, None, None]})
        >>> _blank_in_mixed(rows).tolist(), _blank_in_mixed(rows, np.array([0, 0, 1, -1])).tolist()
        ([False, True, False, False], [False, True, False, False])
    """
    has_weight = scored["weight"].notna().to_numpy()
    if pid is None:
        pid = _factorize(scored["project_id"])[0]
    inside = pid >= 0
    n_codes = int(pid.max(initial=-1)) + 1
    n_rows = np.bincount(pid[inside], minlength=n_codes)
    n_weighted = np.bincount(pid[inside & has_weight], minlength=n_codes)
    mixed_code = np.append((n_weighted > 0) & (n_weighted < n_rows), False)
    return mixed_code[pid] & ~has_weight  # pid -1 takes the trailing False


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
    dataset: Dataset,
    projects: pd.DataFrame,
    scored: pd.DataFrame,
    config: ScoringConfig,
    is_met: np.ndarray,
    flags: pd.DataFrame,
) -> dict[str, Any]:
    """The department's summary; ``is_met``: the scored rows whose status is 达成 (met)."""
    dept = dataset.department
    rate = (
        float(round_half_up(dept.spent_wan / dept.budget_wan * 100, 2)) if dept.budget_wan else None
    )
    mean_score = projects["score"].mean()
    scores = projects["score"].to_numpy(dtype=float)
    bands = config.bands
    band = np.select([scores >= low for low, _ in bands], range(len(bands)), -1)
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
        "n_met": int(is_met.sum()),
        "n_near_met": int(scored["is_near_met"].sum()),
        "n_unmet": int(scored["is_unmet"].sum()),
        "n_not_scored": int((~scored["is_scorable"].to_numpy(dtype=bool)).sum()),
        "n_scored_projects": int(projects["score"].notna().sum()),
        "mean_score": None if pd.isna(mean_score) else float(round_half_up(mean_score, 2)),
        "mean_grade": None if pd.isna(mean_score) else grade_for(pd.Series([mean_score]), bands)[0],
        "grade_counts": {label: int((band == i).sum()) for i, (_, label) in enumerate(bands)},
        "n_flagged_projects": int(flags.index.nunique()),  # its index: the project's position
    }
