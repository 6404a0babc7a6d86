"""A dataset as jixiao's own folder: ``department.yaml``, ``projects.csv``, ``indicators.csv``.

How a published 自评表 becomes an editable dataset (``jixiao convert 自评表.xlsx -o 文件夹``).
CSV files are UTF-8 with BOM so that Excel on Chinese Windows opens them correctly; columns
that no row uses are left out, required ones always written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from helpers import paths

if TYPE_CHECKING:
    from helpers.dataset import Dataset


def write_tables_folder(dataset: Dataset, folder: str | Path) -> Path:
    """Write a dataset as a new folder in jixiao's CSV layout.

    Args:
        dataset: a loaded dataset (any layout).
        folder: the folder to create; it must not exist yet.

    Returns:
        The folder written.
    """
    from helpers.dataset import dataset_tables_as_text
    from helpers.schema import INDICATORS_SCHEMA, PROJECTS_SCHEMA

    folder = Path(folder)
    folder.mkdir(parents=True)
    department = dataset.department.model_dump(
        mode="json", exclude_none=True, exclude_defaults=True
    )
    department.setdefault("name", dataset.department.name)
    department.setdefault("fiscal_year", dataset.fiscal_year)
    department.setdefault("budget_wan", dataset.department.budget_wan)
    department.setdefault("spent_wan", dataset.department.spent_wan)
    (folder / paths.DEPARTMENT_FILE).write_text(
        yaml.safe_dump(department, allow_unicode=True, sort_keys=False), "utf-8"
    )
    _, projects, indicators = dataset_tables_as_text(dataset)
    for frame, schema, name in (
        (projects, PROJECTS_SCHEMA, paths.PROJECTS_FILE),
        (indicators, INDICATORS_SCHEMA, paths.INDICATORS_FILE),
    ):
        keep = [c for c in frame.columns if schema.columns[c].required or frame[c].notna().any()]
        frame.loc[:, keep].to_csv(
            folder / name, index=False, encoding="utf-8-sig", float_format="%.15g"
        )
    return folder
