"""Small HTML builders that escape every piece of text from data.

Kept free of heavy imports: both the notebook kernel (through :mod:`helpers.report`) and the
exporters use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

TOC_SLOT = "<!-- jixiao:toc -->"
"""Where :func:`helpers.export.add_table_of_contents` puts the table of contents."""

HIDE_CELL_TAG = "hide-in-report"
"""Cells with this tag (e.g. notes for analysts) are left out of the exported report."""


def p_html(text: str, cls: str = "") -> str:
    """One escaped paragraph."""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def paragraphs_html(text: str | None) -> str:
    """Free text (blank-line separated paragraphs) as escaped ``<p>`` elements."""
    if not text:
        return ""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(p_html("".join(b.split("\n"))) for b in blocks)


def render_table(
    header: list[str],
    rows: Sequence[Sequence[object]],
    caption: str = "",
    caption_id: str = "",
    numeric_columns: frozenset[int] = frozenset(),
    row_classes: list[str] | None = None,
    footer: Sequence[object] | None = None,
    table_class: str = "data",
) -> str:
    """An escaped HTML table with an optional numbered caption.

    Example:
        >>> render_table(["项目"], [["<b>x</b>"]])
        '<table class="data"><thead><tr><th>项目</th></tr></thead><tbody><tr><td>&lt;b&gt;x&lt;/b&gt;</td></tr></tbody></table>'
    """

    def cell(tagname: str, i: int, value: object) -> str:
        cls = ' class="num"' if i in numeric_columns else ""
        if isinstance(value, tuple):  # (text, css class)
            text, extra = value
            cls = f' class="{escape(extra)}{" num" if i in numeric_columns else ""}"'
            value = text
        return f"<{tagname}{cls}>{escape(str(value))}</{tagname}>"

    cap = f'<caption id="{caption_id}">{escape(caption)}</caption>' if caption else ""
    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = ""
    for n, row in enumerate(rows):
        cls = f' class="{escape(row_classes[n])}"' if row_classes and row_classes[n] else ""
        body += f"<tr{cls}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>"
    foot = ""
    if footer is not None:
        foot = (
            "<tfoot><tr>"
            + "".join(cell("td", i, v) for i, v in enumerate(footer))
            + "</tr></tfoot>"
        )
    return (
        f'<table class="{table_class}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"{foot}</table>"
    )
