"""The Word renderer: GB/T 9704-2012 layout numbers, fonts, fields, tables and figures read back.

The document rendered here is synthetic but shaped like the report (title, contents, sections,
matplotlib SVG charts with Chinese labels, a 40-row 自评表 with merged cells, a data table with
header and footer rows); every expectation is read back from the .docx with python-docx.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache

import pytest
from docx import Document as open_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length

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
)
from helpers.render.docx import OFFICIAL_FONTS, render_docx, svgs_to_png

INJECTION = '<w:p>&amp; =1+1 <script>alert("x")</script>'
TITLE = "高新区科技局2021年度部门整体支出绩效自评报告"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# ------------------------------------------------------------------ the synthetic report


def _svg_chart(kind: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.fonts import configure_charts

    configure_charts()
    matplotlib.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    names = ["科技创新券", "高新技术企业培育", "人才引进专项", "孵化器运营补助"]
    if kind == "bar":
        ax.barh(names, [98.5, 82.81, 100.0, 20.3], color="#4C72B0")
        ax.set_xlabel("预算执行率（%）")
        ax.axvline(100, color="#333333", linestyle="--")
    else:
        ax.plot(["一季度", "二季度", "三季度", "四季度"], [12, 35, 61, 90], marker="o")
        ax.set_ylabel("累计支出（万元）")
    ax.set_title("各项目预算执行情况" if kind == "bar" else "分季度支出进度")
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def _form_table() -> Table:
    """A 自评表: money rows with colspans, 40 indicator rows merged by 一级/二级指标."""
    header = [
        Cell(h, is_header=True)
        for h in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
    ]
    body: list[list[Cell]] = [
        [Cell("项目名称", colspan=2, is_header=True), Cell("科技创新券", colspan=5)],
        [
            Cell("项目资金（万元）", colspan=2, rowspan=2, is_header=True),
            Cell("年初预算数", is_header=True),
            Cell("全年预算数", is_header=True),
            Cell("全年执行数", is_header=True),
            Cell("执行率", colspan=2, is_header=True),
        ],
        [
            Cell("1,200.00", is_numeric=True),
            Cell("1,150.00", is_numeric=True),
            Cell("952.32", is_numeric=True),
            Cell("82.81%", colspan=2, is_numeric=True),
        ],
    ]
    groups = [
        ("产出指标", [("数量指标", 8), ("质量指标", 7), ("时效指标", 5)]),
        ("效益指标", [("社会效益指标", 6), ("经济效益指标", 6)]),
        ("满意度指标", [("服务对象满意度指标", 8)]),
    ]
    n = 0
    for level1, level2s in groups:
        first1 = True
        total1 = sum(count for _, count in level2s)
        for level2, count in level2s:
            for i in range(count):
                n += 1
                row: list[Cell] = []
                if first1:
                    row.append(Cell(level1, rowspan=total1))
                    first1 = False
                if i == 0:
                    row.append(Cell(level2, rowspan=count))
                name = INJECTION if n == 17 else f"指标{n}：支持企业数量"
                style = "status-未达成" if n % 9 == 0 else ""
                row += [
                    Cell(name),
                    Cell(f"≥{n * 3}家"),
                    Cell(f"{n * 3 - (n % 9 == 0)}家"),
                    Cell("2", is_numeric=True),
                    Cell("1.5" if n % 9 == 0 else "2", is_numeric=True, style=style),
                ]
                body.append(row)
    return Table(
        "科技创新券项目绩效自评表",
        [header],
        body,
        [
            [
                Cell("总分", colspan=5, is_header=True),
                Cell("100", is_numeric=True),
                Cell("91.5", is_numeric=True, style="total"),
            ]
        ],
        widths=[1.0, 1.2, 2.2, 1.3, 1.3, 0.6, 0.6],
        style="form",
    )


def _data_table() -> Table:
    head = [
        [
            Cell("项目"),
            Cell("类别"),
            Cell("预算（万元）", is_numeric=True),
            Cell("执行率", is_numeric=True),
            Cell("得分", is_numeric=True),
        ]
    ]
    body = [
        [
            Cell(name),
            Cell("科技"),
            Cell(budget, is_numeric=True),
            Cell(rate, is_numeric=True),
            Cell(score, is_numeric=True),
        ]
        for name, budget, rate, score in [
            ("科技创新券", "1,150.00", "82.81%", "91.5"),
            ("高新技术企业培育", "600.00", "98.50%", "95.0"),
            ("人才引进专项", "300.00", "100.00%", "97.2"),
            ("孵化器运营补助", "210.00", "20.30%", "60.0"),
        ]
    ]
    foot = [
        [
            Cell("合计"),
            Cell("4 个项目"),
            Cell("2,260.00", is_numeric=True),
            Cell(""),
            Cell("85.9", is_numeric=True),
        ]
    ]
    return Table("项目预算、执行率与自评得分", head, body, foot, widths=[3, 1.2, 1.6, 1.2, 1])


@cache
def synthetic_document() -> Document:
    long_text = (
        "2021年，我局认真贯彻落实预算绩效管理要求，围绕科技创新主责主业，"
        "对部门整体支出和项目支出开展绩效自评，全年预算执行情况总体良好。"
    )
    blocks = [
        Heading(TITLE, 1),
        Contents(),
        Heading("一、部门基本情况", 2),
        Paragraph(long_text * 3),
        Tiles(
            [
                Tile("项目数", "4 个", "全部纳入自评"),
                Tile("预算执行率", "88.2%", "低于 90%", True),
                Tile("平均得分", "85.9 分", "等级：良"),
            ]
        ),
        Heading("（一）部门职能", 3),
        Paragraph(long_text),
        Heading("二、预算执行情况", 2),
        Paragraph(INJECTION),
        Figure("各项目预算执行率", _svg_chart("bar")),
        _data_table(),
        Heading("（二）分季度支出", 3),
        Figure("分季度支出进度", _svg_chart("line"), width_pct=80),
        Heading("科技创新券", 4),
        ItemList(["预算执行率 82.81%，低于 90%", "“双创”活动覆盖面有待扩大"], ["warn", ""]),
        Paragraph("注：执行率按全年预算数计算。", "note"),
        Paragraph("高新区科技局", "signature"),
        Paragraph("2022年3月15日", "signature"),
        Heading("附件1 项目支出绩效自评表", 2, starts_page=True),
        _form_table(),
    ]
    return Document(TITLE, blocks)


@cache
def rendered() -> bytes:
    return render_docx(synthetic_document())


@pytest.fixture(scope="module")
def word():
    return open_docx(io.BytesIO(rendered()))


# ------------------------------------------------------------------ helpers


def _mm(length: Length | None) -> float:
    assert length is not None
    return length.mm


def _body_paragraphs(word):
    return word.paragraphs


def _east_asia(run) -> str | None:
    fonts = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _style_east_asia(style) -> str | None:
    rpr = style.element.rPr
    fonts = None if rpr is None else rpr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _all_runs(word):
    for paragraph in word.paragraphs:
        yield paragraph, paragraph.runs
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield paragraph, paragraph.runs


def _text_of(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph._p.iter(qn("w:t")))


def _instructions(element) -> list[str]:
    return [(t.text or "").strip() for t in element.iter(qn("w:instrText"))]


def _grid_of(table):
    """(row, column) → (gridSpan, vMerge) for each w:tc, columns counted with spans."""
    slots = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        column = 0
        for tc in tr.tc_lst:
            vmerge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            state = None if vmerge is None else (vmerge.get(qn("w:val")) or "continue")
            slots[(r, column)] = (tc.grid_span, state)
            column += tc.grid_span
    return slots


# ------------------------------------------------------------------ page and grid


def test_page_is_a4_with_the_standard_margins(word):
    section = word.sections[0]
    assert _mm(section.page_width) == pytest.approx(210, abs=0.1)
    assert _mm(section.page_height) == pytest.approx(297, abs=0.1)
    assert _mm(section.top_margin) == pytest.approx(37, abs=0.1)
    assert _mm(section.bottom_margin) == pytest.approx(35, abs=0.1)
    assert _mm(section.left_margin) == pytest.approx(28, abs=0.1)
    assert _mm(section.right_margin) == pytest.approx(26, abs=0.1)
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    assert Length(text_width).mm == pytest.approx(156, abs=0.1)
    assert Length(text_height).mm == pytest.approx(225, abs=0.1)


def test_document_grid_is_22_lines_of_28_characters(word):
    section = word.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch = int(grid.get(qn("w:linePitch")))
    char_space = int(grid.get(qn("w:charSpace")))
    height_twips = (section.page_height - section.top_margin - section.bottom_margin) / 635
    width_pt = (section.page_width - section.left_margin - section.right_margin) / 12700
    assert line_pitch == 579  # 225 mm / 22 lines, in twips, rounded down so 22 lines fit
    assert int(height_twips // line_pitch) == 22
    char_pitch = 16 + char_space / 4096  # Word: body size plus charSpace/4096 pt
    assert int(width_pt // char_pitch) == 28
    assert char_space == -842
    normal = word.styles["Normal"].paragraph_format
    assert normal.line_spacing == Length(line_pitch * 635)  # exactly one grid line
    assert normal.first_line_indent == Length(2 * 16 * 12700)
    ind = word.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"


# ------------------------------------------------------------------ fonts and styles


def test_title_body_and_heading_styles(word):
    styles = word.styles
    assert styles["Title"].font.size.pt == 22
    assert styles["Title"].font.bold is True
    assert _style_east_asia(styles["Title"]) == "宋体"
    assert styles["Normal"].font.size.pt == 16
    assert _style_east_asia(styles["Normal"]) == "仿宋"
    assert styles["Normal"].font.name == "Times New Roman"
    assert _style_east_asia(styles["Heading 1"]) == "黑体"
    assert _style_east_asia(styles["Heading 2"]) == "楷体"
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        assert styles[name].font.size.pt == 16
        assert styles[name].font.color.rgb is None  # the template's blue is gone
        fonts = styles[name].element.rPr.find(qn("w:rFonts"))
        assert not [k for k in fonts.attrib if "heme" in k]  # no theme font overrides
    title = next(p for p in word.paragraphs if p.style.name == "Title")
    assert title.text == TITLE
    assert styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_headings_use_the_built_in_styles(word):
    by_text = {p.text: p.style.name for p in word.paragraphs}
    assert by_text["一、部门基本情况"] == "Heading 1"
    assert by_text["（一）部门职能"] == "Heading 2"
    assert by_text["科技创新券"] == "Heading 3"
    levels = {
        name: word.styles[name].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val"))
        for name in ("Heading 1", "Heading 2", "Heading 3")
    }
    assert levels == {"Heading 1": "0", "Heading 2": "1", "Heading 3": "2"}
    annex = next(p for p in word.paragraphs if p.style.name == "Heading 1" and "附件1" in p.text)
    assert annex.paragraph_format.page_break_before is True


def test_every_run_names_its_east_asian_font(word):
    expected = {"Normal": "仿宋", "Heading 1": "黑体", "Heading 2": "楷体", "Title": "宋体"}
    count = 0
    for paragraph, runs in _all_runs(word):
        for run in runs:
            count += 1
            assert _east_asia(run), f"no eastAsia font on {run.text!r}"
            if run.text and paragraph.style.name in expected:
                assert _east_asia(run) == expected[paragraph.style.name], run.text
    assert count > 300
    table_runs = [
        r
        for t in word.tables[1:]
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]  # tables[0]: the tiles
    assert table_runs and all(_east_asia(r) == "仿宋" for r in table_runs)
    for section_part in (word.sections[0].footer, word.sections[0].even_page_footer):
        for run in section_part.paragraphs[0].runs:
            assert _east_asia(run) == "宋体"


def test_official_fonts_can_be_chosen():
    word = open_docx(io.BytesIO(render_docx(synthetic_document(), OFFICIAL_FONTS)))
    assert _style_east_asia(word.styles["Title"]) == "方正小标宋简体"
    assert word.styles["Title"].font.bold is False
    assert _style_east_asia(word.styles["Normal"]) == "仿宋_GB2312"
    body = next(p for p in word.paragraphs if p.text.startswith("2021年"))
    assert _east_asia(body.runs[0]) == "仿宋_GB2312"


def test_settings_zh_cn_and_no_stale_styles_with_effects():
    with zipfile.ZipFile(io.BytesIO(rendered())) as z:
        names = set(z.namelist())
        styles = z.read("word/styles.xml").decode()
    assert "word/stylesWithEffects.xml" not in names
    assert 'w:eastAsia="zh-CN"' in styles
    assert "Theme=" not in re.search(r"<w:docDefaults>.*</w:docDefaults>", styles, re.S)[0]


# ------------------------------------------------------------------ page numbers and fields


def test_odd_and_even_footers_carry_page_fields(word):
    settings = word.settings
    assert settings.odd_and_even_pages_header_footer is True
    section = word.sections[0]
    odd, even = section.footer, section.even_page_footer
    assert not odd.is_linked_to_previous and not even.is_linked_to_previous
    for footer, align in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        assert _instructions(paragraph._p) == ["PAGE"]
        kinds = [f.get(qn("w:fldCharType")) for f in paragraph._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert _text_of(paragraph) == "— 1 —"
        assert all(run.font.size is None for run in paragraph.runs)
        assert paragraph.style.font.size.pt == 14
    assert _mm(odd.paragraphs[0].paragraph_format.right_indent) == pytest.approx(14 * 25.4 / 72)
    assert _mm(even.paragraphs[0].paragraph_format.left_indent) == pytest.approx(14 * 25.4 / 72)


def test_contents_is_a_toc_field_and_fields_update_on_open(word):
    body = word.element.body
    instructions = _instructions(body)
    assert 'TOC \\o "1-2" \\h \\z \\u' in instructions
    assert 'TOC \\h \\z \\c "图"' in instructions
    assert 'TOC \\h \\z \\c "表"' in instructions
    text = "\n".join(p.text for p in word.paragraphs)
    assert "更新域" in text  # the placeholder tells the reader to update the field
    update = word.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"
    # The field's cached result lists the sections in the order of the outline.
    toc = [p.text for p in word.paragraphs if p.style.name.lower().startswith("toc ")]
    sections = [e.label for e in synthetic_document().outline().sections]
    assert toc[1:] == sections
    # Settings children stay in schema order: updateFields before compat.
    tags = [child.tag.split("}")[1] for child in word.settings.element]
    assert tags.index("updateFields") < tags.index("compat")
    assert tags.index("evenAndOddHeaders") < tags.index("updateFields")


def test_balanced_fields(word):
    kinds = [f.get(qn("w:fldCharType")) for f in word.element.body.iter(qn("w:fldChar"))]
    depth = 0
    for kind in kinds:
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        assert depth >= 0
    assert depth == 0 and kinds.count("begin") >= 3


# ------------------------------------------------------------------ captions, figures, tables


def test_captions_are_numbered_as_in_the_outline(word):
    outline = synthetic_document().outline()
    captions = [p for p in word.paragraphs if p.style.name == "Caption"]
    labels = [e.label for e in outline.entries if e.kind in ("figure", "table")]
    assert [_text_of(p) for p in captions] == labels
    assert labels[:2] == ["图1 各项目预算执行率", "表1 项目预算、执行率与自评得分"]
    seq = [i for p in captions for i in _instructions(p._p)]
    assert seq == [
        "SEQ 图 \\* ARABIC",
        "SEQ 表 \\* ARABIC",
        "SEQ 图 \\* ARABIC",
        "SEQ 表 \\* ARABIC",
    ]


def test_table_captions_above_and_figure_captions_below(word):
    body = list(word.element.body.iterchildren())
    for i, element in enumerate(body):
        if element.tag == qn("w:tbl") and i > 0:
            before = body[i - 1]
            text = "".join(t.text or "" for t in before.iter(qn("w:t")))
            if text.startswith("表"):
                assert re.match(r"表\d+ ", text)
        if element.tag == qn("w:p") and element.find(".//" + qn("w:drawing")) is not None:
            after = "".join(t.text or "" for t in body[i + 1].iter(qn("w:t")))
            assert re.match(r"图\d+ ", after), after


def test_figures_are_png_images(word):
    images = [r for r in word.part.rels.values() if r.reltype.endswith("/image")]
    assert len(images) == 2
    for rel in images:
        blob = rel.target_part.blob
        assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    shapes = word.inline_shapes
    assert len(shapes) == 2
    assert shapes[0].width.mm == pytest.approx(156, abs=0.5)
    assert shapes[1].width.mm == pytest.approx(156 * 0.8, abs=0.5)
    descr = [s._inline.docPr.get("descr") for s in shapes]
    assert descr == ["图1 各项目预算执行率", "图2 分季度支出进度"]


def test_an_unreadable_svg_leaves_a_note_not_a_crash():
    doc = Document("t", [Figure("坏图", "<svg"), Figure("好图", _svg_chart("line"))])
    word = open_docx(io.BytesIO(render_docx(doc)))
    assert "图表未能转换为图片" in "\n".join(p.text for p in word.paragraphs)
    assert len(word.inline_shapes) == 1


def test_form_table_merges_at_the_grid_positions(word):
    table = word.tables[-1]  # the 自评表
    spec = _form_table()
    assert len(table.rows) == 1 + 3 + 40 + 1
    slots = _grid_of(table)
    # Header row and money rows: colspans become gridSpan.
    assert slots[(1, 0)] == (2, None)  # 项目名称 over two columns
    assert slots[(1, 2)] == (5, None)
    assert slots[(2, 0)] == (2, "restart")  # 项目资金 two columns × two rows
    assert slots[(3, 0)] == (2, "continue")
    assert slots[(2, 5)] == (2, None)  # 执行率 colspan
    # Indicator rows: 一级指标 (column 0) and 二级指标 (column 1) merged down their rows.
    assert slots[(4, 0)] == (1, "restart")
    assert all(slots[(r, 0)] == (1, "continue") for r in range(5, 4 + 20))
    assert slots[(24, 0)] == (1, "restart")  # 效益指标 starts after 20 产出 rows
    assert slots[(4, 1)] == (1, "restart") and slots[(12, 1)] == (1, "restart")
    assert slots[(11, 1)] == (1, "continue")
    assert slots[(44, 0)] == (5, None)  # 总分 colspan in the footer
    # Text lands in the placed cells.
    assert table.cell(4, 0).text == "产出指标"
    assert table.cell(24, 0).text == "效益指标"
    assert table.cell(4, 2).text == "指标1：支持企业数量"
    assert table.cell(3, 6).text == "82.81%"
    # Every row of the model's grid has the same slot columns in Word.
    for r, row in enumerate(spec.grid()):
        for column, cell in row:
            assert slots[(r, column)][0] == cell.colspan


def test_header_rows_repeat_and_numbers_are_right_aligned(word):
    data, form = word.tables[1], word.tables[-1]  # tables[0] is the key-figure tiles
    for table, heads in ((data, 1), (form, 1)):
        flags = [
            tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None
            for tr in table._tbl.tr_lst
        ]
        assert flags[:heads] == [True] * heads
        assert not any(flags[heads:])
        assert table.style.name == "Table Grid"
    assert data.cell(1, 2).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert data.cell(1, 0).paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT
    assert data.cell(5, 2).text == "2,260.00"  # the footer row
    sizes = {
        r.font.size.pt
        for t in (data, form)
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    }
    assert sizes <= {10.5, 12.0}
    widths = [col.width.mm for col in data.columns]
    assert sum(widths) == pytest.approx(156, abs=0.2)


def test_tiles_and_lists(word):
    tiles = word.tables[0]
    assert [c.paragraphs[1].text for c in tiles.rows[0].cells] == ["4 个", "88.2%", "85.9 分"]
    warn = tiles.cell(0, 1).paragraphs[1].runs[0]
    assert str(warn.font.color.rgb) == "C00000"
    items = [p for p in word.paragraphs if re.match(r"（\d）", p.text)]
    assert [p.text for p in items[:2]] == [
        "（1）预算执行率 82.81%，低于 90%",
        "（2）“双创”活动覆盖面有待扩大",
    ]
    assert items[0].runs[0].font.bold is True and not items[1].runs[0].font.bold


def test_signature_and_note_paragraphs(word):
    signature = [p for p in word.paragraphs if p.style.name == "Signature"]
    assert [p.text for p in signature] == ["高新区科技局", "2022年3月15日"]
    assert word.styles["Signature"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert signature[0].paragraph_format.space_before is not None
    assert signature[1].paragraph_format.space_before is None
    note = next(p for p in word.paragraphs if p.style.name == "Note")
    assert word.styles["Note"].font.size.pt == 14 and note.text.startswith("注：")


# ------------------------------------------------------------------ text is only text


def test_text_from_data_stays_literal(word):
    texts = [p.text for p in word.paragraphs]
    assert INJECTION in texts
    form = word.tables[-1]
    assert form.cell(20, 2).text == INJECTION
    with zipfile.ZipFile(io.BytesIO(rendered())) as z:
        xml = z.read("word/document.xml").decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_control_characters_are_dropped_not_fatal():
    doc = Document("t", [Paragraph("甲\x00乙\x0b丙\x1f丁"), Heading("标题\x07", 2)])
    word = open_docx(io.BytesIO(render_docx(doc)))
    assert [p.text for p in word.paragraphs] == ["甲乙丙丁", "标题"]


def test_svgs_to_png_batches_and_keeps_order():
    line, bar = _svg_chart("line"), _svg_chart("bar")
    pngs = svgs_to_png([(line, 156.0), (bar, 78.0)])
    assert all(p is not None and p[:4] == b"\x89PNG" for p in pngs)
    import struct

    widths = [struct.unpack(">I", p[16:20])[0] for p in pngs if p]
    assert widths[0] == pytest.approx(156 / 25.4 * 200, rel=0.02)
    assert widths[1] == pytest.approx(78 / 25.4 * 200, rel=0.02)
    assert svgs_to_png([]) == []


# ------------------------------------------------------------------ layout decisions


def _tall_svg() -> str:
    import matplotlib.pyplot as plt

    _svg_chart("line")  # configures fonts
    fig, ax = plt.subplots(figsize=(7, 14), layout="constrained")
    ax.barh([f"指标{i}" for i in range(30)], range(30))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def test_a_tall_figure_is_narrowed_to_fit_the_text_block_with_its_caption():
    word = open_docx(io.BytesIO(render_docx(Document("t", [Figure("很高的图", _tall_svg())]))))
    shape = word.inline_shapes[0]
    assert shape.height.mm < 225 - 2 * 10.2  # room for the caption line below
    assert shape.height.mm > 180  # as large as fits
    assert shape.width.mm < 156
    assert shape.width / shape.height == pytest.approx(0.5, rel=0.05)


def test_tiles_rows_are_balanced():
    tiles = Tiles([Tile(f"指标{i}", f"{i} 个") for i in range(6)])
    word = open_docx(io.BytesIO(render_docx(Document("t", [tiles]))))
    table = word.tables[0]
    assert (len(table.rows), len(table.columns)) == (2, 3)
    assert [c.paragraphs[1].text for c in table.rows[1].cells] == ["3 个", "4 个", "5 个"]


def test_numbers_and_short_labels_get_room_and_empty_columns_give_theirs():
    head = [[Cell(h) for h in ("项目", "分值", "得分", "完成情况", "偏差原因")]]
    body = [
        [
            Cell("很长的项目名称" * 4),
            Cell("18.75", is_numeric=True),
            Cell("100", is_numeric=True),
            Cell("达成"),
            Cell(""),
        ]
    ]
    table = Table("宽度", head, body, widths=[1, 0.3, 0.3, 0.5, 3])
    word = open_docx(io.BytesIO(render_docx(Document("t", [table]))))
    widths = [column.width.mm for column in word.tables[0].columns]
    assert sum(widths) == pytest.approx(156, abs=0.2)
    # 18.75 at 12 pt needs about 10 mm with the 1 mm cell margins; the weights gave 5.6 mm.
    assert widths[1] > 9.5 and widths[2] > 8
    # 偏差原因 has no text below its header: it keeps the header's width, the text column the rest.
    assert 17 < widths[4] < 22  # four characters at 12 pt; its weight alone gave it 92 mm
    assert widths[0] == pytest.approx(2 * widths[3], rel=0.01)  # the rest shared 1 : 0.5
    assert widths[0] > 60


def test_a_short_table_continued_by_another_is_kept_with_it(word):
    doc = Document(
        "t",
        [
            Table("甲项目绩效自评表", [], [[Cell("项目名称", is_header=True), Cell("甲")]]),
            Table(
                "", [[Cell("指标"), Cell("得分")]], [[Cell("数量"), Cell("90", is_numeric=True)]]
            ),
            Table("乙表", [], [[Cell("a"), Cell("b")]]),
        ],
    )
    word = open_docx(io.BytesIO(render_docx(doc)))
    first, second = word.tables[0], word.tables[1]
    assert all(
        p.paragraph_format.keep_with_next
        for row in first.rows
        for c in row.cells
        for p in c.paragraphs
    )
    assert not any(
        p.paragraph_format.keep_with_next
        for row in second.rows
        for c in row.cells
        for p in c.paragraphs
    )
    spacers = [p for p in word.paragraphs if p.style.name == "Table Spacer"]
    assert [bool(p.paragraph_format.keep_with_next) for p in spacers] == [True, False, False]


def test_every_paragraph_names_a_style_that_exists(word):
    ids = {s.style_id for s in word.styles}
    for p in word.element.body.iter(qn("w:pStyle")):
        assert p.get(qn("w:val")) in ids
    names = {s.name for s in word.styles}
    assert {"toc 1", "toc 2", "table of figures", "Caption"} <= names
