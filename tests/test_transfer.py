"""Import and export (funnel_tui.transfer) on files shaped like the ones people bring: a
trade-show sheet, another CRM's export, a phone's vCards, legacy encodings, and the
broken files that come with them. Whatever touches the database runs on SQLite and on
PostgreSQL (`rules`); tests of reading files alone need no database or use SQLite.

The fixtures under fixtures/transfer are copied to tmp_path before use: an import
writes its reject file beside the file it reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import random
import re
import shutil
import threading
import tracemalloc
import zipfile
from pathlib import Path

import peewee
import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import FileRefused, MappingRefused
from funnel_tui.read.queries import EXPORT_COLUMNS, parse_filter
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Company, History, Lead, User, database
from funnel_tui.transfer import checking
from funnel_tui.transfer.csvfile import CsvRows
from funnel_tui.transfer.exporter import export_leads
from funnel_tui.transfer.importer import ImportReport, run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import
from funnel_tui.transfer.textfile import inspect_file

FIXTURES = Path(__file__).parent / "fixtures" / "transfer"
TRADE_SHOW = "trade_show_2024.csv"
SALESFORCE = "salesforce_contacts.csv"
VCARDS = "phone_contacts.vcf"
REJECT_COLUMNS = ["import row", "refused field", "refusal reason"]
THOMAS_NOTES = "Met at CeBIT, interested in 3 modules:\nfleet, billing, and reports"

# What the trade-show sheet's good rows become: national numbers read in the country
# the Country column names (by name, in the country's language, or by ISO code).
# (name, company, title, phone_e164, email_norm, country, source, notes)
TRADE_SHOW_LEADS = [
    (
        "Jürgen Weiß",
        "Müller & Söhne GmbH",
        "Einkaufsleiter",
        "+493012345678",
        "juergen.weiss@mueller-soehne.de",
        "DE",
        "Trade show",
        "Stand B12: Flottenangebot, Rückruf im März",
    ),
    (
        "Łukasz Żółkiewski",
        "Żabka Logistyka Sp. z o.o.",
        "Dyrektor handlowy",
        "+48512345678",
        "lukasz.zolkiewski@zabka-logistyka.pl",
        "PL",
        "Trade show",
        "",
    ),
    (
        "María José Núñez Peña",
        "Grupo Industrial Peñoles",
        "Gerente de Compras",
        "+525512345678",
        "mj.nunez@penoles.com.mx",
        "MX",
        "Trade show",
        "Quiere demo; llamar después de las 16h",
    ),
    (
        "王小明",  # First Name 小明, Last Name 王: family name first, no space
        "台灣積體電路製造",
        "採購經理",
        "+886912345678",
        "wang.xiaoming@example.com.tw",
        "TW",
        "Trade show",
        "名片已掃描",
    ),
    (
        "John O'Brien",
        "Acme Robotics Inc.",
        "VP Operations",
        "+12015550123",
        "john.obrien@acmerobotics.com",
        "US",
        "Trade show",
        "",
    ),
    (
        "Mei-Ling Chen",
        "鴻海精密工業",
        "Sourcing Manager",
        "+886223456789",
        "meiling.chen@example.tw",
        "TW",
        "Trade show",
        "",
    ),
    (
        "Sarah Miller",
        "Blue Ridge Foods",
        "Procurement Manager",
        "+14155550132",
        "sarah.miller@blueridgefoods.com",
        "US",
        "Trade show",
        "Met at booth, wants pricing for 500+ units",
    ),
    ("Piotr Nowak", "", "", None, "piotr.nowak@gmail.com", "PL", "Trade show", ""),
]
# Header, then rows 2..14: row 10 is blank (";;;;"), rows 7, 8 and 9 are refused and
# row 11 repeats row 2's phone written another way.
TRADE_SHOW_HEADER = [
    "Badge ID",
    "First Name",
    "Last Name",
    "Company",
    "Title",
    "E-mail",
    "Phone Number",
    "Country",
    "Lead Source",
    "Comments",
]


# ------------------------------------------------------------------ helpers


def copy_fixture(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIXTURES / name, target)
    return target


def write_file(tmp_path: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def do_import(rules: Funnel, path: Path, *maps: str, **options) -> ImportReport:
    report = run_import(rules, plan_import(path, maps), ImportOptions(**options))
    assert report.adds_up(), (report.counts, report.rows_read)
    return report


def counts(report: ImportReport) -> dict[str, int]:
    return {outcome: n for outcome, n in report.counts.items() if n}


def lead_tuple(lead: Lead) -> tuple:
    company = Company.get_by_id(lead.company_id).name if lead.company_id else ""
    return (
        lead.name,
        company,
        lead.title,
        lead.phone_e164,
        lead.email_norm,
        lead.country,
        lead.source,
        lead.notes,
    )


def all_leads() -> list[tuple]:
    return [lead_tuple(lead) for lead in Lead.select().order_by(Lead.id)]


def lead_named(name: str) -> Lead:
    return Lead.get(Lead.name == name)


def stored_counts() -> tuple[int, int, int, int]:
    return (
        Lead.select().count(),
        History.select().count(),
        Company.select().count(),
        User.select().count(),
    )


def read_rejects(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def examples(report: ImportReport) -> dict[int, tuple[str, str, str]]:
    return {o.row: (o.outcome, o.field, o.reason) for o in report.examples}


def import_history() -> dict[int, dict]:
    """Each lead's 'import' history entry, by lead id."""
    rows = History.select().where((History.entity == "lead") & (History.action == "import"))
    return {h.entity_id: json.loads(h.new) for h in rows}


def on_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


@pytest.fixture
def sqlite_rules(sqlite_path):
    """For tests of reading files: the import runs, on SQLite only."""
    open_database(sqlite_path)
    yield Funnel(load_config(), "alice")
    close_database()


# ------------------------------------------------------------------ the trade-show sheet


def test_trade_show_sheet_is_recognised_and_its_columns_guessed(tmp_path):
    plan = plan_import(copy_fixture(tmp_path, TRADE_SHOW))
    assert plan.kind_label == "CSV, semicolon-separated"
    assert plan.facts.encoding.label == "UTF-8 with BOM"
    assert plan.header == TRADE_SHOW_HEADER  # the BOM is not part of the first name
    mapped = {c.header: (c.field, c.how) for c in plan.column_map.columns}
    assert mapped == {
        "Badge ID": ("", "not recognised"),
        "First Name": ("first_name", "guessed"),
        "Last Name": ("last_name", "guessed"),
        "Company": ("company", "guessed"),
        "Title": ("title", "guessed"),
        "E-mail": ("email", "guessed"),
        "Phone Number": ("phone", "guessed"),
        "Country": ("country", "guessed"),
        "Lead Source": ("source", "guessed"),
        "Comments": ("notes", "guessed"),
    }
    assert plan.column_map.problems() == []
    number, first = plan.sample_values()[0]
    assert number == 2
    assert first["name"] == "Jürgen Weiß"
    assert first["phone"] == "030 12345678"
    assert first["notes"] == "Stand B12: Flottenangebot, Rückruf im März"


