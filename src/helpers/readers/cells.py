"""Cell values as analysts meant them: Excel-typed numbers, percents and dates become text.

Every reader hands the validator *text*, exactly as the analyst would read the cell on screen,
so that one schema checks every layout. Excel stores what a person types in a cell as a typed
value plus a number format: ``98.5%`` typed into a cell is the number ``0.985`` with the format
``0.0%``; ``2022-09-30`` is a date. Reading the stored value alone turns the percent into 0.985
and the date into a serial number, which is how a project once fell from 99.85 to 90.1 points.
:func:`cell_text` reads value and format together.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

_PERCENT_FORMAT = re.compile(r"(?<!\\)%")
_DATE_FORMAT_CODES = re.compile(r"[ymdhs]|年|月|日", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def format_number(value: float | int | Decimal) -> str:
    """Shortest text that reads back as the same number, without float noise or exponent.

    Example:
        >>> format_number(681.5307), format_number(50.0), format_number(0.1 + 0.2)
        ('681.5307', '50', '0.3')
        >>> format_number(1e-05), format_number(12345678901.0)
        ('0.00001', '12345678901')
    """
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    # 15 significant digits is what Excel shows and stores faithfully; it drops binary noise.
    text = format(Decimal(repr(float(f"{number:.15g}"))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def is_percent_format(number_format: str | None) -> bool:
    """Whether an Excel number format shows the value times 100 with a percent sign.

    Example:
        >>> is_percent_format("0.00%"), is_percent_format('0.0"%"'), is_percent_format("General")
        (True, False, False)
    """
    if not number_format:
        return False
    bare = _QUOTED.sub("", number_format)
    return bool(_PERCENT_FORMAT.search(bare))


def is_date_format(number_format: str | None) -> bool:
    """Whether an Excel number format shows a date (``yyyy-mm-dd``, ``yyyy"年"m"月"d"日"``).

    Example:
        >>> is_date_format("yyyy/m/d"), is_date_format('yyyy"年"m"月"d"日"'), is_date_format("0.00")
        (True, True, False)
    """
    if not number_format or number_format == "General":
        return False
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)
    return bool(_DATE_FORMAT_CODES.search(bare)) or "年" in number_format


def format_date(value: dt.date | dt.datetime) -> str:
    """A date as ``YYYY-MM-DD`` (the time is kept only when it is not midnight).

    Example:
        >>> format_date(dt.datetime(2022, 9, 30)), format_date(dt.datetime(2022, 9, 30, 14, 5))
        ('2022-09-30', '2022-09-30 14:05')
    """
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def cell_text(value: object, number_format: str | None = None) -> str | None:
    """The text a cell shows, from its stored value and number format.

    Args:
        value: what the workbook stores (``str``, ``int``, ``float``, ``bool``, date/time, None).
        number_format: the cell's Excel number format (``0.00%``, ``yyyy-mm-dd``, ``General``).

    Returns:
        The text, or None for an empty cell. Percent-formatted numbers become ``98.5%``, dates
        ``2022-09-30``, other numbers their shortest exact text; text is stripped.

    Example:
        >>> cell_text(0.985, "0.0%"), cell_text(1, "0%"), cell_text(310, "General")
        ('98.5%', '100%', '310')
        >>> cell_text(dt.datetime(2022, 9, 30), "yyyy-mm-dd"), cell_text("  ≥20场 "), cell_text("")
        ('2022-09-30', '≥20场', None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, (dt.datetime, dt.date)):
        return format_date(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if is_percent_format(number_format):
            return format_number(Decimal(format_number(value)) * 100) + "%"
        return format_number(value)
    return str(value).strip() or None
