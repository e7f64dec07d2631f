"""Leads out: CSV, JSON or vCard, every field, streamed.

CSV and JSON carry every field (queries.EXPORT_COLUMNS): the phone in E.164, which
re-imports as the same phone, with the display form and what was typed beside it.
Text is UTF-8; CSV gets a BOM so Excel reads it as UTF-8, and no cell a spreadsheet
would run as a formula (output.csv_cell). An export imports back to the same leads.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..countries import country_name
from ..output import csv_cell
from ..queries import EXPORT_COLUMNS, LeadFilter, iter_export
from .vcards import lead_card

FORMATS = ("csv", "json", "vcf")
PROGRESS_EVERY = 1000


def export_leads(
    out: TextIO,
    fmt: str = "csv",
    flt: LeadFilter | None = None,
    vcard_version: str = "3.0",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the leads matching `flt` to `out`; returns how many were written."""
    rows = _counted(iter_export(flt or LeadFilter()), progress)
    if fmt == "csv":
        return write_csv(rows, out)
    if fmt == "json":
        return write_json(rows, out)
    if fmt == "vcf":
        return write_vcards(rows, out, vcard_version)
    raise ValueError(f"unknown export format {fmt!r}")


def _counted(rows: Iterable[dict[str, Any]], progress: Callable[[int], None] | None):
    for n, row in enumerate(rows, 1):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
        yield row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(_text(row[c])) for c in EXPORT_COLUMNS])
        count += 1
    return count


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array, one lead to a line, written as it is read."""
    count = 0
    out.write("[")
    for row in rows:
        record = {c: _json_value(row[c]) for c in EXPORT_COLUMNS}
        out.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def write_vcards(rows: Iterable[dict[str, Any]], out: TextIO, version: str = "3.0") -> int:
    count = 0
    for row in rows:
        country = row.get("country") or ""
        out.write(
            lead_card({**row, "country_name": country_name(country) if country else ""}, version)
        )
        count += 1
    return count
