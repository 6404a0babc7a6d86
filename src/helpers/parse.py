"""Read indicator targets and actuals as analysts write them.

Targets and actual values arrive as free text (``≥20场``, ``不低于 90%``, ``2021 年 12 月前``,
``6000 余人``, ``1.5 亿元``, ``显著改善``, ``未超预算``). :func:`parse_indicator_values` turns a
whole column of them into typed fields in one vectorised pass: each distinct text is read once
by compiled regular expressions and the results are mapped back to the rows with one ``take`` per
column, so a province-scale table with many repeated phrasings costs little more than its
distinct values.

The rules, in the order they apply to one text:

- **Normalising**: full-width characters and dash / tilde look-alikes are folded, white space is
  dropped, a time of day after a date (``2022-09-30 00:00:00``, how pandas and openpyxl print a
  datetime cell) is dropped, ``百分之九十`` becomes ``90%`` and a Chinese numeral before a
  classifier or unit becomes digits (``两个``, ``十二次``, ``一万二千人次``, ``三千元``; not the
  adverb ``十分``, nor 一 and a classifier that begin a word: ``一次性通过``, ``一次办结``,
  ``一条龙``, ``一户一档``). Cells typed as numbers in Excel (``0.985``, ``50``, ``100.0``) are read as
  those plain numbers.
- **Pointers elsewhere** (``见附件3``, ``详见附表``, ``附件2``) carry no number and no date.
- **Dates** (kind ``deadline``, op ``≤``, ``deadline`` = the last day allowed or the day done):
  ``2022年9月30日``, ``2022年9月(底)(前)``, ``2022年底``, ``2022年上半年``, ``2022年第三季度``,
  ``2022年`` alone (year end), ``2022-09-30``, ``2022/9/30``, ``2022.9.30``, ``2022-09``,
  ``2022/9``; without a year (the fiscal year is assumed, or the next one after ``次年``):
  ``9月30日``, ``9月底``, ``9月前``, ``9月上旬``, ``7月``, ``第3季度``. A month is its last day.
  A bare ``2022年`` or ``7月`` is a date only when no other number follows it (``2021年完成投资
  5000万元`` is the number). A date that does not exist (``2021年13月前``, ``2月30日``) is not
  read at all: such a text is qualitative.
- **Numbers** with an operator word before (``不低于``, ``≥``, ``控制在``, ``达到`` …) or after
  (``以上``, ``及以上``, ``以下``, ``以内``, ``内``) and a unit (``万元``, ``%``, ``个``, ``分``,
  ``人次`` …). A strict operator before the number wins over a word after it, which wins over the
  weak ones (``达到``, ``为``, ``约``, ``控制在``): ``达到90%以上`` is ``≥``. ``百分比`` is ``%``.
- **Money** is in 万元: ``亿元``, ``千万元``, ``百万元``, ``千元``, ``元`` and ``人民币`` are
  converted; a bare ``亿`` or ``万`` with no unit after it (``1.5亿``, ``≤50万``) is money too.
  Before any other unit, counting words (量词: ``卷``, ``册``, ``盏``, ``剂次`` …) included,
  ``亿`` / ``万`` / ``千`` scale the number and the unit stays: ``1.2万人次`` is 12000 人次,
  ``2.5万卷`` 25000 卷, ``2万米`` 20000 米 (but ``3千米`` is 3 千米).
- **Ranges** (``3-5个``, ``3~5个``, ``5至8家``, ``3到5次``, ``80%-90%``): op ``≥`` and ``value``
  the lower bound (a range is met from its lower bound), ``value_high`` the upper bound. With an
  explicit ``≤`` / ``<`` (``3-5天以内``), and for a time span without one (``10-15个工作日``),
  op is ``≤`` and ``value`` the upper bound.
- **Zero targets in words**: ``零投诉``, ``无安全事故``, ``未发生安全事故``, ``杜绝违规`` and the
  bare ``无``, ``零``, ``没有``, ``未发生`` are the number 0 with op ``≤`` (no unit). A written 0
  without an operator is ``≤`` when its unit counts incidents (``0起``, ``0例``) or the text names
  something bad (``安全事故0次``); a plain ``0个`` stays ``=`` (the same score either way).
- **Grades** from the words: 未达成 words (``未达成``, ``未完成``, ``未达到``, ``滞后`` …, and the
  bare ``无`` / ``否``) first, then 部分达成 words (``部分``, ``基本达成``, ``基本达到``, ``一般``,
  ``较差`` …), then 达成 words (``完成``, ``形成``, ``验收通过`` …). A negation, manner words and a
  word of doing (``未按期完成``, ``没有按时完成``, ``尚未形成``, ``未通过验收``, ``无法完成``) is
  未达成, not the 达成 word it contains (but ``未超预算`` is met, and so is ``未形成安全隐患``:
  what was not formed is a bad thing). Not all of it done (``未全部完成``, ``未足额拨付``,
  ``未完全达到``) is 部分达成: some of it was. So ``无`` is the number 0 *and* 未达成: scored as a number against a
  zero target, as a grade against a qualitative one.

Nothing here raises on odd text: what fits no pattern becomes ``qualitative`` with an empty
``grade`` and ``is_parsed = False``, and the loader turns that into a warning naming the row.

:func:`infer_direction` reads whether an indicator is a reverse one (smaller is better) from its
name or from a 指标性质 / 方向 column.
"""

from __future__ import annotations

import calendar
import gc
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from helpers.arrays import factorize_objects, repeated

KIND_NUMERIC = "numeric"
KIND_DEADLINE = "deadline"
KIND_QUALITATIVE = "qualitative"
KIND_MISSING = "missing"

GRADE_MET = "达成"
GRADE_PARTIAL = "部分达成"
GRADE_UNMET = "未达成"
GRADES = (GRADE_MET, GRADE_PARTIAL, GRADE_UNMET)

PARSED_COLUMNS = (
    "kind",
    "op",
    "value",
    "unit",
    "deadline",
    "grade",
    "is_approx",
    "is_parsed",
    "value_high",
)

# Full-width and look-alike characters folded before matching.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "％": "%",
        "．": ".",
        "＞": ">",
        "＜": "<",
        "＝": "=",
        "﹦": "=",  # small and box-drawing look-alikes, as some provinces' tables print them
        "═": "=",
        "﹤": "<",
        "﹥": ">",
        "≧": "≥",
        "≦": "≤",
        "⩾": "≥",
        "⩽": "≤",
        "，": ",",
        "～": "~",
        "〜": "~",
        "－": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "／": "/",
    }
)

