"""Rendering rows for the command line: aligned tables, safe CSV, exact JSON.

User text is data. Whatever reaches a terminal goes through terminal_safe: a control
character (ESC, BEL, a C1 code such as CSI) is shown as a visible escape, so text from a
user, a file or the database cannot set a window title, write the clipboard or clear
the screen. CSV cells cannot start a formula; JSON carries the stored text unchanged,
and so does any output that goes to a file or a pipe rather than a terminal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

# C0 and C1 controls, DEL, and lone surrogates (bytes that were not UTF-8, as Python
# keeps them): what a terminal acts on, or cannot print.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# In a stream of output: line ends and tabs are the layout, and the progress line
# redraws itself with a carriage return at the start or end of what it writes; a
# carriage return inside a piece of data could write over what it shows, so it is
# escaped there.
_UNSAFE_IN_STREAM = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|(?<=[\\s\\S])\r(?=[^\n])"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ALWAYS_FORMULA = ("=", "@", "\t", "\r")
# Apostrophes before a formula's first character: what csv_cell makes, and what the
# import takes one apostrophe off (transfer.columns.unneutralise).
LOOKS_NEUTRALISED = re.compile("'+[=+\\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?")


def cell_width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    if text.isascii():  # one column each: every cell of a list of Latin names
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def fit(text: str, width: int) -> str:
    """`text` cut or padded to exactly `width` terminal columns, with … when cut."""
    if cell_width(text) <= width:
        return text + " " * (width - cell_width(text))
    out, used = [], 0
    for char in text:
        w = cell_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return _NAMED.get(char) or f"\\x{code:02x}"


def terminal_safe(text: str, keep_lines: bool = False) -> str:
    """`text` as it may reach a terminal: each control character shown as a visible
    escape (ESC as \\x1b, CSI as \\x9b, a tab as \\t), everything else as it is. With
    `keep_lines`, line breaks and tabs stay (a note of several lines). The one function
    for text from a user, a file or the database on its way to a screen: the TUI shows
    it through Text (never markup), the command line prints it."""
    if text.isprintable():  # most text: nothing to look for
        return text
    return (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub(_visible, text)


def plain(value: Any) -> str:
    """A value as one line of text for a terminal (terminal_safe)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return terminal_safe(str(value))


class TerminalStream:
    """A text stream to a terminal that writes every control character it is given as
    a visible escape, except the line ends, tabs and carriage returns that lay output
    out: the command line's own output to a terminal cannot act on it, whatever data
    it carries. Everything else (encoding, flush, fileno) is the stream's own."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        if not text.isprintable():
            text = _UNSAFE_IN_STREAM.sub(_visible, text)
        return self._stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def for_terminal(stream: TextIO) -> TextIO:
    """`stream` made terminal-safe (TerminalStream) when it is a terminal; a file or a
    pipe gets the data exactly as it is."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return stream
    return TerminalStream(stream) if tty else stream  # type: ignore[return-value]


def write_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    out: TextIO,
    max_width: int = 40,
) -> None:
    texts = [[plain(row.get(c)) for c in columns] for row in rows]
    widths = [
        min(max_width, max([cell_width(c), *(cell_width(t[i]) for t in texts)]))
        for i, c in enumerate(columns)
    ]
    out.write("  ".join(fit(c, w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for text in texts:
        out.write("  ".join(fit(t, w) for t, w in zip(text, widths, strict=True)).rstrip() + "\n")


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: one beginning with "=",
    "@", a tab or a carriage return, or with "+" or "-" and anything but a plain number,
    gets an apostrophe in front (which the import takes off again). A number such as
    an E.164 phone, "+4915112345678", stays as it is: readable, and the same phone."""
    text = plain(value) if not isinstance(value, str) else value
    if LOOKS_NEUTRALISED.match(text):
        return "'" + text  # looks neutralised already: one apostrophe more to take off
    if text.startswith(_ALWAYS_FORMULA) or (
        text.startswith(("+", "-")) and not _PLAIN_NUMBER.fullmatch(text)
    ):
        return "'" + text
    return text


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])


def to_json_value(value: Any) -> Any:
    """A date as YYYY-MM-DD; a time as ISO 8601 in UTC marked Z (the database keeps
    naive UTC; an aware time is converted); anything else as it is."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat() + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_default(value: Any) -> Any:
    """json.dump's `default`: dates and times by to_json_value, anything else (a
    Decimal) as its text."""
    converted = to_json_value(value)
    return converted if converted is not value else str(value)


def write_json(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    """A JSON array, written row by row so a large list streams."""
    separator = "\n  "
    out.write("[")
    wrote = False
    for row in rows:
        record = {c: to_json_value(row.get(c)) for c in columns}
        out.write(separator + json.dumps(record, ensure_ascii=False))
        separator, wrote = ",\n  ", True
    out.write("\n]\n" if wrote else "]\n")
