"""helpers.parse on phrasings met in real 项目支出绩效自评表: every case with its exact fields."""

from __future__ import annotations

import datetime as dt
import decimal
import random

import numpy as np
import pandas as pd
import pytest

from helpers.parse import (
    PARSED_COLUMNS,
    cn_numeral_value,
    infer_direction,
    normalize_text,
    parse_indicator_value,
    parse_indicator_values,
)

FY = 2022
_MISSING = object()  # "this field must be missing" (None / NaN / NaT)


def parse_one(text: object, fiscal_year: int | None = FY) -> pd.Series:
    """The whole-column parser's row for one cell, checked against the one-cell parser."""
    parsed = parse_indicator_values(pd.Series([text], dtype="object"), fiscal_year)
    assert list(parsed.columns) == list(PARSED_COLUMNS)
    row = parsed.iloc[0]
    assert_same_reading(parse_indicator_value(text, fiscal_year), row.to_dict(), text)
    return row


def _both_missing(a: object, b: object) -> bool:
    return (a is None or bool(pd.isna(a))) and (b is None or bool(pd.isna(b)))


def assert_same_reading(one: dict, column_row: dict, text: object) -> None:
    """:func:`parse_indicator_value` reads a cell as :func:`parse_indicator_values` does."""
    assert list(one) == list(PARSED_COLUMNS)
    for field in PARSED_COLUMNS:
        a, b = one[field], column_row[field]
        assert _both_missing(a, b) or (a == b and type(a) is not type(None)), (
            f"{text!r}: {field} is {a!r} one at a time, {b!r} by column"
        )


def numeric(
    op: str,
    value: float,
    unit: str | None,
    *,
    high: float | None = None,
    grade: str | None = None,
    approx: bool = False,
) -> dict:
    return {
        "kind": "numeric",
        "op": op,
        "value": value,
        "unit": unit,
        "value_high": high,
        "grade": grade,
        "deadline": None,
        "is_approx": approx,
        "is_parsed": True,
    }


def dated(date: str, grade: str | None = None) -> dict:
    return {
        "kind": "deadline",
        "op": "≤",
        "deadline": date,
        "value": None,
        "value_high": None,
        "unit": None,
        "grade": grade,
        "is_parsed": True,
    }


def duration(op: str, value: float, unit: str, high: float | None = None) -> dict:
    return {"kind": "deadline", "op": op, "value": value, "unit": unit, "value_high": high}


def qualitative(grade: str | None) -> dict:
    return {
        "kind": "qualitative",
        "op": None,
        "value": None,
        "value_high": None,
        "unit": None,
        "deadline": None,
        "grade": grade,
        "is_parsed": grade is not None,
    }


def assert_parsed(row: pd.Series, expected: dict) -> None:
    """Compare the fields named in ``expected``; None means missing (None / NaN / NaT)."""
    for key, want in expected.items():
        got = row[key]
        if want is None:
            assert got is None or pd.isna(got), f"{key}: expected missing, got {got!r}"
        elif key in ("value", "value_high"):
            assert got == pytest.approx(want, rel=1e-12), f"{key}: {got!r} != {want!r}"
        elif key == "deadline":
            assert pd.Timestamp(got) == pd.Timestamp(want), f"deadline: {got!r} != {want!r}"
        elif key in ("is_approx", "is_parsed"):
            assert bool(got) is want, f"{key}: {got!r} != {want!r}"
        else:
            assert got == want, f"{key}: {got!r} != {want!r}"


def check(cases: list[tuple[object, dict]]):  # type: ignore[no-untyped-def]
    return pytest.mark.parametrize(("text", "expected"), cases, ids=[str(t) for t, _ in cases])


