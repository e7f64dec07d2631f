"""Refusals of the config file, the database and an import in the rep's language: the
field, the row and the line named as the rep reads them, while what scripts read (the
field keys, the codes, the reject file's columns) stays English in every language."""

from __future__ import annotations

import csv

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import ConfigError, DatabaseError, FileRefused, Refused
from funnel_tui.core.i18n import use_language
from funnel_tui.storage.database import open_database
from funnel_tui.transfer.importer import iter_outcomes, run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import

ROWS = [
    ["Name", "Company", "Phone", "Email", "Country"],
    ["Anna Nowak", "Nowak sp. z o.o.", "+48 22 123 45 67", "anna@nowak.pl", "PL"],
    ["Jürgen Weiß", "Weiß GmbH", "+49 30 12", "", "DE"],
]


def write_rows(path, rows=ROWS):
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def import_in(language, rules, tmp_path, name):
    with use_language(language):
        report = run_import(rules, plan_import(write_rows(tmp_path / name)), ImportOptions())
        return report, [report.summary(), *iter_outcomes(report)]


def test_an_imported_rows_refusal_names_row_and_field_in_german(rules, tmp_path):
    report, (summary, *lines) = import_in("de", rules, tmp_path, "messe.csv")
    assert report.counts["refused"] == 1
    assert summary.startswith("2 Zeilen gelesen: ")
    assert lines[0].startswith("Zeile 3: Abgelehnt: Telefon: +49 30 12 ")
    # What scripts and the reject file read is the field's key, not its label.
    (refused,) = report.examples
    assert refused.field == "phone"
    with report.rejects.open(encoding="utf-8-sig") as rejects:
        header, row = list(csv.reader(rejects))
    assert header[:3] == ["import row", "refused field", "refusal reason"]
    assert row[:2] == ["3", "phone"]
    assert row[2].startswith("Telefon: +49 30 12 ")


def test_the_same_refusal_in_polish_and_in_english(rules, tmp_path):
    _report, (summary, *polish) = import_in("pl", rules, tmp_path, "targi.csv")
    assert summary.startswith("odczytano 2 wiersze: ")
    assert polish[0].startswith("wiersz 3: odrzucono: Telefon: +49 30 12 ")
    _report, (summary, *english) = import_in("en", rules, tmp_path, "show.csv")
    assert summary == "2 rows read: 0 inserted, 1 duplicate skipped, 1 refused"  # Anna is in
    assert english[0].startswith("row 3: refused: phone: +49 30 12 is not a valid number for ")


def test_a_row_repeating_another_in_traditional_chinese(rules, tmp_path):
    rows = [*ROWS[:2], ["Anna Nowak", "Nowak sp. z o.o.", "", "anna@nowak.pl", "PL"]]
    with use_language("zh_TW"):
        report = run_import(
            rules, plan_import(write_rows(tmp_path / "展覽.csv", rows)), ImportOptions()
        )
        lines = list(iter_outcomes(report))
    assert lines == ["第 3 列：重複：電子郵件與本檔案第 2 列相同"]
    assert report.examples[0].field == "email"


def test_a_setting_refused_in_polish_names_the_file_and_line(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text("[qualification]\nmin_score = 150\n", encoding="utf-8")
    with use_language("pl"), pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"{path}, wiersz 2: qualification.min_score musi mieścić się w zakresie od 0 do 100, "
        "a nie 150"
    )


def test_a_missing_mapping_refused_in_german():
    from funnel_tui.transfer.columns import ColumnMap

    with use_language("de"):
        problems = ColumnMap.guess(["Firma", "Notiz"]).problems()
    assert problems == ['keine Spalte ist der Name: wählen Sie eine (z. B. --map "Contact=name")']


def test_a_file_that_is_no_database_in_simplified_chinese(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 200, encoding="utf-8")
    with use_language("zh_CN"), pytest.raises(DatabaseError) as error:
        open_database(str(path))
    assert str(error.value) == (
        f"无法打开 {path}：这不是 SQLite 文件，或其第一页已损坏：如果这是团队的数据库，"
        "请恢复备份（`funnel backup --list`、`funnel restore BACKUP`）"
    )


def test_an_empty_file_refused_in_german(tmp_path):
    path = tmp_path / "leer.csv"
    path.write_text("", encoding="utf-8")
    with use_language("de"), pytest.raises(FileRefused, match=r"^leer\.csv ist leer$"):
        plan_import(path)


def test_a_refusal_keeps_its_keys_for_scripts(rules):
    with use_language("pl"):
        with pytest.raises(Refused) as error:
            rules.check_lead({"name": "Anna Nowak", "phone": "+49 30 12"})
        (problem,) = error.value.problems
        assert str(problem).startswith("Telefon: +49 30 12 nie jest prawidłowym numerem ")
    assert problem.as_dict()["field"] == "phone"
    assert problem.code == "not_valid"


def test_rows_checked_in_the_second_process_are_refused_in_the_reps_language(rules, tmp_path):
    with use_language("de"):
        plan = plan_import(write_rows(tmp_path / "gross.csv"))
        report = run_import(rules, plan, ImportOptions(), parallel=True)
        lines = list(iter_outcomes(report))
    assert lines[0].startswith("Zeile 3: Abgelehnt: Telefon: +49 30 12 ist ")


def test_every_field_a_refusal_names_has_a_label_in_every_language():
    """A Problem's field key is what the rep reads first ("Telefon: …"); one without a
    label would show its English key in a German sentence."""
    import re
    from pathlib import Path

    import funnel_tui
    from funnel_tui.core.labels import field_label

    source = Path(funnel_tui.__file__).parent
    keys = {
        found
        for path in source.rglob("*.py")
        for found in re.findall(r'Problem\(\s*"([^"]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(keys) > 30  # the pattern still finds the refusals
    for language in ("de", "pl", "zh_TW", "zh_CN"):
        with use_language(language):
            unlabelled = sorted(key for key in keys if field_label(key) == key.replace("_", " "))
        assert unlabelled == [], language
