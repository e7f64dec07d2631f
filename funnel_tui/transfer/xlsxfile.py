"""The rows of an Excel workbook (.xlsx), through openpyxl in read-only mode: streamed,
each cell as text the way the sheet shows it (a date as 2025-02-01, a whole number
without ".0"). The sheet read is the one whose header names the most lead fields (the
first on a tie); lines of notes above the header are skipped, as in a CSV.

openpyxl is imported only when a workbook is opened: it costs about 0.1 s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from funnel_tui.core.errors import FileRefused
from funnel_tui.core.i18n import _
from funnel_tui.transfer.csvfile import HEADER_SCAN_LINES, SNIFF_LINES, RawRow, header_index
from funnel_tui.transfer.textfile import FileFacts


def cell_text(value: Any) -> str:
    """A cell's value as the sheet shows it, near enough to be imported."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxRows:
    """An .xlsx workbook's best sheet read row by row, like CsvRows: `header` is known
    once opened; iterating yields the data rows, numbered as Excel numbers them."""

    delimiter = ""

    def __init__(self, facts: FileFacts, skip_lines: int | None = None):
        from openpyxl import load_workbook

        self.facts = facts
        self.position = 0
        self._file = facts.path.open("rb")  # a file, not a path: any name is read
        try:
            self._book = load_workbook(self._file, read_only=True, data_only=True)
        except Exception as exc:  # a damaged or encrypted workbook: many kinds
            self._file.close()
            raise FileRefused(
                _("{file} could not be read as an Excel workbook ({reason})").format(
                    file=facts.path.name, reason=exc
                )
            ) from exc
        best: tuple[int, int] | None = None
        for index, sheet in enumerate(self._book.worksheets):
            top = self._texts(sheet, 1, HEADER_SCAN_LINES)
            at = header_index(top) if skip_lines is None else skip_lines
            score = len(_known(top[at])) if at < len(top) else 0
            if best is None or score > best[0]:
                best, self._sheet, self.skipped, start = (score, index), sheet, at, top
        if best is None or (skip_lines is not None and not 0 <= skip_lines < SNIFF_LINES):
            raise FileRefused(
                _("{file} has no sheet with a header row").format(file=facts.path.name)
            )
        self.sheet = self._sheet.title
        if self.skipped >= len(start):
            raise FileRefused(_("{file} has no header row").format(file=facts.path.name))
        header = [t.strip() for t in start[self.skipped]]
        while header and not header[-1]:
            header.pop()
        self.header = [name or f"column {i}" for i, name in enumerate(header, 1)]
        self._rows = self._sheet.max_row or 0

    @staticmethod
    def _texts(sheet: Any, first: int, last: int) -> list[list[str]]:
        rows = sheet.iter_rows(min_row=first, max_row=last, values_only=True)
        return [[cell_text(v) for v in row] for row in rows]

    def __iter__(self) -> Iterator[RawRow]:
        width = len(self.header)
        start = self.skipped + 2
        try:
            rows = self._sheet.iter_rows(min_row=start, values_only=True)
            for number, values in enumerate(rows, start):
                cells = [cell_text(v) for v in values]
                if self._rows:
                    self.position = int(self.facts.size * min(1.0, number / self._rows))
                if not any(c.strip() for c in cells):
                    continue
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()  # the sheet's empty cells right of the header's columns
                problems = []
                if len(cells) > width:
                    problems.append(
                        _("has cells beyond the header's {width} columns").format(width=width)
                    )
                yield RawRow(number, cells, problems)
        finally:
            self._book.close()
            self._file.close()


def _known(cells: list[str]) -> set[str]:
    from funnel_tui.transfer.columns import known_fields

    return known_fields(cells)