# 1. Grades: 未达成 words before 部分 / 一般 / 较差 words, before 达成 words.
GRADES = [
    ("未达成", qualitative("未达成")),
    ("未完成", qualitative("未达成")),
    ("未达到预期", qualitative("未达成")),
    ("部分未完成", qualitative("未达成")),
    ("未达成，完成情况一般", qualitative("未达成")),
    ("较差，未达到", qualitative("未达成")),
    ("基本达到", qualitative("部分达成")),
    ("基本达成", qualitative("部分达成")),
    ("基本完成", qualitative("部分达成")),
    ("部分达成", qualitative("部分达成")),
    ("一般", qualitative("部分达成")),
    ("较差", qualitative("部分达成")),
    ("达到预期", qualitative("达成")),
    ("否", qualitative("未达成")),
]


@check(GRADES)
def test_grades(text, expected):
    assert_parsed(parse_one(text), expected)


# 1a. A negation before manner words and a word of doing is 未达成, whatever 达成 word it holds;
# the same words without the negation stay 达成.
NEGATED = [
    ("未按期完成", qualitative("未达成")),
    ("未能按期完成", qualitative("未达成")),
    ("没有按时完成", qualitative("未达成")),
    ("未如期完成", qualitative("未达成")),
    ("不能按期完成", qualitative("未达成")),
    ("无法完成", qualitative("未达成")),
    ("项目未按计划完成", qualitative("未达成")),
    ("资金未及时拨付", qualitative("未达成")),
    ("未及时", qualitative("未达成")),
    ("尚未形成", qualitative("未达成")),
    ("暂未形成", qualitative("未达成")),
    ("尚未完成", qualitative("未达成")),
    ("仍未建成", qualitative("未达成")),
    ("制度尚未出台", qualitative("未达成")),
    ("未通过验收", qualitative("未达成")),
    ("验收未通过", qualitative("未达成")),
    ("验收不通过", qualitative("未达成")),
    ("全部未完成", qualitative("未达成")),
    ("未明显改善", qualitative("未达成")),
    ("没有明显提升", qualitative("未达成")),
    ("效果不明显", qualitative("未达成")),
    ("未见明显成效", qualitative("未达成")),
    ("未有效解决问题", qualitative("未达成")),
    ("问题未整改", qualitative("未达成")),
    ("按期完成", qualitative("达成")),
    ("未见明显问题", qualitative("达成")),  # what is not seen is a bad thing
    ("明显提升", qualitative("达成")),
    ("如期完成", qualitative("达成")),
    ("形成报告", qualitative("达成")),
    ("已形成调研报告", qualitative("达成")),
    ("验收通过", qualitative("达成")),
    ("通过验收", qualitative("达成")),
    ("未超预算", qualitative("达成")),
    ("未超预算,按期完成", qualitative("达成")),
    ("未形成安全隐患", qualitative("达成")),  # what was not formed is a bad thing
    ("不断完善", qualitative("达成")),  # 不 alone is no negation of doing: 不断 "ever more"
    ("无法评估", qualitative(None)),
    ("未发生安全事故", numeric("≤", 0, None)),
]


@check(NEGATED)
def test_negated_doing_is_unmet(text, expected):
    assert_parsed(parse_one(text), expected)


# 1b. Not all of it done: some was done, so 部分达成 (as 部分完成 is), unless the rest says 未达成.
NOT_ALL_DONE = [
    ("未全部完成", qualitative("部分达成")),
    ("未能全部完成", qualitative("部分达成")),
    ("尚未全部完成", qualitative("部分达成")),
    ("资金未足额拨付", qualitative("部分达成")),
    ("未完全达到预期", qualitative("部分达成")),
    ("未全面完成", qualitative("部分达成")),
    ("未全部完成,且未按期验收", qualitative("未达成")),
    ("全部完成", qualitative("达成")),
]


@check(NOT_ALL_DONE)
def test_not_all_done_is_partly_met(text, expected):
    assert_parsed(parse_one(text), expected)


