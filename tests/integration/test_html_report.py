"""The rendered report.html: self-contained, no code, no script, the right content."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration

VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
)
EXTERNAL_REFERENCE_RES = {
    "src/href attribute": re.compile(
        r"""\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I
    ),
    "CSS url()": re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    "CSS @import": re.compile(r"@import", re.I),
}


class Outline(HTMLParser):
    """Parses the whole document, checking that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.problems: list[str] = []
        self.title = ""
        self.toc_links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self._in_title = False
        self._in_toc = 0
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")
        if tag in VOID_ELEMENTS:
            return
        self.stack.append((tag, self.getpos()))
        if tag == "title":
            self._in_title = True
        if tag == "nav" and "toc" in (attributes.get("class") or "").split():
            self._in_toc = len(self.stack)
        if self._in_toc and tag == "a":
            self._link = [attributes.get("href") or "", ""]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if tag == "title":
            self._in_title = False
        if tag == "a" and self._link is not None:
            self.toc_links.append((self._link[0], self._link[1].strip()))
            self._link = None
        if not self.stack or self.stack[-1][0] != tag:
            open_tags = [t for t, _ in self.stack[-3:]]
            self.problems.append(f"</{tag}> at {self.getpos()} while {open_tags} are open")
            return
        self.stack.pop()
        if self._in_toc and len(self.stack) < self._in_toc:
            self._in_toc = 0

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._link is not None:
            self._link[1] += data


@pytest.fixture(scope="module")
def outline(fy2021_html: str) -> Outline:
    parser = Outline()
    parser.feed(fy2021_html)
    parser.close()
    return parser


def test_html_is_well_formed(outline: Outline) -> None:
    assert outline.problems == []
    assert [t for t, _ in outline.stack] == [], "elements left open at the end"


def test_html_has_no_input_code(fy2021_html: str) -> None:
    for code in ("build_report(", "report.show_", "from helpers", "charts_dir=charts_dir"):
        assert code not in fy2021_html, f"input code {code!r} leaked into the report"
    assert "In&nbsp;[" not in fy2021_html, "input prompts shown"


def test_html_has_no_script(fy2021_html: str) -> None:
    assert "<script" not in fy2021_html.lower()


def test_html_fetches_nothing_from_the_internet(fy2021_html: str) -> None:
    for what, pattern in EXTERNAL_REFERENCE_RES.items():
        found = [m.group(0) for m in pattern.finditer(fy2021_html)]
        assert found == [], f"external {what}: {found[:5]}"
    assert not re.search(r"<link\b", fy2021_html, re.I), "no stylesheet links: CSS is inline"


def test_html_has_the_department_totals(fy2021_html: str) -> None:
    for figure in ("39732", "39720", "99.97%", "12432.6782"):
        assert figure in fy2021_html


def test_html_names_every_project(fy2021_html: str, support: ModuleType) -> None:
    names = support.project_names()
    assert len(names) == 20
    missing = [n for n in names if html.escape(n) not in fy2021_html]
    assert missing == []


def test_html_inlines_its_charts_as_svg(fy2021_html: str) -> None:
    import xml.etree.ElementTree as ET

    charts = re.findall(r"<svg\b.*?</svg>", fy2021_html, re.S)
    assert len(charts) == 7
    for chart in charts:
        root = ET.fromstring(chart)  # each chart is well-formed SVG on its own
        assert float(root.get("width", "0").removesuffix("pt")) > 100
    assert "data:image" not in fy2021_html
    assert fy2021_html.count("<figcaption") == len(charts), "every chart is a numbered figure"
    assert len(fy2021_html.encode("utf-8")) < 1_000_000


def test_html_has_a_table_of_contents(fy2021_html: str, outline: Outline) -> None:
    assert '<nav class="toc">' in fy2021_html
    texts = [text for _, text in outline.toc_links]
    assert any(t.startswith("一、") for t in texts), texts
    assert any(re.match(r"图\d+ ", t) for t in texts), "no 图 entries"
    assert any(re.match(r"表\d+ ", t) for t in texts), "no 表 entries"
    assert "表2 科学技术奖奖励项目绩效自评表" in texts
    broken = [href for href, _ in outline.toc_links if href.removeprefix("#") not in outline.ids]
    assert broken == [], "table-of-contents links without a target"


def test_html_title(fy2021_html: str, outline: Outline, support: ModuleType) -> None:
    assert re.search(rf"<h1[^>]*>{support.REPORT_TITLE}</h1>", fy2021_html)
    assert outline.title.strip() == support.REPORT_TITLE, (
        f"<title> is {outline.title.strip()!r}, not the report's title"
    )
