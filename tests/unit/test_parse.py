"""helpers.parse: written targets and actuals become kind / op / value / unit / deadline / grade."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import parse
from helpers.parse import PARSED_COLUMNS, parse_indicator_values, remembering_parses
from helpers.paths import REPO_ROOT
from helpers.scoring import score_rows

SEED_DIR = REPO_ROOT / "data" / "2021" / "高新区科技局"


def numeric(op: str, value: float, unit: str | None, approx: bool = False) -> dict:
    return {"kind": "numeric", "op": op, "value": value, "unit": unit, "is_approx": approx}


def deadline(date: str, grade: str | None = None) -> dict:
    expected = {"kind": "deadline", "op": "≤", "deadline": date, "value": None}
    if grade is not None:
        expected["grade"] = grade
    return expected


def duration(value: float, unit: str) -> dict:
    return {"kind": "deadline", "op": "≤", "value": value, "unit": unit}


def qualitative(grade: str | None) -> dict:
    return {"kind": "qualitative", "op": None, "value": None, "grade": grade}


def parse_one(text: object, fiscal_year: int | None = None) -> pd.Series:
    parsed = parse_indicator_values(pd.Series([text], dtype="object"), fiscal_year)
    assert list(parsed.columns) == list(PARSED_COLUMNS)
    return parsed.iloc[0]


def assert_parsed(row: pd.Series, expected: dict) -> None:
    """Compare the fields named in ``expected``; None means missing (None / NaN / NaT)."""
    for key, want in expected.items():
        got = row[key]
        if want is None:
            assert got is None or pd.isna(got), f"{key}: expected missing, got {got!r}"
        elif key == "value":
            assert got == pytest.approx(want, rel=1e-12), f"value: {got!r} != {want!r}"
        elif key == "deadline":
            assert pd.Timestamp(got) == pd.Timestamp(want), f"deadline: {got!r} != {want!r}"
        else:
            assert got == want, f"{key}: {got!r} != {want!r}"
    if "is_parsed" not in expected:
        assert bool(row["is_parsed"]) is True


# Every distinct target and actual text of the seed's indicators.csv, with what it must become.
SEED_TEXTS: dict[str, dict] = {
    "0个": numeric("=", 0, "个"),
    "1.5084亿元": numeric("=", 15084, "万元"),
    "100%": numeric("=", 100, "%"),
    "100人次": numeric("=", 100, "人次"),
    "108个单位": numeric("=", 108, "个"),
    "108个单位代表参会": numeric("=", 108, "个"),
    "108人": numeric("=", 108, "人"),
    "10个": numeric("=", 10, "个"),
    "10家": numeric("=", 10, "家"),
    "11家": numeric("=", 11, "家"),
    "11次": numeric("=", 11, "次"),
    "120人次": numeric("=", 120, "人次"),
    "12月前完成拨付": deadline("2021-12-31", "达成"),
    "13家": numeric("=", 13, "家"),
    "15人次": numeric("=", 15, "人次"),
    "15处": numeric("=", 15, "处"),
    "16个": numeric("=", 16, "个"),
    "1次": numeric("=", 1, "次"),
    "2021年12月前": deadline("2021-12-31"),
    "2021年12月前完成拨付": deadline("2021-12-31", "达成"),
    "20个": numeric("=", 20, "个"),
    "20场": numeric("=", 20, "场"),
    "23场": numeric("=", 23, "场"),
    "24家": numeric("=", 24, "家"),
    "285个": numeric("=", 285, "个"),
    "2项": numeric("=", 2, "项"),
    "300人": numeric("=", 300, "人"),
    "300家": numeric("=", 300, "家"),
    "34个": numeric("=", 34, "个"),
    "35人": numeric("=", 35, "人"),
    "35人次": numeric("=", 35, "人次"),
    "36个": numeric("=", 36, "个"),
    "37人": numeric("=", 37, "人"),
    "381家": numeric("=", 381, "家"),
    "4个": numeric("=", 4, "个"),
    "4次": numeric("=", 4, "次"),
    "5000人次以上": numeric("≥", 5000, "人次", approx=True),
    "5000余份": numeric("=", 5000, "份", approx=True),
    "500人": numeric("=", 500, "人"),
    "55次": numeric("=", 55, "次"),
    "5个": numeric("=", 5, "个"),
    "5处": numeric("=", 5, "处"),
    "5次": numeric("=", 5, "次"),
    "6000余人": numeric("=", 6000, "人", approx=True),
    "6000余份": numeric("=", 6000, "份", approx=True),
    "681.5307万元": numeric("=", 681.5307, "万元"),
    "6场": numeric("=", 6, "场"),
    "6家": numeric("=", 6, "家"),
    "700余次": numeric("=", 700, "次", approx=True),
    "800万元": numeric("=", 800, "万元"),
    "87%": numeric("=", 87, "%"),
    "8个": numeric("=", 8, "个"),
    "8家": numeric("=", 8, "家"),
    "8项": numeric("=", 8, "项"),
    "90%": numeric("=", 90, "%"),
    "90%以上": numeric("≥", 90, "%", approx=True),
    "95%": numeric("=", 95, "%"),
    "98%": numeric("=", 98, "%"),
    "99.3%": numeric("=", 99.3, "%"),
    "99.8%": numeric("=", 99.8, "%"),
    "不低于1.5亿元": numeric("≥", 15000, "万元"),
    "不低于20场": numeric("≥", 20, "场"),
    "不低于30个": numeric("≥", 30, "个"),
    "不低于30次": numeric("≥", 30, "次"),
    "不低于90%": numeric("≥", 90, "%"),
    "不少于1500份": numeric("≥", 1500, "份"),
    "不少于2000份": numeric("≥", 2000, "份"),
    "不少于500人": numeric("≥", 500, "人"),
    "不少于90%": numeric("≥", 90, "%"),
    "不超过360天": duration(360, "天"),
    "不高于5万元": numeric("≤", 5, "万元"),
    "举办一场高质量培训会": numeric("=", 1, "场"),
    "完成一场会议": numeric("=", 1, "场"),
    "对企业运营有显著正向意义": qualitative("达成"),
    "小于681.5307万元": numeric("<", 681.5307, "万元"),
    "形成较好创新带动示范作用": qualitative("达成"),
    "显著提高长期对企业寻求银行信贷支持的正面影响": qualitative("达成"),
    "显著提高长期对营商环境发展的正面影响": qualitative("达成"),
    "显著改善营商环境的发展": qualitative("达成"),
    "显著改善长期对企业发展生态环境的正面影响": qualitative("达成"),
    "显著的改善了区内创新创业环境": qualitative("达成"),
    "显著缩短企业兑现政策时间": qualitative("达成"),
    "未超过360天": duration(360, "天"),
    "未超预算": qualitative("达成"),
    "进一步完善会议使用长效管理制度健全性": qualitative("达成"),
}


def test_seed_texts_table_lists_every_distinct_seed_text():
    table = pd.read_csv(SEED_DIR / "indicators.csv", dtype=str, keep_default_na=False)
    texts = set(table["target"]) | set(table["actual"])
    texts.discard("")
    assert texts == set(SEED_TEXTS)


@pytest.mark.parametrize(("text", "expected"), SEED_TEXTS.items(), ids=list(SEED_TEXTS))
def test_seed_text(text, expected):
    assert_parsed(parse_one(text, fiscal_year=2021), expected)


def test_seed_texts_parsed_as_one_column_give_the_same_results():
    texts = pd.Series(list(SEED_TEXTS), dtype="object")
    parsed = parse_indicator_values(texts, 2021)
    for i, expected in enumerate(SEED_TEXTS.values()):
        assert_parsed(parsed.iloc[i], expected)


REAL_TABLE_TEXTS: list[tuple[str, int | None, dict]] = [
    ("≥3次", None, numeric("≥", 3, "次")),
    ("=8个", None, numeric("=", 8, "个")),
    ("≤202.6万元", None, numeric("≤", 202.6, "万元")),
    ("2022年底之前", None, deadline("2022-12-31")),
    ("达成预期指标", None, qualitative("达成")),
    ("≥20场", None, numeric("≥", 20, "场")),
    ("不低于 90%", None, numeric("≥", 90, "%")),
    ("2021 年 12 月前", None, deadline("2021-12-31")),
    ("6000 余人", None, numeric("=", 6000, "人", approx=True)),
    ("1.5 亿元", None, numeric("=", 15000, "万元")),
    ("显著改善", None, qualitative("达成")),
    ("未超预算", None, qualitative("达成")),
    ("不超过 360 天", None, duration(360, "天")),
    ("部分达成", None, qualitative("部分达成")),
    ("合规", None, qualitative("达成")),
    ("及时", None, qualitative("达成")),
    ("5000人次以上", None, numeric("≥", 5000, "人次", approx=True)),
    ("12月前", 2021, deadline("2021-12-31")),
    # Further phrasings the data format documents.
    ("未达成", None, qualitative("未达成")),
    ("不合规", None, qualitative("未达成")),
    ("基本达成", None, qualitative("部分达成")),
    ("2021年上半年", None, deadline("2021-06-30")),
    ("2021年6月15日前", None, deadline("2021-06-15")),
    ("12月前", 2022, deadline("2022-12-31")),
    ("不超过 90%", None, numeric("≤", 90, "%")),
    ("大于3个", None, numeric(">", 3, "个")),
    ("小于5%", None, numeric("<", 5, "%")),
    ("30个以内", None, numeric("≤", 30, "个")),
    ("约100人", None, numeric("=", 100, "人", approx=True)),
    ("100人左右", None, numeric("=", 100, "人", approx=True)),
    ("９０％", None, numeric("=", 90, "%")),
    ("5000元", None, numeric("=", 0.5, "万元")),
    ("1,234.5万元", None, numeric("=", 1234.5, "万元")),
    ("-2个", None, numeric("=", -2, "个")),
    ("-3.5%", None, numeric("=", -3.5, "%")),
    ("增长率－2%", None, numeric("=", -2, "%")),  # full-width minus
    ("不低于−5%", None, numeric("≥", -5, "%")),  # U+2212 minus
]


@pytest.mark.parametrize(
    ("text", "fiscal_year", "expected"),
    REAL_TABLE_TEXTS,
    ids=[f"{text}|{year}" for text, year, _ in REAL_TABLE_TEXTS],
)
def test_real_table_phrasing(text, fiscal_year, expected):
    assert_parsed(parse_one(text, fiscal_year), expected)


@pytest.mark.parametrize("text", ["高质量", "？？", "—", "见附件", "✓"])
def test_unparseable_text_is_qualitative_and_not_parsed(text):
    row = parse_one(text, 2021)
    assert row["kind"] == "qualitative"
    assert bool(row["is_parsed"]) is False
    assert row["grade"] is None or pd.isna(row["grade"])
    assert math.isnan(row["value"])


@pytest.mark.parametrize("text", [None, np.nan, pd.NA, "", "   ", "\u3000"])
def test_missing_or_empty_value_is_kind_missing(text):
    row = parse_one(text, 2021)
    assert row["kind"] == "missing"
    assert math.isnan(row["value"])
    assert pd.isna(row["deadline"])
    assert row["op"] is None or pd.isna(row["op"])
    assert row["grade"] is None or pd.isna(row["grade"])


def test_result_keeps_the_input_index_and_maps_repeated_texts_back():
    texts = pd.Series(
        ["≥3次", "高质量", None, "≥3次", "2021年12月前", "不低于 90%", "不低于90%"],
        index=[70, 30, 10, 90, 50, 20, 40],
        dtype="object",
    )
    parsed = parse_indicator_values(texts, 2021)
    assert list(parsed.index) == [70, 30, 10, 90, 50, 20, 40]
    assert parsed["kind"].to_dict() == {
        70: "numeric",
        30: "qualitative",
        10: "missing",
        90: "numeric",
        50: "deadline",
        20: "numeric",
        40: "numeric",
    }
    assert parsed.loc[[70, 90, 20, 40], "value"].tolist() == [3.0, 3.0, 90.0, 90.0]
    assert parsed.loc[[70, 90, 20, 40], "unit"].tolist() == ["次", "次", "%", "%"]
    assert parsed["is_parsed"].to_dict() == {
        70: True,
        30: False,
        10: True,
        90: True,
        50: True,
        20: True,
        40: True,
    }


def test_string_index_is_kept():
    parsed = parse_indicator_values(pd.Series(["4个", "部分达成"], index=["a", "b"]), None)
    assert list(parsed.index) == ["a", "b"]
    assert parsed.loc["a", "value"] == 4.0
    assert parsed.loc["b", "grade"] == "部分达成"


def test_empty_and_all_missing_columns():
    empty = parse_indicator_values(pd.Series([], dtype="object"), 2021)
    assert len(empty) == 0
    assert list(empty.columns) == list(PARSED_COLUMNS)

    missing = parse_indicator_values(pd.Series([None, ""], index=[5, 7], dtype="object"), 2021)
    assert list(missing.index) == [5, 7]
    assert missing["kind"].tolist() == ["missing", "missing"]


def test_non_text_values_are_read_as_their_text():
    parsed = parse_indicator_values(pd.Series([5, 3.5], dtype="object"), None)
    assert parsed["kind"].tolist() == ["numeric", "numeric"]
    assert parsed["value"].tolist() == [5.0, 3.5]


def test_column_types():
    parsed = parse_indicator_values(pd.Series(["≥3次", "2021年12月前", None, "高质量"]), 2021)
    assert parsed["value"].dtype == "float64"
    assert str(parsed["deadline"].dtype).startswith("datetime64")
    assert parsed["is_approx"].dtype == bool
    assert parsed["is_parsed"].dtype == bool


def test_duo_yu_is_an_operator_not_an_approximation():
    parsed = parse_indicator_values(pd.Series(["多于5次", "5000多人"]))
    assert parsed["op"].tolist() == [">", "="]
    assert parsed["is_approx"].tolist() == [False, True]


def test_impossible_years_are_not_deadlines_and_do_not_raise():
    parsed = parse_indicator_values(pd.Series(["0000年1月前", "9999年12月前", "2021年12月前"]))
    assert parsed["deadline"].isna().tolist() == [True, True, False]


# Misreadings a generator of realistic tables found; each pair is scored as the words say.
MISREAD_PAIRS = [
    # (target, actual, fraction of the weight)
    ("按期完成", "未按期完成", 0.3),  # 未…完成 negates: 未达成, not 达成
    ("按期完成", "没有按时完成", 0.3),
    ("形成报告", "尚未形成", 0.3),
    ("形成报告", "暂未形成", 0.3),
    ("形成报告", "形成报告", 1.0),
    ("全部完成", "未全部完成", 0.7),  # some of it done: 部分达成
    ("≥2.5万卷", "2.5万卷", 1.0),  # a count of volumes, not 2.5 万元
    ("≥2.5万卷", "25000卷", 1.0),
    ("≥2.5万卷", "2万卷", 0.8),
    ("验收合格", "验收一次性通过", 1.0),  # "in one go": 达成, not the number 1次
]


@pytest.mark.parametrize(("target", "actual", "fraction"), MISREAD_PAIRS)
def test_misreadings_found_by_the_generator_score_as_the_words_say(target, actual, fraction):
    scored = score_rows(
        parse_indicator_values(pd.Series([target]), 2022),
        parse_indicator_values(pd.Series([actual]), 2022),
    )
    assert scored["fraction"].iloc[0] == pytest.approx(fraction)


# Texts that differ only in their digits share one reading of the rest (the scan's shapes):
# zeros, thousands separators, scales, ranges, dates and words on either side of the number.
SHAPED_TEXTS = [
    "≤681.5307万元",
    "≤202.6万元",
    "0起",
    "5起",
    "0.0起",
    "10起",
    "安全事故0次",
    "安全事故3次",
    "=0个",
    "0个",
    "1,000万元",
    "0,000人",
    "1.5亿",
    "2万人次",
    "3千米",
    "3千人",
    "6000余人",
    "90%以上",
    "不低于90%",
    "达到95%",
    "实际完成12户",
    "未完成3个",
    "0",
    "00",
    "0.00",
    "12",
    "3-5个",
    "2021年12月前",
    "12月前",
    "2022.9.30",
    "1.2.3",
    "附件3",
    "零投诉",
    "无",
    "达成",
    "第3季度",
    "5个工作日以内",
    "360天",
    "部门3个",
    "种植5亩",
    "0 起",
    "1,00个",
]


def test_scan_by_shape_reads_each_text_as_alone():
    from helpers.parse import _scan_columns, _scan_text

    columns = _scan_columns(SHAPED_TEXTS, 2021)
    for i, text in enumerate(SHAPED_TEXTS):
        alone = _scan_text(text, 2021)
        shaped = tuple(column[i] for column in columns)
        assert shaped == alone, text
        assert [type(v) for v in shaped] == [type(v) for v in alone], text


def test_zero_of_a_shape_keeps_its_own_operator():
    parsed = parse_indicator_values(pd.Series(["0起", "5起", "安全事故0次", "安全事故2次"]))
    assert parsed["op"].tolist() == ["≤", "=", "≤", "="]
    assert parsed["value"].tolist() == [0.0, 5.0, 0.0, 2.0]


def _real_and_generated_texts() -> list[str]:
    """Every target and actual text of the shipped data, the corpus and a generated district."""
    import tempfile
    from pathlib import Path

    from helpers import paths
    from helpers.evaluation import evaluate_path
    from helpers.synthetic import write_district

    texts: set[str] = set()
    roots = [paths.REPO_ROOT / "data" / "2021" / "高新区科技局"]
    roots += sorted((paths.REPO_ROOT / "data" / "district").glob("*/*"))
    roots += sorted((paths.REPO_ROOT / "tests" / "fixtures" / "corpus").glob("*/*.xls*"))
    with tempfile.TemporaryDirectory() as temp:
        roots += write_district(Path(temp), 12, seed=7)
        for root in roots:
            try:
                indicators = evaluate_path(root).dataset.indicators
            except Exception:  # a corpus file that is not a whole dataset on its own
                continue
            for column in ("target", "actual"):
                texts.update(t for t in indicators[column].dropna().astype(str) if t)
    return sorted(texts)


def test_reading_by_shape_never_depends_on_which_digits_a_text_has():
    """The rule _scan_columns relies on, enforced on real texts with their digits replaced.

    Texts that differ only in their digits share one reading of their shape; that is right only
    while no pattern of that path tells one digit from another. Every real and generated text is
    read together with variants of itself (each digit replaced, zeros included) and each must
    read exactly as it does alone.
    """
    import random

    from helpers.parse import _scan_columns, _scan_text

    rng = random.Random(2021)
    texts = _real_and_generated_texts()
    assert len(texts) > 500
    variants = [
        "".join(rng.choice("0123456789") if c.isdigit() else c for c in text)
        for text in texts
        for _ in range(3)
    ]
    batch = texts + variants
    columns = _scan_columns(batch, 2021)
    for i, text in enumerate(batch):
        shaped = tuple(column[i] for column in columns)
        assert shaped == _scan_text(text, 2021), text


def test_remembered_parses_are_the_parses() -> None:
    """Within ``remembering_parses`` a batch of texts reads exactly as a fresh parse reads it.

    The first batch has numbers only, so the remembered table starts without dates or grades;
    the later batches mix remembered and new texts, and another fiscal year.
    """
    batches = [
        (["≥3次", "100%", "=8个", None], 2021),
        (["100%", "达成预期指标", "2021年12月前", "12月前", "  ", "部分达成", "≥3次"], 2021),
        (["12月前", "≤5天", "1.5亿元", "未达成", 0.985], 2022),
        (["12月前", "3-5个", "零投诉"], 2021),
    ]
    fresh = [
        parse_indicator_values(pd.Series(texts, dtype=object), year) for texts, year in batches
    ]
    with remembering_parses():
        remembered = [
            parse_indicator_values(pd.Series(texts, dtype=object), year) for texts, year in batches
        ]
        assert len(parse._MEMO.years[2021]) == 9  # each distinct normalised text once
    for got, expected in zip(remembered, fresh, strict=True):
        pd.testing.assert_frame_equal(got, expected)
    assert not parse._MEMO.is_on and not parse._MEMO.years  # forgotten after the block
