"""The committed notebooks: no outputs, one documented ``parameters`` cell."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from helpers.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
PARAMETER_LINE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*): (?P<type>int|str|bool|float) = (?P<value>\S.*?)  # (?P<comment>\S.*)$"
)
TYPES = {"int": int, "str": str, "bool": bool, "float": float}


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
    assert {"fiscal_year", "department", "data_dir"} <= set(names)


def test_parameters_cell_comes_before_the_code(notebook: nbformat.NotebookNode) -> None:
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is parameters"
