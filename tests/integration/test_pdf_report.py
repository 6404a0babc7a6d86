"""The rendered report.pdf: A4, CJK fonts embedded, text extractable, numbered pages."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration

CJK_FONT_RE = re.compile(
    r"Noto[ -]?Sans[ -]?CJK|Noto[ -]?Serif[ -]?CJK|Source[ -]?Han|WenQuanYi|wqy|NotoSansSC", re.I
)


@pytest.fixture(scope="module")
def pdf_text(fy2021_report, poppler) -> str:  # type: ignore[no-untyped-def]
    return poppler.text(fy2021_report.pdf_path)


@pytest.fixture(scope="module")
def pdf_info(fy2021_report, poppler) -> str:  # type: ignore[no-untyped-def]
    return poppler.info(fy2021_report.pdf_path)


@pytest.mark.parametrize(
    "expected",
    [
        "科技局2021年度绩效自评工作报告",
        "科学技术奖奖励项目",
        "金融风险防控专项经费项目",
        "39732",
        "99.97%",
        "681.5307",
        "92.5",
    ],
)
def test_pdf_text_is_extractable(pdf_text: str, expected: str) -> None:
    assert expected in pdf_text


def test_pdf_embeds_a_cjk_font(fy2021_report, poppler) -> None:  # type: ignore[no-untyped-def]
    listing = poppler.fonts(fy2021_report.pdf_path)
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows, f"pdffonts lists no font:\n{listing}"
    # Columns from the right: object ID (2 words), uni, sub, emb.
    cjk_embedded = [r[0] for r in rows if CJK_FONT_RE.search(r[0]) and r[-5] == "yes"]
    assert cjk_embedded, f"no embedded CJK font:\n{listing}"
    not_embedded = [r[0] for r in rows if r[-5] != "yes"]
    assert not_embedded == [], f"fonts not embedded (readers without them show boxes):\n{listing}"


def test_pdf_is_a4(pdf_info: str) -> None:
    assert re.search(r"^Page size:\s+595(\.\d+)? x 841(\.\d+)? pts", pdf_info, re.M), pdf_info


def test_pdf_pages_are_numbered(pdf_text: str, pdf_info: str) -> None:
    pages = int(re.search(r"^Pages:\s+(\d+)", pdf_info, re.M).group(1))  # type: ignore[union-attr]
    assert pages > 1
    assert "第 1 页" in pdf_text
    assert f"第 {pages} 页" in pdf_text, "the last page is numbered too"
