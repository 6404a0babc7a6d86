"""Read indicator targets and actuals as analysts write them.

Targets and actual values arrive as free text (``≥20场``, ``不低于 90%``, ``2021 年 12 月前``,
``6000 余人``, ``1.5 亿元``, ``显著改善``, ``未超预算``). :func:`parse_indicator_values` turns a
whole column of them into typed fields in one vectorised pass: each distinct text is read once
by compiled regular expressions and the results are mapped back to the rows with one ``take`` per
column, so a province-scale table with many repeated phrasings costs little more than its
distinct values.

Nothing here raises on odd text: what fits no pattern becomes ``qualitative`` with an empty
``grade`` and ``is_parsed = False``, and the loader turns that into a warning naming the row.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

import numpy as np
import pandas as pd

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
        "≧": "≥",
        "≦": "≤",
        "⩾": "≥",
        "⩽": "≤",
        "，": ",",
        "～": "~",
        "－": "-",
        "−": "-",
    }
)

_GE_WORDS = "大于等于|大于或等于|不低于|不少于|不小于|至少|≥|>="
_LE_WORDS = "小于等于|小于或等于|未超过|未超出|没有超过|不超过|不高于|不大于|不多于|≤|<="
_GT_WORDS = "大于|高于|超过|多于|>"
_LT_WORDS = "小于|低于|少于|<"
_EQ_WORDS = "等于|=|约为|约|达到|为"
_PREFIX = f"(?P<pre>{_GE_WORDS}|{_LE_WORDS}|{_GT_WORDS}|{_LT_WORDS}|{_EQ_WORDS})?"
_NUMBER = r"(?P<num>-?\d+(?:,\d{3})*(?:\.\d+)?)"  # signed: 增长率 -3.5%
_APPROX_MID = "(?P<mid>余|多)?"
_UNIT = (
    "(?P<unit>亿元|万元|千元|元|万人次|人次|万人|个百分点|百分点|%|‰|个工作日|工作日|个月|"
    "小时|天|日|周|[个项家场次人份处件篇台套所户名条批期座位张本册]?)"
)
_SUFFIX = "(?P<suf>以上|以下|以内|之内|左右|余|多)?"

_NUMERIC_RE = _PREFIX + _NUMBER + _APPROX_MID + _UNIT + _SUFFIX
_DATE_RE = (
    r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?|(?P<part>上半年|下半年|年底|底|末|年内|"
    r"第?[一二三四1-4]季度))(?P<dsuf>底|末)?(?P<before>之前|以前|前|内|止)?"
)
_MONTH_RE = (
    r"(?<![\d年])(?P<m2>\d{1,2})月(?:(?P<d2>\d{1,2})日)?(?P<dsuf2>底|末)?(?P<before2>之前|以前|前)"
)
_DURATION_UNITS = {"天", "日", "个工作日", "工作日", "个月", "小时", "周"}

_PARTIAL_RE = "部分达成|部分完成|部分实现|基本达成|基本完成|基本实现|基本健全|基本合规|基本及时|有所|一般|较差"
_UNMET_RE = (
    "未达成|未完成|未实现|未达到|未达|未能|没有完成|未按时|不合规|不及时|不健全|不显著|无明显|"
    "滞后|延迟|下降|恶化|^否$|^无$|^未$"
)
_MET_RE = (
    "达成|完成|实现|达到|显著|明显|合规|及时|健全|完善|未超|没超|不超|提高|提升|改善|增强|缩短|"
    "降低|有效|良好|较好|优|满意|^是$|按时|正向|积极|形成|发挥|保障|确保"
)

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

_UNIT_SCALE = {"亿元": ("万元", 10000.0), "千元": ("万元", 0.1), "元": ("万元", 0.0001)}
_QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}


_CN_DIGITS = {
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
_CN_COUNT_RE = re.compile(
    "([一两二三四五六七八九十])(?=[个项家场次人份处件篇台套所户名条批期座张本册])"
)


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


_WHITESPACE_RE = re.compile(r"\s+")
# Text with none of these characters is already normal (str.translate is slow on CJK text).
_NEEDS_NORMALIZING_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in _FOLD) + r"\s" + "".join(_CN_DIGITS) + "]"
)


def _cn_digit(match: re.Match[str]) -> str:
    return _CN_DIGITS[match.group(1)]


def _normalize_one(text: object) -> str | None:
    folded = str(text)
    if _NEEDS_NORMALIZING_RE.search(folded):
        folded = _WHITESPACE_RE.sub("", folded.translate(_FOLD))
        folded = _CN_COUNT_RE.sub(_cn_digit, folded)
    return folded or None


def normalize_text(texts: pd.Series) -> pd.Series:
    """Fold full-width characters, drop white space and read 一 … 十 before a classifier.

    Example:
        >>> normalize_text(pd.Series(["不低于 90％", " 2021 年 12 月前", "举办一场", None])).tolist()
        ['不低于90%', '2021年12月前', '举办1场', nan]
    """
    s = pd.Series(texts, dtype="object").map(_normalize_one, na_action="ignore")
    return s.where(s.notna(), np.nan)


def _month_end(years: pd.Series, months: pd.Series, days: pd.Series) -> pd.Series:
    """Dates from year/month/day columns; a missing day means the month's last day."""
    y = pd.to_numeric(years, errors="coerce")
    m = pd.to_numeric(months, errors="coerce")
    d = pd.to_numeric(days, errors="coerce")
    # Years outside what datetime64[ns] holds (0000年, 9999年) are typos, not deadlines.
    ok = y.between(1900, 2200) & m.between(1, 12)
    out = pd.Series(pd.NaT, index=years.index, dtype="datetime64[ns]")
    if not ok.any():
        return out
    first = pd.to_datetime(
        pd.DataFrame({"year": y[ok], "month": m[ok], "day": 1}).astype(int), errors="coerce"
    )
    month_end = first + pd.offsets.MonthEnd(0)
    with_day = first + pd.to_timedelta(d[ok].fillna(1) - 1, unit="D")
    chosen = month_end.where(d[ok].isna(), with_day)
    out.loc[ok] = chosen.clip(upper=month_end)
    return out


