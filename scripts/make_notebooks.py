"""Write notebooks/report.ipynb and notebooks/explore.ipynb (without outputs).

The notebooks are committed; this script is how they are (re)generated so that their structure
stays reviewable as code. Run: .venv/bin/python scripts/make_notebooks.py

``--output DIR`` writes them to another folder; ``--check`` writes nothing and exits 1 when a
committed notebook is not what this script would write (tests/unit/test_notebooks.py checks the
same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = {"name": "jixiao", "display_name": "Python (jixiao)", "language": "python"}
HIDE = {"tags": ["hide-in-report"]}


def parameters(text: str):
    return new_code_cell(text.strip(), metadata={"tags": ["parameters"]})


def report_notebook():
    cells = [
        new_markdown_cell(
            "# 部门年度绩效自评报告\n\n"
            "本 notebook 生成一个部门一个年度的绩效自评报告。`jixiao report params/fy2021.yaml` "
            "通过 papermill 按参数运行它并导出 HTML、PDF 和 Word（docx）；在 JupyterLab 中也可以直接运行全部单元格预览。"
            "报告中的文字、图表和表格都由 `helpers` 包根据 `data/<年度>/<部门>/` 中的数据生成。\n\n"
            '要在报告中加入自己的图表，在新单元格中写 `report.figure(fig, "标题")` 或 '
            '`report.table(df, "标题")`：它们会得到图号、表号并列入目录。没有 `hide-in-report` '
            "标签的 Markdown 单元格也会进入报告。\n\n"
            "*This cell is not part of the exported report (tag `hide-in-report`).*",
            metadata=HIDE,
        ),
        parameters(
            """
fiscal_year: int = 2021  # 预算年度 / fiscal year
department: str = "高新区科技局"  # 部门：data/<年度>/<部门>/ 文件夹或 .xlsx 工作簿
data_dir: str = ""  # 数据根目录；留空即项目的 data/
charts_dir: str = ""  # 图表另存为 SVG 的目录；留空则不另存
empty_sections: str = "note"  # 无内容的章节：note 写一句说明，omit 省略该章节
scoring: dict = {}  # 评分设置：阈值、等级区间、执行率分值、缺值处理（见 params/example_fy2022.yaml）
"""
        ),
        new_code_cell(
            "from helpers.report import build_report\n\n"
            "report = build_report(\n"
            "    fiscal_year,\n"
            "    department,\n"
            "    data_dir=data_dir,\n"
            "    charts_dir=charts_dir,\n"
            "    empty_sections=empty_sections,\n"
            "    scoring=scoring,\n"
            ")"
        ),
        new_code_cell("report.show_title()"),
        new_code_cell("report.show_overview()"),
        new_code_cell("report.show_organization()"),
        new_code_cell("report.show_progress()"),
        new_code_cell("report.show_problems()"),
        new_code_cell("report.show_next_steps()"),
        new_code_cell("report.show_risks()"),
        new_code_cell("report.show_project_tables()"),
    ]
    return new_notebook(
        cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}}
    )


def explore_notebook():
    cells = [
        new_markdown_cell(
            "# 绩效指标探索\n"
            "\n"
            "按年度和部门交互查看自评结果，逐级下钻：全部部门（得分、等级、预算执行率、提示事项）→ 选择一个部门，看它的项目 → 选择一个项目，看其指标的年度指标值与实际完成值和对比图。在 JupyterLab 中改变下拉框或勾选框，下方结果随即更新；也可以修改参数单元格后重新运行全部单元格。无界面运行（papermill、nbconvert）时显示参数所选的结果。"
        ),
        parameters(
            """
