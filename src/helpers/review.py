"""自评复核: the finance bureau's review of the quality of departments' self-evaluations.

A finance bureau (财政局) receives every department's self-evaluation and must judge whether the
self-scores can be trusted. :func:`review` reads any number of evaluations (as
:func:`helpers.evaluation.evaluate` returns them) and returns one table of findings, each with
the rule that found it, a severity, the department / project / indicator it concerns and a
Chinese sentence with the numbers. :func:`write_review_workbook` writes the bureau's
复核工作底稿 (one row per scored item, with the findings of that row) as an ``.xlsx``.

The rules are declared once, in :data:`RULES`; the workbook's sheet 规则 and any report list
them from there (:func:`rules_frame`).

Severities:

- **P0** — the score itself is overstated: a printed self-score (indicator, execution or project
  total) at least 0.5 points above the score by the rules. The bureau corrects these before it
  accepts a score.
- **P1** — the evaluation lacks what the rules require, or is not the unit's own work: a
  self-score on a row the rules cannot score (no target or no actual value, so nothing supports
  it); unmet or deducted rows and low execution without a reason; a cost indicator written as
  ``≥`` (the target rewards spending more); every project self-scored 100 while the rules give
  less; paragraphs or reasons copied from another department. The bureau sends these back.
- **P2** — target-setting and evidence quality, for next year's targets: targets exceeded by
  130 % or more (set too low), indicators without a target, satisfaction scored without a
  stated survey, text copied between projects of the same department, a self-score below the
  rules' or above it by less than 0.5 point (rounding to whole points), every project
  self-scored 100 where the rules agree.

A rule states the most serious severity its findings can have; R01, R02 and R09 grade each
finding as above (the rule's ``grading`` says how), the others give every finding the rule's
severity.

Near-duplicate text (R09) compares, after dropping spaces and punctuation, texts of at least
:data:`MIN_TEXT_CHARS` characters that are not a default phrase (:data:`DEFAULT_PHRASES`):
department sections (组织开展情况, 存在问题, 下步工作, by paragraph) across departments, and
project texts (偏差原因, 成效, 年度总体目标完成情况, 执行率偏低原因) across projects and
departments. Runs of digits count as one character (a reason copied with other numbers is a
copy). Texts are grouped into families (:func:`near_duplicate_families`): a text joins the
first earlier family whose first text :class:`difflib.SequenceMatcher` finds at least
:data:`SIMILARITY` alike; only families sharing a rare character bigram with it are compared,
so the work grows with the number of texts and families, not with its square.

>>> from helpers.evaluation import evaluate
>>> findings = review([evaluate(2021, "高新区科技局")])
>>> findings.columns[:7].tolist()
['rule_id', 'severity', 'department', 'project_id', 'project', 'indicator', 'evidence']
>>> findings["severity"].is_monotonic_increasing
True
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict, namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from helpers import paths
from helpers.format import format_number, format_pct, format_score
from helpers.parse import _gc_paused
from helpers.score_export import EXCEL_CELL_LIMIT, excel_text

if TYPE_CHECKING:
    from helpers.evaluation import Evaluation

SEVERITIES = ("P0", "P1", "P2")
"""From the most serious: P0 score overstated, P1 send back, P2 note for next year."""

FINDING_COLUMNS = (
    "rule_id",
    "severity",
    "department",
    "project_id",
    "project",
    "indicator",
    "evidence",
    "self_score",
    "rule_score",
    "difference",
    "level",
    "row",
)
"""Columns of :func:`review`'s table. ``difference`` is self-score − rule score (positive: the
self-score is higher). ``level`` is ``department``, ``project``, ``execution`` (the project's
预算执行率 row) or ``indicator``; ``row`` is the indicator's position in its evaluation's
``result.indicators`` (missing for the other levels)."""

SCORE_TOLERANCE = 0.005
"""Scores closer than this are equal (scores have two decimals)."""
OVERSTATED_POINTS = 0.5
"""A self-score this many points or more above the rules' is P0; less is rounding (P2)."""
MIN_TEXT_CHARS = 15
"""Texts shorter than this (without spaces and punctuation) are not compared for copying."""
SIMILARITY = 0.8
"""Two texts at least this alike (:class:`difflib.SequenceMatcher` ratio) are near-duplicates."""
CANDIDATE_JACCARD = 0.5
"""Texts sharing less of their character bigrams (Jaccard) are not compared: a cheap filter,
as texts copied with a few words changed share far more."""

DEFAULT_PHRASES = (
    "年初既定绩效目标基本完成",
    "年初既定绩效目标全部完成",
    "为深化财政管理改革，加强财政支出管理，优化财政资源配置、提高使用效益",
    "偏差原因分析及改进措施",
    "已按计划完成年度绩效目标",
    "按计划完成，无偏差",
)
"""Phrases of the forms and templates that many units write unchanged: never a copy."""

NO_TEXT = frozenset(
    {
        "",
        "无",
        "/",
        "-",
        "--",
        "—",
        "——",
        "－",
        "暂无",
        "无偏差",
        "不适用",
        "…",
        "……",
        "未说明",
        "nan",
    }
)
"""Cell contents that say nothing (a reason written as ``无`` is no reason)."""

SURVEY_WORDS = ("调查", "问卷", "测评", "抽样", "回访", "访谈", "座谈", "评议", "打分")
"""Words that state how a satisfaction figure was obtained."""

COST_LEVEL2 = frozenset({"成本", "经济成本", "社会成本", "生态环境成本"})
_COST_NAME = re.compile(r"成本|费用")
_CONTROL_NAME = re.compile(r"控制")
_MONEY_UNITS = frozenset({"万元", "元", "亿元", "千元"})
_PERCENT_UNITS = frozenset({"%", "‰", "个百分点", "百分点"})
_SATISFACTION = re.compile(r"满意")


@dataclass(frozen=True)
class Rule:
    """One review rule: a stable id, its severity, what it checks (Chinese) and the check.

    Attributes:
        id: stable id (``R01-self-vs-rule``), the ``rule_id`` of its findings.
        severity: the most serious severity of its findings (``P0`` … ``P2``).
        title: the rule's name for the bureau (Chinese).
        description: what the rule checks (Chinese).
        grading: how findings are graded when not all have ``severity`` (Chinese; empty when
            every finding has the rule's severity).
        check: the tables of all evaluations (:class:`ReviewTables`) → a frame of findings
            (``rule_id`` and, where the check does not grade, ``severity`` are filled in).
    """

    id: str
    severity: str
    title: str
    description: str
    check: Callable[[ReviewTables], pd.DataFrame]
    grading: str = ""


@dataclass
class ReviewTables:
    """The indicators and projects of every evaluation, stacked, with where each came from.

    Attributes:
        indicators: the scored indicator rows of every evaluation, with ``department``,
            ``dept_pos`` (the evaluation's position), ``row`` (the position in its evaluation's
            indicators), ``project`` (the project's name) and ``proj_pos``.
        projects: the scored projects of every evaluation, with ``department``, ``dept_pos``,
            ``proj_pos``, ``low_execution_pct`` and ``over_achievement_pct`` (its thresholds).
        evaluations: the evaluations, in the order given.
    """

    indicators: pd.DataFrame
    projects: pd.DataFrame
    evaluations: Sequence[Evaluation]


