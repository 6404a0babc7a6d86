"""Make a chart's SVG safe and self-contained for inlining into an HTML page.

Charts come from matplotlib, but the SVG travels through a notebook file that anyone could
edit, so it is rebuilt here from an allowlist before it becomes part of a page: only drawing
elements and presentation attributes survive; scripts, event handlers, ``foreignObject``,
style sheets and links to anything but the chart's own definitions are dropped. Every ``id``
gets a per-figure prefix (and references follow), so several charts on one page never share
clip paths or glyphs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_ALLOWED_TAGS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "use",
        "clipPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "pattern",
        "mask",
        "symbol",
        "title",
        "desc",
    ]
)
_ALLOWED_ATTRS = frozenset(
    [
        "id",
        "class",
        "d",
        "x",
        "y",
        "x1",
        "x2",
        "y1",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "width",
        "height",
        "points",
        "transform",
        "viewBox",
        "preserveAspectRatio",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-miterlimit",
        "opacity",
        "clip-path",
        "clip-rule",
        "clipPathUnits",
        "mask",
        "style",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "text-anchor",
        "dominant-baseline",
        "dx",
        "dy",
        "gradientUnits",
        "gradientTransform",
        "offset",
        "stop-color",
        "stop-opacity",
        "patternUnits",
        "version",
        "href",
    ]
)
_URL_RE = re.compile(r"url\(\s*#([^)\s]+)\s*\)")


class UnsafeSvgError(ValueError):
    """The text is not an SVG document."""


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _clean_attrs(element: ET.Element, prefix: str) -> None:
    for name in list(element.attrib):
        value = element.attrib.pop(name)
        local = _local(name)
        if local not in _ALLOWED_ATTRS:
            continue
        if local == "href":
            if not value.startswith("#"):
                continue
            element.set(f"{{{XLINK_NS}}}href", f"#{prefix}{value[1:]}")
            continue
        if local == "id":
            value = prefix + value
        elif "url(" in value:
            if re.search(r"url\(\s*[^#\s]", value):
                continue  # only references to the chart's own definitions
            value = _URL_RE.sub(lambda m: f"url(#{prefix}{m.group(1)})", value)
        element.set(local, value)


def _clean(element: ET.Element, prefix: str) -> None:
    for child in list(element):
        if _local(child.tag) in _ALLOWED_TAGS:
            _clean(child, prefix)
        else:
            element.remove(child)
    _clean_attrs(element, prefix)


def clean_svg(svg: str, prefix: str) -> str:
    """The SVG rebuilt from an allowlist, its ids prefixed, without the XML prolog.

    Args:
        svg: SVG text (from matplotlib).
        prefix: put in front of every id, e.g. ``"fig3-"``.

    Returns:
        An ``<svg>`` element as text, ready to inline in HTML.

    Raises:
        UnsafeSvgError: the text does not parse, or its root is not ``<svg>``.

    Example:
        >>> clean_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>x()</script>'
        ...           '<text id="t">&lt;b&gt;</text></svg>', "f1-")
        '<svg xmlns="http://www.w3.org/2000/svg"><text id="f1-t">&lt;b&gt;</text></svg>'
    """
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise UnsafeSvgError(f"chart is not valid SVG: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvgError(f"chart root is {root.tag!r}, not svg")
    _clean(root, prefix)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode")
