"""The Dask executor on a real ``LocalCluster`` (loopback): same reports, failures contained.

One two-worker cluster serves the module. The district's reports made on it are compared,
byte for byte, with the local executor's; a batch with a failing notebook, a dying kernel and
invalid data fails only those departments; a worker that dies is replaced and its department
retried, and one that dies every time fails only its own department.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from types import ModuleType

import cloudpickle
import nbformat
import pandas as pd
import pytest

from helpers import paths, runner
from helpers.job import ReportBundle
from helpers.params import RunParams, load_run_params

pytestmark = pytest.mark.integration

DISTRICT = paths.REPO_ROOT / "data" / "district"
ALLOWED_FAILURES = 1  # a task is retried once after its worker died, then given up


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    import dask

    from helpers.dask_executor import dask_client

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}),
        dask_client(workers=2) as connected,
    ):
        yield connected


def _run_on_dask(params: RunParams, client, unit=None):  # type: ignore[no-untyped-def]
    from helpers.dask_executor import run_reports_on_dask

    with runner.report_session() as session:
        session.claim_output(params)
        return run_reports_on_dask(params, client, unit=unit)


@pytest.fixture(scope="module")
def district_both_ways(tmp_path_factory: pytest.TempPathFactory, client, support: ModuleType):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("district")
    runs = {}
    for name in ("local", "dask", "shared"):
        params = load_run_params(
            paths.REPO_ROOT / "params" / "district_fy2021.yaml",
            formats=["html"],
            output_dir=str(root / name),
        )
        # shared: the workers read the data and publish in place (the cluster is this machine)
        params = dataclasses.replace(params, shared_path=name == "shared")
        with support.captured_output() as captured:
            if name == "local":
                with runner.report_session() as session:
                    session.claim_output(params)
                    outcome = runner.run_reports(params)
            else:
                outcome = _run_on_dask(params, client)
        runs[name] = (outcome, captured.text, root / name / "2021")
    return runs


def test_dask_writes_every_report_and_the_overview(district_both_ways) -> None:  # type: ignore[no-untyped-def]
    outcome, output, year = district_both_ways["dask"]
    assert outcome.exit_code == 0, output
    departments = paths.list_departments(2021, DISTRICT)
    assert len(departments) >= 5
    for department in departments:
        assert (year / department / "report.html").is_file(), output
        assert (year / department / "report.ipynb").is_file()
    for name in ("overview.html", "overview.ipynb", "年度得分.xlsx", "复核工作底稿.xlsx"):
        assert (year / name).is_file(), name
    assert "提交 7 项到 Dask 集群（2 个 worker）" in output
    assert not [p for p in year.iterdir() if ".partial-" in p.name], "no staging left"


@pytest.mark.parametrize("run", ["dask", "shared"])
def test_dask_reports_are_the_local_reports(district_both_ways, run: str) -> None:  # type: ignore[no-untyped-def]
    _, _, local = district_both_ways["local"]
    outcome, output, dask = district_both_ways[run]
    assert outcome.exit_code == 0, output
    for department in paths.list_departments(2021, DISTRICT):
        html = (dask / department / "report.html").read_bytes()
        assert html == (local / department / "report.html").read_bytes(), department
        assert (dask / department / "report.ipynb").is_file()
    assert (dask / "overview.html").read_bytes() == (local / "overview.html").read_bytes()
    assert not [p for p in dask.iterdir() if ".partial-" in p.name], "no staging left"


@pytest.mark.parametrize("run", ["dask", "shared"])
def test_dask_scores_are_the_local_scores(district_both_ways, run: str) -> None:  # type: ignore[no-untyped-def]
    _, _, local = district_both_ways["local"]
    _, _, dask = district_both_ways[run]
    for sheet in (0, 1):
        pd.testing.assert_frame_equal(
            pd.read_excel(dask / "年度得分.xlsx", sheet_name=sheet),
            pd.read_excel(local / "年度得分.xlsx", sheet_name=sheet),
        )


# -- a batch with failures

FAILING, CRASHING, INVALID, GOOD = "失败局", "崩溃局", "数据错误局", "正常局"


def break_budget(row: dict[str, str]) -> None:
    """A budget written in words: the department's data are invalid."""
    row["budget_wan"] = "三百万"


