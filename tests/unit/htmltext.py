"""The text a reader sees on an HTML page (no style sheet, chart or title), for tests."""

from __future__ import annotations

from html.parser import HTMLParser

HIDDEN_TAGS = ("style", "svg", "title")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self._hidden += tag in HIDDEN_TAGS

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self._hidden -= tag in HIDDEN_TAGS

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The page's text outside ``<style>``, ``<svg>`` and ``<title>``."""
    parser = _Visible()
    parser.feed(page)
    return "".join(parser.parts)
