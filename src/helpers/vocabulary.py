"""The words of the scoring, declared once: flag kinds, severities, statuses, grades, thresholds.

Every other module takes its labels, colours and default limits from here: the scoring engine
(which emits :data:`FLAG_KINDS` keys in its flags table), the narrative (which writes a flag's
Chinese sentence from its kind's label), the report (which orders 风险提示 by severity) and the
charts (which colour statuses and grade bands).

Severities (:data:`SEVERITIES`, most serious first):

- ``red`` (高): the project fell short: an indicator unmet, a low execution rate, no score;
- ``amber`` (中): worth a look: nearly met, a target set too low, a deduction without a reason,
  a self-score that differs from the rules, a mid-year budget change;
- ``note`` (提示): data quality, not performance: a missing target or actual (such as the
  satisfaction target most tables leave empty), a value that cannot be judged, a unit mismatch,
  a row read as a reverse indicator, blank 分值 shared by the template. The report lists these
  after the risks, in their own subsection.

Example:
    >>> FLAG_KINDS["unmet"].label, FLAG_KINDS["unmet"].severity
    ('未完成指标', 'red')
    >>> FLAG_KINDS["missing_target"].severity
    'note'
    >>> grade_bands({"优": 80, "良": 70, "中": 60})
    ((80.0, '优'), (70.0, '良'), (60.0, '中'), (0.0, '差'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# ----------------------------------------------------------------------------- colours

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "vermilion": "#D55E00",
    "green": "#009E73",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "purple": "#CC79A7",
    "grey": "#999999",
}
"""The Okabe–Ito palette: distinguishable by colour-blind readers."""

# ----------------------------------------------------------------------------- severities

SEVERITY_RED = "red"
SEVERITY_AMBER = "amber"
SEVERITY_NOTE = "note"

Severity = Literal["red", "amber", "note"]

FlagScope = Literal["indicator", "project"]


@dataclass(frozen=True)
class SeverityInfo:
    """How serious a flag is: its label, the report's heading for its group, its colour.

    Attributes:
        key: ``red``, ``amber`` or ``note``.
        label: one character or word for tables (高 / 中 / 提示).
        title: the heading of its group in 风险提示.
        colour: its colour in charts and tables.
        is_risk: whether it is a risk (red, amber) rather than a data-quality note.
    """

    key: str
    label: str
    title: str
    colour: str
    is_risk: bool


SEVERITIES: dict[str, SeverityInfo] = {
    SEVERITY_RED: SeverityInfo(
        SEVERITY_RED, "高", "需重点关注的风险", OKABE_ITO["vermilion"], is_risk=True
    ),
    SEVERITY_AMBER: SeverityInfo(
        SEVERITY_AMBER, "中", "需要关注的事项", OKABE_ITO["orange"], is_risk=True
    ),
    SEVERITY_NOTE: SeverityInfo(SEVERITY_NOTE, "提示", "数据质量提示", OKABE_ITO["grey"], False),
}
"""Severities, most serious first (the order of 风险提示)."""

SEVERITY_ORDER: tuple[str, ...] = tuple(SEVERITIES)

# ----------------------------------------------------------------------------- flag kinds


@dataclass(frozen=True)
class FlagKind:
    """One kind of flag the scoring engine raises.

    Attributes:
        key: the kind as the flags table writes it (``unmet``).
        label: its Chinese name, the lead of its sentence (``未完成指标``).
        severity: a :data:`SEVERITIES` key.
        scope: ``indicator`` (one flag per indicator row) or ``project``.
        value: what the flags table's ``value`` column holds for it ("" when empty).
        threshold: what its ``threshold`` column holds: the limit, or the value it was
            compared with ("" when empty).
    """

    key: str
    label: str
    severity: str
    scope: str
    value: str = ""
    threshold: str = ""

    @property
    def colour(self) -> str:
        """The colour of its severity."""
        return SEVERITIES[self.severity].colour

    @property
    def is_risk(self) -> bool:
        """Whether it goes to the risks of 风险提示 (else to the data-quality notes)."""
        return SEVERITIES[self.severity].is_risk


def _kinds(*kinds: FlagKind) -> dict[str, FlagKind]:
    return {kind.key: kind for kind in kinds}


FLAG_KINDS: dict[str, FlagKind] = _kinds(
    FlagKind("unmet", "未完成指标", SEVERITY_RED, "indicator", "完成率（%）", "基本达成界限（%）"),
    FlagKind(
        "near_met",
        "接近但未完全达到目标",
        SEVERITY_AMBER,
        "indicator",
        "完成率（%）",
        "目标（100%）",
    ),
    FlagKind(
        "low_execution", "预算执行率偏低", SEVERITY_RED, "project", "执行率（%）", "偏低界限（%）"
    ),
    FlagKind("no_execution_data", "缺少执行数据", SEVERITY_RED, "project"),
    FlagKind(
        "budget_adjusted",
        "年中预算调整",
        SEVERITY_AMBER,
        "project",
        "全年预算数（万元）",
        "年初预算数（万元）",
    ),
    FlagKind(
        "over_achieved",
        "超额完成（目标设定偏低？）",
        SEVERITY_AMBER,
        "indicator",
        "完成率（%）",
        "超额界限（%）",
    ),
    FlagKind(
        "no_reason",
        "扣分但未说明偏差原因",
        SEVERITY_AMBER,
        "indicator",
        "得分",
        "分值",
    ),
    FlagKind("missing_target", "缺少目标值", SEVERITY_NOTE, "indicator"),
    FlagKind("missing_actual", "缺少实际完成值", SEVERITY_NOTE, "indicator"),
    FlagKind("unjudgeable", "无法判断完成情况", SEVERITY_NOTE, "indicator"),
    FlagKind("unit_mismatch", "目标与实际单位不一致", SEVERITY_NOTE, "indicator"),
    FlagKind(
        "weighted_unscored", "有分值但无法评分，未计入得分", SEVERITY_AMBER, "indicator", "分值"
    ),
    FlagKind(
        "score_diff",
        "自评得分与按规则计算的得分不同",
        SEVERITY_AMBER,
        "indicator",
        "自评得分",
        "按规则得分",
    ),
    FlagKind("direction", "按反向指标处理", SEVERITY_NOTE, "indicator"),
    FlagKind("blank_weight", "未填写分值", SEVERITY_NOTE, "indicator", "按模板分得的分值"),
    FlagKind(
        "execution_score_mismatch",
        "执行率得分与自评不同",
        SEVERITY_AMBER,
        "project",
        "自评执行率得分",
        "按规则执行率得分",
    ),
    FlagKind(
        "rate_mismatch",
        "计算执行率与所述执行率不一致",
        SEVERITY_AMBER,
        "project",
        "所述执行率（%）",
        "计算执行率（%）",
    ),
    FlagKind(
        "score_mismatch",
        "计算得分与所述得分不一致",
        SEVERITY_AMBER,
        "project",
        "所述得分",
        "计算得分",
    ),
    FlagKind("no_scorable", "无可评分指标", SEVERITY_RED, "project"),
)
"""Every flag kind, in the order a project's flags are listed (its sentences in ``flags``)."""