OLD_REPORT = "<html><body>上一次的报告 / the previous report</body></html>"


@pytest.fixture(scope="module")
def failing_batch(tmp_path_factory: pytest.TempPathFactory, client, support: ModuleType):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("dask-batch")
    params = _failing_batch(root, support, (FAILING, CRASHING, INVALID, GOOD), CRASHING)
    # The notebook travels with each task: the workers never read root/notebooks.
    with support.captured_output() as captured:
        outcome = _run_on_dask(params, client)
    return outcome, captured.text, params.output_dir / "2021"


def _failing_batch(
    root: Path, support: ModuleType, departments: tuple[str, ...], crash_for: str = ""
) -> RunParams:
    """The seed as ``departments`` (INVALID's budget in words), the notebook failing for
    FAILING (and dying for ``crash_for``), FAILING's previous report in ``root/out``."""
    for name in departments:
        support.copy_seed(root / "data", department=name)
    support.rewrite_projects(root / "data" / "2021" / INVALID, break_budget)
    support.notebook_with_failures(root / "notebooks")
    out = root / "out"
    (out / "2021" / FAILING).mkdir(parents=True)
    (out / "2021" / FAILING / "report.html").write_text(OLD_REPORT, "utf-8")
    crash = f"crash_for: {crash_for}\n" if crash_for else ""
    params_file = support.write_params(
        root / "params.yaml",
        f"fiscal_year: 2021\nformats: [html]\noverview: false\ndata_dir: {root / 'data'}\n"
        f"fail_for: {FAILING}\n{crash}",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paths, "NOTEBOOKS_DIR", root / "notebooks")
        return load_run_params(params_file, output_dir=str(out))


def test_a_failing_batch_on_dask_fails_only_the_bad_departments(failing_batch) -> None:  # type: ignore[no-untyped-def]
    outcome, output, year = failing_batch
    by_name = {o.department: o for o in outcome.outcomes}
    assert by_name[GOOD].ok, output
    assert "科学技术奖奖励项目" in (year / GOOD / "report.html").read_text("utf-8")
    assert (by_name[FAILING].ok, by_name[FAILING].kind) == (False, "failed")
    assert "故意失败" in by_name[FAILING].message
    assert (by_name[CRASHING].ok, by_name[CRASHING].kind) == (False, "failed")
    assert (by_name[INVALID].ok, by_name[INVALID].kind) == (False, "invalid")
    assert "budget_wan" in by_name[INVALID].message
    assert outcome.exit_code == 2  # invalid data is exit code 2, as on the local executor


def test_a_failed_department_keeps_its_previous_report_and_gets_the_records(failing_batch) -> None:  # type: ignore[no-untyped-def]
    _, output, year = failing_batch
    assert (year / FAILING / "report.html").read_text("utf-8") == OLD_REPORT
    assert "故意失败" in (year / FAILING / "report.error.txt").read_text("utf-8")
    failed = nbformat.read(year / FAILING / "report.failed.ipynb", as_version=4)
    assert any("故意失败" in str(c.get("outputs", "")) for c in failed.cells)
    assert (year / CRASHING / "report.error.txt").is_file(), output
    assert not (year / INVALID).exists(), "invalid data writes nothing"


# -- workers that die (fake units: no notebooks, the scheduler's retries are under test)

DIES_ONCE, DIES_ALWAYS, FINE = "死一次局", "总是死局", "正常局"
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests


