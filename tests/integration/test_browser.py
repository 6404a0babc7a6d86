"""The HTML report in a real browser (headless Chromium): it renders, and data never runs."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration

ALERT_NAME = "<img src=x onerror=alert(1)>"
# Same attack, but with an effect Chromium's DOM dump can show: it marks <body> when it runs.
MARKING_NAME = "<img src=x onerror=\"document.body.setAttribute('data-xss','1')\">"
MARKED_RE = re.compile(r"<body\b[^>]*\bdata-xss=")


def test_report_renders_in_chromium(fy2021_report, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from PIL import Image

    shot = chromium.screenshot(fy2021_report.html_path, tmp_path)
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape[:2] == (2000, 1200)
    non_white = float((pixels.min(axis=2) < 240).mean())
    colours = len(np.unique(pixels.reshape(-1, 3), axis=0))
    assert non_white > 0.01, f"blank screenshot: {non_white:.2%} non-white pixels"
    assert colours >= 16, f"only {colours} distinct colours: text and charts missing"
    # The top of the page holds the title: dark text, not an empty frame.
    assert (pixels[:300].min(axis=2) < 100).mean() > 0.001, "no dark text at the top"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory, support: ModuleType) -> Path:
    """The FY2021 report (HTML only) of a copied dataset whose project names are HTML."""
    from helpers.cli import main

    root = tmp_path_factory.mktemp("hostile")
    folder = support.copy_seed(root / "data")
    renames = {"KJ01": ALERT_NAME, "KJ02": MARKING_NAME}

    def rename(row: dict[str, str]) -> None:
        row["name"] = renames.get(row["project_id"], row["name"])

    support.rewrite_projects(folder, rename)
    params = support.write_params(
        root / "params.yaml",
        f"fiscal_year: 2021\nformats: [html]\ndata_dir: {root / 'data'}\n",
    )
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(root / "out")])
    html = root / "out" / "2021" / support.DEPARTMENT / "report.html"
    assert code == 0 and html.is_file(), captured.text
    assert not html.with_suffix(".pdf").exists(), "formats: [html] must not make a PDF"
    return html


def test_project_names_are_escaped(hostile_report: Path) -> None:
    document = hostile_report.read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in document
    assert not re.search(r"<img\s+src\s*=\s*[\"']?x", document, re.I), "raw <img src=x> in HTML"
    assert "onerror=alert(1)>" not in document


def test_chromium_detects_injected_markup(chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Control: unescaped, the marking name does run (so the next test can fail)."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>control</p>{MARKING_NAME}</body></html>")
    assert MARKED_RE.search(chromium.dump_dom(page, tmp_path))


def test_project_names_do_not_run_in_chromium(
    hostile_report: Path, chromium, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dom = chromium.dump_dom(hostile_report, tmp_path)
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom, "the name is shown as text"
    assert not MARKED_RE.search(dom), "a project name ran as script in the browser"


def test_at_phone_width_tables_scroll_in_their_box_and_the_page_does_not(  # type: ignore[no-untyped-def]
    fy2021_report, chromium, tmp_path: Path
) -> None:
    # Headless Chromium's window is at least 500 px wide, so the report goes into a 390 px
    # wide same-origin frame (srcdoc) of a test-only page whose script measures it after
    # layout (the report itself has no script): how wide the page gets, and how many tables
    # are wider than their box (they scroll inside it).
    import html as html_lib

    report = fy2021_report.html_path.read_text("utf-8")
    probe = (
        f'<iframe id="phone" width="390" height="844" srcdoc="{html_lib.escape(report)}"></iframe>'
        "<script>document.getElementById('phone').addEventListener('load', (e) => {"
        "const doc = e.target.contentDocument;"
        "const page = doc.documentElement.scrollWidth;"
        "const wide = [...doc.querySelectorAll('.table-wrap')]"
        ".filter(w => w.scrollWidth > w.clientWidth).length;"
        "document.body.setAttribute('data-probe', page + ' ' + wide);});</script>"
    )
    copy = tmp_path / "phone.html"
    copy.write_text(f"<!DOCTYPE html><html><body>{probe}</body></html>", "utf-8")
    done = chromium._run(
        copy, tmp_path, "--window-size=800,900", "--virtual-time-budget=5000", "--dump-dom"
    )
    found = re.search(r'data-probe="(\d+) (\d+)"', done.stdout.decode("utf-8", "replace"))
    assert found, "the probe did not run"
    page_width, scrolling_tables = int(found.group(1)), int(found.group(2))
    assert page_width <= 390, f"the page is {page_width} px wide at a 390 px viewport"
    assert scrolling_tables >= 1, "wide tables should scroll inside their box"