_GE_WORDS = (
    "大于等于|大于或等于|高于或等于|不低于|不少于|不小于|不得低于|不得少于|达到或超过|"
    "至少|最少|最低|≥|>=|=>"
)
_LE_WORDS = (
    "小于等于|小于或等于|低于或等于|未超过|未超出|没有超过|不超过|不超出|不得超过|不得高于|"
    "不高于|不大于|不多于|控制在|最多|至多|最高|≤|<=|=<"
)
_GT_WORDS = "大于|高于|超过|多于|>"
_LT_WORDS = "小于|低于|少于|<"
_EQ_WORDS = "等于|=|约为|约|达到|为"
_PREFIX = f"(?P<pre>{_GE_WORDS}|{_LE_WORDS}|{_GT_WORDS}|{_LT_WORDS}|{_EQ_WORDS})?"
_DECIMAL = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"  # ASCII digits only (not ೦ or ٣)
_NUMBER = rf"(?P<num>-?{_DECIMAL})"  # signed: 增长率 -3.5%
_APPROX_MID = "(?P<mid>余|多)?"
# Counting words (量词) read after a number, Chinese numerals included (两个, 三万卷).
_COUNT_WORDS = "个项家场次人份处件篇台套所户名条批期座位张本册卷起例辆栋间株棵头只吨亩米"
# More counting words, after digits only: after a Chinese numeral they begin words (一部分).
# Not 块 (colloquial 元), 支 / 对 / 包 / 集 / 组 (支持, 对接, 包干, 集中, 组织 follow 万 in money).
_MORE_COUNT_WORDS = "幅枚匹尾羽盏架艘宗笔首箱袋瓶盒根双副床届剂"
_UNIT_WORDS = (
    "亿元|千万元|百万元|万元|千元|元|人民币|[人剂架车户场批件台艘班]次|个百分点|百分点|百分比|%|‰|个工作日|工作日|个月|"
    "小时|分钟|平方公里|平方米|立方米|公顷|公里|千米|厘米|毫米|千克|公斤|千瓦|课时|学时|天|日|周|分|"
    f"部(?!门)|种(?![植养])|[{_COUNT_WORDS}{_MORE_COUNT_WORDS}年]?"
)
_UNIT = f"(?P<unit>{_UNIT_WORDS})"
_SUFFIX = (
    "(?P<suf>及以上|或以上|以上|及以下|或以下|以下|以内|之内|内(?=$|[完办结,;。(])|左右|余|多)?"
)
# 3-5个, 80%-90%, 5至8家, 3到5次 (the first bound may repeat the unit).
_RANGE = rf"(?:(?:[亿万千])?(?:{_UNIT_WORDS}))(?P<to>-|~|至|到)(?P<num_hi>{_DECIMAL})"
# 1.2万人次, 2.5万卷, 2万米, 1.5亿: a scale before any unit but money (万元, 亿元 are units of
# their own); 千 not before 克 / 瓦 / 米 either (千克, 千瓦, 千米 are units).
_MULT = "(?P<mult>[亿万](?![元亿万])|千(?![元亿万克瓦米]))?(?:余|多)?"

_NUMERIC_RE = _PREFIX + _NUMBER + _APPROX_MID + _MULT + _UNIT + _SUFFIX
# The same with a range; tried (anchored where _NUMERIC_RE matched) only when a text has - ~ 至 到.
_RANGE_NUMERIC_RE = _PREFIX + _NUMBER + _RANGE + _APPROX_MID + _MULT + _UNIT + _SUFFIX
_DATE_RE = (
    r"(?P<y>[0-9]{4})年(?:(?P<m>[0-9]{1,2})月(?:(?P<d>[0-9]{1,2})[日号]|(?P<xun>[上中下])旬)?|"
    r"(?P<part>上半年|下半年|年底|底|末|年内|第?[一二三四1-4]季度))?(?P<dsuf>底|末)?"
    r"(?P<before>之前|以前|前|内|止)?"
)
_MONTH_RE = (
    r"(?<![0-9])(?<![0-9]年)(?P<m2>[0-9]{1,2})月"
    r"(?:(?P<d2>[0-9]{1,2})[日号]|(?P<xun2>[上中下])旬)?(?P<dsuf2>底|末)?"
    r"(?P<before2>之前|以前|前)?"
)
# 2022-09-30, 2022/9/30, 2022.9.30, 2022-09, 2022/9 (not 2022.9: that is a number).
_NUMERIC_DATE_RE = (
    r"(?<![0-9.])(?P<ny>(?:19|20|21)[0-9][0-9])(?P<sep>[-/.])(?P<nm>[0-9]{1,2})"
    r"(?:(?P=sep)(?P<nd>[0-9]{1,2}))?"
    r"(?![0-9.%‰亿万千元个项家场次人份处件篇台套所户名条批期座位张本册分起例])"
)
_QUARTER_ONLY_RE = r"(?<![年0-9])第?(?P<q>[一二三四1-4])季度"
_DURATION_UNITS = {"天", "日", "个工作日", "工作日", "个月", "小时", "周", "分钟"}

_PARTIAL_RE = (
    "部分达成|部分完成|部分实现|部分达到|基本达成|基本完成|基本实现|基本达到|基本符合|基本满足|"
    "基本按时|基本到位|基本健全|基本合规|基本及时|有所|一般|较差"
)
_UNMET_RE = (
    "未达成|未完成|未实现|未达到|未达|未能|没有完成|没有达到|未按时|不合规|不及时|不健全|不显著|"
    "无明显|不明显|不通过|滞后|延迟|下降|恶化|^否$|^无$|^未$"
)
_MET_RE = (
    "达成|完成|实现|达到|显著|明显|合规|及时|健全|完善|未超|没超|不超|提高|提升|改善|增强|缩短|"
    "降低|有效|良好|较好|优|满意|^是$|按时|正向|积极|形成|发挥|保障|确保|^通过$|已通过|均通过|"
    "全部通过|顺利通过|一次性通过|一次通过|验收通过|通过验收|审核通过|通过审核|评审通过|通过评审|审计通过|"
    "通过审计|考核通过|通过考核|检查通过|通过检查|评估通过|通过评估"
)
# A cell that points elsewhere holds no number of its own (见附件3, 详见附表).
_ELSEWHERE_RE = "附件|附表|详见|见附|附后|另附|见下表|见表"
# Zero targets written as words: 零投诉, 无安全事故, 未发生安全事故, and 无 / 零 / 没有 alone.
_BAD_THINGS = (
    "事故|投诉|违规|违纪|违法|差错|失误|事件|案件|纠纷|伤亡|死亡|上访|信访|隐患|损失|污染|火灾|"
    "缺陷|问题|舆情|返工|浪费|挪用|截留|超支|超标|超预算|不良|负面|风险|故障|拖欠|欠薪|冒领|套取|"
    "延误|逾期"
)
# Negated doing (未按期完成, 没有按时完成, 尚未形成, 暂未形成, 未通过验收): a negation, manner
# words (按期, 如期, 能 …) and a word of doing or a 达成 word is 未达成. Not 未超 (未超预算 is
# met), not 不 alone (不断完善 is met), not 形成 or 明显 of a bad thing (未形成安全隐患 and
# 未见明显问题 are met).
_NEGATION_WORDS = "未|没有|没能|没|无法|不能"
_MANNER_WORDS = (
    "能够|能|曾|按期|按时|如期|及时|按计划|按要求|按进度|按规定|按合同|正式|顺利|真正|有效|得到|"
    "得以|予以|进行|取得|见到|见|明显|显著"
)
_ALL_WORDS = "全部|全面|完全|全额|足额|如数"
_DONE_WORDS = (
    "完成|达成|达到|达标|实现|建成|建立|出台|制定|印发|到位|落实|通过|验收|开工|竣工|投用|"
    "投入使用|兑现|拨付|支付|发放|覆盖|办结|完善|健全|满足|符合|提高|提升|改善|增强|发挥|开展|"
    f"启动|实施|执行|使用|解决|整改|处置|及时|按时|按期|如期|按计划|成效|"
    f"(?:有效|明显|显著|形成)(?![^,;，；。]*?(?:{_BAD_THINGS}))"
)
_NEGATED_DONE_RE = f"(?:{_NEGATION_WORDS})(?:{_MANNER_WORDS})*(?:{_DONE_WORDS})"
# Not all of it done (未全部完成, 未能全部到位, 未足额拨付) is 部分达成: some of it was done.
_NOT_ALL_DONE_RE = (
    f"(?:{_NEGATION_WORDS})(?:{_MANNER_WORDS})*(?:{_ALL_WORDS})"
    f"(?:{_MANNER_WORDS})*(?:{_DONE_WORDS})"
)
# Not a negated doing: 没有完成问题整改 is 未达成, no zero (but 无有效投诉 is one).
_ZERO_WORDS_RE = (
    r"^(?:确保|保证|实现|做到|力争|全年)?(?:零|无|没有|未发生|未出现|杜绝)"
    r"(?:[。.!！]*$|(?!法|需|关|论|效|明显|(?:能|按期|按时|如期|及时)?"
    r"(?:完成|达成|达到|实现|落实|到位|通过|形成|建成|开展))"
    rf"[^,;，；。]*?(?:{_BAD_THINGS}))"
)
_ZERO_FIRST_CHARS = frozenset("确保实做力全零无没未杜")
_INCIDENT_UNITS = frozenset(["起", "例"])
_NEXT_YEAR_RE = "次年|翌年|明年|下一年|下年度"