def test_trade_show_sheet_imports_good_rows_and_says_why_others_are_not(rules, tmp_path):
    report = do_import(rules, copy_fixture(tmp_path, TRADE_SHOW))
    assert report.rows_read == 12  # the blank row 10 is not a row of leads
    assert counts(report) == {"inserted": 8, "duplicate": 1, "refused": 3}
    assert all_leads() == TRADE_SHOW_LEADS
    seen = examples(report)
    assert seen[7][:2] == ("refused", "email")
    assert "agnieszka.wisniewska@@wisniewski.pl is not valid" in seen[7][2]
    assert seen[8] == ("refused", "phone", "phone: 512 34 is too short for Poland")
    assert seen[9] == ("refused", "name", "name: is required")
    assert seen[11] == ("duplicate", "phone", "same phone as row 2 of this file")
    assert set(seen) == {7, 8, 9, 11}
    # Each lead says where it came from, once.
    origins = import_history()
    assert sorted(origins) == sorted(lead.id for lead in Lead.select())
    rows = {
        lead_named(t[0]).id: row
        for t, row in zip(TRADE_SHOW_LEADS, (2, 3, 4, 5, 6, 12, 13, 14), strict=True)
    }
    for lead_id, origin in origins.items():
        assert origin["imported_from"] == TRADE_SHOW
        assert origin["row"] == rows[lead_id]


def test_reject_file_lists_refused_rows_as_read_and_imports_once_fixed(rules, tmp_path):
    source = copy_fixture(tmp_path, TRADE_SHOW)
    report = do_import(rules, source)
    assert report.rejects == tmp_path / "trade_show_2024-rejected.csv"
    assert report.rejects.read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel
    header, *rows = read_rejects(report.rejects)
    assert header == REJECT_COLUMNS + TRADE_SHOW_HEADER
    assert [row[:2] for row in rows] == [["7", "email"], ["8", "phone"], ["9", "name"]]
    assert rows[1][2] == "phone: 512 34 is too short for Poland"
    assert rows[2][2] == "name: is required"
    assert rows[0][3:] == [
        "TS-0131",
        "Agnieszka",
        "Wiśniewska",
        "Wiśniewski i Syn",
        "Księgowa",
        "agnieszka.wisniewska@@wisniewski.pl",
        "22 123 45 67",
        "Polska",
        "Trade show",
        "",
    ]
    assert rows[2][3:6] == ["TS-0144", "", ""]

    # Imported as it is, the reject file refuses the same rows, now numbered in it.
    again = do_import(rules, report.rejects, rejects=tmp_path / "again.csv")
    assert counts(again) == {"refused": 3}
    assert sorted(examples(again)) == [2, 3, 4]

    # Fixed in place (the three added columns left as they are), it imports.
    rows[0][8] = "agnieszka.wisniewska@wisniewski.pl"
    rows[1][9] = "512 345 670"
    rows[2][4:6] = ["Rosa", "Jiménez"]
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    plan = plan_import(fixed)
    ignored = [c.header for c in plan.column_map.columns if c.how == "not imported"]
    assert ignored == REJECT_COLUMNS
    before = Lead.select().count()
    done = do_import(rules, fixed)
    assert counts(done) == {"inserted": 3}
    assert done.rejects is None and not (tmp_path / "fixed-rejected.csv").exists()
    assert Lead.select().count() == before + 3
    assert lead_named("Rosa Jiménez").phone_e164 == "+523312345678"
    assert lead_named("Tomasz Lewandowski").phone_e164 == "+48512345670"
    assert lead_named("Agnieszka Wiśniewska").country == "PL"


def test_running_an_import_again_adds_nothing(rules, tmp_path):
    source = copy_fixture(tmp_path, TRADE_SHOW)
    do_import(rules, source)
    before = stored_counts()
    again = do_import(rules, source)
    assert counts(again) == {"duplicate": 9, "refused": 3}
    assert stored_counts() == before
    assert examples(again)[2] == (
        "duplicate",
        "email",
        f"matches lead #{lead_named('Jürgen Weiß').id} Jürgen Weiß (email)",
    )


def test_rows_matching_leads_already_in_the_database_are_duplicates(rules, tmp_path):
    # Typed differently from the sheet: the same normalised email, the same E.164 phone.
    sarah = rules.capture_lead({"name": "S. Miller", "email": "sarah.miller@BlueRidgeFoods.com"})
    lukasz = rules.capture_lead({"name": "Lukasz Z", "phone": "+48 512-345-678"})
    report = do_import(rules, copy_fixture(tmp_path, TRADE_SHOW))
    assert counts(report) == {"inserted": 6, "duplicate": 3, "refused": 3}
    seen = examples(report)
    assert seen[3] == ("duplicate", "phone", f"matches lead #{lukasz.id} Lukasz Z (phone)")
    assert seen[13] == ("duplicate", "email", f"matches lead #{sarah.id} S. Miller (email)")
    assert Lead.select().count() == 8
    assert lead_tuple(Lead.get_by_id(sarah.id))[1:4] == ("", "", None)  # left as it was


# ------------------------------------------------------------------ another CRM's export


def test_salesforce_layout_maps_itself_and_keeps_quoted_commas_and_newlines(rules, tmp_path):
    plan = plan_import(copy_fixture(tmp_path, SALESFORCE))
    assert plan.kind_label == "CSV, comma-separated"
    assert plan.facts.encoding.label == "UTF-8"
    fields = {c.header: c.field for c in plan.column_map.columns if c.field}
    assert fields == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "title",
        "Account Name": "company",
        "Email": "email",
        "Phone": "phone",
        "Mobile": "phone",
        "Lead Source": "source",
        "Country": "country",
        "Description": "notes",
    }
    report = run_import(rules, plan, ImportOptions())
    assert report.adds_up()
    assert counts(report) == {"inserted": 5, "refused": 1}
    # Row 5 of the spreadsheet, though line 6 of the file: row 2 holds a newline.
    assert examples(report) == {
        5: (
            "refused",
            "source",
            "source: 'Purchased List' is not one of: Web form, Trade show, Referral, "
            "Business card, Cold list, Inbound call, Partner, Social",
        )
    }
    assert all_leads() == [
        (
            "Thomas Schneider",
            "Schneider Logistik GmbH, Hamburg",
            "Head of IT",
            "+494012345678",  # Phone before Mobile when both are filled
            "thomas.schneider@schneider-logistik.de",
            "DE",
            "Trade show",
            THOMAS_NOTES + "\nMobile: +49 170 1234567",  # the other number kept
        ),
        (
            "Emily Clarke",
            "Northwind Traders",
            "Director, Procurement",
            "+12127365000",  # Mobile when Phone is empty
            "emily.clarke@northwind.example.com",
            "US",
            "Web form",
            "",
        ),
        (
            "Ana López",
            "Grupo Norte, S.A. de C.V.",
            "CFO",
            "+523312345678",
            "ana.lopez@gruponorte.mx",
            "MX",
            "Referral",
            'Referral from "Carlos" at Banorte',
        ),
        (
            "Okafor",
            "Lagos Freight Ltd",
            "",
            None,
            "c.okafor@lagosfreight.example.ng",
            "NG",
            "Partner",
            "Last name only, as entered by the partner",
        ),
        (
            "Zofia Krawczyk",
            "Krawczyk i Wspólnicy",
            "Kierownik zakupów",
            "+48221234567",
            None,
            "PL",
            "Partner",
            "Notes with a comma, and\na second line",
        ),
    ]
    rejected = read_rejects(report.rejects)
    assert rejected[1][:2] == ["5", "source"]
    assert rejected[1][2].startswith("source: 'Purchased List' is not one of")
    assert rejected[1][3:6] == ["0035g00000AbCdE4", "Mr.", "Kenji"]


