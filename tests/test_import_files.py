"""Files as other software writes them: headers of other tools and languages, names in
their own order, extra phones and emails kept in the notes, vCards whose country is not
known, extensions and names through an export and back, a reject file imported again.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.person_names import join_name, split_name
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead
from funnel_tui.transfer.exporter import export_leads
from funnel_tui.transfer.importer import ImportReport, run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import
from funnel_tui.transfer.vcards import card_fields


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


def mapped(path: Path) -> dict[str, str]:
    return {c.header: c.field for c in plan_import(path).column_map.columns}


@pytest.fixture
def sqlite_rules(sqlite_path):
    open_database(sqlite_path)
    yield Funnel(load_config(), "alice")
    close_database()


# ------------------------------------------------------------------ names in their own order


def test_name_parts_are_joined_in_the_order_of_their_script_and_country():
    assert join_name("伟", "李") == "李伟"
    assert join_name("美玲", "陳") == "陳美玲"
    assert join_name("민준", "김") == "김민준"
    assert join_name("花子", "山田") == "山田花子"
    assert join_name("János", "Kovács", country="HU") == "Kovács János"
    assert join_name("Anna", "Nowak", middle="Maria") == "Anna Maria Nowak"
    assert join_name("Wei", "Li", country="CN") == "Wei Li"  # Latin letters: as written
    assert join_name("", "李") == "李"


def test_csv_first_and_last_name_become_a_name_in_its_own_order(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "names.csv",
        "First Name,Last Name,Email,Country\n"
        "伟,李,li.wei@example.cn,CN\n"
        "János,Kovács,janos@example.hu,Hungary\n"
        "Łucja,Wójcik,lucja@example.pl,PL\n",
    )
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 3}
    assert [lead.name for lead in Lead.select().order_by(Lead.id)] == [
        "李伟",
        "Kovács János",
        "Łucja Wójcik",
    ]


def test_a_vcard_with_n_and_no_fn_joins_the_name_by_its_script():
    card = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:李;伟;;;\r\nTEL:+8613800138000\r\nEND:VCARD\r\n"
    assert card_fields(card)["name"] == "李伟"
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;John;Q.;Dr.;Jr.\r\nEMAIL:j@x.com\r\nEND:VCARD\r\n"
    assert card_fields(card)["name"] == "Dr. John Q. Smith Jr."
    # An FN joined given name first from a CJK N is joined again in the name's order;
    # any other FN is kept as written.
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:伟 李\r\nN:李;伟;;;\r\nEMAIL:l@x.cn\r\nEND:VCARD\r\n"
    assert card_fields(card)["name"] == "李伟"
    card = card.replace("FN:伟 李", "FN:小李")
    assert card_fields(card)["name"] == "小李"


def test_a_stored_name_splits_into_a_vcards_n_modestly():
    assert split_name("Sr. Mr. John Smith") == ("Smith", "John", "", "Sr. Mr.", "")
    assert split_name("John Smith Jr.") == ("Smith", "John", "", "", "Jr.")
    assert split_name("陳美玲") == ("陳", "美玲", "", "", "")
    assert split_name("歐陽修文") == ("歐陽", "修文", "", "", "")
    assert split_name("山田花子", "JP") == ("山田花子", "", "", "", "")
    assert split_name("Kovács János", "HU") == ("Kovács", "János", "", "", "")
    assert split_name("María José Núñez Peña", "MX") == ("Núñez Peña", "María", "José", "", "")
    assert split_name("Ludwig van Beethoven") == ("van Beethoven", "Ludwig", "", "", "")
    assert split_name("Cher") == ("Cher", "", "", "", "")


def test_vcard_export_writes_n_from_the_stored_name(sqlite_rules, tmp_path):
    sqlite_rules.capture_lead({"name": "Sr. Mr. John Smith", "email": "john@example.com"})
    sqlite_rules.capture_lead({"name": "陳美玲", "email": "ml@example.tw", "country": "TW"})
    out = tmp_path / "leads.vcf"
    with out.open("w", encoding="utf-8", newline="") as f:
        export_leads(f, "vcf")
    text = out.read_bytes().decode("utf-8")
    assert "N:Smith;John;;Sr. Mr.;\r\n" in text
    assert "FN:Sr. Mr. John Smith\r\n" in text
    assert "N:陳;美玲;;;\r\n" in text


# ------------------------------------------------------------------ headers of other tools


def test_chinese_headers_are_recognised(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "客戶.csv",
        "姓名,公司,職稱,電話,手機,電子郵件,來源,國家,備註,負責人\n"
        "王小明,台灣積體電路,採購經理,02-2345-6789,0912-345-678,xm@example.tw,Referral,台灣,名片,alice\n",
    )
    assert mapped(path) == {
        "姓名": "name",
        "公司": "company",
        "職稱": "title",
        "電話": "phone",
        "手機": "phone",
        "電子郵件": "email",
        "來源": "source",
        "國家": "country",
        "備註": "notes",
        "負責人": "owner",
    }
    simplified = write_file(tmp_path, "客户.csv", "姓名,公司,电话,手机,电子邮件,来源,国家\n")
    assert set(mapped(simplified).values()) == {
        "name", "company", "phone", "email", "source", "country"
    }  # fmt: skip
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 1}
    lead = Lead.get()
    assert (lead.name, lead.country, lead.phone_e164) == ("王小明", "TW", "+886912345678")
    assert lead.notes == "名片\n電話: 02-2345-6789"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # German and Polish
        ("Vorname;Nachname;Firma;Position;Telefon;Handy;E-Mail;Land;Quelle;Bemerkungen",
         ["first_name", "last_name", "company", "title", "phone", "phone", "email", "country",
          "source", "notes"]),
        ("Imię;Nazwisko;Nazwa firmy;Stanowisko;Telefon;Adres e-mail;Kraj;Źródło;Uwagi;Opiekun",
         ["first_name", "last_name", "company", "title", "phone", "email", "country", "source",
          "notes", "owner"]),
        # German and Polish, more spellings
        ("Name;Handynummer;Mobil;Komentarz;Handlowiec;郵件",
         ["name", "phone", "phone", "notes", "owner", "email"]),
        # HubSpot
        ("Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,"
         "Job Title,Contact owner,Original Source,Country/Region",
         ["", "first_name", "last_name", "email", "phone", "phone", "company", "title", "owner",
          "source", "country"]),
        # Outlook's export in German and in Polish
        ("Vorname;Nachname;Firma;Position;Telefon geschäftlich;Telefon privat;Mobiltelefon;"
         "E-Mail-Adresse;E-Mail 2: Adresse;Land/Region geschäftlich;Notizen",
         ["first_name", "last_name", "company", "title", "phone", "phone", "phone", "email",
          "email", "country", "notes"]),
        ("Imię;Nazwisko;Firma;Stanowisko;Telefon służbowy;Telefon domowy;Telefon komórkowy;"
         "Adres e-mail;Adres e-mail 2;Kraj/region (służbowy);Notatki",
         ["first_name", "last_name", "company", "title", "phone", "phone", "phone", "email",
          "email", "country", "notes"]),
        # Chinese landlines
        ("姓名,座机,市話,电子邮件", ["name", "phone", "phone", "email"]),
        # HubSpot, a contact's company as its export names it
        ("First Name,Last Name,Email,Associated Company",
         ["first_name", "last_name", "email", "company"]),
        # Pipedrive (persons)
        ("Person - Name,Person - Organization,Person - Email - Work,Person - Phone - Work,"
         "Person - Owner",
         ["name", "company", "email", "phone", "owner"]),
        # Zoho (leads)
        ("Record Id,Lead Owner,Salutation,First Name,Last Name,Company,Designation,Email,"
         "Secondary Email,Phone,Mobile,Lead Source,Country,Description",
         ["", "owner", "", "first_name", "last_name", "company", "title", "email", "email",
          "phone", "phone", "source", "country", "notes"]),
        # Odoo (CRM leads)
        ("Contact Name,Company Name,Job Position,Email,Phone,Mobile,Country,Salesperson,"
         "Source,Internal Notes",
         ["name", "company", "title", "email", "phone", "phone", "country", "owner", "source",
          "notes"]),
        # Google Contacts
        ("Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Value,"
         "Phone 1 - Type,Phone 1 - Value,Phone 2 - Value,Address 1 - Country,"
         "Organization 1 - Name,Organization 1 - Title",
         ["name", "first_name", "last_name", "", "email", "email", "", "phone", "phone",
          "country", "company", "title"]),
        # Outlook
        ("First Name,Middle Name,Last Name,Email Work,Email Home,Home Mobile,Business Phone,"
         "Work Country,Company",
         ["first_name", "middle_name", "last_name", "email", "email", "phone", "phone",
          "country", "company"]),
        # Thunderbird
        ("First Name,Last Name,Display Name,Primary Email,Secondary Email,Work Phone,"
         "Mobile Number,Home Country,Organization,Job Title",
         ["first_name", "last_name", "name", "email", "email", "phone", "phone", "country",
          "company", "title"]),
    ],
    ids=["german", "polish", "more-spellings", "hubspot", "outlook-de", "outlook-pl",
         "landlines", "hubspot-associated", "pipedrive",
         "zoho", "odoo", "google", "outlook", "thunderbird"],
)  # fmt: skip
def test_headers_of_other_tools_and_languages_are_recognised(tmp_path, header, expected):
    delimiter = ";" if ";" in header else ","
    path = write_file(tmp_path, "export.csv", header + "\n" + delimiter * header.count(delimiter))
    assert list(mapped(path).values()) == expected


def test_funnels_own_export_maps_its_owner_column(tmp_path):
    path = write_file(tmp_path, "leads.csv", "id,name,email,owner\n1,Ann,ann@example.com,alice\n")
    assert mapped(path)["owner"] == "owner"


# ------------------------------------------------------------------ extras into the notes


def test_a_google_csvs_second_phone_and_email_go_into_the_notes(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "google.csv",
        "Name,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,Phone 2 - Value,"
        "Organization 1 - Name,Address 1 - Country,Notes\n"
        "Katrin Hoffmann,k@example.de,katrin.h@example.de,+49 170 1234567,"
        "+49 30 12345678,Hoffmann & Partner,Deutschland,Met in Munich\n",
    )
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 1}
    lead = Lead.get()
    assert (lead.email_norm, lead.phone_e164, lead.country) == (
        "k@example.de",
        "+491701234567",
        "DE",
    )
    assert lead.notes == "Met in Munich\nE-mail 2: katrin.h@example.de\nPhone 2: +49 30 12345678"


# ------------------------------------------------------------------ vCards


def test_a_vcard_whose_country_is_not_known_keeps_the_card(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "cards.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:John Doe\r\nTEL:+1 201 555 0123\r\n"
        "ADR;TYPE=work:;;1 Main St;Springfield;;;U.S.A.\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Pérez\r\nEMAIL:ana@example.pe\r\n"
        "ADR:;;Av. Larco 1;Lima;;;Perú\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zed Zee\r\nEMAIL:zed@example.com\r\n"
        "ADR;TYPE=home:;;;;;;Atlantis\r\nEND:VCARD\r\n",
    )
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 3}
    john, ana, zed = Lead.select().order_by(Lead.id)
    assert (john.country, ana.country, zed.country) == ("US", "PE", "")
    assert zed.notes == "Address country (home): Atlantis"


# ------------------------------------------------------------------ round trips


def test_an_extension_survives_export_and_import_again(rules, tmp_path):
    rules.capture_lead({"name": "Eva Braun", "phone": "+49 30 1234567 ext. 12"})
    exported = {}
    for fmt, version in (("csv", "3.0"), ("vcf", "3.0"), ("vcf", "4.0")):
        path = tmp_path / f"leads-{version}.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as f:
            export_leads(f, fmt, vcard_version=version)
        exported[path] = path.read_text(encoding="utf-8")
    for path in exported:
        close_database()
        open_database(str(tmp_path / f"{path.name}.db"))
        assert counts(do_import(Funnel(load_config(), "bob"), path)) == {"inserted": 1}
        lead = Lead.get()
        assert (lead.phone_e164, lead.phone_display) == (
            "+49301234567",
            "+49 30 1234567 ext. 12",
        ), path.name


def test_a_reject_file_imported_again_does_not_nest_its_reasons(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path, "list.csv", "Name,Email,Phone\nAnn Lee,not-an-email,\nBo Li,bo@example.com,\n"
    )
    first = do_import(sqlite_rules, path)
    assert counts(first) == {"inserted": 1, "refused": 1}
    again = do_import(sqlite_rules, first.rejects)  # still refused, as it was not fixed
    assert counts(again) == {"refused": 1}
    with again.rejects.open(encoding="utf-8-sig", newline="") as f:
        header, row = list(csv.reader(f))
    assert header == ["import row", "refused field", "refusal reason", "Name", "Email", "Phone"]
    assert row[0] == "2" and row[3:] == ["Ann Lee", "not-an-email", ""]


# ------------------------------------------------------------------ lines above the header

LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address using this setting."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Anna,Kowalska,https://www.linkedin.com/in/anna,anna@example.pl,Firma X,Manager,01 Feb 2025\n"
    "Ben,Ode,https://www.linkedin.com/in/ben,,Acme,CTO,02 Feb 2025\n"
)


def test_linkedins_notes_above_the_header_are_skipped(sqlite_rules, tmp_path):
    path = write_file(tmp_path, "Connections.csv", LINKEDIN)
    plan = plan_import(path)
    assert plan.header[:4] == ["First Name", "Last Name", "URL", "Email Address"]
    assert plan.facts.notes == ("the header is line 4: the 3 lines above it are skipped",)
    assert plan.column_map.problems() == []
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 1, "refused": 1}
    assert [o.row for o in report.examples] == [6]  # numbered as a spreadsheet shows it
    lead = Lead.get()
    assert (lead.name, lead.title) == ("Anna Kowalska", "Manager")


def test_skip_lines_on_the_command_line_says_where_the_header_is(cli_env, tmp_path):
    from .test_cli import run

    path = write_file(tmp_path, "Connections.csv", LINKEDIN)
    out = run(["import", str(path), "--skip-lines", "3", "--dry-run"], cli_env, 1).stdout
    assert "4. Email Address" in out and "1 would be inserted" in out
    # Skipping too few lines reads the notes as the header: no name column.
    result = run(["import", str(path), "--skip-lines", "1"], cli_env, 1)
    assert "no column is the name" in result.stderr


@pytest.mark.parametrize("parallel", [False, True], ids=["here", "second_process"])
def test_the_report_names_the_filled_columns_that_were_left_out(sqlite_rules, tmp_path, parallel):
    path = write_file(
        tmp_path,
        "google.csv",
        "Name,Nickname,Birthday,E-mail 1 - Type,E-mail 1 - Value,Phone Display\n"
        "Ann Lee,,1990-01-02,* Work,ann@example.com,+1 201 555 0123\n"
        "Bo Li,,,,bo@example.com,\n",
    )
    report = run_import(sqlite_rules, plan_import(path), ImportOptions(), parallel=parallel)
    assert counts(report) == {"inserted": 2}
    # Nickname is empty; funnel's own display column is known and not imported.
    assert report.left_out == ["Birthday", "E-mail 1 - Type"]
    assert report.left_out_note() == (
        "columns not imported, though filled: 'Birthday', 'E-mail 1 - Type'"
    )


def test_the_command_line_says_which_filled_columns_were_left_out(cli_env, tmp_path):
    from .test_cli import run

    path = write_file(tmp_path, "Connections.csv", LINKEDIN)
    out = run(["import", str(path), "--dry-run"], cli_env, 1).stdout
    assert "columns not imported, though filled: 'URL', 'Connected On'" in out
    out = run(["import", str(path), "--dry-run", "--format", "json"], cli_env, 1).stdout
    assert json.loads(out)["left_out"] == ["URL", "Connected On"]


# ------------------------------------------------------------------ Excel workbooks


def _workbook(path: Path) -> Path:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["Exported from our CRM"])
    leads = book.create_sheet("Leads")
    leads.append(["Report of 2025-02-01"])
    leads.append([])
    leads.append(["姓名", "公司", "手機", "電子郵件", "國家", "Birthday", "Employees"])
    leads.append(
        [
            "王小明",
            "台積電",
            "0912-345-678",
            "xm@example.tw",
            "台灣",
            dt.datetime(1990, 1, 2),
            250.0,
        ]
    )
    leads.append([None, None, None, None, None, None, None])
    leads.append(["Anna Nowak", "Firma", 48512345678, "anna@example.pl", "PL", None, None])
    book.save(path)
    return path


def test_an_excel_workbooks_best_sheet_is_imported_as_shown(sqlite_rules, tmp_path):
    path = _workbook(tmp_path / "客戶.xlsx")
    plan = plan_import(path)
    assert plan.kind_label == "Excel workbook"
    assert plan.facts.notes == (
        "read from its sheet 'Leads'",
        "the header is line 3: the 2 lines above it are skipped",
    )
    assert plan.header == ["姓名", "公司", "手機", "電子郵件", "國家", "Birthday", "Employees"]
    assert plan.samples[0].number == 4  # as Excel numbers the row
    assert plan.samples[0].cells[5:] == ["1990-01-02", "250"]  # as the sheet shows them
    report = do_import(sqlite_rules, path, "Employees=notes")
    assert counts(report) == {"inserted": 2}
    assert report.left_out == ["Birthday"]
    wang, anna = Lead.select().order_by(Lead.id)
    assert (wang.name, wang.phone_e164, wang.country, wang.notes) == (
        "王小明",
        "+886912345678",
        "TW",
        "250",
    )
    # A phone typed as a number: its digits read in the row's country.
    assert (anna.name, anna.phone_e164) == ("Anna Nowak", "+48512345678")


def test_a_refused_workbook_row_goes_to_the_reject_file_as_its_cells(sqlite_rules, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (
        ["Name", "Email", "Phone", None, None],
        ["Ann Lee", "ann@example.com", "+1 201 555 0123"],
        ["Ben", "not an email", None],
        ["Cy", "cy@example.com", None, None, "stray"],
    ):
        sheet.append(row)
    book.save(tmp_path / "leads.xlsx")
    report = do_import(sqlite_rules, tmp_path / "leads.xlsx")
    assert counts(report) == {"inserted": 1, "refused": 2}
    rejected = (tmp_path / "leads-rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0] == "import row,refused field,refusal reason,Name,Email,Phone"
    # The sheet's empty cells right of the header are not the row's (they were ",,").
    assert rejected[1].startswith("3,email,") and rejected[1].endswith(",Ben,not an email,")
    assert rejected[2].startswith("4,row,has cells beyond the header's 3 columns")
    assert rejected[2].endswith(",Cy,cy@example.com,,,stray")


def test_a_damaged_workbook_is_refused_by_name(tmp_path):
    import io
    import zipfile

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    path = write_file(tmp_path, "leads.xlsx", data.getvalue())
    from funnel_tui.core.errors import FileRefused

    with pytest.raises(FileRefused, match=r"^leads\.xlsx could not be read as an Excel workbook"):
        plan_import(path)


# ------------------------------------------------------------------ legacy code pages


def test_a_mostly_ascii_shift_jis_file_is_read_as_japanese(sqlite_rules, tmp_path):
    rows = "".join(f"Person {i},p{i}@example.jp,Example KK\r\n" for i in range(300))
    text = (
        "Name,Email,Company\r\n"
        + rows
        + (
            "山田太郎,yamada@example.jp,山田商事\r\n"
            "佐藤 花子,sato@example.jp,Example KK\r\n"
            "すずき いちろう,suzuki@example.jp,Example KK\r\n"
        )
    )
    path = write_file(tmp_path, "アドレス帳.csv", text, "cp932")
    plan = plan_import(path)
    assert plan.facts.encoding.label == "Shift JIS (Japanese)"
    assert plan.facts.notes == (
        "names as read in Shift JIS (Japanese): 山田太郎, 佐藤 花子, すずき いちろう "
        "(wrong letters? give --encoding)",
    )
    assert counts(run_import(sqlite_rules, plan, ImportOptions())) == {"inserted": 303}
    assert Lead.get(Lead.email_norm == "yamada@example.jp").name == "山田太郎"


def test_a_windows_1250_file_shows_its_polish_names_as_read(tmp_path):
    text = "Name;Email\r\nŁukasz Wójcik;lw@example.pl\r\nGrażyna Żółtowska;gz@example.pl\r\n"
    plan = plan_import(write_file(tmp_path, "kontakty.csv", text, "cp1250"))
    assert plan.facts.encoding.label == "Windows-1250 (Central European)"
    assert "Łukasz Wójcik, Grażyna Żółtowska" in plan.facts.notes[0]


@pytest.mark.parametrize(
    ("names", "codec", "label"),
    [
        # Korean read as GBK is Han letters of one script too, but rare ones beyond
        # GB 2312: the Hangul reading was lost to GBK's place in the list.
        (["김민수", "이영희"], "cp949", "Windows-949 (Korean)"),
        (["王小明", "李伟"], "cp936", "GBK (Simplified Chinese)"),
        (["陳美玲", "張偉"], "cp950", "Big5 (Traditional Chinese)"),
        (["田中太郎", "鈴木花子", "佐藤健"], "cp932", "Shift JIS (Japanese)"),
    ],
)
def test_an_east_asian_file_is_read_in_the_code_page_of_its_names(tmp_path, names, codec, label):
    lines = ["Name,Email,Company,Country"]
    lines += [f"Person {i},person{i}@example.com,Example Trading,US" for i in range(60)]
    for k, name in enumerate(names):
        lines.insert(10 + k * 15, f"{name},p{k}@example.com,Example,US")
    path = write_file(tmp_path, "legacy.csv", "\r\n".join(lines) + "\r\n", codec)
    plan = plan_import(path)
    assert plan.facts.encoding.label == label
    assert ", ".join(names) in plan.facts.notes[0]


# ------------------------------------------------------------------ vCards as phones write them


def test_a_quoted_printable_iso_8859_2_vcard_without_charset_is_read(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "nokia.vcf",
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:W=F3jcik;=A3ucja;;;\r\n"
        "ORG;ENCODING=QUOTED-PRINTABLE:Zak=B3ad =A3=F3d=BC\r\n"
        "TEL;CELL:+48512345678\r\nEND:VCARD\r\n",
    )
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 1}
    lead = Lead.get()
    assert (lead.name, lead.company.name) == ("Łucja Wójcik", "Zakład Łódź")


def test_a_fold_inside_a_utf8_character_is_read_whole(sqlite_rules, tmp_path):
    name = "Łucja Wójcik".encode()
    cut = name.index("ó".encode()) + 1  # between the two bytes of "ó"
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + name[:cut] + b"\r\n " + name[cut:] + b"\r\n"
        b"EMAIL:lucja@example.pl\r\nNOTE:Pozna\xc5\r\n \x82am j\xc4\x85\r\nEND:VCARD\r\n"
    )
    path = write_file(tmp_path, "folded.vcf", data)
    plan = plan_import(path)
    assert plan.facts.encoding.label == "UTF-8"
    assert counts(run_import(sqlite_rules, plan, ImportOptions())) == {"inserted": 1}
    lead = Lead.get()
    assert (lead.name, lead.notes) == ("Łucja Wójcik", "Poznałam ją")


def test_a_bad_byte_in_a_property_funnel_does_not_use_costs_nothing(sqlite_rules, tmp_path):
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Weiß\r\nEMAIL:jw@example.de\r\n".encode()
        + b"X-ABLABEL:Caf\xe9\r\nEND:VCARD\r\n"
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë\r\nEMAIL:z@example.de\r\nEND:VCARD\r\n".encode()
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad \xe9 Name\r\nEMAIL:b@example.de\r\nEND:VCARD\r\n"
    )
    path = write_file(tmp_path, "cards.vcf", data)
    report = do_import(sqlite_rules, path)
    # The card whose name has the bad byte is refused by its number; the others are in.
    assert counts(report) == {"inserted": 2, "refused": 1}
    assert [o.row for o in report.examples] == [3]
    assert [lead.name for lead in Lead.select().order_by(Lead.id)] == ["Jürgen Weiß", "Zoë"]


async def test_the_import_screen_shows_names_as_read_from_a_legacy_file(tmp_path):
    from .test_import_ui import _app, _open, _text
    from .ui_support import SIZE, seeded_env

    rows = "".join(f"Person {i},p{i}@example.jp\r\n" for i in range(100))
    text = "Name,Email\r\n" + rows + "山田太郎,yamada@example.jp\r\n"
    path = write_file(tmp_path, "addr.csv", text, "cp932")
    env = seeded_env(tmp_path)
    app = _app(next(env))
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, path)
        shown = _text(app, "#file-facts")
        assert "Shift JIS (Japanese)" in shown
        assert "names as read in Shift JIS (Japanese): 山田太郎" in shown
    env.close()


def test_odoos_own_company_column_gives_way_to_the_customers(sqlite_rules, tmp_path):
    path = write_file(
        tmp_path,
        "crm.lead.csv",
        "Opportunity,Contact Name,Company Name,Email,Company Main Phone,Salesperson,Company\n"
        "Office chairs,Ana Ruiz,Muebles SA,ana@muebles.example.mx,+52 55 1234 5678,"
        "Mitchell Admin,My Company (San Francisco)\n",
    )
    assert counts(do_import(sqlite_rules, path)) == {"inserted": 1}
    lead = Lead.get()
    assert (lead.name, lead.company.name, lead.phone_e164) == (
        "Ana Ruiz",
        "Muebles SA",
        "+525512345678",
    )


def test_countries_as_german_polish_and_spanish_sheets_write_them(rules, tmp_path):
    path = write_file(
        tmp_path,
        "kraje.csv",
        "Name;Email;Kraj\n"
        "Li Wei;li@example.cn;Chiny\n"
        "Chen Mei;chen@example.tw;Tajwan\n"
        "Petr Novák;petr@example.cz;Tschechien\n"
        "Anne Martin;anne@example.fr;Francja\n"
        "Ann Lee;ann@example.com;EE.UU.\n"
        "Tom Smith;tom@example.co.uk;Wielka Brytania\n",
    )
    report = do_import(rules, path)
    assert counts(report) == {"inserted": 6}, report.examples
    assert [lead.country for lead in Lead.select().order_by(Lead.id)] == [
        "CN",
        "TW",
        "CZ",
        "FR",
        "US",
        "GB",
    ]


def test_googles_several_values_in_one_cell_are_one_field_and_notes(rules, tmp_path):
    # Google Contacts puts a contact's values of one label in one cell, " ::: " between.
    path = write_file(
        tmp_path,
        "contacts.csv",
        "Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,"
        "Phone 2 - Type,Phone 2 - Value\n"
        "Anna Nowak,* Work,anna@nowak.pl ::: anna.prywatna@example.pl,Mobile,"
        "+48 512 345 678 ::: +48 601 234 567,Work,+48 512 345 678\n",
    )
    report = do_import(rules, path)
    assert counts(report) == {"inserted": 1}, report.examples
    anna = Lead.get()
    assert (anna.email_norm, anna.phone_e164) == ("anna@nowak.pl", "+48512345678")
    # The number repeated in Phone 2 is the one taken: not kept twice.
    assert anna.notes.splitlines() == [
        "E-mail 1: anna.prywatna@example.pl",
        "Phone 1: +48 601 234 567",
    ]


def test_a_legacy_line_near_the_top_of_a_utf8_file_garbles_no_other_row(sqlite_rules, tmp_path):
    # Within the first 64 KiB, one line pasted from a Windows-1252 file made the whole
    # file Windows-1252: every UTF-8 name came out as "JÃ¼rgen WeiÃŸ".
    rows = [
        "Name,Email\n",
        "Jürgen Weiß,jw@example.de\n",
        "Łukasz Żółkiewski,lz@example.pl\n",
        "王小明,xm@example.tw\n",
    ]
    data = "".join(rows).encode() + "Zoë Müller,zoe@example.com\n".encode("cp1252")
    path = write_file(tmp_path, "mixed.csv", data + "María Núñez,mn@example.mx\n".encode())
    plan = plan_import(path)
    assert plan.facts.encoding.label == "UTF-8"
    report = do_import(sqlite_rules, path)
    assert counts(report) == {"inserted": 4, "refused": 1}
    assert report.examples[0].row == 5
    assert "is not UTF-8 text (read as Windows-1252: check its letters)" in (
        report.examples[0].reason
    )
    assert sorted(lead.name for lead in Lead.select()) == sorted(
        ["Jürgen Weiß", "Łukasz Żółkiewski", "王小明", "María Núñez"]
    )


def test_a_vcard_line_that_cannot_be_parsed_costs_the_card_only_if_funnel_uses_it(
    sqlite_rules, tmp_path
):
    cards = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nTEL:+12015550123\r\n"
        "X-SOCIALPROFILE;type=twitter\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Li\r\nTEL;TYPE=cell +4930123456\r\n"
        "EMAIL:bo@example.com\r\nEND:VCARD\r\n"
    )
    report = do_import(sqlite_rules, write_file(tmp_path, "cards.vcf", cards))
    assert counts(report) == {"inserted": 1, "refused": 1}
    assert Lead.get().name == "Ann Lee"
    assert report.examples[0].row == 2
    assert "could not be read" in report.examples[0].reason
