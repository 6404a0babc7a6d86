"""Write a synthetic district of departments (helpers.synthetic) in jixiao's CSV folder layout.

Usage:
    .venv/bin/python bench/make_district.py --departments 6 --seed 2021 --output data/district
    .venv/bin/python bench/make_district.py --departments 500 --output /tmp/district-500

Writes ``<output>/<year>/<department>/`` (department.yaml, projects.csv, indicators.csv) for
every year and department and prints what it wrote: one line per dataset (a summary per year
above 40 departments), what was planted for the review of the self-evaluations in the last year,
and the seconds taken. The same arguments always write the same bytes (the shipped example
``data/district`` is this command's first line). Folders of other departments already under the
output's year folders are left alone and named.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from helpers.synthetic import FEATURE_LABELS, make_district, write_dataset

LISTED = 40
PLANTS = (
    "execution_about_20",
    "low_execution_without_reason",
    "unmet_without_reason",
    "stated_higher",
    "stated_all_100",
    "copied_reason",
    "copied_paragraph",
    "cost_written_ge",
)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=6, help="how many (default 6)")
    parser.add_argument(
        "--projects",
        type=int,
        nargs=2,
        default=(3, 8),
        metavar=("MIN", "MAX"),
        help="projects per department in the last year (default 3 8)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=(2020, 2021),
        help="fiscal years (default 2020 2021)",
    )
    parser.add_argument("--output", type=Path, required=True, help="the data root to write")
    return parser.parse_args(argv)


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    start = time.perf_counter()
    specs = make_district(args.departments, tuple(args.projects), args.seed, args.years)
    made = time.perf_counter()
    folders = [write_dataset(spec, args.output) for spec in specs]
    written = time.perf_counter()

    if args.departments <= LISTED:
        for spec, folder in zip(specs, folders, strict=True):
            print(
                f"{shown(folder)}  {spec.kind}  {len(spec.projects)} 个项目  "
                f"{len(spec.indicators)} 项指标  {' '.join(spec.layout)}"
            )
    for year, count in sorted(Counter(spec.fiscal_year for spec in specs).items()):
        of_year = [s for s in specs if s.fiscal_year == year]
        projects = sum(len(s.projects) for s in of_year)
        indicators = sum(len(s.indicators) for s in of_year)
        print(f"{year}: {count} 个单位，{projects} 个项目，{indicators} 项指标")

    last = max(spec.fiscal_year for spec in specs)
    print(f"{last} 年度埋设的复核情况:")
    for feature in PLANTS:
        where = [s for s in specs if s.fiscal_year == last and feature in s.features]
        names = "；".join(f"{s.name} {'、'.join(s.features[feature])}" for s in where[:6])
        more = f"（共 {len(where)} 个单位）" if len(where) > 6 else ""
        print(f"  {FEATURE_LABELS[feature]}: {names or '—'}{more}")

    generated = {(spec.fiscal_year, spec.name) for spec in specs}
    for year in sorted({spec.fiscal_year for spec in specs}):
        year_dir = args.output / str(year)
        others = sorted(
            p.name for p in year_dir.iterdir() if p.is_dir() and (year, p.name) not in generated
        )
        if others:
            print(
                f"note: {shown(year_dir)} also holds {len(others)} other folders: {', '.join(others[:5])}"
            )

    files = 3 * len(folders)
    print(
        f"wrote {len(folders)} datasets ({files} files) under {shown(args.output)} in "
        f"{written - start:.2f} s (generate {made - start:.2f} s, write {written - made:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