# 2. Dates written every way; a month alone is its last day; the fiscal year is assumed.
DATES = [
    ("2022-09-30", dated("2022-09-30")),
    ("2022/9/30", dated("2022-09-30")),
    ("2022.9.30", dated("2022-09-30")),
    ("2022年9月30日", dated("2022-09-30")),
    ("2022年9月30号", dated("2022-09-30")),
    ("2022年9月", dated("2022-09-30")),
    ("2022-09", dated("2022-09-30")),
    ("2022/9", dated("2022-09-30")),
    ("9月底", dated("2022-09-30")),
    ("9月30日", dated("2022-09-30")),
    ("7月", dated("2022-07-31")),
    ("9月前", dated("2022-09-30")),
    ("9月上旬", dated("2022-09-10")),
    ("9月下旬", dated("2022-09-30")),
    ("2022年9月底前", dated("2022-09-30")),
    ("2022-09-30 00:00:00", dated("2022-09-30")),
    ("2022-09-30T00:00:00", dated("2022-09-30")),
    ("2022/8/15", dated("2022-08-15")),
    ("2022年10月完成", dated("2022-10-31", "达成")),
    ("2022年", dated("2022-12-31")),
    ("2022年度", dated("2022-12-31")),
    ("第3季度", dated("2022-09-30")),
    ("三季度末", dated("2022-09-30")),
    ("次年3月前", dated("2023-03-31")),
    ("2021年，3月前", dated("2021-03-31")),
    ("十二月前", dated("2022-12-31")),
    ("2024年2月29日", dated("2024-02-29")),
]


@check(DATES)
def test_dates(text, expected):
    assert_parsed(parse_one(text), expected)


def test_datetime_cells_are_dates():
    parsed = parse_indicator_values(
        pd.Series([dt.datetime(2022, 9, 30), dt.date(2022, 8, 1), pd.Timestamp("2022-07-15")]),
        FY,
    )
    assert parsed["kind"].tolist() == ["deadline"] * 3
    assert [str(d.date()) for d in parsed["deadline"]] == ["2022-09-30", "2022-08-01", "2022-07-15"]


@check(
    [
        ("2021年13月前", qualitative(None)),
        ("2月30日", qualitative(None)),
        ("2022年2月29日", qualitative(None)),
        ("2022-13-01", qualitative(None)),
        ("13月", qualitative(None)),
        ("0000年1月前", qualitative(None)),
    ]
)
def test_dates_that_do_not_exist_are_not_read(text, expected):
    assert_parsed(parse_one(text), expected)


@check(
    [
        ("2021年完成投资5000万元", numeric("=", 5000, "万元", grade="达成")),
        ("12月累计完成100个", numeric("=", 100, "个", grade="达成")),
        ("2022.5万元", numeric("=", 2022.5, "万元")),
        ("2022.9", numeric("=", 2022.9, None)),
        ("2022", numeric("=", 2022, None)),
        ("2021-2022", numeric("≥", 2021, None, high=2022)),
    ]
)
def test_a_year_or_month_followed_by_a_number_is_the_number(text, expected):
    assert_parsed(parse_one(text), expected)


def test_a_month_without_a_fiscal_year_is_no_date_and_no_number():
    assert_parsed(parse_one("12月前", None), qualitative(None))
    assert_parsed(parse_one("12月前完成拨付", None), qualitative("达成"))


# 3. Ranges: met from the lower bound; the upper bound in value_high.
RANGES = [
    ("3-5个", numeric("≥", 3, "个", high=5)),
    ("3~5个", numeric("≥", 3, "个", high=5)),
    ("3～5个", numeric("≥", 3, "个", high=5)),
    ("3—5个", numeric("≥", 3, "个", high=5)),
    ("5至8家", numeric("≥", 5, "家", high=8)),
    ("3到5次", numeric("≥", 3, "次", high=5)),
    ("80%-90%", numeric("≥", 80, "%", high=90)),
    ("3个-5个", numeric("≥", 3, "个", high=5)),
    ("1-1.5亿元", numeric("≥", 10000, "万元", high=15000)),
    ("1.5亿-2亿元", numeric("≥", 15000, "万元", high=20000)),
    ("不低于3-5个", numeric("≥", 3, "个", high=5)),
    ("3-5天以内", duration("≤", 5, "天", high=5)),
    ("10-15个工作日", duration("≤", 15, "个工作日", high=15)),
    ("-5%", numeric("=", -5, "%")),
    ("增长-3%", numeric("=", -3, "%")),
]


