"""A batch where one department's notebook fails at run time and another's kernel dies.

The failure is made in the notebook, not the data (data that passes validation but breaks a
cell would be a bug to fix, not a fixture): a tmp copy of report.ipynb declares one extra
parameter, ``fail_for``, and gains a cell raising for that department. The params file sets
``fail_for`` like any other notebook parameter, so this also covers parameters passed through.
"""

from __future__ import annotations

from types import ModuleType

import nbformat
import pytest

from helpers import paths
from helpers.cli import main

pytestmark = pytest.mark.integration

FAILING = "失败局"  # sorts first: the others run after the failure
CRASHING = "崩溃局"  # sorts second: its kernel dies; the good department needs a new one
GOOD = "正常局"
OLD_REPORT = "<html><body>上一次的报告 / the previous report</body></html>"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, support: ModuleType):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("batch")
    for name in (FAILING, CRASHING, GOOD):
        support.copy_seed(root / "data", department=name)
    support.notebook_with_failures(root / "notebooks")
    out = root / "out"
    previous = out / "2021" / FAILING
    previous.mkdir(parents=True)
    (previous / "report.html").write_text(OLD_REPORT, "utf-8")
    params = support.write_params(
        root / "params.yaml",
        f"fiscal_year: 2021\nformats: [html, pdf]\ndata_dir: {root / 'data'}\nfail_for: {FAILING}\n"
        f"crash_for: {CRASHING}\n",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paths, "NOTEBOOKS_DIR", root / "notebooks")
        with support.captured_output() as captured:
            code = main(["report", str(params), "--output", str(out)])
    return code, captured.text, out / "2021"


def test_batch_exit_code_is_non_zero(batch) -> None:  # type: ignore[no-untyped-def]
    code, output, _ = batch
    assert code == 1, output


def test_good_department_is_published(batch) -> None:  # type: ignore[no-untyped-def]
    _, output, year = batch
    good = year / GOOD
    for name in ("report.html", "report.pdf", "report.ipynb"):
        assert (good / name).is_file(), output
    assert not (good / "report.error.txt").exists()
    assert not (good / "report.failed.ipynb").exists()
    assert "科学技术奖奖励项目" in (good / "report.html").read_text("utf-8")
    assert (good / "report.pdf").read_bytes().startswith(b"%PDF")


def test_failing_department_keeps_its_previous_report(batch) -> None:  # type: ignore[no-untyped-def]
    _, _, year = batch
    failed = year / FAILING
    assert (failed / "report.html").read_text("utf-8") == OLD_REPORT
    assert not (failed / "report.pdf").exists()
    assert not (failed / "report.ipynb").exists()


def test_failing_department_gets_the_evidence(batch, support: ModuleType) -> None:  # type: ignore[no-untyped-def]
    _, _, year = batch
    failed = year / FAILING
    notebook = nbformat.read(failed / "report.failed.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.source == support.FAILING_CELL)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "RuntimeError"
    message = (failed / "report.error.txt").read_text("utf-8")
    # Named by its execution count (In [n] in the failed notebook) and its first line of code.
    assert f"执行序号 {cell.execution_count}" in message, message
    assert "代码：if department == fail_for:" in message, message
    assert "build_report" not in message, "names another cell"
    assert "RuntimeError" in message and "故意失败" in message


def test_no_partial_folders_are_left(batch, support: ModuleType) -> None:  # type: ignore[no-untyped-def]
    _, _, year = batch
    assert sorted(p.name for p in year.iterdir()) == sorted([FAILING, CRASHING, GOOD]), (
        support.files_under(year)
    )


def test_summary_names_the_failed_department(batch) -> None:  # type: ignore[no-untyped-def]
    _, output, year = batch
    assert "成功 1 个，失败 2 个" in output
    summary = output[output.index("成功 1 个，失败 2 个") :]
    assert FAILING in summary and CRASHING in summary
    assert "运行失败" in summary
    written = output.splitlines()  # the written files: one path a line
    assert str(year / GOOD / "report.html") in written, "the written files are listed"
    assert str(year / FAILING / "report.html") not in written
    # Its previous report is still there, and the summary says that it no longer matches.
    kept = [line for line in summary.splitlines() if "此前生成的报告仍在" in line]
    assert kept == [
        f"    此前生成的报告仍在 {year / FAILING / 'report.html'}，未按现在的数据更新 / the earlier "
        "report there is kept and does not match the data now"
    ]


def test_a_dead_kernel_fails_only_its_department(batch) -> None:  # type: ignore[no-untyped-def]
    _, output, year = batch
    crashed = year / CRASHING
    assert not (crashed / "report.html").exists()
    message = (crashed / "report.error.txt").read_text("utf-8")
    assert "内核" in message or "kernel" in message.lower(), message
    assert (year / GOOD / "report.html").is_file(), output
