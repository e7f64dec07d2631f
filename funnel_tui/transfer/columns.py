"""Which column of a file is which lead field: guessed from the header names that
spreadsheets and other CRMs use, shown before anything is written, changeable.

Several columns may feed one field ("Phone" and "Mobile"): a row takes the first of
them that is filled, in order of how sure the name is ("Job Title" before "Title",
which in some address books is Mr or Ms); a column chosen by hand comes first. Notes
are the exception: every column of notes is kept, one line each. "First Name" and
"Last Name" make the name when no column holds the whole name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..output import LOOKS_NEUTRALISED

# What a column can be imported as; "" is not imported.
FIELDS = (
    "name",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "email",
    "country",
    "source",
    "notes",
    "owner",
)
FIELD_LABELS = {
    "name": "name",
    "first_name": "first name",
    "last_name": "last name",
    "company": "company",
    "title": "job title",
    "phone": "phone",
    "email": "email",
    "country": "country",
    "source": "source",
    "notes": "notes",
    "owner": "owner",
    "": "not imported",
}


def header_key(text: str) -> str:
    """A header as compared: case, spaces and punctuation ignored, letters kept."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


# Header names as they are compared: case, spaces and punctuation ignored. For each
# field, the surest names first.
_NAMES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "fullname",
        "contact name",
        "contact",
        "lead name",
        "display name",
        "person",
        "fn",
        "nombre completo",
        "imię i nazwisko",
        "nom complet",
    ),
    "first_name": (
        "first name",
        "firstname",
        "given name",
        "forename",
        "first",
        "vorname",
        "imię",
        "prénom",
        "nombre",
    ),
    "last_name": (
        "last name",
        "lastname",
        "surname",
        "family name",
        "last",
        "nachname",
        "nazwisko",
        "nom",
        "apellido",
        "apellidos",
    ),
    "company": (
        "company",
        "company name",
        "account name",
        "account",
        "organization",
        "organisation",
        "organization name",
        "org",
        "business",
        "employer",
        "firm",
        "firma",
        "unternehmen",
        "société",
        "entreprise",
        "empresa",
        "firma nazwa",
    ),
    "title": ("job title", "jobtitle", "position", "role", "stanowisko", "poste", "cargo", "title"),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "telephone number",
        "tel",
        "mobile",
        "mobile phone",
        "mobile number",
        "cell",
        "cell phone",
        "work phone",
        "business phone",
        "primary phone",
        "direct phone",
        "phone 1 value",
        "home phone",
        "other phone",
        "telefon",
        "téléphone",
        "teléfono",
        "telefono",
        "handy",
        "komórka",
        "celular",
    ),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "mail",
        "work email",
        "business email",
        "primary email",
        "email 1 value",
        "e mail 1 value",
        "other email",
        "e mail adresse",
        "correo",
        "correo electrónico",
        "courriel",
    ),
    "country": (
        "country",
        "country region",
        "country code",
        "business country region",
        "mailing country",
        "billing country",
        "nation",
        "land",
        "kraj",
        "pays",
        "país",
    ),
    "source": ("source", "lead source", "origin", "channel", "campaign"),
    "notes": (
        "notes",
        "note",
        "comments",
        "comment",
        "description",
        "remarks",
        "notiz",
        "notizen",
        "bemerkung",
    ),
}
_GUESS = {
    header_key(name): (field, rank)
    for field, names in _NAMES.items()
    for rank, name in enumerate(names)
}
# Columns funnel's own reports add beside a field (an export's display phone, the reject
# file's reasons): known, and deliberately not imported.
_IGNORED = frozenset({"phonedisplay", "importrow", "refusedfield", "refusalreason"})


class MappingRefused(Exception):
    """A --map that names no column or no field; the message says which."""


@dataclass(frozen=True)
class Column:
    number: int  # 1-based, as a spreadsheet user counts
    header: str
    field: str  # one of FIELDS, or "" when not imported
    rank: int  # lower: surer; a row takes the surest filled column of a field
    how: str  # "guessed", "chosen", "duplicate header", "not recognised", "not imported"


