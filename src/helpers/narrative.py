"""The report's prose, written from data in the official structure and style.

Functions here return plain text (never HTML): escaping happens where text becomes HTML, in
:mod:`helpers.report`. The wording follows the seed report (科技局 2021 年度绩效自评工作报告):
numbers keep the precision of the data (``681.5307 万元``, ``99.97%``, ``1.5084亿元``).
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.format import format_pct, format_score, format_wan
from helpers.schema import DepartmentInfo
from helpers.scoring import STATUS_NEAR, STATUS_UNMET, ScoreResult

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


def conclude(summary: dict, indicators: pd.DataFrame) -> str:
    """The overall conclusion the results support, when the department file gives none.

    Example:
        >>> rows = pd.DataFrame({"actual": ["8个", "100%"]})
        >>> conclude({"execution_rate_pct": 99.5, "n_unmet": 0}, rows)
        '年初既定绩效目标全部完成'
        >>> conclude({"execution_rate_pct": 20.0, "n_unmet": 0}, rows)
        '预算执行率偏低，年初既定绩效目标未能如期完成'
        >>> conclude({"execution_rate_pct": 99.5, "n_unmet": 0}, pd.DataFrame({"actual": [None]}))
        '各项指标尚未填报实际完成值'
    """
    if len(indicators) and indicators["actual"].isna().all():
        return "各项指标尚未填报实际完成值"
    rate = summary.get("execution_rate_pct")
    if rate is None or rate != rate:
        return "年初既定绩效目标完成情况见下文"
    if rate < 60:
        return "预算执行率偏低，年初既定绩效目标未能如期完成"
    if rate < 90:
        return "年初既定绩效目标部分完成"
    return "年初既定绩效目标全部完成" if not summary.get("n_unmet") else "年初既定绩效目标基本完成"


def write_totals_sentence(result: ScoreResult, department: DepartmentInfo) -> str:
    """``2021年我局严格按照预算管理要求开展各项工作，全年预算安排39732万元，…``."""
    dept = result.department
    conclusion = department.sections.conclusion or conclude(dept, result.indicators)
    return (
        f"{department.fiscal_year}年{department.speaker}严格按照预算管理要求开展各项工作，全年预算安排"
        f"{format_wan(dept['budget_wan'])}万元，全年支出{format_wan(dept['spent_wan'])}万元，"
        f"预算执行率达到{format_pct(dept['execution_rate_pct'])}，{conclusion}。"
    )


def _starts_with_operator(text: str) -> bool:
    return text.startswith(_OP_WORDS)


def describe_indicator(row: pd.Series) -> str:
    """One indicator's target against its actual, in the seed's words.

    Example:
        >>> describe_indicator(pd.Series({"name": "认定获奖数量", "target": "4个", "actual": "8个"}))
        '认定获奖数量预期目标4个，实际完成8个'
        >>> describe_indicator(pd.Series({"name": "资金拨付率", "target": "不低于 90%", "actual": "99.8%"}))
        '资金拨付率预期不低于90%，实际完成99.8%'
        >>> describe_indicator(pd.Series({"name": "服务对象满意度", "target": None, "actual": "100%"}))
        '服务对象满意度达到100%'
    """
    name, target, actual = str(row["name"]), tidy(row.get("target")), tidy(row.get("actual"))
    if target:
        expected = (
            f"{name}预期{target}" if _starts_with_operator(target) else f"{name}预期目标{target}"
        )
    else:
        expected = ""
    if actual:
        if actual.startswith("实际"):
            achieved = actual
        elif re.match(r"^[\d.]", actual):
            achieved = f"实际完成{actual}" if expected else f"{name}达到{actual}"
        else:
            achieved = f"实际{actual}" if expected else f"{name}：{actual}"
    else:
        achieved = "未提供实际完成值" if expected else ""
    return "，".join(part for part in (expected, achieved) if part)


def _unmet_phrase(rows: pd.DataFrame) -> str:
    parts = [
        f"{r['name']}（目标{tidy(r['target'])}，实际{tidy(r['actual'])}）"
        for _, r in rows.iterrows()
    ]
    return "、".join(parts)


def write_project_paragraph(project: pd.Series, indicators: pd.DataFrame, number: int) -> str:
    """The numbered paragraph of one project, as in 二、工作进展成效.

    Args:
        project: one row of ``ScoreResult.projects``.
        indicators: that project's rows of ``ScoreResult.indicators``, in source order.
        number: the paragraph number within its category.

    Returns:
        The paragraph text (plain, unescaped).
    """
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
    parts = [
        f"{number}. {project['name']}。资金预算{budget}万元，包括{listed}等{len(names) + 1}项指标。"
    ]
    # The seed's order: outputs and effects, then the execution rate, then satisfaction.
    described = [describe_indicator(r) for _, r in indicators[~is_satisfaction].iterrows()]
    rate = project["execution_rate_pct"]
    rate_text = f"预算执行率达到{format_pct(rate)}" if pd.notna(rate) else "预算执行率未提供"
    if pd.notna(project.get("spent_wan")):
        rate_text = f"实际支出{format_wan(project['spent_wan'])}万元，{rate_text}"
    described.append(rate_text)
    described += [describe_indicator(r) for _, r in indicators[is_satisfaction].iterrows()]
    parts.append("；".join(d for d in described if d) + "；")
    unmet = indicators[indicators["status"] == STATUS_UNMET]
    near = indicators[indicators["status"] == STATUS_NEAR]
    if unmet.empty and near.empty:
        parts.append("预期绩效目标全部完成。")
    else:
        if not unmet.empty:
            parts.append(f"预期绩效目标中{_unmet_phrase(unmet)}未完成")
            reasons = [tidy(r) for r in unmet["deviation_reason"] if tidy(r)]
            parts.append(f"，原因是{'；'.join(dict.fromkeys(reasons))}。" if reasons else "。")
        if not near.empty:
            parts.append(f"{_unmet_phrase(near)}接近目标但未完全达到，其余目标均已完成。")
    missing = indicators[indicators["target"].isna() & indicators["actual"].isna()]
    if not missing.empty:
        parts.append(f"{'、'.join(missing['name'])}未提供目标值和完成值。")
    if pd.notna(project.get("score")):
        parts.append(f"自评得分{format_score(project['score'])}分，等级为“{project['grade']}”。")
    outcome = tidy(project.get("outcome"))
    if outcome:
        parts.append(outcome if outcome.endswith(("。", "！", "；")) else outcome + "。")
    return "".join(parts)


def write_problem_items(result: ScoreResult) -> list[str]:
    """The generated list under 三、存在问题及原因: unmet, low execution, low targets.

    Returns:
        One sentence per finding (plain text), unmet indicators first.
    """
    items: list[str] = []
    ind = result.indicators
    names = dict(zip(result.projects["project_id"], result.projects["name"], strict=True))
    for _, r in ind[ind["status"] == STATUS_UNMET].iterrows():
        reason = tidy(r["deviation_reason"])
        items.append(
            f"{names[r['project_id']]}：{r['name']}未完成，目标{tidy(r['target'])}，实际{tidy(r['actual'])}"
            + (f"，偏差原因：{reason}。" if reason else "，未说明偏差原因。")
        )
    low = result.projects[result.projects["is_low_execution"]]
    for _, p in low.iterrows():
        items.append(
            f"{p['name']}：预算执行率{format_pct(p['execution_rate_pct'])}，低于"
            f"{result.config.low_execution_pct:g}%。"
        )
    over_pct = result.config.over_achievement_pct
    for _, r in ind[ind["is_over_achieved"]].iterrows():
        items.append(
            f"{names[r['project_id']]}：{r['name']}目标{tidy(r['target'])}，实际{tidy(r['actual'])}，"
            f"完成{format_pct(r['completion_pct'], 0)}，超出目标{over_pct - 100:g}%以上，目标设定可能偏低。"
        )
    return items
