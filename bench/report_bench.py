"""Benchmark: FY2021 reports through jixiao against the route a user types by hand.

Side by side in one run, each route as the commands a user would type:

1. hand route (HTML only): ``papermill report.ipynb out.ipynb -p …`` then
   ``jupyter nbconvert --to html --no-input out.ipynb`` (two processes, each starting anew)
2. ``jixiao report params/fy2021.yaml`` from a cold process: HTML + PDF + DOCX
3. a batch: the seed copied as ``--departments`` departments (20 by default), one
   ``jixiao report`` writing HTML + PDF + DOCX for each; the figure is wall time / departments

Targets (issue 9): route 2 at least 2× faster than route 1; route 3 at least 8× faster per
report than route 1. Also printed: where a single report's time goes (the runner's own progress
lines, time-stamped) and the sizes of the three files.

Usage: .venv/bin/python bench/report_bench.py [--repeat 3] [--departments 20]
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
FORMATS = ("html", "pdf", "docx")


def timed(commands: list[list[str]], cwd: Path) -> float:
    """Run commands one after another; return the wall time, failing loudly on an error."""
    start = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def hand_route(work: Path) -> float:
    """papermill CLI, then stock nbconvert to HTML without the code."""
    out = work / "hand"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    executed = out / "report.ipynb"
    parameters = ["-p", "fiscal_year", "2021", "-p", "department", "高新区科技局"]
    commands = [
        [str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-k", "jixiao", *parameters],
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
    ]
    seconds = timed(commands, out)
    assert (out / "report.html").stat().st_size > 0
    return seconds


def runner_once(work: Path) -> float:
    """``jixiao report params/fy2021.yaml``: one department, every format."""
    out = work / "runner"
    shutil.rmtree(out, ignore_errors=True)
    seconds = timed(
        [[str(BIN / "jixiao"), "report", "params/fy2021.yaml", "--output", str(out)]], ROOT
    )
    for fmt in FORMATS:
        assert (out / "2021" / "高新区科技局" / f"report.{fmt}").stat().st_size > 0
    return seconds


def runner_batch(work: Path, departments: int) -> float:
    """One ``jixiao report`` over ``departments`` copies of the seed; seconds per report."""
    data = work / "batch-data"
    if not data.exists():
        for n in range(departments):
            shutil.copytree(SEED, data / "2021" / f"部门{n + 1:02d}")
    params = work / "batch.yaml"
    params.write_text(
        f"fiscal_year: 2021\ndepartments: all\nformats: [html, pdf, docx]\ndata_dir: {data}\n"
        "overview: false\n",  # the reports alone; the year's overview is measured apart
        "utf-8",
    )
    out = work / "batch-out"
    shutil.rmtree(out, ignore_errors=True)
    seconds = timed([[str(BIN / "jixiao"), "report", str(params), "--output", str(out)]], ROOT)
    assert len(list(out.glob("2021/*/report.docx"))) == departments
    return seconds / departments


def timeline(work: Path) -> list[str]:
    """A single report's progress lines, each with the seconds since the command started."""
    out = work / "timeline"
    shutil.rmtree(out, ignore_errors=True)
    command = [str(BIN / "jixiao"), "report", "params/fy2021.yaml", "--output", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines = [f"{time.perf_counter() - start:5.2f} s  {line.rstrip()}" for line in process.stderr]
    process.wait()
    lines.append(f"{time.perf_counter() - start:5.2f} s  (process ended)")
    folder = out / "2021" / "高新区科技局"
    sizes = ", ".join(
        f"report.{fmt} {(folder / f'report.{fmt}').stat().st_size / 1e6:.2f} MB" for fmt in FORMATS
    )
    return [*lines, f"sizes: {sizes}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--departments", type=int, default=20)
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        work = Path(tmp)
        runner_once(work)  # warm the OS file cache and compiled bytecode once, untimed
        hand_route(work)
        hand, single, batch = [], [], []
        for i in range(args.repeat):
            hand.append(hand_route(work))
            single.append(runner_once(work))
            batch.append(runner_batch(work, args.departments))
            print(
                f"run {i + 1}: hand route {hand[-1]:.2f} s, jixiao report {single[-1]:.2f} s, "
                f"batch {batch[-1]:.2f} s/report",
                flush=True,
            )
        steps = timeline(work)
    h, s, b = (statistics.median(x) for x in (hand, single, batch))
    print(f"\nFY2021 ({env_note}), medians of {args.repeat} runs:")
    print(f"  hand route: papermill CLI + nbconvert --to html --no-input (HTML only): {h:6.2f} s")
    print(f"  jixiao report, one department, HTML + PDF + DOCX, cold process:        {s:6.2f} s")
    print(
        f"  jixiao report, batch of {args.departments} departments, per report:            {b:6.2f} s"
    )
    print(
        f"  one report:  {h / s:4.1f}× faster than the hand route (target ≥ 2×: {'PASS' if h / s >= 2 else 'FAIL'})"
    )
    print(
        f"  in a batch:  {h / b:4.1f}× faster per report (target ≥ 8×: {'PASS' if h / b >= 8 else 'FAIL'})"
    )
    print("\nwhere one report's time goes (jixiao report params/fy2021.yaml):")
    for line in steps:
        print(f"  {line}")


if __name__ == "__main__":
    main()