def _dying_unit(params: RunParams, department: str, _inputs: dict[str, bytes]) -> ReportBundle:
    marker = params.output_dir / f".died-{department}"
    if department == DIES_ALWAYS or (department == DIES_ONCE and not marker.exists()):
        marker.write_text("died", "utf-8")
        os._exit(13)  # the worker process dies mid-task
    html = f"<p>{department} {os.getpid()}</p>"
    return ReportBundle(department, True, files={"report.html": html.encode()})


@pytest.fixture(scope="module")
def one_thread_client():  # type: ignore[no-untyped-def]
    """Workers of one thread: a worker that dies takes no other department with it."""
    import dask

    from helpers.dask_executor import dask_client

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}),
        dask_client(workers=2, threads_per_worker=1) as connected,
    ):
        yield connected


def test_a_lost_worker_is_replaced_and_only_its_department_fails(
    tmp_path: Path, one_thread_client, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    client = one_thread_client
    data = tmp_path / "data"
    for name in (DIES_ONCE, DIES_ALWAYS, FINE):
        support.copy_seed(data, department=name)
    params = RunParams(
        2021,
        [DIES_ONCE, DIES_ALWAYS, FINE],
        ["html"],
        tmp_path / "out",
        data,
        paths.NOTEBOOKS_DIR / "report.ipynb",
        overview=False,
    )
    (tmp_path / "out").mkdir()
    with support.captured_output() as captured:
        outcome = _run_on_dask(params, client, unit=_dying_unit)
    by_name = {o.department: o for o in outcome.outcomes}
    year = tmp_path / "out" / "2021"
    assert by_name[DIES_ONCE].ok, captured.text  # retried on a fresh worker
    assert by_name[FINE].ok, captured.text
    assert (year / DIES_ONCE / "report.html").read_text("utf-8").startswith(f"<p>{DIES_ONCE}")
    assert not by_name[DIES_ALWAYS].ok
    assert "多次意外退出" in by_name[DIES_ALWAYS].message
    assert not (year / DIES_ALWAYS).exists()
    assert outcome.exit_code == 1
    client.wait_for_workers(2, timeout=120)  # the nannies restarted the dead workers


@pytest.mark.parametrize("in_place", [[], ["--shared-path"]], ids=["sent", "shared-path"])
def test_report_on_a_running_scheduler_from_the_command_line(
    tmp_path: Path, client, support: ModuleType, in_place: list[str]
) -> None:  # type: ignore[no-untyped-def]
    from helpers.cli import main

    out = tmp_path / "out"
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    with support.captured_output() as captured:
        code = main(
            [
                "report",
                str(support.PARAMS_FY2021),
                "--format",
                "html",
                "--output",
                str(out),
                "--scheduler",
                address,
                *in_place,
            ]
        )
    assert code == 0, captured.text
    assert f"连接 Dask 集群（{address}）" in captured.text
    html = (out / "2021" / support.DEPARTMENT / "report.html").read_text("utf-8")
    assert support.REPORT_TITLE in html


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path: Path, support: ModuleType) -> None:
    import dask

    from helpers.cli import main

    out = tmp_path / "out"
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "2s"}),
        support.captured_output() as captured,
    ):
        code = main(
            [
                "report",
                str(support.PARAMS_FY2021),
                "--output",
                str(out),
                "--scheduler",
                "tcp://127.0.0.1:9",
            ]
        )
    assert code == 1, captured.text
    assert "无法连接 Dask 调度器 tcp://127.0.0.1:9" in captured.text
    assert "Traceback" not in captured.text
    assert not out.exists(), "nothing written"


# -- a shared output path: workers read the data and publish in place


