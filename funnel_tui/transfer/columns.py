"""Which column of a file is which lead field: guessed from the header names that
spreadsheets and other CRMs use, shown before anything is written, changeable.

Several columns may feed one field ("Phone" and "Mobile"): a row takes the first of
them that is filled, in order of how sure the name is ("Job Title" before "Title",
which in some address books is Mr or Ms); a column chosen by hand comes first. Notes
are the exception: every column of notes is kept, one line each. "First Name" and
"Last Name" make the name when no column holds the whole name, joined in the order of
the name's script and the row's country (person_names). A row's other phones and
emails, in columns less sure than the one taken, go into the notes with their header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from funnel_tui.core.countries import country_code
from funnel_tui.core.errors import MappingRefused
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.output import LOOKS_NEUTRALISED
from funnel_tui.core.person_names import join_name

# What a column can be imported as; "" is not imported.
FIELDS = (
    "name",
    "first_name",
    "middle_name",
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
# How each field is named where a person reads it: marked here, translated where shown
# (`field_shown`); the keys are what --map and the files use, in every language.
FIELD_LABELS = {
    "name": N_("name"),
    "first_name": N_("first name"),
    "middle_name": N_("middle name"),
    "last_name": N_("last name"),
    "company": N_("company"),
    "title": N_("job title"),
    "phone": N_("phone"),
    "email": N_("email"),
    "country": N_("country"),
    "source": N_("source"),
    "notes": N_("notes"),
    "owner": N_("owner"),
    "": N_("not imported"),
}
# How a column came to its field (Column.how), as a person reads it.
HOW_LABELS = {
    "guessed": N_("guessed"),
    "chosen": N_("chosen"),
    "duplicate header": N_("duplicate header"),
    "not recognised": N_("not recognised"),
    "not imported": N_("not imported"),
}


def field_shown(field: str) -> str:
    """A field ("" for not imported) as the rep reads it: "job title", "Position"."""
    return _(FIELD_LABELS[field])


def how_shown(how: str) -> str:
    """How a column came to its field, as the rep reads it ("guessed", "erkannt")."""
    return _(HOW_LABELS[how]) if how in HOW_LABELS else how


def header_key(text: str) -> str:
    """A header as compared: case, spaces and punctuation ignored, letters kept."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


