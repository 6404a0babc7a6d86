"""Chinese text in charts: find a CJK font, register it with matplotlib, configure seaborn.

matplotlib caches its font list; right after ``apt-get install fonts-noto-cjk`` that cache does
not know the new fonts, so :func:`find_cjk_font` registers font files itself (from fontconfig, or
from the OFL Noto Sans CJK SC file of the ``mplfonts`` package on a pip-only machine) instead of
relying on the cache. :func:`configure_charts` applies the font *after* seaborn's theme, which
would otherwise reset it, and turns off ``axes.unicode_minus`` (the Unicode minus is missing
from many CJK fonts).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "SimHei",
    "Noto Sans CJK JP",
    "Source Han Sans CN",
)
"""Preferred CJK families, best first (also the CSS font stack of the HTML report)."""

CSS_FONT_STACK = ", ".join(f'"{name}"' for name in CJK_FONT_FAMILIES) + ", sans-serif"


class CJKFontNotFoundError(RuntimeError):
    """No font able to draw Chinese is installed."""


def _fontconfig_cjk_files() -> list[Path]:
    """Font files fontconfig knows to cover Chinese (empty without fontconfig)."""
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()})


def bundled_font_files() -> list[Path]:
    """OFL CJK font files shipped by PyPI packages (``pip install jixiao[fonts]``)."""
    try:
        import mplfonts  # type: ignore[import-not-found]
    except ImportError:
        return []
    folder = Path(mplfonts.__file__).parent / "fonts"
    # Only the OFL-licensed Noto file; the package also carries fonts we do not redistribute.
    return [p for p in (folder / "NotoSansCJKsc-Regular.otf",) if p.is_file()]


@functools.cache
def find_cjk_font(extra_files: tuple[str, ...] = ()) -> str:
    """Return the family name of an installed CJK font, registering font files if needed.

    Args:
        extra_files: more font files to try (for tests and unusual installs).

    Returns:
        A family name matplotlib can use, e.g. ``"Noto Sans CJK SC"``.

    Raises:
        CJKFontNotFoundError: with the install command, when no CJK font exists.
    """
    from matplotlib import font_manager

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    for name in CJK_FONT_FAMILIES:
        if name in known():
            return name
    # The cache may predate the font's installation: register the files themselves.
    candidates = [Path(p) for p in extra_files] + _fontconfig_cjk_files() + bundled_font_files()
    for path in candidates:
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):
            continue
    names = known()
    for name in CJK_FONT_FAMILIES:
        if name in names:
            return name
    for path in candidates:  # a CJK font with a family name we do not list
        try:
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    raise CJKFontNotFoundError(
        "找不到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）或 "
        "pip install 'jixiao[fonts]'。 / No CJK font found: install fonts-noto-cjk or jixiao[fonts]."
    )


def configure_charts(dpi: int = 150) -> str:
    """Set the house chart style: seaborn theme, a CJK font, no Unicode minus.

    Args:
        dpi: resolution of rendered figures.

    Returns:
        The CJK font family in use.
    """
    import matplotlib
    import seaborn as sns

    family = find_cjk_font()
    sns.set_theme(context="notebook", style="whitegrid", font=family)
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, *matplotlib.rcParams["font.sans-serif"]],
            "axes.unicode_minus": False,
            "text.parse_math": False,  # "$" in a project name is text, not mathtext
            "figure.dpi": dpi,
            "savefig.dpi": dpi,
            "savefig.bbox": None,  # constrained layout already fits; "tight" would draw twice
            "svg.fonttype": "none",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 9,
            "legend.frameon": False,
        }
    )
    return family