_APPROX_RE = "余|约|多(?!于)|左右|以上|近"  # 多于 is an operator (>), not an approximation
_DATE_PATTERN = re.compile(_DATE_RE)
_MONTH_PATTERN = re.compile(_MONTH_RE)
_NUMERIC_PATTERN = re.compile(_NUMERIC_RE)
_QUARTER_PATTERN = re.compile(r"([一二三四1-4])季度")
_YEAR_END_PARTS = frozenset(["年底", "底", "末", "年内", "下半年"])


def _word_search(pattern: str):  # type: ignore[no-untyped-def]
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
_WORD_PATTERNS = (_APPROX_RE, _PARTIAL_RE, _UNMET_RE, _MET_RE)
_WORD_FIRSTS = [_literal_first_chars(pattern) for pattern in _WORD_PATTERNS]
# A text with none of the words' first characters has none of the four flags (most numbers).
_MAY_HAVE_WORDS = (
    re.compile("[" + "".join(re.escape(c) for c in sorted(set().union(*_WORD_FIRSTS))) + "]").search
    if all(firsts is not None for firsts in _WORD_FIRSTS)
    else lambda text: True
)


_SUFFIX_OP = {"以上": "≥", "以下": "≤", "以内": "≤", "之内": "≤"}
# The groups pre, num, unit and suf out of Match.groups() (quicker than by name).
_NUMBER_PARTS = itemgetter(
    *(_NUMERIC_PATTERN.groupindex[g] - 1 for g in ("pre", "num", "unit", "suf"))
)


def _scan_text(text: str, fiscal_year: int | None) -> tuple[object, ...]:
    """The regex groups of one normalised text, read as the whole-column rules read them.

    Returns year, month and day of a deadline (None when there is none); the number (None when
    there is none), its normalised unit (NaN when empty), scale and operator; ``is_approx``; the
    grade the words give.
    """
    year = month = day = None
    # Every _DATE_RE match contains 年 and every _MONTH_RE match 月: skip the others.
    date = _DATE_PATTERN.search(text) if "年" in text else None
    if date is not None:
        year, month, day, part = date.group("y", "m", "d", "part")
        if part in _YEAR_END_PARTS:
            month = "12"
        elif part == "上半年":
            month = "6"
        elif month is None and part and (quarter := _QUARTER_PATTERN.search(part)):
            month = _QUARTER_END[quarter.group(1)]
    elif "月" in text and (bare := _MONTH_PATTERN.search(text)) is not None:
        # 12月前: the fiscal year is assumed.
        year = None if fiscal_year is None else str(fiscal_year)
        month, day = bare.group("m2", "d2")
    num = _NUMERIC_PATTERN.search(text)
    if num is None:
        number = unit = op = None
        scale = 1.0
    else:
        pre, number, unit, suffix = _NUMBER_PARTS(num.groups())
        number = number.replace(",", "")
        unit, scale = _UNIT_SCALE.get(unit, (unit or np.nan, 1.0))
        op = _OP_BY_WORD.get(pre) or _SUFFIX_OP.get(suffix, "=")  # type: ignore[arg-type]
    if _MAY_HAVE_WORDS(text):
        is_approx = _HAS_APPROX(text)
        grade = (
            GRADE_PARTIAL
            if _HAS_PARTIAL(text)
            else GRADE_UNMET
            if _HAS_UNMET(text)
            else GRADE_MET
            if _HAS_MET(text)
            else None
        )
    else:
        is_approx, grade = False, None
    return year, month, day, number, unit, scale, op, is_approx, grade


