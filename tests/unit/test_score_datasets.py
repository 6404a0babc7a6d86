"""helpers.scoring.score_datasets: many datasets scored as one table give each one's own scoring.

The datasets are the published 自评表 of the corpus (four provinces; forms with printed 分值 and
得分, several templates and years), the shipped district's two years and the seed, so that merged
groups mix projects with and without published weights, reverse indicators, low execution and
every kind of flag. Every frame must equal :func:`helpers.scoring.score_dataset`'s, dtypes
included.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths, scoring
from helpers.dataset import Dataset, load_dataset, parse_datasets
from helpers.scoring import ScoreResult, ScoringConfig, score_dataset, score_datasets

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
DISTRICT = paths.REPO_ROOT / "data" / "district"
TABLE_SUFFIXES = (".xlsx", ".xls", ".docx")


def _corpus(parse: bool = True) -> list[Dataset]:
    tables = sorted(
        p
        for folder in CORPUS.iterdir()
        if folder.is_dir() and folder.name[:2].isdigit()
        for p in folder.iterdir()
        if p.suffix.lower() in TABLE_SUFFIXES
    )
    return [load_dataset(table, parse=parse) for table in tables]


def _district(parse: bool = True) -> list[Dataset]:
    return [
        load_dataset(DISTRICT / str(year) / name, parse=parse)
        for year in (2020, 2021)
        for name in paths.list_departments(year, DISTRICT)
    ]


@pytest.fixture(scope="module")
def datasets(seed_dataset: Dataset) -> list[Dataset]:
    return [*_corpus(), *_district(), seed_dataset]


def _configs(datasets: list[Dataset]) -> list[ScoringConfig]:
    """Each dataset's template; the corpus under the default rules, so that its tables of one
    year group together (their printed 分值 are kept whatever the rules); every fourth under
    other rules (80/70/60, 95 %), which form groups of their own."""
    n_corpus = len(_corpus())
    configs = [
        ScoringConfig() if i < n_corpus else ScoringConfig.for_template(d.template)
        for i, d in enumerate(datasets)
    ]
    other = ScoringConfig(grade_bands={"优": 80, "良": 70, "中": 60}, low_execution_pct=95)
    configs[1::4] = [other] * len(configs[1::4])
    return configs


def assert_same_result(one: ScoreResult, merged: ScoreResult, name: str) -> None:
    for part in ("indicators", "projects", "categories", "flags"):
        try:
            pd.testing.assert_frame_equal(getattr(merged, part), getattr(one, part))
        except AssertionError as exc:
            raise AssertionError(f"{name}: {part} differ\n{exc}") from None
    assert merged.department.keys() == one.department.keys(), name
    for key, value in one.department.items():
        other = merged.department[key]
        both_nan = isinstance(value, float) and math.isnan(value) and math.isnan(other)
        assert both_nan or other == value, f"{name}: department[{key!r}] {other!r} ≠ {value!r}"
    assert (merged.warnings, merged.config) == (one.warnings, one.config), name


def test_the_datasets_form_several_merged_groups(
    datasets: list[Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test is not degenerate: most datasets are scored in a merged table with others."""
    sizes: list[int] = []
    real = scoring._score_rows_and_projects

    def counted(dataset: Dataset, config: ScoringConfig):  # type: ignore[no-untyped-def]
        ids = dataset.projects["project_id"]
        keyed = ids.str.contains("\x1f", regex=False).all()
        sizes.append(ids.str.split("\x1f").str[0].nunique() if keyed else 1)
        return real(dataset, config)

    monkeypatch.setattr(scoring, "_score_rows_and_projects", counted)
    score_datasets(datasets, _configs(datasets))
    merged = [n for n in sizes if n > 1]
    assert len(datasets) >= 25 and len(merged) >= 4 and sum(merged) >= 12, str(sizes)


def test_scoring_many_at_once_is_scoring_each(datasets: list[Dataset]) -> None:
    configs = _configs(datasets)
    for dataset, config, merged in zip(
        datasets, configs, score_datasets(datasets, configs), strict=True
    ):
        assert_same_result(score_dataset(dataset, config), merged, dataset.department.name)


def test_one_dataset_and_none() -> None:
    assert score_datasets([], []) == []
    (dataset,) = _district()[:1]
    config = ScoringConfig.for_template(dataset.template)
    (merged,) = score_datasets([dataset], [config])
    assert_same_result(score_dataset(dataset, config), merged, dataset.department.name)


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    cells = frame.astype(object)
    return cells.where(cells.notna(), None)


def test_datasets_parsed_together_are_parsed_as_alone(datasets: list[Dataset]) -> None:
    """parse=False, then one parse_datasets for all: the same parses and warnings as loading
    each with its own parse, and (their parses shared) the same merged scoring."""
    later = [*_corpus(parse=False), *_district(parse=False)]
    assert all(not d.parsed for d in later)
    parse_datasets(later)
    for alone, together in zip(datasets, later, strict=False):
        assert together.warnings == alone.warnings, alone.department.name
        for column in ("target", "actual"):
            # The same readings; a column without any grade may be ``str`` or ``object``.
            pd.testing.assert_frame_equal(
                _missing_as_none(together.parsed[column][0]),
                _missing_as_none(alone.parsed[column][0]),
            )
    configs = _configs(later)
    for alone, together, result in zip(
        datasets, later, score_datasets(later, configs), strict=False
    ):
        config = configs[later.index(together)]
        assert_same_result(score_dataset(alone, config), result, alone.department.name)


def test_hand_built_datasets_whose_ids_cannot_be_kept_apart_are_scored_alone(
    datasets: list[Dataset],
) -> None:
    """Project ids that are not text (or missing) are scored alone, not merged."""
    first, second = (_district()[k] for k in (0, 1))
    for dataset in (first, second):  # numbers for ids: the same ids in both datasets
        numbers = {pid: n for n, pid in enumerate(dict.fromkeys(dataset.projects["project_id"]))}
        dataset.projects["project_id"] = dataset.projects["project_id"].map(numbers).astype(int)
        dataset.indicators["project_id"] = dataset.indicators["project_id"].map(numbers).astype(int)
        dataset.parsed.clear()
    configs = [ScoringConfig.for_template(first.template)] * 2
    for dataset, result in zip(
        (first, second), score_datasets([first, second], configs), strict=True
    ):
        assert_same_result(score_dataset(dataset, configs[0]), result, dataset.department.name)


def test_parsing_a_dataset_given_twice_warns_once() -> None:
    later, alone = _corpus(parse=False)[0], _corpus()[0]  # texts it cannot read: warned
    assert any("无法判断" in w for w in alone.warnings)
    parse_datasets([later, later])
    assert later.warnings == alone.warnings
