"""The report's prose, written from data in the official structure and style.

Functions here return plain text (never HTML): escaping happens where text becomes HTML, in
:mod:`helpers.report`. The wording follows the seed report (科技局 2021 年度绩效自评工作报告):
numbers keep the precision of the data (``681.5307 万元``, ``99.97%``, ``1.5084亿元``).

The text speaks for the unit (``DepartmentInfo.speaker``: 我局, 我镇, 我校 …) and claims no more
than the data show: completion (全部完成, 基本完成) follows the execution rate, the unmet
indicators and the values actually filled in; each deviation reason stays with its indicator; a
low execution rate is stated with the project's ``low_execution_reason`` or 未说明原因; a project
without a score says why. No sentence carries English, a file path or a missing-value mark.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.arrays import repeated
from helpers.format import format_pct, format_score, format_wan
from helpers.schema import COLUMN_LABELS_ZH, DepartmentInfo
from helpers.vocabulary import (
    FLAG_KINDS,
    SEVERITIES,
    SEVERITY_ORDER,
    STATUS_MET,
    STATUS_NEAR,
    STATUS_UNMET,
)

if TYPE_CHECKING:  # the scoring engine calls this module: no import of it at run time
    from helpers.scoring import ScoreResult

_CN_NUMERALS = "零一二三四五六七八九十"
_OP_WORDS = (
    "不低于",
    "不少于",
    "不小于",
    "不高于",
    "不超过",
    "不大于",
    "不多于",
    "小于",
    "大于",
    "高于",
    "低于",
    "少于",
    "超过",
    "至少",
    "≥",
    "≤",
    ">",
    "<",
    "=",
)


def chinese_numeral(n: int) -> str:
    """Write 1–99 in Chinese numerals, as section numbers do.

    Example:
        >>> chinese_numeral(1), chinese_numeral(10), chinese_numeral(14), chinese_numeral(20)
        ('一', '十', '十四', '二十')
    """
    if n <= 10:
        return _CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (_CN_NUMERALS[tens] if tens > 1 else "") + "十" + (_CN_NUMERALS[ones] if ones else "")


def tidy(text: object) -> str:
    """A written value without the spaces PDF extraction leaves (``2021 年 12 月前``).

    Example:
        >>> tidy(" 不低于 90% "), tidy(None)
        ('不低于90%', '')
    """
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return ""
    return re.sub(r"\s+", "", str(text))


def write_title(department: DepartmentInfo) -> str:
    """``科技局2021年度绩效自评工作报告``."""
    return f"{department.display_name}{department.fiscal_year}年度绩效自评工作报告"


def write_opening(department: DepartmentInfo) -> str:
    """The opening paragraph with the documents the evaluation is based on.

    Example:
        >>> from helpers.schema import DepartmentInfo
        >>> d = DepartmentInfo(name="高新区科技局", fiscal_year=2021, budget_wan=1, spent_wan=1,
        ...     basis_documents=[{"issuer": "石家庄市财政局", "title": "关于开展2022年监督评价工作的通知"}])
        >>> write_opening(d)
        '依据石家庄市财政局《关于开展2022年监督评价工作的通知》文件要求，我局对2021年度财政预算绩效管理工作进行了自评，现报告如下：'
    """
    docs = [
        f"{doc.issuer or ''}《{doc.title}》" + (f"（{doc.number}）" if doc.number else "")
        for doc in department.basis_documents
    ]
    preamble = department.sections.preamble
    lead = f"{preamble}，" if preamble else ""
    basis = f"依据{'和'.join(docs)}文件要求，" if docs else ""
    return (
        f"{lead}{basis}{department.speaker}对{department.fiscal_year}年度财政预算绩效管理工作"
        "进行了自评，现报告如下："
    )


# ----------------------------------------------------------------------------- values


_PLACEHOLDERS = frozenset({"—", "——", "-", "--", "－", "–", "/", "／", "\\", "*", "…", "……"})
"""Cells that only mark a value as not applicable (a dash in a 自评表); they say nothing."""


def _value(text: object) -> str:
    """A written value as :func:`tidy` gives it, without a final stop; empty for a bare dash.

    Example:
        >>> _value(" — "), _value("≥ 90%"), _value(float("nan")), _value("社会认可的办学环境.")
        ('', '≥90%', '', '社会认可的办学环境')
    """
    tidied = re.sub(r"(?<=\D)\.$", "", tidy(text)).rstrip("。；;，,、")
    return "" if tidied in _PLACEHOLDERS else tidied


def _blank(values: pd.Series) -> pd.Series:
    """Per value: whether it is missing, empty or a placeholder dash."""
    return values.map(_value).eq("").astype(bool)


def _column(frame: pd.DataFrame, name: str, default: object = False) -> pd.Series:
    """``frame[name]``, or ``default`` in every row when the column is absent."""
    if name in frame:
        return frame[name]
    return pd.Series(default, index=frame.index)


def _reason(value: object) -> str:
    """A stated reason as a clause to follow ``原因是`` (no leading label, no final stop).

    Example:
        >>> _reason("原因：受疫情影响。"), _reason(None)
        ('受疫情影响', '')
    """
    text = re.sub(r"^(?:偏差|执行率偏低)?原因(?:是|为|：|:)?", "", tidy(value))
    return text.strip("。；;，,：: ")


def _is_low(project: pd.Series, low_execution_pct: float | None) -> bool:
    """Whether the project's execution rate is below the threshold (the engine's flag by default)."""
    rate = project.get("execution_rate_pct")
    if rate is None or pd.isna(rate):
        return False
    if low_execution_pct is not None:
        return bool(rate < low_execution_pct)
    flag = project.get("is_low_execution")
    if flag is None or pd.isna(flag):
        return bool(rate < 90.0)
    return bool(flag)


def _low_execution_clause(project: pd.Series, low_execution_pct: float | None) -> str:
    """``预算执行率低于90%，原因是…`` or ``…，未说明原因`` (no final stop)."""
    below = f"低于{low_execution_pct:g}%" if low_execution_pct is not None else "偏低"
    reason = _reason(project.get("low_execution_reason"))
    return f"预算执行率{below}，" + (f"原因是{reason}" if reason else "未说明原因")


# ----------------------------------------------------------------------------- conclusion

_NEGATED = re.compile(r"(?:未|没有|不能|无法)(?:能|全部|基本|全面|如期)*完成")


def _claim(text: str) -> int:
    """How much completion a conclusion claims: 2 全部完成, 1 基本完成, 0 nothing.

    Example:
        >>> _claim("年初既定绩效目标全部完成"), _claim("基本完成"), _claim("未能全部完成")
        (2, 1, 0)
    """
    if _NEGATED.search(text):
        return 0
    if re.search("全部完成|圆满完成|全面完成|均已完成", text):
        return 2
    return 1 if "基本完成" in text else 0


def _count(summary: dict, key: str) -> int:
    value = summary.get(key)
    return 0 if value is None or value != value else int(value)


def _by_indicators(
    summary: dict, indicators: pd.DataFrame, actual_blank: pd.Series
) -> tuple[str, int]:
    """The conclusion once execution is high enough: unmet, not filled in, unjudgeable."""
    unmet, near = _count(summary, "n_unmet"), _count(summary, "n_near_met")
    judged = _count(summary, "n_met") + near + unmet
    if "n_met" in summary and judged == 0 and len(indicators):
        return "各项指标均无法对照目标评价完成情况，年初既定绩效目标完成情况见下文", 0
    if unmet and unmet * 3 > judged:
        return "年初既定绩效目标部分完成", 0
    if unmet or near:
        return "年初既定绩效目标基本完成", 1
    target_blank = _blank(_column(indicators, "target", None))
    not_filled = int((actual_blank & ~target_blank).sum())
    if not_filled:
        return f"已填报实际完成值的绩效目标全部完成，另有{not_filled}项指标未填报实际完成值", 1
    unjudged = int(_column(indicators, "is_weighted_unscored").astype(bool).sum())
    if unjudged:
        return f"可评价的绩效目标全部完成，另有{unjudged}项指标无法按规则评价", 1
    return "年初既定绩效目标全部完成", 2


_MET_BUT_UNSPENT = "各项绩效指标虽均已完成，但资金"  # every indicator met, the money not spent


def _overall(summary: dict, indicators: pd.DataFrame, low_execution_pct: float) -> tuple[str, int]:
    """The conclusion and how much completion it claims (see :func:`_claim`)."""
    actual_blank = _blank(_column(indicators, "actual", None))
    if len(indicators) and actual_blank.all():
        return "各项指标尚未填报实际完成值", 0
    rate = summary.get("execution_rate_pct")
    if rate is None or rate != rate:
        return "年初既定绩效目标完成情况见下文", 0
    by_indicators = _by_indicators(summary, indicators, actual_blank)
    # Every indicator met while money went unspent: both are said, neither is hidden.
    all_met = by_indicators[0] == "年初既定绩效目标全部完成"
    if rate < 60:
        if all_met:
            return (
                f"预算执行率偏低，{_MET_BUT_UNSPENT}未按计划支出，年初既定绩效目标未能如期完成",
                0,
            )
        return "预算执行率偏低，年初既定绩效目标未能如期完成", 0
    if rate < low_execution_pct:
        if all_met:
            return (
                f"预算执行率未达到{low_execution_pct:g}%，{_MET_BUT_UNSPENT}未全部按计划支出，"
                "年初既定绩效目标部分完成",
                0,
            )
        return f"预算执行率未达到{low_execution_pct:g}%，年初既定绩效目标部分完成", 0
    return by_indicators


def conclude(summary: dict, indicators: pd.DataFrame, *, low_execution_pct: float = 90.0) -> str:
    """The overall conclusion the results support.

    Completion is claimed only as far as the execution rate, the unmet indicators and the
    values actually filled in allow: a low rate is never 基本完成, missing actual values are
    said to be missing.

    Args:
        summary: ``ScoreResult.department`` (``execution_rate_pct``, ``n_met``, ``n_unmet`` …).
        indicators: the scored indicator rows (``target``, ``actual`` …).
        low_execution_pct: the rate below which execution counts as low.

    Returns:
        A clause without final punctuation.

    Example:
        >>> rows = pd.DataFrame({"actual": ["8个", "100%"]})
        >>> conclude({"execution_rate_pct": 99.5, "n_unmet": 0}, rows)
        '年初既定绩效目标全部完成'
        >>> conclude({"execution_rate_pct": 20.0, "n_met": 1, "n_unmet": 1}, rows)
        '预算执行率偏低，年初既定绩效目标未能如期完成'
        >>> conclude({"execution_rate_pct": 20.0, "n_unmet": 0}, rows)
        '预算执行率偏低，各项绩效指标虽均已完成，但资金未按计划支出，年初既定绩效目标未能如期完成'
        >>> conclude({"execution_rate_pct": 82.81, "n_met": 1, "n_unmet": 1}, rows)
        '预算执行率未达到90%，年初既定绩效目标部分完成'
        >>> conclude({"execution_rate_pct": 82.81, "n_met": 2, "n_unmet": 0}, rows)
        '预算执行率未达到90%，各项绩效指标虽均已完成，但资金未全部按计划支出，年初既定绩效目标部分完成'
        >>> conclude({"execution_rate_pct": 99.5, "n_met": 9, "n_unmet": 1}, rows)
        '年初既定绩效目标基本完成'
        >>> conclude({"execution_rate_pct": 99.5, "n_unmet": 0}, pd.DataFrame({"actual": [None]}))
        '各项指标尚未填报实际完成值'
    """
    return _overall(summary, indicators, low_execution_pct)[0]


def overall_conclusion(result: ScoreResult, department: DepartmentInfo) -> str:
    """The conclusion of the totals sentence: the department's own, unless the data contradict it.

    ``sections.conclusion`` is used as written when it claims no more completion than the
    results support (see :func:`conclude`); a stated 基本完成 at 20 % execution is replaced.
    """
    text, level = _overall(result.department, result.indicators, result.config.low_execution_pct)
    stated = department.sections.conclusion
    if stated and _claim(stated) <= level:
        return stated
    return text


def _rate_phrase(rate: object, low: bool) -> str:
    if rate is None or pd.isna(rate):  # type: ignore[call-overload]
        return "预算执行率无法计算"
    return f"预算执行率{'为' if low else '达到'}{format_pct(rate)}"


def write_totals_sentence(result: ScoreResult, department: DepartmentInfo) -> str:
    """``2021年我局严格按照预算管理要求开展各项工作，全年预算安排39732万元，…``.

    The rate is "达到" only when it is not below ``config.low_execution_pct`` (else "为", or
    "仅为" when the conclusion calls it low); the closing clause is :func:`overall_conclusion`.
    """
    dept = result.department
    rate = dept["execution_rate_pct"]
    low = rate is not None and rate == rate and rate < result.config.low_execution_pct
    rate_text = _rate_phrase(rate, low)
    conclusion = overall_conclusion(result, department)
    if conclusion.startswith("预算执行率偏低，"):
        rate_text = rate_text.replace("预算执行率为", "预算执行率仅为")
        conclusion = conclusion.removeprefix("预算执行率偏低，")
    elif conclusion.startswith("预算执行率") and rate_text.startswith("预算执行率为"):
        conclusion = conclusion.removeprefix("预算执行率")
    return (
        f"{department.fiscal_year}年{department.speaker}严格按照预算管理要求开展各项工作，全年预算安排"
        f"{format_wan(dept['budget_wan'])}万元，全年支出{format_wan(dept['spent_wan'])}万元，"
        f"{rate_text}，{conclusion}。"
    )


# ----------------------------------------------------------------------------- indicators


def _starts_with_operator(text: str) -> bool:
    return text.startswith(_OP_WORDS)


def _achieved(name: str, actual: str, has_expected: bool) -> str:
    """The actual-value half of :func:`describe_indicator`."""
    if not actual:
        return "未填报实际完成值" if has_expected else ""
    if actual.startswith("实际"):
        return actual if has_expected else f"{name}：{actual}"
    if re.match(r"^[\d.]", actual):
        return f"实际完成{actual}" if has_expected else f"{name}达到{actual}"
    return f"实际{actual}" if has_expected else f"{name}：{actual}"


def describe_indicator(row: pd.Series) -> str:
    """One indicator's target against its actual, in the seed's words.

    A target or actual that is only a dash (``—``, ``-``, ``/``) counts as not given.

    Example:
        >>> describe_indicator(pd.Series({"name": "认定获奖数量", "target": "4个", "actual": "8个"}))
        '认定获奖数量预期目标4个，实际完成8个'
        >>> describe_indicator(pd.Series({"name": "资金拨付率", "target": "不低于 90%", "actual": "99.8%"}))
        '资金拨付率预期不低于90%，实际完成99.8%'
        >>> describe_indicator(pd.Series({"name": "服务对象满意度", "target": None, "actual": "100%"}))
        '服务对象满意度达到100%'
        >>> describe_indicator(pd.Series({"name": "完整性", "target": "—", "actual": "目标明确"}))
        '完整性：目标明确'
        >>> describe_indicator(pd.Series({"name": "培训人次", "target": "≥500人次", "actual": None}))
        '培训人次预期≥500人次，未填报实际完成值'
    """
    name, target, actual = str(row["name"]), _value(row.get("target")), _value(row.get("actual"))
    if target:
        expected = (
            f"{name}预期{target}" if _starts_with_operator(target) else f"{name}预期目标{target}"
        )
    else:
        expected = ""
    achieved = _achieved(name, actual, bool(expected))
    return "，".join(part for part in (expected, achieved) if part)


def _indicator_phrase(row: pd.Series) -> str:
    return f"{row['name']}（目标{tidy(row['target'])}，实际{tidy(row['actual'])}）"


def _unmet_phrase(rows: pd.DataFrame) -> str:
    return "、".join(_indicator_phrase(r) for _, r in rows.iterrows())


def _paired(rows: pd.DataFrame, verb: str, with_reasons: bool) -> str:
    """Indicators with what happened to them and, when any reason is given, each one's own.

    Indicators sharing one reason are named together (原因均为…); an indicator without a
    reason says so (未说明原因) rather than borrowing another's.
    """
    if not with_reasons:
        return f"{_unmet_phrase(rows)}{verb}"
    groups: dict[str, list[str]] = {}
    for _, row in rows.iterrows():
        groups.setdefault(_reason(row.get("deviation_reason")), []).append(_indicator_phrase(row))
    parts = []
    for reason, phrases in groups.items():
        if not reason:
            said = "未说明原因"
        else:
            said = f"原因均为{reason}" if len(phrases) > 1 else f"原因是{reason}"
        parts.append(f"{'、'.join(phrases)}{verb}，{said}")
    return "；".join(parts)


def _deviation_sentences(unmet: pd.DataFrame, near: pd.DataFrame) -> list[str]:
    """Unmet, then nearly met indicators, each with its own deviation reason (no final stop)."""
    reasons = pd.concat(
        [_column(unmet, "deviation_reason", None), _column(near, "deviation_reason", None)]
    )
    with_reasons = bool(reasons.map(_reason).ne("").any())
    out = []
    if not unmet.empty:
        out.append("预期绩效目标中" + _paired(unmet, "未完成", with_reasons))
    if not near.empty:
        out.append(_paired(near, "接近目标但未完全达到", with_reasons))
    return out


def _gap_sentences(indicators: pd.DataFrame) -> tuple[list[str], bool]:
    """Indicators without values or that could not be judged; and whether any value is missing."""
    target_blank = _blank(_column(indicators, "target", None))
    actual_blank = _blank(_column(indicators, "actual", None))
    both = target_blank & actual_blank
    out = []
    if both.any():
        out.append(f"{'、'.join(indicators.loc[both, 'name'])}未提供目标值和完成值")
    unjudged = _column(indicators, "is_weighted_unscored").astype(bool) & ~actual_blank
    if unjudged.any():
        out.append(
            f"{'、'.join(indicators.loc[unjudged, 'name'])}无法按规则判断完成情况，其分值未计入得分"
        )
    return out, bool(out) or bool(actual_blank.any())


def _rest_claim(
    n_met: int, unmet: pd.DataFrame, near: pd.DataFrame, has_gap: bool, low: str
) -> str:
    """What can be said of the indicators not named so far (no final stop)."""
    if not n_met or not unmet.empty:
        return ""
    if not near.empty:
        return "其余目标均已完成"
    if low:
        return f"{'其余' if has_gap else '各项'}绩效指标均已完成，但{low}"
    return f"{'其余' if has_gap else ''}预期绩效目标全部完成"


def _completion(indicators: pd.DataFrame, low: str) -> str:
    """The sentences on how far the project's targets were met, each ending in 。.

    Args:
        indicators: the project's scored indicator rows.
        low: the low-execution clause, empty when execution is not low.
    """
    if indicators.empty:
        return f"{low}。" if low else ""
    if _blank(_column(indicators, "actual", None)).all():
        sentences = ["各项指标均未填报实际完成值，无法判断绩效目标完成情况"]
        return "".join(f"{s}。" for s in [*sentences, low] if s)
    status = _column(indicators, "status", "")
    unmet, near = indicators[status == STATUS_UNMET], indicators[status == STATUS_NEAR]
    gaps, has_gap = _gap_sentences(indicators)
    sentences = _deviation_sentences(unmet, near) + gaps
    rest = _rest_claim(int((status == STATUS_MET).sum()), unmet, near, has_gap, low)
    if rest and sentences:
        sentences[-1] += ("；" if "原因" in sentences[-1] else "，") + rest
    elif rest:
        sentences.append(rest)
    if low and low not in rest:
        sentences.append(low)
    return "".join(f"{s}。" for s in sentences)


def points_available(project: pd.Series, indicators: pd.DataFrame) -> float:
    """A project's full marks: its indicators' 分值 and its execution 分值.

    100 by the rules; a table's own printed 分值 may add up to more or less.

    Args:
        project: a row of ``ScoreResult.projects`` (``execution_weight``).
        indicators: that project's scored indicator rows (``weight_used``).

    Example:
        >>> rows = pd.DataFrame({"weight_used": [8.0] * 5 + [10.0] * 3})
        >>> points_available(pd.Series({"execution_weight": 10.0}), rows)
        80.0
    """
    weight = project.get("execution_weight")
    if "weight_used" not in indicators or weight is None or pd.isna(weight):
        return 100.0
    return round(float(indicators["weight_used"].fillna(0).sum()) + float(weight), 4)


def _full_marks(project: pd.Series, indicators: pd.DataFrame) -> str:
    """``（满分90分）`` when the points available are not 100 (a table's own 分值), else empty."""
    total = points_available(project, indicators)
    return "" if abs(total - 100) < 0.005 or total <= 0 else f"（满分{format_score(total)}分）"


def _has_scorable(project: pd.Series, indicators: pd.DataFrame) -> bool:
    n_scored = project.get("n_scored")
    if n_scored is not None and not pd.isna(n_scored):
        return bool(n_scored > 0)
    return bool(_column(indicators, "is_scorable", True).astype(bool).any())


def write_score_sentence(project: pd.Series, indicators: pd.DataFrame) -> str:
    """The project's score and grade, or why it has none (never ``— 分``).

    Args:
        project: one row of ``ScoreResult.projects``.
        indicators: that project's rows of ``ScoreResult.indicators``.

    Returns:
        ``自评得分92.5分，等级为“优”。``, ``自评得分80分（满分90分），等级为“良”。``, or for an
        unscored project ``该项目未设置可评分的绩效指标，未计算得分。``.
    """
    score = project.get("score")
    if score is not None and not pd.isna(score):
        grade = project.get("grade")
        graded = f"，等级为“{grade}”" if isinstance(grade, str) and grade else ""
        return f"自评得分{format_score(score)}分{_full_marks(project, indicators)}{graded}。"
    if not _has_scorable(project, indicators):
        return "该项目未设置可评分的绩效指标，未计算得分。"
    if pd.isna(project.get("execution_rate_pct")):
        return "因缺少预算执行数据，未计算得分。"
    return "未计算得分。"


def _paragraph_lead(project: pd.Series, indicators: pd.DataFrame, number: int) -> str:
    """``1. 项目名。资金预算310万元，包括…等3项指标。``."""
    is_satisfaction = indicators["level1"].eq("满意度")
    names = list(dict.fromkeys(indicators["name"]))
    listed = "、".join(
        dict.fromkeys(
            [
                *indicators.loc[~is_satisfaction, "name"],
                "预算执行率",
                *indicators.loc[is_satisfaction, "name"],
            ]
        )
    )
    budget = format_wan(project["budget_wan"])
    return (
        f"{number}. {project['name']}。资金预算{budget}万元，包括{listed}等{len(names) + 1}项指标。"
    )


def _described(project: pd.Series, indicators: pd.DataFrame, low: bool) -> str:
    """Each indicator against its target, the execution rate in the seed's place, then satisfaction."""
    is_satisfaction = indicators["level1"].eq("满意度")
    described = [describe_indicator(r) for _, r in indicators[~is_satisfaction].iterrows()]
    rate = project.get("execution_rate_pct")
    rate_text = "预算执行率未提供" if rate is None or pd.isna(rate) else _rate_phrase(rate, low)
    if pd.notna(project.get("spent_wan")):
        rate_text = f"实际支出{format_wan(project['spent_wan'])}万元，{rate_text}"
    described.append(rate_text)
    described += [describe_indicator(r) for _, r in indicators[is_satisfaction].iterrows()]
    return "；".join(d for d in described if d) + "；"


def write_project_paragraph(
    project: pd.Series,
    indicators: pd.DataFrame,
    number: int,
    *,
    low_execution_pct: float | None = None,
) -> str:
    """The numbered paragraph of one project, as in 二、工作进展成效.

    Completion is claimed only for what the data show: unmet and nearly met indicators are
    named with their own deviation reasons, missing values are said to be missing, and a low
    execution rate is stated with the project's ``low_execution_reason`` (or 未说明原因).

    Args:
        project: one row of ``ScoreResult.projects``.
        indicators: that project's rows of ``ScoreResult.indicators``, in source order.
        number: the paragraph number within its category.
        low_execution_pct: the low-execution threshold (``ScoringConfig.low_execution_pct``);
            by default the project's ``is_low_execution`` flag decides and the text says 偏低.

    Returns:
        The paragraph text (plain, unescaped).
    """
    low = _is_low(project, low_execution_pct)
    low_clause = _low_execution_clause(project, low_execution_pct) if low else ""
    parts = [
        _paragraph_lead(project, indicators, number),
        _described(project, indicators, low),
        _completion(indicators, low_clause),
        write_score_sentence(project, indicators),
    ]
    outcome = tidy(project.get("outcome"))
    if outcome:
        parts.append(outcome if outcome.endswith(("。", "！", "；")) else outcome + "。")
    return "".join(parts)


# ----------------------------------------------------------------------------- problems


def _deviation_items(indicators: pd.DataFrame, names: dict) -> list[str]:
    """One item per unmet, then per nearly met indicator, each with its own reason."""
    items = []
    for status, verb in ((STATUS_UNMET, "未完成"), (STATUS_NEAR, "接近目标但未完全达到")):
        for _, r in indicators[indicators["status"] == status].iterrows():
            reason = _reason(r.get("deviation_reason"))
            items.append(
                f"{names[r['project_id']]}：{r['name']}{verb}，目标{tidy(r['target'])}，"
                f"实际{tidy(r['actual'])}"
                + (f"，偏差原因：{reason}。" if reason else "，未说明偏差原因。")
            )
    return items


def _low_execution_items(result: ScoreResult) -> list[str]:
    projects = result.projects
    low = projects[_column(projects, "is_low_execution").fillna(False).astype(bool)]
    threshold = result.config.low_execution_pct
    items = []
    for _, p in low.iterrows():
        reason = _reason(p.get("low_execution_reason"))
        items.append(
            f"{p['name']}：预算执行率{format_pct(p['execution_rate_pct'])}，低于{threshold:g}%，"
            + (f"原因是{reason}。" if reason else "未说明原因。")
        )
    return items


def _unscored_items(result: ScoreResult) -> list[str]:
    projects = result.projects
    unscored = _column(projects, "n_scored", 1).fillna(1).eq(0)
    return [
        f"{name}：未设置可评分的绩效指标，未计算得分。" for name in projects.loc[unscored, "name"]
    ]


def _over_items(result: ScoreResult, names: dict) -> list[str]:
    ind = result.indicators
    over_pct = result.config.over_achievement_pct
    return [
        f"{names[r['project_id']]}：{r['name']}目标{tidy(r['target'])}，实际{tidy(r['actual'])}，"
        f"完成{format_pct(r['completion_pct'], 0)}，超出目标{over_pct - 100:g}%以上，目标设定可能偏低。"
        for _, r in ind[ind["is_over_achieved"].fillna(False).astype(bool)].iterrows()
    ]


def write_problem_items(result: ScoreResult) -> list[str]:
    """The generated list under 三、存在问题及原因.

    Unmet indicators, then nearly met ones (each with its own deviation reason or 未说明偏差原因),
    low execution (with the project's ``low_execution_reason`` or 未说明原因), projects
    without a scorable indicator, and targets set too low.

    Returns:
        One sentence per finding (plain text), unmet indicators first.
    """
    names = dict(zip(result.projects["project_id"], result.projects["name"], strict=True))
    return [
        *_deviation_items(result.indicators, names),
        *_low_execution_items(result),
        *_unscored_items(result),
        *_over_items(result, names),
    ]


# ----------------------------------------------------------------------------- flags
#
# The scoring engine emits flags as data (``ScoreResult.flags``: one row per occurrence, with
# its kind, severity, value and threshold); the sentences are written here. Indicator flags of
# one project and kind share one sentence (``未完成指标：甲、乙``); a project flag is a sentence
# of its own (``预算执行率 85% 低于 90%``).


def _g(values: np.ndarray) -> np.ndarray:
    """Numbers as ``{:g}`` texts (an object array), each distinct number formatted once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=float), use_na_sentinel=False)
    return np.array([f"{u:g}" for u in uniques.tolist()], dtype=object)[codes]


def _wan_text(value: float) -> str:
    """:func:`~helpers.format.format_wan` of a float, without ``Decimal`` where it needs none.

    A float whose shortest repr has at most 4 decimals (``681.5307``, ``310.0``) rounds to
    itself: its text is that repr without trailing zeros, as ``format_wan`` writes it.
    """
    text = repr(value)
    _, dot, tail = text.partition(".")
    if not dot or len(tail) > 4 or not tail.isdigit():
        return format_wan(value)  # NaN, inf, exponents, more than 4 decimals
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _wan(values: np.ndarray) -> np.ndarray:
    """Amounts in 万元 as :func:`~helpers.format.format_wan` writes them, each once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=float), use_na_sentinel=False)
    return np.array([_wan_text(u) for u in uniques.tolist()], dtype=object)[codes]