@check(RANGES)
def test_ranges(text, expected):
    assert_parsed(parse_one(text), expected)


# 4. Operators as words, units 分 and 百分比.
OPERATORS = [
    ("90分以上", numeric("≥", 90, "分", approx=True)),
    ("90分及以上", numeric("≥", 90, "分", approx=True)),
    ("5万元以内", numeric("≤", 5, "万元")),
    ("3%以下", numeric("≤", 3, "%")),
    ("不低于95%", numeric("≥", 95, "%")),
    ("≥100百分比", numeric("≥", 100, "%")),
    ("达到95%", numeric("=", 95, "%", grade="达成")),
    ("达到90%以上", numeric("≥", 90, "%", grade="达成", approx=True)),
    ("超过3次", numeric(">", 3, "次")),
    ("控制在500万元", numeric("≤", 500, "万元")),
    ("控制在5%以内", numeric("≤", 5, "%")),
    ("不得超过10天", duration("≤", 10, "天")),
    ("30天内完成", duration("≤", 30, "天")),
    ("3次内部培训", numeric("=", 3, "次")),
    ("最低90%", numeric("≥", 90, "%")),
    ("5分钟", duration("=", 5, "分钟")),
    ("﹦100", numeric("=", 100, None)),  # small equals sign (Yunnan tables)
    ("≥50厘米", numeric("≥", 50, "厘米")),
    ("≥15年", numeric("≥", 15, "年")),
    ("≥200平方米", numeric("≥", 200, "平方米")),
    ("5千克", numeric("=", 5, "千克")),
    ("2万吨", numeric("=", 20000, "吨")),
]


@check(OPERATORS)
def test_operator_words(text, expected):
    assert_parsed(parse_one(text), expected)


# 5. 亿 / 万 / 千: money without a unit, a scale before a count unit.
SCALES = [
    ("1.5亿", numeric("=", 15000, "万元")),
    ("≥1.5亿", numeric("≥", 15000, "万元")),
    ("≤50万", numeric("≤", 50, "万元")),
    ("1.5亿人次", numeric("=", 150_000_000, "人次")),
    ("1.2万人次", numeric("=", 12000, "人次")),
    ("1万余人", numeric("=", 10000, "人", approx=True)),
    ("3千万元", numeric("=", 3000, "万元")),
    ("2百万元", numeric("=", 200, "万元")),
    ("5千", numeric("=", 5000, None)),
    # 万 / 亿 before a counting word scale the count; before 元 (or nothing) they are money.
    ("2.5万卷", numeric("=", 25000, "卷")),
    ("≥2.5万卷", numeric("≥", 25000, "卷")),
    ("2.5万余卷", numeric("=", 25000, "卷", approx=True)),
    ("25000卷", numeric("=", 25000, "卷")),
    ("二万卷", numeric("=", 20000, "卷")),
    ("3万册", numeric("=", 30000, "册")),
    ("5万户", numeric("=", 50000, "户")),
    ("2万件", numeric("=", 20000, "件")),
    ("3万份", numeric("=", 30000, "份")),
    ("1.2万剂次", numeric("=", 12000, "剂次")),
    ("130000剂次以上", numeric("≥", 130000, "剂次", approx=True)),
    ("120盏以上", numeric("≥", 120, "盏", approx=True)),
    ("2万平方米", numeric("=", 20000, "平方米")),
    ("2万米", numeric("=", 20000, "米")),
    ("3千米", numeric("=", 3, "千米")),
    ("2万千瓦", numeric("=", 20000, "千瓦")),
    ("10万元", numeric("=", 10, "万元")),
    ("1.5亿元", numeric("=", 15000, "万元")),
    ("5000万元", numeric("=", 5000, "万元")),
    ("2万人民币", numeric("=", 2, "万元")),
    ("10万种植补贴", numeric("=", 10, "万元")),  # 种植 is no count of kinds
    ("20万支持企业", numeric("=", 20, "万元")),
    ("12部门", numeric("=", 12, None)),
    ("3部", numeric("=", 3, "部")),
]


