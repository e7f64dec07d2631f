"""Leads out: CSV, JSON or vCard, every field, streamed.

CSV and JSON carry every field (queries.EXPORT_COLUMNS): the phone in E.164 (in CSV and
vCard followed by its extension, " ext. 12", if it has one), which re-imports as the
same phone, with the display form and what was typed beside it.
Text is UTF-8; CSV gets a BOM so Excel reads it as UTF-8, and no cell a spreadsheet
would run as a formula (output.csv_cell). An export imports back to the same leads.
An export to a file is written whole beside it and renamed into place (safe_files):
never through a link, never over another user's file, never half a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from funnel_tui.core.countries import english_name
from funnel_tui.core.output import csv_cell, write_json
from funnel_tui.core.safe_files import replacing
from funnel_tui.read.queries import EXPORT_COLUMNS, LeadFilter, iter_export
from funnel_tui.transfer.vcards import lead_card


def export_leads(
    out: TextIO, fmt: str = "csv", flt: LeadFilter | None = None, vcard_version: str = "3.0"
) -> int:
    """Write the leads matching `flt` to `out` as "csv", "json" or "vcf"; returns how
    many were written."""
    rows = _Counted(iter_export(flt or LeadFilter()))
    if fmt == "csv":
        write_csv(rows, out)
    elif fmt == "json":
        write_json(rows, EXPORT_COLUMNS, out)
    elif fmt == "vcf":
        write_vcards(rows, out, vcard_version)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return rows.count


def export_to_file(
    path: str | Path,
    fmt: str = "csv",
    flt: LeadFilter | None = None,
    vcard_version: str = "3.0",
) -> int:
    """export_leads into the file `path`, replacing it only when the export is whole
    and the file may be replaced (safe_files.replacing: errors.UnsafeFile, an
    OSError, otherwise); returns how many leads were written."""
    # newline="": the csv module writes its own line ends; vCards are CRLF already.
    with replacing(path, encoding="utf-8", newline="") as out:
        return export_leads(out, fmt, flt, vcard_version)


class _Counted:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterable[dict[str, Any]]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # stored in UTC: said so, as JSON says it
        return value.isoformat() + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_EXTENSION = re.compile(r" ext\. ?(\d+)$")


def with_extension(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its phone's extension after the E.164 number ("+49301234567 ext.
    12"), which E.164 has no room for: a file that is imported again keeps it."""
    phone, display = row.get("phone") or "", row.get("phone_display") or ""
    found = _EXTENSION.search(display)
    if found and phone.startswith("+") and "ext" not in phone:
        return {**row, "phone": f"{phone} ext. {found.group(1)}"}
    return row


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    for row in map(with_extension, rows):
        writer.writerow([csv_cell(_text(row[c])) for c in EXPORT_COLUMNS])


def write_vcards(rows: Iterable[dict[str, Any]], out: TextIO, version: str = "3.0") -> None:
    for row in map(with_extension, rows):
        country = row.get("country") or ""
        out.write(
            lead_card({**row, "country_name": english_name(country) if country else ""}, version)
        )