def _same(text: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    return lambda v, t: repeated(text, len(v))


_PROJECT_SENTENCES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "low_execution": lambda v, t: "预算执行率 " + _g(v) + "% 低于 " + _g(t) + "%",
    "no_execution_data": _same("缺少执行数据，无法计算预算执行率，未计算总分"),
    "budget_adjusted": lambda v, t: (
        "年中预算调整：年初 " + _wan(t) + " 万元，全年 " + _wan(v) + " 万元"
    ),
    "execution_score_mismatch": lambda v, t: (
        "执行率得分按规则为 " + _g(t) + " 分，自评为 " + _g(v) + " 分"
    ),
    "rate_mismatch": lambda v, t: "计算执行率与所述执行率 " + _g(v) + "% 不一致",
    "score_mismatch": lambda v, t: "计算得分 " + _g(t) + " 与所述得分 " + _g(v) + " 不一致",
    "no_scorable": _same("无可评分指标，未计算得分"),
}
"""The sentences of a project-level kind, from its flags' values and thresholds (arrays)."""


def _rule_score(t: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(t), "未评分", _g(t) + " 分").astype(object)


_ITEMS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "score_diff": lambda name, v, t, note: (
        name + "（自评 " + _g(v) + " 分，按规则 " + _rule_score(t) + "）"
    ),
    "weighted_unscored": lambda name, v, t, note: name + "（" + _g(v) + " 分）",
    "direction": lambda name, v, t, note: name + "：" + note,
    "blank_weight": lambda name, v, t, note: name + " " + _g(v) + " 分",
}
"""How an indicator is named in its kind's sentence where more than its name is said."""