_OP_BY_WORD: dict[str, str] = {}
for _words, _op in (
    (_GE_WORDS, "≥"),
    (_LE_WORDS, "≤"),
    (_GT_WORDS, ">"),
    (_LT_WORDS, "<"),
    (_EQ_WORDS, "="),
):
    for _w in _words.split("|"):
        _OP_BY_WORD[_w] = _op
# Words that name no bound of their own: a word after the number (以上, 以内) decides instead.
_WEAK_PREFIXES = frozenset([*_EQ_WORDS.split("|"), "控制在"])
_STRONG_OP = {w: op for w, op in _OP_BY_WORD.items() if w not in _WEAK_PREFIXES}
_WEAK_OP = {w: op for w, op in _OP_BY_WORD.items() if w in _WEAK_PREFIXES}
_ZERO_NUMBERS = frozenset(["0", "-0", "0.0", "0.00", "-0.0"])

_UNIT_SCALE = {
    "亿元": ("万元", 10000.0),
    "千万元": ("万元", 1000.0),
    "百万元": ("万元", 100.0),
    "千元": ("万元", 0.1),
    "元": ("万元", 0.0001),
    "人民币": ("万元", 0.0001),  # 2万人民币
    "百分比": ("%", 1.0),
}
_MULT_SCALE = {"亿": 1e8, "万": 1e4, "千": 1e3}
_QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_XUN_DAY = {"上": "10", "中": "20", "下": None}  # 下旬: the month's last day

# The value of each Chinese numeral character on its own.
_CN_DIGITS = {
    "零": "0",
    "〇": "0",
    "一": "1",
    "两": "2",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "十": "10",
}
_CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_CN_SECTIONS = {"万": 10**4, "亿": 10**8}
_CN_NUMERAL = "[一两二三四五六七八九十零〇][零〇一两二三四五六七八九十百千万亿]*"
# A Chinese numeral before a classifier or unit: 两个, 十二次, 一万二千人次, 三千元, 十二月前.
_CN_COUNT_RE = re.compile(f"({_CN_NUMERAL})(?=[{_COUNT_WORDS}元天日周月分倍]|小时|公里)")
# After 一 and a classifier, what makes them a word: an adjective or adverb ending (一次性, 一件式),
# a verb after 一次 ("in one go": 一次通过, 一次办结), a fixed word, or a second 一 (一户一档).
_ONE_WORD_MATCH = re.compile(
    "[^,;，；。](?:性|式|化)|次(?:通过|到位|办|成功|完成|告知)|条龙|件事|张网|张图|张表|本账|本通|"
    "把手|[^,;，；。0-9]一"
).match
_PER_CENT_RE = re.compile(rf"百分之({_CN_NUMERAL}|[0-9]+(?:\.[0-9]+)?|百)")
_TIME_OF_DAY_RE = re.compile(r"(?<=[0-9])(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (also as a decorator).

    Building hundreds of thousands of small tuples and lists, none of them cyclic, otherwise
    triggers repeated full collections that cost more than the work itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _literal_first_chars(pattern: str) -> frozenset[str] | None:
    """The first characters of an alternation of plain words (``^word$`` allowed), else None.

    A text can only match such a pattern if it contains one of these characters, so a search for
    any of them (one character class) can skip the full search without changing its result.
    """
    firsts = set()
    for word in pattern.split("|"):
        bare = word.removeprefix("^").removesuffix("$")
        if not bare or re.escape(bare) != bare:
            return None
        firsts.add(bare[0])
    return frozenset(firsts)


def _cn_close_section(char: str, below: int, yi: int, wan: int) -> tuple[int, int] | None:
    """The parts before 亿 and before 万 once ``char`` (万 or 亿) closes ``below``, else None."""
    if below == 0:
        return None  # 万 without a number before it
    if char == "万":
        if wan:
            return None  # 一万二万
        return yi, below * 10**4
    return (yi + wan + below) * 10**8, 0


def cn_numeral_value(numeral: str) -> int | None:
    """The integer a Chinese numeral writes, or None when it is not a well-formed one.

    Example:
        >>> [cn_numeral_value(s) for s in ["两", "十", "十二", "二十", "一百零五", "一万二千", "三四"]]
        [2, 10, 12, 20, 105, 12000, None]
        >>> cn_numeral_value("一亿五千万")
        150000000
    """
    if not numeral:
        return None
    yi = wan = section = 0  # the parts before 亿, before 万 and below 万
    digit: int | None = None
    last_multiplier = 10**4
    for char in numeral:
        if char in _CN_MULTIPLIERS:
            multiplier = _CN_MULTIPLIERS[char]
            if multiplier >= last_multiplier:
                return None  # 十百
            section += (1 if digit is None else digit) * multiplier
            digit, last_multiplier = None, multiplier
        elif char in _CN_SECTIONS:
            parts = _cn_close_section(char, section + (digit or 0), yi, wan)
            if parts is None:
                return None
            yi, wan = parts
            section, digit, last_multiplier = 0, None, 10**4
        elif char in _CN_DIGITS:
            if digit:
                return None  # 三四: two digits in a row
            digit = int(_CN_DIGITS[char])
        else:
            return None
    return yi + wan + section + (digit or 0)


def _is_word_not_count(match: re.Match[str]) -> bool:
    """Whether 一 and the classifier after it begin a word rather than count one thing.

    ``一次性通过`` ("in one go"), ``一条龙``, ``一件事``; ``一户一档`` and ``一户一册`` ("one
    per"): left as words, so they are no number.
    """
    start, end, text = match.start(), match.end(), match.string
    return _ONE_WORD_MATCH(text, end) is not None or (start >= 2 and text[start - 2] == "一")


def _cn_digit(match: re.Match[str]) -> str:
    """A Chinese numeral before a classifier as digits (the longest well-formed tail of it)."""
    numeral = match.group(1)
    if numeral == "十" and match.string.startswith("分", match.end()):
        return numeral  # 十分满意: "very", not ten points
    if numeral == "一" and _is_word_not_count(match):
        return numeral
    # A well-formed numeral is short: look at the tail of a long run only (一一…一个).
    for start in range(max(len(numeral) - 24, 0), len(numeral)):
        value = cn_numeral_value(numeral[start:])
        if value is not None:
            return numeral[:start] + str(value)
    return numeral


def _per_cent(match: re.Match[str]) -> str:
    """百分之九十 → 90%, 百分之百 → 100%."""
    number = match.group(1)
    if number == "百":
        number = "100"
    elif not number[0].isdigit():
        value = cn_numeral_value(number)
        if value is None:
            return match.group(0)
        number = str(value)
    return number + "%"


_WHITESPACE_RE = re.compile(r"\s+")
# Text with none of these characters is already normal (str.translate is slow on CJK text).
_NEEDS_NORMALIZING_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in _FOLD) + r"\s:" + "".join(_CN_DIGITS) + "百" + "]"
)


def _number_text(value: object) -> str:
    """A cell typed as a number in Excel, as plain decimal text (``100.0`` → ``100``)."""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number):
            return np.format_float_positional(number, trim="-")
    return str(value)


def _normalize_one(text: object) -> str | None:
    folded = text if type(text) is str else _number_text(text)
    if _NEEDS_NORMALIZING_RE.search(folded):
        if ":" in folded:
            folded = _TIME_OF_DAY_RE.sub("", folded)
        folded = _WHITESPACE_RE.sub("", folded.translate(_FOLD))
        if "百分之" in folded:
            folded = _PER_CENT_RE.sub(_per_cent, folded)
        folded = _CN_COUNT_RE.sub(_cn_digit, folded)
    return folded or None


