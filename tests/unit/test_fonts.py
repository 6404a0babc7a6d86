"""The CJK font helper registers font files itself when matplotlib's cache is stale."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager

from helpers import fonts


def test_configure_charts_picks_a_cjk_font_and_turns_off_unicode_minus() -> None:
    import matplotlib

    family = fonts.configure_charts()
    assert family in fonts.CJK_FONT_FAMILIES
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_drawing_chinese_emits_no_missing_glyph_warning(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    fonts.configure_charts()
    fig = Figure()
    ax = fig.subplots()
    ax.set_title("科技创新发展方面 −5%")
    ax.barh([0, 1], [-3, 5], tick_label=["引进港澳台项目数量", "服务对象满意度"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "chart.png")
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []


def test_stale_font_cache_is_repaired_by_registering_files(monkeypatch: pytest.MonkeyPatch) -> None:
    files = fonts._fontconfig_cjk_files()
    if not files:
        pytest.fail("no CJK font installed: run `make test`, which installs fonts-noto-cjk")
    # Simulate matplotlib's cache from before `apt-get install fonts-noto-cjk`.
    stale = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    fonts.find_cjk_font.cache_clear()
    try:
        assert fonts.find_cjk_font() in fonts.CJK_FONT_FAMILIES
        assert any("CJK" in f.name for f in font_manager.fontManager.ttflist)
    finally:
        fonts.find_cjk_font.cache_clear()


def test_missing_font_gives_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    stale = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    monkeypatch.setattr(fonts, "_fontconfig_cjk_files", lambda: [])
    monkeypatch.setattr(fonts, "bundled_font_files", lambda: [])
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(fonts.CJKFontNotFoundError, match="fonts-noto-cjk"):
            fonts.find_cjk_font()
    finally:
        fonts.find_cjk_font.cache_clear()


# The bundled font's way into the PDF: tests/unit/test_render_pdf.py (link_fonts).
