"""The capture form, the checklist, the board, the companies, a company's record, possible
duplicates, the funnel counts and the import, driven with Pilot at 80×24 in German and
Traditional Chinese (and Polish where its plurals matter): the words on screen are the
language's, and the labels of a fixed-width column fit it."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from rich.cells import cell_len

from funnel_tui.config import load_config
from funnel_tui.core.i18n import _, use_language
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Company
from funnel_tui.tui.app import FunnelApp

from .clock import Clock
from .test_duplicates_ui import plant_twins
from .test_import_ui import SHEET
from .ui_support import SIZE, app_at, seed_deals, seeded_env, settle, type_text

NOW = dt.datetime(2026, 11, 20, 14, 30)


def _shot(app) -> str:
    """What the terminal shows now, as text (printed with FUNNEL_SHOW_SHOTS=1, to look)."""
    shot = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    if os.environ.get("FUNNEL_SHOW_SHOTS"):
        print(f"\n{'-' * 80}\n{shot}")
    return shot


@pytest.fixture
def env(tmp_path):
    yield from seeded_env(tmp_path)


@pytest.fixture
def deals_db(tmp_path):
    """The board's deals, Kowalski Logistyka's won, a second person there."""
    path = str(tmp_path / "deals.db")
    open_database(path)
    config = load_config()
    ids = seed_deals(config, NOW)
    rules = Funnel(config, "rita", lambda: NOW)
    rules.win(ids[0])
    rules.capture_lead(
        {"name": "Piotr Nowak", "company": "Kowalski Logistyka", "email": "piotr@kowalski.pl"}
    )
    yield path, tmp_path
    close_database()


def _app(env, start: str = "leads") -> FunnelApp:
    path, drafts = env
    return FunnelApp(
        config=load_config(), target=path, user="rita", drafts=drafts, start=start, clock=Clock()
    )


# ------------------------------------------------------------------ the three big ones

CAPTURE_WORDS = {
    "de": ("Neuer Lead", "✘ Nicht gespeichert: 2 Punkte zu korrigieren", "Telefon"),
    "zh_TW": ("新增潛在客戶", "✘ 未儲存：有 2 處要修正", "電話"),
}


@pytest.mark.parametrize("language", sorted(CAPTURE_WORDS))
async def test_capture_refuses_in_the_reps_language(env, language):
    intro, refused, phone = CAPTURE_WORDS[language]
    with use_language(language):
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            await type_text(pilot, "Bad")
            await pilot.press("tab", "tab")
            await type_text(pilot, "+4812")
            await pilot.press("tab")
            await type_text(pilot, "x@")
            await pilot.press("ctrl+s")
            await settle(pilot)
            shot = _shot(app)
            assert intro in shot and refused in shot and phone in shot
            assert "Not saved" not in shot


GATE_WORDS = {
    "de": ("Hochstufung ✘ noch nicht", "Budget", "Grund 1 beheben"),
    "zh_TW": ("升級條件 ✘ 尚未符合", "預算", "修正原因 1"),
}


@pytest.mark.parametrize("language", sorted(GATE_WORDS))
async def test_the_checklist_gate_refuses_in_the_reps_language(env, language):
    gate, budget, fix_key = GATE_WORDS[language]
    with use_language(language):
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("q", "p")  # the first lead's checklist, then promote
            await settle(pilot)
            assert type(app.screen).__name__ == "ChecklistScreen"
            shot = _shot(app)
            assert gate in shot and budget in shot
            assert "not yet" not in shot
            # The digits' descriptions, which the help lists, are the language's too.
            descriptions = {b.id: b.description for b in type(app.screen).BINDINGS}
            assert _(descriptions["checklist.fix1"]) == fix_key


BOARD_WORDS = {
    "de": ("Alle Chancen", "Qualifizierung", "f zeigt Gewonnen/Verloren."),
    "zh_TW": ("所有商機", "資格評估", "按 f 顯示成交與失單欄。"),
}


@pytest.mark.parametrize("language", sorted(BOARD_WORDS))
async def test_the_board_in_the_reps_language(deals_db, language):
    path, folder = deals_db
    heading, stage, moved = BOARD_WORDS[language]
    with use_language(language):
        app = app_at(path, folder, NOW, start="board")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shot = _shot(app)
            assert heading in shot and stage in shot
            await pilot.press("w")  # won: the deal leaves the open columns
            await settle(pilot)
            assert moved in _shot(app)


# ------------------------------------------------------------------ accounts

COMPANY_WORDS = {
    "de": ("angezeigt", "Pers", "★ Kunde", "Personen (2)", "Verkaufschancen (1)", "Zeitleiste"),
    "zh_TW": ("顯示", "人數", "★ 客戶", "聯絡人（2）", "商機（1）", "時間軸"),
}


@pytest.mark.parametrize("language", sorted(COMPANY_WORDS))
async def test_companies_and_a_company_in_the_reps_language(deals_db, language):
    path, folder = deals_db
    shown, people_column, customer, people, deals, timeline = COMPANY_WORDS[language]
    with use_language(language):
        app = app_at(path, folder, NOW, start="companies")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shot = _shot(app)
            assert shown in shot and people_column in shot and "Kowalski Logistyka" in shot
            app.open_company(Company.get(Company.name == "Kowalski Logistyka").id)
            await settle(pilot)
            shot = _shot(app)
            for words in (customer, people, deals, timeline):
                assert words in shot
            assert "customer" not in shot and "People" not in shot


DUPLICATE_WORDS = {
    "de": ("2 mögliche Duplikatpaare", "· stärkste zuerst · c: Firmen"),
    "pl": ("2 pary możliwych duplikatów", "· najsilniejsze najpierw · c: firmy"),
    "zh_TW": ("2 組可能重複", "· 最可能的在前 · c：公司"),
}


@pytest.mark.parametrize("language", sorted(DUPLICATE_WORDS))
async def test_possible_duplicates_in_the_reps_language(env, language):
    pairs, keys = DUPLICATE_WORDS[language]
    plant_twins()
    with use_language(language):
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("D")
            await settle(pilot)
            shot = _shot(app)
            assert pairs in shot and keys in shot


FUNNEL_WORDS = {
    "de": ("Leads · Neu", "Interessenten", "Kunden", "Status auf jeder Stufe", "Disqualifiziert"),
    "zh_TW": ("潛在客戶 · 新", "準客戶", "客戶", "各層級的狀態", "不合格"),
}


@pytest.mark.parametrize("language", sorted(FUNNEL_WORDS))
async def test_the_funnel_counts_in_the_reps_language(env, language):
    new, prospects, customers, note, unqualified = FUNNEL_WORDS[language]
    with use_language(language):
        app = _app(env, start="funnel")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shot = _shot(app)
            assert new in shot and prospects in shot and customers in shot and note in shot
            # The bars start in one column whatever the labels' widths (in cells).
            bars = [line for line in shot.splitlines() if "██" in line or "·····" in line]
            assert len(bars) == 12
            assert (
                len({cell_len(line[: line.find("  █" if "█" in line else "  ·")]) for line in bars})
                == 1
            )
            # The statuses under the bars wrap rather than run off the screen.
            assert f"{unqualified} 0" in shot


IMPORT_WORDS = {
    "de": ("Spalte", "→ Feld", "Vorname", "Modus:", "Probelauf", "würden eingefügt"),
    "zh_TW": ("欄", "→ 欄位", "名字", "模式：", "試執行", "將新增"),
}


@pytest.mark.parametrize("language", sorted(IMPORT_WORDS))
async def test_the_import_in_the_reps_language(env, tmp_path, language):
    column, field, first_name, mode, dry_run, would_insert = IMPORT_WORDS[language]
    sheet = tmp_path / "expo.csv"
    sheet.write_text(SHEET, encoding="utf-8-sig")
    with use_language(language):
        app = _app(env, start="import")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.screen.query_one("#path").value = str(sheet)
            await pilot.press("enter")
            await settle(pilot)
            shot = _shot(app)
            for words in (column, field, first_name, mode):
                assert words in shot
            await pilot.press("ctrl+d")
            await settle(pilot)
            report = _shot(app)
            assert dry_run in report and would_insert in report
            assert "would be inserted" not in report
