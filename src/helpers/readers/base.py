"""What every reader returns: the dataset's tables as text, each row knowing where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

WHERE_COLUMN = "_where"
"""Per row: where the row is in its file (``第 3 行``, ``工作表「项目1」第 12 行``)."""
CELLS_COLUMN = "_cells"
"""Per row: a dict from column name to the cell it was read from (``工作表「项目1」C7``)."""


@dataclass
class SourceTables:
    """One dataset as read from its files, before validation.

    Attributes:
        layout: which reader read it (``folder``, ``workbook``, ``form``).
        files: display file name of each table (``department``, ``projects``, ``indicators``).
        department: the department mapping (as in ``department.yaml``).
        projects: one row per project, every cell text or None, plus :data:`WHERE_COLUMN` and
            :data:`CELLS_COLUMN`.
        indicators: one row per indicator, likewise.
        notes: what the reader did that an analyst should know (encoding assumed, totals
            recomputed, labels read), in Chinese then English.
    """

    layout: str
    files: dict[str, str]
    department: dict[str, Any]
    projects: pd.DataFrame
    indicators: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def text_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A frame of text cells (object dtype, None for empty) with the given columns first."""
    extra = [c for row in rows for c in row if c not in columns and c.startswith("_")]
    ordered = list(dict.fromkeys([*columns, *extra]))
    frame = pd.DataFrame(rows, columns=ordered, dtype=object)
    return frame.astype(object).where(frame.notna(), None)
