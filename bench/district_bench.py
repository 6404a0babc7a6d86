"""District benchmark: a year of N departments scored, reviewed, summarised and exported.

Run ``.venv/bin/python bench/district_bench.py`` (``--departments 500``, ``--workdir DIR``,
``--workers N``, ``--help``). The script

1. generates a synthetic district with ``bench/make_district.py`` (N departments, the fiscal
   year and the one before it) into ``--workdir`` (a folder under the system's temporary
   directory by default; never the repository), or reuses it when it is already there;
2. times, with ``time.perf_counter``, the stages of a year's overview as
   :func:`helpers.overview.build_year_overview` runs them, without notebooks: ``score_year`` of
   the year and of the previous year (read, validate, parse and score every department), the
   year-over-year comparison, the review (:func:`helpers.review.review`), the overview document
   (:func:`helpers.overview.build_overview`, charts included), then the exports as
   :func:`helpers.year.write_year_exports` writes them (the year's workbook in a worker process
   while this one writes the Parquet files and the 复核工作底稿), ``--repeats`` times (3);
3. prints each run's stages, then each stage's median, the median total (against the
   target), the total per department, and the peak memory:
   ``resource.getrusage`` ``ru_maxrss`` of this process and, separately, the largest of its
   worker processes (the whole resident set, Python and numpy/pandas buffers alike; the
   parent's figure includes the generator when the district was made in this run).

Target (issue "Scale, measured"): the whole run under 30 s for 500 departments on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.overview import build_overview, report_links_for
from helpers.review import review
from helpers.year import compare_years, score_year, write_year_exports

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0
YEAR = 2021


def district(folder: Path, departments: int, seed: int) -> Path:
    """The district's data root: made by bench/make_district.py unless it is there already."""
    marker = folder / f".made-{departments}-{seed}"
    if marker.exists():
        print(f"reusing {folder} ({departments} departments, seed {seed})")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(ROOT / "bench" / "make_district.py"),
        "--departments",
        str(departments),
        "--seed",
        str(seed),
        "--years",
        str(YEAR - 1),
        str(YEAR),
        "--output",
        str(folder),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"make_district failed:\n{done.stdout}\n{done.stderr}")
    print(done.stdout.strip().splitlines()[-1])
    marker.touch()
    return folder


def peak_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest child process."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return own, children


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--departments", type=int, default=500, help="departments (500)")
    ap.add_argument("--seed", type=int, default=0, help="make_district seed (0)")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the district and the exports go (default: a folder in the temp directory)",
    )
    ap.add_argument("--repeats", type=int, default=3, help="timed runs; medians reported (3)")
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="score_year's worker processes (default: its own choice; 1 = serial)",
    )
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.gettempdir()) / f"jixiao-district-{args.departments}"
    if work.resolve().is_relative_to(ROOT):
        sys.exit(f"--workdir must be outside the repository: {work}")
    data = district(work / "data", args.departments, args.seed)
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")

    workers = {} if args.workers is None else {"workers": args.workers}
    runs: list[dict[str, float]] = []
    last: Any = None
    for k in range(max(1, args.repeats)):
        last = None  # one run's tables in memory at a time: the peak is one run's
        run_times, last = _one_run(data, out / f"run{k}", workers)
        runs.append(run_times)
    times = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    totals = [sum(run.values()) for run in runs]
    scores, previous, findings = last
    total = statistics.median(totals)
    n = len(scores.departments)
    own, child = peak_mb()
    print()
    print(
        f"{n} departments ({len(scores.problems)} invalid), {len(scores.projects):,} projects, "
        f"{len(scores.indicators):,} indicators, {len(scores.flags):,} flags, "
        f"{len(findings):,} review findings; previous year {len(previous.departments)} departments"
    )
    print(f"medians of {len(runs)} runs:")
    for name, seconds in times.items():
        print(f"  {name:44s} {seconds:7.2f} s")
    evaluation = times["score_year (the year)"] + times["score_year (previous year)"]
    print(
        f"score_year both years {evaluation:.2f} s ({evaluation / max(2 * n, 1) * 1000:.1f} ms per "
        f"department-year); review {times['review']:.2f} s; overview document "
        f"{times['overview document (build_overview)']:.2f} s; exports {times[EXPORTS]:.2f} s"
    )
    print(
        f"total: median {total:.2f} s ({', '.join(f'{t:.2f}' for t in totals)}), "
        f"{total / max(n, 1) * 1000:.1f} ms per department"
    )
    print(
        f"peak memory (ru_maxrss, resident set): this process {own:,.0f} MB; "
        f"largest worker process {child:,.0f} MB"
    )
    ok = total < TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'FAIL'}: overview + review + exports of {n} departments in under "
        f"{TARGET_SECONDS:g} s (median of {len(runs)} runs)"
    )
    return 0 if ok else 1


EXPORTS = "exports (write_year_exports)"


def _one_run(data: Path, out: Path, workers: dict[str, int]) -> tuple[dict[str, float], Any]:
    """One timed run of the stages, as build_year_overview and write_exports run them."""
    times: dict[str, float] = {}
    out.mkdir(parents=True, exist_ok=True)

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - start
        print(f"  {name:44s} {times[name]:7.2f} s", flush=True)
        return result

    print(f"run (load average {os.getloadavg()[0]:.2f}):")
    scores = stage("score_year (the year)", lambda: score_year(YEAR, data, **workers))
    previous = stage(
        "score_year (previous year)",
        lambda: score_year(YEAR - 1, data, keep_evaluations=False, **workers),
    )
    comparison = stage("compare_years", lambda: compare_years(scores, previous))
    findings = stage("review", lambda: review(list(scores.evaluations.values())))
    links = report_links_for(list(scores.departments["department"]), ["html"])
    stage(
        "overview document (build_overview)",
        lambda: build_overview(scores, comparison, links, findings),
    )
    stage(EXPORTS, lambda: write_year_exports(out, scores, comparison, findings))
    return times, (scores, previous, findings)


if __name__ == "__main__":
    sys.exit(main())
