"""Snapshots of the accounts at 80×24: the Companies list and a customer's company record,
on the board's fixed deals (every time from a frozen clock)."""

from __future__ import annotations

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.app import FunnelApp

from .test_snapshots import NOW, _after
from .ui_support import seed_deals


@pytest.fixture
def accounts_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "Etc/UTC")  # the pictures' times, whatever the machine's zone
    open_database("accounts.db")
    config = load_config()
    ids = seed_deals(config, NOW)
    rules = Funnel(config, "rita", lambda: NOW)
    rules.win(ids[0])  # Kowalski Logistyka becomes a customer
    rules.capture_lead(
        {
            "name": "Piotr Nowak",
            "company": "Kowalski Logistyka",
            "email": "piotr@kowalski.pl",
            "title": "Head of IT",
        }
    )
    app = FunnelApp(
        config=load_config(),
        target="accounts.db",
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
        start="companies",
    )
    yield app
    close_database()


def test_companies_list(accounts_app, snap_compare):
    keys = ("o", "o", "enter")  # sorted by open pipeline, largest first
    assert snap_compare(accounts_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_company_record(accounts_app, snap_compare):
    keys = ("slash", "k", "o", "w", "enter", "enter")
    assert snap_compare(accounts_app, terminal_size=(80, 24), run_before=_after(*keys))
