"""The one error every reader raises, carrying problems that name file, place, value and rule."""

from __future__ import annotations

from dataclasses import dataclass

_MAX_VALUE_CHARS = 80


def show_value(value: object) -> str:
    r"""A value as it may be printed in a message: control characters visible, long text cut.

    Example:
        >>> show_value("a\x1b[2Jb"), show_value("x" * 100).endswith("x…（共 100 字）")
        ('a\\x1b[2Jb', True)
    """
    text = str(value)
    out = []
    for ch in text:
        code = ord(ch)
        if code < 32 or 127 <= code < 160 or ch in "\u200b\u200c\u200d\u2028\u2029\ufeff":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    shown = "".join(out)
    if len(shown) > _MAX_VALUE_CHARS:
        shown = f"{shown[:_MAX_VALUE_CHARS]}…（共 {len(text)} 字）"
    return shown


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, with enough context to fix it.

    ``row`` is the line in a CSV file (header = 1) or the row of a sheet; ``cell`` replaces it
    when the reader knows the exact cell (``工作表「项目1」C7``).
    """

    file: str
    row: int | None
    column: str | None
    value: object
    expected_zh: str
    expected_en: str
    cell: str | None = None

    def __str__(self) -> str:
        where_zh = where_en = self.cell or self.file
        if not self.cell and self.row is not None:
            where_zh += f" 第 {self.row} 行"
            where_en += f" row {self.row}"
        if self.column:
            where_zh += f"，列 {self.column}"
            where_en += f", column {self.column}"
        shown = None if self.value is None else show_value(self.value)
        value = "" if shown is None else f"值 “{shown}”："
        value_en = "" if shown is None else f'value "{shown}": '
        return (
            f"[{where_zh}] {value}{self.expected_zh}。 / [{where_en}] {value_en}{self.expected_en}."
        )


class ReadError(Exception):
    """The input cannot be used; ``problems`` says exactly why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def about(
        cls, file: str, expected_zh: str, expected_en: str, row: int | None = None
    ) -> ReadError:
        """The error of one problem with a whole file (or one of its rows)."""
        return cls([Problem(file, row, None, None, expected_zh, expected_en)])
