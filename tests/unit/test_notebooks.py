"""The committed notebooks: no outputs, one documented ``parameters`` cell, and exactly what
``scripts/make_notebooks.py`` writes."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
PARAMETER_LINE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*): (?P<type>int|str|bool|float|dict) = (?P<value>\S.*?)  # (?P<comment>\S.*)$"
)
TYPES = {"int": int, "str": str, "bool": bool, "float": float, "dict": dict}


def test_there_are_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"report.ipynb", "explore.ipynb"}


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request: pytest.FixtureRequest) -> nbformat.NotebookNode:
    path: Path = request.param
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb


def test_committed_without_outputs(notebook: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {index} has outputs"
            assert cell.execution_count is None, f"cell {index} has an execution count"
    assert "papermill" not in notebook.metadata, "an executed notebook was committed"


def test_uses_the_jixiao_kernel(notebook: nbformat.NotebookNode) -> None:
    assert notebook.metadata.kernelspec.name == "jixiao"


def test_one_documented_parameters_cell(notebook: nbformat.NotebookNode) -> None:
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    cell = tagged[0]
    assert cell.cell_type == "code"
    lines = cell.source.splitlines()
    assert lines
    names = []
    for line in lines:
        match = PARAMETER_LINE.match(line)
        assert match, f"not `name: type = value  # comment`: {line!r}"
        value = ast.literal_eval(match["value"])
        expected = TYPES[match["type"]]
        assert isinstance(value, expected) and (expected is bool or not isinstance(value, bool)), (
            f"{match['name']}: {value!r} is not {match['type']}"
        )
        names.append(match["name"])
    assert len(names) == len(set(names)), "a parameter is declared twice"
    every_department = "link_format" in names  # overview.ipynb: a year, not one department
    assert {"fiscal_year", "data_dir"} | (
        {"link_format"} if every_department else {"department"}
    ) <= set(names)


def test_parameters_cell_comes_before_the_code(notebook: nbformat.NotebookNode) -> None:
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is parameters"


# --------------------------------------------------------------------------------------------
# scripts/make_notebooks.py reproduces the committed notebooks
# --------------------------------------------------------------------------------------------

MAKE_NOTEBOOKS = REPO_ROOT / "scripts" / "make_notebooks.py"


@pytest.fixture(scope="module")
def make_notebooks() -> ModuleType:
    """The script, imported by its path (``scripts`` is not a package)."""
    spec = importlib.util.spec_from_file_location("make_notebooks", MAKE_NOTEBOOKS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells(nb: nbformat.NotebookNode) -> list[dict[str, object]]:
    """What a reader of the notebook sees of each cell."""
    return [
        {
            "id": cell.get("id"),
            "cell_type": cell.cell_type,
            "source": cell.source,
            "metadata": dict(cell.metadata),
            "tags": list(cell.metadata.get("tags", [])),
        }
        for cell in nb.cells
    ]


def test_the_script_builds_every_committed_notebook(make_notebooks: ModuleType) -> None:
    assert sorted(make_notebooks.build()) == sorted(p.name for p in NOTEBOOKS)


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_committed_notebook_is_what_the_script_writes(
    make_notebooks: ModuleType, name: str
) -> None:
    built = make_notebooks.build()[name]
    nbformat.validate(built)
    committed = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    hint = f"{name} differs from scripts/make_notebooks.py: run it and commit the result"
    assert len(committed.cells) == len(built.cells), hint
    for index, (have, want) in enumerate(zip(_cells(committed), _cells(built), strict=True)):
        assert have == want, f"cell {index}: {hint}"
    assert committed.metadata == built.metadata, hint
    assert (committed.nbformat, committed.nbformat_minor) == (built.nbformat, built.nbformat_minor)
    # And byte for byte: rerunning the script leaves the working tree unchanged.
    text = (NOTEBOOKS_DIR / name).read_text(encoding="utf-8")
    assert text == make_notebooks.render(built), hint


def test_the_script_writes_into_an_output_folder(tmp_path: Path) -> None:
    """``--output DIR`` writes the committed notebooks there; ``--check`` compares a folder."""
    run = [sys.executable, str(MAKE_NOTEBOOKS)]
    done = subprocess.run([*run, "--output", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in NOTEBOOKS:
        written = (tmp_path / path.name).read_text(encoding="utf-8")
        assert written == path.read_text(encoding="utf-8"), path.name
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 0
    (tmp_path / "report.ipynb").write_text("{}", encoding="utf-8")
    done = subprocess.run(
        [*run, "--check", "--output", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "report.ipynb" in done.stdout


# --------------------------------------------------------------------------------------------
# The exporters leave out what the notebooks tag as hidden (nbconvert's TagRemovePreprocessor)
# --------------------------------------------------------------------------------------------


def test_tags_the_notebooks_use_are_known_to_the_exporter() -> None:
    from helpers.render.collect import HIDE_CELL_TAG

    known = {"parameters", "injected-parameters", HIDE_CELL_TAG}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            unknown = set(cell.metadata.get("tags", [])) - known
            assert not unknown, f"{path.name}: tags {unknown} mean nothing to the exporter"


def test_export_keeps_report_blocks_and_markdown_and_leaves_out_the_rest() -> None:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    from helpers.document import MIMETYPE, Paragraph, blocks_to_bundle
    from helpers.export import ReportHTMLExporter
    from helpers.render.collect import HIDE_CELL_TAG

    def block_output(text: str):  # type: ignore[no-untyped-def]
        return new_output(
            "display_data",
            data={"text/html": f"<p>{text}</p>", MIMETYPE: blocks_to_bundle([Paragraph(text)])},
        )

    nb = nbformat.read(NOTEBOOKS_DIR / "report.ipynb", as_version=4)
    assert HIDE_CELL_TAG in nb.cells[0].metadata.get("tags", [])
    hidden_code = new_code_cell("x", metadata={"tags": [HIDE_CELL_TAG]})
    hidden_code.outputs = [block_output("HIDDEN-BLOCK")]
    shown = new_code_cell("y")
    shown.outputs = [
        new_output("stream", name="stderr", text="STDERR-PROGRESS\n"),
        new_output("stream", name="stdout", text="WORKING-PRINT\n"),
        block_output("SHOWN-BLOCK"),
    ]
    nb.cells += [hidden_code, shown, new_markdown_cell("## 五、其他\n\nSHOWN-**MARKDOWN**")]
    before = nbformat.writes(nb)

    document, resources = ReportHTMLExporter().from_notebook_node(nb)

    assert resources["output_extension"] == ".html"
    assert "SHOWN-BLOCK" in document and "SHOWN-MARKDOWN" in document
    assert '<h2 id="sec-1">五、其他</h2>' in document
    assert "本 notebook 生成一个部门" not in document  # the hidden markdown cell
    for absent in ("HIDDEN-BLOCK", "STDERR-PROGRESS", "WORKING-PRINT"):
        assert absent not in document
    assert nbformat.writes(nb) == before, "the exporter changed the caller's notebook"