def test_map_leaves_out_chooses_and_numbers_columns(rules, tmp_path):
    path = copy_fixture(tmp_path, SALESFORCE)
    maps = ["Lead Source=", "Mobile=phone", "mailing city=notes", "13=", "Salutation=skip"]
    plan = plan_import(path, maps)
    chosen = {c.header: (c.field, c.how) for c in plan.column_map.columns}
    assert chosen["Lead Source"] == ("", "not imported")
    assert chosen["Mobile"] == ("phone", "chosen")
    assert chosen["Mailing City"] == ("notes", "chosen")
    assert chosen["Country"] == ("", "not imported")
    assert chosen["Description"] == ("notes", "guessed")
    values = dict(plan.sample_values())
    assert values[2]["phone"] == "+49 170 1234567"  # a chosen column before a guessed one
    assert values[3]["phone"] == "+1 212 736 5000"
    assert values[4]["phone"] == "33 1234 5678"  # no mobile: the Phone column
    # Every column of notes is kept, the chosen one first.
    assert values[2]["notes"].replace("\r\n", "\n") == (
        "Hamburg\n" + THOMAS_NOTES + "\nPhone: +49 40 12345678"
    )
    assert "country" not in values[2] and "source" not in values[2]
    report = run_import(rules, plan, ImportOptions())
    # Without the Country column, national numbers have no region: named, not guessed.
    assert counts(report) == {"inserted": 4, "refused": 2}
    refused = examples(report)
    assert refused[4][1] == refused[5][1] == "phone"
    assert "33 1234 5678 has no country code" in refused[4][2]
    thomas = lead_named("Thomas Schneider")
    assert (thomas.phone_e164, thomas.country) == ("+491701234567", "")
    assert thomas.notes == "Hamburg\n" + THOMAS_NOTES + "\nPhone: +49 40 12345678"


def test_map_gives_a_field_to_a_header_nothing_guesses(rules, tmp_path):
    path = write_file(
        tmp_path,
        "messe.csv",
        "Wer;Tel;Fax;Mail;Land\nErika Mustermann;089 4711 0815;089 4711 0816;erika@example.de;DE\n",
    )
    plan = plan_import(path)
    assert plan.column_map.problems() == [
        'no column is the name: choose one (e.g. --map "Contact=name")'
    ]
    plan = plan_import(path, ["Wer=name", "Tel=phone", "Fax=-"])
    assert plan.column_map.problems() == []
    report = run_import(rules, plan, ImportOptions())
    assert counts(report) == {"inserted": 1}
    assert all_leads() == [
        ("Erika Mustermann", "", "", "+498947110815", "erika@example.de", "DE", "", "")
    ]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("Telephone=phone", "no column 'Telephone'; the columns are 'Contact ID', 'Salutation'"),
        ("Phone=mobile", "'mobile' is not a field; use one of name, first_name"),
        ("Phone", "--map 'Phone': write it as \"Column=field\""),
        ("99=notes", "no column '99'"),
    ],
)
def test_map_mistakes_are_refused_naming_what_exists(tmp_path, override, message):
    with pytest.raises(MappingRefused) as refused:
        plan_import(copy_fixture(tmp_path, SALESFORCE), [override])
    assert message in str(refused.value)


# ------------------------------------------------------------------ a phone's vCards


def test_phone_vcards_become_leads_with_every_number_kept(rules, tmp_path):
    raw = (FIXTURES / VCARDS).read_bytes()  # as phones write them: CRLF, soft line breaks
    assert raw.count(b"\n") == raw.count(b"\r\n") and b"Pozna=\r\nniu" in raw
    plan = plan_import(copy_fixture(tmp_path, VCARDS))
    assert plan.kind_label == "vCard"
    report = run_import(rules, plan, ImportOptions(source="Business card"))
    assert report.adds_up()
    assert counts(report) == {"inserted": 3, "refused": 1}
    assert examples(report) == {
        4: ("refused", "contact", "contact: a lead needs a phone number or an email address")
    }
    lucja, katrin, meiling = (lead_tuple(lead) for lead in Lead.select().order_by(Lead.id))
    # 2.1: quoted-printable UTF-8 names and company; the preferred mobile first.
    assert lucja[:7] == (
        "Łucja Wójcik",
        "Żabka Logistyka",
        "",
        "+48512345678",
        "lucja.wojcik@example.pl",
        "",
        "Business card",
    )
    assert lucja[7].startswith("Poznałam ją na targach w Poznaniu")  # a soft line break
    assert lucja[7].endswith("\nOther phone (work): +48 22 123 45 67")
    # 3.0: folded lines joined, the other numbers and the other email in the notes, the
    # photo left out, the country from the address.
    assert katrin == (
        "Katrin Hoffmann",
        "Hoffmann & Partner Steuerberatungsgesellschaft mbH",
        "Steuerberaterin",
        "+491701234567",
        "k.hoffmann@hoffmann-partner.de",
        "DE",
        "Business card",
        "Kennengelernt auf der Messe in München. Interesse an der "
        "Buchhaltungs-Schnittstelle, bitte Angebot bis Ende April.\n"
        "Other phone (work): +49 89 4711 0815\n"
        "Other phone (home): +49 30 12345678\n"
        "Other email (home): katrin.h@example.de",
    )
    # 4.0: tel: URIs, PREF=1 first, an extension kept with its number.
    assert meiling == (
        "陳美玲",
        "鴻海精密工業股份有限公司",
        "採購經理",
        "+886912345678",
        "meiling.chen@foxconn.example.com",
        "TW",
        "Business card",
        "Other phone (work): +886-2-2345-6789 ext. 102",
    )
    assert not any("\r" in str(value) for lead in all_leads() for value in lead)

    # The card refused goes to a CSV reject file with the card's fields as columns;
    # given an email there, it imports.
    header, row = read_rejects(report.rejects)
    assert header == [*REJECT_COLUMNS, *plan.header]
    assert row[:4] == [
        "4",
        "contact",
        "contact: a lead needs a phone number or an email address",
        "Hausmeister Schulz",
    ]
    row[header.index("email")] = "schulz@example.de"
    fixed = tmp_path / "schulz.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, row])
    assert counts(do_import(rules, fixed)) == {"inserted": 1}
    assert lead_named("Hausmeister Schulz").notes == "Schlüssel beim Pförtner"


def test_vcard_21_text_with_a_comma_is_kept_whole(tmp_path):
    plan = plan_import(copy_fixture(tmp_path, VCARDS))
    first = plan.sample_values()[0][1]
    assert first["notes"].split("\n")[0] == "Poznałam ją na targach w Poznaniu, chce ofertę."


def test_a_base64_vcard_note_is_decoded_as_text(tmp_path):
    path = write_file(
        tmp_path,
        "b64.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Beck\r\nEMAIL:jb@example.de\r\n"
        "NOTE;ENCODING=b;CHARSET=UTF-8:SsO8cmdlbiBsaWtlcyBjb2ZmZWU=\r\nEND:VCARD\r\n",
    )
    assert plan_import(path).sample_values()[0][1]["notes"] == "Jürgen likes coffee"


# ------------------------------------------------------------------ encodings