_FLOAT, _BOOL, _TEXT = "float", "bool", "text"
_INDICATOR_FIELDS: dict[str, str] = {
    "project_id": _TEXT,
    "level1": _TEXT,
    "level2": _TEXT,
    "name": _TEXT,
    "target": _TEXT,
    "actual": _TEXT,
    "weight": _FLOAT,
    "weight_used": _FLOAT,
    "stated_score": _FLOAT,
    "score": _FLOAT,
    "fraction": _FLOAT,
    "status": _TEXT,
    "completion_pct": _FLOAT,
    "deviation_reason": _TEXT,
    "note": _TEXT,
    "is_scorable": _BOOL,
    "is_missing_target": _BOOL,
    "is_missing_actual": _BOOL,
    "is_unjudgeable": _BOOL,
    "is_over_achieved": _BOOL,
    "target_op": _TEXT,
    "target_kind": _TEXT,
    "target_unit": _TEXT,
}
"""The indicator columns the rules read, and how they are stacked."""
_PROJECT_FIELDS: dict[str, str] = {
    "project_id": _TEXT,
    "name": _TEXT,
    "stated_score": _FLOAT,
    "score": _FLOAT,
    "stated_execution_score": _FLOAT,
    "execution_score": _FLOAT,
    "execution_weight": _FLOAT,
    "execution_rate_pct": _FLOAT,
    "is_low_execution": _BOOL,
    "low_execution_reason": _TEXT,
    "outcome": _TEXT,
    "goal_actual": _TEXT,
}
"""The project columns the rules read."""
_WORKSHEET_FIELDS = (
    *_INDICATOR_FIELDS,
    "actual_op",
    "actual_value",
    "actual_unit",
    "actual_deadline",
)
"""The indicator columns the 底稿 shows."""


def _column(frame: pd.DataFrame, name: str, kind: str) -> np.ndarray:
    """One column as a plain array of its kind (missing: NaN, False or None)."""
    if name not in frame:
        fill: object = np.nan if kind == _FLOAT else kind == _TEXT and None
        return np.full(len(frame), fill, dtype=float if kind == _FLOAT else object)
    values = frame[name]
    if kind == _FLOAT:
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if kind == _BOOL:
        return values.fillna(False).to_numpy(dtype=bool)
    return values.to_numpy(dtype=object)


def _stacked(
    frames: list[pd.DataFrame], fields: dict[str, str], extra: dict[str, list[np.ndarray]]
) -> pd.DataFrame:
    """The frames' ``fields`` and the ``extra`` per-frame arrays, one array per column."""
    columns: dict[str, np.ndarray] = {}
    for name, arrays in extra.items():
        columns[name] = np.concatenate(arrays) if arrays else np.array([], dtype=object)
    # The columns every frame has: joined once, then read once (500 frames × 35 columns read
    # one by one cost a second); a column some frames lack is read frame by frame.
    everywhere = [name for name in fields if all(name in frame for frame in frames)]
    joined = (
        pd.concat([frame[everywhere] for frame in frames], ignore_index=True)
        if frames and everywhere
        else None
    )
    for name, kind in fields.items():
        if joined is not None and name in everywhere:
            columns[name] = _column(joined, name, kind)
            continue
        arrays = [_column(frame, name, kind) for frame in frames]
        dtype = float if kind == _FLOAT else bool if kind == _BOOL else object
        columns[name] = np.concatenate(arrays) if arrays else np.array([], dtype=dtype)
    return pd.DataFrame(columns)


def gather(evaluations: Sequence[Evaluation]) -> ReviewTables:
    """Stack the scored tables of ``evaluations`` (see :class:`ReviewTables`).

    Column by column as plain arrays: 500 departments stack in well under a second.
    """
    projects, indicators = [], []
    proj_extra: dict[str, list[np.ndarray]] = defaultdict(list)
    ind_extra: dict[str, list[np.ndarray]] = defaultdict(list)
    for pos, evaluation in enumerate(evaluations):
        result = evaluation.result
        proj, ind = result.projects, result.indicators
        n_proj, n_ind = len(proj), len(ind)
        name = evaluation.dataset.department.name
        config = result.config
        proj_extra["department"].append(np.full(n_proj, name, dtype=object))
        proj_extra["dept_pos"].append(np.full(n_proj, pos))
        proj_extra["proj_pos"].append(np.arange(n_proj, dtype=float))
        proj_extra["low_execution_pct"].append(np.full(n_proj, config.low_execution_pct))
        ind_extra["department"].append(np.full(n_ind, name, dtype=object))
        ind_extra["dept_pos"].append(np.full(n_ind, pos))
        ind_extra["row"].append(np.arange(n_ind))
        ind_extra["over_achievement_pct"].append(np.full(n_ind, config.over_achievement_pct))
        # Each row's project: the first project with its id (ids are unique once validated).
        ids = proj["project_id"].to_numpy(dtype=object)
        keep = ~pd.Series(ids).duplicated().to_numpy()
        found = pd.Index(ids[keep]).get_indexer(ind["project_id"].to_numpy(dtype=object))
        at = np.append(np.flatnonzero(keep), -1)[found]  # not found (-1) stays -1
        names = np.array([*proj["name"].tolist(), None], dtype=object)
        ind_extra["project"].append(names[at])
        ind_extra["proj_pos"].append(np.where(at >= 0, at, np.nan).astype(float))
        projects.append(proj)
        indicators.append(ind)
    for name in ("department", "dept_pos", "proj_pos", "low_execution_pct"):
        proj_extra.setdefault(name, [])
    for name in ("department", "dept_pos", "row", "over_achievement_pct", "project", "proj_pos"):
        ind_extra.setdefault(name, [])
    return ReviewTables(
        _stacked(indicators, _INDICATOR_FIELDS, ind_extra),
        _stacked(projects, _PROJECT_FIELDS, proj_extra),
        evaluations,
    )


# ---------------------------------------------------------------------------------------------
# Small helpers


def _text(value: object) -> str:
    """A cell as stripped text ("" for a missing value)."""
    return value.strip() if isinstance(value, str) else ""


def _says_something(values: pd.Series) -> np.ndarray:
    """Which cells hold a real text (not blank, not ``无``, ``/``, ``—`` …)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    says = [
        unicodedata.normalize("NFKC", _text(u)).rstrip("。.;").strip() not in NO_TEXT
        for u in uniques
    ]
    return np.array([*says, False], dtype=bool)[codes]


def _num(value: object) -> float:
    """A number as float (NaN for a missing or non-numeric value)."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def _pts(value: object) -> str:
    return f"{format_score(value)} 分"


def _quote(value: object, limit: int = 40) -> str:
    text = " ".join(_text(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(rows: pd.DataFrame, level: str, evidence: list[str], **columns: Any) -> pd.DataFrame:
    """Findings for ``rows`` (indicator or project rows of :class:`ReviewTables`)."""
    n = len(rows)
    out = pd.DataFrame(
        {
            "department": rows["department"].to_numpy(dtype=object),
            "project_id": rows["project_id"].fillna("").to_numpy(dtype=object)
            if "project_id" in rows
            else [""] * n,
            "project": _project_names(rows, level),
            "indicator": rows["name"].fillna("").to_numpy(dtype=object)
            if level == "indicator"
            else [""] * n,
            "evidence": evidence,
            "self_score": np.nan,
            "rule_score": np.nan,
            "difference": np.nan,
            "level": level,
            "row": rows["row"].to_numpy() if level == "indicator" else np.nan,
            "dept_pos": rows["dept_pos"].to_numpy(),
            "proj_pos": rows["proj_pos"].to_numpy(dtype=float) if "proj_pos" in rows else -1.0,
        }
    )
    for key, value in columns.items():
        out[key] = np.asarray(value) if not np.isscalar(value) else value
    return out


def _project_names(rows: pd.DataFrame, level: str) -> np.ndarray | list[str]:
    if level == "department":
        return [""] * len(rows)
    column = "project" if level == "indicator" else "name"
    return rows[column].fillna("").to_numpy(dtype=object)


def _scores(rows: pd.DataFrame, stated: str, rule: str) -> dict[str, np.ndarray]:
    """``self_score``, ``rule_score`` and ``difference`` columns from two score columns."""
    s = rows[stated].to_numpy(dtype=float)
    r = rows[rule].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        difference = np.round(s - r, 2)
    return {"self_score": s, "rule_score": r, "difference": difference}


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*FINDING_COLUMNS, "dept_pos", "proj_pos"])


