"""Text from data never becomes markup or control, in every field and every output.

Every text field of a copied FY2021 dataset (department name and free text, project names,
categories and outcomes, indicator names, targets, actuals and deviation reasons) carries Chinese
text and a payload. The rendered HTML is checked as text and in headless Chromium (no script ran,
no event-handler attribute came from data), every chart SVG holds the payload only as escaped
text, and the workbooks written from the same data hold it as literal text, never a formula.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration

PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-xss','1')\">"
FORMULA = '=HYPERLINK("http://x","点我")'
MARKED_RE = re.compile(r"<body\b[^>]*\bdata-xss=")
EVENT_ATTR_RE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, support: ModuleType) -> dict[str, Path]:
    """A dataset with a payload in every text field, rendered (HTML) and converted (xlsx)."""
    import yaml

    from helpers.cli import main

    root = tmp_path_factory.mktemp("inject")
    folder = support.copy_seed(root / "data")

    def projects(row: dict[str, str]) -> None:
        if row["project_id"] in ("KJ01", "JR01"):
            row["name"] = f"科技项目{PAYLOAD}"
            row["outcome"] = f"成效显著{PAYLOAD}"
        if row["project_id"] == "KJ02":
            row["name"] = FORMULA

    def indicators(row: dict[str, str]) -> None:
        if row["project_id"] in ("KJ01", "JR01"):
            row["name"] = f"指标{PAYLOAD}"
            row["deviation_reason"] = f"原因{PAYLOAD}"
            if row["actual"]:
                row["actual"] = f"{row['actual']}{PAYLOAD}"

    support.rewrite_csv(folder / "projects.csv", projects)
    support.rewrite_csv(folder / "indicators.csv", indicators)
    department = yaml.safe_load((folder / "department.yaml").read_text("utf-8"))
    department["title_name"] = f"科技局{PAYLOAD}"
    for key in ("organization", "problems", "next_steps"):
        department["sections"][key] = f"工作情况{PAYLOAD}"
    (folder / "department.yaml").write_text(
        yaml.safe_dump(department, allow_unicode=True, sort_keys=False), "utf-8"
    )
    params = support.write_params(
        root / "params.yaml", f"fiscal_year: 2021\nformats: [html]\ndata_dir: {root / 'data'}\n"
    )
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(root / "out")])
    report = root / "out" / "2021" / support.DEPARTMENT
    assert code == 0 and (report / "report.html").is_file(), captured.text
    form = root / "form.xlsx"
    scores = root / "scores.xlsx"
    assert main(["convert", str(folder), "--form", "-o", str(form)]) == 0
    assert main(["score", str(folder), "--xlsx", str(scores)]) == 0
    return {"report": report, "form": form, "scores": scores}


def test_every_field_is_shown_as_text_in_the_html(hostile: dict[str, Path]) -> None:
    html = (hostile["report"] / "report.html").read_text("utf-8")
    for shown in ("科技项目", "成效显著", "指标", "原因", "工作情况", "科技局"):
        # (the narrative drops the spaces of an outcome sentence; the markup stays escaped)
        assert f"{shown}&lt;img" in html, f"{shown}… not shown as text"
    assert "<img src=x" not in html
    assert not EVENT_ATTR_RE.search(html), "an event-handler attribute in the HTML"


def test_nothing_runs_in_chromium(hostile: dict[str, Path], chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dom = chromium.dump_dom(hostile["report"] / "report.html", tmp_path)
    assert "&lt;img src=x onerror=" in dom
    assert not MARKED_RE.search(dom), "data ran as script in the browser"
    assert not EVENT_ATTR_RE.search(dom), "an event-handler attribute in the DOM"


def test_chart_svgs_hold_the_payload_as_text(hostile: dict[str, Path]) -> None:
    svgs = sorted((hostile["report"] / "charts").glob("*.svg"))
    assert svgs
    joined = "".join(p.read_text("utf-8") for p in svgs)
    assert "<img" not in joined and not EVENT_ATTR_RE.search(joined)
    assert "&lt;img" in joined  # the project and indicator names are in the charts, escaped


@pytest.mark.parametrize("book", ["form", "scores"])
def test_workbooks_hold_text_never_formulas(hostile: dict[str, Path], book: str) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(hostile[book])
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert any(PAYLOAD in c.value for c in texts)
    formula_like = [c for c in texts if c.value.startswith("=")]
    assert formula_like, "the formula-like name should be in the workbook"
    assert all(c.data_type == "s" for c in formula_like), "a cell was written as a formula"