POLISH_ROWS = [
    ("Łukasz", "Wójcik", "Zakład Energetyczny Łódź", "Kierownik działu zakupów", "512 345 678"),
    ("Grażyna", "Żółtowska-Śliwińska", "PU „Źródło” sp. j.", "Księgowa", "22 123 45 67"),
    ("Michał", "Dąbrowski", "Spółdzielnia Mleczarska Ostrołęka", "Prezes zarządu", "601 234 567"),
]
POLISH_CSV = "Imię;Nazwisko;Firma;Stanowisko;E-mail;Telefon;Kraj\r\n" + "".join(
    f"{first};{last};{firm};{job};kontakt{n}@firma{n}.example.pl;{phone};Polska\r\n"
    for n, (first, last, firm, job, phone) in enumerate(POLISH_ROWS)
)
POLISH_MAP = ["Imię=first_name", "Nazwisko=last_name", "Stanowisko=title", "Kraj=country"]


def test_windows_1250_csv_is_detected_and_read_letter_for_letter(sqlite_rules, tmp_path):
    path = write_file(tmp_path, "eksport.csv", POLISH_CSV, "cp1250")
    plan = plan_import(path, POLISH_MAP)
    assert plan.facts.encoding.label == "Windows-1250 (Central European)"
    assert plan.kind_label == "CSV, semicolon-separated"
    assert plan.header[0] == "Imię"
    report = run_import(sqlite_rules, plan, ImportOptions())
    assert counts(report) == {"inserted": 3}
    assert [t[:3] for t in all_leads()] == [
        (f"{first} {last}", firm, job) for first, last, firm, job, _ in POLISH_ROWS
    ]
    assert [t[3] for t in all_leads()] == ["+48512345678", "+48221234567", "+48601234567"]


def test_an_encoding_given_is_used_and_a_wrong_one_refused(tmp_path):
    path = write_file(tmp_path, "eksport.csv", POLISH_CSV, "cp1250")
    assert plan_import(path, POLISH_MAP, encoding="windows-1250").samples[1].cells[1] == (
        "Żółtowska-Śliwińska"
    )
    with pytest.raises(FileRefused, match=r"^eksport\.csv is not UTF-8 text$"):
        plan_import(path, encoding="utf-8")
    with pytest.raises(FileRefused, match="'klingon' is not an encoding Python knows"):
        plan_import(path, encoding="klingon")
    with pytest.raises(FileRefused, match="must be one character"):
        plan_import(path, delimiter=";;")


@pytest.mark.parametrize(
    ("codec", "bom", "label"),
    [
        ("utf-16-le", True, "UTF-16"),  # Excel's "Unicode Text"
        ("utf-16-le", False, "UTF-16"),
        ("utf-16-be", True, "UTF-16 (big-endian)"),
        ("utf-16-be", False, "UTF-16 (big-endian)"),
    ],
)
def test_utf16_tab_separated_csv(sqlite_rules, tmp_path, codec, bom, label):
    text = POLISH_CSV.replace(";", "\t") + "陳美玲\t\t鴻海\t\tmeiling@example.tw\t\tTW\r\n"
    data = text.encode(codec)
    path = write_file(tmp_path, "unicode.txt", ("\ufeff".encode(codec) if bom else b"") + data)
    plan = plan_import(path, POLISH_MAP)
    assert plan.facts.encoding.label == label
    assert plan.kind_label == "CSV, tab-separated"
    assert plan.header == ["Imię", "Nazwisko", "Firma", "Stanowisko", "E-mail", "Telefon", "Kraj"]
    report = run_import(sqlite_rules, plan, ImportOptions())
    assert counts(report) == {"inserted": 4}
    assert all_leads()[1][:2] == ("Grażyna Żółtowska-Śliwińska", "PU „Źródło” sp. j.")
    assert all_leads()[3] == ("陳美玲", "鴻海", "", None, "meiling@example.tw", "TW", "", "")


def test_old_mac_line_ends_and_a_legacy_line_far_into_a_utf8_file(sqlite_rules, tmp_path):
    mac = write_file(
        tmp_path, "mac.csv", "Name,Email\rAnn Lee,ann@example.com\rBo Li,bo@example.com\r"
    )
    assert counts(do_import(sqlite_rules, mac)) == {"inserted": 2}
    # Past the 64 KiB the encoding is judged on, one line pasted from a Windows-1252 file.
    body = "Name,Email\n" + "".join(f"Person {i},p{i}@example.com\n" for i in range(3000))
    pasted = "Zoë Müller,zoe@example.com\n".encode("cp1252")
    mixed = write_file(
        tmp_path, "mixed.csv", body.encode() + pasted + b"Last One,last@example.com\n"
    )
    report = do_import(sqlite_rules, mixed)
    assert counts(report) == {"inserted": 3001, "refused": 1}
    assert examples(report) == {
        3002: ("refused", "row", "is not UTF-8 text (read as Windows-1252: check its letters)")
    }
    # The reject file holds the row as it could be read, to be checked by a person.
    assert read_rejects(report.rejects)[1][3:] == ["Zoë Müller", "zoe@example.com"]


# ------------------------------------------------------------------ --update


def test_update_fills_empty_fields_and_overwrite_replaces_them(rules, tmp_path):
    jurgen = rules.capture_lead(
        {"name": "Jürgen Weiß", "email": "juergen.weiss@mueller-soehne.de", "title": "Buyer"}
    )
    source = copy_fixture(tmp_path, TRADE_SHOW)
    report = do_import(rules, source, update=True)
    assert counts(report) == {"inserted": 7, "updated": 1, "duplicate": 1, "refused": 3}
    assert lead_tuple(Lead.get_by_id(jurgen.id)) == (
        "Jürgen Weiß",
        "Müller & Söhne GmbH",
        "Buyer",  # filled already: kept
        "+493012345678",  # read in the row's country
        "juergen.weiss@mueller-soehne.de",
        "DE",
        "Trade show",
        "Stand B12: Flottenangebot, Rückruf im März",
    )
    updates = History.select().where(
        (History.entity == "lead") & (History.entity_id == jurgen.id) & (History.action == "update")
    )
    assert {h.field for h in updates} >= {"company", "country", "notes", "source"}
    assert "title" not in {h.field for h in updates}

    replaced = do_import(rules, source, update=True, overwrite=True)
    assert counts(replaced) == {"updated": 1, "unchanged": 7, "duplicate": 1, "refused": 3}
    assert Lead.get_by_id(jurgen.id).title == "Einkaufsleiter"

    same = do_import(rules, source, update=True)
    assert counts(same) == {"unchanged": 8, "duplicate": 1, "refused": 3}
    assert Lead.select().count() == 8


def test_update_refuses_a_row_that_matches_several_leads(rules, tmp_path):
    anna = rules.capture_lead({"name": "Anna Kowalska", "email": "anna@kowalski.pl"})
    other = rules.capture_lead({"name": "A. Kowalska", "phone": "+48 512 345 678"})
    path = write_file(
        tmp_path,
        "kowalscy.csv",
        "Name,Email,Phone,Country\n"
        "Anna Kowalska,anna@kowalski.pl,512 345 678,PL\n"
        "Jan Kowalski,jan@kowalski.pl,,PL\n",
    )
    before = [lead_tuple(lead) for lead in (anna, other)]
    report = do_import(rules, path, update=True)
    assert counts(report) == {"inserted": 1, "refused": 1}
    reason = (
        f"matches several leads: #{anna.id} Anna Kowalska (email), #{other.id} A. Kowalska (phone)"
    )
    assert examples(report) == {2: ("refused", "email, phone", reason)}
    assert read_rejects(report.rejects)[1][:3] == ["2", "email, phone", reason]
    assert [lead_tuple(Lead.get_by_id(i)) for i in (anna.id, other.id)] == before
    # Without --update the same row is a duplicate of the first lead it matches.
    plain = do_import(rules, path)
    assert examples(plain)[2] == (
        "duplicate",
        "email",
        f"matches lead #{anna.id} Anna Kowalska (email)",
    )