FLAG_COLUMNS: tuple[str, ...] = (
    "department",
    "project_id",
    "project",
    "indicator",
    "kind",
    "severity",
    "value",
    "threshold",
    "note",
)
"""The columns of ``ScoreResult.flags``, one row per flag occurrence."""

# ----------------------------------------------------------------------------- statuses

STATUS_MET = "达成"
STATUS_NEAR = "基本达成"
STATUS_UNMET = "未达成"
STATUS_NOT_SCORED = "未评价"
STATUSES: tuple[str, ...] = (STATUS_MET, STATUS_NEAR, STATUS_UNMET, STATUS_NOT_SCORED)
"""An indicator's completion status (``ScoreResult.indicators["status"]``)."""

STATUS_COLOURS = {
    STATUS_MET: OKABE_ITO["blue"],
    STATUS_NEAR: OKABE_ITO["orange"],
    STATUS_UNMET: OKABE_ITO["vermilion"],
}
OVER_COLOUR = OKABE_ITO["green"]
"""An over-achieved indicator's bar."""

# ----------------------------------------------------------------------------- grades

GRADE_LOWEST = "差"
GRADES: tuple[str, ...] = ("优", "良", "中", GRADE_LOWEST)
"""Grades from best to worst; the last is what is left below the lowest band."""

