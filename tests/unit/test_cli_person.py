"""The command line as a person meets it: bilingual argument errors, help, version, safe output."""

from __future__ import annotations

import pytest

from helpers.cli import main


@pytest.mark.parametrize(
    ("argv", "zh"),
    [
        (["score"], "缺少参数：path"),
        (["frobnicate"], "参数 command 的值 'frobnicate' 无效"),
        (["report", "--format", "odt"], "参数 --format 的值 'odt' 无效"),
        (["report", "--year", "二〇二一"], "参数 --year 的值 '二〇二一' 不是有效的 int"),
        (["score", "x", "--json", "--csv", "a.csv"], "参数 --csv 不能与 --json 同时使用"),
        (["validate", "x", "--what"], "无法识别的参数：--what"),
    ],
)
def test_argument_errors_are_chinese_then_english_and_exit_2(capsys, argv, zh):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"参数错误：{zh}" in err
    assert "/ argument error: " in err
    assert err.index("参数错误") < err.index("argument error")


def test_version_and_help_with_examples(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("jixiao ")
    for command in ("validate", "score", "convert", "report"):
        assert main([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert "例 / example" in out and f"jixiao {command} " in out


@pytest.mark.parametrize(
    "name",
    ["[/red]", "[bold red]假的[/]", "科技\x1b[2J\x1b[H校验通过", "a\rb\x07c", "x\x00y"],
)
def test_names_never_become_terminal_markup_or_control(seed_copy, capsys, monkeypatch, name):
    monkeypatch.setenv("COLUMNS", "400")  # one line per row: names are not folded
    path = seed_copy / "projects.csv"
    text = path.read_text("utf-8").replace("科学技术奖奖励项目", f'"{name}"', 1)
    path.write_text(text, "utf-8")
    code = main(["score", str(seed_copy)])
    out, err = capsys.readouterr()
    if "\x00" in name:
        assert code == 2 and "NUL" in err  # a NUL byte is not text: refused, not shown
        return
    if any(c in name for c in "\x1b\x07"):
        # Control characters are refused, and the message shows them as visible escapes.
        assert code == 2
        assert "含有控制字符" in err
        assert "\x1b" not in err and "\x07" not in err
        assert "\\x1b" in err or "\\x07" in err
        return
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    visible = name.replace("\x1b", "\\x1b").replace("\r", "\\r").replace("\x07", "\\x07")
    assert visible.replace(" ", "") in out.replace(" ", "").replace("\n", "") or "[" in name
    if name.startswith("["):
        assert name in out  # shown as written, not swallowed as Rich markup


def test_open_report_opens_the_html_where_a_desktop_exists(tmp_path, monkeypatch, capsys):
    from types import SimpleNamespace

    from helpers import cli

    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    outcome = SimpleNamespace(outcomes=[SimpleNamespace(ok=True, files=[pdf, html])])
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setenv("DISPLAY", ":0")
    assert cli.open_report(outcome) == html
    assert opened == [html.resolve().as_uri()]
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(cli.sys, "platform", "linux")
    assert cli.open_report(outcome) == html
    assert opened == [html.resolve().as_uri()]  # no second attempt without a desktop
    assert "no desktop here" in capsys.readouterr().err


def test_report_accepts_open(capsys):
    assert main(["report", "--help"]) == 0
    assert "--open" in capsys.readouterr().out


def test_an_internal_error_is_one_sentence_and_a_log(monkeypatch, tmp_path, capsys, seed_copy):
    import helpers.evaluation

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(helpers.evaluation, "evaluate_path", broken)
    monkeypatch.setenv("JIXIAO_LOG_DIR", str(tmp_path))
    assert main(["validate", str(seed_copy)]) == 1
    err = capsys.readouterr().err
    assert "内部错误（ZeroDivisionError）" in err and "Traceback" not in err
    (log,) = tmp_path.glob("jixiao-error-*.log")
    assert "ZeroDivisionError: a bug" in log.read_text("utf-8")
