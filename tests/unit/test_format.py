"""helpers.format: amounts, rates and scores written the way the reports write them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.format import (
    MISSING,
    format_number,
    format_pct,
    format_score,
    format_wan,
    format_yi,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (681.5307, "681.5307"),
        (310.0, "310"),
        (310, "310"),
        (2.0083, "2.0083"),
        (4.375, "4.375"),
        (7392.553, "7392.553"),
        (12432.6782, "12432.6782"),
        (12432.67820001, "12432.6782"),  # float noise of a sum
        (12432.678199999, "12432.6782"),
        (0.00005, "0.0001"),  # half-up
        (-0.00001, "0"),  # no "-0"
        (0, "0"),
        (np.float64(39732.0), "39732"),
    ],
)
def test_format_wan(value, expected):
    assert format_wan(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(99.97, "99.97%"), (100.0, "100%"), (99.3, "99.3%"), (96.4, "96.4%"), (66.665, "66.67%")],
)
def test_format_pct(value, expected):
    assert format_pct(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(92.5, "92.5"), (100.0, "100"), (99.855, "99.86")])
def test_format_score(value, expected):
    assert format_score(value) == expected


def test_format_yi():
    assert format_yi(15084.0) == "1.5084亿元"
    assert format_yi(15000) == "1.5亿元"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "abc"])
@pytest.mark.parametrize("formatter", [format_wan, format_pct, format_score, format_yi])
def test_missing_values_are_a_dash(formatter, missing):
    assert formatter(missing) == MISSING == "—"


def test_format_number_decimals():
    assert format_number(1.23456, 2) == "1.23"
    assert format_number(1.235, 2) == "1.24"
    assert format_number(2.5, 0) == "3"