@check(SCALES)
def test_scales(text, expected):
    assert_parsed(parse_one(text), expected)


# 6. Zero targets in words, and zero actuals.
ZEROS = [
    ("零投诉", numeric("≤", 0, None)),
    ("无安全事故", numeric("≤", 0, None)),
    ("未发生安全事故", numeric("≤", 0, None)),
    ("无重大事故", numeric("≤", 0, None)),
    ("确保无安全事故", numeric("≤", 0, None, grade="达成")),  # 确保 is a 达成 word
    ("杜绝违规", numeric("≤", 0, None)),
    ("0起", numeric("≤", 0, "起")),
    ("零起", numeric("≤", 0, "起")),
    ("安全事故0次", numeric("≤", 0, "次")),
    ("0个", numeric("=", 0, "个")),
    ("0", numeric("=", 0, None)),
    ("无", numeric("≤", 0, None, grade="未达成")),
    ("零", numeric("≤", 0, None)),
    ("没有", numeric("≤", 0, None)),
    ("未发生", numeric("≤", 0, None)),
    ("没有完成", qualitative("未达成")),
    ("没有完成问题整改", qualitative("未达成")),  # a negated doing, no zero of 问题
    ("没有按时完成隐患整改", qualitative("未达成")),
    ("无有效投诉", numeric("≤", 0, None, grade="达成")),
    ("无明显改善", qualitative("未达成")),
    ("无法评估", qualitative(None)),
]


@check(ZEROS)
def test_zeros(text, expected):
    assert_parsed(parse_one(text), expected)


# 7. Chinese numerals before a classifier or unit.
NUMERALS = [
    ("两个", numeric("=", 2, "个")),
    ("十场", numeric("=", 10, "场")),
    ("十二次", numeric("=", 12, "次")),
    ("二十个", numeric("=", 20, "个")),
    ("一百人", numeric("=", 100, "人")),
    ("一百零五人", numeric("=", 105, "人")),
    ("三千元", numeric("=", 0.3, "万元")),
    ("五万元", numeric("=", 5, "万元")),
    ("一万二千人次", numeric("=", 12000, "人次")),
    ("不少于三十场", numeric("≥", 30, "场")),
    ("九十分以上", numeric("≥", 90, "分", approx=True)),
    ("百分之九十", numeric("=", 90, "%")),
    ("百分之百", numeric("=", 100, "%")),
    ("唯一一家", numeric("=", 1, "家")),
    ("十分满意", qualitative("达成")),
    ("一般", qualitative("部分达成")),
    # 一 and a classifier that begin a word count nothing.
    ("一次性通过", qualitative("达成")),
    ("验收一次性通过", qualitative("达成")),
    ("验收一次通过", qualitative("达成")),
    ("一次性补助1000元", numeric("=", 0.1, "万元")),
    ("一件事一次办", qualitative(None)),
    ("一条龙服务", qualitative(None)),
    ("一户一档", qualitative(None)),
    ("一户一册", qualitative(None)),
    ("一站式", qualitative(None)),
    ("一体化", qualitative(None)),
    ("一网通办", qualitative(None)),
    ("举办一次培训", numeric("=", 1, "次")),
    ("开展一次", numeric("=", 1, "次")),
    ("一次", numeric("=", 1, "次")),
    ("一部分", qualitative(None)),
]