# ---------------------------------------------------------------------------------------------
# R01: self-score vs the rules


def _differs(stated: pd.Series, rule: pd.Series) -> pd.Series:
    """A printed score that the rules do not give (or cannot check)."""
    return stated.notna() & (rule.isna() | (rule - stated).abs().gt(SCORE_TOLERANCE))


def _grade_difference(self_score: np.ndarray, rule_score: np.ndarray) -> np.ndarray:
    """P0 overstated by ≥ 0.5, P1 a self-score the rules cannot check, P2 otherwise."""
    with np.errstate(invalid="ignore"):
        unverifiable = np.isnan(rule_score) & (self_score > 0)
        overstated = (self_score - rule_score) >= OVERSTATED_POINTS - SCORE_TOLERANCE
    return np.select([overstated, unverifiable], ["P0", "P1"], default="P2")


def _compare(self_score: float, rule_score: float) -> str:
    if math.isnan(rule_score):
        return "按规则无法评分"
    gap = self_score - rule_score
    side = "自评高出" if gap > 0 else "自评低"
    return f"按规则 {_pts(rule_score)}，{side} {_pts(abs(gap))}"


def _why_unscored(row: Any) -> str:
    if row.is_missing_target and row.is_missing_actual:
        return "（缺少年度指标值和实际完成值）"
    if row.is_missing_target:
        return "（缺少年度指标值）"
    if row.is_missing_actual:
        return "（缺少实际完成值）"
    if row.is_unjudgeable:
        return "（无法判断完成情况）"
    return ""


def check_self_vs_rule(tables: ReviewTables) -> pd.DataFrame:
    """R01: every printed 得分 (indicator, execution, project total) the rules do not give."""
    ind, proj = tables.indicators, tables.projects
    parts = []
    rows = ind.loc[_differs(ind["stated_score"], ind["score"])]
    evidence = [
        f"三级指标「{r.name}」自评 {_pts(r.stated_score)}（分值 {format_score(r.weight_used)}），"
        + _compare(r.stated_score, r.score)
        + (_why_unscored(r) if pd.isna(r.score) else "")
        for r in rows.itertuples(index=False)
    ]
    parts.append(_graded(rows, "indicator", evidence, "stated_score", "score"))
    rows = proj.loc[_differs(proj["stated_execution_score"], proj["execution_score"])]
    evidence = [
        f"预算执行率 {format_pct(r.execution_rate_pct)}，执行率得分自评 "
        f"{_pts(r.stated_execution_score)}（分值 {format_score(r.execution_weight)}），"
        + _compare(r.stated_execution_score, r.execution_score)
        for r in rows.itertuples(index=False)
    ]
    parts.append(_graded(rows, "execution", evidence, "stated_execution_score", "execution_score"))
    rows = proj.loc[_differs(proj["stated_score"], proj["score"])]
    evidence = [
        f"项目总分自评 {_pts(r.stated_score)}，" + _compare(r.stated_score, r.score)
        for r in rows.itertuples(index=False)
    ]
    parts.append(_graded(rows, "project", evidence, "stated_score", "score"))
    return pd.concat(parts, ignore_index=True)


def _graded(
    rows: pd.DataFrame, level: str, evidence: list[str], stated: str, rule: str
) -> pd.DataFrame:
    scores = _scores(rows, stated, rule)
    severity = _grade_difference(scores["self_score"], scores["rule_score"])
    return _frame(rows, level, evidence, severity=severity, **scores)


# ---------------------------------------------------------------------------------------------
# R02: every project self-scored 100


def check_all_full_marks(tables: ReviewTables) -> pd.DataFrame:
    """R02: a department of two or more projects, every one self-scored 100."""
    proj = tables.projects
    if proj.empty:
        return _empty()
    stated = proj["stated_score"].astype(float)
    by_dept = proj.assign(full=stated.ge(100 - SCORE_TOLERANCE), rule=proj["score"].astype(float))
    grouped = by_dept.groupby("dept_pos", sort=True)
    summary = pd.DataFrame(
        {
            "department": grouped["department"].first(),
            "n": grouped.size(),
            "all_full": grouped["full"].all(),
            "low": grouped["rule"].min(),
            "high": grouped["rule"].max(),
            "mean": grouped["rule"].mean(),
        }
    )
    hit = summary.loc[summary["all_full"] & summary["n"].ge(2)].reset_index()
    if hit.empty:
        return _empty()
    evidence = [
        f"全部 {r.n} 个项目自评均为 100 分；" + _rule_range(r.low, r.high)
        for r in hit.itertuples(index=False)
    ]
    agrees = hit["low"].ge(100 - SCORE_TOLERANCE).to_numpy()
    mean = hit["mean"].round(2).to_numpy(dtype=float)
    return _frame(
        hit,
        "department",
        evidence,
        severity=np.where(agrees, "P2", "P1"),
        self_score=100.0,
        rule_score=mean,
        difference=np.round(100.0 - mean, 2),
    )


def _rule_range(low: float, high: float) -> str:
    if math.isnan(low):
        return "按规则均无法评分"
    if high - low < SCORE_TOLERANCE:
        return f"按规则均为 {_pts(low)}"
    return f"按规则为 {format_score(low)}～{format_score(high)} 分"


# ---------------------------------------------------------------------------------------------
# R03: a cost indicator written as ≥


def check_cost_as_floor(tables: ReviewTables) -> pd.DataFrame:
    """R03: a cost indicator (二级指标 成本, or named 成本/费用/控制…) whose target is ``≥``.

    Percent targets are left alone (``成本控制率 ≥ 90%`` is a rate where more is better);
    a name with 控制 counts only when its target is an amount of money.
    """
    ind = tables.indicators
    if ind.empty:
        return _empty()
    names = ind["name"].fillna("").astype(str)
    unit = ind["target_unit"]
    is_money = unit.isin(_MONEY_UNITS).to_numpy()
    is_cost = (
        ind["level2"].isin(COST_LEVEL2).to_numpy()
        | names.str.contains(_COST_NAME).to_numpy()
        | (names.str.contains(_CONTROL_NAME).to_numpy() & is_money)
    )
    is_floor = ind["target_op"].isin(("≥", ">")).to_numpy() & (
        ind["target_kind"].to_numpy(dtype=object) == "numeric"
    )
    rows = ind.loc[is_cost & is_floor & ~unit.isin(_PERCENT_UNITS).to_numpy()]
    evidence = [
        f"成本指标「{r.name}」的年度指标值写作“{_quote(r.target)}”：成本应以不高于（≤）设定，"
        "写作 ≥ 则支出越多越算完成"
        for r in rows.itertuples(index=False)
    ]
    return _frame(rows, "indicator", evidence, **_scores(rows, "stated_score", "score"))


# ---------------------------------------------------------------------------------------------
# R04: satisfaction scored without a stated survey