# Header names as they are compared: case, spaces and punctuation ignored. For each
# field, the surest names first. Besides English: German, Polish, Spanish, French and
# Chinese (traditional and simplified); and the export layouts of Google Contacts,
# Outlook, Thunderbird, LinkedIn, Salesforce, HubSpot, Pipedrive, Odoo and Zoho.
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
        "person name",
        "person - name",
        "contact person",
        "contact - name",
        "fn",
        "nombre completo",
        "imię i nazwisko",
        "nom complet",
        "vollständiger name",
        "kontakt",
        "ansprechpartner",
        "osoba kontaktowa",
        "姓名",
        "名稱",
        "名称",
        "聯絡人",
        "联系人",
        "聯絡人姓名",
        "联系人姓名",
        "客戶姓名",
        "客户姓名",
    ),
    "first_name": (
        "first name",
        "firstname",
        "given name",
        "forename",
        "first",
        "person - first name",
        "vorname",
        "imię",
        "prénom",
        "nombre",
        "名",
        "名字",
    ),
    "middle_name": (
        "middle name",
        "additional name",
        "middle",
        "second name",
        "drugie imię",
        "zweiter vorname",
    ),
    "last_name": (
        "last name",
        "lastname",
        "surname",
        "family name",
        "last",
        "person - last name",
        "nachname",
        "familienname",
        "nazwisko",
        "nom",
        "apellido",
        "apellidos",
        "姓",
        "姓氏",
    ),
    "company": (
        # Before "Company": Odoo's export has both, "Company" being the seller's own.
        "company name",
        "company",
        "account name",
        "account",
        "associated company",  # HubSpot
        "organization",
        "organisation",
        "organization name",
        "organization 1 - name",
        "organization - name",
        "person - organization",
        "org",
        "business",
        "employer",
        "firm",
        "customer",
        "partner",
        "firma",
        "firmenname",
        "unternehmen",
        "nazwa firmy",
        "société",
        "entreprise",
        "empresa",
        "firma nazwa",
        "公司",
        "公司名稱",
        "公司名称",
        "公司名",
        "單位",
        "单位",
        "企業",
        "企业",
        "組織",
        "组织",
    ),
    "title": (
        "job title",
        "jobtitle",
        "position",
        "job position",
        "designation",
        "role",
        "organization 1 - title",
        "organization title",
        "stanowisko",
        "berufsbezeichnung",
        "position/titel",
        "funktion",
        "poste",
        "cargo",
        "puesto",
        "職稱",
        "职称",
        "職位",
        "职位",
        "職務",
        "职务",
        "頭銜",
        "头衔",
        "title",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "telephone number",
        "tel",
        "mobile",
        "mobile phone",
        "mobile number",
        "mobile phone number",
        "cell",
        "cell phone",
        "work phone",
        "business phone",
        "primary phone",
        "direct phone",
        "phone 1 - value",
        "home phone",
        "other phone",
        "telefon",
        "telefonnummer",
        "telefon komórkowy",
        "numer telefonu",
        "téléphone",
        "teléfono",
        "telefono",
        "móvil",
        "handy",
        "handynummer",
        "mobil",
        "mobiltelefon",
        # Outlook's export in German and Polish
        "telefon geschäftlich",
        "telefon służbowy",
        "numer telefonu komórkowego",
        "telefon geschäftlich 2",
        "telefon privat",
        "telefon privat 2",
        "weiteres telefon",
        "telefon domowy",
        "inny telefon",
        "座机",
        "座機",
        "市話",
        "市话",
        "komórka",
        "celular",
        "手機",
        "手机",
        "手機號碼",
        "手机号码",
        "手機號",
        "手机号",
        "電話",
        "电话",
        "電話號碼",
        "电话号码",
        "聯絡電話",
        "联系电话",
        "行動電話",
        "移动电话",
        "工作電話",
        "工作电话",
        "公司電話",
        "公司电话",
        "電話番号",
        "携帯電話",
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
        "email 1 - value",
        "e mail 1 - value",
        "other email",
        "e mail adresse",
        "adres e-mail",
        "adres email",
        "e mail 2 adresse",
        "e mail 3 adresse",
        "adres e mail 2",
        "adres e mail 3",
        "correo",
        "correo electrónico",
        "courriel",
        "電子郵件",
        "电子邮件",
        "電子郵件地址",
        "电子邮件地址",
        "電郵",
        "电邮",
        "郵箱",
        "邮箱",
        "郵件",
        "邮件",
        "電子信箱",
        "電子郵箱",
        "电子邮箱",
        "メール",
        "メールアドレス",
    ),
    "country": (
        "country",
        "country region",
        "country code",
        "business country region",
        "land region geschäftlich",
        "kraj region służbowy",
        "land region privat",
        "kraj region domowy",
        "mailing country",
        "billing country",
        "address 1 - country",
        "nation",
        "land",
        "kraj",
        "pays",
        "país",
        "國家",
        "国家",
        "國家/地區",
        "国家/地区",
        "國別",
        "国别",
        "地區",
        "地区",
        "国",
    ),
    "source": (
        "source",
        "lead source",
        "original source",
        "contact source",
        "source of lead",
        "origin",
        "channel",
        "campaign",
        "quelle",
        "herkunft",
        "lead-quelle",
        "źródło",
        "źródło leada",
        "fuente",
        "origen",
        "來源",
        "来源",
        "客戶來源",
        "客户来源",
        "線索來源",
        "线索来源",
        "渠道",
    ),
    "notes": (
        "notes",
        "note",
        "comments",
        "comment",
        "description",
        "remarks",
        "internal notes",
        "notiz",
        "notizen",
        "bemerkung",
        "bemerkungen",
        "kommentar",
        "notatki",
        "notatka",
        "uwagi",
        "komentarz",
        "opis",
        "notas",
        "備註",
        "备注",
        "說明",
        "说明",
        "描述",
        "メモ",
    ),
    "owner": (
        "owner",
        "lead owner",
        "contact owner",
        "record owner",
        "account owner",
        "hubspot owner",
        "person - owner",
        "owner name",
        "salesperson",
        "sales person",
        "sales rep",
        "assigned to",
        "user",
        "verantwortlich",
        "zuständig",
        "besitzer",
        "betreuer",
        "właściciel",
        "opiekun",
        "handlowiec",
        "vendedor",
        "responsable",
        "propietario",
        "負責人",
        "负责人",
        "負責業務",
        "负责业务",
        "業務",
        "业务员",
        "業務員",
        "销售",
        "所有者",
        "擁有者",
        "拥有者",
    ),
}
_GUESS = {
    header_key(name): (field, rank)
    for field, names in _NAMES.items()
    for rank, name in enumerate(names)
}
# Headers no list can hold: numbered and labelled phones, emails and countries as
# address books write them ("Phone 2 - Value", "Business Phone 2", "Home Mobile",
# "E-mail 3 Address", "Email Work", "Secondary Email", "Work Country"). Matched on the
# header's words; less sure than any name listed above, the lower number first.
_KIND = r"(?:work|home|business|other|personal|primary|secondary|private|main|company|alt|alternate|mobile|cell|direct|mailing|billing|shipping|car|radio|assistant s|callback)"  # noqa: E501
_PATTERNS = (
    (
        "email",
        re.compile(
            rf"^(?:person )?(?:{_KIND} )?e ?mail(?: {_KIND})?(?: ?(\d+))?"
            r"(?: (?:value|address|adresse))?$"
        ),
    ),
    (
        "phone",
        re.compile(
            rf"^(?:person )?(?:{_KIND} ){{0,2}}(?:phone|telephone|tel|mobile|cell|handy|telefon)"
            rf"(?: {_KIND})?(?: ?(\d+))?(?: (?:value|number|no))?$"
        ),
    ),
    (
        "country",
        re.compile(rf"^(?:{_KIND} )?(?:address ?(\d+) )?(?:country(?: region)?|land|kraj)$"),
    ),
)
_PATTERN_RANK = 1000