def normalize_text(texts: pd.Series) -> pd.Series:
    """Fold full-width characters, drop white space and read Chinese numerals before a classifier.

    Example:
        >>> normalize_text(pd.Series(["不低于 90％", " 2021 年 12 月前", "举办一场", "十二次", None])).tolist()
        ['不低于90%', '2021年12月前', '举办1场', '12次', nan]
    """
    s = pd.Series(texts, dtype="object").map(_normalize_one, na_action="ignore")
    return s.where(s.notna(), np.nan)


def _month_end(years: pd.Series, months: pd.Series, days: pd.Series) -> pd.Series:
    """Dates from year/month/day columns; a missing day means the month's last day.

    A date that does not exist (month 13, 2月30日, a year outside 1900–2200) is NaT. Calendar
    arithmetic on numpy months and days (``pd.to_datetime`` of a year/month/day frame costs
    milliseconds for a handful of dates).

    Example:
        >>> [str(d.date()) if d == d else "NaT" for d in _month_end(
        ...     pd.Series([2022, 2024, 2021, 2021, 1800]), pd.Series([2, 2, 2, 13, 1]),
        ...     pd.Series([None, None, 30, None, 1]))]
        ['2022-02-28', '2024-02-29', 'NaT', 'NaT', 'NaT']
    """
    y = pd.to_numeric(years, errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(months, errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(days, errors="coerce").to_numpy(dtype=float)
    # Years outside what datetime64[ns] holds (0000年, 9999年) are typos, not deadlines.
    with np.errstate(invalid="ignore"):
        ok = (y >= 1900) & (y <= 2200) & (m >= 1) & (m <= 12) & (np.isnan(d) | (d >= 1))
    out = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[ns]")
    if ok.any():
        month = ((y[ok] - 1970) * 12 + (m[ok] - 1)).astype(np.int64).astype("datetime64[M]")
        first = month.astype("datetime64[D]")
        last = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
        day = d[ok]
        has_day = ~np.isnan(day)
        with_day = first + np.where(has_day, day - 1, 0).astype(np.int64).astype("timedelta64[D]")
        chosen = np.where(has_day, with_day, last)
        # 2月30日 does not exist
        out[ok] = np.where(chosen <= last, chosen, np.datetime64("NaT")).astype("datetime64[ns]")
    return pd.Series(out, index=years.index)


_APPROX_RE = "余|约|多(?!于)|左右|以上|近"  # 多于 is an operator (>), not an approximation
_DATE_PATTERN = re.compile(_DATE_RE)
_MONTH_PATTERN = re.compile(_MONTH_RE)
_NUMERIC_DATE_PATTERN = re.compile(_NUMERIC_DATE_RE)
_QUARTER_ONLY_PATTERN = re.compile(_QUARTER_ONLY_RE)
_NUMERIC_PATTERN = re.compile(_NUMERIC_RE)
_RANGE_NUMERIC_MATCH = re.compile(_RANGE_NUMERIC_RE).match
_QUARTER_PATTERN = re.compile(r"([一二三四1-4])季度")
_YEAR_END_PARTS = frozenset(["年底", "底", "末", "年内", "下半年"])
_DIGIT_SEARCH = re.compile(r"[0-9]").search
# Every pointer elsewhere, date (but 2022.9.30) and range has one of these characters.
_RARE_CHAR_SEARCH = re.compile("[附详年月季/~至到-]").search
_NEXT_YEAR_SEARCH = re.compile(_NEXT_YEAR_RE).search
_ELSEWHERE_SEARCH = re.compile(_ELSEWHERE_RE).search
_ZERO_WORDS_MATCH = re.compile(_ZERO_WORDS_RE).match
_BAD_THINGS_SEARCH = re.compile(_BAD_THINGS).search


def _word_search(pattern: str) -> Callable[[str], bool]:
    """``search`` for an alternation of words, skipping texts with none of their first characters."""
    search = re.compile(pattern).search
    firsts = _literal_first_chars(pattern)
    if firsts is None:
        return lambda text: search(text) is not None
    hint = re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]").search
    return lambda text: hint(text) is not None and search(text) is not None


_HAS_APPROX = _word_search(_APPROX_RE)
_HAS_PARTIAL = _word_search(_PARTIAL_RE)
_HAS_UNMET = _word_search(_UNMET_RE)
_HAS_MET = _word_search(_MET_RE)
_HAS_NEGATION = _word_search(_NEGATION_WORDS)
_NEGATED_DONE_SEARCH = re.compile(_NEGATED_DONE_RE).search
_NOT_ALL_DONE_SUBN = re.compile(_NOT_ALL_DONE_RE).subn
_WORD_PATTERNS = (_APPROX_RE, _PARTIAL_RE, _UNMET_RE, _MET_RE, _NEGATION_WORDS)


def _is_unmet(text: str) -> bool:
    """Whether the words of a text say 未达成 (未完成, 滞后, 未按期完成, 尚未形成 …)."""
    return _HAS_UNMET(text) or (_HAS_NEGATION(text) and _NEGATED_DONE_SEARCH(text) is not None)


def _grade_of(text: str) -> str | None:
    """The grade the words of a text give, None when they give none.

    未达成 words first, then 部分达成 words, then 达成 words. Not all of it done (``未全部完成``)
    is 部分达成 unless the rest of the text says 未达成 too.
    """
    if _HAS_NEGATION(text):
        rest, not_all = _NOT_ALL_DONE_SUBN(",", text)
        if not_all:
            return GRADE_UNMET if _is_unmet(rest) else GRADE_PARTIAL
    if _is_unmet(text):
        return GRADE_UNMET
    if _HAS_PARTIAL(text):
        return GRADE_PARTIAL
    return GRADE_MET if _HAS_MET(text) else None


def _any_first_char_search(patterns: tuple[str, ...]) -> Callable[[str], object]:
    """A search for any first character of the words of ``patterns`` (always true if unknown)."""
    chars: set[str] = set()
    for pattern in patterns:
        firsts = _literal_first_chars(pattern)
        if firsts is None:
            return lambda text: True
        chars |= firsts
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]").search


# A text with none of the words' first characters has none of the four flags (most numbers).
_MAY_HAVE_WORDS = _any_first_char_search(_WORD_PATTERNS)


# None as an array, for elementwise ``is not None`` tests of object arrays with np.not_equal.
_NONE = np.array(None, dtype=object)

_SUFFIX_OP = {
    "以上": "≥",
    "及以上": "≥",
    "或以上": "≥",
    "以下": "≤",
    "及以下": "≤",
    "或以下": "≤",
    "以内": "≤",
    "之内": "≤",
    "内": "≤",
}
# The groups pre, num, mult, unit and suf out of Match.groups() (quicker than by name).
_NUMBER_PARTS = itemgetter(
    *(_NUMERIC_PATTERN.groupindex[g] - 1 for g in ("pre", "num", "mult", "unit", "suf"))
)
_RANGE_PARTS = itemgetter(
    *(
        re.compile(_RANGE_NUMERIC_RE).groupindex[g] - 1
        for g in ("pre", "num", "num_hi", "mult", "unit", "suf")
    )
)


_DateScan = tuple[object, object, object, int]


def _scan_date(text: str, fiscal_year: int | None) -> _DateScan:
    """Year, month and day of the date in a text (month None: no date).

    The last item is where to look for a number instead when a bare ``2021年`` / ``7月`` is
    followed by one (else 0).
    """
    assumed: int | None
    # Every _DATE_RE match contains 年, every _MONTH_RE match 月: skip the others.
    if "年" in text and (date := _DATE_PATTERN.search(text)) is not None:
        found = _scan_year_date(text, date)
        if found is not None:
            return found
        rest, assumed = date.end(), int(date.group("y"))  # 2021年，3月前: that year's March
    else:
        rest, assumed = 0, fiscal_year
    if ("-" in text or "/" in text or text.count(".") > 1) and (
        numeric := _NUMERIC_DATE_PATTERN.search(text)
    ) is not None:
        year, sep, month, day = numeric.group("ny", "sep", "nm", "nd")
        if day is not None or sep != ".":
            return year, month, day, 0
    return _scan_month_date(text, rest, assumed)