def check_satisfaction_unsurveyed(tables: ReviewTables) -> pd.DataFrame:
    """R04: a satisfaction row with a score but no word of how it was measured."""
    ind = tables.indicators
    if ind.empty:
        return _empty()
    is_satisfaction = (
        ind["level1"].eq("满意度")
        | ind["level2"].eq("服务对象满意度")
        | ind["name"].fillna("").astype(str).str.contains(_SATISFACTION)
    ).to_numpy()
    has_score = (ind["score"].notna() | ind["stated_score"].notna()).to_numpy()
    said = np.zeros(len(ind), dtype=bool)
    for column in ("name", "target", "actual", "deviation_reason", "note"):
        said |= _mentions(ind[column], SURVEY_WORDS)
    rows = ind.loc[is_satisfaction & has_score & ~said]
    evidence = [
        f"满意度指标「{r.name}」计 {_pts(_first_number(r.score, r.stated_score))}"
        f"（实际完成值“{_quote(r.actual) or '未填'}”），但未说明满意度如何取得"
        "（未提及问卷、调查或测评）"
        for r in rows.itertuples(index=False)
    ]
    return _frame(rows, "indicator", evidence, **_scores(rows, "stated_score", "score"))


def _mentions(values: pd.Series, words: Sequence[str]) -> np.ndarray:
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    hit = [any(w in _text(u) for w in words) for u in uniques]
    return np.array([*hit, False], dtype=bool)[codes]


def _first_number(*values: object) -> float:
    for value in values:
        number = _num(value)
        if not math.isnan(number):
            return number
    return math.nan


# ---------------------------------------------------------------------------------------------
# R05: target exceeded by 130 % or more


def check_target_too_low(tables: ReviewTables) -> pd.DataFrame:
    """R05: a ``≥`` target completed at ``over_achievement_pct`` (130 %) or more."""
    ind = tables.indicators
    rows = ind.loc[ind["is_over_achieved"].to_numpy(dtype=bool)]
    evidence = [
        f"「{r.name}」年度指标值“{_quote(r.target)}”，实际完成“{_quote(r.actual)}”，"
        f"完成 {format_number(r.completion_pct, 0)}%（≥{format_number(r.over_achievement_pct, 2)}%），"
        "目标可能设定偏低"
        for r in rows.itertuples(index=False)
    ]
    return _frame(rows, "indicator", evidence, **_scores(rows, "stated_score", "score"))


# ---------------------------------------------------------------------------------------------
# R06: unmet or deducted without a deviation reason


