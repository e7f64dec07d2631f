"""A team at work (issue 25): an open lead list follows another instance's writes by
what changed on its screen. Another writer's lead appears and the counts stay exact, on
both engines, and where only the counts change no row is read again; nothing is loaded
again from the top."""

from __future__ import annotations

import time

import pytest

import funnel_tui.tui.screens.leads as leads_module
from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import open_database
from funnel_tui.storage.models import Lead
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.widgets.lead_table import LeadTable

from .clock import NOW, Clock
from .ui_support import SIZE, settle

# More leads than the table has lines at 80×24: a lead sorted last falls off the screen.
LEADS = 30
HEARD_WITHIN = 5.0  # seconds: the watcher polls once a second


@pytest.fixture
def team(db_target, tmp_path):
    """Rita's database with LEADS leads (every fifth one working), Olaf writing beside
    her: (target, olaf's rules)."""
    open_database(db_target)
    rita = Funnel(load_config(), "rita", Clock())
    for n in range(LEADS):
        lead = rita.capture_lead({"name": f"Lead {n:02d}", "email": f"lead{n}@example.com"})
        if n % 5 == 0:
            rita.set_status(lead.id, "working")
    return db_target, Funnel(load_config(), "olaf", Clock())


def _app(target: str, tmp_path) -> FunnelApp:
    return FunnelApp(
        config=load_config(),
        target=target,
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
    )


def _counted() -> tuple[int, dict[str, int]]:
    """The live leads and their number per status, counted from the records."""
    rows = list(Lead.select(Lead.status).where(Lead.merged_into.is_null()).tuples())
    by_status: dict[str, int] = {}
    for (status,) in rows:
        by_status[status] = by_status.get(status, 0) + 1
    return len(rows), by_status


def _shown(screen) -> tuple[int, dict[str, int]]:
    shown = {status: n for status, n in (screen._by_status or {}).items() if n}
    return screen._total, shown


async def _until(pilot, check, seconds: float = HEARD_WITHIN) -> None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return
        await pilot.pause(0.05)
    assert check(), f"not within {seconds} s"


class _Reads:
    """What the list reads after others' writes: its reloads from the top, and the ids
    of the rows it reads again."""

    def __init__(self, screen, monkeypatch) -> None:
        self.reloads = 0
        self.rows: list[int] = []
        reload, lead_rows = screen.reload, leads_module.lead_rows

        def counted_reload(*args, **kwargs):
            self.reloads += 1
            return reload(*args, **kwargs)

        def counted_rows(ids):
            self.rows += ids
            return lead_rows(ids)

        monkeypatch.setattr(screen, "reload", counted_reload)
        monkeypatch.setattr(leads_module, "lead_rows", counted_rows)


async def _open(app, pilot):
    await settle(pilot)
    await _until(pilot, lambda: app.watch_changes is not None)
    return app.screen, app.screen.query_one(LeadTable)


async def test_another_writers_lead_appears_and_the_counts_stay_exact(team, tmp_path, monkeypatch):
    target, olaf = team
    app = _app(target, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(app, pilot)
        assert _shown(screen) == _counted()
        reads = _Reads(screen, monkeypatch)

        # With a company new to the database: written beside the lead, shown in its row.
        lead = olaf.capture_lead(
            {"name": "From Olaf", "email": "olaf@example.com", "company": "Olaf AB"}
        )
        await _until(pilot, lambda: table.row(0) is not None and table.row(0)["id"] == lead.id)
        assert table.row(0)["company"] == "Olaf AB"
        await _until(pilot, lambda: _shown(screen) == _counted())
        assert _shown(screen) == (LEADS + 1, {"new": 25, "working": 6})
        assert reads.rows == [lead.id]  # the one row that came on screen, no other
        assert table.row(1)["name"] == "Lead 29"  # the others moved down a line

        # A lead of the list changes status: the counts move, its row shows it.
        olaf.set_status(lead.id, "working")
        await _until(pilot, lambda: table.row(0)["status"] == "working")
        await _until(pilot, lambda: _shown(screen) == (LEADS + 1, {"new": 24, "working": 7}))
        assert reads.reloads == 0


async def test_a_lead_off_the_screen_changes_the_counts_alone(team, tmp_path, monkeypatch):
    target, olaf = team
    app = _app(target, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(app, pilot)
        with app._context():
            screen._set_query(sort="name", descending=False)
        await settle(pilot)
        first_rows = [table.row(i) for i in range(table.size.height)]
        assert first_rows[0]["name"] == "Lead 00"
        reads = _Reads(screen, monkeypatch)

        olaf.capture_lead({"name": "Zora Last", "email": "zora@example.com"})
        await _until(pilot, lambda: _shown(screen) == (LEADS + 1, {"new": 25, "working": 6}))
        assert _shown(screen) == _counted()
        assert table.total == LEADS + 1  # the scrollbar knows of it
        assert reads.rows == []  # no row read again: none changed on screen
        # The rows on screen are the very ones drawn before: nothing to draw again.
        assert all(table.row(i) is row for i, row in enumerate(first_rows)), (
            "a row on screen was replaced"
        )
        assert reads.reloads == 0


async def test_a_search_ignores_leads_it_does_not_find_and_counts_those_it_does(
    team, tmp_path, monkeypatch
):
    target, olaf = team
    app = _app(target, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(app, pilot)
        with app._context():
            screen._set_query(text="olaf")
        await settle(pilot)
        await pilot.pause(0.3)  # a search's counts per status follow a pause in typing
        await settle(pilot)
        assert _shown(screen) == (0, {})
        reads = _Reads(screen, monkeypatch)

        olaf.capture_lead({"name": "Somebody Else", "email": "else@example.com"})
        # Heard (the watcher's newest change moves), and nothing read for this list.
        watch = app.watch_changes
        newest = watch._newest
        await _until(pilot, lambda: watch._newest > newest)
        await pilot.pause(0.3)
        assert _shown(screen) == (0, {})
        assert reads.rows == []

        lead = olaf.capture_lead({"name": "Olaf Found", "email": "found@example.com"})
        await _until(pilot, lambda: table.row(0) is not None and table.row(0)["id"] == lead.id)
        await _until(pilot, lambda: _shown(screen) == (1, {"new": 1}))
        assert reads.rows == [lead.id]
        assert reads.reloads == 0


def test_only_new_leads_and_their_new_companies_leave_the_old_rows_as_they_were():
    from funnel_tui.live.changes import Changes

    def batch(records, made):
        return Changes(records=frozenset(records), made=frozenset(made))

    lead, company, old, deal = ("lead", 7), ("company", 3), ("lead", 1), ("opportunity", 2)
    assert batch({lead, company}, {lead, company}).only_new_leads
    assert not batch({company}, {company}).only_new_leads  # no lead at all
    assert not batch({lead, old}, {lead}).only_new_leads  # an old lead changed
    assert not batch({lead, deal}, {lead, deal}).only_new_leads  # a deal shows in old rows
    assert not Changes(everything=True).only_new_leads
