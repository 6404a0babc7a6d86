"""Whole reports of other units, as a reviewer reads them: the rendered text follows the data.

A 镇, two schools, a 委 at 20 % execution with every indicator met and a 供销社 at 82.81 %:
each report is built and rendered to HTML, and its text (what a reader sees) must speak for the
unit, claim no more than the data show, and carry no file path, no English and no Python
warning. The narrative's sentence rules are tested one by one in test_narrative_rules.py.
"""

from __future__ import annotations

import itertools
import re

import pytest

from helpers.document import Heading, Paragraph
from helpers.evaluation import Evaluation
from helpers.render.html import render_html
from helpers.report import Report

from .htmltext import visible_text
from .test_narrative_rules import LOADERS, SPEAKERS

ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
PATH_LIKE = re.compile(r"(?:/[\w.\-]+){2,}|[A-Za-z]:\\\\|\.(?:py|csv|yaml|ipynb)\b")


def data_words(evaluation: Evaluation) -> set[str]:
    """ASCII words the data itself contains (names, units, reasons): they may be shown."""
    words: set[str] = set()
    for frame in (evaluation.result.projects, evaluation.result.indicators):
        for column in frame.columns:
            if frame[column].dtype == object:
                for value in frame[column].dropna():
                    words |= set(ASCII_WORD.findall(str(value)))
    department = evaluation.dataset.department
    words |= set(ASCII_WORD.findall(department.model_dump_json()))
    return words


def render(name: str):  # type: ignore[no-untyped-def]
    from helpers.fonts import configure_charts

    configure_charts()  # as build_report does
    evaluation = LOADERS[name]()
    document = Report(evaluation.dataset, evaluation.result).document()
    return name, evaluation, document, visible_text(render_html(document))


@pytest.fixture(scope="module", params=sorted(LOADERS))
def rendered(request):  # type: ignore[no-untyped-def]
    return render(request.param)


def test_the_report_speaks_for_the_unit(rendered) -> None:  # type: ignore[no-untyped-def]
    name, evaluation, _, text = rendered
    assert SPEAKERS[name] in text
    if "局" not in evaluation.dataset.department.name:
        assert "我局" not in text


def test_no_path_no_english_no_python_in_what_a_reader_sees(rendered) -> None:  # type: ignore[no-untyped-def]
    name, evaluation, _, text = rendered
    assert not PATH_LIKE.search(text), f"{name}: {PATH_LIKE.search(text)}"
    for token in ("nan", "None", "NaN", "Warning", "Traceback", "— 分", "-- 分"):
        assert token not in text, f"{name}: {token!r} in the report"
    foreign = set(ASCII_WORD.findall(text)) - data_words(evaluation)
    assert not foreign, f"{name}: English not from the data: {sorted(foreign)}"


def test_every_section_says_something(rendered) -> None:  # type: ignore[no-untyped-def]
    """A section heading is followed by text, never directly by the next heading."""
    name, _, document, _ = rendered
    blocks = document.blocks
    for block, following in itertools.pairwise(blocks):
        if isinstance(block, Heading) and block.level == 2:
            assert not (isinstance(following, Heading) and following.level <= 2), (
                f"{name}: {block.text} is empty"
            )


@pytest.mark.parametrize("name", ["low20", "coop"])
def test_low_execution_is_never_written_up_as_completion(name: str) -> None:
    _, evaluation, document, _ = render(name)
    rate = evaluation.result.department["execution_rate_pct"]
    assert rate < evaluation.result.config.low_execution_pct
    totals = next(
        b.text for b in document.blocks if isinstance(b, Paragraph) and "预算执行率" in b.text
    )
    assert "基本完成" not in totals and "全部完成" not in totals, totals
