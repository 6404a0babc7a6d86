"""Small numpy helpers shared by the parser, the scoring engine and the narrative."""

from __future__ import annotations

import ctypes

import numpy as np
import pandas as pd


def repeated(value: object, n: int) -> np.ndarray:
    """An object array of ``n`` references to ``value``.

    ``np.full(n, "text", dtype=object)`` casts the text to a numpy string and back, making a
    new Python string for every cell.

    Example:
        >>> cells = repeated("达成", 3)
        >>> cells.tolist(), cells[0] is cells[2]
        (['达成', '达成', '达成'], True)
    """
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


_SAMPLE_CELLS = 4096  # cells looked at to decide how to factorise a column


def _addresses(values: np.ndarray) -> np.ndarray:
    """The address of every object of a C-contiguous object array (CPython's ``id``).

    A copy: a view of the array's buffer would not keep the array alive.
    """
    buffer = (ctypes.c_ssize_t * len(values)).from_address(values.__array_interface__["data"][0])
    return np.ctypeslib.as_array(buffer).copy()


def factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of an object array, hashing each distinct object once.

    A text column read by ``pandas.read_csv`` holds one string object per distinct text, so its
    cells are first told apart by their objects' addresses (whole numbers, hashed in C without
    touching the strings), and only one cell per distinct object is then factorised by value.
    The result is the same as ``pd.factorize(values)``: codes in order of first appearance,
    -1 for a missing value, the same objects as distinct values. A column whose first cells
    are mostly objects of their own (as a workbook reader gives, or texts that all differ) is
    factorised by value directly.

    Example:
        >>> texts = np.array(["≥3次", None, "达成", "≥3次", "≥3次".encode().decode()], dtype=object)
        >>> codes, uniques = factorize_objects(texts)
        >>> codes.tolist(), uniques.tolist()
        ([0, -1, 1, 0, 0], ['≥3次', '达成'])
    """
    values = np.ascontiguousarray(values, dtype=object)
    n = len(values)
    if n < 2 * _SAMPLE_CELLS:
        return pd.factorize(values)
    if len(pd.unique(_addresses(values[:_SAMPLE_CELLS]))) > _SAMPLE_CELLS // 2:
        return pd.factorize(values)  # most cells are objects of their own: nothing to gain
    object_codes, objects = pd.factorize(_addresses(values))
    one_cell_of = np.empty(len(objects), dtype=np.intp)
    one_cell_of[object_codes] = np.arange(n)  # any cell of an object will do: they are one
    value_codes, uniques = pd.factorize(values[one_cell_of])
    return value_codes[object_codes], uniques