@dataclass(frozen=True)
class ColumnMap:
    columns: tuple[Column, ...]

    @classmethod
    def guess(cls, headers: Sequence[str]) -> ColumnMap:
        seen: set[str] = set()
        columns = []
        for number, header in enumerate(headers, 1):
            key = header_key(header)
            field, rank = _GUESS.get(key, ("", 0))
            if key in seen and field:
                how, field = "duplicate header", ""
            elif key in _IGNORED:
                how = "not imported"
            else:
                how = "guessed" if field else "not recognised"
            seen.add(key)
            columns.append(Column(number, header, field, rank, how))
        return cls(tuple(columns))

    def with_field(self, number: int, field: str) -> ColumnMap:
        """The map with column `number` (1-based) imported as `field` ("" for not)."""
        if field and field not in FIELDS:
            raise MappingRefused(f"{field!r} is not a field; use one of {', '.join(FIELDS)}")
        columns = [
            Column(c.number, c.header, field, -1, "chosen" if field else "not imported")
            if c.number == number
            else c
            for c in self.columns
        ]
        return ColumnMap(tuple(columns))

    def with_overrides(self, overrides: Sequence[str]) -> ColumnMap:
        """Apply --map "Header=field" (or "3=field" by column number, "Header=" for not
        imported), each naming an existing column and a known field."""
        result = self
        for text in overrides:
            header, sep, field = text.partition("=")
            if not sep:
                raise MappingRefused(f'--map {text!r}: write it as "Column=field"')
            field = field.strip().lower().replace(" ", "_")
            field = {"-": "", "none": "", "skip": "", "job_title": "title"}.get(field, field)
            result = result.with_field(self._column_number(header.strip(), text), field)
        return result

    def _column_number(self, header: str, text: str) -> int:
        exact = [c.number for c in self.columns if c.header == header]
        loose = [c.number for c in self.columns if header_key(c.header) == header_key(header)]
        if exact or loose:
            return (exact or loose)[0]
        if header.isdigit() and 1 <= int(header) <= len(self.columns):
            return int(header)
        names = ", ".join(repr(c.header) for c in self.columns)
        raise MappingRefused(f"--map {text!r}: no column {header!r}; the columns are {names}")

    def fields(self) -> set[str]:
        return {c.field for c in self.columns if c.field}

    def problems(self) -> list[str]:
        """Why rows could not become leads with this map (before reading any)."""
        mapped = self.fields()
        if not mapped & {"name", "first_name", "last_name"}:
            return ['no column is the name: choose one (e.g. --map "Contact=name")']
        if not mapped & {"phone", "email"}:
            return ["no column is a phone or an email: a lead needs one of them"]
        return []

    def reader(self) -> RowReader:
        return RowReader(self)


class RowReader:
    """Turns a row's cells into lead fields by a ColumnMap, fast: the columns of each
    field are sorted once, surest first."""

    def __init__(self, column_map: ColumnMap):
        by_field: dict[str, list[Column]] = {}
        for column in column_map.columns:
            if column.field:
                by_field.setdefault(column.field, []).append(column)
        self._sources = [
            (field, [c.number - 1 for c in sorted(cols, key=lambda c: (c.rank, c.number))])
            for field, cols in by_field.items()
        ]

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        width = len(cells)
        out: dict[str, str] = {}
        for field, indexes in self._sources:
            if field == "notes":  # every column of notes kept, one after the other
                notes = [unneutralise(t) for i in indexes if i < width and (t := cells[i].strip())]
                if notes:
                    out[field] = "\n".join(notes)
                continue
            for i in indexes:
                if i < width and (text := cells[i].strip()):
                    out[field] = unneutralise(text)
                    break
        first, last = out.pop("first_name", ""), out.pop("last_name", "")
        if not out.get("name") and (first or last):
            out["name"] = f"{first} {last}".strip()
        return out


def unneutralise(text: str) -> str:
    """A cell as it was before an export kept a spreadsheet from running it as a
    formula (exporter.csv_cell puts an apostrophe before "=", "+", ...)."""
    return text[1:] if text[:1] == "'" and LOOKS_NEUTRALISED.match(text) else text
