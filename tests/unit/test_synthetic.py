"""The synthetic district (helpers.synthetic): reproducible, valid, and holding what it says.

Every dataset goes through the front door (``helpers.evaluation.evaluate``), and what the
generator says it planted is compared with what the scoring engine finds, both ways: a change of
the rules or of the generator that makes them disagree fails here.
"""

from __future__ import annotations

import importlib.util
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.evaluation import Evaluation, evaluate
from helpers.paths import REPO_ROOT
from helpers.synthetic import (
    FEATURE_LABELS,
    DatasetSpec,
    DistrictOptions,
    make_district,
    write_dataset,
    write_district,
)

SHIPPED = REPO_ROOT / "data" / "district"
COMMAND = REPO_ROOT / "bench" / "make_district.py"
SHIPPED_ARGUMENTS = ["--departments", "6", "--seed", "2021"]  # as data/district/README.md says


def files_under(root: Path) -> dict[str, bytes]:
    """Every file of the year folders under ``root``, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.glob("[0-9][0-9][0-9][0-9]/*/*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DatasetSpec]]:
    folder = tmp_path_factory.mktemp("district")
    specs = make_district(20, seed=11)
    for spec in specs:
        write_dataset(spec, folder)
    return folder, specs


@pytest.fixture(scope="module")
def evaluations(district: tuple[Path, list[DatasetSpec]]) -> dict[tuple[int, str], Evaluation]:
    folder, specs = district
    return {(s.fiscal_year, s.name): evaluate(s.fiscal_year, s.name, folder) for s in specs}


def of_year(specs: list[DatasetSpec], year: int) -> list[DatasetSpec]:
    return [spec for spec in specs if spec.fiscal_year == year]


# --------------------------------------------------------------------------------------------
# Determinism and the shipped example
# --------------------------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = write_district(tmp_path / "a", 8, (2, 5), seed=5)
    second = write_district(tmp_path / "b", 8, (2, 5), seed=5)
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    assert files_under(tmp_path / "a") == files_under(tmp_path / "b")
    assert len(files_under(tmp_path / "a")) == 8 * 2 * 3


def test_another_seed_writes_another_district(tmp_path: Path) -> None:
    write_district(tmp_path / "a", 8, (2, 5), seed=5)
    write_district(tmp_path / "b", 8, (2, 5), seed=6)
    a, b = files_under(tmp_path / "a"), files_under(tmp_path / "b")
    assert a != b
    # Not just other names: the shared structure holds other values.
    assert set(a.values()).isdisjoint(b.values())


def test_specs_are_equal_for_a_seed_and_files_are_their_text() -> None:
    specs = make_district(4, (2, 3), seed=3, years=(2021,))
    assert specs == make_district(4, (2, 3), seed=3, years=(2021,))
    assert specs != make_district(4, (2, 3), seed=4, years=(2021,))
    files = specs[0].files()
    assert set(files) == {"department.yaml", "projects.csv", "indicators.csv"}
    assert yaml.safe_load(files["department.yaml"])["name"] == specs[0].name


def run_command(arguments: list[str]) -> int:
    loaded = importlib.util.spec_from_file_location("make_district", COMMAND)
    assert loaded and loaded.loader
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return int(module.main(arguments))


def test_the_shipped_district_is_the_commands_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command([*SHIPPED_ARGUMENTS, "--output", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "wrote 12 datasets (36 files)" in printed
    generated, shipped = files_under(tmp_path), files_under(SHIPPED)
    assert sorted(generated) == sorted(shipped)
    changed = [name for name in generated if generated[name] != shipped[name]]
    assert not changed, f"data/district differs from the generator's output: {changed}"


def test_the_shipped_district_has_six_kinds_two_years_and_no_warnings() -> None:
    kinds = {
        "局": "民政局",
        "委": "委员会",
        "镇": "镇人民政府",
        "中学": "中学",
        "供销社": "供销合作社联合社",
        "街道": "街道办事处",
    }
    for year in (2020, 2021):
        names = sorted(p.name for p in (SHIPPED / str(year)).iterdir())
        assert len(names) == 6
        assert all(any(n.endswith(end) for n in names) for end in kinds.values())
        for name in names:
            result = evaluate(year, name, SHIPPED).result
            assert result.warnings == []
            assert result.projects["score"].notna().all()
    params = yaml.safe_load((REPO_ROOT / "params" / "district_fy2021.yaml").read_text("utf-8"))
    assert params["data_dir"] == "data/district" and params["fiscal_year"] == 2021


# --------------------------------------------------------------------------------------------
# Every dataset is valid, and the generator's account agrees with the scoring engine
# --------------------------------------------------------------------------------------------


def test_every_dataset_validates_and_scores_without_warnings(
    district: tuple[Path, list[DatasetSpec]], evaluations: dict[tuple[int, str], Evaluation]
) -> None:
    _, specs = district
    assert len(specs) == 40
    assert {s.fiscal_year for s in specs} == {2020, 2021}
    for spec in specs:
        evaluation = evaluations[(spec.fiscal_year, spec.name)]
        result = evaluation.result
        assert result.warnings == [], spec.name
        assert evaluation.dataset.department.name == spec.name
        assert len(result.projects) == len(spec.projects)
        assert len(result.indicators) == len(spec.indicators)
        assert result.projects["score"].notna().all(), spec.name
        # Nothing the parser cannot judge, no unit mismatches, no reverse reading by accident.
        indicators = result.indicators
        assert not indicators["is_unjudgeable"].any(), spec.name
        assert not indicators["has_unit_mismatch"].any(), spec.name
        if "direction_column" not in spec.layout:
            assert indicators["direction_note"].isna().all(), spec.name


def rows_where(indicators: pd.DataFrame, column: str) -> Counter[str]:
    mask = indicators[column].astype(bool)
    return Counter(indicators.loc[mask, "project_id"] + "/" + indicators.loc[mask, "name"])


def feature_rows(spec: DatasetSpec, *keys: str) -> Counter[str]:
    return Counter(where for key in keys for where in spec.features.get(key, []))


def test_the_generators_account_is_what_the_rules_find(
    district: tuple[Path, list[DatasetSpec]], evaluations: dict[tuple[int, str], Evaluation]
) -> None:
    _, specs = district
    for spec in specs:
        result = evaluations[(spec.fiscal_year, spec.name)].result
        ind, proj = result.indicators, result.projects.set_index("project_id")
        pairs = {
            "is_unmet": ("unmet_with_reason", "unmet_without_reason"),
            "is_near_met": ("near_met",),
            "is_over_achieved": ("over_achieved",),
            "is_missing_actual": ("missing_actual",),
            "is_missing_target": ("missing_target",),
        }
        for column, keys in pairs.items():
            assert rows_where(ind, column) == feature_rows(spec, *keys), (spec.name, column)
        no_reason = set(feature_rows(spec, "unmet_without_reason"))
        assert no_reason <= set(rows_where(ind, "lacks_deviation_reason")), spec.name
        low = set(proj.index[proj["is_low_execution"]])
        claimed = feature_rows(spec, "low_execution_with_reason", "low_execution_without_reason")
        assert low == set(claimed), spec.name
        for code in feature_rows(spec, "low_execution_without_reason"):
            assert pd.isna(proj.loc[code, "low_execution_reason"])


def test_printed_scores_follow_the_rules_except_the_planted_ones(
    district: tuple[Path, list[DatasetSpec]], evaluations: dict[tuple[int, str], Evaluation]
) -> None:
    _, specs = district
    printed = [s for s in specs if "printed" in s.layout]
    assert printed
    higher = 0
    for spec in printed:
        proj = evaluations[(spec.fiscal_year, spec.name)].result.projects.set_index("project_id")
        planted = set(spec.features.get("stated_higher", []))
        for code, row in proj.iterrows():
            assert not pd.isna(row["stated_score"])
            if code in planted:
                assert row["stated_score"] > row["score"] + 0.005, (spec.name, code)
                higher += 1
            else:  # computed by the generator, as the engine computes it
                assert abs(row["stated_score"] - row["score"]) <= 0.005, (spec.name, code)
                assert not row["has_execution_score_mismatch"], (spec.name, code)
    assert higher >= 2


def test_the_last_year_has_every_plant_of_the_review(
    district: tuple[Path, list[DatasetSpec]], evaluations: dict[tuple[int, str], Evaluation]
) -> None:
    _, specs = district
    last = of_year(specs, 2021)
    found: dict[str, list[str]] = defaultdict(list)
    for spec in last:
        for key, where in spec.features.items():
            found[key] += [f"{spec.name} {w}" for w in where]
    for key in (
        "execution_about_20",
        "low_execution_with_reason",
        "low_execution_without_reason",
        "unmet_with_reason",
        "unmet_without_reason",
        "near_met",
        "over_achieved",
        "missing_actual",
        "missing_target",
        "stated_higher",
        "stated_all_100",
        "copied_reason",
        "copied_paragraph",
        "cost_written_ge",
        "budget_adjusted",
    ):
        assert found[key], f"no {FEATURE_LABELS[key]} in the district"

    about_20 = [s for s in last if "execution_about_20" in s.features]
    for spec in about_20:
        proj = evaluations[(2021, spec.name)].result.projects.set_index("project_id")
        for code in spec.features["execution_about_20"]:
            assert 15 <= proj.loc[code, "execution_rate_pct"] <= 25

    all_100 = [s for s in last if "stated_all_100" in s.features]
    assert len(all_100) == 1
    proj = evaluations[(2021, all_100[0].name)].result.projects
    assert (proj["stated_score"] == 100).all()
    assert (proj["score"] < 100).sum() >= 2

    for spec in last:
        ind = evaluations[(2021, spec.name)].result.indicators
        cost_ge = ind[(ind["level2"] == "成本") & ind["target"].str.startswith("≥", na=False)]
        expected = spec.features.get("cost_written_ge", [])
        assert sorted(cost_ge["project_id"] + "/" + cost_ge["name"]) == sorted(expected)


def test_only_the_planted_reason_and_paragraph_are_copied_between_departments(
    district: tuple[Path, list[DatasetSpec]], evaluations: dict[tuple[int, str], Evaluation]
) -> None:
    _, specs = district
    for year in (2020, 2021):
        departments_of: dict[str, set[str]] = defaultdict(set)
        for spec in of_year(specs, year):
            reasons = evaluations[(year, spec.name)].result.indicators["deviation_reason"]
            for text in reasons.dropna():
                departments_of[text].add(spec.name)
        copied = {text: names for text, names in departments_of.items() if len(names) > 1}
        assert len(copied) == 1, year
        (names,) = copied.values()
        copier = [s for s in of_year(specs, year) if "copied_reason" in s.features]
        assert len(copier) == 1 and copier[0].name in names
        source = copier[0].features["copied_reason_from"][0].split(" ")[0]
        assert names == {copier[0].name, source}

        problems = Counter(
            evaluations[(year, s.name)].dataset.department.sections.problems
            for s in of_year(specs, year)
        )
        assert sorted(problems.values(), reverse=True)[:2] == [2, 1]


# --------------------------------------------------------------------------------------------
# The previous year
# --------------------------------------------------------------------------------------------


def codes_and_names(spec: DatasetSpec) -> dict[str, str]:
    return {row["project_id"]: row["name"] for row in spec.projects}


def test_the_years_share_most_project_codes_with_other_values(
    district: tuple[Path, list[DatasetSpec]],
) -> None:
    _, specs = district
    before = {s.name: s for s in of_year(specs, 2020)}
    now = {s.name: s for s in of_year(specs, 2021)}
    assert before.keys() == now.keys()
    shared = renamed = new = dropped = changed_budget = total = 0
    for name, spec in now.items():
        old, current = codes_and_names(before[name]), codes_and_names(spec)
        common = old.keys() & current.keys()
        assert len(common) >= len(current) / 2, name
        shared += len(common)
        total += len(current)
        renamed += sum(old[c] != current[c] for c in common)
        new += len(current.keys() - old.keys())
        dropped += len(old.keys() - current.keys())
        budgets_old = {r["project_id"]: r["budget_wan"] for r in before[name].projects}
        changed_budget += sum(
            budgets_old[r["project_id"]] != r["budget_wan"]
            for r in spec.projects
            if r["project_id"] in common
        )
        assert set(spec.features.get("new_projects", [])) == current.keys() - old.keys()
        assert set(spec.features.get("dropped_projects", [])) == old.keys() - current.keys()
    assert shared >= 0.8 * total
    assert renamed and new and dropped
    assert changed_budget >= 0.8 * shared


# --------------------------------------------------------------------------------------------
# Arguments and knobs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("departments", "projects", "years"),
    [(0, (3, 8), (2021,)), (3, (0, 2), (2021,)), (3, (4, 2), (2021,)), (3, (1, 2), ())],
)
def test_bad_arguments_are_refused(
    departments: int, projects: tuple[int, int], years: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError):
        make_district(departments, projects, years=years)


def kinds_in_order(specs: list[DatasetSpec]) -> Iterator[str]:
    return (spec.kind for spec in specs)


def test_the_first_six_of_a_county_are_the_six_core_kinds() -> None:
    for seed in (1, 2, 3):
        kinds = sorted(kinds_in_order(make_district(6, (1, 2), seed, years=(2021,))))
        assert kinds == sorted(["局", "委", "镇", "中学", "供销社", "街道"])


def test_knobs_change_what_is_written() -> None:
    plain = make_district(
        8,
        (2, 3),
        seed=9,
        years=(2021,),
        options=DistrictOptions(plants=False, printed_share=0, execution_20_share=1),
    )
    assert not any("stated_all_100" in s.features or "copied_reason" in s.features for s in plain)
    assert not any("printed" in s.layout or "stated_higher" in s.features for s in plain)
    assert all("execution_20" in s.layout for s in plain)
    assert all(s.department["template"]["execution_weight"] == 20 for s in plain)
    headers = make_district(
        3, (2, 3), seed=9, years=(2021,), options=DistrictOptions(chinese_header_share=1)
    )
    assert all(s.files()["projects.csv"].startswith("项目编号,") for s in headers)
