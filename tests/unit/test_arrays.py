"""helpers.arrays: factorize_objects is pd.factorize, whether cells share objects or not."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest

from helpers import arrays
from helpers.arrays import factorize_objects

WORDS = [f"≥{k}次" for k in range(300)] + ["达成", "", " ", "\ud800孤"]  # a lone surrogate too
NEW_NAN = object()  # stands for a new NaN object in each cell
ODD_CELLS = [1, 1.0, True, np.int64(1), np.True_, 0.0, -0.0, pd.NA, pd.NaT, np.nan, b"x", (1,)]


def _copy(text: str) -> str:
    """The same text as a new string object (``"".join([s])`` would hand back ``s`` itself;
    CPython keeps one object for "" and each single character whatever one does)."""
    out = (text + "\0")[:-1]
    assert out == text and (out is not text or len(text) < 2)
    return out


def _cells(n: int, seed: int, *, shared: bool, odd: bool = False) -> np.ndarray:
    """``n`` cells of a few hundred texts with None and NaN: one object per text, or per cell."""
    rng = np.random.default_rng(seed)
    extra = [None, NEW_NAN] + (ODD_CELLS if odd else [])
    picks = rng.integers(len(WORDS) + len(extra), size=n).tolist()
    cells = np.empty(n, dtype=object)
    for i, k in enumerate(picks):
        if k < len(WORDS):
            cells[i] = WORDS[k] if shared else _copy(WORDS[k])
        elif extra[k - len(WORDS)] is NEW_NAN:
            cells[i] = float("nan")  # a new NaN object each time, as openpyxl or pickle give
        else:
            cells[i] = extra[k - len(WORDS)]
    return cells


def assert_same_as_pd_factorize(cells: np.ndarray) -> None:
    codes, uniques = factorize_objects(cells)
    expected_codes, expected_uniques = pd.factorize(cells)
    np.testing.assert_array_equal(codes, expected_codes)
    assert len(uniques) == len(expected_uniques)
    assert all(a is b for a, b in zip(uniques, expected_uniques, strict=True)), "other objects"


@pytest.mark.parametrize("odd", [False, True], ids=["texts", "texts and odd cells"])
@pytest.mark.parametrize("shared", [True, False], ids=["one object per text", "per cell"])
@pytest.mark.parametrize("n", [0, 1, 100, 50_000])
def test_same_as_pd_factorize(n: int, shared: bool, odd: bool) -> None:
    assert_same_as_pd_factorize(_cells(n, seed=n, shared=shared, odd=odd))


def test_equal_texts_in_other_objects_get_the_code_of_the_first() -> None:
    """Shared objects in the first cells (the object route is taken), then the same texts as
    new objects: each text still has one code."""
    head = _cells(20_000, seed=1, shared=True)
    tail = np.array([_copy(t) if isinstance(t, str) else t for t in head], dtype=object)
    cells = np.concatenate([head, tail])
    codes, uniques = factorize_objects(cells)
    np.testing.assert_array_equal(codes[:20_000], codes[20_000:])
    assert len(uniques) == len({t for t in head.tolist() if isinstance(t, str)})
    assert_same_as_pd_factorize(cells)


def test_each_route_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shared cells go by address; cells of their own go by value at once (no double work)."""
    calls: list[str] = []
    real = arrays._addresses
    monkeypatch.setattr(arrays, "_addresses", lambda v: calls.append(len(v)) or real(v))
    factorize_objects(_cells(50_000, seed=2, shared=True))
    assert calls == [arrays._SAMPLE_CELLS, 50_000]
    calls.clear()
    factorize_objects(np.array([str(k) for k in range(50_000)], dtype=object))  # all differ
    assert calls == [arrays._SAMPLE_CELLS]


def test_odd_arrays_are_handled_as_pd_factorize_does() -> None:
    cells = _cells(30_000, seed=3, shared=True, odd=True)
    assert_same_as_pd_factorize(cells[::-1])  # not contiguous
    assert_same_as_pd_factorize(cells[::3])
    assert_same_as_pd_factorize(np.array([decimal.Decimal("NaN")] * 9000, dtype=object))


def test_a_string_column_of_read_csv_shares_objects_and_gives_the_same_codes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.csv"
    cells = _cells(20_000, seed=7, shared=True)
    cells[cells == "\ud800孤"] = "孤"  # to_csv refuses a lone surrogate
    pd.DataFrame({"target": cells}).to_csv(path, index=False)
    column = np.asarray(pd.read_csv(path, dtype="str")["target"], dtype=object)
    assert len({id(c) for c in column}) < 400  # one object per distinct text
    assert_same_as_pd_factorize(column)
