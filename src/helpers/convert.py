"""``jixiao convert``: a dataset from any layout into another, both ways.

- a folder (or any layout) → ``X.xlsx``: jixiao's workbook (Chinese headers, drop-downs);
- any layout → ``X.xlsx`` with ``--form``: the official 自评表, one sheet per project, with
  jixiao's computed 分值 and 得分 filled in;
- a published 自评表 (xlsx, xls, docx) → a folder: jixiao's CSV layout, to edit and keep.

Nothing is written for invalid input, and a target is written beside itself under a temporary
name and moved into place only when complete, so a failure never leaves half a file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


class ConvertError(Exception):
    """The command line asks for something that cannot be written (message zh / en)."""


@dataclass(frozen=True)
class ConvertPlan:
    """What ``convert`` will write."""

    target: Path
    kind: str  # "workbook", "form" or "folder"


def plan_conversion(source: Path, output: str | None, *, form: bool) -> ConvertPlan:
    """Decide the target and its kind from the source and ``-o``.

    Example:
        >>> plan_conversion(Path("data/2021/科技局"), None, form=False)
        ConvertPlan(target=PosixPath('data/2021/科技局.xlsx'), kind='workbook')
        >>> plan_conversion(Path("自评表.docx"), None, form=False)
        ConvertPlan(target=PosixPath('自评表'), kind='folder')
    """
    if output is None:
        if source.is_file() or source.suffix.lower() in (".xlsx", ".xls", ".docx", ".xlsm"):
            if form:
                return ConvertPlan(source.with_name(f"{source.stem}_自评表.xlsx"), "form")
            return ConvertPlan(source.with_suffix(""), "folder")
        return ConvertPlan(source.with_suffix(".xlsx"), "form" if form else "workbook")
    target = Path(output)
    if target.suffix.lower() == ".xlsx":
        return ConvertPlan(target, "form" if form else "workbook")
    if target.suffix:
        raise ConvertError(
            f"-o 应以 .xlsx 结尾（工作簿）或是一个文件夹名（CSV 数据集），而不是“{target.name}” / "
            "-o must end in .xlsx (a workbook) or name a folder (a CSV dataset)"
        )
    if form:
        raise ConvertError("--form 需要 -o 以 .xlsx 结尾 / --form writes an .xlsx")
    return ConvertPlan(target, "folder")


def write_conversion(dataset, result, plan: ConvertPlan, *, force: bool) -> Path:  # type: ignore[no-untyped-def]
    """Write the plan atomically; an existing target is replaced only with ``force``."""
    from helpers.writers import write_form_workbook, write_tables_folder, write_tables_workbook

    target = plan.target
    if target.exists() and not force:
        raise ConvertError(f"{target} 已存在，使用 --force 覆盖 / {target} exists; use --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staged = staging / target.name
        if plan.kind == "folder":
            write_tables_folder(dataset, staged)
        elif plan.kind == "form":
            write_form_workbook(dataset, result, staged)
        else:
            write_tables_workbook(dataset, staged)
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
