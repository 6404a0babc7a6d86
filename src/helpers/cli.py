"""The ``jixiao`` command line.

``jixiao validate PATH``, ``jixiao score PATH [--json | --csv OUT.csv | --xlsx OUT.xlsx]``,
``jixiao convert FOLDER`` and ``jixiao report PARAMS.yaml | --year YEAR``. PATH is a dataset
folder or workbook. Bad input exits with code 2 and a message naming file, row and column;
nothing is written. ``score --json`` prints the document described in ``docs/score-json.md``.

Heavy imports happen inside the commands so that ``jixiao --help`` stays instant.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def terminal_safe(text: object) -> str:
    r"""Text from data as the terminal may show it: control characters as visible escapes.

    A cell holding ``\x1b[2J`` must not clear the screen, nor print a fake message.

    Example:
        >>> terminal_safe("科技局\x1b[2J校验通过")
        '科技局\\x1b[2J校验通过'
    """
    out = []
    for ch in str(text):
        code = ord(ch)
        if (code < 32 and ch != "\n") or 127 <= code < 160 or ch in "\u2028\u2029\u200b\ufeff":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _print_problems(header: str, problems: list[Any]) -> None:
    print(terminal_safe(header), file=sys.stderr)
    for problem in problems:
        print(f"  - {terminal_safe(problem)}", file=sys.stderr)


def _load(path: str):  # type: ignore[no-untyped-def]
    """The validated dataset at ``path``, or exit 2 listing every problem."""
    return _evaluate(path).dataset


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"警告 / warning: {terminal_safe(warning)}", file=sys.stderr)


def build_score_json(result: Any) -> dict[str, Any]:
    """The JSON document printed by ``jixiao score --json`` (see ``docs/score-json.md``)."""
    from helpers.score_export import build_score_document

    return build_score_document(result)


def _year_export_problem(args: argparse.Namespace, data_dir: Path | None) -> str:
    """Why ``--xlsx``/``--parquet`` of a year may not be written there ("" when they may).

    Checked before any work: an ``.xlsx`` name, an existing folder, and nothing inside any
    year's data folder of the data root (a workbook or a folder there would be read as a
    department, this year's or another's).
    """
    from helpers.paths import get_data_dir
    from helpers.score_export import ExportPathError, export_paths, is_data_year_folder

    root = (data_dir or get_data_dir()).resolve()
    try:
        if args.xlsx is not None:
            export_paths(args.xlsx, "xlsx")
    except ExportPathError as exc:
        return f"{exc.zh} / {exc.en}"
    for option, given in (("--xlsx", args.xlsx), ("--parquet", args.parquet)):
        if given is None:
            continue
        target = Path(given).resolve()
        year = next((p for p in (target, *target.parents) if is_data_year_folder(p, root)), None)
        if year is not None:
            return (
                f"{option} 不能写进数据年度文件夹 {year}，否则会被当作一个部门的数据：{given} / "
                f"{option} will not write into the data folder {year}, where it would be read "
                f"as a department: {given}"
            )
    return ""


def cmd_score_year(args: argparse.Namespace) -> int:
    """``jixiao score --year Y [--xlsx OUT | --parquet DIR | --json]``: every department."""
    from rich.console import Console

    from helpers.year import compare_years, score_year, write_year_parquet, write_year_xlsx

    if args.csv is not None or args.json:
        print(
            "--year 时请用 --xlsx 或 --parquet / with --year use --xlsx or --parquet",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    data_dir = Path(args.data_dir) if args.data_dir else None
    problem = _year_export_problem(args, data_dir)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    console = Console(stderr=True, highlight=False)
    scores = score_year(
        args.year, data_dir, progress=lambda d: console.print(_terminal_text(f"评分 {d}…"))
    )
    if scores.departments.empty and not scores.problems:
        print(f"没有 {args.year} 年度的数据 / no data for {args.year}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for department, problem in scores.problems:
        console.print(
            _terminal_text(
                f"数据校验失败，已跳过 {department} / invalid, skipped: {problem.splitlines()[0]}"
            )
        )
    previous = score_year(args.year - 1, data_dir, keep_evaluations=False)  # tables only
    comparison = compare_years(scores, previous) if not previous.departments.empty else None
    from helpers.review import review

    findings = review(list(scores.evaluations.values()))
    try:
        if args.xlsx is not None:
            written = [write_year_xlsx(scores, args.xlsx, comparison, findings)]
        elif args.parquet is not None:
            written = write_year_parquet(scores, args.parquet, comparison, findings)
        else:
            _print_year(scores)
            written = []
    except OSError as exc:
        print(f"写入失败 / could not write: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for path in written:
        print(path)
    return EXIT_BAD_INPUT if scores.problems else EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    """``jixiao review --year Y -o OUT.xlsx``: 自评复核 of every department, as a workbook."""
    from helpers.review import counts_by_rule, review, write_review_workbook
    from helpers.year import score_year

    target = Path(args.output)
    if target.suffix.lower() != ".xlsx" or not target.parent.is_dir():
        print(
            f"输出应为已有文件夹中的 .xlsx 文件：{target} / the output must be an .xlsx file in an "
            f"existing folder: {target}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    scores = score_year(args.year, Path(args.data_dir) if args.data_dir else None)
    if not scores.evaluations:
        print(f"没有 {args.year} 年度的有效数据 / no valid data for {args.year}", file=sys.stderr)
        return EXIT_BAD_INPUT
    evaluations = list(scores.evaluations.values())
    findings = review(evaluations)
    try:
        write_review_workbook(evaluations, findings, target, scores.problems)
    except OSError as exc:
        print(f"写入失败 / could not write: {target}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = counts_by_rule(findings).drop(columns="total").sum()
    summary = "，".join(f"{severity} {int(n)} 项" for severity, n in counts.items())
    print(
        f"{len(evaluations)} 个部门的复核发现：{summary} / findings by severity: "
        f"{ {str(k): int(v) for k, v in counts.items()} }",
        file=sys.stderr,
    )
    for department, problem in scores.problems:
        print(
            terminal_safe(
                f"数据校验失败，未复核 {department} / invalid, not reviewed: {problem.splitlines()[0]}"
            ),
            file=sys.stderr,
        )
    print(target)
    return EXIT_BAD_INPUT if scores.problems else EXIT_OK


def _terminal_text(value: object):  # type: ignore[no-untyped-def]
    """Terminal text never parsed for Rich markup (a name "[/red]" is shown as written)."""
    from rich.text import Text

    return Text(terminal_safe(value))


def _terminal_table(title: Any) -> Any:
    """A compact terminal table (light rules, no outer padding): 80 columns hold a year."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)