_KIND_KEYS = list(FLAG_KINDS)
_IS_PROJECT_KIND = np.array([k.scope == "project" for k in FLAG_KINDS.values()])
_LEADS = np.array(
    ["" if k.scope == "project" else f"{k.label}：" for k in FLAG_KINDS.values()], dtype=object
)
_OVER = _KIND_KEYS.index("over_achieved")
_BLANK = _KIND_KEYS.index("blank_weight")


def describe_flag(row: pd.Series) -> str:
    """The sentence of one flag (one row of ``ScoreResult.flags``).

    Example:
        >>> describe_flag(pd.Series({"kind": "unmet", "indicator": "讲座次数",
        ...                          "value": 50.0, "threshold": 95.0, "note": ""}))
        '未完成指标：讲座次数'
        >>> describe_flag(pd.Series({"kind": "low_execution", "indicator": "",
        ...                          "value": 85.5, "threshold": 90.0, "note": ""}))
        '预算执行率 85.5% 低于 90%'
    """
    one = pd.DataFrame([row]).reset_index(drop=True)
    return write_flag_items(one)[0]


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    """Each flag's kind as its position in FLAG_KINDS; an undeclared kind is an error."""
    if isinstance(kinds.dtype, pd.CategoricalDtype) and list(kinds.cat.categories) == _KIND_KEYS:
        codes = kinds.cat.codes.to_numpy()
    else:
        codes = pd.Index(_KIND_KEYS).get_indexer(kinds.astype(object))
    if (codes < 0).any():
        unknown = sorted({str(k) for k in np.asarray(kinds, dtype=object)[codes < 0]})
        raise ValueError(
            f"未声明的提示类型：{'、'.join(unknown)} / undeclared flag kinds: {', '.join(unknown)}"
        )
    return codes