def test_update_reads_a_national_phone_in_the_rows_country(sqlite_rules, tmp_path):
    anna = sqlite_rules.capture_lead(
        {"name": "Anna Nowak", "email": "anna@example.pl", "country": "DE"}
    )
    path = write_file(
        tmp_path,
        "anna.csv",
        "Name,Email,Phone,Country\nAnna Nowak,anna@example.pl,512 345 678,PL\n",
    )
    report = do_import(sqlite_rules, path, update=True)
    assert counts(report) == {"updated": 1}
    assert Lead.get_by_id(anna.id).phone_e164 == "+48512345678"


def test_overwrite_needs_update():
    assert ImportOptions(overwrite=True).problems() == [
        "--overwrite replaces fields of matching leads: use it with --update"
    ]
    assert ImportOptions(update=True, overwrite=True).problems() == []


# ------------------------------------------------------------------ dry run and --strict


def test_dry_run_writes_nothing_and_says_what_the_real_run_then_does(rules, tmp_path):
    rules.capture_lead({"name": "S. Miller", "email": "sarah.miller@blueridgefoods.com"})
    source = copy_fixture(tmp_path, TRADE_SHOW)
    before = stored_counts()
    dry = do_import(rules, source, dry_run=True)
    assert dry.dry_run and not dry.written
    assert stored_counts() == before
    assert "would be inserted" in dry.summary()
    real = do_import(rules, source)
    assert counts(dry) == counts(real) == {"inserted": 7, "duplicate": 2, "refused": 3}
    assert real.written and not real.dry_run
    assert Lead.select().count() == 8

    # The same with --update --overwrite: S. Miller and a changed title would be updated.
    rules.update_lead(lead_named("Jürgen Weiß").id, {"title": "Buyer"})
    before, leads_before = stored_counts(), all_leads()
    dry = do_import(rules, source, update=True, overwrite=True, dry_run=True)
    assert stored_counts() == before
    assert all_leads() == leads_before
    real = do_import(rules, source, update=True, overwrite=True)
    assert (
        counts(dry)
        == counts(real)
        == {
            "updated": 2,
            "unchanged": 6,
            "duplicate": 1,
            "refused": 3,
        }
    )
    assert lead_named("Jürgen Weiß").title == "Einkaufsleiter"
    sarah = Lead.get(Lead.email_norm == "sarah.miller@blueridgefoods.com")
    assert (sarah.name, sarah.company_key) == ("Sarah Miller", "blue ridge foods")


def test_strict_writes_nothing_when_any_row_is_refused(rules, tmp_path):
    before = stored_counts()
    report = do_import(rules, copy_fixture(tmp_path, TRADE_SHOW), strict=True)
    assert report.aborted == (
        "--strict: 3 rows refused, so nothing was written; fix them and import again"
    )
    assert report.counts["refused"] == 3 and not report.written
    assert stored_counts() == before == (0, 0, 0, 0)


def test_strict_imports_a_file_with_no_refusal_whole(rules, tmp_path):
    phases = []
    path = copy_fixture(tmp_path, SALESFORCE)
    plan = plan_import(path, ["Lead Source="])
    report = run_import(rules, plan, ImportOptions(strict=True), progress=phases.append)
    assert report.adds_up() and not report.aborted and report.written
    assert counts(report) == {"inserted": 6}
    assert Lead.select().count() == 6
    assert {p.phase for p in phases} == {"checking", "importing"}
    assert phases[-1].phase == "importing" and phases[-1].fraction == 1.0
    assert phases[-1].rows == 6


def test_strict_writes_nothing_when_the_database_refuses_a_row(rules, tmp_path):
    rules.capture_lead({"name": "Anna Kowalska", "email": "anna@kowalski.pl"})
    rules.capture_lead({"name": "A. Kowalska", "phone": "+48 512 345 678"})
    path = write_file(
        tmp_path,
        "kowalscy.csv",
        "Name,Email,Phone,Country\n"
        "Jan Kowalski,jan@kowalski.pl,,PL\n"
        "Anna Kowalska,anna@kowalski.pl,512 345 678,PL\n",
    )
    before = stored_counts()
    report = do_import(rules, path, update=True, strict=True)
    assert report.aborted.startswith("--strict: 1 row refused, so nothing was written")
    assert stored_counts() == before
    assert not Lead.select().where(Lead.email_norm == "jan@kowalski.pl").exists()


def analysed_tables() -> set[str]:
    """The tables whose planner statistics were gathered (by ANALYZE)."""
    if on_sqlite():
        if "sqlite_stat1" not in database.get_tables():
            return set()
        return {row[0] for row in database.execute_sql("SELECT DISTINCT tbl FROM sqlite_stat1")}
    rows = database.execute_sql(
        "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
    )
    return {row[0] for row in rows}


def test_an_import_that_wrote_rows_refreshes_the_planners_statistics(rules, tmp_path):
    source = copy_fixture(tmp_path, TRADE_SHOW)
    do_import(rules, source, dry_run=True)
    assert "lead" not in analysed_tables()  # a dry run wrote nothing to gather
    do_import(rules, source)
    assert {"lead", "company", "history"} <= analysed_tables()


# ------------------------------------------------------------------ export and round trips

HOSTILE_LEADS = [
    {
        "name": '=HYPERLINK("x")',
        "company": "=cmd|' /C calc'!A0",
        "title": "@admin",
        "phone": "+1 (201) 555-0123",
        "email": "=x@example.com",
        "country": "US",
        "source": "Web form",
        "notes": "line one\nline two, with a comma\n=1+2",
    },
    {
        "name": "+1 (foo)",
        "company": "-Minus GmbH",
        "title": "+Plus",
        "phone": "030 12345678",
        "email": "+tag@example.com",
        "country": "DE",
        "notes": 'He said "hi", then; left',
    },
    {
        "name": "[bold]x[/bold]",
        "company": "[red]Acme[/red]",
        "email": "-dash@example.com",
        "notes": "[link=http://x]y[/link]",
        "source": "Referral",
    },
    {
        "name": "王小明",
        "company": "台灣積體電路製造股份有限公司",
        "title": "採購經理",
        "phone": "0912 345 678",
        "country": "TW",
        "email": "xm@example.com.tw",
        "notes": "名片, 已掃描\n第二行",
    },
    {
        "name": "Zoë Ñúñez-Łęcka",
        "company": "Grupo Norte, S.A. de C.V.",
        "title": "Directora, Compras",
        "phone": "+52 55 1234 5678",
        "email": "zoe@gruponorte.mx",
        "country": "MX",
        "source": "Trade show",
        "notes": "-5 units\tper month",
    },
    {"name": "-42", "email": "minus@example.com", "notes": "@mention"},
]


def _export(fmt: str, path: Path, version: str = "3.0", **kwargs) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        return export_leads(out, fmt, vcard_version=version, **kwargs)