@check(NUMERALS)
def test_chinese_numerals(text, expected):
    assert_parsed(parse_one(text), expected)


def test_cn_numeral_value():
    assert [cn_numeral_value(s) for s in ["零", "两", "十一", "三百", "一千零一", "十万"]] == [
        0,
        2,
        11,
        300,
        1001,
        100000,
    ]
    assert cn_numeral_value("一亿五千万") == 150_000_000
    assert [cn_numeral_value(s) for s in ["", "三四", "十百", "万", "一万二万"]] == [None] * 5


# 8. Pointers elsewhere hold no number.
@check(
    [
        ("见附件3", qualitative(None)),
        ("详见附表", qualitative(None)),
        ("附件2", qualitative(None)),
        ("详见附件1：完成", qualitative("达成")),
    ]
)
def test_pointers_elsewhere_are_not_numbers(text, expected):
    assert_parsed(parse_one(text), expected)


# 10. Numbers typed as numbers in Excel arrive as int / float.
def test_numbers_typed_as_numbers_are_plain_numbers():
    values = [0.985, 50, 100.0, np.float64(2.5), np.int64(7), 1e-7, 1e22, decimal.Decimal("3.50")]
    parsed = parse_indicator_values(pd.Series(values, dtype="object"), FY)
    assert parsed["kind"].tolist() == ["numeric"] * len(values)
    assert parsed["op"].tolist() == ["="] * len(values)
    assert parsed["value"].tolist() == [0.985, 50.0, 100.0, 2.5, 7.0, 1e-7, 1e22, 3.5]
    assert parsed["unit"].isna().all()


def test_non_finite_and_odd_objects_do_not_raise():
    odd = [float("inf"), float("-inf"), True, b"bytes", ("t",), pd.NaT, 10**30]
    parsed = parse_indicator_values(pd.Series(odd, dtype="object"), FY)
    assert parsed["kind"].tolist() == [
        "qualitative",
        "qualitative",
        "qualitative",
        "qualitative",
        "qualitative",
        "missing",
        "numeric",
    ]


@pytest.mark.parametrize("text", ["೦", "٣个", "३%", "２０２２年"])
def test_only_ascii_and_full_width_digits_are_digits(text):
    row = parse_one(text)
    if text.startswith("２"):  # full-width digits are folded
        assert_parsed(row, dated("2022-12-31"))
    else:
        assert_parsed(row, qualitative(None))


def test_random_text_never_raises_and_is_deterministic():
    rng = random.Random(20220930)
    pool = list(
        "0123456789.-~/%年月日前底季度第一二十百千万亿零两个次元天内以上至到附无未达成部分基本≥≤<> 　:"
    )
    pool += [chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(200)]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 25))) for _ in range(3000)]
    texts += ["x" * 20000, "一" * 5000 + "个", "2021年" * 500, "1-" * 5000, "无" + "事" * 5000]
    series = pd.Series(texts, dtype="object")
    first = parse_indicator_values(series, FY)
    second = parse_indicator_values(series, FY)
    pd.testing.assert_frame_equal(first, second)
    order = np.random.default_rng(0).permutation(len(series))
    shuffled = parse_indicator_values(series.iloc[order], FY)
    pd.testing.assert_frame_equal(first.iloc[order], shuffled)
    assert set(first["kind"]) <= {"numeric", "deadline", "qualitative", "missing"}
    assert set(first["op"].dropna()) <= {"≥", ">", "≤", "<", "="}


def test_value_high_is_the_last_column_and_float():
    parsed = parse_indicator_values(pd.Series(["3-5个", "4个", None, "高质量"]), FY)
    assert PARSED_COLUMNS[-1] == "value_high"
    assert parsed["value_high"].dtype == "float64"
    assert parsed["value_high"].isna().tolist() == [False, True, True, True]


