"""The Typst PDF renderer: A4, embedded CJK fonts, bookmarks, contents, footers, repeated
table headers, data placed as text (never as markup), numbering from Document.outline()."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

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
)
from helpers.fonts import CJKFontNotFoundError
from helpers.render import pdf as render_pdf_module
from helpers.render.pdf import (
    TEMPLATE,
    column_widths,
    document_data,
    font_stacks,
    link_fonts,
    render_pdf,
)

pypdf = pytest.importorskip("pypdf")

INJECTION = "#set text(red) *x* $y$ <script>"
CAPTION_INJECTION = '"); #panic("boom") [x] //'
LONG_HEADER = "项目名称（逐项明细）"
A4_POINTS = (595.28, 841.89)
DECIMAL = re.compile(r"^\d[\d,]*(\.\d+%?|%)$")  # 18.75, 1,850.00, 99.8%, 100%: never broken
CATEGORIES = ["科技创新", "产业扶持", "人才引进", "平台建设", "知识产权", "科技金融", "科普宣传"]


# ------------------------------------------------------------------ a realistic synthetic report


def chart_svg(number: int) -> str:
    """One matplotlib chart with Chinese labels, text kept as SVG <text> elements."""
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    from helpers.fonts import configure_charts

    configure_charts()
    matplotlib.rcParams["svg.fonttype"] = "none"
    fig = MplFigure(figsize=(6.3, 3.2), layout="constrained")
    ax = fig.add_subplot()
    names = [f"{c}项目{i}" for i, c in enumerate(CATEGORIES[: 3 + number % 4], start=1)]
    values = [40 + 13 * ((i * 7 + number) % 5) for i in range(len(names))]
    if number % 2:
        ax.barh(names, values, color="#0072B2")
        ax.set_xlabel("预算执行率（%）")
    else:
        ax.plot(names, values, marker="o", color="#D55E00")
        ax.set_ylabel("金额（万元）")
    ax.set_title(f"图表{number}：各项目完成情况")
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()


FULL_FORM = (
    ("产出指标", (("数量指标", 6), ("质量指标", 6), ("时效指标", 6))),
    ("效益指标", (("经济效益", 4), ("社会效益", 4), ("可持续影响", 4))),
    ("满意度指标", (("服务对象满意度", 5),)),
)
SMALL_FORM = (
    ("产出指标", (("数量指标", 3), ("质量指标", 2))),
    ("效益指标", (("社会效益", 2),)),
    ("满意度指标", (("服务对象满意度", 1),)),
)


def form_table(caption: str, groups=FULL_FORM) -> Table:
    """A 自评表 (40 rows when full): money part with colspans, indicators with rowspans."""
    head = [
        [
            Cell("一级指标"),
            Cell("二级指标"),
            Cell("三级指标"),
            Cell("年度指标值"),
            Cell("实际完成值"),
            Cell("分值"),
            Cell("得分"),
            Cell("偏差原因分析及改进措施"),
        ]
    ]
    money = ("年初预算数", "全年预算数", "全年执行数", "执行率")
    body = [
        [
            Cell("项目资金（万元）", colspan=2, rowspan=4, is_header=True),
            Cell("", is_header=True),
            *(Cell(m, is_header=True, colspan=2 if m == "全年执行数" else 1) for m in money),
        ],
        [
            Cell("年度资金总额"),
            *(Cell(v, is_numeric=True) for v in ("500.00", "480.00")),
            Cell("452.16", colspan=2, is_numeric=True),
            Cell("94.20%", is_numeric=True),
        ],
        [
            Cell("其中：当年财政拨款"),
            *(Cell(v, is_numeric=True) for v in ("500.00", "480.00")),
            Cell("452.16", colspan=2, is_numeric=True),
            Cell("—"),
        ],
        [
            Cell("上年结转资金"),
            *(Cell(v, is_numeric=True) for v in ("0.00", "0.00")),
            Cell("0.00", colspan=2, is_numeric=True),
            Cell("—"),
        ],
        [
            Cell("年度总体目标", colspan=2, is_header=True),
            Cell(
                "支持区内企业开展关键核心技术攻关，新增高新技术企业不少于30家，带动研发投入增长。",
                colspan=6,
            ),
        ],
    ]
    n = 0
    for level1, level2s in groups:
        first1 = True
        size1 = sum(size for _, size in level2s)
        for level2, size in level2s:
            for i in range(size):
                n += 1
                row = []
                if first1:
                    row.append(Cell(level1, rowspan=size1, is_header=True))
                    first1 = False
                if i == 0:
                    row.append(Cell(level2, rowspan=size, is_header=True))
                status = "status-未达成" if n % 9 == 0 else ""
                row += [
                    Cell(f"指标{n}：完成科技项目验收数量"),
                    Cell(f"≥{n + 10}个"),
                    Cell(f"{n + 9 if status else n + 12}个", style=status),
                    Cell("18.75", is_numeric=True),
                    Cell("12.50" if status else "18.75", is_numeric=True),
                    Cell("受疫情影响部分项目延期验收，下一年度加强调度。" if status else ""),
                ]
                body.append(row)
    foot = [
        [
            Cell("总分", colspan=5),
            Cell("100", is_numeric=True),
            Cell("92.50", is_numeric=True),
            Cell("自评等级：优"),
        ]
    ]
    return Table(
        caption, head, body, foot, widths=[0.9, 0.9, 1.8, 1.3, 1.3, 0.6, 0.6, 1.9], style="form"
    )


def data_table(caption: str, rows: int, header: str = "项目名称") -> Table:
    head = [
        [
            Cell(header),
            Cell("类别"),
            Cell("预算（万元）", is_numeric=True),
            Cell("执行率", is_numeric=True),
            Cell("得分", is_numeric=True),
        ]
    ]
    body = [
        [
            Cell(f"{CATEGORIES[i % 7]}专项资金第{i + 1}号项目"),
            Cell(CATEGORIES[i % 7]),
            Cell(f"{100 + 37.5 * i:,.2f}", is_numeric=True),
            Cell(
                f"{80 + i % 20:.2f}%", is_numeric=True, style="status-未达成" if i % 11 == 5 else ""
            ),
            Cell(f"{85 + i % 15:.1f}", is_numeric=True),
        ]
        for i in range(rows)
    ]
    foot = [
        [
            Cell("合计"),
            Cell(f"{rows} 个项目"),
            Cell(f"{sum(100 + 37.5 * i for i in range(rows)):,.2f}", is_numeric=True),
            Cell(""),
            Cell(""),
        ]
    ]
    return Table(caption, head, body, foot, widths=[3.2, 1.4, 1.5, 1.1, 0.9])


def synthetic_document(figures: int = 7) -> Document:
    """A report shaped like the FY2021 seed: ~25 pages, 7 charts, ~20 tables."""
    svgs = [chart_svg(n) for n in range(1, figures + 1)]
    title = "高新区科技局2021年度部门整体支出绩效自评报告"
    body = "2021年，我局围绕年度绩效目标，统筹推进科技创新、产业扶持和人才引进等重点工作，" * 3
    blocks: list = [
        Heading(title, 1),
        Paragraph(
            "根据区财政局关于开展2021年度预算绩效自评工作的通知要求，我局对纳入绩效管理的项目开展了自评。"
        ),
        Contents(),
        Heading("绩效概览", 2),
        Tiles(
            [
                Tile("年度预算", "4,860.00 万元", "20 个项目"),
                Tile("预算执行率", "93.06%", "全年执行 4,522.71 万元"),
                Tile("平均得分", "91.3 分", "等级 优"),
                Tile("未达成指标", "7 个", "涉及 5 个项目", is_warning=True),
            ]
        ),
        Heading("一、组织开展情况", 2),
        Paragraph(body),
        Paragraph(INJECTION),
        Figure("各类别项目预算（万元）", svgs[0]),
        data_table("项目预算、执行率与自评得分", 20),
        Heading("二、绩效目标完成情况", 2),
    ]
    figure_index = 1
    for n, category in enumerate(CATEGORIES[:5], start=1):
        blocks += [
            Heading(f"（{'一二三四五'[n - 1]}）{category}类项目", 3),
            Paragraph(body),
        ]
        if figure_index < figures:
            caption = f"{category}类项目指标完成情况（实际/目标）"
            if n == 2:
                caption = CAPTION_INJECTION
            blocks.append(Figure(caption, svgs[figure_index]))
            figure_index += 1
        blocks += [data_table(f"{category}类项目明细", 8), Paragraph(body)]
    while figure_index < figures:
        blocks.append(Figure(f"补充图表{figure_index}", svgs[figure_index], width_pct=80))
        figure_index += 1
    blocks += [
        Heading("三、存在的问题", 2),
        Paragraph("经逐项对照绩效目标，主要问题如下："),
        ItemList(
            ["部分项目预算执行率低于90%。", "个别指标未填报实际完成值。", "绩效目标设置不够细化。"],
            ["warn", "warn", ""],
        ),
        Heading("四、下一步工作", 2),
        Paragraph(body),
        Paragraph("数据提示：本报告金额单位为万元。", "note"),
        Paragraph("高新区科技局", "signature"),
        Paragraph("2022年3月15日", "signature"),
        Heading("附件1 项目明细（长表）", 2, starts_page=True),
        data_table("全部项目明细", 80, header=LONG_HEADER),
        Heading("附件2 项目支出绩效自评表", 2, starts_page=True),
        Heading("科技创新专项资金", 4),
        form_table("科技创新专项资金绩效自评表"),
    ]
    for n in range(3):
        blocks += [
            Heading(f"产业扶持专项资金{n + 1}", 4),
            form_table(f"产业扶持专项资金{n + 1}绩效自评表"),
        ]
    for n in range(9):
        name = f"{CATEGORIES[n % 7]}小额项目{n + 1}"
        blocks += [Heading(name, 4), form_table(f"{name}绩效自评表", SMALL_FORM)]
    blocks.append(Table("", [[Cell("无标题表")]], [[Cell("不编号")]]))
    return Document(title, blocks)


# ------------------------------------------------------------------ fixtures and readers


@pytest.fixture(scope="module")
def document() -> Document:
    return synthetic_document()


@pytest.fixture(scope="module")
def rendered(document: Document, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    target = tmp_path_factory.mktemp("pdf") / "report.pdf"
    return render_pdf(document, target), target


@pytest.fixture(scope="module")
def reader(rendered):
    return pypdf.PdfReader(io.BytesIO(rendered[0]))


def page_texts(pdf: bytes) -> list[str]:
    """Text of each page (pdftotext when installed, else pypdf)."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout
        return out.decode("utf-8").split("\f")[:-1]
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def pages(rendered) -> list[str]:
    return page_texts(rendered[0])


