"""The front door: one department's fiscal year, read, validated and scored, in one call.

The report, the explore notebook, the command line and the runner all come in here, so that a
dataset is read once, validated once and parsed once, and every caller sees the same checks:

>>> evaluation = evaluate(2021, "高新区科技局")
>>> evaluation.dataset.fiscal_year, len(evaluation.result.projects)
(2021, 20)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.dataset import Dataset, DatasetError, Problem, load_dataset
from helpers.scoring import ScoreResult, ScoringConfig, ScoringSettings, score_dataset

Scoring = ScoringSettings | Mapping[str, Any] | None
"""Scoring settings as a params file gives them (its ``scoring:`` mapping), or checked."""

_YEAR_FOLDER = re.compile(r"^(19|20|21)\d{2}$")


@dataclass
class Evaluation:
    """A validated dataset and its scores."""

    dataset: Dataset
    result: ScoreResult


def year_of_folder(path: str | Path) -> int | None:
    """The fiscal year a dataset's location says (``data/2022/某镇`` → 2022), if any.

    Example:
        >>> year_of_folder("data/2022/某镇.xlsx"), year_of_folder("elsewhere/x.xlsx")
        (2022, None)
    """
    parent = Path(path).resolve().parent.name if Path(path).exists() else Path(path).parent.name
    return int(parent) if _YEAR_FOLDER.match(parent) else None


def check_year(dataset: Dataset, expected_year: int | None, source: str | Path) -> None:
    """Fail when the data's own year differs from the year it is filed under.

    Raises:
        DatasetError: naming both years.
    """
    if expected_year is None or dataset.fiscal_year == expected_year:
        return
    raise DatasetError(
        [
            Problem(
                str(source),
                None,
                "fiscal_year",
                dataset.fiscal_year,
                f"数据中的预算年度为 {dataset.fiscal_year} 年，但放在 {expected_year} 年的文件夹下；"
                "请核对年度或移动文件",
                f"the data says fiscal year {dataset.fiscal_year} but is filed under "
                f"{expected_year}",
            )
        ]
    )


def evaluate_path(
    path: str | Path,
    *,
    fiscal_year: int | None = None,
    config: ScoringConfig | None = None,
    scoring: Scoring = None,
) -> Evaluation:
    """Read, validate and score the dataset at ``path`` (any layout jixiao reads).

    Args:
        path: a dataset folder, workbook or Word file.
        fiscal_year: the year it must be; by default the year folder it sits in (if any).
        config: scoring rules; by default the dataset's template.
        scoring: scoring settings (thresholds, grade bands, execution weight, missing-value
            policy: :class:`~helpers.scoring.ScoringSettings`) applied to the dataset's
            template; not with ``config``.

    Raises:
        DatasetError: the dataset is invalid, or its year differs from its folder's.
        ScoringSettingsError: ``scoring`` has an unknown key or a wrong value.
        ValueError: both ``config`` and ``scoring`` are given.
    """
    dataset, config = load_for_scoring(
        path, fiscal_year=fiscal_year, config=config, scoring=scoring
    )
    return Evaluation(dataset, score_dataset(dataset, config))


def load_for_scoring(
    path: str | Path,
    *,
    fiscal_year: int | None = None,
    config: ScoringConfig | None = None,
    scoring: Scoring = None,
    parse: bool = True,
) -> tuple[Dataset, ScoringConfig]:
    """What :func:`evaluate_path` scores: the dataset at ``path`` and the rules for it.

    For batches that score many datasets at once (:func:`helpers.scoring.score_datasets`);
    arguments and errors as :func:`evaluate_path`; ``parse=False`` leaves the parsing to
    :func:`helpers.dataset.parse_datasets`.
    """
    settings = ScoringSettings.parse(scoring)
    if config is not None and settings != ScoringSettings():
        raise ValueError(
            "config 与 scoring 只能给出其一 / give either config or scoring settings, not both"
        )
    dataset = load_dataset(path, execution_weight=settings.execution_weight, parse=parse)
    check_year(dataset, fiscal_year if fiscal_year is not None else year_of_folder(path), path)
    return dataset, config or settings.config_for(dataset.template)


def evaluate(
    fiscal_year: int,
    department: str,
    data_dir: str | Path | None = None,
    *,
    config: ScoringConfig | None = None,
    scoring: Scoring = None,
) -> Evaluation:
    """Read, validate and score one department's fiscal year from the data folder.

    Args:
        fiscal_year: 预算年度; the data must say the same year.
        department: the department's folder or file stem under ``<data_dir>/<fiscal_year>/``.
        data_dir: the data root; the project's ``data/`` when empty.
        config: scoring rules; by default the dataset's template.
        scoring: the params file's scoring settings (see :func:`evaluate_path`).

    Raises:
        DatasetError: the dataset is missing or invalid, or its year is not ``fiscal_year``.
        ScoringSettingsError: ``scoring`` has an unknown key or a wrong value.

    Example:
        >>> low = evaluate(2021, "高新区科技局", scoring={"low_execution_pct": 99.5})
        >>> low.result.config.low_execution_pct, int(low.result.projects["is_low_execution"].sum())
        (99.5, 3)
    """
    path = paths.find_dataset(fiscal_year, department, Path(data_dir) if data_dir else None)
    return evaluate_path(path, fiscal_year=fiscal_year, config=config, scoring=scoring)