def check_no_deviation_reason(tables: ReviewTables) -> pd.DataFrame:
    """R06: a row unmet by the rules or deducted by the unit, with no deviation reason."""
    ind = tables.indicators
    if ind.empty:
        return _empty()
    fraction = ind["fraction"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        unmet = ind["is_scorable"].to_numpy(dtype=bool) & (fraction < 1 - 1e-9)
    full = ind["weight"].astype(float).fillna(ind["weight_used"].astype(float))
    stated = ind["stated_score"].astype(float)
    deducted = (stated.notna() & stated.lt(full - SCORE_TOLERANCE)).to_numpy()
    hit = (unmet | deducted) & ~_says_something(ind["deviation_reason"])
    rows, unmet_rows = ind.loc[hit], unmet[hit]
    evidence = [
        (
            f"三级指标「{r.name}」未完全完成（年度指标值“{_quote(r.target)}”，"
            f"实际完成“{_quote(r.actual)}”，按规则 {format_score(r.score)}/"
            f"{format_score(r.weight_used)} 分），未说明偏差原因"
        )
        if is_unmet
        else (
            f"三级指标「{r.name}」自评扣分（自评 {format_score(r.stated_score)}/"
            f"{format_score(_first_number(r.weight, r.weight_used))} 分），未说明偏差原因"
        )
        for r, is_unmet in zip(rows.itertuples(index=False), unmet_rows.tolist(), strict=True)
    ]
    return _frame(rows, "indicator", evidence, **_scores(rows, "stated_score", "score"))


# ---------------------------------------------------------------------------------------------
# R07: indicator without a target


def check_missing_target(tables: ReviewTables) -> pd.DataFrame:
    """R07: an indicator without a target (blank, or only a dash or ``无``)."""
    ind = tables.indicators
    if ind.empty:
        return _empty()
    missing = ind["is_missing_target"].to_numpy(dtype=bool) | ~_says_something(ind["target"])
    rows = ind.loc[missing]
    evidence = [
        f"三级指标「{r.name}」未设年度指标值"
        + (f"（实际完成值“{_quote(r.actual)}”）" if _text(r.actual) else "")
        + (f"，自评仍计 {_pts(r.stated_score)}" if not pd.isna(r.stated_score) else "")
        for r in rows.itertuples(index=False)
    ]
    return _frame(rows, "indicator", evidence, **_scores(rows, "stated_score", "score"))


# ---------------------------------------------------------------------------------------------
# R08: low execution without a reason


def check_low_execution_no_reason(tables: ReviewTables) -> pd.DataFrame:
    """R08: a project below ``low_execution_pct`` (90 %) with no ``low_execution_reason``."""
    proj = tables.projects
    if proj.empty:
        return _empty()
    low = proj["is_low_execution"].to_numpy(dtype=bool)
    rows = proj.loc[low & ~_says_something(proj["low_execution_reason"])]
    evidence = [
        f"预算执行率 {format_pct(r.execution_rate_pct)}，低于 {format_number(r.low_execution_pct, 2)}%，"
        "未说明执行率偏低的原因"
        for r in rows.itertuples(index=False)
    ]
    return _frame(
        rows, "execution", evidence, **_scores(rows, "stated_execution_score", "execution_score")
    )


# ---------------------------------------------------------------------------------------------
# R09: copied text


SECTION_LABELS = {
    "organization": "组织开展情况",
    "problems": "存在问题及原因",
    "next_steps": "下步工作思路和工作建议",
}
PROJECT_TEXT_LABELS = {
    "deviation_reason": "偏差原因",
    "outcome": "项目成效",
    "goal_actual": "年度总体目标完成情况",
    "low_execution_reason": "执行率偏低原因",
}
_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass
class TextItem:
    """One text compared for copying, and where it was written."""

    place: tuple[int, str]
    """(department position, project id); the project id is "" for department sections."""
    label: str
    """What the text is (偏差原因, 存在问题及原因 …)."""
    text: str
    exact: str
    """The text without spaces and punctuation (:func:`normalise_text`)."""
    department: str
    project_id: str = ""
    project: str = ""
    indicator: str = ""
    level: str = "department"
    row: float = math.nan
    proj_pos: float = -1.0

    key: str = field(init=False)
    """What is compared: :attr:`exact` with every run of digits as one ``#``."""

    def __post_init__(self) -> None:
        self.key = _DIGITS.sub("#", self.exact)


def normalise_text(text: str) -> str:
    """Text as compared for copying: NFKC, without spaces, punctuation or symbols.

    Example:
        >>> normalise_text("受疫情影响， 部分项目 无法正常开展。")
        '受疫情影响部分项目无法正常开展'
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


_DEFAULT_KEYS = frozenset(normalise_text(p) for p in DEFAULT_PHRASES)
_DIGITS = re.compile(r"[0-9]+")


def _comparable(key: str) -> bool:
    return len(key) >= MIN_TEXT_CHARS and key not in _DEFAULT_KEYS


def _section_items(tables: ReviewTables) -> list[TextItem]:
    items = []
    for pos, evaluation in enumerate(tables.evaluations):
        department = evaluation.dataset.department
        for section, label in SECTION_LABELS.items():
            for paragraph in _PARAGRAPHS.split(getattr(department.sections, section) or ""):
                exact = normalise_text(paragraph)
                if _comparable(exact):
                    items.append(
                        TextItem((pos, ""), label, paragraph.strip(), exact, department.name)
                    )
    return items


def _project_items(tables: ReviewTables) -> list[TextItem]:
    items = []
    ind = tables.indicators
    for r in ind.loc[_says_something(ind["deviation_reason"])].itertuples(index=False):
        exact = normalise_text(r.deviation_reason)
        if _comparable(exact):
            items.append(
                TextItem(
                    (r.dept_pos, _text(r.project_id)),
                    PROJECT_TEXT_LABELS["deviation_reason"],
                    _text(r.deviation_reason),
                    exact,
                    r.department,
                    _text(r.project_id),
                    _text(r.project),
                    _text(r.name),
                    "indicator",
                    float(r.row),
                    _num(r.proj_pos),
                )
            )
    proj = tables.projects
    for column in ("outcome", "goal_actual", "low_execution_reason"):
        for r in proj.loc[_says_something(proj[column])].itertuples(index=False):
            text = _text(getattr(r, column))
            exact = normalise_text(text)
            if _comparable(exact):
                level = "execution" if column == "low_execution_reason" else "project"
                place = (r.dept_pos, _text(r.project_id))
                label = PROJECT_TEXT_LABELS[column]
                items.append(
                    TextItem(
                        place,
                        label,
                        text,
                        exact,
                        r.department,
                        place[1],
                        _text(r.name),
                        level=level,
                        proj_pos=float(r.proj_pos),
                    )
                )
    return items


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)}


def near_duplicate_families(keys: Sequence[str]) -> list[int]:
    """Each text's family: the first earlier text it is a near-duplicate of, else itself.

    Texts are taken in order; a text joins the family of the first *leader* (a text that
    started a family) at least :data:`SIMILARITY` alike (:class:`difflib.SequenceMatcher`),
    else it leads a family of its own. Only leaders sharing a bigram among the rarest ones of
    the text are compared (the prefix filter of an all-pairs join at a bigram Jaccard of
    :data:`CANDIDATE_JACCARD`), so a family of 3,000 near-identical texts costs 3,000
    comparisons, not 4.5 million; the price is that a text is compared with the first text of
    a family, not with every member.

    Example:
        >>> near_duplicate_families(["受疫情影响部分培训活动延期至下一年度举办",
        ...     "两个行政村选址调整用地审批尚未完成", "受疫情影响部分宣传活动延期至下一年度举办"])
        [0, 1, 0]
    """
    grams = [_bigrams(key) for key in keys]
    frequency = Counter(g for gs in grams for g in gs)
    bigrams = _Bigrams(grams, frequency)
    leaders = _Leaders(keys)
    index: dict[str, list[int]] = defaultdict(list)
    family = list(range(len(keys)))
    for i, key in enumerate(keys):
        tokens = sorted(grams[i], key=lambda g: (frequency[g], g))
        prefix = tokens[: len(tokens) - math.ceil(CANDIDATE_JACCARD * len(tokens)) + 1]
        candidates = sorted({j for token in prefix for j in index.get(token, ())})
        leader = next((j for j in bigrams.close_to(i, candidates) if leaders.alike(key, j)), None)
        if leader is None:
            for token in prefix:
                index[token].append(i)
        else:
            family[i] = leader
    return family


class _Leaders:
    """``similarity(text, leader) >= SIMILARITY``, each leader's matcher made once.

    :class:`difflib.SequenceMatcher` keeps what it learns of its second text, so one matcher
    per leader serves every text compared with it; its quick upper bounds rule out most
    pairs before the full ratio (as :func:`difflib.get_close_matches` does). The answers are
    those of :func:`similarity`.
    """

    def __init__(self, keys: Sequence[str]):
        self.keys = keys
        self.matchers: dict[int, SequenceMatcher[str]] = {}

    def alike(self, key: str, leader: int) -> bool:
        """Whether ``key`` is at least :data:`SIMILARITY` alike the leader's text."""
        if key == self.keys[leader]:
            return True
        matcher = self.matchers.get(leader)
        if matcher is None:
            matcher = self.matchers[leader] = SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(self.keys[leader])
        matcher.set_seq1(key)
        return (
            matcher.real_quick_ratio() >= SIMILARITY
            and matcher.quick_ratio() >= SIMILARITY
            and matcher.ratio() >= SIMILARITY
        )


class _Bigrams:
    """The texts' bigram sets as arrays of bigram numbers, for Jaccard bounds in bulk."""

    def __init__(self, grams: list[set[str]], vocabulary: Counter[str]):
        number = {g: n for n, g in enumerate(vocabulary)}
        self.ids = [np.fromiter(map(number.__getitem__, gs), np.intp, len(gs)) for gs in grams]
        self.sizes = np.array([len(gs) for gs in grams], dtype=np.intp)
        self._member = np.zeros(len(number), dtype=np.intp)

    def close_to(self, i: int, candidates: list[int]) -> list[int]:
        """The candidates within the bigram Jaccard bound of text ``i``, in their order.

        |A ∩ B| by one lookup of every candidate's bigrams in a membership array of text
        ``i``'s, then |A ∪ B| = |A| + |B| − |A ∩ B|: the bound for hundreds of candidates at
        once (a year of 500 departments lets hundreds of thousands of pairs through the
        prefix filter).
        """
        if not candidates:
            return []
        size = self.sizes[i]
        cand = np.asarray(candidates, dtype=np.intp)
        other = self.sizes[cand]
        fits = (size >= CANDIDATE_JACCARD * other) & (other >= CANDIDATE_JACCARD * size)
        cand, other = cand[fits], other[fits]
        if not len(cand):
            return []
        mine = self.ids[i]
        self._member[mine] = 1
        try:
            flat = np.concatenate([self.ids[j] for j in cand.tolist()])
            starts = np.cumsum(other) - other
            shared = np.add.reduceat(self._member[flat], starts)
        finally:
            self._member[mine] = 0
        close = shared >= CANDIDATE_JACCARD * (size + other - shared)
        return cand[close].tolist()


def similarity(a: str, b: str) -> float:
    """How alike two compared texts are (0–1, :class:`difflib.SequenceMatcher` ratio).

    Example:
        >>> round(similarity("受疫情影响部分培训活动延期", "受疫情影响部分宣传活动延期"), 2)
        0.85
    """
    return 1.0 if a == b else SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class _Group:
    """The items of one family: their places and departments, and a few of them."""

    places: set[tuple[int, str]]
    departments: set[int]
    shown: list[TextItem]
    """Up to three items at distinct places (distinct departments first): what evidence names."""


def _groups(items: list[TextItem], family_of: dict[str, int]) -> dict[int, _Group]:
    groups: dict[int, _Group] = {}
    for item in items:
        group = groups.setdefault(family_of[item.key], _Group(set(), set(), []))
        if item.place[0] not in group.departments and len(group.shown) < 3:
            group.shown.append(item)
        group.places.add(item.place)
        group.departments.add(item.place[0])
    for item in items:  # fill up with other places of the same departments
        group = groups[family_of[item.key]]
        if len(group.shown) < 3 and all(s.place != item.place for s in group.shown):
            group.shown.append(item)
    return groups


def _copies(items: list[TextItem]) -> pd.DataFrame:
    """Findings for every item whose text (or a near-duplicate) is written at another place.

    Work is per family of texts: an item of a text shared by 500 departments is answered from
    its family's places and a few shown items, not by comparing it with the other 499.
    """
    if not items:
        return _empty()
    keys = list(dict.fromkeys(item.key for item in items))
    family_of = dict(zip(keys, near_duplicate_families(keys), strict=True))
    groups = _groups(items, family_of)
    ratios: dict[tuple[str, str], float] = {}
    records = []
    for item in items:
        group = groups[family_of[item.key]]
        if len(group.places) < 2:
            continue
        matches = []
        for shown in group.shown:
            if shown.place != item.place:
                pair = (item.key, shown.key)
                if pair not in ratios:
                    ratios[pair] = similarity(*pair)
                matches.append((ratios[pair], shown))
        if matches:
            records.append(_copy_record(item, matches, len(group.places) - 1, group.departments))
    return pd.DataFrame.from_records(records) if records else _empty()


def _copy_record(
    item: TextItem, matches: list[tuple[float, TextItem]], n_other: int, departments: set[int]
) -> dict[str, Any]:
    n_departments = len(departments - {item.place[0]})
    # Name the closest match, preferring another department.
    ratio, other = max(matches, key=lambda m: (m[1].place[0] != item.place[0], m[0]))
    if other.exact == item.exact:
        how = "相同"
    elif other.key == item.key:
        how = "除数字外相同"
    else:
        how = f"高度相似（相似度 {format_number(ratio * 100, 0)}%）"
    evidence = f"{item.label}“{_quote(item.text, 30)}”与{_where(other)}{how}"
    if n_other > 1:
        evidence += f"；共 {n_other} 处相同或近似"
    if n_departments:
        evidence += f"（涉及其他 {n_departments} 个部门）"
    return {
        "severity": "P1" if n_departments else "P2",
        "department": item.department,
        "project_id": item.project_id,
        "project": item.project,
        "indicator": item.indicator,
        "evidence": evidence,
        "self_score": math.nan,
        "rule_score": math.nan,
        "difference": math.nan,
        "level": item.level,
        "row": item.row,
        "dept_pos": item.place[0],
        "proj_pos": item.proj_pos,
    }


def _where(item: TextItem) -> str:
    if not item.project_id:
        return f"{item.department}“{item.label}”部分"
    where = f"{item.department}「{item.project}」"
    if item.indicator:
        where += f"三级指标「{item.indicator}」"
    return f"{where}的{item.label}"


def check_copied_text(tables: ReviewTables) -> pd.DataFrame:
    """R09: paragraphs and reasons written verbatim or nearly so at another place."""
    return pd.concat(
        [_copies(_section_items(tables)), _copies(_project_items(tables))], ignore_index=True
    )


# ---------------------------------------------------------------------------------------------
# The rules, declared once


RULES: tuple[Rule, ...] = (
    Rule(
        "R01-self-vs-rule",
        "P0",
        "自评得分与按规则计算的得分不一致",
        "逐项比较自评表印出的得分（三级指标、预算执行率、项目总分）与按评分规则计算的得分，"
        "列出差额及哪一方较高；自评高于规则得分的更为严重。",
        check_self_vs_rule,
        "自评高出 0.5 分及以上为 P0；自评计分但按规则无法评分（缺少指标值或完成值）为 P1；"
        "自评低于规则得分或仅高出不足 0.5 分（取整）为 P2。",
    ),
    Rule(
        "R02-all-full-marks",
        "P1",
        "部门全部项目自评满分",
        "一个部门两个及以上项目的自评总分全部为 100 分。",
        check_all_full_marks,
        "按规则得分低于 100 分的为 P1；按规则亦全部为 100 分的为 P2。",
    ),
    Rule(
        "R03-cost-as-floor",
        "P1",
        "成本指标以“≥”设定",
        "成本类指标（二级指标为成本，或名称含成本、费用，或名称含控制且以金额计）的年度指标值"
        "写作 ≥、不低于、以上等下限，支出越多越算完成。",
        check_cost_as_floor,
    ),
    Rule(
        "R04-satisfaction-unsurveyed",
        "P2",
        "满意度指标计分但未说明调查方式",
        "满意度指标计了分，但指标值、完成值、偏差原因和备注中均未提及问卷、调查、测评等方式。",
        check_satisfaction_unsurveyed,
    ),
    Rule(
        "R05-target-too-low",
        "P2",
        "超额完成 130% 及以上（目标设定偏低）",
        "“≥”类指标实际完成达到年度指标值的 130%（评分规则的超额完成阈值）及以上。",
        check_target_too_low,
    ),
    Rule(
        "R06-no-deviation-reason",
        "P1",
        "未完成或扣分但未说明偏差原因",
        "按规则未完全完成，或自评得分低于分值，但偏差原因为空或仅写“无”“/”等。",
        check_no_deviation_reason,
    ),
    Rule(
        "R07-missing-target",
        "P2",
        "指标未设年度指标值",
        "三级指标的年度指标值为空或仅为“—”“/”“无”等。",
        check_missing_target,
    ),
    Rule(
        "R08-low-execution-no-reason",
        "P1",
        "预算执行率偏低但未说明原因",
        "项目预算执行率低于评分规则的阈值（默认 90%），但未填写执行率偏低原因。",
        check_low_execution_no_reason,
    ),
    Rule(
        "R09-copied-text",
        "P1",
        "文字雷同（照搬其他部门或项目）",
        f"部门报告段落（组织开展情况、存在问题、下步工作）及项目文字（偏差原因、成效、"
        f"年度总体目标完成情况、执行率偏低原因）与其他部门或项目相同或高度相似"
        f"（去除空格标点后不少于 {MIN_TEXT_CHARS} 字，相似度 {SIMILARITY:.0%} 及以上）。",
        check_copied_text,
        "与其他部门雷同为 P1；仅与本部门其他项目雷同为 P2。",
    ),
)
"""Every review rule, in the order of their ids."""

RULE_BY_ID = {rule.id: rule for rule in RULES}


def rules_frame(rules: Sequence[Rule] = RULES) -> pd.DataFrame:
    """The rules as a table (``rule_id``, ``severity``, ``title``, ``description``, ``grading``).

    Example:
        >>> rules_frame().iloc[0].tolist()[:3]
        ['R01-self-vs-rule', 'P0', '自评得分与按规则计算的得分不一致']
    """
    return pd.DataFrame(
        [(r.id, r.severity, r.title, r.description, r.grading) for r in rules],
        columns=["rule_id", "severity", "title", "description", "grading"],
    )


@_gc_paused()  # a year's evaluations hold millions of objects: no full collections meanwhile
def review(evaluations: Sequence[Evaluation], rules: Sequence[Rule] = RULES) -> pd.DataFrame:
    """Review the self-evaluations: one row per finding (see :data:`FINDING_COLUMNS`).

    Args:
        evaluations: the departments' evaluations (:func:`helpers.evaluation.evaluate`).
        rules: the rules to apply (all of :data:`RULES` by default).

    Returns:
        The findings, sorted by severity, then department (in the order given), project (in
        the data's order; department-level findings first), the row (execution and project
        level before indicators) and rule.
    """
    tables = gather(evaluations)
    parts = []
    for position, rule in enumerate(rules):
        found = rule.check(tables)
        if found.empty:
            continue
        found = found.copy()
        found["rule_id"] = rule.id
        if "severity" not in found:
            found["severity"] = rule.severity
        found["severity"] = found["severity"].fillna(rule.severity)
        found["rule_pos"] = position
        parts.append(found)
    if not parts:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in _NUMBER_COLUMNS else object) for c in FINDING_COLUMNS}
        ).astype({"row": "Int64"})
    findings = pd.concat(parts, ignore_index=True)
    return _sorted(findings)


