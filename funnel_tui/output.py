"""Rendering rows for the command line: aligned tables, safe CSV, exact JSON.

User text is data. Tables drop control characters (a name cannot clear the terminal);
CSV cells cannot start a formula; JSON carries the stored text unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ALWAYS_FORMULA = ("=", "@", "\t", "\r")
# Apostrophes before a formula's first character: what csv_cell makes, and what the
# import takes one apostrophe off (transfer.columns.unneutralise).
LOOKS_NEUTRALISED = re.compile("'+[=+\\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?")


def cell_width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
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


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _CONTROL.sub("", str(value))


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
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


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
