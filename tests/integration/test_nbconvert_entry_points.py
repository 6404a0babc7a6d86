"""``jupyter nbconvert --to jixiao_html`` / ``--to jixiao_pdf`` (the nbconvert.exporters entry
points of pyproject.toml) on the executed report notebook."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration


def _nbconvert(support: ModuleType, exporter: str, notebook: Path, out: Path) -> Path:
    done = support.run_tool(
        [
            str(support.VENV_BIN / "jupyter"),
            "nbconvert",
            "--to",
            exporter,
            str(notebook),
            "--output-dir",
            str(out),
        ]
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, f"nbconvert --to {exporter} failed:\n{stderr[-4000:]}"
    return out


@pytest.fixture(scope="module")
def executed_notebook(fy2021_report, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the executed notebook, so nbconvert writes nothing beside the report."""
    folder = tmp_path_factory.mktemp("nbconvert-input")
    return Path(shutil.copy(fy2021_report.notebook_path, folder / "report.ipynb"))


def test_nbconvert_jixiao_html(
    executed_notebook: Path, tmp_path: Path, support: ModuleType
) -> None:
    _nbconvert(support, "jixiao_html", executed_notebook, tmp_path)
    document = (tmp_path / "report.html").read_text("utf-8")
    assert "build_report(" not in document and "report.show_" not in document
    assert "<script" not in document.lower()
    assert '<nav class="toc">' in document
    assert "科学技术奖奖励项目" in document
    assert document.count("<svg") == 7


def test_nbconvert_jixiao_pdf(
    executed_notebook: Path, tmp_path: Path, support: ModuleType, poppler
) -> None:  # type: ignore[no-untyped-def]
    _nbconvert(support, "jixiao_pdf", executed_notebook, tmp_path)
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file(), sorted(p.name for p in tmp_path.iterdir())
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "科学技术奖奖励项目" in poppler.text(pdf)


def test_nbconvert_jixiao_docx(
    executed_notebook: Path, tmp_path: Path, support: ModuleType
) -> None:
    import docx

    _nbconvert(support, "jixiao_docx", executed_notebook, tmp_path)
    word = docx.Document(str(tmp_path / "report.docx"))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "科技局2021年度绩效自评工作报告" in text
    cells = {c.text for t in word.tables for row in t.rows for c in row.cells}
    assert "科学技术奖奖励项目" in cells
