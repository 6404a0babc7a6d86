"""Numbers written the way the reports write them.

Amounts keep the decimals the data has (``681.5307``, ``2.0083``, ``310``) and never more than
four; rates keep two (``99.97%``); missing values are shown as ``—``.
"""

from __future__ import annotations

import math

MISSING = "—"


def _is_missing(value: object) -> bool:
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def format_number(value: object, decimals: int) -> str:
    """Round half-up to ``decimals`` and drop trailing zeros.

    Example:
        >>> format_number(681.5307, 4), format_number(310.0, 4), format_number(12432.67820001, 4)
        ('681.5307', '310', '12432.6782')
    """
    if _is_missing(value):
        return MISSING
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-decimals)
    text = str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))  # type: ignore[arg-type]
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_wan(value: object) -> str:
    """An amount in 万元 with up to 4 decimals (``681.5307``).

    Amounts a 自评表 printed in 元 with 分 are kept exactly (6 decimals of 万元) in the data and
    its sums; shown, they are rounded half-up to 4 decimals like every other amount.
    """
    return format_number(value, 4)


def format_pct(value: object, decimals: int = 2) -> str:
    """A percentage with up to 2 decimals and the sign (``99.97%``)."""
    text = format_number(value, decimals)
    return text if text == MISSING else f"{text}%"


def format_score(value: object) -> str:
    """A score with up to 2 decimals (``92.5``)."""
    return format_number(value, 2)


def format_yi(value_wan: object) -> str:
    """An amount in 万元 written in 亿元 (``15084`` → ``1.5084 亿元``).

    Example:
        >>> format_yi(15084.0)
        '1.5084亿元'
    """
    if _is_missing(value_wan):
        return MISSING
    return f"{format_number(float(value_wan) / 10000, 8)}亿元"  # type: ignore[arg-type]
