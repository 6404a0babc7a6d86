"""Compare jixiao's scores with the 得分 printed in the published 自评表 of the corpus.

``tests/fixtures/corpus/NN_*/`` holds each table in the form it was published and
``expected.yaml``, the printed truth. :func:`compare_table` reads the published file with the
same front door an analyst uses, scores it by the rules, and lines up every printed indicator
得分 (and the execution 得分 and 总分) with jixiao's. Run this module to print the agreement:

    .venv/bin/python tests/corpus/compare.py
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helpers.dataset import load_dataset
from helpers.readers.grid import GRID_SUFFIXES
from helpers.scoring import score_dataset

CORPUS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
TOLERANCE = 0.005


@dataclass(frozen=True)
class Row:
    """One printed score lined up with jixiao's."""

    table: str
    project: str
    item: str  # indicator name, or 执行率 / 总分
    printed: float | None
    computed: float | None

    @property
    def agrees(self) -> bool:
        if self.printed is None:
            return True
        return self.computed is not None and abs(self.printed - self.computed) <= TOLERANCE

    @property
    def key(self) -> str:
        return f"{self.table} | {self.project} | {self.item}"


def _clean(name: object) -> str:
    text = re.sub(r"\s+", "", str(name or ""))
    return re.sub(r"^指标\d+[:：]", "", text)


def table_dirs() -> list[Path]:
    """Every fixture folder of the corpus, in order."""
    return sorted(p for p in CORPUS_DIR.iterdir() if p.is_dir() and p.name[:2].isdigit())


def published_file(folder: Path) -> Path:
    """The table file of a fixture folder (xlsx, xls or docx)."""
    (path,) = [p for p in folder.iterdir() if p.suffix.lower() in GRID_SUFFIXES]
    return path


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def compare_table(folder: Path) -> list[Row]:
    """Every printed score of one table next to jixiao's (None where jixiao gives none)."""
    expected = yaml.safe_load((folder / "expected.yaml").read_text("utf-8"))
    result = score_dataset(load_dataset(published_file(folder)))
    projects = result.projects
    rows: list[Row] = []
    for i, printed in enumerate(expected["projects"]):
        match = projects[projects["name"].map(_clean) == _clean(printed["name"])]
        project = match.iloc[0] if len(match) else projects.iloc[i]
        indicators = result.indicators[result.indicators["project_id"] == project["project_id"]]
        by_name: dict[str, list[float | None]] = {}
        for name, score in zip(indicators["name"], indicators["score"], strict=True):
            by_name.setdefault(_clean(name), []).append(None if score != score else float(score))
        for item in printed["indicators"]:
            if item.get("printed_score") is None:
                continue
            if "执行率" in _clean(item["name"]) and "预算" in _clean(item["name"]):
                # 预算执行率 printed as an indicator row is the project's execution score.
                computed_execution = _number(project["execution_score"])
                rows.append(
                    Row(
                        folder.name,
                        printed["name"],
                        str(item["name"])[:40],
                        _number(item["printed_score"]),
                        computed_execution,
                    )
                )
                continue
            scores = by_name.get(_clean(item["name"])) or [None]
            computed = scores.pop(0) if len(scores) > 1 else scores[0]
            rows.append(
                Row(
                    folder.name,
                    printed["name"],
                    str(item["name"])[:40],
                    _number(item["printed_score"]),
                    computed,
                )
            )
        execution = printed.get("execution") or {}
        if execution.get("printed_score") is not None:
            rows.append(
                Row(
                    folder.name,
                    printed["name"],
                    "执行率得分",
                    _number(execution["printed_score"]),
                    _number(project["execution_score"]),
                )
            )
        if printed.get("total_printed") is not None and printed.get("complete", True):
            rows.append(
                Row(
                    folder.name,
                    printed["name"],
                    "总分",
                    _number(printed["total_printed"]),
                    _number(project["score"]),
                )
            )
    return rows


def main() -> None:
    """Print the agreement per table and every difference."""
    total = agree = 0
    for folder in table_dirs():
        rows = compare_table(folder)
        indicator_rows = [r for r in rows if r.item not in ("执行率得分", "总分")]
        ok = sum(r.agrees for r in indicator_rows)
        total += len(indicator_rows)
        agree += ok
        print(f"{folder.name}: {ok}/{len(indicator_rows)} indicator scores agree")
        for row in rows:
            if not row.agrees:
                print(
                    f"    ≠ {row.project[:20]} | {row.item}: printed {row.printed}, jixiao {row.computed}"
                )
    print(f"all: {agree}/{total} indicator scores agree ({agree / max(total, 1):.0%})")


if __name__ == "__main__":
    main()
