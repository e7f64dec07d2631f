"""The rows of a CSV file: its delimiter sniffed, its header read, each row numbered as a
spreadsheet numbers it (the header is row 1), streamed."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from funnel_tui.core import formats
from funnel_tui.core.errors import FileRefused
from funnel_tui.core.i18n import _, ngettext
from funnel_tui.rules.history_words import many
from funnel_tui.transfer.textfile import FileFacts, Lines

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
# A cell this long is an unclosed quote swallowing the file, not a value: the row is
# refused when it reaches this size rather than read on into memory.
MAX_CELL_CHARS = 1_000_000
SNIFF_LINES = 50
_SEP_LINE = re.compile(r"sep=[,;\t|]", re.IGNORECASE)


@dataclass
class RawRow:
    number: int  # the spreadsheet's row number: the header is row 1
    cells: list[str]
    problems: list[str] = field(default_factory=list)  # why the row cannot be read as is


class CsvRows:
    """A CSV file read row by row. `header` and `delimiter` are known once opened;
    iterating yields the data rows (blank ones skipped, but counted in row numbers)."""

    def __init__(
        self, facts: FileFacts, delimiter: str | None = None, skip_lines: int | None = None
    ):
        if delimiter is not None and len(delimiter) != 1:
            raise FileRefused(
                _("delimiter: {delimiter!r} must be one character").format(delimiter=delimiter)
            )
        if skip_lines is not None and not 0 <= skip_lines < SNIFF_LINES:
            raise FileRefused(
                _("skip-lines: {lines} must be from 0 to {most}").format(
                    lines=skip_lines, most=SNIFF_LINES - 1
                )
            )
        self.facts = facts
        self.lines = Lines(facts)
        self._stream = iter(self.lines)
        # The first lines, read ahead to sniff the delimiter, each with its problems, so
        # a bad line among them is still blamed on its own row.
        start = []
        for line in itertools.islice(self._stream, SNIFF_LINES):
            start.append((line, self.lines.problems))
            self.lines.problems = []
        if start and _SEP_LINE.fullmatch(start[0][0].rstrip("\r\n")):
            # Excel's "sep=;" first line names the delimiter; it is not a row.
            delimiter = delimiter or start.pop(0)[0][4]
        # Lines of notes above the header (LinkedIn's export has some): skipped, found
        # as the line most like a header, or as many as --skip-lines says.
        if skip_lines is None:
            skip_lines = find_header_line([line for line, _problems in start], delimiter)
        elif skip_lines >= len(start):
            raise FileRefused(
                ngettext(
                    "skip-lines: {file} has only {count} line",
                    "skip-lines: {file} has only {count} lines",
                    len(start),
                ).format(file=facts.path.name, count=len(start))
            )
        self.skipped = skip_lines
        del start[:skip_lines]
        self.delimiter = delimiter or sniff_delimiter([line for line, _problems in start])
        self._pending: list[str] = []  # problems of the lines the reader took since a row
        csv.field_size_limit(MAX_CELL_CHARS)
        self._reader = csv.reader(self._feed(start), delimiter=self.delimiter, strict=False)
        self._number = skip_lines  # a spreadsheet numbers the lines of notes too
        self.header = self._read_header()

    def _feed(self, start: list[tuple[str, list[str]]]) -> Iterator[str]:
        for line, problems in start:
            self._pending += problems
            yield line
        for line in self._stream:
            if self.lines.problems:
                self._pending += self.lines.problems
                self.lines.problems = []
            yield line

    @property
    def position(self) -> int:
        return self.lines.position

    def _read_header(self) -> list[str]:
        for row in self._rows():
            if row.problems:
                raise FileRefused(_("the header row {problem}").format(problem=row.problems[0]))
            header = [cell.strip() for cell in row.cells]
            # An unnamed column gets a name the mapping can show and --map can use.
            return [name or f"column {i}" for i, name in enumerate(header, 1)]
        raise FileRefused(_("{file} has no header row").format(file=self.facts.path.name))

    def _rows(self) -> Iterator[RawRow]:
        while True:
            problems: list[str] = []
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                cells = []
                problems.append(_csv_problem(exc))
            self._number += 1
            if self._pending:
                problems += self._pending
                self._pending = []
            if not problems and not any(cell.strip() for cell in cells):
                continue
            yield RawRow(self._number, cells, problems)

    def __iter__(self) -> Iterator[RawRow]:
        width = len(self.header)
        for row in self._rows():
            if len(row.cells) > width and any(c.strip() for c in row.cells[width:]):
                row.problems.append(
                    _(
                        "has {cells} cells but the header has {width} "
                        "(a stray delimiter, or a quote not closed?)"
                    ).format(cells=len(row.cells), width=width)
                )
            swallowed = self._swallowed_rows(row.cells, width)
            if swallowed:
                row.problems.append(
                    _("has a quote that is not closed: a cell runs on over {lines}").format(
                        lines=many(swallowed, "line_more")
                    )
                )
            yield row

    def _swallowed_rows(self, cells: list[str], width: int) -> int:
        """Lines inside a cell that look like whole rows (as many delimiters as the
        header less one): the sign of an opening quote never closed."""
        if width < 2:
            return 0
        return max(
            (
                sum(line.count(self.delimiter) >= width - 1 for line in cell.split("\n")[1:])
                for cell in cells
                if "\n" in cell
            ),
            default=0,
        )


HEADER_SCAN_LINES = 20


def find_header_line(lines: list[str], delimiter: str | None = None) -> int:
    """How many lines come before the header: the index, among the first lines, of
    the one naming the most lead fields (two at least), if it names more than the
    first line does; else 0."""
    from funnel_tui.transfer.columns import known_fields

    def score(line: str) -> int:
        best = 0
        for d in [delimiter] if delimiter else DELIMITERS:
            try:
                cells = next(csv.reader([line], delimiter=d), [])
            except csv.Error:
                continue
            best = max(best, len(known_fields(cells)))
        return best

    return _best_header([score(line) for line in lines[:HEADER_SCAN_LINES]])


def header_index(rows: list[list[str]]) -> int:
    """find_header_line for rows already split into cells (a workbook's)."""
    from funnel_tui.transfer.columns import known_fields

    return _best_header([len(known_fields(row)) for row in rows[:HEADER_SCAN_LINES]])


def _best_header(scores: list[int]) -> int:
    if not scores:
        return 0
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return best if scores[best] >= 2 and scores[best] > scores[0] else 0


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number (two or more) of
    cells most often, then into the most cells; a comma when none splits the header."""
    lines = [line for line in lines if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last may be cut off mid-row
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts) / len(counts), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return _(
            "has a cell longer than {count} characters (a quote not closed?), which was not read"
        ).format(count=formats.number(MAX_CELL_CHARS))
    return _("could not be read as CSV: {reason}").format(reason=exc)