def _scan_year_date(text: str, date: re.Match[str]) -> _DateScan | None:
    """The date a :data:`_DATE_RE` match writes, or None when it is a bare year before a number."""
    year, month, day, xun, part = date.group("y", "m", "d", "xun", "part")
    if month is not None:
        return year, month, (_XUN_DAY[xun] if xun else day), 0
    if part in _YEAR_END_PARTS:
        return year, "12", None, 0
    if part == "上半年":
        return year, "6", None, 0
    if part and (quarter := _QUARTER_PATTERN.search(part)):
        return year, _QUARTER_END[quarter.group(1)], None, 0
    if _DIGIT_SEARCH(text, date.end()) is None:
        return year, "12", None, 0  # 2022年, 2022年度: the year's end
    return None


def _scan_month_date(text: str, rest: int, assumed: int | None) -> _DateScan:
    """A date without a year (``9月30日``, ``7月``, ``第3季度``) from ``rest`` on, in ``assumed``."""
    if "月" in text and (bare := _MONTH_PATTERN.search(text, rest)) is not None:
        month, day, xun, end_word, before = bare.group("m2", "d2", "xun2", "dsuf2", "before2")
        if day or xun or end_word or before or _DIGIT_SEARCH(text, bare.end()) is None:
            if assumed is not None and rest == 0 and _NEXT_YEAR_SEARCH(text, 0, bare.start()):
                assumed += 1
            return assumed, month, (_XUN_DAY[xun] if xun else day), 0
        return None, None, None, bare.end()
    if "季度" in text and (quarter := _QUARTER_ONLY_PATTERN.search(text, rest)) is not None:
        if assumed is not None and rest == 0 and _NEXT_YEAR_SEARCH(text, 0, quarter.start()):
            assumed += 1
        return assumed, _QUARTER_END[quarter.group("q")], None, 0
    return None, None, None, rest


def _scan_text(text: str, fiscal_year: int | None) -> tuple[object, ...]:
    """The regex groups of one normalised text, read as the whole-column rules read them.

    Returns year, month and day of a date (month None when there is none); the number and the
    upper bound of a range (None when there is none), its normalised unit (NaN when empty), scale
    and operator; ``is_approx``; the grade the words give.
    """
    year = month = day = number = high = unit = op = None
    scale = 1.0
    # Most texts are plain numbers or words: one search rules out pointers, dates and ranges.
    rare = _RARE_CHAR_SEARCH(text) is not None
    if rare and ("附" in text or "详见" in text) and _ELSEWHERE_SEARCH(text):
        num = None  # 见附件3: the number is the attachment's
    else:
        if rare or text.count(".") > 1:
            year, month, day, rest = _scan_date(text, fiscal_year)
        else:
            rest = 0
        num = None if month is not None else _NUMERIC_PATTERN.search(text, rest)
        if (
            num is None
            and month is None
            and text[0] in _ZERO_FIRST_CHARS
            and _ZERO_WORDS_MATCH(text) is not None
        ):
            number, op = "0", "≤"  # 零投诉, 无安全事故, 无
    if num is not None:
        number, high, unit, scale, op = _read_number(text, num, rare)
    is_approx, grade = _words_of(text)
    return year, month, day, number, high, unit, scale, op, is_approx, grade


def _words_of(text: str) -> tuple[bool, str | None]:
    """``is_approx`` and the grade the words of a text give."""
    if _MAY_HAVE_WORDS(text):
        return _HAS_APPROX(text), _grade_of(text)
    return False, None


def _read_number(
    text: str, num: re.Match[str], rare: bool
) -> tuple[str, str | None, object, float, str]:
    """Number, range upper bound, normalised unit, scale and operator of a numeric match."""
    high: str | None = None
    if rare and (ranged := _RANGE_NUMERIC_MATCH(text, num.start())) is not None:
        pre, number, high, mult, unit, suffix = _RANGE_PARTS(ranged.groups())
    else:
        pre, number, mult, unit, suffix = _NUMBER_PARTS(num.groups())
    number = number.replace(",", "")
    unit, scale = _unit_and_scale(unit, mult)
    op = _op_of(pre, suffix)
    if high is not None:
        high = high.replace(",", "")
        if op == "=":
            # Met from the lower bound; a time span (10-15个工作日) is at most its upper one.
            op = "≤" if unit in _DURATION_UNITS else "≥"
        if op in ("≤", "<"):
            number = high
    elif number in _ZERO_NUMBERS and _is_zero_bound(op, pre, unit, text):
        op = "≤"  # 0起, 安全事故0次
    return number, high, unit, scale, op


def _unit_and_scale(unit: str | None, mult: str | None) -> tuple[object, float]:
    """The normalised unit (NaN when none) and the factor into it, of a unit and a 万 / 亿 / 千."""
    unit, scale = _UNIT_SCALE.get(unit, (unit or np.nan, 1.0))  # type: ignore[arg-type]
    if mult is not None:
        if unit is np.nan and mult != "千":
            unit, scale = "万元", _MULT_SCALE[mult] / 1e4  # 1.5亿: money
        else:
            scale *= _MULT_SCALE[mult]
    return unit, scale


def _op_of(pre: str | None, suffix: str | None) -> str:
    """The operator of the words before and after a number."""
    return _STRONG_OP.get(pre) or _SUFFIX_OP.get(suffix) or _WEAK_OP.get(pre, "=")  # type: ignore[arg-type]


def _is_zero_bound(op: str, pre: str | None, unit: object, text: str) -> bool:
    """Whether a written 0 without an operator is ``≤`` (``0起``, ``安全事故0次``)."""
    return (
        op == "="
        and pre is None
        and (unit in _INCIDENT_UNITS or _BAD_THINGS_SEARCH(text) is not None)
    )


# ASCII digits 1–9 as 0 in UTF-8 (where no other character has a byte below 0x80 but ASCII).
_ZEROED_DIGITS = bytes.maketrans(b"123456789", b"000000000")

_ShapeReading = tuple[int, int, object, float, str, str, bool, str | None]
"""What a plain number's text says but its digits: the number's span, unit, scale, operator
(and the operator when the number is 0), ``is_approx`` and grade."""


def _read_shape(shape: str) -> _ShapeReading | None:
    """The reading of a plain number's text with every digit 0 (None: no number in it)."""
    num = _NUMERIC_PATTERN.search(shape)
    if num is None:
        return None
    pre, _, mult, unit, suffix = _NUMBER_PARTS(num.groups())
    unit, scale = _unit_and_scale(unit, mult)
    op = _op_of(pre, suffix)
    zero_op = "≤" if _is_zero_bound(op, pre, unit, shape) else op
    start, end = num.span("num")
    return (start, end, unit, scale, op, zero_op, *_words_of(shape))


