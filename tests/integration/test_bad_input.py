"""Bad input to ``jixiao report``: a message on stderr, exit code 2, nothing written.

Every case must fail before any notebook runs, so the output folder stays empty (or absent).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from helpers.cli import main

pytestmark = pytest.mark.integration

QUICK_SECONDS = 60  # generous: a bad-input run must not execute a notebook (≈ 10 s each)


@dataclass(frozen=True)
class BadParams:
    id: str
    params: str | None  # the parameters file text; None: the file does not exist
    extra_args: tuple[str, ...]
    messages: tuple[str, ...]  # all must appear on stderr


BAD_PARAMS = [
    BadParams(
        "missing-params-file",
        None,
        (),
        ("找不到参数文件", "parameters file not found", "nope.yaml"),
    ),
    BadParams(
        "unknown-key",
        "fiscal_yaer: 2021\nformats: [html]\n",
        (),
        ("未知参数 fiscal_yaer", "unknown parameter 'fiscal_yaer'"),
    ),
    BadParams(
        "mistyped-year",
        'fiscal_year: "abc"\n',
        (),
        ("fiscal_year", "must be a year"),
    ),
    BadParams(
        "mistyped-format",
        "fiscal_year: 2021\nformats: odt\n",
        (),
        ("formats",),
    ),
    BadParams(
        "year-without-data",
        "fiscal_year: 2021\n",
        ("--year", "1999"),
        ("1999", "no data for fiscal year 1999"),
    ),
    BadParams(
        "unknown-department",
        "fiscal_year: 2021\ndepartments: [不存在的部门]\n",
        (),
        ("不存在的部门", "no data for department"),
    ),
]


@pytest.mark.parametrize("case", BAD_PARAMS, ids=[c.id for c in BAD_PARAMS])
def test_bad_parameters(case: BadParams, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    params = tmp_path / "nope.yaml"
    if case.params is not None:
        params.write_text(case.params, "utf-8")
    out = tmp_path / "out"
    started = time.perf_counter()
    code = main(["report", str(params), "--output", str(out), *case.extra_args])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert code == 2, captured.err
    for message in case.messages:
        assert message in captured.err
    assert captured.out == "", "nothing on stdout: it lists written files only"
    assert not out.exists() or not any(out.iterdir()), f"written: {list(out.rglob('*'))}"
    assert elapsed < QUICK_SECONDS


def test_invalid_dataset(tmp_path: Path, support: ModuleType) -> None:
    """A dataset failing validation: message naming file, row and column; nothing written.

    Run as a subprocess: the runner may already have started a kernel and a PDF worker when it
    finds the bad data, and those must not outlive this test.
    """
    folder = support.copy_seed(tmp_path / "data")

    def break_budget(row: dict[str, str]) -> None:
        if row["project_id"] == "KJ02":
            row["budget_wan"] = "-5"

    support.rewrite_projects(folder, break_budget)
    params = support.write_params(
        tmp_path / "params.yaml", f"fiscal_year: 2021\ndata_dir: {tmp_path / 'data'}\n"
    )
    out = tmp_path / "out"
    started = time.perf_counter()
    done = subprocess.run(
        [str(support.VENV_BIN / "jixiao"), "report", str(params), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=support.TOOL_TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    # KJ02 is on line 3 of projects.csv (line 1 is the header).
    for message in ("projects.csv", "第 3 行", "row 3", "budget_wan", "-5"):
        assert message in done.stderr
    assert "report.html" not in done.stdout
    assert not out.exists() or not any(out.iterdir()), f"written: {support.files_under(out)}"
    assert elapsed < QUICK_SECONDS
