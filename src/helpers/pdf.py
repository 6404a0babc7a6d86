"""HTML to A4 PDF with WeasyPrint.

Kept apart from nbconvert so that the runner's PDF worker process imports only what it needs.
WeasyPrint finds fonts through fontconfig; on a pip-only machine without a system CJK font the
OFL Noto Sans CJK SC file of ``jixiao[fonts]`` is declared with ``@font-face`` instead, so the PDF
never falls back to empty boxes.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from helpers import paths
from helpers.fonts import CJK_FONT_FAMILIES, _fontconfig_cjk_files, bundled_font_files


@functools.cache
def fallback_font_css() -> str:
    """``@font-face`` rules for bundled CJK fonts when fontconfig knows none (else empty)."""
    if _fontconfig_cjk_files():
        return ""
    rules = [
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'
        for path in bundled_font_files()
        for family in CJK_FONT_FAMILIES[:1]
    ]
    return "\n".join(rules)


def html_to_pdf(
    document: str, target: str | Path | None = None, base_url: str | None = None
) -> bytes:
    """Lay out report HTML on A4 pages with WeasyPrint.

    Args:
        document: HTML from :class:`helpers.export.ReportHTMLExporter`.
        target: also write the PDF here when given (atomically: a temporary file renamed).
        base_url: for relative links (none in our reports).

    Returns:
        The PDF bytes.
    """
    import logging

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # WeasyPrint logs every CSS property it ignores (JupyterLab's variables); keep real errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    extra = fallback_font_css()
    stylesheets = [CSS(string=extra, font_config=fonts)] if extra else []
    pdf = HTML(string=document, base_url=base_url or str(paths.REPO_ROOT)).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
    if target is not None:
        target = Path(target)
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        os.chmod(partial, paths.shared_mode(0o666))
        os.replace(partial, target)
    return pdf