def _scan_columns(texts: list[str], fiscal_year: int | None) -> list[np.ndarray]:
    """The ten values of :func:`_scan_text` for each text, as ten object columns.

    Texts that differ only in their digits are read once. A text with no pointer, date or
    range character (and at most one ``.``) is read by :data:`_NUMERIC_PATTERN` and the word
    patterns alone, none of which tells one digit from another (every character class holds
    all ten digits or none): such texts with the same characters but their digits share one
    reading (:func:`_read_shape`), and only the number (its span) and whether it is 0 (``0起``
    is ``≤``) are their own. The other texts are read by :func:`_scan_text`.
    """
    n = len(texts)
    shapes: dict[bytes, int] = {}  # shape → its reading's position (-1: read each text)
    readings: list[_ShapeReading] = []
    codes: list[int] = []
    numbers: list[str | None] = []
    for text in texts:
        code = -1
        if _RARE_CHAR_SEARCH(text) is None and text.count(".") <= 1:
            key = text.encode("utf-8", "surrogatepass").translate(_ZEROED_DIGITS)
            code = shapes.get(key, -2)
            if code == -2:
                reading = _read_shape(key.decode("utf-8", "surrogatepass"))
                code = shapes[key] = -1 if reading is None else len(readings)
                if reading is not None:
                    readings.append(reading)
        codes.append(code)
        numbers.append(None if code < 0 else text[readings[code][0] : readings[code][1]])
    at = np.array(codes, dtype=np.intp)
    number = np.array(numbers, dtype=object)
    fast = np.flatnonzero(at >= 0)
    number[fast] = [t.replace(",", "") for t in number[fast].tolist()]
    # Per shape (and a last entry for the texts read one by one): unit … grade.
    fields = [np.array([*col, None], dtype=object) for col in zip(*readings, strict=True)]
    if not readings:
        fields = [np.array([None], dtype=object)] * 8
    _, _, unit, scale, op, zero_op, approx, grade = (field[at] for field in fields)
    is_zero = pd.Series(number).isin(_ZERO_NUMBERS).to_numpy()
    op = np.where(is_zero, zero_op, op)
    none = repeated(None, n)
    columns = [none, none.copy(), none.copy(), number, none.copy(), unit, scale, op, approx, grade]
    direct = np.flatnonzero(at < 0)
    if len(direct):
        scans = [_scan_text(texts[i], fiscal_year) for i in direct.tolist()]
        for column, values in zip(columns, zip(*scans, strict=True), strict=True):
            column[direct] = _objects(values)
    return columns