_NUMBER_COLUMNS = frozenset({"self_score", "rule_score", "difference", "row"})
_LEVEL_ORDER = {"department": 0, "execution": 1, "project": 2, "indicator": 3}


def _sorted(findings: pd.DataFrame) -> pd.DataFrame:
    keys = pd.DataFrame(
        {
            "severity": findings["severity"].map({s: i for i, s in enumerate(SEVERITIES)}),
            "dept": findings["dept_pos"].astype(float),
            "proj": findings["proj_pos"].astype(float).fillna(-1.0),
            "level": findings["level"].map(_LEVEL_ORDER),
            "row": findings["row"].astype(float).fillna(-1.0),
            "rule": findings["rule_pos"],
        }
    )
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    out = findings.loc[order, list(FINDING_COLUMNS)].reset_index(drop=True)
    for column in ("project_id", "project", "indicator"):
        out[column] = out[column].fillna("").astype(object)
    for column in ("self_score", "rule_score", "difference"):
        out[column] = out[column].astype(float)
    out["row"] = out["row"].astype(float).astype("Int64")
    return out


def counts_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """How many findings each rule has, by severity (every rule listed, zeros included).

    Example:
        >>> counts_by_rule(review([])).loc["R01-self-vs-rule"].tolist()
        [0, 0, 0, 0]
    """
    table = pd.crosstab(findings["rule_id"], findings["severity"]) if len(findings) else None
    out = pd.DataFrame(0, index=[r.id for r in RULES], columns=list(SEVERITIES))
    if table is not None:
        out = out.add(table.reindex(index=out.index, columns=out.columns).fillna(0), fill_value=0)
    out = out.astype(int)
    out["total"] = out.sum(axis=1)
    return out


