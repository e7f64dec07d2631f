"""The lead list, the lead record, the log form, Today, a report, a deal and the merge
choice read in German and Traditional Chinese, driven with Pilot at 80×24: the words a
person reads are the language's, what is stored stays the same."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.i18n import use_language
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, Lead
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.log_activity import LogActivityScreen
from funnel_tui.tui.screens.merge import MergeScreen
from funnel_tui.tui.screens.opportunity import OpportunityScreen

from .ui_support import SIZE, app_at, make_app, press_burst, seed_deals, settle

NOW = dt.datetime(2026, 11, 23, 9, 0)  # a Monday, UTC
TODAY = NOW.date()


def screen_text(app) -> str:
    """The whole screen as a person reads it, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notified(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Firma", "Telefon", "alle Leads", "Neu 3"]),
        ("zh_TW", ["公司", "電話", "所有潛在客戶", "新 3"]),
    ],
)
async def test_the_lead_list_reads_in_the_language(env, language, words):
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shown = screen_text(app)
    for word in words:
        assert word in shown


@pytest.mark.parametrize(
    ("language", "labels", "no_company"),
    [
        ("de", ["Name", "Firma"], "Dieser Lead gehört zu keiner Firma"),
        ("zh_TW", ["姓名", "公司"], "這位潛在客戶沒有公司"),
    ],
)
async def test_the_lead_record_reads_in_the_language(env, language, labels, no_company):
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # the newest first: Mallory, at no company
            await settle(pilot)
            assert isinstance(app.screen, LeadScreen)
            await pilot.press("ctrl+y")  # the lead's company
            await settle(pilot)
            shown = screen_text(app)
    for label in labels:
        assert label in shown
    assert no_company in shown


@pytest.mark.parametrize(
    ("language", "rows", "logged"),
    [
        ("de", ["Art", "Richtung", "Ergebnis", "Fällig", "Anruf", "keine Antwort"], "Anruf"),
        ("zh_TW", ["類型", "方向", "結果", "到期", "c 電話", "n 無人接聽"], "電話 已聯絡上"),
    ],
)
async def test_the_log_form_reads_in_the_language_and_stores_the_same_keys(
    env, language, rows, logged
):
    with use_language(language):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press_burst(pilot, "enter", "ctrl+l")
            form = app.screen
            assert isinstance(form, LogActivityScreen)
            shown = screen_text(app)
            for row in rows:
                assert row in shown
            lead_id = form.target.lead_id
            # The keys are the English ones in Chinese too (c call, o out, r reached);
            # German picks by its own words (a Anruf, a ausgehend, e erreicht).
            keys = ["c", "o", "r"] if language == "zh_TW" else ["a", "a", "e"]
            await press_burst(pilot, *keys, "Preis", "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, LogActivityScreen)
            assert logged in screen_text(app)
    activity = Activity.get(Activity.lead == lead_id)
    assert (activity.kind, activity.outcome, activity.note) == ("call", "reached", "Preis")


async def test_a_refused_due_date_names_the_field_in_german(env):
    with use_language("de"):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press_burst(pilot, "enter", "ctrl+l", *["tab"] * 4, "Rückruf")
            await press_burst(pilot, "ctrl+s")
            assert isinstance(app.screen, LogActivityScreen)
            said = str(app.screen.query_one("#message").render())
    assert said.startswith("✘ Fällig: Wann fällig? z. B. ")


@pytest.fixture
def queue_app(tmp_path):
    """rita has a lead due today on her Today queue."""
    path = str(tmp_path / "today.db")
    open_database(path)
    past = Funnel(load_config(), "rita", lambda: NOW - dt.timedelta(days=6))
    due = past.capture_lead({"name": "Piet Due", "email": "piet@example.com"})
    past.log_activity(
        lead_id=due.id, kind="email", outcome="sent", next_action="Send deck", next_due=TODAY
    )
    yield FunnelApp(
        config=load_config(),
        target=path,
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
        start="today",
    )
    close_database()


@pytest.mark.parametrize(("language", "snoozed"), [("de", "Verschoben auf"), ("zh_TW", "已延後至")])
async def test_today_snoozes_in_the_language(queue_app, language, snoozed):
    with use_language(language):
        async with queue_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down", "z")
            await settle(pilot)
            shown = screen_text(queue_app)
    assert snoozed in shown and "Piet Due" in shown
    assert Lead.get(Lead.name == "Piet Due").next_action_due == TODAY + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("language", "words", "no_amounts"),
    [
        ("de", ["Trichter", "3 Quote", "7 Aktivität"], "Dieser Bericht hat keine Beträge."),
        ("zh_TW", ["漏斗", "來源"], "這份報表沒有金額。"),
    ],
)
async def test_a_report_reads_in_the_language(env, language, words, no_amounts):
    path, drafts = env
    with use_language(language):
        app = FunnelApp(
            config=load_config(), target=path, user="rita", drafts=drafts, start="reports"
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shown = screen_text(app)
            await pilot.press("c")  # the funnel counts leads: no currency to switch
            await settle(pilot)
            said = notified(app)
    for word in words:
        assert word in shown
    assert no_amounts in said


async def test_a_deal_reads_in_traditional_chinese(tmp_path):
    path = str(tmp_path / "deals.db")
    open_database(path)
    when = dt.datetime(2026, 11, 20, 14, 30)
    ids = seed_deals(load_config(), when)
    try:
        with use_language("zh_TW"):
            app = app_at(path, tmp_path, when, start="board")
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                app.open_opportunity(ids[0])
                await settle(pilot)
                assert isinstance(app.screen, OpportunityScreen)
                shown = screen_text(app)
    finally:
        close_database()
    for word in ("● 進行中", "金額", "預計成交", "階段", "負責人", "時間軸"):
        assert word in shown


async def test_the_merge_choice_reads_in_german(env):
    with use_language("de"):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("space", "down", "space", "b")
            await settle(pilot)
            menu = screen_text(app)
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, MergeScreen)
            shown = screen_text(app)
    assert "die 2 markierten Leads" in menu and "Beide zusammenführen…" in menu
    for words in ("zusammenführen", "#1 bleibt", "Firma", "(leer)", "Sonst wird nichts"):
        assert words in shown


async def test_the_record_shows_a_shipped_source_in_german_and_stores_its_name(env):
    with use_language("de"):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down", "enter")  # 王小明, from a referral
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, LeadScreen)
            source = screen.query_one("#f-source")
            assert source.value == "Empfehlung"
            source.value = "Messe"  # typed as the rep reads it
            await press_burst(pilot, "ctrl+s")
            await settle(pilot)
            assert screen.query_one("#f-source").value == "Messe"
    assert Lead.get(Lead.name == "王小明").source == "Trade show"
