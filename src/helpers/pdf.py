"""HTML to A4 PDF with WeasyPrint.

Kept apart from nbconvert so that the runner's PDF worker process (:func:`serve`) imports only
what it needs.
WeasyPrint finds fonts through fontconfig; on a pip-only machine without a system CJK font the
OFL Noto Sans CJK SC file of ``jixiao[fonts]`` is declared with ``@font-face`` instead, so the PDF
never falls back to empty boxes.
"""

from __future__ import annotations

import contextlib
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


WARM_UP_DOCUMENT = "<html><body><p>预算绩效自评 2021</p></body></html>"


def serve() -> None:
    """The runner's PDF worker process: lay out one report per request until stdin closes.

    Started by :class:`helpers.runner.PdfWorker` as ``python -c "from helpers.pdf import
    serve; serve()"``. Each request is one JSON line on stdin, ``{"html": PATH, "target":
    PATH}`` (the HTML is read from a file, so a large report never blocks the pipe); each
    answer is one JSON line, ``{"ok": true}`` or ``{"ok": false, "error": "..."}``, in request
    order. The answers go to a private copy of stdout: anything a library prints lands on
    stderr and can never be mistaken for an answer.

    Ctrl-C reaches the whole process group; the worker ignores it and lets the runner, which
    handles it, decide (it closes stdin or terminates the worker). No multiprocessing is
    involved, so no resource-tracker process exists to outlive a killed run.
    """
    import json
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # Imports, fontconfig and CJK shaping while the first notebook runs; a problem here shows
    # again, and is reported, with the first real request.
    with contextlib.suppress(Exception):
        html_to_pdf(WARM_UP_DOCUMENT)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            document = Path(request["html"]).read_text("utf-8")
            html_to_pdf(document, request["target"])
            answer: dict[str, object] = {"ok": True}
        except Exception as exc:  # reported to the runner, which fails the department
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
        answers.flush()
