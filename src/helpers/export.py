"""nbconvert exporters of executed report notebooks: HTML, PDF and Word.

Registered under nbconvert's ``nbconvert.exporters`` entry point, so
``jupyter nbconvert --to jixiao_html report.ipynb`` (and ``jixiao_pdf``, ``jixiao_docx``) work
as well as the runner. None of them reads HTML back: each rebuilds the report document from
the blocks the notebook's outputs carry (:func:`helpers.render.collect.collect_document`) and
hands it to one renderer (:mod:`helpers.render.html`, :mod:`helpers.render.pdf`,
:mod:`helpers.render.docx`). Cells tagged ``hide-in-report`` are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbconvert.exporters import Exporter
from traitlets import default

from helpers.document import Document
from helpers.render.collect import collect_document

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _render_html(document: Document) -> str:
    from helpers.render.html import render_html

    return render_html(document)


def _render_pdf(document: Document) -> bytes:
    from helpers.render.pdf import render_pdf

    return render_pdf(document)


def _render_docx(document: Document) -> bytes:
    from helpers.render.docx import render_docx

    return render_docx(document)


class _ModelExporter(Exporter):
    """Rebuild the document from the notebook's outputs, then render it."""

    renderer: Callable[[Document], Any]

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any):  # type: ignore[override]
        """Render the notebook's report document (after nbconvert's preprocessors)."""
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = self.file_extension
        return type(self).renderer(collect_document(nb_copy)), resources


class ReportHTMLExporter(_ModelExporter):
    """One self-contained HTML page (``jupyter nbconvert --to jixiao_html``)."""

    export_from_notebook = "jixiao HTML report"
    output_mimetype = "text/html"
    renderer = staticmethod(_render_html)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"


class ReportPDFExporter(_ModelExporter):
    """An A4 PDF laid out by Typst (``jupyter nbconvert --to jixiao_pdf``)."""

    export_from_notebook = "jixiao PDF report"
    output_mimetype = "application/pdf"
    renderer = staticmethod(_render_pdf)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"


class ReportDocxExporter(_ModelExporter):
    """A Word document in 公文 format, GB/T 9704 (``jupyter nbconvert --to jixiao_docx``)."""

    export_from_notebook = "jixiao Word report"
    output_mimetype = DOCX_MIMETYPE
    renderer = staticmethod(_render_docx)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"