def header_words(text: str) -> str:
    """A header as lowercase words: "E-mail 2 - Value" is "e mail 2 value"."""
    return " ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).split())


def _guess(header: str) -> tuple[str, int]:
    found = _GUESS.get(header_key(header))
    if found:
        return found
    words = header_words(header)
    for field, pattern in _PATTERNS:
        match = pattern.match(words)
        if match:
            return field, _PATTERN_RANK + int(match.group(1) or 0)
    return "", 0


def known_fields(headers: Sequence[str]) -> set[str]:
    """The lead fields a row of header names would be imported as."""
    return {field for field, _rank in map(_guess, headers) if field}


# Columns funnel's own reports add beside a field (an export's display phone, the reject
# file's reasons): known, and deliberately not imported.
_IGNORED = frozenset({"phonedisplay", "importrow", "refusedfield", "refusalreason"})


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
            field, rank = _guess(header)
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
            raise MappingRefused(
                _("{field!r} is not a field; use one of {fields}").format(
                    field=field, fields=", ".join(FIELDS)
                )
            )
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
                raise MappingRefused(
                    _('--map {text!r}: write it as "Column=field"').format(text=text)
                )
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
        raise MappingRefused(
            _("--map {text!r}: no column {header!r}; the columns are {names}").format(
                text=text, header=header, names=names
            )
        )

    def fields(self) -> set[str]:
        return {c.field for c in self.columns if c.field}

    def problems(self) -> list[str]:
        """Why rows could not become leads with this map (before reading any)."""
        mapped = self.fields()
        if not mapped & {"name", "first_name", "last_name"}:
            return [_('no column is the name: choose one (e.g. --map "Contact=name")')]
        if not mapped & {"phone", "email"}:
            return [_("no column is a phone or an email: a lead needs one of them")]
        return []

    def reader(self) -> RowReader:
        return RowReader(self)


# Fields of which a row keeps one value: the other filled columns of phones and emails
# go into the notes ("Phone 2: +49 …"), as a vCard's other numbers do.
_EXTRAS_KEPT = ("phone", "email")


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
        self._labels = {c.number - 1: extra_label(c.header) for c in column_map.columns}
        self._name_parts = bool(by_field.keys() & {"first_name", "middle_name", "last_name"})
        self._codes: dict[str, str] = {}  # a row's country as written → its code
        self._left_out = [
            c.number - 1
            for c in column_map.columns
            if not c.field and header_key(c.header) not in _IGNORED
        ]

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        width = len(cells)
        out: dict[str, str] = {}
        extras: list[str] = []
        for field, indexes in self._sources:
            if field == "notes":  # every column of notes kept, one after the other
                notes = [unneutralise(t) for i in indexes if i < width and (t := cells[i].strip())]
                if notes:
                    out[field] = "\n".join(notes)
                continue
            if field not in _EXTRAS_KEPT:
                for i in indexes:
                    if i < width and (text := cells[i].strip()):
                        out[field] = unneutralise(text)
                        break
                continue
            for i in indexes:
                if i < width and (text := cells[i].strip()):
                    # Google Contacts writes a contact's numbers of one label in one
                    # cell: "+49 30 1234567 ::: +49 170 1234567".
                    for value in _SEVERAL.split(text) if ":::" in text else (text,):
                        value = unneutralise(value.strip())
                        if not value:
                            continue
                        if field not in out:
                            out[field] = value
                        elif (
                            value != out[field]
                            and (line := f"{self._labels[i]}: {value}") not in extras
                        ):
                            extras.append(line)
        if extras:
            out["notes"] = "\n".join([*filter(None, [out.get("notes", "")]), *extras])
        if self._name_parts:
            first, middle, last = (
                out.pop(f, "") for f in ("first_name", "middle_name", "last_name")
            )
            if not out.get("name") and (first or middle or last):
                country = out.get("country", "")
                code = self._codes.get(country)
                if code is None:
                    code = self._codes[country] = country_code(country) or ""
                out["name"] = join_name(first, last, middle=middle, country=code)
        return out

    def filled_left_out(self, cells: Sequence[str], known: set[int] | None = None) -> set[int]:
        """The 1-based numbers of the columns not imported that this row fills (of
        those not `known` to be filled already)."""
        width = len(cells)
        return {
            i + 1
            for i in self._left_out
            if i < width and (not known or i + 1 not in known) and cells[i].strip()
        }


_SEVERAL = re.compile(r"\s*:::\s*")


def extra_label(header: str) -> str:
    """How a column's value is named in the notes: Google's "Phone 2 - Value" is
    "Phone 2"."""
    return re.sub(r"\s*-\s*value$", "", header.strip(), flags=re.IGNORECASE) or header


def unneutralise(text: str) -> str:
    """A cell as it was before an export kept a spreadsheet from running it as a
    formula (exporter.csv_cell puts an apostrophe before "=", "+", ...)."""
    return text[1:] if text[:1] == "'" and LOOKS_NEUTRALISED.match(text) else text
