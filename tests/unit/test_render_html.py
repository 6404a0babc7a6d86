"""The HTML renderer: autoescaped templates, safe inline SVG, working contents, size."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from helpers.document import (
    Cell,
    Contents,
    Document,
    Figure,
    Heading,
    ItemList,
    Paragraph,
    Table,
    Tile,
    Tiles,
    compute_outline,
)
from helpers.render.html import render_fragment, render_html
from helpers.render.svg import UnsafeSvgError, clean_svg

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="100pt" height="50pt" viewBox="0 0 100 50">'
    '<defs><clipPath id="c1"><rect width="10" height="10"/></clipPath></defs>'
    '<g id="axes_1" clip-path="url(#c1)"><text x="1" y="2">科技</text>'
    '<use xlink:href="#c1"/></g></svg>'
)


class _Collector(HTMLParser):
    """Tags, attributes and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def hostile_document() -> Document:
    return Document(
        PAYLOAD,
        [
            Heading(PAYLOAD, 1),
            Contents(),
            Heading(PAYLOAD, 2),
            Paragraph(PAYLOAD),
            ItemList([PAYLOAD], ["warn"]),
            Tiles([Tile(PAYLOAD, PAYLOAD, PAYLOAD, True, unit=PAYLOAD)]),
            Table(PAYLOAD, [[Cell(PAYLOAD)]], [[Cell(PAYLOAD, style=PAYLOAD)]], [[Cell(PAYLOAD)]]),
            Figure(PAYLOAD, SVG),
        ],
    )


def test_text_from_data_is_escaped_in_every_block() -> None:
    page = render_html(hostile_document())
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags and "img" not in tags
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    shown = "".join(parsed.text)
    # title, h1, contents entry, h2, paragraph, list, tile ×4, caption, 3 cells, figure caption
    assert shown.count(PAYLOAD) >= 15


def test_a_tile_keeps_its_number_and_its_unit_on_one_line() -> None:
    page = render_html(Document("t", [Tiles([Tile("全年预算", "6787.5694", unit="万元")])]))
    assert '<div class="value">6787.5694<span class="unit">万元</span></div>' in page
    assert re.search(r"\.tile \.value \{[^}]*white-space: nowrap", page)


def test_charts_pass_an_allowlist_and_get_page_unique_ids() -> None:
    evil = SVG.replace(
        "</svg>",
        "<script>alert(3)</script><foreignObject><p>x</p></foreignObject>"
        '<a href="javascript:alert(4)"><text>y</text></a>'
        '<rect onclick="alert(5)" fill="url(http://evil/x)" width="1" height="1"/>'
        "<style>body{display:none}</style></svg>",
    )
    page = render_html(Document("t", [Figure("一", SVG), Figure("二", evil)]))
    for bad in ("<script", "foreignObject", "javascript:", "onclick", "http://evil", "<style>body"):
        assert bad not in page.split("</style>", 1)[1]
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across charts"
    assert 'clip-path="url(#fig-1-c1)"' in page and 'clip-path="url(#fig-2-c1)"' in page
    assert 'xlink:href="#fig-2-c1"' in page
    with pytest.raises(UnsafeSvgError):
        clean_svg("<html><body/></html>", "x-")
    with pytest.raises(UnsafeSvgError):
        clean_svg("<svg", "x-")


def test_the_seed_page_is_self_contained_small_and_its_contents_links_resolve(
    seed_document,  # type: ignore[no-untyped-def]
) -> None:
    page = render_html(seed_document)
    size = len(page.encode("utf-8"))
    assert size < 1_000_000, f"{size} bytes"
    parsed = parse(page)
    assert "script" not in {tag for tag, _ in parsed.tags}
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), f"{tag} {name}={value}"
    ids = {attrs["id"] for _, attrs in parsed.tags if attrs.get("id")}
    links = [attrs["href"][1:] for tag, attrs in parsed.tags if tag == "a"]
    outline = seed_document.outline()
    assert len(links) == len(outline.entries)
    assert set(links) <= ids
    assert page.count("<svg") == len(outline.figures) == 7
    assert "<title>科技局2021年度绩效自评工作报告</title>" in page
    assert 'name="viewport"' in page
    assert "681.5307" in page


def test_a_notebook_fragment_shows_the_numbers_the_whole_report_will_have() -> None:
    blocks = [Figure("预算", SVG), Table("得分", [[Cell("项目")]], [[Cell("甲")]])]
    html = render_fragment(blocks, compute_outline(blocks, start_figure=3, start_table=5))
    assert "图4 预算" in html and "表6 得分" in html
    assert "jixiao-fragment" in html
    assert "body.jixiao-report" not in html  # page styles would restyle JupyterLab


def test_merged_cells_become_colspan_and_rowspan() -> None:
    table = Table(
        "表",
        [[Cell("一级指标"), Cell("二级指标"), Cell("值")]],
        [
            [Cell("产出", rowspan=2), Cell("数量"), Cell("1", is_numeric=True)],
            [Cell("质量", colspan=2)],
        ],
    )
    page = render_html(Document("t", [table]))
    assert '<td rowspan="2">产出</td>' in page
    assert '<td colspan="2">质量</td>' in page
    assert '<td class="num">1</td>' in page


def test_number_column_labels_may_wrap_and_numbers_may_not() -> None:
    """A numeric column's label (提示事项 kinds are long) wraps; otherwise a table of many
    such columns squeezed its first column to one character per line (seen in the overview)."""
    table = Table(
        "表",
        [[Cell("部门"), Cell("执行率得分与自评不同", is_numeric=True)]],
        [[Cell("苇塘县供销合作社联合社"), Cell("681.5307", is_numeric=True)]],
    )
    page = render_html(Document("t", [table]))
    rules = dict(re.findall(r"(table\.data[^{}]*)\{([^}]*)\}", page))
    assert "white-space: nowrap" in rules["table.data .num "]
    assert "white-space: normal" in rules["table.data thead .num "]
