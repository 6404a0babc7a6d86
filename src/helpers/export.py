"""Export executed report notebooks to one self-contained HTML file and to an A4 PDF.

Both exporters are registered under nbconvert's ``nbconvert.exporters`` entry point, so
``jupyter nbconvert --to jixiao_html report.ipynb`` and ``--to jixiao_pdf`` work as well as the
runner. The HTML carries its stylesheet and images inline and fetches nothing from the internet;
the PDF is that same HTML laid out by WeasyPrint (A4, page numbers, CJK fonts embedded as
subsets, text extractable). Why WeasyPrint: the LaTeX route drops Chinese without an xeCJK
template and needs ~750 MB of TeX; ``--to webpdf`` prints US Letter and needs a downloaded
Chromium; WeasyPrint renders the same HTML in about a second from a pip install.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode, default
from traitlets.config import Config

from helpers import paths
from helpers.fonts import CSS_FONT_STACK
from helpers.markup import HIDE_CELL_TAG, TOC_SLOT
from helpers.pdf import html_to_pdf

_HEADING_RE = re.compile(r"<h([23])(?P<attrs>[^>]*)>(?P<body>.*?)</h\1>", re.S)
_CAPTION_RE = re.compile(
    r'<(?P<tag>figcaption|caption) id="(?P<id>(?:fig|tab)-\d+)"[^>]*>(?P<body>.*?)</(?P=tag)>', re.S
)
_TAG_RE = re.compile(r"<[^>]+>")
_ID_RE = re.compile(r'\bid="([^"]+)"')


def _plain(fragment: str) -> str:
    """Text of an HTML fragment, without tags or anchor pilcrows."""
    return html_lib.unescape(_TAG_RE.sub("", fragment)).replace("¶", "").strip()


def add_table_of_contents(document: str, title: str = "目录") -> str:
    r"""Insert a table of contents (sections, figures, tables) at the TOC slot.

    Headings ``h2``/``h3`` without an id get one. Figures and tables are found by the captions
    the report helpers write (``<figcaption id="fig-1">``, ``<caption id="tab-1">``).

    Args:
        document: the exported HTML.
        title: the heading of the contents block.

    Returns:
        The HTML with a ``<nav class="toc">`` where the slot was (or at the top of ``<main>``).

    Example:
        >>> html = "<main><!-- jixiao:toc --><h2>一、组织开展情况</h2><figure><figcaption id=\"fig-1\">图1 预算</figcaption></figure></main>"
        >>> out = add_table_of_contents(html)
        >>> 'href="#sec-1">一、组织开展情况</a>' in out, 'href="#fig-1">图1 预算</a>' in out
        (True, True)
    """
    entries: list[tuple[str, str, str]] = []
    counter = 0

    def name_heading(match: re.Match[str]) -> str:
        nonlocal counter
        attrs, body, level = match["attrs"], match["body"], match.group(1)
        if 'class="toc-title"' in attrs:
            return match.group(0)
        found = _ID_RE.search(attrs)
        if found:
            anchor = found.group(1)
        else:
            counter += 1
            anchor = f"sec-{counter}"
            attrs = f' id="{anchor}"{attrs}'
        entries.append((f"level-{level}", anchor, _plain(body)))
        return f"<h{level}{attrs}>{body}</h{level}>"

    document = _HEADING_RE.sub(name_heading, document)
    captions = [(m["id"], _plain(m["body"])) for m in _CAPTION_RE.finditer(document)]
    items = "".join(
        f'<li class="{cls}"><a href="#{html_lib.escape(a)}">{html_lib.escape(t)}</a></li>'
        for cls, a, t in entries
    )
    nav = f'<nav class="toc"><h2 class="toc-title">{title}</h2><ol>{items}</ol>'
    for prefix, label in (("fig", "图目录"), ("tab", "表目录")):
        listed = [(a, t) for a, t in captions if a.startswith(prefix)]
        if listed:
            nav += (
                f'<h3 class="toc-title">{label}</h3><ol>'
                + "".join(
                    f'<li class="level-fig"><a href="#{a}">{html_lib.escape(t)}</a></li>'
                    for a, t in listed
                )
                + "</ol>"
            )
    nav += "</nav>"
    if TOC_SLOT in document:
        return document.replace(TOC_SLOT, nav, 1)
    return document.replace("<main>", "<main>" + nav, 1)


_H1_RE = re.compile(r"<h1[^>]*>(?P<body>.*?)</h1>", re.S)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.S)


def set_document_title(document: str) -> str:
    """Use the report's heading (``<h1>``) as the page title (also the PDF's Title).

    Example:
        >>> set_document_title("<title>Notebook</title><h1>科技局2021年度绩效自评工作报告</h1>")
        '<title>科技局2021年度绩效自评工作报告</title><h1>科技局2021年度绩效自评工作报告</h1>'
    """
    heading = _H1_RE.search(document)
    if heading is None:
        return document
    title = html_lib.escape(_plain(heading["body"]))
    return _TITLE_RE.sub(lambda _m: f"<title>{title}</title>", document, count=1)


def _remove_slot_duplicates(document: str) -> str:
    """Keep only the first TOC slot (the template puts one at the top as a fallback)."""
    first = document.find(TOC_SLOT)
    second = document.find(TOC_SLOT, first + 1)
    if first != -1 and second != -1:
        document = document[:first] + document[first + len(TOC_SLOT) :]
    return document


class StderrRemovePreprocessor(Preprocessor):
    """Drop the ``stderr`` stream outputs of code cells.

    Analysts' stderr (progress bars, warnings) never belongs in a shared report.
    """

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        """Drop the stderr stream outputs of a code cell."""
        if cell.get("cell_type") == "code":
            cell.outputs = [
                output
                for output in cell.get("outputs", [])
                if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
            ]
        return cell, resources


class ReportHTMLExporter(HTMLExporter):
    """Self-contained HTML report: code hidden, CJK font stack, A4 print CSS, contents.

    Cells tagged ``hide-in-report`` (:data:`helpers.markup.HIDE_CELL_TAG`) are left out by
    nbconvert's ``TagRemovePreprocessor`` (``remove_cell_tags``; set
    ``--TagRemovePreprocessor.remove_cell_tags`` to change the tags), and ``stderr`` outputs by
    :class:`StderrRemovePreprocessor`. Both run on nbconvert's copy of the notebook.
    """

    export_from_notebook = "jixiao HTML report"

    exclude_input = Bool(True, help="Hide code cells.").tag(config=True)
    exclude_input_prompt = Bool(True).tag(config=True)
    exclude_output_prompt = Bool(True).tag(config=True)
    embed_images = Bool(True).tag(config=True)
    toc_title = Unicode("目录", help="Heading of the table of contents.").tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "jixiao"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(paths.TEMPLATES_DIR)]

    @default("default_preprocessors")
    def _default_preprocessors_default(self) -> list[Any]:
        """Return nbconvert's list and ours (both enabled in :attr:`default_config`)."""
        nbconvert_list: list[Any] = list(
            HTMLExporter.class_traits()["default_preprocessors"].default() or []
        )
        return [*nbconvert_list, StderrRemovePreprocessor]

    @property
    def default_config(self) -> Config:
        """The base exporter's config with the hidden-cell and stderr filters enabled."""
        config = super().default_config.copy()
        config.merge(
            Config(
                {
                    "TagRemovePreprocessor": {
                        "enabled": True,
                        "remove_cell_tags": {HIDE_CELL_TAG},
                    },
                    "StderrRemovePreprocessor": {"enabled": True},
                }
            )
        )
        return config

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any):  # type: ignore[override]
        """Render the notebook, then add the table of contents."""
        resources = self._init_resources(resources or {})
        css = (paths.TEMPLATES_DIR / "jixiao" / "static" / "report.css").read_text("utf-8")
        resources["jixiao_css"] = css.replace("__FONT_STACK__", CSS_FONT_STACK)
        document, resources = super().from_notebook_node(nb, resources, **kw)
        document = add_table_of_contents(_remove_slot_duplicates(document), self.toc_title)
        return set_document_title(document), resources


class ReportPDFExporter(ReportHTMLExporter):
    """A4 PDF of the HTML report (``jupyter nbconvert --to jixiao_pdf``)."""

    export_from_notebook = "jixiao PDF report"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"  # the PDF is laid out from the HTML template

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any):  # type: ignore[override]
        """Render the HTML report, then the PDF from it."""
        document, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(document), resources