# ---------------------------------------------------------------------------------------------
# The 复核工作底稿


WORKSHEET_HEADERS = (
    "部门",
    "项目",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "分值",
    "自评完成值",
    "自评得分",
    "复核完成值",
    "复核得分",
    "偏离度",
    "问题",
    "规则",
)
"""Columns of the sheet 复核工作底稿: one row per scored item of every project."""
FINDINGS_HEADERS = (
    "严重程度",
    "规则",
    "规则名称",
    "部门",
    "项目编号",
    "项目",
    "三级指标",
    "问题",
    "自评得分",
    "复核得分",
    "偏离度",
)
RULES_HEADERS = ("规则", "严重程度", "名称", "说明", "分级", "发现数")
WORKSHEET_SHEET, FINDINGS_SHEET, RULES_SHEET = "复核工作底稿", "复核发现", "规则"
EXCLUDED_SHEET, EXCLUDED_HEADERS = "未纳入部门", ("部门", "数据校验问题（未复核）")
_EXCLUDED_WIDTHS = (24, 100)
_WORKSHEET_WIDTHS = (18, 24, 10, 12, 28, 16, 8, 16, 10, 16, 10, 8, 60, 26)
_FINDINGS_WIDTHS = (10, 26, 28, 18, 12, 24, 24, 70, 10, 10, 8)
_RULES_WIDTHS = (28, 10, 30, 70, 50, 8)
_DIFFERENCE_NOTE = "偏离度 = 自评得分 − 复核得分；正数表示自评高于按规则复核的得分。"


def _read_value(row: Any) -> str:
    """The actual value as jixiao read it: ``6000人次``, ``2021年12月31日``, ``定性：达成``."""
    if row.is_missing_actual:
        return "缺失"
    value = _num(row.actual_value)
    if not math.isnan(value):
        op = row.actual_op if isinstance(row.actual_op, str) and row.actual_op != "=" else ""
        unit = row.actual_unit if isinstance(row.actual_unit, str) else ""
        return f"{op}{format_number(value, 4)}{unit}"
    deadline = row.actual_deadline
    if isinstance(deadline, pd.Timestamp) and not pd.isna(deadline):
        return f"{deadline.year}年{deadline.month}月{deadline.day}日"
    if row.is_unjudgeable:
        return "无法判断"
    return f"定性：{row.status}" if isinstance(row.status, str) else ""


def _issues(findings: pd.DataFrame) -> defaultdict[tuple[str, str, str, float], tuple[str, str]]:
    """Where each finding goes in the 底稿: the joined evidence and rule ids per row.

    Keys are (department, project id, level, row); a row without findings gets two empty texts.
    """
    grouped: dict[tuple[str, str, str, float], list[tuple[str, str]]] = defaultdict(list)
    for f in findings.itertuples(index=False):
        row = -1.0 if pd.isna(f.row) else float(f.row)
        grouped[(f.department, f.project_id, f.level, row)].append((f.evidence, f.rule_id))
    out: defaultdict[tuple[str, str, str, float], tuple[str, str]] = defaultdict(lambda: ("", ""))
    for key, pairs in grouped.items():
        out[key] = ("；\n".join(e for e, _ in pairs), "、".join(dict.fromkeys(r for _, r in pairs)))
    return out


_WORKSHEET_PROJECT_FIELDS = (
    "project_id",
    "name",
    "execution_rate_pct",
    "execution_score",
    "execution_weight",
    "score",
    "stated_execution_rate_pct",
    "stated_execution_score",
    "stated_score",
)
"""The project columns the 底稿 shows."""


@functools.cache
def _row_type(fields: tuple[str, ...]) -> Any:
    return namedtuple("Row", fields)


def _tuples(frame: pd.DataFrame, fields: Sequence[str]) -> list[Any]:
    """The rows of ``frame`` as named tuples of ``fields`` (a missing column: NaN).

    As ``frame.reindex(columns=fields).itertuples(index=False)``, without the per-call cost of
    reading every column through ``iloc`` (a year's 底稿 makes a thousand such calls).

    Example:
        >>> _tuples(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), ["b", "c"])[1]
        Row(b='y', c=nan)
    """
    n = len(frame)
    columns = [frame[f].tolist() if f in frame else [math.nan] * n for f in fields]
    return list(map(_row_type(tuple(fields))._make, zip(*columns, strict=True)))


def worksheet_rows(evaluations: Sequence[Evaluation], findings: pd.DataFrame) -> list[list[Any]]:
    """The rows of the sheet 复核工作底稿 (values in :data:`WORKSHEET_HEADERS` order).

    Per project: its 预算执行率 row, its indicator rows, then its 总分 row; each with the
    evidence and rule ids of the findings on it.
    """
    issues = _issues(findings)
    out: list[list[Any]] = []
    for evaluation in evaluations:
        department = evaluation.dataset.department.name
        rows_of: dict[str, list[tuple[int, Any]]] = defaultdict(list)
        for i, row in enumerate(_tuples(evaluation.result.indicators, _WORKSHEET_FIELDS)):
            rows_of[_text(row.project_id)].append((i, row))
        for project in _tuples(evaluation.result.projects, _WORKSHEET_PROJECT_FIELDS):
            pid = _text(project.project_id)
            out.append(
                _execution_row(department, project, issues[(department, pid, "execution", -1.0)])
            )
            out += [
                _indicator_row(
                    department, project, row, issues[(department, pid, "indicator", float(i))]
                )
                for i, row in rows_of.get(pid, [])
            ]
            points = _num(project.execution_weight) + sum(
                _first_number(row.weight_used, 0.0) for _, row in rows_of.get(pid, [])
            )
            total = issues[(department, pid, "project", -1.0)]
            out.append(_total_row(department, project, round(points, 2), total))
    return out