fiscal_year: int = 2021  # 预算年度 / fiscal year：数据根目录下有数据的年度
department: str = "高新区科技局"  # 部门：data/<年度>/<部门>/；留空即该年度全部部门一览
data_dir: str = ""  # 数据根目录；留空即项目的 data/（苇塘县示例：data/district）
category: str = ""  # 只看此类别的项目；留空即全部
status: str = ""  # 只看此完成情况（达成、基本达成、未达成、未评价）；留空即全部
flagged_only: bool = False  # 只看有风险提示的部门和项目
sort_by: str = "completion_pct"  # 指标表排序列：completion_pct 完成率、score 得分、status 完成情况等
project: str = ""  # 先打开的项目（编码或名称，须指定部门）；留空即第一个
"""
        ),
        new_code_cell(
            "from helpers import explore\n"
            "\n"
            "explorer = explore.Explorer(\n"
            "    fiscal_year,\n"
            "    department,\n"
            "    data_dir=data_dir,\n"
            "    category=category,\n"
            "    status=status,\n"
            "    flagged_only=flagged_only,\n"
            "    sort_by=sort_by,\n"
            "    project=project,\n"
            ")"
        ),
        new_markdown_cell(
            "## 部门与项目\n"
            "\n"
            "部门选“全部部门”时列出各部门的得分、等级、预算执行率和提示事项；选择一个部门后列出它的项目。"
        ),
        new_code_cell("explore.department_browser(explorer)"),
        new_markdown_cell("## 指标明细（可筛选、可排序）"),
        new_code_cell("explore.indicator_browser(explorer)"),
        new_markdown_cell("## 单个项目：目标与实际"),
        new_code_cell("explore.project_picker(explorer)"),
    ]
    return new_notebook(
        cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}}
    )


def overview_notebook():
    cells = [
        new_markdown_cell(
            "# 年度部门预算绩效自评汇总分析\n\n"
            "本 notebook 汇总一个年度全部部门的自评结果：按预算加权得分与简单平均得分排名、等级分布、"
            "预算执行率、提示事项、与上年比较（有上年数据时）、自评复核发现和各部门报告索引。"
            "`jixiao report` 对一个年度的全部部门（两个以上）运行时，会执行它并写出 "
            "`reports/<年度>/overview.html`、`.pdf`、`.docx`。\n\n"
            "*This cell is not part of the exported report (tag `hide-in-report`).*",
            metadata=HIDE,
        ),
        parameters(
            """
fiscal_year: int = 2021  # 预算年度 / fiscal year
data_dir: str = ""  # 数据根目录；留空即项目的 data/
link_format: str = "html"  # 报告索引链接到各部门的哪种格式：html、pdf 或 docx
scoring: dict = {}  # 评分设置（阈值、等级区间等），与各部门报告相同；留空用默认值
bureau: str = ""  # 出具汇总分析的单位（标题用），如 苇塘县财政局；留空写“财政局”
"""
        ),
        new_code_cell(
            "from helpers.overview import build_year_overview\n"
            "from helpers.report import show_blocks\n\n"
            "overview = build_year_overview(\n"
            "    fiscal_year, data_dir=data_dir, link_format=link_format, scoring=scoring, bureau=bureau\n"
            ")"
        ),
        new_code_cell("show_blocks(overview.document.blocks)"),
        new_code_cell(
            "# 年度得分（xlsx 与 Parquet）和复核工作底稿，与汇总分析一起发布\n"
            "exported = overview.write_exports()"
        ),
    ]
    return new_notebook(
        cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}}
    )


def build() -> dict[str, nbformat.NotebookNode]:
    """The notebooks by file name, with stable cell ids (``report-00``, ``report-01`` …)."""
    notebooks = {
        "report.ipynb": report_notebook(),
        "explore.ipynb": explore_notebook(),
        "overview.ipynb": overview_notebook(),
    }
    for name, nb in notebooks.items():
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name.split('.')[0]}-{i:02d}"
    return notebooks


def render(nb: nbformat.NotebookNode) -> str:
    """The text of a notebook file, as :func:`nbformat.write` writes it."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write(folder: Path) -> list[Path]:
    """Write the notebooks into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, nb in build().items():
        path = folder / name
        path.write_text(render(nb), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def check(folder: Path) -> list[str]:
    """The notebooks in ``folder`` that differ from what :func:`write` would write."""
    stale = []
    for name, nb in build().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != render(nb):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=NOTEBOOKS, help=f"folder ({NOTEBOOKS})")
    ap.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a notebook is out of date"
    )
    args = ap.parse_args(argv)
    if args.check:
        stale = check(args.output)
        for name in stale:
            print(f"out of date: {args.output / name} (run scripts/make_notebooks.py)")
        return 1 if stale else 0
    for path in write(args.output):
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