def _group_starts(flags: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """Where each run of flags of one project (one department) and one kind starts.

    A project is its ``project_id`` in its ``department`` and, in a table of the scoring
    engine (indexed by ``project_row``), its position.
    """
    change = np.ones(len(flags), dtype=bool)
    change[1:] = kinds[1:] != kinds[:-1]
    if flags.index.name == "project_row":
        position = flags.index.to_numpy()
        change[1:] |= position[1:] != position[:-1]
    for column in ("project_id", "department"):
        if column in flags:
            change[1:] |= _differs_from_previous(flags[column])
    return np.flatnonzero(change)


def _differs_from_previous(values: pd.Series) -> np.ndarray:
    """From the second value on, whether each differs from the one before (missing: differs)."""
    if values.dtype == object:
        texts = values.to_numpy()
        try:
            return np.asarray(texts[1:] != texts[:-1], dtype=bool)
        except TypeError:  # values without a plain truth value (pd.NA)
            pass
    return values.ne(values.shift()).to_numpy(dtype=bool)[1:]


def _column_or(flags: pd.DataFrame, column: str, default: object) -> np.ndarray:
    if column not in flags:
        return repeated(default, len(flags))
    return np.array(flags[column].fillna(default), dtype=object)


def _flag_items(flags: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """Per flag, its words in its sentence: a project flag's whole sentence, else the name."""
    items = _column_or(flags, "indicator", "")
    values = flags["value"].to_numpy(dtype=float)
    limits = flags["threshold"].to_numpy(dtype=float)
    for code in np.unique(kinds).tolist():
        kind = _KIND_KEYS[code]
        if kind not in _PROJECT_SENTENCES and kind not in _ITEMS:
            continue
        at = np.flatnonzero(kinds == code)
        if kind in _PROJECT_SENTENCES:
            items[at] = _each_distinct(_PROJECT_SENTENCES[kind], values[at], limits[at])
        else:
            notes = _column_or(flags, "note", "")[at] if kind == "direction" else None
            items[at] = _ITEMS[kind](items[at], values[at], limits[at], notes)  # type: ignore[arg-type]
    return items


def _each_distinct(write: Callable[..., np.ndarray], *columns: np.ndarray) -> np.ndarray:
    """``write(*columns)``, computed once per distinct combination of the columns' values.

    Project flags repeat their numbers (most low execution rates share the threshold and
    many rates are alike); indicator names rarely repeat enough to pay for the hashing.

    Values are told apart as :func:`pandas.factorize` tells them apart (NaN equals NaN), as
    :func:`_g` and :func:`_wan` already format each distinct number once.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        key = pd.factorize(key * len(uniques) + codes)[0]
    _, first = np.unique(key, return_index=True)  # codes count up in order of appearance
    return write(*(column[first] for column in columns))[key]


def _leads(
    flags: pd.DataFrame, group_kinds: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """The words before the names of each run's sentence, with its colon ("" for a project kind)."""
    leads = _LEADS[group_kinds]
    over = np.flatnonzero(group_kinds == _OVER)
    if len(over):
        limits = flags["threshold"].to_numpy(dtype=float)[starts[over]]
        leads[over] = _each_distinct(_over_lead, limits)
    blank = np.flatnonzero(group_kinds == _BLANK)
    if len(blank):
        totals = np.add.reduceat(flags["value"].to_numpy(dtype=float), starts)[blank]
        counts = np.array([f"{n}" for n in sizes[blank].tolist()], dtype=object)
        leads[blank] = counts + " 项指标未填写分值，按模板分得剩余的 " + _g(totals) + " 分："
    return leads


def _over_lead(limits: np.ndarray) -> np.ndarray:
    return "超额完成 " + _g(limits) + "% 以上（目标设定偏低？）："


def _sentences(flags: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run of one project's flags of one kind: (first row, lead, names).

    ``lead`` is "" for a project kind, whose sentence is all in ``names``.
    """
    kinds = _kind_codes(flags["kind"])
    starts = _group_starts(flags, kinds)
    ends = np.append(starts[1:], len(flags))
    sizes = ends - starts
    items = _flag_items(flags, kinds)
    details = items[starts]
    several = np.flatnonzero(sizes > 1)
    if len(several):
        listed = items.tolist()
        pieces = map(listed.__getitem__, map(slice, starts[several], ends[several]))
        details[several] = list(map("、".join, pieces))
    return starts, _leads(flags, kinds[starts], starts, sizes), details


def _joined(leads: np.ndarray, details: np.ndarray) -> np.ndarray:
    """``lead：details``, or the details alone where there is no lead."""
    return leads + details


def flag_sentences(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags as sentences: one per project and kind (a project's indicators in one).

    Args:
        flags: ``ScoreResult.flags``, or some of its rows (kept in their order).

    Returns:
        One row per run of one project's flags of one kind, indexed like ``flags`` (the
        project's position), with ``department``, ``project_id``, ``project``, ``kind``,
        ``severity``, ``lead`` (``未完成指标``; "" for a project kind), ``detail`` (the names,
        or a project kind's whole sentence) and ``text`` (``lead：detail``, the sentence of
        the project's ``flags`` list).

    Example:
        >>> flags = pd.DataFrame({"department": "局", "project_id": "P1", "project": "甲项目",
        ...     "indicator": ["讲座次数", "培训人次", ""], "kind": ["unmet", "unmet", "no_scorable"],
        ...     "severity": ["red", "red", "red"], "value": float("nan"),
        ...     "threshold": float("nan"), "note": ""})
        >>> flag_sentences(flags)["text"].tolist()
        ['未完成指标：讲座次数、培训人次', '无可评分指标，未计算得分']
    """
    columns = ["department", "project_id", "project", "kind", "severity"]
    if flags.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in [*columns, "lead", "detail", "text"]},
            index=flags.index[:0],
        )
    starts, leads, details = _sentences(flags)
    out = flags.iloc[starts][columns].copy()
    out["lead"] = [lead.removesuffix("：") for lead in leads.tolist()]
    out["detail"] = details
    out["text"] = _joined(leads, details)
    return out


def write_flag_items(flags: pd.DataFrame) -> list[str]:
    """The sentences of ``flags`` (see :func:`flag_sentences`), in the table's order."""
    if flags.empty:
        return []
    _, leads, details = _sentences(flags)
    return _joined(leads, details).tolist()


def write_project_flags(flags: pd.DataFrame, n_projects: int) -> list[list[str]]:
    """Per project (by position, ``flags``'s index), the sentences of its flags.

    The ``flags`` of a project in ``jixiao score --json`` and the score tables (问题提示): the
    kinds in the order of :data:`~helpers.vocabulary.FLAG_KINDS`. The scoring engine writes no
    prose; this is written only where a person will read it.
    """
    if flags.empty:
        return [[] for _ in range(n_projects)]
    starts, leads, details = _sentences(flags)
    positions = flags.index.to_numpy()[starts]
    texts = _joined(leads, details).tolist()
    in_order = len(positions) < 2 or bool((positions[1:] >= positions[:-1]).all())
    if in_order and positions[0] >= 0 and positions[-1] < n_projects:
        # The scoring engine's table comes by project: each project's sentences are one slice.
        bounds = np.searchsorted(positions, np.arange(n_projects + 1)).tolist()
        return list(map(texts.__getitem__, map(slice, bounds[:-1], bounds[1:])))
    lists: list[list[str]] = [[] for _ in range(n_projects)]
    deque(map(list.append, map(lists.__getitem__, positions.tolist()), texts), maxlen=0)
    return lists


def severity_label(severity: str) -> str:
    """高 / 中 / 提示 for ``red`` / ``amber`` / ``note``.

    Example:
        >>> severity_label("red"), severity_label("note")
        ('高', '提示')
    """
    return SEVERITIES[severity].label


def write_risk_summary(flags: pd.DataFrame) -> str:
    """The sentence that opens 附件1 风险提示: how many projects, how many of each severity.

    Example:
        >>> flags = pd.DataFrame({"project_id": ["P1", "P1", "P2"],
        ...                       "severity": ["red", "note", "note"]})
        >>> write_risk_summary(flags)
        '共 1 个项目有需要关注的风险事项（高 1 条）；另有数据质量提示 2 条，列于最后。'
        >>> write_risk_summary(flags.iloc[1:])
        '未发现需要提示的风险事项；有数据质量提示 2 条，列于最后。'
    """
    severity = flags["severity"].astype(object)
    risky = severity.isin([k for k in SEVERITY_ORDER if SEVERITIES[k].is_risk])
    n_notes = int((~risky).sum())
    notes = f"数据质量提示 {n_notes} 条，列于最后。" if n_notes else ""
    if not risky.any():
        return "未发现需要提示的风险事项" + (f"；有{notes}" if notes else "。")
    counts = "、".join(
        f"{SEVERITIES[k].label} {int((severity == k).sum())} 条"
        for k in SEVERITY_ORDER
        if SEVERITIES[k].is_risk and (severity == k).any()
    )
    n_projects = flags.loc[risky, "project_id"].nunique()
    lead = f"共 {n_projects} 个项目有需要关注的风险事项（{counts}）"
    return lead + (f"；另有{notes}" if notes else "。")


@dataclass
class FlagGroup:
    """One kind of flag in 风险提示: a heading and one item per project (``项目：详情``)."""

    heading: str
    items: list[str]
    severity: str


@dataclass
class RiskSection:
    """A subsection of 风险提示: one severity's flags, or the data-quality notes."""

    title: str
    severity: str
    intro: str = ""
    groups: list[FlagGroup] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_flag_groups(flags: pd.DataFrame) -> list[FlagGroup]:
    """The flags grouped by kind, kinds in the declared order, projects in theirs.

    Each group's heading names the kind and how many projects (and indicators) it concerns;
    each item is one project's sentence without the kind's words (``甲项目：讲座次数、培训人次``).

    Example:
        >>> flags = pd.DataFrame({"department": "局", "project_id": ["P1", "P1", "P2"],
        ...     "project": ["甲项目", "甲项目", "乙项目"], "indicator": ["讲座次数", "培训人次", "宣传"],
        ...     "kind": "unmet", "severity": "red", "value": 0.0, "threshold": 95.0, "note": ""})
        >>> [(g.heading, g.items) for g in write_flag_groups(flags)]
        [('未完成指标（2 个项目，3 项指标）', ['甲项目：讲座次数、培训人次', '乙项目：宣传'])]
    """
    sentences = flag_sentences(flags)
    if sentences.empty:
        return []
    kinds = sentences["kind"].astype(object).to_numpy()
    flag_kinds = flags["kind"].astype(object).to_numpy()
    groups = []
    for key, kind in FLAG_KINDS.items():
        rows = sentences[kinds == key]
        if rows.empty:
            continue
        count = f"{len(rows)} 个项目"
        if kind.scope == "indicator":
            count += f"，{int((flag_kinds == key).sum())} 项指标"
        lead = kind.label
        if key == "over_achieved":
            limit = flags["threshold"].to_numpy(dtype=float)[flag_kinds == key][0]
            lead = f"超额完成 {limit:g}% 以上，目标设定可能偏低"
        words = rows["text"] if key == "blank_weight" else rows["detail"]
        items = [f"{p}：{w}" for p, w in zip(rows["project"], words, strict=True)]
        groups.append(FlagGroup(f"{lead}（{count}）", items, kind.severity))
    return groups


def _level_note_group(projects: pd.DataFrame) -> list[FlagGroup]:
    """The projects whose levels handed their weight to others: one item per note, naming them.

    Most projects of a table share one such note (无可评分的效益指标 …): it is said once.
    """
    by_note: dict[str, list[str]] = {}
    for name, notes in zip(projects["name"], _column(projects, "level_notes", ()), strict=True):
        for note in notes or ():
            by_note.setdefault(note, []).append(str(name))
    if not by_note:
        return []
    n_projects = len({n for names in by_note.values() for n in names})
    items = [f"{'、'.join(names)}：{note}" for note, names in by_note.items()]
    heading = f"一级指标分值调整（{n_projects} 个项目）"
    return [FlagGroup(heading, items, SEVERITY_ORDER[-1])]


def write_risk_sections(result: ScoreResult) -> list[RiskSection]:
    """附件1 风险提示 as words: the risks by severity, then the data-quality notes.

    Risks (``red``, then ``amber``) are grouped by kind, not by project: severity belongs to the
    kind, so the list reads from the most serious down, and a reviewer checks one rule across
    all projects at a time (every unmet indicator, then every low execution rate …); each
    project's findings together are its 自评表 in 附件2. The data-quality notes (a missing
    target such as the satisfaction target most tables leave blank, a value that cannot be
    judged, weights shared out by the template) follow in a subsection of their own, with the
    levels whose weight went to the others and the data warnings.

    Returns:
        The subsections that have something to say, most serious first.
    """
    flags = result.flags
    groups = write_flag_groups(flags)
    sections = [
        RiskSection(f"{info.title}（{info.label}）", key, groups=found)
        for key, info in SEVERITIES.items()
        if info.is_risk and (found := [g for g in groups if g.severity == key])
    ]
    quality = [g for g in groups if not SEVERITIES[g.severity].is_risk]
    quality += _level_note_group(result.projects)
    data_notes = write_data_notes(result)
    if quality or data_notes:
        note = SEVERITY_ORDER[-1]
        intro = (
            "以下事项反映数据的缺漏或计分时的处理，本身不说明绩效好坏，"
            "请核对原表，能补充的予以补充。"
        )
        sections.append(RiskSection(SEVERITIES[note].title, note, intro, quality, data_notes))
    return sections


# ----------------------------------------------------------------------------- empty sections

_EMPTY_SECTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("问题",), "经对照绩效目标逐项检查，本年度未发现需要说明的问题。"),
    (("下步", "思路", "建议", "措施"), "本年度未提出需要单独说明的下步工作思路和建议。"),
    (("自评表",), "本年度无需要附列的项目支出绩效自评表。"),
    (("风险",), "本次自评未发现需要提示的风险事项。"),
    (("组织",), "本年度绩效自评的组织开展情况无需另行说明。"),
    (("进展", "成效"), "本年度无纳入绩效自评的项目支出。"),
    (("数据",), "本次自评所用数据无需要特别说明的事项。"),
)


