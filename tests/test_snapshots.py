"""Snapshots of every screen at 80×24 on a small fixed database (times frozen)."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.engagement import recompute_engagement
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, History, Lead
from funnel_tui.tui.app import FunnelApp

FROZEN = dt.datetime(2026, 11, 2, 9, 30)
NOW = FROZEN + dt.timedelta(days=3)  # the app's clock: engagement has faded a little

LEADS = [
    {
        "name": "Anna Kowalska",
        "company": "Kowalski Logistyka",
        "phone": "+48 512 345 678",
        "email": "anna@kowalski.pl",
        "country": "PL",
        "source": "Trade show",
        "title": "CFO",
    },
    {
        "name": "王小明",
        "company": "台北貿易股份有限公司",
        "phone": "+886 912 345 678",
        "email": "wang@taipei.tw",
        "country": "TW",
        "source": "Referral",
    },
    {
        "name": "José Ramírez",
        "company": "Grupo Norte",
        "phone": "+52 55 1234 5678",
        "email": "jose@gruponorte.mx",
        "country": "MX",
        "source": "Web form",
    },
    {
        "name": "[bold red]Mallory",
        "company": "=cmd|' /C calc'!A0",
        "email": "mallory@example.com",
        "source": "Cold list",
    },
]


@pytest.fixture
def snap_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "Etc/UTC")  # the pictures' times, whatever the machine's zone
    open_database("snap.db")
    rules = Funnel(load_config(), "rita", lambda: FROZEN)
    ids = [rules.capture_lead(data).id for data in LEADS]
    rules.log_activity(
        lead_id=ids[0],
        kind="call",
        outcome="reached",
        note="wants a demo",
        next_action="send the deck",
        next_due=dt.date(2026, 11, 5),
    )
    rules.set_status(ids[2], "unqualified", reason="No budget")
    # Freeze every time shown on screen so the pictures do not change from day to day.
    Lead.update(created_at=FROZEN, updated_at=FROZEN).execute()
    History.update(at=FROZEN).execute()
    Activity.update(occurred_at=FROZEN, created_at=FROZEN).execute()
    recompute_engagement(rules.config.engagement_half_life_days)  # from the frozen times
    app = FunnelApp(
        config=load_config(),
        target="snap.db",
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
    )
    yield app
    close_database()


async def _settle(pilot):
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def _after(*keys):
    async def run(pilot):
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run


def test_lead_list(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after())


def test_lead_list_marked(snap_app, snap_compare):
    run = _after("space", "down", "space")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run)


def test_bulk_menu(snap_app, snap_compare):
    run = _after("space", "down", "space", "b")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run)


def test_capture_empty(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("ctrl+n"))


def test_capture_with_errors(snap_app, snap_compare):
    keys = ["ctrl+n", *"Bad", "tab", "tab", *"+4812", "tab", *"x@", "ctrl+s"]
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_capture_phone_waits_for_country(snap_app, snap_compare):
    keys = ["ctrl+n", *"Lin Mei", "tab", "tab", *"0933-111-222", "tab", *"lin@mei.tw"]
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_capture_duplicate_warning(snap_app, snap_compare):
    keys = ["ctrl+n", *"Anna", "tab", "tab", "tab", *"anna@kowalski.pl", "ctrl+s"]
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_merge_choice(snap_app, snap_compare):
    keys = ["ctrl+n", *"Anna K", "tab", "tab", *"+48600100200", "tab", *"anna@kowalski.pl"]
    keys += ["ctrl+s", "m", "down", "down", "down", "right"]
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_lead_record(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("G", "enter"))


def test_help(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("f1"))


def test_funnel_overview(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("f4"))


def test_today_queue(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("ctrl+t"))


def test_log_form(snap_app, snap_compare):
    keys = ("ctrl+t", "l", "r", *"wants the deck", "tab", *"Send deck", "tab", *"fri")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_too_small(snap_app, snap_compare):
    assert snap_compare(snap_app, terminal_size=(70, 20), run_before=_after())


def _qualify(lead_name: str, answers: dict[str, str], promote: bool = False) -> None:
    """Answer checklist items of a lead before the app starts, at the frozen time."""
    from funnel_tui.storage.models import Qualification

    rules = Funnel(load_config(), "rita")
    lead = Lead.get(Lead.name == lead_name)
    for item, (answer, evidence) in answers.items():
        rules.answer(lead.id, item, answer, evidence=evidence)
    if promote:
        rules.promote(lead.id)
    Qualification.update(answered_at=FROZEN).execute()
    Lead.update(updated_at=FROZEN).execute()
    History.update(at=FROZEN).execute()


HALF_FILLED = {
    "budget": ("yes", "CFO confirmed 40k in the Q3 budget on the call of 12 May"),
    "need": ("yes", "[bold]fleet tracking[/bold] for 120 trucks"),
    "authority": ("no", "the CFO signs; we spoke to a dispatcher"),
}


def test_checklist_half_filled(snap_app, snap_compare):
    _qualify("Anna Kowalska", HALF_FILLED)
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("G", "q"))


def test_checklist_gate_refusal(snap_app, snap_compare):
    _qualify("Anna Kowalska", HALF_FILLED)
    keys = ("G", "q", "p")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_convert_form(snap_app, snap_compare):
    every_yes = {item: ("yes", "") for item in ("budget", "authority", "need", "timeline")}
    _qualify("王小明", every_yes, promote=True)
    keys = ("j", "j", "q", "c", *"25000")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


@pytest.fixture
def board_app(tmp_path, monkeypatch):
    """The board on the ui_support deals, every time taken from the frozen clock."""
    from .ui_support import seed_deals

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "Etc/UTC")  # as snap_app
    open_database("board.db")
    seed_deals(load_config(), NOW)
    app = FunnelApp(
        config=load_config(),
        target="board.db",
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
        start="board",
    )
    yield app
    close_database()


def test_board(board_app, snap_compare):
    assert snap_compare(board_app, terminal_size=(80, 24), run_before=_after("j"))


def test_board_wide_with_won_and_lost(board_app, snap_compare):
    keys = ("f", "l", "greater_than_sign", "w")
    assert snap_compare(board_app, terminal_size=(160, 48), run_before=_after(*keys))


def test_board_lost_reason_prompt(board_app, snap_compare):
    assert snap_compare(board_app, terminal_size=(80, 24), run_before=_after("l", "x"))


def test_deal_record(board_app, snap_compare):
    keys = ("l", "l", "enter")
    assert snap_compare(board_app, terminal_size=(80, 24), run_before=_after(*keys))


IMPORT_SHEET = (
    "First Name;Last Name;Account Name;Email Address;Mobile;Country;Fax\n"
    "Jürgen;Weiß;Kühne Logistik GmbH;j.weiss@kuehne-log.de;030 901820;Deutschland;030 1\n"
    "美玲;陳;台灣精密股份有限公司;meiling@twprecision.com.tw;0912 345 678;TW;\n"
    "[bold]Eve;Tester;Evil Corp;not-an-email;;US;\n"
    "Anna;Kowalska;Kowalski Logistyka;anna@kowalski.pl;;PL;\n"
)


def _import_keys(*more):
    async def run(pilot):
        await _settle(pilot)
        await pilot.press("i")
        await _settle(pilot)
        pilot.app.screen.query_one("#path").value = "expo.csv"
        for key in ("enter", *more):
            await pilot.press(key)
            await _settle(pilot)

    return run


def test_import_mapping(snap_app, snap_compare, tmp_path):
    (tmp_path / "expo.csv").write_text(IMPORT_SHEET, encoding="utf-8-sig")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_import_keys("down", "u"))


def test_import_report(snap_app, snap_compare, tmp_path):
    (tmp_path / "expo.csv").write_text(IMPORT_SHEET, encoding="utf-8-sig")
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_import_keys("ctrl+s"))


@pytest.mark.parametrize(
    "keys",
    [("ctrl+g",), ("ctrl+g", "2"), ("ctrl+g", "2", "t"), ("ctrl+g", "7")],
    ids=["conversion", "sources", "sources-table", "activity"],
)
def test_reports(snap_app, snap_compare, keys):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))
