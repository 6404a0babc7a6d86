"""HTML to A4 PDF with WeasyPrint, kept apart from nbconvert so that a PDF worker process
imports only what it needs."""

from __future__ import annotations

from pathlib import Path

from helpers import paths


def html_to_pdf(
    document: str, target: str | Path | None = None, base_url: str | None = None
) -> bytes:
    """Lay out report HTML on A4 pages with WeasyPrint.

    Args:
        document: HTML from :class:`ReportHTMLExporter`.
        target: also write the PDF here when given.
        base_url: for relative links (none in our reports).

    Returns:
        The PDF bytes.
    """
    import logging

    from weasyprint import HTML

    # WeasyPrint logs every CSS property it ignores (JupyterLab's variables); keep real errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf = HTML(string=document, base_url=base_url or str(paths.REPO_ROOT)).write_pdf()
    if target is not None:
        Path(target).write_bytes(pdf)
    return pdf