_SECTION_KEYS = {
    "organization": "组织开展情况",
    "progress": "工作进展成效",
    "problems": "存在问题及原因",
    "next_steps": "下步工作思路和工作建议",
    "risks": "风险提示",
    "forms": "项目支出绩效自评表",
    "project_tables": "项目支出绩效自评表",
    "data": "数据",
}
"""The report's section keys (``Sections`` fields and the report code's names) → title words."""


def write_empty_section(title: str) -> str:
    """The sentence a section without content carries, by the kind of section its title names.

    ``title`` is the section's title (``三、存在问题及原因``) or its key (``problems``,
    ``next_steps``, ``progress``, ``organization``, ``risks``, ``forms``).

    Example:
        >>> write_empty_section("三、存在问题及原因")
        '经对照绩效目标逐项检查，本年度未发现需要说明的问题。'
        >>> write_empty_section("四、下步工作思路和工作建议") == write_empty_section("next_steps")
        True
        >>> write_empty_section("其他")
        '本部分暂无需要说明的内容。'
    """
    title = _SECTION_KEYS.get(title.strip(), title)
    for words, sentence in _EMPTY_SECTIONS:
        if any(word in title for word in words):
            return sentence
    return "本部分暂无需要说明的内容。"


# ----------------------------------------------------------------------------- data notes

