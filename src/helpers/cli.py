"""The ``jixiao`` command line.

``jixiao validate PATH``, ``jixiao score PATH [--json]``, ``jixiao convert FOLDER`` and
``jixiao report PARAMS.yaml | --year YEAR``. PATH is a dataset folder or workbook. Bad input
exits with code 2 and a message naming file, row and column; nothing is written.

Heavy imports happen inside the commands so that ``jixiao --help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def _print_problems(header: str, problems: list[Any]) -> None:
    print(header, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def _load(path: str):  # type: ignore[no-untyped-def]
    from helpers.dataset import DatasetError, load_dataset

    try:
        return load_dataset(path)
    except DatasetError as exc:
        _print_problems(
            f"数据校验失败，共 {len(exc.problems)} 处问题 / validation failed with "
            f"{len(exc.problems)} problem(s): {path}",
            exc.problems,
        )
        raise SystemExit(EXIT_BAD_INPUT) from None


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"警告 / warning: {warning}", file=sys.stderr)


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


PROJECT_JSON_COLUMNS = (
    "project_id",
    "name",
    "category",
    "budget_wan",
    "spent_wan",
    "execution_rate_pct",
    "execution_score",
    "indicator_score",
    "score",
    "grade",
    "stated_score",
    "n_indicators",
    "n_met",
    "n_near_met",
    "n_unmet",
    "unmet",
    "near_met",
    "flags",
    "level_notes",
)


def build_score_json(result: Any) -> dict[str, Any]:
    """The JSON document printed by ``jixiao score --json``."""
    projects = result.projects.loc[:, list(PROJECT_JSON_COLUMNS)].to_dict("records")
    return _jsonable(
        {
            "department": result.department,
            "categories": result.categories.to_dict("records"),
            "projects": projects,
            "warnings": result.warnings,
        }
    )


def cmd_validate(args: argparse.Namespace) -> int:
    dataset = _load(args.path)
    _print_warnings(dataset.warnings)
    print(
        f"校验通过 / valid: {dataset.department.name} {dataset.fiscal_year} — "
        f"{len(dataset.projects)} 个项目 / projects, {len(dataset.indicators)} 条指标 / indicators, "
        f"{len(dataset.warnings)} 条警告 / warnings"
    )
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    from helpers.format import format_pct, format_score, format_wan
    from helpers.scoring import score_dataset

    dataset = _load(args.path)
    result = score_dataset(dataset)
    if args.json:
        json.dump(build_score_json(result), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    _print_warnings(dataset.warnings)
    from rich.console import Console
    from rich.table import Table

    dept = result.department
    table = Table(title=f"{dept['name']} {dept['fiscal_year']} 年度项目自评得分")
    for header in ("项目", "类别", "预算(万元)", "执行率", "得分", "等级", "未完成指标"):
        table.add_column(header, overflow="fold")
    for row in result.projects.itertuples():
        table.add_row(
            row.name,
            row.category,
            format_wan(row.budget_wan),
            format_pct(row.execution_rate_pct),
            format_score(row.score),
            row.grade if isinstance(row.grade, str) else "—",
            "、".join(row.unmet) or "—",
        )
    console = Console()
    console.print(table)
    console.print(
        f"全年预算 {format_wan(dept['budget_wan'])} 万元，支出 {format_wan(dept['spent_wan'])} 万元，"
        f"执行率 {format_pct(dept['execution_rate_pct'])}；平均得分 {format_score(dept['mean_score'])}"
        f"（{dept['mean_grade']}）"
    )
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    from helpers.dataset import write_workbook

    dataset = _load(args.path)
    source = Path(args.path)
    target = Path(args.output) if args.output else source.with_suffix(".xlsx")
    if target.exists() and not args.force:
        print(
            f"{target} 已存在，使用 --force 覆盖 / exists; use --force to overwrite",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    write_workbook(dataset, target)
    print(f"已写入 / written: {target}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from helpers.runner import ParamsError, load_run_params, run_reports, start_warm_kernel

    # The first kernel starts and imports while the parameters and data are checked.
    kernel = start_warm_kernel()
    try:
        params = load_run_params(
            args.params,
            year=args.year,
            departments=args.department,
            formats=args.format,
            output_dir=args.output,
        )
    except ParamsError as exc:
        kernel.shutdown()
        _print_problems("参数错误 / bad parameters:", exc.problems)
        return EXIT_BAD_INPUT
    except BaseException:
        kernel.shutdown()
        raise
    outcome = run_reports(params, warm_kernel=kernel)
    return outcome.exit_code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jixiao``."""
    parser = argparse.ArgumentParser(
        prog="jixiao", description="预算绩效自评：校验、评分与报告 / performance self-evaluation"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="校验数据集 / validate a dataset folder or workbook")
    p.add_argument("path")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("score", help="评分 / score every project of a dataset")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("convert", help="把数据文件夹写成 Excel 工作簿 / folder → .xlsx")
    p.add_argument("path")
    p.add_argument("--output", "-o", help="workbook path (default: FOLDER.xlsx)")
    p.add_argument("--force", action="store_true", help="overwrite an existing workbook")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("report", help="生成报告 / render reports with papermill + nbconvert")
    p.add_argument("params", nargs="?", help="parameters file, e.g. params/fy2021.yaml")
    p.add_argument("--year", type=int, help="fiscal year (instead of or overriding a params file)")
    p.add_argument("--department", action="append", help="only this department (repeatable)")
    p.add_argument("--format", action="append", choices=["html", "pdf"], help="html and/or pdf")
    p.add_argument("--output", help="output folder (default: reports/)")
    p.set_defaults(func=cmd_report)
    return parser


def _skip_slow_optional_imports() -> None:
    """Spare every command 1.3 s of import time.

    jsonschema (under nbformat) imports ``rfc3987_syntax`` when installed, building a Lark
    grammar, only to check the ``iri`` string format, which notebooks never use
    (python-jsonschema issue 1428). Marking the module absent makes jsonschema skip that check.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jixiao`` console script."""
    _skip_slow_optional_imports()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    except BrokenPipeError:  # `jixiao score --json | head` is fine
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
