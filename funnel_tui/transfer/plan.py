"""The first look at a file to import: its kind, encoding, header and a few rows, and how
its columns map to lead fields (`plan_import`), with the options an import runs with.
The screen and `funnel import` show a plan before anything is checked or written."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from funnel_tui.core.errors import FileRefused
from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.transfer.columns import ColumnMap
from funnel_tui.transfer.csvfile import CsvRows, RawRow
from funnel_tui.transfer.textfile import CSV, LEGACY_CODECS, XLSX, FileFacts, inspect_file
from funnel_tui.transfer.values import ValueMap
from funnel_tui.transfer.vcards import VCardRows
from funnel_tui.transfer.xlsxfile import XlsxRows

Rows = CsvRows | VCardRows | XlsxRows

# Each batch is one transaction, all in or all out. Bigger batches write the lead
# table's many indexes and the search index in fewer, larger steps (500 rows a batch
# made an import a third slower), while another funnel wanting to write waits at most
# for one batch: well under a second.
BATCH_ROWS = 2000
SAMPLE_ROWS = 3
NAME_SCAN_ROWS = 1000  # rows read ahead, at most, for names to show from a legacy file


@dataclass(frozen=True)
class ImportOptions:
    update: bool = False  # a row matching a lead by email or phone fills it in
    overwrite: bool = False  # with update: replace filled fields too
    dry_run: bool = False  # write nothing; report what would happen
    strict: bool = False  # any refusal: nothing is written
    source: str = ""  # for rows that give none
    rejects: Path | None = None  # default: beside the file, NAME-rejected.csv
    batch_rows: int = BATCH_ROWS
    values: ValueMap = field(default_factory=ValueMap)  # what values off a list become
    # User ids the new leads go to, round-robin (--assign-to); a row naming its owner
    # keeps that one. Empty: the importing user.
    assign_to: tuple[int, ...] = ()

    def problems(self) -> list[str]:
        if self.overwrite and not self.update:
            return [_("--overwrite replaces fields of matching leads: use it with --update")]
        return []


# A CSV file's kind as the plan names it, by its delimiter (csvfile.DELIMITER_NAMES).
_SEPARATED = {
    ",": N_("CSV, comma-separated"),
    ";": N_("CSV, semicolon-separated"),
    "\t": N_("CSV, tab-separated"),
    "|": N_("CSV, bar-separated"),
}


@dataclass
class ImportPlan:
    """A file understood: what it is, its columns, and how they map to lead fields."""

    facts: FileFacts
    header: list[str]
    delimiter: str
    column_map: ColumnMap
    samples: list[RawRow]
    skip_lines: int = 0  # lines of notes above a CSV's header

    @property
    def kind_label(self) -> str:
        if self.facts.kind == CSV:
            named = _SEPARATED.get(self.delimiter)
            if named is None:
                return _("CSV, {delimiter}-separated").format(delimiter=repr(self.delimiter))
            return _(named)
        if self.facts.kind == XLSX:
            return _("Excel workbook")
        return "vCard"

    def open_rows(self) -> Rows:
        rows = _open_rows(self.facts, self.delimiter, self.skip_lines)
        if rows.header != self.header:
            raise FileRefused(
                _("{file} changed since it was read").format(file=self.facts.path.name)
            )
        return rows

    def sample_values(self) -> list[tuple[int, dict[str, str]]]:
        reader = self.column_map.reader()
        return [(row.number, reader.values(row.cells)) for row in self.samples]


def plan_import(
    path: str | Path,
    overrides: Iterable[str] = (),
    encoding: str | None = None,
    delimiter: str | None = None,
    skip_lines: int | None = None,
) -> ImportPlan:
    """Read a file's start: kind, encoding, header, a few rows; map its columns.

    Raises errors.FileRefused (the file) or errors.MappingRefused (a --map)."""
    facts = inspect_file(path, encoding)
    rows = _open_rows(facts, delimiter, skip_lines)
    column_map = ColumnMap.guess(rows.header).with_overrides(list(overrides))
    # In a legacy code page, a few names beyond ASCII are shown as they will be stored:
    # a person sees at once whether the letters were read right.
    legacy = facts.encoding.codec in LEGACY_CODECS
    reader = column_map.reader()
    samples, names = [], []
    iterator = iter(rows)
    try:
        for number, row in enumerate(iterator):
            if len(samples) < SAMPLE_ROWS:
                samples.append(row)
            if legacy and not row.problems and len(names) < SAMPLE_ROWS:
                name = reader.values(row.cells).get("name", "")
                if name and not name.isascii():
                    names.append(name)
            if len(samples) == SAMPLE_ROWS and (
                not legacy or len(names) == SAMPLE_ROWS or number >= NAME_SCAN_ROWS
            ):
                break
    finally:
        close = getattr(iterator, "close", None)
        if close:
            close()
    if names:
        shown = ", ".join(names)
        note = _("names as read in {encoding}: {names} (wrong letters? give --encoding)").format(
            encoding=facts.encoding.label, names=shown
        )
        facts = dataclasses.replace(facts, notes=(*facts.notes, note))
    skipped = getattr(rows, "skipped", 0)
    sheet = getattr(rows, "sheet", "")
    if sheet:
        note = _("read from its sheet {sheet!r}").format(sheet=sheet)
        facts = dataclasses.replace(facts, notes=(*facts.notes, note))
    if skipped and skip_lines is None:
        note = ngettext(
            "the header is line {line}: the {count} line above it are skipped",
            "the header is line {line}: the {count} lines above it are skipped",
            skipped,
        ).format(line=skipped + 1, count=skipped)
        facts = dataclasses.replace(facts, notes=(*facts.notes, note))
    return ImportPlan(facts, list(rows.header), rows.delimiter, column_map, samples, skipped)


def _open_rows(facts: FileFacts, delimiter: str | None, skip_lines: int | None = None) -> Rows:
    if facts.kind == CSV:
        return CsvRows(facts, delimiter, skip_lines)
    if facts.kind == XLSX:
        return XlsxRows(facts, skip_lines)
    return VCardRows(facts)
