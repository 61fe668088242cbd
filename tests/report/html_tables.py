"""Read a report's tables and plots back out of its HTML (for the tests)."""

from __future__ import annotations

import base64
from html.parser import HTMLParser


class ReportParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.plots: dict[str, bytes] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "img" and found.get("data-plot"):
            src = found.get("src") or ""
            self.plots[found["data-plot"]] = base64.b64decode(src.split(",", 1)[1])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None


def parse_report(text: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(text)
    return parser


def rows(parser: ReportParser, table_id: str) -> dict[str, list[str]]:
    """A table's rows by their first cell (the header row left out)."""
    return {row[0]: row[1:] for row in parser.tables[table_id][1:]}
