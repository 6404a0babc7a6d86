"""The ``jixiao`` command line.

``jixiao validate PATH``, ``jixiao score PATH [--json | --csv OUT.csv | --xlsx OUT.xlsx]``,
``jixiao convert FOLDER`` and ``jixiao report PARAMS.yaml | --year YEAR``. PATH is a dataset
folder or workbook. Bad input exits with code 2 and a message naming file, row and column;
nothing is written. ``score --json`` prints the document described in ``docs/score-json.md``.

Heavy imports happen inside the commands so that ``jixiao --help`` stays instant.
"""

from __future__ import annotations

import argparse
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
    from helpers.dataset import DatasetError
    from helpers.evaluation import evaluate_path

    try:
        return evaluate_path(path).dataset
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


def build_score_json(result: Any) -> dict[str, Any]:
    """The JSON document printed by ``jixiao score --json`` (see ``docs/score-json.md``)."""
    from helpers.score_export import build_score_document

    return build_score_document(result)


def cmd_validate(args: argparse.Namespace) -> int:
    dataset = _load(args.path)
    _print_warnings(dataset.warnings)
    print(
        f"校验通过 / valid: {dataset.department.name} {dataset.fiscal_year} — "
        f"{len(dataset.projects)} 个项目 / projects, {len(dataset.indicators)} 条指标 / indicators, "
        f"{len(dataset.warnings)} 条警告 / warnings"
    )
    return EXIT_OK


def _evaluate(path: str):  # type: ignore[no-untyped-def]
    """As :func:`_load`, with the scores: the dataset is read, checked and scored once."""
    from helpers.dataset import DatasetError
    from helpers.evaluation import evaluate_path

    try:
        return evaluate_path(path)
    except DatasetError as exc:
        _print_problems(
            f"数据校验失败，共 {len(exc.problems)} 处问题 / validation failed with "
            f"{len(exc.problems)} problem(s): {path}",
            exc.problems,
        )
        raise SystemExit(EXIT_BAD_INPUT) from None


def _score_export_targets(args: argparse.Namespace) -> list[Path]:
    """The files ``--csv``/``--xlsx`` will write, checked before any work is done."""
    from helpers.score_export import ExportPathError, export_paths

    kind = "csv" if args.csv is not None else "xlsx"
    try:
        return export_paths(args.csv if kind == "csv" else args.xlsx, kind, source=args.path)
    except ExportPathError as exc:
        print(f"{exc.zh} / {exc.en}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def cmd_score(args: argparse.Namespace) -> int:
    from helpers.format import format_pct, format_score, format_wan

    exporting = args.csv is not None or args.xlsx is not None
    targets = _score_export_targets(args) if exporting else []
    evaluation = _evaluate(args.path)
    dataset, result = evaluation.dataset, evaluation.result
    if args.json:
        from helpers.score_export import dumps_score_document

        print(dumps_score_document(build_score_json(result)))
        return EXIT_OK
    if exporting:
        from helpers.score_export import write_scores_csv, write_scores_xlsx

        _print_warnings(dataset.warnings)
        write = write_scores_csv if args.csv is not None else write_scores_xlsx
        try:
            write(result, targets[0])
        except OSError as exc:
            print(f"写入失败 / could not write: {targets[0]}: {exc}", file=sys.stderr)
            return EXIT_FAILED
        n_projects, n_indicators = len(result.projects), len(result.indicators)
        print(
            f"已写入 {n_projects} 个项目、{n_indicators} 条指标的得分："
            f"{'、'.join(map(str, targets))} / wrote the scores of {n_projects} projects and "
            f"{n_indicators} indicators: {', '.join(map(str, targets))}"
        )
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
    from helpers.convert import ConvertError, plan_conversion, write_conversion
    from helpers.scoring import score_dataset

    source = Path(args.path)
    try:
        plan = plan_conversion(source, args.output, form=args.form)
    except ConvertError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    if plan.target.exists() and not args.force:
        print(
            f"{plan.target} 已存在，使用 --force 覆盖 / exists; use --force to overwrite",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    dataset = _load(args.path)
    try:
        target = write_conversion(dataset, score_dataset(dataset), plan, force=args.force)
    except ConvertError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
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
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json", action="store_true", help="print one JSON document (docs/score-json.md)"
    )
    out.add_argument(
        "--csv", metavar="OUT.csv", help="write indicator scores to OUT.csv, projects beside it"
    )
    out.add_argument("--xlsx", metavar="OUT.xlsx", help="write sheets 项目 and 指标 to OUT.xlsx")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "convert",
        help="数据集互转：文件夹 ⇄ 工作簿 ⇄ 标准自评表 / convert between folder, workbook and the standard form",
    )
    p.add_argument(
        "path", help="数据文件夹、工作簿或自评表（.xlsx/.xls/.docx） / dataset folder or file"
    )
    p.add_argument(
        "--output",
        "-o",
        help="输出：以 .xlsx 结尾为工作簿，否则为 CSV 文件夹 / .xlsx for a workbook, else a CSV folder "
        "(default: FOLDER.xlsx, or a folder named after the form file)",
    )
    p.add_argument(
        "--form",
        action="store_true",
        help="写成标准项目支出绩效自评表（含计算得分） / write the standard 自评表 with jixiao's scores",
    )
    p.add_argument(
        "--force", action="store_true", help="覆盖已有输出 / overwrite an existing output"
    )
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
