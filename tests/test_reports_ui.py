"""The Reports screen driven as a manager drives it: every report, its chart and its
exact figures, a figure's records and the record behind one, the split, the period and
the currency, and what shows on an empty database."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, OptionList

from funnel_tui.config import load_config
from funnel_tui.core.report_names import REPORT_TITLES
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.dialogs.report_dialogs import PeriodDialog, RecordsDialog
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.reports import ReportsScreen
from funnel_tui.tui.widgets.report_chart import ReportChart

from .ui_support import SIZE, settle, type_text

NOW = dt.datetime(2026, 3, 10, 12, 0)


def _lead(rules: Funnel, n: int, source: str) -> int:
    data = {
        "name": f"Person {n}",
        "phone": f"51234567{n}",
        "email": f"person{n}@example.pl",
        "country": "PL",
        "source": source,
        "company": f"Firma {n}",
    }
    return rules.capture_lead(data).id


@pytest.fixture
def reports_env(tmp_path):
    """Four leads in January: two from a trade show (one won for EUR 1,000, one won for
    USD 2,000), one captured by a user whose name looks like markup, one captured only."""
    path = str(tmp_path / "reports.db")
    open_database(path)
    now = [dt.datetime(2026, 1, 12, 9, 0)]
    rules = Funnel(load_config(), "rita", clock=lambda: now[0])
    ids = [_lead(rules, n, "Trade show") for n in (1, 2)]
    ids.append(_lead(Funnel(load_config(), "[bold]ben", clock=lambda: now[0]), 3, "Referral"))
    ids.append(_lead(rules, 4, "Web form"))
    rules.log_activity(lead_id=ids[0], kind="call", outcome="reached")
    for lead_id, amount, currency in ((ids[0], "1000", "EUR"), (ids[1], "2000", "USD")):
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(lead_id, item, "yes", evidence="on the call")
        rules.promote(lead_id)
        now[0] += dt.timedelta(days=3)
        rules.win(rules.convert(lead_id, amount=amount, currency=currency).id)
    yield path, DraftStore("rita", tmp_path / "drafts"), ids
    close_database()


def _app(env) -> FunnelApp:
    path, drafts, _ = env
    return FunnelApp(
        config=load_config(), target=path, user="rita", drafts=drafts, clock=lambda: NOW
    )


def _chart_text(app) -> str:
    chart = app.screen.query_one(ReportChart)
    return "\n".join(chart.render_line(y).text for y in range(chart.size.height))


def _heading(app) -> str:
    return str(app.screen.query_one("#heading").render())


async def _open_reports(pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+g")
    await settle(pilot)


async def test_every_report_computes_and_draws_at_80x24(reports_env):
    app = _app(reports_env)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reports(pilot)
        assert isinstance(app.screen, ReportsScreen)
        for number, (name, title) in enumerate(REPORT_TITLES.items(), 1):
            await pilot.press(str(number))
            await settle(pilot)
            assert app.screen.report is not None and app.screen.report.name == name
            assert title in _heading(app)
            assert _chart_text(app).strip(), f"{name} drew nothing"


async def test_the_funnel_chart_shows_each_step_and_opens_its_leads(reports_env):
    app = _app(reports_env)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reports(pilot)
        shown = _chart_text(app)
        assert "captured" in shown and "won of captured: 50.0%" in shown
        await pilot.press("down", "down", "down", "down", "enter")  # the won step
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RecordsDialog)
        options = dialog.query_one(OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [name[11:] for name in names] == ["Person 1", "Person 2"]
        await pilot.press("enter")  # opens the first
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.screen.lead_id == reports_env[2][0]


async def test_exact_figures_are_one_key_away_and_each_opens_its_records(reports_env):
    app = _app(reports_env)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reports(pilot)
        await pilot.press("2", "t")  # sources, as a table
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.has_focus
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][:4] == ["Trade show", "2", "2", "100.0%"]
        assert rows[-1][0] == "all" and rows[-1][1] == "4"
        await pilot.press("t", "5")  # speed to lead, by owner: names shown as typed
        await settle(pilot)
        assert "[bold]ben" in _chart_text(app)
        await pilot.press("2", "t")
        await settle(pilot)
        await pilot.press("right", "enter")  # Trade show's leads
        await settle(pilot)
        assert isinstance(app.screen, RecordsDialog)
        assert app.screen.found and [r.label for r in app.screen.found] == ["Person 1", "Person 2"]
        await pilot.press("escape", "t")
        await settle(pilot)
        assert not app.screen.has_class("table")


async def test_split_currency_and_period(reports_env):
    app = _app(reports_env)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reports(pilot)
        await pilot.press("b")  # conversion: none → by source
        await settle(pilot)
        assert "by source" in _heading(app)
        await pilot.press("3")  # win rate: amounts in EUR, the USD deal noted
        await settle(pilot)
        assert "EUR" in _heading(app)
        notes = str(app.screen.query_one("#notes").render())
        assert "USD" in notes
        await pilot.press("c")
        await settle(pilot)
        assert "USD" in _heading(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PeriodDialog)
        await type_text(pilot, "someday")
        await pilot.press("enter")
        await settle(pilot)
        error = str(app.screen.query_one("#period-error").render())
        assert error.startswith("From:") and app.screen.query_one("#from").value == "someday"
        await pilot.press("ctrl+u")
        await type_text(pilot, "2026-02-01")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert "since 2026-02-01" in _heading(app)
        assert "no deal was won or lost" in str(app.screen.query_one("#notes").render())


async def test_an_empty_database_says_so_in_every_report(tmp_path):
    path = str(tmp_path / "empty.db")
    open_database(path)
    app = FunnelApp(
        config=load_config(),
        target=path,
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _open_reports(pilot)
            for number in range(1, len(REPORT_TITLES) + 1):
                await pilot.press(str(number))
                await settle(pilot)
                notes = str(app.screen.query_one("#notes").render())
                assert notes.strip(), f"report {number} gave no note on an empty database"
                await pilot.press("t")
                await settle(pilot)
                await pilot.press("t")
    finally:
        close_database()


def test_a_chart_label_is_cut_to_its_cells_and_never_loops():
    from funnel_tui.tui.widgets.report_chart import fit

    assert fit("漢字漢字", 5) == "漢字…"  # two cells each: 4, and the ellipsis
    assert fit("[bold]x", 9) == "[bold]x  "
    assert fit("anything", 0) == ""  # a chart not laid out yet
