"""One person however they are written: addresses in any case are the same address, close
spellings of a name at one company are flagged, and the command line finds what the
list finds. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from funnel_tui.core.errors import DuplicateFound
from funnel_tui.core.validators import normalise_key
from funnel_tui.read.search import LeadQuery, lead_page
from funnel_tui.storage.models import Lead
from funnel_tui.transfer.importer import run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import


def _funnel(db_target: str, *args: str, user: str = "carol") -> subprocess.CompletedProcess:
    env = {"FUNNEL_DB": db_target, "FUNNEL_USER": user}
    import os

    return subprocess.run(
        [sys.executable, "-m", "funnel_tui", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# ------------------------------------------------------------------ email case


def test_an_address_in_another_case_is_a_duplicate_at_capture(rules):
    lucja = rules.capture_lead({"name": "Łucja Kowalska", "email": "lucja@kowalski.pl"})
    with pytest.raises(DuplicateFound) as found:
        rules.capture_lead({"name": "Łucja Kowalska", "email": "LUCJA@Kowalski.PL"})
    assert found.value.found == [(lucja.id, "Łucja Kowalska", "email")]
    # The capture screen's check while typing says the same.
    assert rules.find_duplicates("Lucja@KOWALSKI.pl", None, "x", "") == [
        (lucja.id, "Łucja Kowalska", "email")
    ]
    # What was typed is kept for display when saved anyway.
    again = rules.capture_lead(
        {"name": "Łucja K.", "email": "LUCJA@Kowalski.PL"}, allow_duplicate=True
    )
    stored = Lead.get_by_id(again.id)
    assert (stored.email_raw, stored.email_key) == ("LUCJA@Kowalski.PL", "lucja@kowalski.pl")


def test_funnel_add_refuses_an_address_in_another_case(db_target, rules):
    lucja = rules.capture_lead({"name": "Łucja Kowalska", "email": "lucja@kowalski.pl"})
    result = _funnel(db_target, "add", "--name", "Łucja Kowalska", "--email", "LUCJA@Kowalski.PL")
    assert result.returncode == 1, result.stderr
    assert f"matches lead #{lucja.id} Łucja Kowalska" in result.stderr
    assert Lead.select().count() == 1


def test_import_update_finds_the_lead_by_an_address_in_another_case(rules, tmp_path: Path):
    wang = rules.capture_lead({"name": "王芳", "email": "wang.fang@hqe.cn"})
    path = tmp_path / "hqe.csv"
    path.write_text("Name,Email,Title\n王芳,WANG.FANG@hqe.cn,采购经理\n", encoding="utf-8")
    report = run_import(rules, plan_import(path), ImportOptions(update=True))
    assert report.counts["updated"] == 1 and report.counts["inserted"] == 0
    assert Lead.select().count() == 1
    assert Lead.get_by_id(wang.id).title == "采购经理"
    # Without --update it is a duplicate, not a new lead.
    plain = run_import(rules, plan_import(path), ImportOptions())
    assert plain.counts["duplicate"] == 1 and Lead.select().count() == 1


def test_rows_of_one_file_are_the_same_address_in_any_case(rules, tmp_path: Path):
    path = tmp_path / "twice.csv"
    path.write_text(
        "Name,Email\nAnna Nowak,anna@nowak.pl\nAnna Nowak,ANNA@Nowak.PL\n", encoding="utf-8"
    )
    report = run_import(rules, plan_import(path), ImportOptions())
    assert (report.counts["inserted"], report.counts["duplicate"]) == (1, 1)


# ------------------------------------------------------------- list --search


SEARCHES = ("muller", "wojcik", "陈志明", "林", "0151", "kowalski.pl", "ko", "zz-nothing")


def test_list_search_finds_what_the_list_finds(db_target, rules):
    for name, data in (
        ("Hans Müller", {"phone": "+49 151 2987 6543"}),
        ("Dawid Wójcik", {"email": "dawid@kowalski.pl", "company": "Kowalski Logistyka"}),
        ("陳志明", {"phone": "+886 912 345 678"}),
        ("王林", {"email": "wang.lin@example.cn"}),
        ("林志玲", {"email": "lin@example.tw"}),
        ("Ann Miller", {"phone": "+1 201 555 0151"}),
    ):
        rules.capture_lead({"name": name, **data})
    for text in SEARCHES:
        shown = {row["id"] for row in lead_page(LeadQuery(text=text), 0, 100)}
        result = _funnel(db_target, "list", "--search", text, "--format", "json")
        assert result.returncode == 0, result.stderr
        listed = {row["id"] for row in json.loads(result.stdout)}
        assert listed == shown, text
        if text != "zz-nothing":
            assert listed, text  # each finds someone: the comparison is not of two nothings


# ------------------------------------------------------------ near-duplicates

COMPANY = "Kowalski sp. z o.o."


def test_close_spellings_at_the_same_company_are_found(rules):
    lucja = rules.capture_lead(
        {"name": "Łucja Kowalska", "company": COMPANY, "email": "lucja@kowalski.pl"}
    )
    said = f"close to Łucja Kowalska at {COMPANY}, lead {lucja.id}"
    for typed in ("Lucja Kowalska", "Łucja Kowalksa", "LUCJA KOWALSKA", "Kowalska Łucja"):
        close = rules.near_duplicates(normalise_key(typed), normalise_key(COMPANY), None)
        assert [c.message for c in close] == [said], typed
    # Another person at the company, or the same spelling elsewhere, is not close.
    assert rules.near_duplicates("jan nowak", normalise_key(COMPANY), None) == []
    assert rules.near_duplicates("lucja kowalska", "inna firma", None) == []
    # With the same number, wherever they work.
    same_phone = rules.capture_lead({"name": "Jürgen Weiß", "phone": "+49 30 1234567"})
    close = rules.near_duplicates("jurgen weiss", "", "+49301234567")
    assert [c.message for c in close] == [f"close to Jürgen Weiß, lead {same_phone.id}, same phone"]


def test_three_spellings_saved_with_a_warning_on_the_command_line(db_target, rules):
    first = rules.capture_lead(
        {"name": "Łucja Kowalska", "company": COMPANY, "email": "lucja@kowalski.pl"}
    )
    for typed, email in (("Lucja Kowalska", "l.kowalska@wp.pl"), ("Łucja Kowalksa", "lk@o2.pl")):
        result = _funnel(db_target, "add", "--name", typed, "--company", COMPANY, "--email", email)
        # A warning, not a refusal: it may be another person; the rep decides.
        assert result.returncode == 0, result.stderr
        assert (
            f"possible duplicate: close to Łucja Kowalska at {COMPANY}, lead {first.id}"
            in result.stderr
        )
        assert result.stdout.startswith("added lead #")
    assert Lead.select().count() == 3


def test_an_import_flags_close_names_and_imports_them(rules, tmp_path: Path):
    first = rules.capture_lead(
        {"name": "Łucja Kowalska", "company": COMPANY, "email": "lucja@kowalski.pl"}
    )
    path = tmp_path / "cards.csv"
    path.write_text(
        "Name,Company,Email\n"
        f"Lucja Kowalska,{COMPANY},l.kowalska@wp.pl\n"
        f"Jan Nowak,{COMPANY},jan@nowak.pl\n",
        encoding="utf-8",
    )
    report = run_import(rules, plan_import(path), ImportOptions())
    assert report.counts["inserted"] == 2
    # Listed with the possible duplicates of the report, as the same phone under another
    # name is.
    said = f"close to Łucja Kowalska at {COMPANY}, lead {first.id}"
    assert [(o.row, o.reason) for o in report.possible] == [(2, said)]
    assert "1 possible duplicate (" in report.summary()


async def test_capture_warns_of_a_close_name_while_typing(tmp_path):
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    from .clock import NOW, Clock
    from .ui_support import app_at, settle, type_text

    path = str(tmp_path / "ui.db")
    open_database(path)
    first = Funnel(load_config(), "rita", Clock()).capture_lead(
        {"name": "Łucja Kowalska", "company": COMPANY, "email": "lucja@kowalski.pl"}
    )
    close_database()
    app = app_at(path, tmp_path, NOW, start="capture")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Lucja Kowalksa")
        await pilot.press("tab")
        await type_text(pilot, COMPANY)
        await pilot.press("tab")
        await settle(pilot)
        outcome = str(app.screen.query_one("#outcome").render())
        assert f"close to Łucja Kowalska at {COMPANY}, lead {first.id}" in outcome
        await type_text(pilot, "+48 601 234 567")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Saved without a question: a close name is a warning.
        assert "Saved" in str(app.screen.query_one("#outcome").render())
        assert Lead.select().where(Lead.name == "Lucja Kowalksa").count() == 1


async def test_the_list_finds_a_name_however_it_is_typed(env):
    from funnel_tui.tui.widgets.lead_table import LeadTable

    from .ui_support import make_app, settle, type_text

    app = make_app(env)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for typed, name in (
            ("KOWALSKA", "Anna Kowalska"),
            ("台北贸易", "王小明"),
            ("北", "王小明"),
        ):
            await pilot.press("slash", "ctrl+u")
            await type_text(pilot, typed)
            await settle(pilot)
            table = app.screen.query_one(LeadTable)
            shown = [table.row(i)["name"] for i in range(table.total)]
            assert shown == [name], typed


def test_edits_and_undo_keep_the_keys_in_step(rules):
    lead = rules.capture_lead({"name": "Ann Miller", "email": "ann@miller.com"})
    rules.update_lead(lead.id, {"name": "Zoë Müller", "email": "Zoe@MUELLER.de"})
    stored = Lead.get_by_id(lead.id)
    assert (stored.name_fold, stored.email_key) == ("zoe muller", "zoe@mueller.de")
    assert [r["id"] for r in lead_page(LeadQuery(text="zoe muller"), 0, 10)] == [lead.id]
    rules.undo_last("lead", lead.id)
    stored = Lead.get_by_id(lead.id)
    assert (stored.name, stored.name_fold, stored.email_key) == ("Ann Miller", "", "ann@miller.com")
    assert lead_page(LeadQuery(text="zoe"), 0, 10) == []
    with pytest.raises(DuplicateFound):
        rules.capture_lead({"name": "A. Miller", "email": "ANN@miller.com"})