def test_normalize_text_reads_numerals_and_drops_times():
    got = normalize_text(
        pd.Series(["一万二千人次", "2022-09-30 00:00:00", "十分满意", "百分之九十"])
    )
    assert got.tolist() == ["12000人次", "2022-09-30", "十分满意", "90%"]


# 9. Direction from the indicator name or a direction column.
NAMES = [
    ("投诉率", "≤", "指标名称含“投诉率”，按反向指标（≤）处理"),
    ("群众投诉次数", "≤", "指标名称含“投诉”，按反向指标（≤）处理"),
    ("安全事故发生次数", "≤", "指标名称含“事故”，按反向指标（≤）处理"),
    ("预算调整率", "≤", "指标名称含“调整率”，按反向指标（≤）处理"),
    ("项目成本控制", "≤", "指标名称含“成本控制”，按反向指标（≤）处理"),
    ("不合格率", "≤", "指标名称含“不合格率”，按反向指标（≤）处理"),
    ("审批时限", "≤", "指标名称含“时限”，按反向指标（≤）处理"),
    ("满意度（≥90%）", "≥", "指标名称标注“≥”，按“≥”处理"),
    ("投诉率（≤5%）", "≤", "指标名称标注“≤”，按“≤”处理"),
    ("投诉率不超过5%", "≤", "指标名称标注“不超过”，按“≤”处理"),
    ("投诉处理率", None, None),
    ("隐患整改率", None, None),
    ("事故处理及时率", None, None),
    ("成本下降率", None, None),
    ("挽回经济损失", None, None),
    ("合格率", None, None),
    ("培训人次", None, None),
    ("下降", None, None),
]


@pytest.mark.parametrize(("name", "op", "reason"), NAMES, ids=[n for n, _, _ in NAMES])
def test_direction_from_the_name(name, op, reason):
    row = infer_direction(pd.Series([name])).iloc[0]
    assert row["op"] == op
    assert row["reason"] == reason


DIRECTIONS = [
    ("≤", "≤"),
    ("<=", "≤"),
    ("小于等于", "≤"),
    ("反向", "≤"),
    ("逆向指标", "≤"),
    ("≤(反向)", "≤"),
    ("＜＝", "≤"),
    ("≥", "≥"),
    ("正向", "≥"),
    ("不低于", "≥"),
]


@pytest.mark.parametrize(("cell", "op"), DIRECTIONS, ids=[c for c, _ in DIRECTIONS])
def test_direction_column_wins_over_the_name(cell, op):
    row = infer_direction(pd.Series(["培训人次"]), pd.Series([cell])).iloc[0]
    assert row["op"] == op
    assert row["reason"] == f"指标性质列为“{cell}”"
    forced = infer_direction(pd.Series(["投诉率"]), pd.Series([cell])).iloc[0]
    assert forced["op"] == op


def test_direction_column_without_a_direction_leaves_the_name_rules():
    out = infer_direction(
        pd.Series(["投诉率", "投诉率", "培训人次"], index=[7, 8, 9]),
        pd.Series(["定量", None, "="], index=[7, 8, 9]),
    )
    assert list(out.index) == [7, 8, 9]
    assert out["op"].tolist() == ["≤", "≤", None]


def test_direction_handles_missing_and_odd_names():
    out = infer_direction(pd.Series([None, np.nan, 12, "", "投诉率"], dtype="object"))
    assert out["op"].tolist() == [None, None, None, None, "≤"]
    assert list(out.columns) == ["op", "reason"]
    assert len(infer_direction(pd.Series([], dtype="object"))) == 0


def test_direction_column_as_a_list_is_taken_in_order():
    out = infer_direction(pd.Series(["a", "b"], index=["x", "y"]), ["≤", None])
    assert out["op"].tolist() == ["≤", None]