def _parse_unique(texts: pd.Series, fiscal_year: int | None) -> pd.DataFrame:
    """Parse a Series of distinct, normalised, non-missing texts."""
    n = len(texts)
    # One pass of compiled regexes over the distinct texts; all the rest is whole-column.
    scans = [_scan_text(text, fiscal_year) for text in texts.tolist()]
    year, month, day, number, unit, scale, op, approx, grade = (
        np.array(col, dtype=object) for col in (zip(*scans, strict=True) if n else [()] * 9)
    )

    # 1. Calendar deadlines: 2021年12月前, 2022年底之前, 2021年上半年, 12月前.
    deadline = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    dated = np.flatnonzero(np.not_equal(month, None))  # only these can have a deadline
    if len(dated):
        deadline[dated] = _month_end(
            pd.Series(year[dated], dtype=object),
            pd.Series(month[dated], dtype=object),
            pd.Series(day[dated], dtype=object),
        ).to_numpy()
    is_deadline = ~np.isnat(deadline)

    # 2. Numbers with operator words and units (also durations such as 不超过360天).
    numbers = pd.Series(number, index=texts.index, dtype="str")
    has_num = numbers.notna().to_numpy() & ~is_deadline
    value = pd.to_numeric(numbers, errors="coerce").to_numpy(float) * scale.astype(float)
    is_duration = has_num & np.array([u in _DURATION_UNITS for u in unit.tolist()], dtype=bool)
    kind = np.full(n, KIND_QUALITATIVE, dtype=object)
    kind[is_deadline] = KIND_DEADLINE
    kind[has_num] = np.where(is_duration[has_num], KIND_DEADLINE, KIND_NUMERIC)
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
    return out


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
}


@_gc_paused()
def parse_indicator_values(texts: pd.Series, fiscal_year: int | None = None) -> pd.DataFrame:
    """Parse written target or actual values into operator, number, unit, deadline and grade.

    Args:
        texts: the written values, one per indicator row (missing values allowed).
        fiscal_year: the year to assume for deadlines written without one (``12月前``).

    Returns:
        A DataFrame on the same index with the columns ``kind`` (``numeric``, ``deadline``,
        ``qualitative`` or ``missing``), ``op`` (``≥ > ≤ < =``), ``value`` (float, in the
        normalised unit: 亿元 and 元 become 万元), ``unit``, ``deadline`` (the last day allowed),
        ``grade`` (``达成`` / ``部分达成`` / ``未达成`` when the words say so), ``is_approx``
        (``余``, ``约``, ``以上`` …) and ``is_parsed`` (False for text that fits no pattern).

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
    """
    return _parse_coded(texts, fiscal_year)[0]


@_gc_paused()
def _parse_coded(
    texts: pd.Series, fiscal_year: int | None, columns: tuple[str, ...] = PARSED_COLUMNS
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """:func:`parse_indicator_values` (only ``columns`` of it), each row's position in a table
    of the distinct parsed values, and that table (all columns; its last row: a missing text)."""
    # Factorise twice: the written texts, then their normalised forms, so that the Python-level
    # normalisation and the regex passes each see every distinct text only once.
    raw_codes, raw_uniques = pd.factorize(pd.Series(texts, dtype="object"), use_na_sentinel=True)
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
        {
            col: pd.concat(
                [values, pd.Series([_MISSING_ROW[col]], dtype=values.dtype)], ignore_index=True
            )
            for col, values in parsed_unique.items()
        }
    )
    take = np.where(codes < 0, len(parsed_unique), codes)
    rows = {
        col: pd.Series(
            table[col].array.take(take), index=texts.index, dtype=table[col].dtype, copy=False
        )
        for col in columns
    }
    return pd.DataFrame(rows, index=texts.index, copy=False), take, table
