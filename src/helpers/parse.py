"""Read indicator targets and actuals as analysts write them.

Targets and actual values arrive as free text (``≥20场``, ``不低于 90%``, ``2021 年 12 月前``,
``6000 余人``, ``1.5 亿元``, ``显著改善``, ``未超预算``). :func:`parse_indicator_values` turns a
whole column of them into typed fields in one vectorised pass: each distinct text is parsed once
with pandas' regex engine and the results are mapped back, so a province-scale table with many
repeated phrasings costs little more than its distinct values.

Nothing here raises on odd text: what fits no pattern becomes ``qualitative`` with an empty
``grade`` and ``is_parsed = False``, and the loader turns that into a warning naming the row.
"""

from __future__ import annotations

import re

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
    }
)

_GE_WORDS = "大于等于|大于或等于|不低于|不少于|不小于|至少|≥|>="
_LE_WORDS = "小于等于|小于或等于|未超过|未超出|没有超过|不超过|不高于|不大于|不多于|≤|<="
_GT_WORDS = "大于|高于|超过|多于|>"
_LT_WORDS = "小于|低于|少于|<"
_EQ_WORDS = "等于|=|约为|约|达到|为"
_PREFIX = f"(?P<pre>{_GE_WORDS}|{_LE_WORDS}|{_GT_WORDS}|{_LT_WORDS}|{_EQ_WORDS})?"
_NUMBER = r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
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


def normalize_text(texts: pd.Series) -> pd.Series:
    """Fold full-width characters, drop white space and read 一 … 十 before a classifier.

    Example:
        >>> normalize_text(pd.Series(["不低于 90％", " 2021 年 12 月前", "举办一场", None])).tolist()
        ['不低于90%', '2021年12月前', '举办1场', nan]
    """

    def normalize_one(text: object) -> str | None:
        folded = re.sub(r"\s+", "", str(text).translate(_FOLD))
        folded = _CN_COUNT_RE.sub(lambda m: _CN_DIGITS[m.group(1)], folded)
        return folded or None

    s = pd.Series(texts, dtype="object").map(normalize_one, na_action="ignore")
    return s.where(s.notna(), np.nan)


def _month_end(years: pd.Series, months: pd.Series, days: pd.Series) -> pd.Series:
    """Dates from year/month/day columns; a missing day means the month's last day."""
    y = pd.to_numeric(years, errors="coerce")
    m = pd.to_numeric(months, errors="coerce")
    d = pd.to_numeric(days, errors="coerce")
    ok = y.notna() & m.between(1, 12)
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


def _parse_unique(texts: pd.Series, fiscal_year: int | None) -> pd.DataFrame:
    """Parse a Series of distinct, normalised, non-missing texts."""
    n = len(texts)
    out = pd.DataFrame(
        {
            "kind": np.full(n, KIND_QUALITATIVE, dtype=object),
            "op": np.full(n, None, dtype=object),
            "value": np.full(n, np.nan),
            "unit": np.full(n, None, dtype=object),
            "deadline": pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]"),
            "grade": np.full(n, None, dtype=object),
            "is_approx": texts.str.contains("余|约|多|左右|以上|近", regex=True).to_numpy(bool),
        },
        index=texts.index,
    )

    # 1. Calendar deadlines: 2021年12月前, 2022年底之前, 2021年上半年, 12月前.
    dates = texts.str.extract(_DATE_RE)
    months = texts.str.extract(_MONTH_RE)
    part = dates["part"].fillna("")
    month = dates["m"].copy()
    month = month.mask(part.isin(["年底", "底", "末", "年内", "下半年"]), "12")
    month = month.mask(part.eq("上半年"), "6")
    quarter = part.str.extract(r"([一二三四1-4])季度")[0]
    month = month.fillna(quarter.map(_QUARTER_END).astype("object"))
    year = dates["y"]
    no_year = year.isna() & months["m2"].notna()
    if fiscal_year is not None:
        year = year.mask(no_year, str(fiscal_year))
    month = month.mask(no_year, months["m2"])
    day = dates["d"].mask(no_year, months["d2"])
    deadline = _month_end(year, month, day)
    is_deadline = deadline.notna()
    out.loc[is_deadline, "kind"] = KIND_DEADLINE
    out.loc[is_deadline, "op"] = "≤"
    out["deadline"] = deadline

    # 2. Numbers with operator words and units (also durations such as 不超过360天).
    num = texts.str.extract(_NUMERIC_RE)
    has_num = num["num"].notna() & ~is_deadline
    value = pd.to_numeric(num["num"].str.replace(",", "", regex=False), errors="coerce")
    unit = num["unit"].replace("", np.nan)
    scale = unit.map({k: v[1] for k, v in _UNIT_SCALE.items()}).fillna(1.0)
    unit = unit.map(lambda u: _UNIT_SCALE[u][0] if u in _UNIT_SCALE else u, na_action="ignore")
    op = num["pre"].map(_OP_BY_WORD).astype("object")
    suffix = num["suf"]
    op = op.mask(op.isna() & suffix.eq("以上"), "≥")
    op = op.mask(op.isna() & suffix.isin(["以下", "以内", "之内"]), "≤")
    op = op.fillna("=")
    out.loc[has_num, "value"] = (value * scale)[has_num]
    out.loc[has_num, "unit"] = unit[has_num]
    out.loc[has_num, "op"] = op[has_num]
    is_duration = has_num & unit.isin(_DURATION_UNITS)
    out.loc[has_num, "kind"] = np.where(is_duration[has_num], KIND_DEADLINE, KIND_NUMERIC)

    # 3. Grades, from the words of the text (used for qualitative and deadline rows).
    is_partial = texts.str.contains(_PARTIAL_RE, regex=True)
    is_unmet = texts.str.contains(_UNMET_RE, regex=True)
    is_met = texts.str.contains(_MET_RE, regex=True)
    out["grade"] = np.select(
        [is_partial, is_unmet, is_met], [GRADE_PARTIAL, GRADE_UNMET, GRADE_MET], default=None
    )
    out["is_parsed"] = out["kind"].ne(KIND_QUALITATIVE) | out["grade"].notna()
    return out


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
    # Factorise twice: the written texts, then their normalised forms, so that the Python-level
    # normalisation and the regex passes each see every distinct text only once.
    raw_codes, raw_uniques = pd.factorize(pd.Series(texts, dtype="object"), use_na_sentinel=True)
    norm_codes, uniques = pd.factorize(normalize_text(pd.Series(raw_uniques, dtype="object")))
    codes = np.where(
        raw_codes < 0, -1, norm_codes[np.maximum(raw_codes, 0)] if len(norm_codes) else -1
    )
    parsed_unique = _parse_unique(pd.Series(uniques, dtype="object").astype(str), fiscal_year)
    missing = codes < 0
    take = np.where(missing, 0, codes)
    if len(parsed_unique) == 0:
        parsed_unique = _parse_unique(pd.Series(["-"], dtype="object"), fiscal_year)
    out = parsed_unique.iloc[take].reset_index(drop=True)
    out.index = texts.index
    out.loc[missing, ["op", "unit", "grade"]] = None
    out.loc[missing, "value"] = np.nan
    out.loc[missing, "deadline"] = pd.NaT
    out.loc[missing, "kind"] = KIND_MISSING
    out.loc[missing, "is_approx"] = False
    out.loc[missing, "is_parsed"] = True
    out["is_approx"] = out["is_approx"].astype(bool)
    out["is_parsed"] = out["is_parsed"].astype(bool)
    return out
