"""The dialogs and the outcomes of the deal and lead actions, driven with Pilot at 80×24 in
German and Traditional Chinese (and Polish where a plural matters): the words a person
reads are the language's, their key lines are whole at 80 columns, and what is stored
(a loss reason, a status) is the same key in every language."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from rich.cells import cell_len

from funnel_tui.config import load_config
from funnel_tui.core.i18n import use_language
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, Opportunity
from funnel_tui.tui.dialogs.bulk_menu import BulkMenu
from funnel_tui.tui.dialogs.date_dialog import DateDialog
from funnel_tui.tui.dialogs.deal_edit import DealEditDialog
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog
from funnel_tui.tui.dialogs.sort_dialog import SortDialog
from funnel_tui.tui.dialogs.too_small import TooSmallScreen
from funnel_tui.tui.dialogs.user_picker import UserPicker
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.opportunity import OpportunityScreen

from .ui_support import SIZE, app_at, make_app, press_burst, seed_deals, settle

NOW = dt.datetime(2026, 11, 20, 14, 30)  # a Friday, UTC


def shot(app) -> str:
    """The screen as a person reads it (printed with FUNNEL_SHOW_SHOTS=1, to look)."""
    text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    if os.environ.get("FUNNEL_SHOW_SHOTS"):
        print(f"\n{'-' * 80}\n{text}")
    return text


def whole_lines(text: str) -> list[str]:
    """Every line of the screen, none wider than the terminal."""
    lines = text.split("\n")
    assert all(cell_len(line) <= SIZE[0] for line in lines)
    return lines


@pytest.fixture
def deals_db(tmp_path):
    path = str(tmp_path / "deals.db")
    open_database(path)
    ids = seed_deals(load_config(), NOW)
    yield path, tmp_path, ids
    close_database()


# ------------------------------------------------------------------ deals

LOST = {
    "de": (
        "Warum wurde Kowalski Logistyka – Anna Kowalska verloren?",
        "Preis",
        "enter Wählen  ·  esc Abbrechen",
        "✔ #1 Kowalski Logistyka verloren: Preis; o öffnet neu.",
    ),
    "zh_TW": (
        "Kowalski Logistyka – Anna Kowalska 的失單原因？",
        "價格",
        "enter 選擇  ·  esc 取消",
        "✔ #1 Kowalski Logistyka 已失單：價格。按 o 可重新開啟。",
    ),
}


@pytest.mark.parametrize("language", sorted(LOST))
async def test_a_deal_is_lost_for_a_reason_read_in_the_language_and_stored_as_is(
    deals_db, language
):
    path, folder, ids = deals_db
    question, price, keys, done = LOST[language]
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceDialog)
            asked = shot(app)
            await pilot.press("enter")  # the first reason: Price
            await settle(pilot)
            said = shot(app)
    assert question in asked and price in asked and keys in asked
    assert "Price" not in asked and "Why was" not in asked
    assert done in said
    lost = Opportunity.get_by_id(ids[0])
    assert (lost.state, lost.lost_reason) == ("lost", "Price")


WON = {
    "de": "✔ #1 Kowalski Logistyka gewonnen; o öffnet neu.  f zeigt Gewonnen/Verloren.",
    "zh_TW": "✔ #1 Kowalski Logistyka 已成交。按 o 可重新開啟。  按 f 顯示成交與失單欄。",
    "pl": "✔ #1 Kowalski Logistyka wygrana; o wznawia.  f pokaże Wygrane/Przegrane.",
}


@pytest.mark.parametrize("language", sorted(WON))
async def test_a_won_deal_is_told_whole_on_the_boards_one_line(deals_db, language):
    path, folder, ids = deals_db
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            said = shot(app)
    assert WON[language] in said
    assert Opportunity.get_by_id(ids[0]).state == "won"


FIRST_STAGE = {
    "de": "Qualifizierung ist die erste offene Phase: Weiter zurück geht es nicht.",
    "zh_TW": "資格評估是第一個進行中階段：無法再往回移。",
}


@pytest.mark.parametrize("language", sorted(FIRST_STAGE))
async def test_a_deal_in_the_first_stage_says_so_in_the_language(deals_db, language):
    path, folder, _ids = deals_db
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("less_than_sign")
            await settle(pilot)
            said = shot(app)
    assert FIRST_STAGE[language] in said.replace("\n", "")


TOTALS = {
    "de": ("Summen je Währung", "Phase", "Gewichteter Wert", "Verhandlung", "esc Schließen"),
    "zh_TW": ("各幣別合計", "階段", "加權金額", "議價", "esc 關閉"),
}


@pytest.mark.parametrize("language", sorted(TOTALS))
async def test_the_board_totals_read_in_the_language(deals_db, language):
    path, folder, _ids = deals_db
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("dollar_sign")
            await settle(pilot)
            shown = shot(app)
    whole_lines(shown)
    for words in TOTALS[language]:
        assert words in shown
    assert "Weighted" not in shown and "Totals per currency" not in shown


EDIT = {
    "de": (
        ["Betrag", "Währung", "Abschluss", "Notizen"],
        "tab weiter  ·  ctrl+s Speichern  ·  esc Abbrechen",
    ),
    "zh_TW": (["金額", "幣別", "預計成交", "備註"], "tab 移動  ·  ctrl+s 儲存  ·  esc 取消"),
}


@pytest.mark.parametrize("language", sorted(EDIT))
async def test_the_deal_edit_form_reads_in_the_language(deals_db, language):
    path, folder, ids = deals_db
    labels, keys = EDIT[language]
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_opportunity(ids[0])
            await settle(pilot)
            assert isinstance(app.screen, OpportunityScreen)
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, DealEditDialog)
            shown = shot(app)
            field_x = app.screen.query_one("#d-amount").region.x
            label_x = app.screen.query(".label").first().region.x
    for word in [*labels, keys]:
        assert word in shown
    whole_lines(shown)
    # The labels' column is as wide as the longest label, the fields start after it.
    assert field_x > label_x + max(cell_len(w) for w in labels)


# ------------------------------------------------------------------ leads


SORT = {
    "de": ("Leads sortieren nach", "aktuell (enter kehrt um)", "Buchstabe springt"),
    "zh_TW": ("潛在客戶排序方式", "目前（enter 反轉）", "字母跳至"),
}


@pytest.mark.parametrize("language", sorted(SORT))
async def test_the_sort_dialog_reads_in_the_language(env, language):
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            assert isinstance(app.screen, SortDialog)
            shown = shot(app)
    for words in SORT[language]:
        assert words in shown


BULK = {
    "de": ("die 2 markierten Leads bearbeiten", "Buchstabe oder enter wählt  ·  esc Abbrechen"),
    "zh_TW": ("處理", "字母或 enter 選擇  ·  esc 取消"),
}


@pytest.mark.parametrize("language", sorted(BULK))
async def test_the_bulk_menu_reads_in_the_language(env, language):
    title, keys = BULK[language]
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("space", "down", "space", "b")
            await settle(pilot)
            assert isinstance(app.screen, BulkMenu)
            shown = shot(app)
    assert title in shown and keys in shown
    assert "Act on" not in shown


NURTURE = {
    "de": ("Wieder melden am", "✘ Bis: ", "Zurückgestellt bis "),
    "zh_TW": ("下次聯絡日期", "✘ ", "培育中，直到 "),
}


@pytest.mark.parametrize("language", sorted(NURTURE))
async def test_a_nurture_date_is_asked_and_refused_in_the_language(env, language):
    title, refused, done = NURTURE[language]
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, LeadScreen)
            lead_id = app.screen.lead_id
            await pilot.press("f6")
            await settle(pilot)
            assert isinstance(app.screen, DateDialog)
            asked = shot(app)
            await press_burst(pilot, "enter")  # nothing typed: a date is needed
            empty = shot(app)
            await press_burst(pilot, "+3d", "enter")
            await settle(pilot)
            said = shot(app)
    assert title in asked and "enter" in asked
    assert refused in empty and "Touch again" not in asked
    assert done in said
    assert Lead.get_by_id(lead_id).status == "nurturing"


# ------------------------------------------------------------------ hand over

PICKER = {
    "de": ("übergeben an…", "3 offen", "(aktueller Inhaber)", "Tippen filtert"),
    "zh_TW": ("移交給…", "3 筆進行中", "（目前負責人）", "輸入以篩選"),
    "pl": ("Przekaż", "3 otwarte", "(obecny właściciel)", "pisz, by filtrować"),
}


@pytest.mark.parametrize("language", sorted(PICKER))
async def test_the_hand_over_picker_reads_in_the_language(env, language):
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert isinstance(app.screen, UserPicker)
            shown = shot(app)
    for words in PICKER[language]:
        assert words in shown
    whole_lines(shown)


async def test_a_new_user_is_asked_about_in_german_without_reading_the_quotes(env):
    """A login one slip from a user's is offered back by name: the rules' message is in
    German, with German quotes, and the picker does not take it apart."""
    Funnel(load_config(), "sam", lambda: NOW).capture_lead({"name": "Sam's", "email": "s@x.pl"})
    with use_language("de"):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            await press_burst(pilot, "sma", "down", "enter")
            await settle(pilot)
            shown = shot(app)
    assert "Kein Benutzer „sma“; meinten Sie „sam“?" in shown.replace("\n", " ")


# ------------------------------------------------------------------ the terminal


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Vergrößern Sie das Terminal auf mindestens 80×24", "(jetzt 70×20)"]),
        ("zh_TW", ["請將終端機放大到至少 80×24", "（目前為 70×20）", "ctrl+q 離開"]),
    ],
)
async def test_too_small_a_terminal_is_told_in_the_language(env, language, words):
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=(70, 20)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, TooSmallScreen)
            shown = shot(app)
    for word in words:
        assert word in shown


# ------------------------------------------------------------------ reports

REPORTS = {
    "de": {
        "chart": ("Anzahl", "Gewonnen von erfassten: "),
        "period": ("Berichtszeitraum", "Von (leer: ab dem ersten Datensatz)", "→ erster Datensatz"),
        "refused": "Von: ",
        "records": ("enter Öffnen  ·  esc Schließen", "Datensätze"),
    },
    "zh_TW": {
        "chart": ("數量", "成交／新增："),
        "period": ("報表期間", "起（空白：從第一筆資料起）", "→ 第一筆資料 至 最後一筆資料"),
        "refused": "起始日：",
        "records": ("enter 開啟  ·  esc 關閉", "筆"),
    },
}


@pytest.mark.parametrize("language", sorted(REPORTS))
async def test_the_report_chart_period_and_records_read_in_the_language(deals_db, language):
    path, folder, _ids = deals_db
    words = REPORTS[language]
    with use_language(language):
        app = app_at(path, folder, NOW, start="reports")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            chart = shot(app)
            await pilot.press("enter")  # the records behind the funnel's first step
            await settle(pilot)
            records = shot(app)
            await pilot.press("escape", "p")
            await settle(pilot)
            period = shot(app)
            await press_burst(pilot, "soon", "enter")
            refused = shot(app)
    for word in words["chart"]:
        assert word in chart
    for word in words["records"]:
        assert word in records
    for word in words["period"]:
        assert word in period
    assert words["refused"] in refused


# ------------------------------------------------------------------ a deal's timeline


@pytest.mark.parametrize("language", ["de", "zh_TW"])
async def test_a_next_action_on_the_timeline_is_dated_as_the_language_writes_it(deals_db, language):
    path, folder, ids = deals_db
    due = NOW.date() + dt.timedelta(days=2)  # Anna's "Send the deck"
    with use_language(language):
        from funnel_tui.core.formats import day_month

        by = {"de": f"bis {day_month(due)}", "zh_TW": f"{day_month(due)}前"}[language]
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_opportunity(ids[0])
            await settle(pilot)
            shown = shot(app)
    assert f"Send the deck {by}" in shown
    assert "by Sun" not in shown


# ------------------------------------------------------------------ small widgets


def test_hotkeys_are_ascii_letters_whatever_the_label():
    from funnel_tui.tui.widgets.choice_row import hotkeys

    assert hotkeys(["c 電話", "e 電子郵件", "m 會議"]) == ["c", "e", "m"]
    assert hotkeys(["電話"]) == [""]  # no letter to press: log_activity.keyed adds one
    assert hotkeys(["Überfällig", "Anruf"]) == ["b", "a"]
    assert hotkeys(["call", "email", "in person"]) == ["c", "e", "i"]


def test_a_chinese_heading_folds_between_two_characters():
    from funnel_tui.tui.widgets.table_headers import fit_headings

    folded = fit_headings(["階段", "加權金額"], [10, 5], room=16)
    assert folded.texts == ["階段", "加權\n金額"] and folded.widths == [10, 5]


# ------------------------------------------------------------------ converting a prospect

CONVERT = {
    "de": (
        "Neue Verkaufschance für Anna Kowalska",
        ["Betrag", "Währung", "Abschluss", "Phase", "Qualifizierung"],
        "tab weiter  ·  ctrl+s Anlegen  ·  esc Abbrechen",
    ),
    "zh_TW": (
        "為 Anna Kowalska 建立商機",
        ["金額", "幣別", "預計成交", "階段", "資格評估"],
        "tab 移動  ·  ctrl+s 建立  ·  esc 取消",
    ),
}


@pytest.mark.parametrize("language", sorted(CONVERT))
async def test_the_convert_form_reads_in_the_language_and_stores_the_stage_name(env, language):
    from funnel_tui.tui.dialogs.convert import ConvertDialog

    from .clock import Clock

    rules = Funnel(load_config(), "rita", Clock())
    anna = Lead.get(Lead.name == "Anna Kowalska")
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(anna.id, item, "yes")
    rules.promote(anna.id)
    title, labels, keys = CONVERT[language]
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down", "down", "q")  # the oldest lead, Anna: her checklist
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ConvertDialog)
            shown = shot(app)
            await press_burst(pilot, "1000", "ctrl+s")
            await settle(pilot)
    assert title in shown and keys in shown
    for label in labels:
        assert label in shown
    whole_lines(shown)
    deal = Opportunity.get(Opportunity.lead == anna.id)
    assert deal.stage == "Qualification"


# ------------------------------------------------------------------ a clash

CLASH = {
    "de": (
        "wurde geändert, während Sie es bearbeitet haben",
        ["Notizen", "bob um ", "Sie: mine", "m meine behalten"],
    ),
    "zh_TW": ("已被他人變更", ["備註", "bob（", "你：mine", "m 保留我的"]),
}


@pytest.mark.parametrize("language", sorted(CLASH))
async def test_a_clash_with_a_colleague_is_asked_about_in_the_language(deals_db, language):
    from funnel_tui.tui.dialogs.conflict import ConflictDialog

    path, folder, ids = deals_db
    title, words = CLASH[language]
    bob = Funnel(load_config(), "bob", lambda: NOW)
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_opportunity(ids[0])
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            bob.update_deal(ids[0], {"notes": "bob's"})  # meanwhile
            await press_burst(pilot, "tab", "tab", "tab", "mine", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConflictDialog)
            shown = shot(app)
            await pilot.press("m", "enter")
            await settle(pilot)
    assert title in shown
    for word in words:
        assert word in shown
    whole_lines(shown)
    assert Opportunity.get_by_id(ids[0]).notes == "mine"


# ------------------------------------------------------------------ a company

COMPANY_EDIT = {
    "de": (["Name", "Branche", "Mitarbeiter", "Land", "Website"], "bearbeiten"),
    "zh_TW": (["名稱", "產業", "員工數", "網站"], "編輯 #"),
    "pl": (["Nazwa", "Branża", "Pracownicy", "Strona www"], "Edytuj: #"),
}


@pytest.mark.parametrize("language", sorted(COMPANY_EDIT))
async def test_the_company_form_names_a_company_not_a_person(deals_db, language):
    from funnel_tui.tui.dialogs.company_edit import CompanyEditDialog

    path, folder, _ids = deals_db
    labels, title = COMPANY_EDIT[language]
    with use_language(language):
        app = app_at(path, folder, NOW, start="companies")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, CompanyEditDialog)
            shown = shot(app)
    assert title in shown
    for label in labels:
        assert label in shown
    assert "姓名" not in shown and "Imię" not in shown
    whole_lines(shown)


@pytest.mark.parametrize(("language", "yes"), [("de", "j"), ("pl", "t"), ("de", "y")])
async def test_a_question_takes_yes_in_the_reps_own_letter(env, language, yes):
    from funnel_tui.tui.dialogs.dialogs import ConfirmDialog

    answers = []
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.push_screen(ConfirmDialog("?", "body"), answers.append)
            await settle(pilot)
            assert f"{yes if yes != 'y' else 'j'} " in shot(app)  # the key line says it
            await pilot.press(yes)
            await settle(pilot)
    assert answers == [True]