DEFAULT_GRADE_BANDS: dict[str, float] = {"优": 90.0, "良": 80.0, "中": 60.0}
"""The lowest score of each grade but the last (财预〔2020〕10号: 90 / 80 / 60)."""

GRADE_BAND_PRESETS: dict[str, dict[str, float]] = {
    "90/80/60": DEFAULT_GRADE_BANDS,
    "80/70/60": {"优": 80.0, "良": 70.0, "中": 60.0},
}
"""Band sets in use: the national default and the one some provinces use."""

BAND_COLOURS = {"优": "#e8f3fa", "良": "#f2f7ee", "中": "#fdf6e3", "差": "#fbeae5"}
"""Background of each grade's band in the score chart."""


def grade_bands(bands: Mapping[str, float] | None = None) -> tuple[tuple[float, str], ...]:
    """Bands as (lowest score, grade) pairs from best to worst, the last grade from 0.

    Args:
        bands: the lowest score of 优, 良 and 中 (:data:`DEFAULT_GRADE_BANDS` when None).

    Example:
        >>> grade_bands()
        ((90.0, '优'), (80.0, '良'), (60.0, '中'), (0.0, '差'))
    """
    bands = DEFAULT_GRADE_BANDS if bands is None else bands
    return (*((float(bands[g]), g) for g in GRADES[:-1]), (0.0, GRADE_LOWEST))


GRADE_BANDS: tuple[tuple[float, str], ...] = grade_bands()
"""The default bands as (lowest score, grade) pairs."""

# ----------------------------------------------------------------------------- thresholds

DEFAULT_LOW_EXECUTION_PCT = 90.0
DEFAULT_OVER_ACHIEVEMENT_PCT = 130.0
DEFAULT_NEAR_MET_PCT = 95.0
DEFAULT_EXECUTION_WEIGHT = 10.0
DEFAULT_THRESHOLDS: dict[str, float] = {
    "low_execution_pct": DEFAULT_LOW_EXECUTION_PCT,
    "over_achievement_pct": DEFAULT_OVER_ACHIEVEMENT_PCT,
    "near_met_pct": DEFAULT_NEAR_MET_PCT,
}
"""Limits of the flags: execution below 90 % is low, reaching 130 % of a target is over
(目标设定偏低?), reaching 95 % without meeting it is 基本达成 (near met)."""

MISSING_VALUE_POLICIES: dict[str, str] = {
    "exclude": "不评分，分值由同级其他指标分担",
    "zero": "记 0 分",
}
"""What happens to an indicator without a target or an actual."""

SCORING_SETTINGS: dict[str, str] = {
    "low_execution_pct": "预算执行率低于此百分比即提示执行率偏低（默认 90）",
    "over_achievement_pct": "完成值达到目标的此百分比即提示超额完成、目标偏低（默认 130）",
    "near_met_pct": "未达成但完成此百分比以上的指标记为基本达成（默认 95）",
    "grade_bands": "等级区间：优、良、中的最低分（默认 {优: 90, 良: 80, 中: 60}）",
    "execution_weight": "预算执行率的分值（默认取数据的模板，通常 10）",
    "missing_value_policy": "缺少目标值或实际值的指标：exclude 不评分，zero 记 0 分",
}
"""The settings a params file's ``scoring:`` mapping may give, with what each means."""