def _objects(values: tuple[object, ...]) -> np.ndarray:
    """A tuple of values as a 1-d object array (tuples and lists inside stay whole)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


_NUMBER_KINDS = np.array([KIND_NUMERIC, KIND_DEADLINE], dtype=object)  # by is_duration


def _parse_unique(texts: pd.Series, fiscal_year: int | None) -> pd.DataFrame:
    """Parse a Series of distinct, normalised, non-missing texts."""
    n = len(texts)
    # One pass of compiled regexes over the distinct texts; all the rest is whole-column.
    year, month, day, number, high, unit, scale, op, approx, grade = _MEMO.scan(
        texts.tolist(), fiscal_year
    )

    # 1. Calendar dates: 2021年12月前, 2022年底之前, 2021年上半年, 12月前, 2022-09-30, 7月.
    deadline = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    is_dated = np.not_equal(month, _NONE)  # only these can have a deadline
    dated = np.flatnonzero(is_dated)
    if len(dated):
        deadline[dated] = _month_end(
            pd.Series(year[dated], dtype=object),
            pd.Series(month[dated], dtype=object),
            pd.Series(day[dated], dtype=object),
        ).to_numpy()
    is_deadline = ~np.isnat(deadline)

    # 2. Numbers with operator words and units (also durations such as 不超过360天); a text
    # that looked like a date but is none (2021年13月前, 2月30日) has no number either.
    numbers = pd.Series(number, index=texts.index, dtype="str")
    has_num = numbers.notna().to_numpy() & ~is_dated
    scales = scale.astype(float)
    value = pd.to_numeric(numbers, errors="coerce").to_numpy(float) * scales
    has_high = np.not_equal(high, _NONE)
    highs = np.full(n, np.nan)
    if has_high.any():
        highs[has_high] = high[has_high].astype(float) * scales[has_high]
    is_duration = has_num & np.array([u in _DURATION_UNITS for u in unit.tolist()], dtype=bool)
    kind = repeated(KIND_QUALITATIVE, n)
    kind[is_deadline] = KIND_DEADLINE
    kind[has_num] = _NUMBER_KINDS[is_duration[has_num].astype(np.intp)]
    out_op = np.full(n, None, dtype=object)
    out_op[is_deadline] = "≤"
    out_op[has_num] = op[has_num]
    out_unit = np.full(n, None, dtype=object)
    out_unit[has_num] = unit[has_num]

    # 3. Grades, from the words of the text (used for qualitative and deadline rows).
    out = pd.DataFrame(
        {
            "kind": kind,
            "op": pd.Series(out_op, index=texts.index, dtype=object),
            "value": np.where(has_num, value, np.nan),
            "unit": pd.Series(out_unit, index=texts.index, dtype=object),
            "deadline": pd.Series(deadline, index=texts.index),
            "grade": grade,
            "is_approx": approx.astype(bool),
        },
        index=texts.index,
    )
    out["is_parsed"] = out["kind"].ne(KIND_QUALITATIVE) | out["grade"].notna()
    out["value_high"] = np.where(has_num, highs, np.nan)
    return out


class _ScanMemo:
    """Regex readings of distinct texts kept for a batch (a year of departments repeats them).

    Off by default: :func:`remembering_parses` turns it on for a block (the year scoring of
    :mod:`helpers.year`, and its worker processes for their life). What is kept is the reading
    of :func:`_scan_columns` (the regex passes, the costly part), per fiscal year and text; the
    rest of the parse runs as always, so a remembered parse is the parse, dtypes included.
    """

    limit = 200_000  # texts per year; beyond that texts are read but not kept

    def __init__(self) -> None:
        self.is_on = False
        self.years: dict[int | None, dict[str, tuple[object, ...]]] = {}

    def scan(self, texts: list[str], fiscal_year: int | None) -> list[np.ndarray]:
        """:func:`_scan_columns` of ``texts``, from memory where it can."""
        if not self.is_on or not texts:
            return _scan_columns(texts, fiscal_year)
        known = self.years.setdefault(fiscal_year, {})
        new = [text for text in dict.fromkeys(texts) if text not in known]
        if new:
            if len(known) + len(new) > self.limit:
                return _scan_columns(texts, fiscal_year)
            columns = _scan_columns(new, fiscal_year)
            known.update(zip(new, zip(*(c.tolist() for c in columns), strict=True), strict=True))
        readings = list(map(known.__getitem__, texts))
        out = []
        for values in zip(*readings, strict=True):
            column = np.empty(len(texts), dtype=object)
            column[:] = values
            out.append(column)
        return out


_MEMO = _ScanMemo()


@contextmanager
def remembering_parses() -> Iterator[None]:
    """Within the block, each distinct text is read once per fiscal year and then remembered.

    For batches: a district's departments write the same targets (``≥95%``, ``按时完成``)
    over and over. Nested blocks share the memory; it is forgotten when the outermost ends.

    Example:
        >>> with remembering_parses():
        ...     first = parse_indicator_values(pd.Series(["≥3次", "100%"]), 2021)
        ...     again = parse_indicator_values(pd.Series(["100%", "达成"]), 2021)
        >>> again["value"].tolist()[0], again["grade"].tolist()[1]
        (100.0, '达成')
    """
    was_on = _MEMO.is_on
    _MEMO.is_on = True
    try:
        yield
    finally:
        if not was_on:
            _MEMO.is_on = False
            _MEMO.years.clear()


# Values of a row whose text is missing.
_MISSING_ROW = {
    "kind": KIND_MISSING,
    "op": None,
    "value": np.nan,
    "unit": None,
    "deadline": pd.NaT,
    "grade": None,
    "is_approx": False,
    "is_parsed": True,
    "value_high": np.nan,
}


@_gc_paused()
def parse_indicator_values(texts: pd.Series, fiscal_year: int | None = None) -> pd.DataFrame:
    """Parse written target or actual values into operator, number, unit, deadline and grade.

    Args:
        texts: the written values, one per indicator row (missing values allowed; numbers typed
            as numbers, ``0.985`` or ``100.0``, are read as those numbers).
        fiscal_year: the year to assume for dates written without one (``12月前``, ``7月``).

    Returns:
        A DataFrame on the same index with the columns ``kind`` (``numeric``, ``deadline``,
        ``qualitative`` or ``missing``), ``op`` (``≥ > ≤ < =``), ``value`` (float, in the
        normalised unit: 亿元 and 元 become 万元; a range's lower bound), ``unit``, ``deadline``
        (the last day allowed, or the day a dated actual gives), ``grade`` (``达成`` / ``部分达成``
        / ``未达成`` when the words say so), ``is_approx`` (``余``, ``约``, ``以上`` …),
        ``is_parsed`` (False for text that fits no pattern) and ``value_high`` (a range's upper
        bound, NaN otherwise). The rules are listed in the module's docstring.

    Example:
        >>> parsed = parse_indicator_values(
        ...     pd.Series(["≥3次", "不低于 90%", "1.5 亿元", "6000 余人", "2022年底之前", "达成预期指标"])
        ... )
        >>> for row in parsed[["kind", "op", "value", "unit", "is_approx"]].itertuples(index=False):
        ...     print(*row)
        numeric ≥ 3.0 次 False
        numeric ≥ 90.0 % False
        numeric = 15000.0 万元 False
        numeric = 6000.0 人 True
        deadline ≤ nan None False
        qualitative None nan None False
        >>> str(parsed.loc[4, "deadline"].date()), parsed.loc[5, "grade"]
        ('2022-12-31', '达成')

        Ranges, zero targets in words, dates written with dashes and numbers typed as numbers:

        >>> parsed = parse_indicator_values(
        ...     pd.Series(["3-5个", "零投诉", "无", "2022/8/15", "7月", 0.985]), fiscal_year=2022
        ... )
        >>> for row in parsed[["kind", "op", "value", "value_high"]].itertuples(index=False):
        ...     print(*row)
        numeric ≥ 3.0 5.0
        numeric ≤ 0.0 nan
        numeric ≤ 0.0 nan
        deadline ≤ nan nan
        deadline ≤ nan nan
        numeric = 0.985 nan
        >>> parsed.loc[2, "grade"]  # 无 is also 未达成, for a qualitative target
        '未达成'
        >>> [str(d.date()) for d in parsed["deadline"].iloc[3:5]]
        ['2022-08-15', '2022-07-31']
    """
    return _parse_coded(texts, fiscal_year)[0]


def parse_indicator_value(text: object, fiscal_year: int | None = None) -> dict[str, Any]:
    """Parse one written value: :func:`parse_indicator_values` for a single cell.

    The same reading as the whole-column parser, in plain Python one text at a time (no pandas):
    for a look at one cell, and for the row-by-row reference of the scoring benchmark. A test
    holds the two parsers to the same answer on every text of the corpus and on generated ones.

    Args:
        text: the written value (a number typed as a number is read as that number).
        fiscal_year: the year to assume for dates written without one.

    Returns:
        A dict with the columns of :func:`parse_indicator_values` (``kind``, ``op``, ``value``,
        ``unit``, ``deadline``, ``grade``, ``is_approx``, ``is_parsed``, ``value_high``).

    Example:
        >>> row = parse_indicator_value("不低于 90％")
        >>> row["kind"], row["op"], row["value"], row["unit"]
        ('numeric', '≥', 90.0, '%')
        >>> parse_indicator_value("2022年底之前")["deadline"].date()
        datetime.date(2022, 12, 31)
        >>> parse_indicator_value(" ")["kind"]
        'missing'
    """
    if _is_missing(text):
        return dict(_MISSING_ROW)
    normalized = _normalize_one(text)
    if normalized is None:
        return dict(_MISSING_ROW)
    year, month, day, number, high, unit, scale, op, approx, grade = _scan_text(
        normalized, fiscal_year
    )
    is_dated = month is not None
    deadline = _calendar_day(year, month, day) if is_dated else pd.NaT
    has_num = number is not None and not is_dated
    kind = KIND_QUALITATIVE
    row_op: object = None
    row_unit: object = None
    value = value_high = math.nan
    if deadline is not pd.NaT:
        kind, row_op = KIND_DEADLINE, "≤"
    if has_num:
        scale = float(scale)  # type: ignore[arg-type]
        value = _to_number(number) * scale
        if high is not None:
            value_high = _to_number(high) * scale
        kind = KIND_DEADLINE if unit in _DURATION_UNITS else KIND_NUMERIC
        row_op, row_unit = op, unit
    return {
        "kind": kind,
        "op": row_op,
        "value": value,
        "unit": row_unit,
        "deadline": deadline,
        "grade": grade,
        "is_approx": bool(approx),
        "is_parsed": kind != KIND_QUALITATIVE or grade is not None,
        "value_high": value_high,
    }


def _to_number(text: object) -> float:
    """A scanned number as float (NaN when it is none), as ``pd.to_numeric`` reads it."""
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _calendar_day(year: object, month: object, day: object) -> pd.Timestamp:
    """One date of :func:`_month_end`: a missing day is the month's last; NaT if none such."""
    y, m, d = _to_number(year), _to_number(month), _to_number(day)
    if not (1900 <= y <= 2200 and 1 <= m <= 12 and (math.isnan(d) or d >= 1)):
        return pd.NaT
    last = calendar.monthrange(int(y), int(m))[1]
    chosen = last if math.isnan(d) else int(d)
    if chosen > last:
        return pd.NaT  # 2月30日 does not exist
    return pd.Timestamp(int(y), int(m), chosen)


def _with_missing_row(values: pd.Series, missing: object) -> np.ndarray | pd.Series:
    """``values`` and one more value (a missing text's), in the same dtype.

    Example:
        >>> _with_missing_row(pd.Series([1.5]), np.nan).tolist()
        [1.5, nan]
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype):  # numbers, booleans, dates, objects: one numpy array
        out = np.empty(len(values) + 1, dtype=dtype)
        out[:-1] = values.to_numpy()
        out[-1] = np.datetime64("NaT") if dtype.kind == "M" else missing
        # An object array as a Series of objects: a frame would read its texts as ``str``.
        return pd.Series(out, dtype=object, copy=False) if dtype.kind == "O" else out
    return pd.Series([*values.tolist(), missing], dtype=dtype)  # text (``str``)


@_gc_paused()
def _parse_coded(
    texts: pd.Series, fiscal_year: int | None, columns: tuple[str, ...] = PARSED_COLUMNS
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Parse like :func:`parse_indicator_values`, also giving the table of distinct values.

    Returns:
        :func:`parse_indicator_values` (only ``columns`` of it), each row's position in a table
        of the distinct parsed values, and that table (all columns; its last row: a missing
        text).
    """
    # Factorise twice: the written texts, then their normalised forms, so that the Python-level
    # normalisation and the regex passes each see every distinct text only once.
    raw_codes, raw_uniques = factorize_objects(np.asarray(texts, dtype=object))
    normalized = np.array([_normalize_one(text) for text in raw_uniques.tolist()], dtype=object)
    norm_codes, uniques = pd.factorize(normalized)
    codes = np.where(
        raw_codes < 0, -1, norm_codes[np.maximum(raw_codes, 0)] if len(norm_codes) else -1
    )
    parsed_unique = _parse_unique(pd.Series(uniques, dtype="object").astype(str), fiscal_year)
    if len(parsed_unique) == 0:
        parsed_unique = _parse_unique(pd.Series(["-"], dtype="object"), fiscal_year)
    # Map back to the rows with one take per column; missing texts take an extra last row.
    table = pd.DataFrame(
        {col: _with_missing_row(values, _MISSING_ROW[col]) for col, values in parsed_unique.items()}
    )
    take = np.where(codes < 0, len(parsed_unique), codes)
    rows = {
        col: pd.Series(
            table[col].array.take(take), index=texts.index, dtype=table[col].dtype, copy=False
        )
        for col in columns
    }
    return pd.DataFrame(rows, index=texts.index, copy=False), take, table


# --------------------------------------------------------------------------------------------
# Direction of an indicator (正向 ≥ / 反向 ≤) from its name or a 指标性质 column
# --------------------------------------------------------------------------------------------

# As written in 指标性质 / 方向 / 计算符号 columns; the longer words first (不低于 before 低于).
_DIRECTION_WORDS = {
    **dict.fromkeys(
        ["不高于", "不超过", "不大于", "不多于", "小于等于", "小于", "低于", "≤", "<=", "=<", "<"],
        "≤",
    ),
    **dict.fromkeys(
        ["不低于", "不少于", "不小于", "大于等于", "大于", "高于", "≥", ">=", "=>", ">"], "≥"
    ),
    **dict.fromkeys(["反向", "逆向", "负向", "越小越好", "越低越好"], "≤"),
    **dict.fromkeys(["正向", "越大越好", "越高越好"], "≥"),
}
_DIRECTION_SEARCH = re.compile(
    "|".join(re.escape(w) for w in sorted(_DIRECTION_WORDS, key=len, reverse=True))
).search
# A bound written into the name: 满意度（≥90%）, 投诉率不超过5%.
_NAME_SIGN_SEARCH = re.compile(
    "≤|≥|<=|>=|=<|=>|<|>|(?:不高于|不超过|不大于|不低于|不少于|不小于)(?=[0-9])"
).search
# Reverse indicators (smaller is better), by what their names say. Rates of bad things, counts of
# bad things, cost control and time taken. Not 下降 / 减少 / 降低: a decrease is what such an
# indicator asks for (成本下降率 ≥ 5%), so those names are left alone, as are the ones about
# handling bad things (投诉处理率, 隐患整改率, 事故处置及时率).
REVERSE_NAME_WORDS = (
    "调整率|投诉率|超支率|差错率|失误率|错误率|出错率|发生率|发病率|感染率|死亡率|病死率|伤亡率|"
    "返工率|返修率|故障率|不合格率|不达标率|不良率|次品率|损耗率|流失率|辍学率|失业率|空置率|"
    "闲置率|逾期率|违约率|误报率|漏报率|偏差率|超标率|变更率|退回率|"
    "投诉|事故|违规|违纪|违法|伤亡|死亡|损失|超预算|超支|超标|差错|失误|返工|返贫|上访|信访|隐患|"
    "拖欠|欠薪|延误|逾期|能耗|排放量|排放浓度|"
    "成本控制|控制成本|成本不超|单位成本|人均成本|平均成本|成本增长率|成本上升|费用控制|"
    "时限|用时|耗时|响应时间|等待时间|办理时间"
)
_REVERSE_NAME_SEARCH = re.compile(REVERSE_NAME_WORDS).search
_POSITIVE_CONTEXT_SEARCH = re.compile(
    "整改|处理|处置|办结|查处|结案|回复|答复|解决|化解|满意|下降|减少|降低|减排|节约|节能|防范|防控|"
    "防止|预防|排查|挽回|追回|避免|知晓|受理|(?<!不)合格率|(?<!不)达标率|完成率|及时|覆盖率|到位率|"
    "执行率|准确率|正确率"
).search


def _label(text: object) -> str:
    """A name or direction cell, folded like values (full-width, white space)."""
    folded = text if type(text) is str else _number_text(text)
    return _WHITESPACE_RE.sub("", folded.translate(_FOLD))


def _direction_of_column(text: object) -> tuple[str | None, str | None]:
    found = _DIRECTION_SEARCH(_label(text))
    if found is None:
        return None, None
    return _DIRECTION_WORDS[found.group()], f"指标性质列为“{str(text).strip()}”"


def _direction_of_name(text: object) -> tuple[str | None, str | None]:
    name = _label(text)
    sign = _NAME_SIGN_SEARCH(name)
    if sign is not None:
        op = _DIRECTION_WORDS[sign.group()]
        return op, f"指标名称标注“{sign.group()}”，按“{op}”处理"
    reverse = _REVERSE_NAME_SEARCH(name)
    if reverse is not None and _POSITIVE_CONTEXT_SEARCH(name) is None:
        return "≤", f"指标名称含“{reverse.group()}”，按反向指标（≤）处理"
    return None, None


def _each_distinct(
    values: pd.Series, read: Callable[[object], tuple[str | None, str | None]]
) -> tuple[np.ndarray, np.ndarray]:
    """``read`` applied once per distinct value, mapped back to the rows (missing: None)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    results = [read(value) for value in uniques.tolist()] + [(None, None)]
    ops, reasons = (np.array(col, dtype=object) for col in zip(*results, strict=True))
    take = np.where(codes < 0, len(results) - 1, codes)
    return ops[take], reasons[take]


def infer_direction_of(name: object, direction: object = None) -> tuple[str | None, str | None]:
    """:func:`infer_direction` of one indicator: its ``op`` (``≤``, ``≥`` or None) and reason.

    Example:
        >>> infer_direction_of("投诉率")
        ('≤', '指标名称含“投诉率”，按反向指标（≤）处理')
        >>> infer_direction_of("培训人次", "≤(反向)")[0]
        '≤'
    """
    if not _is_missing(direction):
        op, reason = _direction_of_column(direction)
        if op is not None:
            return op, reason
    return (None, None) if _is_missing(name) else _direction_of_name(name)


def _is_missing(value: object) -> bool:
    """None, NaN, NA or NaT (what ``pd.factorize`` leaves out), for one cell."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


def infer_direction(names: pd.Series, directions: pd.Series | None = None) -> pd.DataFrame:
    """Whether each indicator is a reverse one (``≤``: smaller is better), and why.

    In this order: a ``directions`` cell (as 指标性质 / 方向 / 计算符号 columns print it: ``≤``,
    ``<=``, ``小于等于``, ``反向``, ``逆向指标``, ``≤(反向)`` … and also ``≥``, ``正向`` …, so the
    column can force either way); a bound written into the name (``满意度（≥90%）``,
    ``投诉率（≤5%）``); a name that names a reverse indicator (:data:`REVERSE_NAME_WORDS`: rates
    and counts of bad things such as 投诉率, 事故, 违规, 差错率, 发生率, 超预算; cost control such as
    成本控制, 单位成本; time taken such as 办理时限), unless it is about handling or reducing them
    (投诉处理率, 隐患整改率, 事故下降率). Each distinct name and direction is read once.

    Args:
        names: the indicator names (三级指标), one per row.
        directions: optional direction cells on the same index (missing cells allowed).

    Returns:
        A DataFrame on the index of ``names`` with ``op`` (``≤``, ``≥`` or None) and ``reason``
        (Chinese text saying where the direction comes from; None with ``op``).

    Example:
        >>> out = infer_direction(
        ...     pd.Series(["投诉率", "群众满意度（≥90%）", "投诉处理率", "培训人次", "预算调整率"]),
        ...     pd.Series([None, None, None, "≤(反向)", "正向"]),
        ... )
        >>> for row in out.itertuples(index=False):
        ...     print(*row)
        ≤ 指标名称含“投诉率”，按反向指标（≤）处理
        ≥ 指标名称标注“≥”，按“≥”处理
        None None
        ≤ 指标性质列为“≤(反向)”
        ≥ 指标性质列为“正向”
    """
    names = pd.Series(names, dtype="object")
    op, reason = _each_distinct(names, _direction_of_name)
    if directions is not None:
        if isinstance(directions, pd.Series):
            directions = directions.astype("object").reindex(names.index)
        else:  # a list or array: in the order of the names
            directions = pd.Series(directions, index=names.index, dtype="object")
        column_op, column_reason = _each_distinct(directions, _direction_of_column)
        has_column = np.not_equal(column_op, _NONE)
        op = np.where(has_column, column_op, op)
        reason = np.where(has_column, column_reason, reason)
    return pd.DataFrame(
        {
            "op": pd.Series(op, index=names.index, dtype=object),
            "reason": pd.Series(reason, index=names.index, dtype=object),
        },
        index=names.index,
    )