@pytest.mark.parametrize(
    ("fmt", "version"),
    [("csv", "3.0"), ("vcf", "3.0"), ("vcf", "4.0")],
    ids=["csv", "vcard3", "vcard4"],
)
def test_export_imports_back_into_an_empty_database_as_the_same_leads(
    rules, tmp_path, fmt, version
):
    for data in HOSTILE_LEADS:
        rules.capture_lead(data)
    before = all_leads()
    path = tmp_path / f"leads.{fmt}"
    assert _export(fmt, path, version) == len(HOSTILE_LEADS)

    close_database()
    open_database(str(tmp_path / "empty.db"))
    report = do_import(Funnel(load_config(), "bob"), path)
    assert counts(report) == {"inserted": len(HOSTILE_LEADS)}
    assert all_leads() == before


def test_values_beginning_with_an_apostrophe_survive_the_csv_round_trip(sqlite_rules, tmp_path):
    sqlite_rules.capture_lead(
        {"name": "'=literal", "email": "ap@example.com", "notes": "'+1 said he"}
    )
    before = all_leads()
    path = tmp_path / "leads.csv"
    _export("csv", path)
    close_database()
    open_database(str(tmp_path / "empty.db"))
    do_import(Funnel(load_config(), "bob"), path)
    assert all_leads() == before


FORMULA_START = re.compile(r"^(?:[=@\t\r]|[+-](?![0-9]+(?:\.[0-9]+)?$))")


def test_csv_export_neutralises_formulas_in_every_cell_and_keeps_e164_plain(rules, tmp_path):
    for data in HOSTILE_LEADS:
        rules.capture_lead(data)
    path = tmp_path / "leads.csv"
    _export("csv", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == list(EXPORT_COLUMNS)
    assert len(rows) == len(HOSTILE_LEADS)
    for row in rows:
        for column, cell in zip(header, row, strict=True):
            assert not FORMULA_START.match(cell), (column, cell)
    first = dict(zip(header, rows[0], strict=True))
    assert first["name"] == '\'=HYPERLINK("x")'
    assert first["company"] == "'=cmd|' /C calc'!A0"
    assert first["title"] == "'@admin"
    assert first["email"] == "'=x@example.com"
    assert first["notes"] == "line one\nline two, with a comma\n=1+2"  # "=" not first
    assert first["phone"] == "+12015550123"  # E.164: a plain number, left plain
    assert first["phone_display"] == "'+1 201-555-0123"
    assert first["phone_as_typed"] == "'+1 (201) 555-0123"
    second = dict(zip(header, rows[1], strict=True))
    assert (second["name"], second["company"], second["title"], second["email"]) == (
        "'+1 (foo)",
        "'-Minus GmbH",
        "'+Plus",
        "'+tag@example.com",
    )
    assert second["phone"] == "+493012345678"
    assert dict(zip(header, rows[2], strict=True))["email"] == "'-dash@example.com"
    last = dict(zip(header, rows[5], strict=True))
    assert (last["name"], last["notes"]) == ("-42", "'@mention")  # a number stays a number

    # JSON carries the values themselves, no apostrophes.
    as_json = tmp_path / "leads.json"
    _export("json", as_json)
    records = json.loads(as_json.read_text(encoding="utf-8"))
    assert [r["name"] for r in records] == [d["name"] for d in HOSTILE_LEADS]
    assert records[0]["phone"] == "+12015550123" and records[0]["company"] == "=cmd|' /C calc'!A0"
    assert list(records[0]) == list(EXPORT_COLUMNS)


def test_export_gives_a_next_actions_time_beside_its_date(rules, clock, tmp_path):
    timed = rules.capture_lead({"name": "Timed", "email": "timed@example.com"})
    whole = rules.capture_lead({"name": "Whole Day", "email": "whole@example.com"})
    at = (clock() + dt.timedelta(days=1)).replace(hour=14, minute=30, second=0, microsecond=0)
    rules.log_activity(lead_id=timed.id, kind="call", next_action="Call back",
                       next_due=at.date(), next_at=at)  # fmt: skip
    rules.log_activity(lead_id=whole.id, kind="call", next_action="Send the quote",
                       next_due=at.date())  # fmt: skip
    as_json, as_csv = tmp_path / "leads.json", tmp_path / "leads.csv"
    _export("json", as_json)
    _export("csv", as_csv)
    records = {r["name"]: r for r in json.loads(as_json.read_text(encoding="utf-8"))}
    assert records["Timed"]["next_action_at"] == at.isoformat() + "Z"  # as every time in JSON
    assert records["Whole Day"]["next_action_at"] is None
    rows = list(csv.DictReader(as_csv.open(encoding="utf-8-sig")))
    assert [r["next_action_at"] for r in rows[-2:]] == [at.isoformat() + "Z", ""]  # UTC


def test_export_takes_only_the_leads_the_filter_names(rules, tmp_path):
    gone = rules.capture_lead({"name": "Gone Away", "email": "gone@example.com"})
    rules.capture_lead({"name": "Still Here", "email": "here@example.com"})
    rules.set_status(gone.id, "unqualified", reason="No budget")
    path = tmp_path / "gone.vcf"
    flt = parse_filter(rules.config, ["unqualified"], [])
    assert _export("vcf", path, "4.0", flt=flt) == 1
    raw = path.read_bytes()
    assert raw.count(b"BEGIN:VCARD") == 1 and b"\r\nFN:Gone Away\r\n" in raw
    assert raw.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")  # CRLF, as vCard requires
    path = tmp_path / "all.csv"
    assert _export("csv", path) == 2


def test_apostrophes_that_kept_a_formula_from_running_are_taken_off(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "edited.csv",
        "Name,Email,Notes,Title\n"
        "'=SUM(A1),f1@example.com,'+1 (foo),'@head\n"
        "'Tis Me,f2@example.com,'-x,It's fine\n",
    )
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 2}
    assert [t[0] for t in all_leads()] == ["=SUM(A1)", "'Tis Me"]
    assert [t[7] for t in all_leads()] == ["+1 (foo)", "-x"]
    assert [t[2] for t in all_leads()] == ["@head", "It's fine"]


# ------------------------------------------------------------------ files that are not right


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return out.getvalue()


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty.csv is empty"),
        ("blank.csv", b"\r\n   \r\n\t\r\n", "blank.csv is empty"),
        (
            "contacts.csv",
            _xlsx(),  # a workbook, but a damaged one
            "contacts.csv could not be read as an Excel workbook",
        ),
        ("sheet.ods", _ods(), "sheet.ods is a zip archive (an .ods workbook?): save it as CSV"),
        ("old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "an Excel .xls workbook"),
        ("scan.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "scan.csv is a PDF document"),
        ("leads.csv", b"\x1f\x8b\x08\x00" + bytes(100), "a gzip archive: unpack it first"),
        ("logo.vcf", b"\x89PNG\r\n\x1a\n" + bytes(100), "logo.vcf is a PNG image"),
        ("funnel.csv", b"SQLite format 3\x00" + bytes(100), "a SQLite database"),
        ("ctrl.csv", bytes(range(1, 32)) * 100, "ctrl.csv is a binary file, not CSV or vCard"),
        ("noise.csv", random.Random(8).randbytes(4096), "noise.csv is a binary file"),
    ],
    # Not the bytes in the ids: the zip archives hold the time they were made, and the
    # two processes of `pytest -n 2` must collect the same ids.
    ids=lambda value: value if isinstance(value, str) and len(value) < 16 else "data",
)
def test_files_that_are_not_leads_are_refused_with_a_clear_message(tmp_path, name, data, message):
    path = write_file(tmp_path, name, data)
    with pytest.raises(FileRefused) as refused:
        plan_import(path)
    assert message in str(refused.value)


