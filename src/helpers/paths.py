"""The one place that knows where things live.

Every path the package uses is derived here, from the repository root. Environment variables
let a user point jixiao elsewhere without editing code:

- ``JIXIAO_DATA_DIR``: the folder holding ``<fiscal year>/<department>/`` datasets.
- ``JIXIAO_REPORTS_DIR``: where rendered reports go (gitignored by default).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
"""The installed ``helpers`` package folder."""

REPO_ROOT: Path = PACKAGE_DIR.parent.parent
"""The repository root (the package is installed editable from ``src/``)."""

TEMPLATES_DIR: Path = PACKAGE_DIR / "templates"
"""nbconvert templates shipped with the package."""

NOTEBOOKS_DIR: Path = REPO_ROOT / "notebooks"
PARAMS_DIR: Path = REPO_ROOT / "params"

KERNEL_NAME: str = "jixiao"
"""The Jupyter kernel registered by set-up (``make setup``) and used by the runner."""

DEPARTMENT_FILE = "department.yaml"
PROJECTS_FILE = "projects.csv"
INDICATORS_FILE = "indicators.csv"


DATASET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".docx"})
"""Files that hold a whole dataset: our workbook, or the standard 自评表 (Excel or Word)."""


def shared_mode(mode: int = 0o666) -> int:
    """``mode`` less the process umask: the permissions a normally created file would get.

    ``tempfile.mkstemp``/``mkdtemp`` create private files; reports are for sharing, so the
    runner and the PDF writer give theirs the usual permissions with this.
    """
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def get_data_dir() -> Path:
    """Return the data root (``data/`` unless ``JIXIAO_DATA_DIR`` is set)."""
    return Path(os.environ.get("JIXIAO_DATA_DIR", REPO_ROOT / "data"))


def get_reports_dir() -> Path:
    """Return the reports root (``reports/`` unless ``JIXIAO_REPORTS_DIR`` is set)."""
    return Path(os.environ.get("JIXIAO_REPORTS_DIR", REPO_ROOT / "reports"))


def get_dataset_dir(fiscal_year: int, department: str, data_dir: Path | None = None) -> Path:
    """Return the folder of one department's fiscal-year dataset.

    Example:
        >>> get_dataset_dir(2021, "高新区科技局", Path("data")).as_posix()
        'data/2021/高新区科技局'
    """
    return Path(data_dir or get_data_dir()) / str(fiscal_year) / department


def find_dataset(fiscal_year: int, department: str, data_dir: Path | None = None) -> Path:
    """The dataset of a department: its folder, or ``<department>.xlsx`` when only that exists.

    Example:
        >>> find_dataset(2021, "高新区科技局").relative_to(REPO_ROOT).as_posix()
        'data/2021/高新区科技局'
    """
    folder = get_dataset_dir(fiscal_year, department, data_dir)
    if folder.exists():
        return folder
    for candidate in (
        sorted(folder.parent.glob(f"{department}.*")) if folder.parent.is_dir() else []
    ):
        if candidate.suffix.lower() in DATASET_SUFFIXES and candidate.is_file():
            return candidate
    return folder


def is_year_name(name: str) -> bool:
    """Whether a folder name is a fiscal year (``data/2021``), not a unit's name.

    Example:
        >>> is_year_name("2021"), is_year_name("高新区科技局"), is_year_name("2021年")
        (True, False, False)
    """
    return re.fullmatch(r"(19|20|21)\d{2}", name) is not None


def list_departments(fiscal_year: int, data_dir: Path | None = None) -> list[str]:
    """List the departments that have a dataset (folder or ``.xlsx``) for a fiscal year."""
    year_dir = Path(data_dir or get_data_dir()) / str(fiscal_year)
    if not year_dir.is_dir():
        return []
    names = {p.name for p in year_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}
    names |= {
        p.stem
        for p in year_dir.iterdir()
        if p.suffix.lower() in DATASET_SUFFIXES
        and p.is_file()
        and not p.name.startswith(("~$", "."))
    }
    return sorted(names)


def write_atomically(target: str | Path, data: bytes | str, temp_mark: str = ".") -> Path:
    """Write ``data`` to ``target`` through a temporary file in the same folder, renamed over it.

    Readers see the old file or the whole new one, never a partial file; on any error (a full
    disk) the temporary file is removed and the error raised.

    Args:
        target: the file to write.
        data: bytes, or text written as UTF-8.
        temp_mark: put between the name and the random part of the temporary file's name, so
            that a clean-up can recognise it (the runner's ``.jixiao-tmp-``).

    Returns:
        ``target`` as a Path.
    """
    target = Path(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}{temp_mark}", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(partial, shared_mode(0o666))
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
    return target


@contextlib.contextmanager
def replacing(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary files beside ``targets``, renamed over them when the block succeeds.

    On any failure the temporary files are removed and the targets are left as they were.
    The files get the permissions a normally created file would (:func:`shared_mode`).

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> with replacing([folder / "a.txt"]) as (partial,):
        ...     _ = partial.write_text("甲")
        >>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_text()
        (['a.txt'], '甲')
        >>> import shutil; shutil.rmtree(folder)
    """
    partials: list[Path] = []
    try:
        for target in targets:
            handle, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".partial", dir=target.parent
            )
            os.close(handle)
            partials.append(Path(name))
        yield partials
        for partial, target in zip(partials, targets, strict=True):
            os.chmod(partial, shared_mode(0o666))
            os.replace(partial, target)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)