def test_a_shared_path_batch_fails_only_the_bad_departments_in_place(
    tmp_path: Path, client, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    params = _failing_batch(tmp_path, support, (FAILING, INVALID, GOOD))
    out = params.output_dir
    params = dataclasses.replace(params, shared_path=True)
    with support.captured_output() as captured:
        outcome = _run_on_dask(params, client)
    by_name = {o.department: o for o in outcome.outcomes}
    year = out / "2021"
    assert by_name[GOOD].ok, captured.text
    assert "科学技术奖奖励项目" in (year / GOOD / "report.html").read_text("utf-8")
    assert by_name[GOOD].files == sorted(p for p in (year / GOOD).rglob("*") if p.is_file())
    assert (by_name[FAILING].ok, by_name[FAILING].kind) == (False, "failed")
    assert (year / FAILING / "report.html").read_text("utf-8") == OLD_REPORT
    assert "故意失败" in (year / FAILING / "report.error.txt").read_text("utf-8")
    assert (by_name[INVALID].ok, by_name[INVALID].kind) == (False, "invalid")
    assert not (year / INVALID).exists()
    assert outcome.exit_code == 2
    assert not [p for p in year.iterdir() if ".partial-" in p.name], "no staging left"


def test_workers_that_cannot_see_the_shared_paths_are_named_before_anything_runs(
    tmp_path: Path, client, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    from helpers.dask_executor import ClusterError, run_reports_on_dask

    support.copy_seed(tmp_path / "data", department="甲局")
    params = load_run_params(
        None, year=2021, data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "out")
    )
    # The workers look for the data where this process saw it; here it is not there for them.
    params = dataclasses.replace(params, shared_path=True, data_dir=tmp_path / "elsewhere")
    with pytest.raises(ClusterError) as info:
        run_reports_on_dask(params, client)
    message = str(info.value)
    assert message.startswith("shared_path：以下 Dask worker 不能直接读写共享路径")
    workers = sorted(client.scheduler_info()["workers"])
    assert [line.split(": ", 1)[0].strip() for line in message.splitlines()[1:]] == workers
    assert f"看不到数据文件夹 {tmp_path / 'elsewhere' / '2021'}" in message
    assert not (tmp_path / "out").exists(), "nothing written"


# -- what a fresh-eyes review found


def test_a_second_run_keeps_the_workers_kernels(client) -> None:  # type: ignore[no-untyped-def]
    """Registering the kernel plugin again would stop the kernels of a run in progress."""
    from helpers.dask_executor import keep_kernels

    def keeper_id(dask_worker) -> int:  # type: ignore[no-untyped-def]
        return id(dask_worker.plugins["jixiao-kernels"])

    before = client.run(keeper_id)
    keep_kernels(client)
    assert client.run(keeper_id) == before


def test_messages_and_notebooks_name_the_users_files_not_the_jobs_copy(
    failing_batch, district_both_ways
) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = failing_batch
    message = next(o.message for o in outcome.outcomes if o.department == INVALID)
    assert f"/data/2021/{INVALID}/projects.csv" in message
    assert "jixiao-job-" not in message and "jixiao-cluster-" not in message
    _, _, year = district_both_ways["dask"]
    for notebook in year.glob("*/report.ipynb"):
        nb = nbformat.read(notebook, as_version=4)
        assert nb.metadata.papermill.parameters["data_dir"] == str(DISTRICT), notebook
    overview = nbformat.read(year / "overview.ipynb", as_version=4)
    assert overview.metadata.papermill.parameters["data_dir"] == str(DISTRICT)


def test_a_year_of_invalid_data_writes_nothing_not_even_the_overview(
    tmp_path: Path, client, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    for name in ("甲局", "乙局"):
        support.rewrite_projects(
            support.copy_seed(tmp_path / "data", department=name), break_budget
        )
    params = load_run_params(
        None, year=2021, data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "out")
    )
    with support.captured_output() as captured:
        outcome = _run_on_dask(params, client)
    assert outcome.exit_code == 2, captured.text
    assert [o.department for o in outcome.outcomes] == ["乙局", "甲局"]
    assert not (tmp_path / "out").exists(), "nothing written"


def test_a_run_of_one_now_invalid_department_refreshes_the_overview_on_dask(
    tmp_path: Path, client, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    for name in ("甲局", "乙局"):
        support.copy_seed(tmp_path / "data", department=name)
    year = tmp_path / "out" / "2021"
    year.mkdir(parents=True)
    (year / "overview.html").write_text("an earlier overview: 乙局 scored", "utf-8")
    support.rewrite_projects(tmp_path / "data" / "2021" / "乙局", break_budget)
    params = load_run_params(
        None,
        year=2021,
        departments=["乙局"],
        formats=["html"],
        data_dir=str(tmp_path / "data"),
        output_dir=str(tmp_path / "out"),
    )
    with support.captured_output() as captured:
        outcome = _run_on_dask(params, client)
    assert outcome.exit_code == 2, captured.text
    assert [o.department for o in outcome.outcomes] == ["乙局", "overview"], captured.text
    html = (year / "overview.html").read_text("utf-8")
    assert "未纳入本汇总：乙局" in html and "an earlier overview" not in html


def test_only_the_files_a_dataset_is_read_from_travel(tmp_path: Path, support: ModuleType) -> None:
    from helpers.job import pack_inputs

    folder = support.copy_seed(tmp_path / "data", department="甲局")
    (folder / "附件").mkdir()
    (folder / "附件" / "扫描件.pdf").write_bytes(b"%PDF-1.7 " + bytes(1000))
    params = load_run_params(None, year=2021, data_dir=str(tmp_path / "data"))
    names = sorted(pack_inputs(params, "甲局"))
    assert "data/2021/甲局/projects.csv" in names
    assert not any(n.endswith(".pdf") for n in names)


def test_an_unreadable_data_file_fails_its_department_only(
    tmp_path: Path, client, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    for name in ("甲局", "乙局"):
        support.copy_seed(tmp_path / "data", department=name)
    (tmp_path / "data" / "2021" / "甲局" / "notes.csv").symlink_to("/proc/self/mem")
    params = load_run_params(
        None,
        year=2021,
        data_dir=str(tmp_path / "data"),
        output_dir=str(tmp_path / "out"),
        formats=["html"],
    )
    params.overview = False
    with support.captured_output() as captured:
        outcome = _run_on_dask(params, client)
    by_name = {o.department: o for o in outcome.outcomes}
    assert by_name["乙局"].ok, captured.text
    assert (by_name["甲局"].kind, by_name["甲局"].ok) == ("invalid", False)
    assert "无法读取数据文件" in by_name["甲局"].message


def test_a_worker_with_a_folder_of_its_own_at_the_same_path_is_refused(
    tmp_path: Path, support: ModuleType
) -> None:
    """Same path is not enough: the worker must read what this process wrote there."""
    from helpers.dask_executor import ClusterError, check_shared_paths

    support.copy_seed(tmp_path / "data", department="甲局")
    params = load_run_params(
        None, year=2021, data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "out")
    )
    own_disk = tmp_path / "worker-disk"
    own_disk.mkdir()

    class WorkerWithItsOwnDisk:  # its output path is a folder on its own disk
        def run(self, fn, data, notebook, token, secret):  # type: ignore[no-untyped-def]
            mirror = own_disk / Path(token).name
            mirror.write_text("another machine's file", "utf-8")
            return {"tcp://10.0.0.9:40000": fn(data, notebook, str(mirror), secret)}

    with pytest.raises(ClusterError) as info:
        check_shared_paths(WorkerWithItsOwnDisk(), params)
    assert "tcp://10.0.0.9:40000: 输出文件夹" in str(info.value)
    assert "不是与本机共享的同一个文件夹" in str(info.value)
    assert not list(tmp_path.glob(".jixiao-shared-*")), "the check's file is removed"

    class SeesNoNotebook:
        def run(self, fn, data, notebook, token, secret):  # type: ignore[no-untyped-def]
            return {"tcp://10.0.0.9:40000": fn(data, notebook + ".gone", token, secret)}

    with pytest.raises(ClusterError, match="看不到 notebook"):
        check_shared_paths(SeesNoNotebook(), params)
    assert not (tmp_path / "out").exists(), "nothing written"