_CJK = re.compile(r"[\u3400-\u9fff]")
_PY_WARNING = re.compile(r"\S*\.py:\d+:\s*|\b[A-Z]\w*(?:Warning|Error):\s*")
_EN_AFTER_STOP = re.compile(r"(?<=[。？！])\s*/\s")
_SLASH = re.compile(r"\s/\s")
_EN_WORD = re.compile(r"[A-Za-z]{3,}")
_CJK_TAIL = re.compile(r"（([^（）]*[\u3400-\u9fff][^（）]*)）\s*$")
_PATH = re.compile(
    r"(?:[A-Za-z]:)?(?:[\\/]|\.{1,2}[\\/]|~[\\/])?(?:[^\s\\/\[\]“”\"'：，。；、（）]+[\\/])+"
    r"([^\s\\/\[\]“”\"'：，。；、（）]+)"
)
_TERMS: tuple[tuple[str, str], ...] = (
    ("data-format.md", "数据格式说明"),
    ("department.yaml", "部门信息表"),
    ("projects.csv", "项目表"),
    ("indicators.csv", "指标表"),
    ("categories", "项目类别清单"),
)
_ENCODING = re.compile(r"不是\s*UTF-8\s*编码，已按\s*GB18030(?:（[^）]*）)?\s*读取")
_COLUMN_WORD = re.compile(r"(?<![A-Za-z_])([a-z][a-z0-9_]*[a-z0-9])(?![A-Za-z0-9_])")
_BRACKETED = re.compile(r"^\[([^\]]+)\]\s*")
_ZH = "\u3400-\u9fff，。：；、（）“”「」！？"
_SPACES = re.compile(rf"(?<=[{_ZH}])\s+(?=[{_ZH}\d])|(?<=[{_ZH}\d%])\s+(?=[{_ZH}])")
"""Spaces between Chinese text and numbers (``合计 90 万元``), not after a file name."""


