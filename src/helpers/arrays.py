"""Small numpy helpers shared by the parser, the scoring engine and the narrative."""

from __future__ import annotations

import numpy as np


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
