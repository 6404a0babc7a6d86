"""The HTML report: the document model through Jinja2 templates with autoescaping.

Every text from data reaches the page through Jinja2's autoescaping; the templates
(``templates/report/*.html.j2``) hold all markup. The only markup that does not come from a
template is a chart, which passes the SVG allowlist of :mod:`helpers.render.svg` (the
``safe_svg`` filter). The page is self-contained: its stylesheet inline, charts as inline
SVG, no script, nothing fetched.
"""

from __future__ import annotations

import functools
import re
from importlib import metadata

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from helpers import paths
from helpers.document import Block, Document, Outline
from helpers.fonts import CSS_FONT_STACK
from helpers.render.svg import clean_svg

TEMPLATE_DIR = paths.TEMPLATES_DIR / "report"


def _percentages(widths: list[float]) -> list[str]:
    """Relative column widths as percentages (text, one decimal)."""
    total = sum(widths) or 1.0
    return [f"{100 * w / total:.1f}" for w in widths]


_RELATIVE_LINK = re.compile(r"^(?![A-Za-z][A-Za-z0-9+.\-]*:)(?![/\\])[^\s\"'<>`]+$")


def safe_href(link: str) -> str:
    """``link`` when it is a relative path inside the output, else '' (no link is made).

    Example:
        >>> safe_href("高新区科技局/report.html"), safe_href("javascript:alert(1)"), safe_href("/etc")
        ('高新区科技局/report.html', '', '')
    """
    return link if _RELATIVE_LINK.match(link or "") and ".." not in link.split("/") else ""


def _safe_svg(svg: str, prefix: str) -> Markup:
    """A chart's SVG through the allowlist, marked safe for the template."""
    return Markup(clean_svg(svg, prefix))


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescape on, undefined is an error)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["percentages"] = _percentages
    env.filters["safe_svg"] = _safe_svg
    env.filters["safe_href"] = safe_href
    return env


@functools.cache
def _css(name: str) -> Markup:
    """One of our own stylesheets, with the CJK font stack filled in."""
    text = (TEMPLATE_DIR / name).read_text("utf-8").replace("__FONT_STACK__", CSS_FONT_STACK)
    return Markup(text)


def _version() -> str:
    try:
        return metadata.version("jixiao")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed editable
        return ""


def render_html(document: Document) -> str:
    r"""The whole report as one self-contained HTML page.

    Example:
        >>> from helpers.document import Document, Heading, Paragraph
        >>> page = render_html(Document("报告", [Heading("报告", 1), Paragraph("<script>")]))
        >>> "<p class=\"body\">&lt;script&gt;</p>" in page, "<script>" in page
        (True, False)
    """
    template = environment().get_template("report.html.j2")
    return template.render(
        document=document,
        outline=document.outline(),
        css=_css("report.css"),
        version=_version(),
    )


def render_fragment(blocks: list[Block], outline: Outline) -> str:
    """Part of the report as HTML for a notebook cell (scoped styles, numbers as given)."""
    template = environment().get_template("fragment.html.j2")
    return template.render(
        blocks=blocks,
        outline=outline,
        none_outline=Outline([], [], []),
        css=_css("fragment.css"),
    )
