"""Limits on what a reader accepts, so that a hostile or broken file fails fast and small.

Real department datasets are kilobytes: a year of a whole district is a few megabytes. Limits
far above that stop a file that would take minutes or gigabytes before it is read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from helpers.readers.errors import ReadError

MAX_TABLE_BYTES = 50_000_000
"""A CSV (or .xls) file larger than this is refused before it is read."""
MAX_WORKBOOK_UNPACKED_BYTES = 200_000_000
"""An .xlsx/.docx (a zip) that unpacks to more than this is refused (a "zip bomb")."""
MAX_CELL_CHARS = 5_000
"""Longest text one cell may hold (a deviation reason is a few hundred characters)."""


def check_file_size(path: Path, limit: int = MAX_TABLE_BYTES) -> None:
    """Refuse a file larger than ``limit`` bytes, naming the limit."""
    size = path.stat().st_size
    if size > limit:
        raise ReadError.about(
            str(path),
            f"文件大小 {size / 1e6:.0f} MB 超过上限 {limit / 1e6:.0f} MB，不像一个部门的数据",
            f"the file is {size / 1e6:.0f} MB, above the {limit / 1e6:.0f} MB limit",
        )


def check_zip_size(path: Path, limit: int = MAX_WORKBOOK_UNPACKED_BYTES) -> None:
    """Refuse an .xlsx/.docx whose parts unpack to more than ``limit`` bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: the workbook reader reports it
    if unpacked > limit:
        raise ReadError.about(
            str(path),
            f"工作簿解压后 {unpacked / 1e6:.0f} MB，超过上限 {limit / 1e6:.0f} MB",
            f"the workbook unpacks to {unpacked / 1e6:.0f} MB, above the {limit / 1e6:.0f} MB limit",
        )