def test_a_missing_file_or_a_folder_is_refused_by_name(tmp_path):
    with pytest.raises(FileRefused, match="No such file or directory"):
        plan_import(tmp_path / "nowhere.csv")
    with pytest.raises(FileRefused, match="is a folder, not a file"):
        plan_import(tmp_path)


def test_a_header_without_rows_reads_no_rows(sqlite_rules, tmp_path):
    path = write_file(tmp_path, "header.csv", "Name,Email,Phone\r\n,,\r\n\r\n")
    report = do_import(sqlite_rules, path)
    assert report.rows_read == 0 and counts(report) == {}
    assert report.rejects is None and not (tmp_path / "header-rejected.csv").exists()
    assert Lead.select().count() == 0


def test_ragged_rows_are_refused_only_when_cells_would_be_lost(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "ragged.csv",
        "Name,Email,Company\n"
        "Ann Lee,ann@example.com,Acme,stray cell\n"  # more cells than the header, filled
        "Bo Li,bo@example.com\n"  # fewer: the rest empty
        "Cy Ng,cy@example.com,Initech,,\n",  # more, but empty: trailing delimiters
    )
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 2, "refused": 1}
    assert examples(report) == {
        2: (
            "refused",
            "row",
            "has 4 cells but the header has 3 (a stray delimiter, or a quote not closed?)",
        )
    }
    assert read_rejects(report.rejects)[1][3:] == [
        "Ann Lee",
        "ann@example.com",
        "Acme",
        "stray cell",
    ]
    assert [t[:2] for t in all_leads()] == [("Bo Li", ""), ("Cy Ng", "Initech")]


def test_a_repeated_header_is_not_imported_twice(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "twice.csv",
        "Name,Email,Phone,Email\n"
        "Ann Lee,ann@example.com,,other@example.com\n"
        "Bo Li,,,bo@example.com\n",
    )
    plan = plan_import(path)
    assert [(c.header, c.field, c.how) for c in plan.column_map.columns][3] == (
        "Email",
        "",
        "duplicate header",
    )
    report = run_import(sqlite_rules, plan, ImportOptions())
    assert counts(report) == {"inserted": 1, "refused": 1}
    assert examples(report)[3][1] == "contact"  # the second Email column was not read
    assert all_leads()[0][4] == "ann@example.com"


@pytest.mark.parametrize(
    ("column", "field", "limit"),
    [("Notes", "notes", 20000), ("Name", "name", 500), ("Company", "company", 500)],
)
def test_a_100000_character_cell_is_refused_naming_its_field(
    sqlite_rules, tmp_path, column, field, limit
):
    cells = {"Name": "Ann Lee", "Email": "ann@example.com", "Notes": "ok", "Company": "Acme"}
    cells[column] = "x" * 100_000
    path = write_file(
        tmp_path,
        "long.csv",
        ",".join(cells) + "\n" + ",".join(cells.values()) + "\nBo Li,bo@example.com,fine,Initech\n",
    )
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 1, "refused": 1}
    assert examples(report) == {
        2: ("refused", field, f"{field}: is 100000 characters long; at most {limit} fit")
    }
    assert len(read_rejects(report.rejects)[1][3 + list(cells).index(column)]) == 100_000


def test_a_line_too_long_to_be_a_row_is_skipped_as_it_streams(sqlite_rules, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.write(b"Name,Email,Notes\n")
        for i in range(60):
            f.write(b"Person %d,p%d@example.com,ok\n" % (i, i))
        f.write(b"Blob,blob@example.com," + b"x" * (40 * 1024 * 1024) + b"\n")
        f.write(b"After Blob,after@example.com,read on\n")
    tracemalloc.start()
    try:
        rows = list(CsvRows(inspect_file(path)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 25 * 1024 * 1024, f"{peak:,} bytes held for a 40 MB line"
    assert rows[-2].number == 62 and rows[-2].problems == [
        "has a line longer than 4 MB, which was not read"
    ]
    assert rows[-1].cells == ["After Blob", "after@example.com", "read on"]
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 61, "refused": 1}
    assert examples(report)[62][:2] == ("refused", "row")
    assert lead_named("After Blob").notes == "read on"


def test_a_line_too_long_near_the_top_refuses_its_row_not_the_file(sqlite_rules, tmp_path):
    path = tmp_path / "photo_column.csv"
    with path.open("wb") as f:
        f.write(b"Name,Email,Photo\n")
        f.write(b"Ann Lee,ann@example.com,small\n")
        f.write(b"Bo Li,bo@example.com," + b"A" * (5 * 1024 * 1024) + b"\n")
        f.write(b"Cy Ng,cy@example.com,small\n")
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 2, "refused": 1}


def test_a_quote_never_closed_does_not_swallow_the_rows_after_it(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "unclosed.csv",
        'Name,Email,Notes\nAnn Lee,ann@example.com,"said ""call me\n'
        "Bo Li,bo@example.com,x\nCy Ng,cy@example.com,y\n",
    )
    report = do_import(sqlite_rules, path)
    assert report.counts["refused"] >= 1 or Lead.select().count() == 3
    assert not Lead.select().where(Lead.notes.contains("cy@example.com")).exists()


def test_a_file_named_for_one_type_but_holding_the_other_is_read_as_what_it_holds(
    sqlite_rules, tmp_path
):
    card = write_file(
        tmp_path,
        "contacts.csv",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n",
    )
    plan = plan_import(card)
    assert plan.kind_label == "vCard"
    assert plan.facts.notes == (
        "contacts.csv is named like a CSV file but holds vCards: read as vCards",
    )
    rows = write_file(tmp_path, "phone.vcf", "Name,Email\nBo Li,bo@example.com\n")
    plan_rows = plan_import(rows)
    assert plan_rows.kind_label == "CSV, comma-separated"
    assert plan_rows.facts.notes == (
        "phone.vcf is named like a vCard file but holds CSV: read as CSV",
    )
    assert (
        counts(do_import(sqlite_rules, card))
        == counts(do_import(sqlite_rules, rows))
        == {"inserted": 1}
    )
    assert [t[0] for t in all_leads()] == ["Ann Lee", "Bo Li"]


def test_broken_and_cut_off_vcards_are_refused_one_card_at_a_time(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "broken.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEMAIL:ann@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN;;;;:\n:::\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Bo Li\nNOTE:"
        + "n"
        * 100_000
        + "\nEMAIL:bo@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Cy Ng\nEMAIL:cy@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Di Cut\nEMAIL:di@example.com\n",
    )
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 2, "refused": 3}
    seen = examples(report)
    assert seen[2][:2] == ("refused", "row") and seen[2][2].startswith("could not be read")
    assert seen[3] == ("refused", "notes", "notes: is 100000 characters long; at most 20000 fit")
    assert seen[5] == ("refused", "row", "has no END:VCARD (the file is cut off?)")
    assert [t[0] for t in all_leads()] == ["Ann Lee", "Cy Ng"]


def test_excels_sep_line_above_the_header_is_not_the_header(tmp_path):
    path = write_file(
        tmp_path,
        "excel.csv",
        "sep=;\r\nName;Email;Phone\r\nAnn Lee;ann@example.com;+48 512 345 678\r\n",
    )
    plan = plan_import(path)
    assert plan.header == ["Name", "Email", "Phone"]
    assert plan.column_map.problems() == []


