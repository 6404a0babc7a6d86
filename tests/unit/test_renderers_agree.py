"""HTML, PDF and Word say the same thing: one set of expectations, checked on each renderer.

Each renderer's output is turned back into plain text (HTML parser, pdftotext, python-docx)
and must contain the document's title, every section, figure and table label in document
order after the contents, and the figures a reader checks (money to four decimals, rates).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable

import pytest

from helpers.document import Document, Paragraph

from .htmltext import visible_text

_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def html_text(document: Document) -> str:
    from helpers.render.html import render_html

    return visible_text(render_html(document))


def pdf_text(document: Document) -> str:
    from helpers.render.pdf import render_pdf

    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run make test, which installs it")
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=render_pdf(document), capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def docx_text(document: Document) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    from helpers.render.docx import render_docx

    word = docx.Document(io.BytesIO(render_docx(document)))
    parts = []
    for item in word.iter_inner_content():
        if isinstance(item, DocxParagraph):
            parts.append(item.text)
        elif isinstance(item, Table):
            seen: set[int] = set()
            for row in item.rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell is returned once per slot
                        seen.add(id(cell._tc))
                        parts.append(cell.text)
    return "\n".join(parts)


RENDERERS: dict[str, Callable[[Document], str]] = {
    "html": html_text,
    "pdf": pdf_text,
    "docx": docx_text,
}


@pytest.fixture(scope="module", params=sorted(RENDERERS))
def rendered(request, seed_document) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return request.param, _squash(RENDERERS[request.param](seed_document))


def _body(text: str, document: Document) -> str:
    """The text after the contents (the last entry appears twice when the contents lists it)."""
    last = _squash(document.outline().entries[-1].label)
    return text[text.index(last) + len(last) :] if text.count(last) >= 2 else text


def test_every_section_figure_and_table_label_in_document_order(rendered, seed_document) -> None:  # type: ignore[no-untyped-def]
    name, text = rendered
    assert _squash(seed_document.title) in text, name
    body = _body(text, seed_document)
    position = 0
    for entry in seed_document.outline().entries:
        label = _squash(entry.label)
        found = body.find(label, position)
        assert found >= 0, f"{name}: {entry.label!r} missing after position {position}"
        position = found + len(label)


def test_the_figures_a_reader_checks(rendered, seed_document) -> None:  # type: ignore[no-untyped-def]
    name, text = rendered
    for expected in (
        "681.5307",
        "12432.6782",
        "99.97%",
        "39732",
        "创新型孵化器建设扶持资金项目",
        "2021年4月29日",
    ):
        assert expected in text, f"{name}: {expected} missing"
    first_paragraph = next(b.text for b in seed_document.blocks if isinstance(b, Paragraph))
    assert _squash(first_paragraph)[:40] in text, name


def test_text_from_data_is_shown_as_written(rendered_hostile) -> None:  # type: ignore[no-untyped-def]
    name, text = rendered_hostile
    assert _squash(HOSTILE) in text, name


HOSTILE = "<script>alert(1)</script> #set text(red) *粗* $x$ =1+1 &amp; <w:p/>"


@pytest.fixture(scope="module", params=sorted(RENDERERS))
def rendered_hostile(request) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from helpers.document import Cell, Heading, Table

    document = Document(
        "报告",
        [
            Heading("报告", 1),
            Heading("一、说明", 2),
            Paragraph(HOSTILE),
            Table("表", [[Cell("项目")]], [[Cell(HOSTILE)]]),
        ],
    )
    return request.param, _squash(RENDERERS[request.param](document))