def _split_english(text: str) -> tuple[str, str]:
    """A bilingual warning's Chinese part, and a Chinese remark printed after the English."""
    match = _EN_AFTER_STOP.search(text)
    if match is None:
        match = next((m for m in _SLASH.finditer(text) if _EN_WORD.search(text[m.end() :])), None)
    if match is None:
        return text, ""
    english = text[match.end() :]
    tail = _CJK_TAIL.search(english)
    return text[: match.start()], tail.group(1) if tail else ""


def _file_name(match: re.Match[str]) -> str:
    """A path as its last part; text that only looks like one (年初预算数/全年预算数) as a list."""
    whole, name = match.group(0), match.group(1)
    rooted = re.match(r"(?:[A-Za-z]:|\.{1,2}|~)?[\\/]", whole) is not None
    if rooted or re.search(r"\.[A-Za-z0-9]{1,5}$", name):
        return name
    return re.sub(r"[\\/]", "、", whole)


def _chinese_terms(text: str) -> str:
    """Known file and column names in Chinese (``列 target`` → ``“年度指标值”列``)."""
    text = _ENCODING.sub("不是通用文本编码，已按简体中文编码读取", text)
    for english, chinese in _TERMS:
        text = text.replace(english, chinese)
    text = re.sub(
        r"列\s*([a-z][a-z0-9_]*)",
        lambda m: f"“{COLUMN_LABELS_ZH.get(m.group(1), m.group(1))}”列",
        text,
    )
    return _COLUMN_WORD.sub(lambda m: COLUMN_LABELS_ZH.get(m.group(1), m.group(1)), text)