def _add_columns(table: Any, headers: Sequence[str], numbers: int) -> None:
    """Columns of a terminal table; the last ``numbers`` hold numbers.

    From 80 columns (a pipe's width too) numbers are never broken and the text columns fold
    to fit (at least 8 wide), so 6787.5694 stays whole. A narrower terminal cannot hold a
    year's table that way (Rich would cut the numbers with …): there every column folds, so
    nothing is lost.
    """
    from rich.console import Console

    is_wide = Console().width >= 80
    for k, header in enumerate(headers):
        if k < len(headers) - numbers or not is_wide:
            table.add_column(header, overflow="fold", min_width=8 if is_wide else None)
        else:
            table.add_column(header, no_wrap=True)


def _print_year(scores) -> None:  # type: ignore[no-untyped-def]
    """The departments of a year, ranked, as a terminal table."""
    from rich.console import Console

    from helpers.format import format_pct, format_score, format_wan

    table = _terminal_table(
        _terminal_text(f"{scores.fiscal_year} 年度各部门自评得分（按预算加权排名）")
    )
    _add_columns(table, ("排名",), 1)
    _add_columns(
        table, ("部门", "项目", "预算(万元)", "执行率", "加权得分", "等级", "平均得分", "未达成"), 7
    )
    for row in scores.departments.itertuples():
        table.add_row(
            str(row.rank_budget_weighted) if row.rank_budget_weighted is not None else "—",
            _terminal_text(row.department),
            str(row.n_projects),
            format_wan(row.budget_wan),
            format_pct(row.execution_rate_pct),
            format_score(row.score_budget_weighted),
            row.grade_budget_weighted or "—",
            format_score(row.score_mean),
            str(row.n_unmet),
        )
    Console().print(table)