def flat(text: str) -> str:
    """Text without whitespace (line breaks fall anywhere inside a Chinese line)."""
    return re.sub(r"\s+", "", text)


def bookmarks(reader, items=None, depth: int = 0) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark, in order."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += bookmarks(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item) + 1))
    return found


# ------------------------------------------------------------------ the tests


def test_the_target_is_written_whole_with_nothing_left_beside_it(rendered) -> None:
    pdf, target = rendered
    assert pdf.startswith(b"%PDF-")
    assert target.read_bytes() == pdf
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


def test_every_page_is_a4_and_the_report_is_long_like_the_seed(reader) -> None:
    assert 20 <= len(reader.pages) <= 40
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == pytest.approx(A4_POINTS, abs=0.2)


def embedded_fonts(resources, found: dict[str, bool]) -> dict[str, bool]:
    """Base font name -> embedded?, for a resource dictionary and its form XObjects (charts)."""
    resources = resources.get_object() if resources is not None else {}
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        descendants = font.get("/DescendantFonts")
        leaf = descendants[0].get_object() if descendants else font
        descriptor = leaf.get("/FontDescriptor")
        found[str(font["/BaseFont"])] = descriptor is not None and any(
            key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            embedded_fonts(xobject["/Resources"], found)
    return found


def test_fonts_are_embedded_and_the_body_is_a_cjk_serif(reader) -> None:
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        embedded_fonts(page.get("/Resources"), fonts)
    assert fonts, "no fonts found"
    assert all(fonts.values()), f"not embedded: {[n for n, e in fonts.items() if not e]}"
    names = [name.replace(" ", "").casefold() for name in fonts]
    if not hasattr(render_pdf_module._typst_fonts(), "families"):
        return  # typst-py 0.13 cannot say which of our families are installed
    stacks = render_pdf_module.installed_font_stacks()
    for face in (stacks["body"][0], stacks["heading"][0]):
        wanted = face.replace(" ", "").casefold()
        assert any(wanted in name for name in names), (face, sorted(fonts))


def test_bookmarks_are_the_sections_and_subsections_only(reader, document: Document) -> None:
    marks = bookmarks(reader)
    sections = document.outline().sections
    assert [title for _, title, _ in marks] == [e.label for e in sections]
    assert [depth for depth, _, _ in marks] == [e.level - 2 for e in sections]
    assert document.title not in [title for _, title, _ in marks]


def test_the_contents_page_lists_sections_figures_and_tables_with_their_pages(
    reader, pages: list[str], document: Document
) -> None:
    outline = document.outline()
    contents = next(i for i, text in enumerate(pages) if "目录" in text and "图目录" in text)
    text = flat("".join(pages[contents : contents + 3]))
    assert "图目录" in text and "表目录" in text
    page_of = {title: page for _, title, page in bookmarks(reader)}
    for entry in outline.sections:
        listed = re.search(re.escape(flat(entry.label)) + r"\.*(\d+)", text)
        assert listed, f"{entry.label} is not in the contents"
        assert int(listed[1]) == page_of[entry.label], entry.label
    for entry in outline.figures + outline.tables:
        assert re.search(re.escape(flat(entry.label)) + r"\.*\d+", text), entry.label


def test_contents_page_numbers_are_where_the_captions_are(
    pages: list[str], document: Document
) -> None:
    outline = document.outline()
    contents = next(i for i, text in enumerate(pages) if "图目录" in text)
    text = flat("".join(pages[contents : contents + 3]))
    for entry in outline.figures + outline.tables:
        page = int(re.search(re.escape(flat(entry.label)) + r"\.*(\d+)", text)[1])
        assert flat(entry.label) in flat(pages[page - 1]), (entry.label, page)


def test_every_page_has_the_footer_with_the_page_count(pages: list[str]) -> None:
    total = len(pages)
    assert f"第 1 页 / 共 {total} 页" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {total} 页" in text


def test_a_long_tables_header_row_repeats_on_the_next_page(pages: list[str]) -> None:
    on = [i for i, text in enumerate(pages) if LONG_HEADER in text]
    assert len(on) >= 2 and on[1] == on[0] + 1, on


def test_the_form_table_breaks_across_pages_and_repeats_its_header(pages: list[str]) -> None:
    first = next(
        i
        for i, text in enumerate(pages)
        if "科技创新专项资金绩效自评表" in text and "目录" not in text
    )
    assert "项目资金" in pages[first], (
        "the form should start under its caption, not on the next page"
    )
    assert "偏差原因分析及改进措施" in flat(pages[first + 1])
    assert "总分" in pages[first + 1] or "总分" in pages[first + 2]


def test_text_from_data_is_printed_literally_never_run_as_markup(pages: list[str]) -> None:
    everything = "\n".join(pages)
    assert INJECTION in everything
    assert flat(CAPTION_INJECTION) in flat(everything)


def test_the_template_never_evaluates_strings() -> None:
    source = TEMPLATE.read_text("utf-8")
    assert "eval(" not in source
    assert "json(" in source


def test_captions_are_numbered_and_in_order_as_the_outline_says(
    pages: list[str], document: Document
) -> None:
    outline = document.outline()
    contents = next(i for i, text in enumerate(pages) if "图目录" in text)
    after = flat("".join(pages[contents + 1 :]))
    # Skip the contents pages: headings and captions appear in document order in the body
    # (a chart that floats lets only plain text pass it).
    after = after[after.index(flat(outline.sections[0].label)) :]
    position = 0
    for entry in outline.entries:
        found = after.find(flat(entry.label), position)
        assert found >= 0, f"{entry.label} missing or out of order"
        position = found + len(flat(entry.label))
    assert "图8" not in after and f"表{len(outline.tables) + 1}" not in after
    labels = [
        b["label"]
        for b in document_data(document, {"body": [], "heading": [], "kai": []})["blocks"]
        if b["kind"] in ("figure", "table") and b["label"]
    ]
    assert labels == [e.label for e in outline.entries if e.kind != "section"]


def test_chart_text_is_chinese_text_in_the_pdf(pages: list[str]) -> None:
    everything = flat("\n".join(pages))
    assert "各项目完成情况" in everything
    assert "预算执行率（%）" in everything


def test_the_json_holds_plain_strings_and_anchors_from_the_outline(document: Document) -> None:
    data = document_data(document, {"body": ["B"], "heading": ["H"], "kai": ["K"]})
    dumped = json.dumps(data, ensure_ascii=False)
    assert INJECTION in dumped
    headings = [b for b in data["blocks"] if b["kind"] == "heading"]
    assert [h["anchor"] for h in headings if h["outlined"]] == [
        e.anchor for e in document.outline().sections
    ]
    assert not any(h["outlined"] for h in headings if h["level"] in (1, 4))
    figures = [b for b in data["blocks"] if b["kind"] == "figure"]
    assert [f["file"] for f in figures] == [f"fig-{n}.svg" for n in range(1, 8)]


def test_font_stacks_prefer_fangsong_and_fall_back_to_what_is_installed() -> None:
    windows = font_stacks(["FangSong", "SimHei", "KaiTi", "SimSun"])
    assert windows["body"][0] == "FangSong" and windows["heading"][0] == "SimHei"
    assert windows["kai"][0] == "KaiTi"
    debian = font_stacks(["noto serif cjk sc", "Noto Sans CJK SC"])
    assert debian == {
        "body": ["Noto Serif CJK SC", "Noto Sans CJK SC"],
        "heading": ["Noto Sans CJK SC", "Noto Serif CJK SC"],
        "kai": ["Noto Sans CJK SC", "Noto Serif CJK SC"],
    }
    with pytest.raises(CJKFontNotFoundError):
        font_stacks(["DejaVu Sans", "Libertinus Serif"])


def test_nothing_reaches_the_terminal_and_warm_layout_is_fast(document: Document, capfd) -> None:
    render_pdf_module.warm_up()
    render_pdf(document)  # warm
    started = time.perf_counter()
    render_pdf(document)
    elapsed = time.perf_counter() - started
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert elapsed < 2.0, f"warm layout took {elapsed:.2f} s"  # about 0.2 s here; loose for CI


def test_narrow_number_columns_get_the_width_of_their_numbers(pages: list[str]) -> None:
    table = form_table("自评表")
    fractions, fixed = column_widths(table, 8)
    assert fractions == [0.9, 0.9, 1.8, 1.3, 1.3, 0.6, 0.6, 1.9]
    assert fixed[5] > 0 and fixed[6] > 0, "18.75 is wider than 0.6/10.3 of the text width"
    assert fixed[:5] == [0.0] * 5 and fixed[7] == 0.0
    # In the PDF the two scores stay apart instead of running into each other.
    everything = "\n".join(pages)
    assert "18.75" in everything and "18.7518.75" not in everything


def test_no_widths_leave_the_columns_to_typst() -> None:
    assert column_widths(data_table("x", 2), 4) == ([], [])  # 5 widths for 4 columns: ignored
    plain = Table("", [[Cell("a"), Cell("b")]], [[Cell("1"), Cell("2")]])
    assert column_widths(plain, 2) == ([], [])


def test_short_tables_and_two_part_forms_and_signatures_keep_together() -> None:
    doc = Document(
        "t",
        [
            Table("项目", [[Cell("a")]], [[Cell("1")]] * 3),
            Table("", [[Cell("b")]], [[Cell("2")]] * 30),
            Paragraph("最后一段。"),
            Paragraph("某局", "signature"),
            Paragraph("2022年1月1日", "signature"),
        ],
    )
    blocks = document_data(doc, {"body": ["B"], "heading": ["H"], "kai": ["K"]})["blocks"]
    assert [b.get("breakable") for b in blocks[:2]] == [False, True]
    assert [b["sticky"] for b in blocks] == [True, False, True, True, False]
    assert [b["follows_signature"] for b in blocks[2:]] == [False, False, True]


def filler(n: int) -> list[Paragraph]:
    return [
        Paragraph(f"第{i}段：" + "预算绩效管理工作按计划推进，各项目执行情况良好。" * 4)
        for i in range(n)
    ]


def tall_chart_svg() -> str:
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    from helpers.fonts import configure_charts

    configure_charts()
    matplotlib.rcParams["svg.fonttype"] = "none"
    fig = MplFigure(figsize=(6.3, 6.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh([f"项目{i}" for i in range(15)], range(15))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def test_a_tall_chart_moves_whole_to_the_next_page_in_its_place() -> None:
    doc = Document(
        "t",
        [
            Heading("一、测试", 2),
            *filler(8),
            Figure("高图表", tall_chart_svg()),
            Paragraph("紧随图表的文字。"),
            Heading("二、下一节", 2),
            *filler(3),
        ],
    )
    texts = [flat(t) for t in page_texts(render_pdf(doc))]
    assert "第7段" in texts[0] and "图1高图表" not in texts[0]
    # The chart is not split and keeps its place: before the text after it and 二、.
    assert texts[1].index("图1高图表") < texts[1].index("紧随图表的文字。")
    assert texts[1].index("紧随图表的文字。") < texts[1].index("二、下一节")


def test_a_chart_taller_than_a_page_is_scaled_to_fit_one(tmp_path: Path) -> None:
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    from helpers.fonts import configure_charts

    configure_charts()
    matplotlib.rcParams["svg.fonttype"] = "none"
    fig = MplFigure(figsize=(6.3, 14))
    fig.add_subplot().barh([f"项目{i}" for i in range(40)], range(40))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    doc = Document(
        "t",
        [*filler(6), Heading("二、预算执行", 2), Figure("很高的图表", buffer.getvalue())],
    )
    render_pdf(doc, tmp_path / "tall.pdf")
    pages = words_by_page(tmp_path / "tall.pdf")
    assert len(pages) == 2
    # The chart left room for its heading: both on the second page, the caption on the page.
    assert not any("预算执行" in w for *_, w in pages[0]), "the heading was left alone"
    heading = [y0 for _, y0, _, w in pages[1] if "预算执行" in w]
    caption = [y0 for _, y0, _, w in pages[1] if "很高的图表" in w]
    bottom_margin_top = A4_POINTS[1] - 26 / 25.4 * 72
    assert heading and caption and heading[0] < caption[0]
    assert caption[0] < bottom_margin_top, "the caption fell off the page"


def test_a_chart_that_fits_stays_in_its_place() -> None:
    doc = Document("t", [*filler(1), Figure("图表", chart_svg(1)), Paragraph("图后文字。")])
    text = flat(page_texts(render_pdf(doc))[0])
    assert text.index("第0段") < text.index("图1图表") < text.index("图后文字。")


def ending_at_every_height(tail: list) -> list[list[str]]:
    """Page texts of documents whose text before ``tail`` ends a line lower each time."""
    results = []
    for lines in range(0, 24):
        blocks = [*filler(9), *(Paragraph(f"短句{i}。") for i in range(lines)), *tail]
        results.append([flat(t) for t in page_texts(render_pdf(Document("t", blocks)))])
    return results


def test_the_signature_does_not_stand_alone_on_a_page() -> None:
    tail = [Paragraph("某局", "signature"), Paragraph("2022年1月1日", "signature")]
    for texts in ending_at_every_height(tail):
        page = next(t for t in texts if "2022年1月1日" in t)
        assert "某局" in page and ("段" in page or "短句" in page), texts


def test_a_short_table_is_never_split() -> None:
    rows = [[Cell(f"第{i}行"), Cell(f"{i}.00", is_numeric=True)] for i in range(1, 5)]
    tail = [Table("短表", [[Cell("项目"), Cell("金额")]], rows)]
    for texts in ending_at_every_height(tail):
        page = next(t for t in texts if "第1行" in t)
        assert all(f"第{i}行" in page for i in range(1, 5)), texts
        assert "表1短表" in page


def words_by_page(pdf: Path) -> list[list[tuple[float, float, float, str]]]:
    """(xMin, yMin, xMax, text) of every word, page by page (pdftotext -bbox)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<')
    return [
        [(float(a), float(b), float(c), w) for a, b, c, w in word.findall(page)]
        for page in out.split("<page ")[1:]
    ]


def test_text_never_overlaps_text(rendered) -> None:
    for number, words in enumerate(words_by_page(rendered[1]), start=1):
        for i, (x0, y0, x1, w) in enumerate(words):
            for u0, v0, u1, other in words[i + 1 :]:
                if abs(y0 - v0) < 2 and min(x1, u1) - max(x0, u0) > 1:
                    raise AssertionError(f"page {number}: {w!r} overlaps {other!r}")


def test_numbers_in_neighbouring_cells_keep_their_padding(rendered) -> None:
    """Two cells' insets (4 pt each) lie between numbers in neighbouring columns; less means a
    number too wide for its column ran over the rule into the next cell."""
    for number, words in enumerate(words_by_page(rendered[1]), start=1):
        numbers = sorted((y0, x0, x1, w) for x0, y0, x1, w in words if DECIMAL.match(w))
        for (y0, _, x1, w), (v0, u0, _, other) in itertools.pairwise(numbers):
            if abs(y0 - v0) < 2:
                assert u0 - x1 >= 7.5, f"page {number}: {w!r} runs into {other!r}"


def test_bundled_font_files_are_handed_to_typst_as_a_folder() -> None:
    typst = pytest.importorskip("typst")
    system = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not system.is_file():
        pytest.skip("no Noto Sans CJK file to stand in for the bundled font")
    assert link_fonts([]) is None
    folder = link_fonts([system])
    assert folder is not None and [p.name for p in folder.iterdir()] == [system.name]
    fonts = typst.Fonts(include_system_fonts=False, font_paths=[str(folder)])
    if hasattr(fonts, "families"):  # typst-py 0.14 and later
        assert "Noto Sans CJK SC" in fonts.families()


def test_a_cjk_font_of_the_charts_serves_when_none_of_ours_is_installed() -> None:
    assert font_stacks(["WenQuanYi Zen Hei"])["body"] == ["WenQuanYi Zen Hei"]


# ------------------------------------------------------------------ the FY2021 seed report


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, bytes, Path]:
    try:
        from helpers.report import build_document  # type: ignore[attr-defined]
    except ImportError:
        pytest.skip("helpers.report.build_document is not there yet")
    document = build_document(2021, "高新区科技局")
    target = tmp_path_factory.mktemp("seed") / "fy2021.pdf"
    render_pdf(document, target)
    return document, target.read_bytes(), target


def test_the_fy2021_report_is_small_fast_and_in_order(seed_pdf) -> None:
    document, pdf, _ = seed_pdf
    started = time.perf_counter()
    render_pdf(document)
    assert time.perf_counter() - started < 1.5  # budget 0.5 s; about 0.05 s warm here
    assert len(pdf) < 1_000_000
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert 20 <= len(reader.pages) <= 40
    assert [title for _, title, _ in bookmarks(reader)] == [
        e.label for e in document.outline().sections
    ]
    texts = page_texts(pdf)
    total = len(texts)
    assert all(f"第 {n} 页 / 共 {total} 页" in t for n, t in enumerate(texts, start=1))
    everything = flat("".join(texts))
    for entry in document.outline().entries:
        assert flat(entry.label) in everything


def test_the_fy2021_report_has_no_overrunning_numbers(seed_pdf) -> None:
    for number, words in enumerate(words_by_page(seed_pdf[2]), start=1):
        numbers = sorted((y0, x0, x1, w) for x0, y0, x1, w in words if DECIMAL.match(w))
        for (y0, _, x1, w), (v0, u0, _, other) in itertools.pairwise(numbers):
            if abs(y0 - v0) < 2:
                assert u0 - x1 >= 7.5, f"page {number}: {w!r} runs into {other!r}"


def test_a_tiles_number_and_unit_stay_on_one_line() -> None:
    wide = [
        Tile("全年预算", "123456.7890", "其中项目 3294.1794 万元", unit="万元"),
        Tile("全年支出", "6700.4559", unit="万元"),
        Tile("预算执行率", "98.72%"),
        Tile("平均得分", "99.18", "等级：优", unit="分"),
    ]
    (text,) = page_texts(render_pdf(Document("t", [Tiles(wide)])))
    lines = [line.strip() for line in text.splitlines()]
    assert any(re.fullmatch(r"123456\.7890\s*万元", line) for line in lines), lines
    assert any(re.fullmatch(r"6700\.4559\s*万元", line) for line in lines), lines
    assert "元" not in lines  # never a unit's last character alone on a line