def _data_note(warning: str) -> str:
    """One warning as a Chinese note for the report, or empty when it has no Chinese part."""
    text = _PY_WARNING.sub("", str(warning)).strip()
    chinese, remark = _split_english(text)
    if not _CJK.search(chinese):
        return ""
    note = _chinese_terms(_PATH.sub(_file_name, chinese.strip()))
    note = _BRACKETED.sub(lambda m: f"{m.group(1)}：", note)
    note = _SPACES.sub("", note.replace("/", "、").replace("\\", "、")).rstrip("。 ")
    note = note.replace("：：", "：").replace("：值“", "，值“")
    if remark:
        note += f"，{remark}"
    return note if note.endswith(("？", "！")) else f"{note}。"


def write_data_notes(result: ScoreResult) -> list[str]:
    """The data warnings of ``result.warnings`` as notes a report can print.

    The warnings are bilingual (``中文 / English``) and may name files by their full path; the
    notes keep the Chinese part only, with every path reduced to the file name, jixiao's own
    file and column names in Chinese (``projects.csv`` → 项目表, ``列 target`` → “年度指标值”列),
    no Python warning text, and each note once.

    Returns:
        One plain-text note per warning that has a Chinese part, in order.
    """
    notes: list[str] = []
    for warning in getattr(result, "warnings", []) or []:
        note = _data_note(warning)
        if note and note not in notes:
            notes.append(note)
    return notes