def test_a_map_without_a_name_or_a_contact_is_said_before_anything_is_read(tmp_path):
    no_name = write_file(tmp_path, "a.csv", "Foo,Email\nx,a@example.com\n")
    assert plan_import(no_name).column_map.problems() == [
        'no column is the name: choose one (e.g. --map "Contact=name")'
    ]
    no_contact = write_file(tmp_path, "b.csv", "Name,Company\nAnn,Acme\n")
    assert plan_import(no_contact).column_map.problems() == [
        "no column is a phone or an email: a lead needs one of them"
    ]


def test_a_reject_file_named_like_the_input_is_refused_and_the_input_kept(sqlite_rules, tmp_path):
    text = "Name,Email\nAnn Lee,ann@example.com\nBad Row,bad@@example.com\n"
    path = write_file(tmp_path, "leads.csv", text)
    link = tmp_path / "same.csv"
    link.symlink_to(path)
    for rejects in (path, link):
        with pytest.raises(FileRefused, match="is the file being imported; choose another"):
            run_import(sqlite_rules, plan_import(path), ImportOptions(rejects=rejects))
        assert path.read_text(encoding="utf-8") == text
    assert Lead.select().count() == 0


# ------------------------------------------------------------------ batches and stops


# Smaller than the importer's own, so that 1,200 rows make several batches.
SMALL_BATCH = 500


def _many_rows(tmp_path: Path, n: int) -> Path:
    lines = ["Name,Email,Company\n"] + [
        f"Person {i},person{i}@example.com,Firma {i % 7}\n" for i in range(n)
    ]
    return write_file(tmp_path, "many.csv", "".join(lines))


def _check_whole_batches(expected_leads: int) -> None:
    """What a stopped import leaves: whole rows from the top of the file, each lead with
    its history and search entry, no company without its lead."""
    leads = Lead.select().count()
    assert leads == expected_leads
    origins = import_history()
    assert len(origins) == leads and set(origins) == {lead.id for lead in Lead.select()}
    assert sorted(o["row"] for o in origins.values()) == list(range(2, leads + 2))
    used = {lead.company_id for lead in Lead.select() if lead.company_id}
    assert {c.id for c in Company.select()} == used
    if on_sqlite():
        indexed = database.execute_sql('SELECT count(*) FROM "lead_search"').fetchone()[0]
        assert indexed == leads


def test_a_batch_the_database_refuses_is_all_out_and_a_rerun_adds_the_rest(
    rules, tmp_path, monkeypatch
):
    path = _many_rows(tmp_path, 1200)
    calls = itertools.count(1)
    insert = rules.insert_leads

    def failing(*args, **kwargs):
        if next(calls) == 2:  # the second batch
            raise peewee.IntegrityError("simulated: disk full")
        return insert(*args, **kwargs)

    monkeypatch.setattr(rules, "insert_leads", failing)
    report = do_import(rules, path, batch_rows=SMALL_BATCH)
    leads = Lead.select().count()
    assert leads == SMALL_BATCH
    assert report.counts["inserted"] == leads
    assert "the database refused a batch (simulated: disk full)" in report.aborted
    assert f"before row {leads + 2:,} are in" in report.aborted
    _check_whole_batches(leads)

    monkeypatch.setattr(rules, "insert_leads", insert)
    again = do_import(rules, path, batch_rows=SMALL_BATCH)
    assert counts(again) == {"inserted": 1200 - leads, "duplicate": leads}
    _check_whole_batches(1200)


def test_cancel_stops_after_a_whole_batch_and_a_rerun_adds_the_rest(rules, tmp_path):
    path = _many_rows(tmp_path, 1200)
    cancel = threading.Event()
    cancel.set()
    report = run_import(
        rules, plan_import(path), ImportOptions(batch_rows=SMALL_BATCH), cancel=cancel
    )
    assert report.adds_up()
    leads = Lead.select().count()
    assert 0 < leads < 1200 and report.counts["inserted"] == leads
    assert re.match(r"stopped after row [0-9,]+; import the file again", report.aborted)
    _check_whole_batches(leads)
    again = do_import(rules, path)
    assert counts(again) == {"inserted": 1200 - leads, "duplicate": leads}
    assert Lead.select(peewee.fn.COUNT(peewee.fn.DISTINCT(Lead.email_norm))).scalar() == 1200


@pytest.mark.parametrize("stop", ["database refuses a batch", "cancelled"])
def test_strict_stopped_early_leaves_nothing_written(rules, tmp_path, monkeypatch, stop):
    path = _many_rows(tmp_path, 1200)
    cancel = threading.Event()
    if stop == "cancelled":

        def progress(p):
            if p.phase == "importing":  # the check is done: the writing has begun
                cancel.set()

    else:
        progress = None
        calls, insert = itertools.count(1), rules.insert_leads

        def failing(*args, **kwargs):
            if next(calls) == 2:  # the second batch
                raise peewee.IntegrityError("simulated: disk full")
            return insert(*args, **kwargs)

        monkeypatch.setattr(rules, "insert_leads", failing)
    before = stored_counts()
    options = ImportOptions(strict=True, batch_rows=SMALL_BATCH)
    report = run_import(rules, plan_import(path), options, progress=progress, cancel=cancel)
    assert report.aborted  # it did stop early
    assert stored_counts()[:3] == before[:3]  # no lead, history or company


# ------------------------------------------------------------------ the second process


def _mixed_rows(tmp_path: Path, n: int) -> Path:
    """Rows of every kind: new, refused (a broken email), repeating an earlier row of
    the file, and ragged."""
    lines = ["Name,Email,Company,Phone,Country\n"]
    for i in range(n):
        if i % 50 == 7:
            lines.append(f"Broken {i},broken{i}(at)example.com,Firma {i % 9},,\n")
        elif i % 50 == 19:
            lines.append(f"Again {i},person{i - 10}@example.com,,,\n")
        elif i % 97 == 3:
            lines.append(f"Ragged {i},ragged{i}@example.com,Firma,,DE,extra,cells\n")
        else:
            lines.append(f"Person {i},person{i}@example.com,Firma {i % 9},030 {i:07d},DE\n")
    return write_file(tmp_path, "mixed.csv", "".join(lines))


def test_rows_checked_in_a_second_process_come_out_as_if_checked_here(rules, tmp_path, monkeypatch):
    path = _mixed_rows(tmp_path, 3000)
    here = run_import(rules, plan_import(path), ImportOptions(dry_run=True), parallel=False)
    assert here.counts["refused"] > 60 and here.counts["duplicate"] >= 60

    # A dry run writes nothing, so this process is idle: it asks the other for rows to
    # check itself, and does.
    checked_here = []
    check_chunk = checking._check_chunk

    def counted(*args):
        checked_here.append(len(args[0]))
        return check_chunk(*args)

    monkeypatch.setattr(checking, "_check_chunk", counted)
    shared = run_import(rules, plan_import(path), ImportOptions(dry_run=True), parallel=True)
    assert checked_here, "no rows were handed back to be checked here"
    assert sum(checked_here) < 3000, "the other process checked no rows"
    assert (shared.counts, shared.rows_read) == (here.counts, here.rows_read)
    assert shared.examples == here.examples

    report = run_import(rules, plan_import(path), ImportOptions(), parallel=True)
    assert report.adds_up() and report.counts == {**here.counts}
    assert Lead.select().count() == here.counts["inserted"]
    again = run_import(rules, plan_import(path), ImportOptions(), parallel=True)
    assert again.counts["inserted"] == 0
    assert again.counts["duplicate"] == here.counts["inserted"] + here.counts["duplicate"]