def cmd_validate(args: argparse.Namespace) -> int:
    """``jixiao validate PATH``: check a dataset, print its warnings; exit 2 when invalid."""
    dataset = _load(args.path)
    _print_warnings(dataset.warnings)
    print(
        f"校验通过 / valid: {dataset.department.name} {dataset.fiscal_year} — "
        f"{len(dataset.projects)} 个项目 / projects, {len(dataset.indicators)} 条指标 / indicators, "
        f"{len(dataset.warnings)} 条警告 / warnings"
    )
    return EXIT_OK


def _evaluate(path: str):  # type: ignore[no-untyped-def]
    """The dataset at ``path`` read, checked and scored once, or exit 2 listing every problem."""
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

    try:
        if args.csv is not None:
            return export_paths(args.csv, "csv", source=args.path)
        return export_paths(args.xlsx, "xlsx", source=args.path)
    except ExportPathError as exc:
        print(f"{exc.zh} / {exc.en}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def cmd_score(args: argparse.Namespace) -> int:
    """``jixiao score PATH [--json | --csv OUT | --xlsx OUT]``: scores to the terminal or a file."""
    from helpers.format import format_pct, format_score, format_wan

    if (args.path is None) == (args.year is None):
        print(
            "参数错误：缺少参数：path（或 --year，二者选一） / argument error: the following "
            "arguments are required: path (or --year, not both)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if args.year is not None:
        return cmd_score_year(args)
    if args.parquet is not None:
        print("--parquet 只能与 --year 一起使用 / --parquet needs --year", file=sys.stderr)
        return EXIT_BAD_INPUT

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
    from rich.text import Text

    def cell(value: object) -> Text:
        # rich.Text is never parsed for markup: a name such as "[/red]" is shown as written.
        return Text(terminal_safe(value))

    dept = result.department
    table = _terminal_table(cell(f"{dept['name']} {dept['fiscal_year']} 年度项目自评得分"))
    _add_columns(table, ("项目", "类别", "预算(万元)", "执行率", "得分", "等级"), 4)
    table.add_column("未完成指标", overflow="fold")
    for row in result.projects.itertuples():
        table.add_row(
            cell(row.name),
            cell(row.category),
            format_wan(row.budget_wan),
            format_pct(row.execution_rate_pct),
            format_score(row.score),
            row.grade if isinstance(row.grade, str) else "—",
            cell("、".join(row.unmet) or "—"),
        )
    console = Console()
    console.print(table)
    console.print(
        f"全年预算 {format_wan(dept['budget_wan'])} 万元，支出 {format_wan(dept['spent_wan'])} 万元，"
        f"执行率 {format_pct(dept['execution_rate_pct'])}；平均得分 {format_score(dept['mean_score'])}"
        + (f"（{dept['mean_grade']}）" if dept["mean_grade"] else "")
    )
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    """``jixiao convert PATH [-o OUT] [--form]``: the dataset in another layout."""
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


def has_desktop() -> bool:
    """Whether a browser window can be shown here (a display, or macOS / Windows)."""
    import os

    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def open_report(outcome: Any) -> Path | None:
    """Open the first rendered HTML (else PDF) report where a desktop exists; say where it is.

    Returns:
        The file opened (or that would be opened), None when nothing was rendered.
    """
    files = [f for o in outcome.outcomes if o.ok for f in o.files]
    chosen = next((f for f in files if f.suffix == ".html"), None) or next(
        (f for f in files if f.suffix == ".pdf"), None
    )
    if chosen is None:
        print("没有可打开的报告 / no report to open", file=sys.stderr)
        return None
    if not has_desktop():
        print(
            f"此环境没有桌面，未打开；报告在 {chosen} / no desktop here; the report is at {chosen}",
            file=sys.stderr,
        )
        return chosen
    import webbrowser

    webbrowser.open(Path(chosen).resolve().as_uri())
    return chosen


def cmd_report(args: argparse.Namespace) -> int:
    """``jixiao report PARAMS | --year Y``: render reports (HTML, PDF, DOCX) through the runner."""
    import contextlib

    from helpers.runner import (
        INTERRUPTED_MESSAGE,
        Interrupted,
        OutputError,
        ParamsError,
        load_run_params,
        report_session,
        run_reports,
        start_warm_kernel,
    )

    # Ctrl-C, SIGTERM and SIGHUP stop the run cleanly from here on (see report_session): no
    # kernel, PDF worker, staging folder or lock outlives it, and no traceback is shown.
    try:
        with report_session() as session:
            # The first kernel starts and imports while the parameters and data are checked
            # (on this machine only: a Dask run's kernels start on its workers).
            is_local = args.workers is None and args.scheduler is None
            kernel = start_warm_kernel() if is_local else None
            try:
                params = load_run_params(
                    args.params,
                    year=args.year,
                    departments=args.department,
                    formats=args.format,
                    output_dir=str(Path(args.output).resolve()) if args.output else None,
                    workers=args.workers,
                    scheduler=args.scheduler,
                    data_dir=str(Path(args.data_dir).resolve()) if args.data_dir else None,
                    shared_path=args.shared_path,
                )
            except ParamsError as exc:
                _print_problems("参数错误 / bad parameters:", exc.problems)
                return EXIT_BAD_INPUT
            try:
                notes = session.claim_output(params)
            except OutputError as exc:
                print(terminal_safe(exc), file=sys.stderr)
                return EXIT_BAD_INPUT
            for note in notes:
                print(terminal_safe(note), file=sys.stderr)
            if params.workers or params.scheduler:
                from helpers.dask_executor import ClusterError

                if kernel is not None:  # the params file asked for Dask
                    kernel.shutdown()
                try:
                    outcome = run_on_dask(params)
                except ClusterError as exc:
                    print(terminal_safe(exc), file=sys.stderr)
                    return EXIT_FAILED
            else:
                outcome = run_reports(params, warm_kernel=kernel)
            if args.open:
                open_report(outcome)
            return outcome.exit_code
    except Interrupted as exc:
        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            print(INTERRUPTED_MESSAGE, file=sys.stderr, flush=True)
        return exc.exit_code


def run_on_dask(params: Any) -> Any:
    """Run the reports on Dask: a local cluster of ``params.workers`` or ``params.scheduler``."""
    from rich.console import Console
    from rich.markup import escape

    from helpers.dask_executor import dask_client, run_reports_on_dask

    console = Console(stderr=True, highlight=False)
    where = params.scheduler or f"本机 {params.workers} 个工作进程"
    console.print(escape(f"连接 Dask 集群（{where}）…"))
    # No more local workers than jobs (the departments and the overview): each starts kernels.
    workers = min(params.workers, len(params.departments) + 1) if params.workers else None
    with dask_client(workers, params.scheduler) as client:
        return run_reports_on_dask(params, client, console=console)


_ARGPARSE_ZH = (
    (re.compile(r"the following arguments are required: (.*)"), "缺少参数：{0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}"),
    (
        re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"),
        "参数 {0} 的值 {1} 无效（可选：{2}）",
    ),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.*)"), "参数 {0} 的值 {2} 不是有效的 {1}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 需要一个值"),
    (
        re.compile(r"argument (\S+): not allowed with argument (\S+)"),
        "参数 {0} 不能与 {1} 同时使用",
    ),
)


class BilingualArgumentParser(argparse.ArgumentParser):
    """argparse that reports argument errors in Chinese, then English, and exits 2."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error (zh / en) and exit with code 2."""
        zh = next(
            (
                template.format(*m.groups())
                for pattern, template in _ARGPARSE_ZH
                if (m := pattern.search(message))
            ),
            "命令行参数有误",
        )
        self.print_usage(sys.stderr)
        print(
            f"{self.prog}: 参数错误：{terminal_safe(zh)} / argument error: {terminal_safe(message)}",
            file=sys.stderr,
        )
        print(f"用 {self.prog} --help 查看用法 / see {self.prog} --help", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


_EXAMPLES = {
    "validate": "例 / example:\n  jixiao validate data/2021/高新区科技局\n  jixiao validate 自评表.xlsx",
    "score": (
        "例 / examples:\n  jixiao score data/2021/高新区科技局\n"
        "  jixiao score 自评表.xls --json > 得分.json\n  jixiao score data/2021/高新区科技局 --xlsx 得分.xlsx\n"
        "  jixiao score --year 2021 --xlsx 年度得分.xlsx   # 全部部门、同比、复核发现"
    ),
    "review": (
        "例 / examples:\n  jixiao review --year 2021 -o 复核工作底稿.xlsx\n"
        "  jixiao review --year 2021 --data-dir data/district -o 复核工作底稿.xlsx"
    ),
    "convert": (
        "例 / examples:\n  jixiao convert data/2021/高新区科技局 -o 科技局.xlsx\n"
        "  jixiao convert data/2021/高新区科技局 --form -o 自评表.xlsx\n"
        "  jixiao convert 自评表.docx -o data/2022/某镇"
    ),
    "report": (
        "例 / examples:\n  jixiao report params/fy2021.yaml\n"
        "  jixiao report --year 2021 --department 高新区科技局 --format pdf"
    ),
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jixiao")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jixiao``."""
    parser = BilingualArgumentParser(
        prog="jixiao",
        description="预算绩效自评：校验、评分与报告 / performance self-evaluation: validate, score, report",
        epilog="每个子命令的用法：jixiao 子命令 --help / each command: jixiao COMMAND --help",
    )
    parser.add_argument("--version", action="version", version=f"jixiao {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=BilingualArgumentParser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = add("validate", "校验数据集 / validate a dataset (folder, workbook or 自评表)")
    p.add_argument(
        "path", help="数据文件夹、工作簿或自评表（.xlsx/.xls/.docx） / dataset folder or file"
    )
    p.set_defaults(func=cmd_validate)

    p = add("score", "评分 / score every project of a dataset, or every department of a year")
    p.add_argument("path", nargs="?", help="数据文件夹、工作簿或自评表 / dataset folder or file")
    p.add_argument(
        "--year",
        type=int,
        help="某年度的全部部门（代替 PATH） / every department of a fiscal year (instead of PATH)",
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="与 --year 一起：数据根目录（默认 data/） / with --year: the data root (data/)",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json",
        action="store_true",
        help="输出 JSON（见 docs/score-json.md） / print one JSON document (docs/score-json.md)",
    )
    out.add_argument(
        "--csv",
        metavar="OUT.csv",
        help="指标得分写入 OUT.csv，项目得分写入旁边的 OUT_projects.csv / indicator scores to OUT.csv, projects beside it",
    )
    out.add_argument(
        "--xlsx",
        metavar="OUT.xlsx",
        help="写入工作簿（工作表 项目、指标；--year 时另有 部门、提示事项、同比） / write the sheets to OUT.xlsx",
    )
    out.add_argument(
        "--parquet",
        metavar="DIR",
        help="与 --year 一起：每张表一个 Parquet 文件 / with --year: one Parquet file per table in DIR",
    )
    p.set_defaults(func=cmd_score)

    p = add(
        "review",
        "自评复核：全部部门的复核发现与复核工作底稿 / review the self-evaluations of a year",
    )
    p.add_argument("--year", type=int, required=True, help="预算年度 / fiscal year")
    p.add_argument("--data-dir", metavar="DIR", help="数据根目录（默认 data/） / the data root")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT.xlsx",
        required=True,
        help="复核工作底稿 / the review workbook to write",
    )
    p.set_defaults(func=cmd_review)

    p = add(
        "convert",
        "数据集互转：文件夹 ⇄ 工作簿 ⇄ 标准自评表 / convert between folder, workbook and the standard form",
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

    p = add(
        "report",
        "生成报告（HTML、PDF、Word） / render the reports (HTML, PDF, DOCX) with papermill",
    )
    p.add_argument("params", nargs="?", help="参数文件，如 params/fy2021.yaml / parameters file")
    p.add_argument("--year", type=int, help="预算年度（覆盖参数文件） / fiscal year")
    p.add_argument(
        "--department",
        action="append",
        help="只生成此部门（可重复） / only this department (repeatable)",
    )
    p.add_argument(
        "--format",
        action="append",
        choices=["html", "pdf", "docx"],
        help="html、pdf、docx（可重复）/ html, pdf, docx (repeatable)",
    )
    p.add_argument(
        "--output", help="输出文件夹（默认 reports/） / output folder (default: reports/)"
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="数据根目录（覆盖参数文件，默认 data/） / the data root (default: data/)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="在本机启动 N 个 Dask 工作进程运行 / run on a local Dask cluster of N workers",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="在已运行的 Dask 集群上运行（tcp://主机:8786 或调度器文件） / run on a Dask cluster",
    )
    p.add_argument(
        "--shared-path",
        action="store_true",
        default=None,
        help="Dask worker 直接读取数据、写入报告（共享文件系统，路径相同） / Dask workers read the"
        " data and write the reports in place (a shared filesystem at the same paths)",
    )
    p.add_argument(
        "--open",
        action="store_true",
        help="完成后在浏览器中打开报告（有桌面时） / open the report when done (where a desktop exists)",
    )
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
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    except BrokenPipeError:  # `jixiao score --json | head` is fine
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of jixiao's, not bad input: say so, keep the details
        log = write_internal_error_log(exc)
        print(
            f"jixiao 内部错误（{type(exc).__name__}），不是输入数据的问题；详情已写入 {log}，"
            f"请附上此文件报告问题。 / internal error ({type(exc).__name__}), not a problem "
            f"with the input; details in {log}",
            file=sys.stderr,
        )
        return EXIT_FAILED


def run() -> NoReturn:
    """The ``jixiao`` console script: :func:`main`, then exit without the interpreter teardown.

    Everything a command writes is closed and its kernels are stopped before :func:`main`
    returns; what is left at exit is Python freeing pandas, matplotlib and the kernel clients
    object by object (about 0.4 s). The registered exit handlers still run, then the process
    ends.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    atexit._run_exitfuncs()  # the handlers, without the slow teardown
    os._exit(code)


def write_internal_error_log(exc: BaseException) -> Path:
    """Write the traceback of an internal error to a log file and return its path.

    The log goes to ``$JIXIAO_LOG_DIR`` (default: the system's temporary folder), never to the
    terminal, so a user sees one clear sentence instead of a traceback.
    """
    import os
    import tempfile
    import time
    import traceback

    folder = Path(os.environ.get("JIXIAO_LOG_DIR") or tempfile.gettempdir())
    path = folder / f"jixiao-error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        path.write_text("".join(traceback.format_exception(exc)), "utf-8")
    except OSError:
        return Path("（无法写入日志 / log not writable）")
    return path


if __name__ == "__main__":
    sys.exit(main())