def _difference(stated: object, rule: object) -> float:
    return round(_num(stated) - _num(rule), 2)


def _execution_row(department: str, project: Any, issue: tuple[str, str]) -> list[Any]:
    stated_rate = _num(project.stated_execution_rate_pct)
    return [
        department,
        project.name,
        "预算执行率",
        "",
        "预算执行率",
        "100%",
        _num(project.execution_weight),
        "" if math.isnan(stated_rate) else f"{format_number(stated_rate, 2)}%",
        _num(project.stated_execution_score),
        format_pct(project.execution_rate_pct),
        _num(project.execution_score),
        _difference(project.stated_execution_score, project.execution_score),
        *issue,
    ]


def _indicator_row(department: str, project: Any, row: Any, issue: tuple[str, str]) -> list[Any]:
    return [
        department,
        project.name,
        row.level1,
        row.level2,
        row.name,
        row.target,
        _num(row.weight_used),
        row.actual,
        _num(row.stated_score),
        _read_value(row),
        _num(row.score),
        _difference(row.stated_score, row.score),
        *issue,
    ]


def _total_row(department: str, project: Any, points: float, issue: tuple[str, str]) -> list[Any]:
    return [
        department,
        project.name,
        "总分",
        "",
        "项目总分",
        "",
        points,
        "",
        _num(project.stated_score),
        "",
        _num(project.score),
        _difference(project.stated_score, project.score),
        *issue,
    ]


@_gc_paused()
def write_review_workbook(
    evaluations: Sequence[Evaluation],
    findings: pd.DataFrame,
    path: str | Path,
    excluded: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write the bureau's 复核工作底稿 as one ``.xlsx``, atomically.

    Sheets: 复核工作底稿 (one row per scored item, :data:`WORKSHEET_HEADERS`), 复核发现 (every
    finding), 规则 (every rule with its number of findings) and 未纳入部门 (the departments
    whose data did not validate, each with its problems: they were not reviewed). Numbers are numbers, every text
    cell is stored as text (a value such as ``=1+1`` is never a formula), the header rows are
    frozen and the columns sized. The file is written beside ``path`` and renamed over it, so a
    failure leaves no partial file.

    Args:
        evaluations: the evaluations reviewed.
        findings: :func:`review` of them (possibly filtered).
        path: the workbook to write; must end in ``.xlsx``.
        excluded: (department, problem) of the departments left out (``YearScores.problems``).

    Returns:
        The path written.

    Raises:
        ValueError: ``path`` does not end in ``.xlsx``.
    """
    from openpyxl import Workbook

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"复核工作底稿应保存为 .xlsx 文件：{target.name}")
    book = Workbook(write_only=True)  # row by row: no cell objects kept
    _write_sheet(
        book,
        _Sheet(WORKSHEET_SHEET, WORKSHEET_HEADERS, _WORKSHEET_WIDTHS, {13}, "偏离度"),
        worksheet_rows(evaluations, findings),
    )
    _write_sheet(
        book,
        _Sheet(FINDINGS_SHEET, FINDINGS_HEADERS, _FINDINGS_WIDTHS, {8}, "偏离度"),
        _findings_rows(findings),
    )
    _write_sheet(
        book, _Sheet(RULES_SHEET, RULES_HEADERS, _RULES_WIDTHS, {3, 4, 5}), _rules_rows(findings)
    )
    _write_sheet(  # always there, as in 年度得分.xlsx: its header alone when none is left out
        book,
        _Sheet(EXCLUDED_SHEET, EXCLUDED_HEADERS, _EXCLUDED_WIDTHS, {2}),
        [[department, problem] for department, problem in excluded],
    )
    with paths.replacing([target]) as (partial,):
        book.save(partial)
    return target


@dataclass(frozen=True)
class _Sheet:
    """A sheet of the 底稿.

    Its title, headers, column widths, the columns whose text wraps (1-based) and the header
    that carries :data:`_DIFFERENCE_NOTE` (if any).
    """

    title: str
    headers: Sequence[str]
    widths: Sequence[int]
    wrap: set[int]
    note_header: str = ""


def _findings_rows(findings: pd.DataFrame) -> list[list[Any]]:
    titles = {rule.id: rule.title for rule in RULES}
    return [
        [
            f.severity,
            f.rule_id,
            titles.get(f.rule_id, ""),
            f.department,
            f.project_id,
            f.project,
            f.indicator,
            f.evidence,
            _num(f.self_score),
            _num(f.rule_score),
            _num(f.difference),
        ]
        for f in findings.itertuples(index=False)
    ]


def _rules_rows(findings: pd.DataFrame) -> list[list[Any]]:
    counts = findings["rule_id"].value_counts() if len(findings) else pd.Series(dtype=int)
    return [
        [r.id, r.severity, r.title, r.description, r.grading, int(counts.get(r.id, 0))]
        for r in RULES
    ]


def _cell_value(value: Any) -> Any:
    """A value as the workbook stores it: NaN empty, numbers as numbers, the rest as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return excel_text(str(value))


def _write_sheet(book: Any, layout: _Sheet, rows: list[list[Any]]) -> None:
    """One sheet of a write-only workbook: sized, header frozen and filtered, then the rows.

    Numbers are numbers; every text is stored as text (never a formula); the wrapped columns'
    cells (empty ones too) are aligned to the top and wrap.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from helpers.year import text_cell

    sheet = book.create_sheet(layout.title)
    for j, width in enumerate(layout.widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout.headers))}{len(rows) + 1}"
    head = {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "alignment": Alignment(wrap_text=True, vertical="center"),
    }
    header = [text_cell(sheet, str(h), **head) for h in layout.headers]
    if layout.note_header:
        header[layout.headers.index(layout.note_header)].comment = Comment(
            _DIFFERENCE_NOTE, "jixiao"
        )
    sheet.append(header)
    top = Alignment(wrap_text=True, vertical="top")
    wrapped = sorted(j - 1 for j in layout.wrap if j <= len(layout.headers))
    for values in rows:
        row = [_stored_value(sheet, value) for value in values]
        row += [None] * (len(layout.headers) - len(row))
        for j in wrapped:
            row[j] = _wrapped(sheet, row[j], top)
        sheet.append(row)


def _stored_value(sheet: Any, value: Any) -> Any:
    """``_sheet_value(sheet, _cell_value(value))``, with the common cases (text, float) first."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from helpers.year import text_cell

    kind = type(value)
    if kind is str:
        if len(value) > EXCEL_CELL_LIMIT or ILLEGAL_CHARACTERS_RE.search(value) is not None:
            value = excel_text(value)
        return text_cell(sheet, value)
    if kind is float:
        return None if value != value else value  # NaN: empty
    return _sheet_value(sheet, _cell_value(value))


def _sheet_value(sheet: Any, value: Any) -> Any:
    """A stored value for a write-only row: None, a number, or text kept as text."""
    from helpers.year import text_cell

    if value is None or isinstance(value, (int, float)):
        return value
    return text_cell(sheet, str(value))


def _wrapped(sheet: Any, value: Any, alignment: Any) -> Any:
    """``value`` as a cell aligned to wrap (a text cell's type kept)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import TYPE_STRING, Cell

    if isinstance(value, Cell):
        value.alignment = alignment
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = TYPE_STRING
    cell.alignment = alignment
    return cell
