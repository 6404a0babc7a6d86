"""Every bad input gives a DatasetError naming file, row or cell and column — or is accepted with a
normalised value and a warning — never any other exception (the corpus is in ``badinputs.py``).

Cases the code does not yet get right are strict xfails: each says why in its reason, so a fix
turns it into an XPASS that fails the run until the mark is removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.dataset import Dataset, DatasetError, Problem, load_dataset
from helpers.scoring import score_dataset

from .badinputs import Case, Expected, all_cases

CASES = all_cases()


def _param(case: Case):  # type: ignore[no-untyped-def]
    marks = [pytest.mark.xfail(strict=True, reason=case.gap)] if case.gap else []
    return pytest.param(case, id=case.id, marks=marks)


def _zh_matches(zh: str, text: str) -> bool:
    """``zh`` is a substring of ``text``, or one of its ``|``-separated alternatives is."""
    return any(alternative in text for alternative in zh.split("|"))


def _is_expected_problem(problem: Problem, expect: Expected) -> bool:
    return (
        Path(problem.file).name == expect.file
        and problem.row == expect.row
        and problem.column == expect.column
        and (expect.cell is None or problem.cell == expect.cell)
        and _zh_matches(expect.zh, problem.expected_zh)
    )


def _accepted_value(dataset: Dataset, expect: Expected) -> object:
    if expect.table == "department":
        return getattr(dataset.department, str(expect.column))
    return getattr(dataset, str(expect.table))[expect.column].iloc[expect.index]


def check_outcome(path: Path, expect: Expected) -> None:
    """Load ``path`` and assert exactly the outcome ``expect`` states."""
    if expect.error:
        with pytest.raises(DatasetError) as info:
            load_dataset(path)
        problems = info.value.problems
        assert problems, "a DatasetError without problems"
        for problem in problems:
            assert isinstance(problem, Problem)
            assert problem.file and problem.expected_zh and problem.expected_en, problem
        assert any(_is_expected_problem(p, expect) for p in problems), (
            f"expected {expect}, got:\n" + "\n".join(repr(p) for p in problems)
        )
        return
    dataset = load_dataset(path)
    assert _accepted_value(dataset, expect) == expect.value
    if expect.warning is not None:
        assert any(expect.warning in w for w in dataset.warnings), dataset.warnings
    score_dataset(dataset)  # an accepted dataset scores without raising


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    check_outcome(case.build(tmp_path), case.expect)


def test_corpus_covers_every_class() -> None:
    kinds = {c.kind for c in CASES}
    assert kinds == {
        "encoding",
        "separator",
        "malformed-row",
        "amount",
        "number",
        "text",
        "yaml",
        "header",
        "rows",
        "labels",
        "weights",
        "workbook",
    }
    assert len(CASES) >= 150


# --- through the command line ------------------------------------------------------------------


CLI_CRASHES = (
    "encoding-nul-bytes-department.yaml",
    "amount-400-digits-spent_wan-folder",
    "amount-400-digits-budget_wan-workbook",
    "amount-1e308-number-cell-budget_wan-workbook",
    "yaml-scalar-then-nested-department-sheet",
    "yaml-index-field-department-sheet",
    "yaml-huge-list-index-department-sheet",
)
"""Gaps where ``jixiao validate`` ends in a traceback today (strict xfails here too)."""


def _cli_sample() -> list:  # type: ignore[type-arg]
    """Refusals the code gets right (the first of each class and every seventh after it), and the
    gaps that crash the command."""
    sample, seen = [], set()
    for i, case in enumerate(c for c in CASES if c.expect.error and not c.gap):
        if case.kind not in seen or i % 7 == 0:
            seen.add(case.kind)
            sample.append(pytest.param(case, id=case.id))
    crashes = [c for c in CASES if c.id in CLI_CRASHES]
    assert len(crashes) == len(CLI_CRASHES)
    return sample + [_param(c) for c in crashes]


_LATIN = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize("case", _cli_sample())
def test_cli_validate_refuses_in_chinese_then_english(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.build(tmp_path)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    assert err.startswith("数据校验失败"), err
    expect = case.expect
    lines = [
        line
        for line in err.splitlines()
        if _zh_matches(expect.zh, line) and str(expect.file).split("[")[0] in line
    ]
    assert lines, err
    line = lines[0]
    zh_at = min(line.find(a) for a in expect.zh.split("|") if a in line)
    assert 0 <= zh_at < line.index(" / "), line
    assert _LATIN.search(line[line.index(" / ") :]), line  # the English half follows


def _cli_accepted() -> list[Case]:
    return [c for c in CASES if not c.expect.error and not c.gap and c.expect.warning][::6]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in _cli_accepted()])
def test_cli_validate_accepts_with_a_warning(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.build(tmp_path)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, (out, err)
    assert "Traceback" not in out + err
    assert "警告 / warning:" in err
    assert str(case.expect.warning) in err
