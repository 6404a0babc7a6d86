"""Benchmark: the FY2021 report (HTML + PDF) through the runner and through the plain CLIs.

Routes, each run as the commands a user would type, side by side in one run:

1. runner, one report:   ``jixiao report params/fy2021.yaml``
2. runner, batch:        the seed copied as ``--departments`` departments, one ``jixiao report``;
                         the figure is wall time / departments (steady-state cost per report)
3. plain CLIs:           ``papermill`` → ``jupyter nbconvert --to html`` → ``jupyter nbconvert
                         --to jixiao_pdf`` (three processes, each importing and starting anew)

Prints medians over ``--repeat`` runs and the ratio CLI / runner. Targets (issue 3): the runner at
least 3× faster than the CLI route, and one HTML + PDF report under 6 s on a 2-core machine.

Usage: .venv/bin/python bench/report_bench.py [--repeat 3] [--departments 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = ROOT / "data" / "2021" / "高新区科技局"
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"


def timed(commands: list[list[str]], cwd: Path) -> float:
    """Run commands one after another; return the wall time, failing loudly on an error."""
    start = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def runner_once(work: Path) -> float:
    out = work / "runner"
    shutil.rmtree(out, ignore_errors=True)
    seconds = timed(
        [[str(BIN / "jixiao"), "report", "params/fy2021.yaml", "--output", str(out)]], ROOT
    )
    assert (out / "2021" / "高新区科技局" / "report.pdf").stat().st_size > 0
    return seconds


def runner_batch(work: Path, departments: int) -> float:
    data = work / "batch-data"
    if not data.exists():
        for n in range(departments):
            shutil.copytree(SEED, data / "2021" / f"部门{n + 1:02d}")
    params = work / "batch.yaml"
    params.write_text(f"fiscal_year: 2021\ndepartments: all\ndata_dir: {data}\n", "utf-8")
    out = work / "batch-out"
    shutil.rmtree(out, ignore_errors=True)
    seconds = timed([[str(BIN / "jixiao"), "report", str(params), "--output", str(out)]], ROOT)
    assert len(list(out.glob("2021/*/report.pdf"))) == departments
    return seconds / departments


def cli_once(work: Path) -> float:
    out = work / "cli"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    executed = out / "report.ipynb"
    commands = [
        [
            str(BIN / "papermill"),
            str(NOTEBOOK),
            str(executed),
            "-k",
            "jixiao",
            "-p",
            "fiscal_year",
            "2021",
            "-p",
            "department",
            "高新区科技局",
            "-p",
            "data_dir",
            str(ROOT / "data"),
            "-p",
            "charts_dir",
            "charts",
            "--cwd",
            str(out),
        ],
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
        [str(BIN / "jupyter"), "nbconvert", "--to", "jixiao_pdf", str(executed)],
    ]
    seconds = timed(commands, out)
    assert (out / "report.pdf").stat().st_size > 0 and (out / "report.html").stat().st_size > 0
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--departments", type=int, default=4)
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        work = Path(tmp)
        runner_once(work)  # warm the OS file cache and compiled bytecode once, untimed
        single, batch, cli = [], [], []
        for i in range(args.repeat):
            single.append(runner_once(work))
            batch.append(runner_batch(work, args.departments))
            cli.append(cli_once(work))
            print(
                f"run {i + 1}: runner {single[-1]:.2f} s, batch {batch[-1]:.2f} s/report, "
                f"CLIs {cli[-1]:.2f} s",
                flush=True,
            )
    s, b, c = (statistics.median(x) for x in (single, batch, cli))
    print(f"\nFY2021 report, HTML + PDF ({env_note}), medians of {args.repeat} runs:")
    print(f"  runner, one report (jixiao report, cold process): {s:6.2f} s")
    print(f"  runner, batch of {args.departments} departments, per report:     {b:6.2f} s")
    print(f"  plain CLIs (papermill + nbconvert html + pdf):    {c:6.2f} s")
    print(
        f"  ratio CLIs / runner one report: {c / s:4.1f}×   CLIs / runner per report in batch: {c / b:4.1f}×"
    )
    print(
        f"  target ≥ 3× faster:  one report {'PASS' if c / s >= 3 else 'FAIL'}, "
        f"batch {'PASS' if c / b >= 3 else 'FAIL'}"
    )
    print(
        f"  target < 6 s/report: one report {'PASS' if s < 6 else 'FAIL'}, "
        f"batch {'PASS' if b < 6 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
