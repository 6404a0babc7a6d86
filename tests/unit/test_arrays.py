"""helpers.arrays: factorize_objects is pd.factorize, whether cells share objects or not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.arrays import factorize_objects


def _texts(n: int, seed: int, *, shared: bool) -> np.ndarray:
    """``n`` cells of a few hundred texts with None and NaN, one object per text or per cell."""
    rng = np.random.default_rng(seed)
    words = [f"≥{k}次" for k in range(300)] + ["达成", "", " "]
    picks = rng.integers(len(words) + 2, size=n)
    cells = np.empty(n, dtype=object)
    for i, k in enumerate(picks.tolist()):
        if k == len(words):
            cells[i] = None
        elif k == len(words) + 1:
            cells[i] = float("nan")  # a new NaN object each time, as openpyxl or pickle give
        else:
            # "".join makes a new string object with the same text
            cells[i] = words[k] if shared else "".join([words[k]])
    return cells


@pytest.mark.parametrize("shared", [True, False], ids=["one object per text", "per cell"])
@pytest.mark.parametrize("n", [0, 1, 100, 50_000])
def test_same_as_pd_factorize(n: int, shared: bool) -> None:
    cells = _texts(n, seed=n, shared=shared)
    codes, uniques = factorize_objects(cells)
    expected_codes, expected_uniques = pd.factorize(cells)
    np.testing.assert_array_equal(codes, expected_codes)
    assert uniques.tolist() == expected_uniques.tolist()


def test_equal_texts_in_different_objects_get_one_code() -> None:
    """Cells shared in the first rows, then the same texts as new objects: still one code each."""
    head = _texts(10_000, seed=1, shared=True)
    tail = np.array(["".join([t]) if isinstance(t, str) else t for t in head], dtype=object)
    cells = np.concatenate([head, tail])
    codes, uniques = factorize_objects(cells)
    np.testing.assert_array_equal(codes[:10_000], codes[10_000:])
    assert len(uniques) == len({t for t in head.tolist() if isinstance(t, str)})


def test_a_string_column_of_read_csv_shares_objects_and_gives_the_same_codes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.csv"
    cells = _texts(20_000, seed=7, shared=True)
    pd.DataFrame({"target": cells}).to_csv(path, index=False)
    column = np.asarray(pd.read_csv(path, dtype="str")["target"], dtype=object)
    codes, uniques = factorize_objects(column)
    expected_codes, expected_uniques = pd.factorize(column)
    np.testing.assert_array_equal(codes, expected_codes)
    assert uniques.tolist() == expected_uniques.tolist()
