"""Shared fixtures of the unit tests: the seed dataset and tiny datasets written to tmp_path."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.dataset import Dataset, load_dataset, write_workbook
from helpers.paths import REPO_ROOT
from helpers.scoring import ScoreResult, score_dataset

SEED_DIR = REPO_ROOT / "data" / "2021" / "高新区科技局"

PROJECT_COLUMNS = (
    "project_id",
    "category",
    "name",
    "initial_budget_wan",
    "budget_wan",
    "spent_wan",
    "stated_execution_rate_pct",
    "outcome",
    "stated_score",
    "note",
)
INDICATOR_COLUMNS = (
    "project_id",
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "deviation_reason",
    "note",
)
PROJECT_DEFAULTS = {
    "project_id": "P1",
    "category": "测试类别",
    "name": "测试项目",
    "budget_wan": "100",
    "spent_wan": "100",
}
LEVEL2_OF = {"产出": "数量", "效益": "社会效益", "满意度": "服务对象满意度", "成本": "成本"}

DEPARTMENT_YAML = """\
name: 测试局
fiscal_year: 2021
budget_wan: 100
spent_wan: 100
"""


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    """Write rows as a UTF-8 CSV with exactly ``columns`` (missing keys are empty cells)."""
    unknown = {key for row in rows for key in row} - set(columns)
    assert not unknown, f"unknown columns {unknown}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({col: "" if row.get(col) is None else row.get(col) for col in columns})


def write_dataset_folder(
    folder: Path,
    projects: list[dict[str, object]],
    indicators: list[dict[str, object]],
    department: str = DEPARTMENT_YAML,
) -> Path:
    """Write a dataset folder. Projects get :data:`PROJECT_DEFAULTS`; indicators default to
    project ``P1``, level 产出 and a name ``指标N`` (N = position)."""
    folder.mkdir(parents=True)
    (folder / "department.yaml").write_text(department, encoding="utf-8")
    write_csv(
        folder / "projects.csv", PROJECT_COLUMNS, [{**PROJECT_DEFAULTS, **p} for p in projects]
    )
    full_indicators = []
    for i, row in enumerate(indicators, start=1):
        level1 = str(row.get("level1", "产出"))
        full_indicators.append(
            {
                "project_id": "P1",
                "level1": level1,
                "level2": LEVEL2_OF.get(level1, "数量"),
                "name": f"指标{i}",
                **row,
            }
        )
    write_csv(folder / "indicators.csv", INDICATOR_COLUMNS, full_indicators)
    return folder


@pytest.fixture
def write_folder(tmp_path: Path) -> Callable[..., Path]:
    """Factory: write a tiny dataset folder to tmp_path (see :func:`write_dataset_folder`)."""
    counter = iter(range(1_000_000))

    def write(
        projects: list[dict[str, object]] | None = None,
        indicators: list[dict[str, object]] | None = None,
        department: str = DEPARTMENT_YAML,
    ) -> Path:
        folder = tmp_path / f"dataset{next(counter)}"
        return write_dataset_folder(folder, projects or [{}], indicators or [], department)

    return write


@pytest.fixture
def make_dataset(write_folder: Callable[..., Path]) -> Callable[..., Dataset]:
    """Factory: write a tiny dataset folder to tmp_path and load it (validation included)."""

    def make(*args: object, **kwargs: object) -> Dataset:
        return load_dataset(write_folder(*args, **kwargs))

    return make


@pytest.fixture
def score_project(make_dataset: Callable[..., Dataset]) -> Callable[..., ScoreResult]:
    """Factory: score a one-project dataset (P1, budget 100, spent 100) built from indicators."""

    def score(indicators: list[dict[str, object]], config=None, **project: object) -> ScoreResult:
        return score_dataset(make_dataset([project], indicators), config)

    return score


@pytest.fixture(scope="session")
def seed_dataset() -> Dataset:
    """The shipped seed dataset (高新区科技局 2021), loaded once."""
    return load_dataset(SEED_DIR)


@pytest.fixture(scope="session")
def seed_result(seed_dataset: Dataset) -> ScoreResult:
    """The scores of the seed dataset, computed once."""
    return score_dataset(seed_dataset)


@pytest.fixture(scope="session")
def seed_workbook(seed_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed dataset written as one workbook by :func:`write_workbook`, once per session."""
    return write_workbook(seed_dataset, tmp_path_factory.mktemp("workbook") / "高新区科技局.xlsx")


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed folder (break one thing in it)."""
    return Path(shutil.copytree(SEED_DIR, tmp_path / "高新区科技局"))


@pytest.fixture(scope="session")
def seed_document():  # type: ignore[no-untyped-def]
    """The seed's whole report as a document model, built once."""
    from helpers.report import build_document

    return build_document(2021, "高新区科技局")
