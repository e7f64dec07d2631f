"""The Textual shell, driven with Pilot at 80×24, and its snapshot."""

from __future__ import annotations

import pytest

from funnel_tui.app import FunnelApp, FunnelCounts
from funnel_tui.config import load_config
from funnel_tui.db import close_database, open_database
from funnel_tui.funnel import Funnel


def _seed(target: str) -> None:
    open_database(target)
    rules = Funnel(load_config(), "dana")
    for index in range(3):
        rules.capture_lead({"name": f"[bold]Lead {index}", "email": f"l{index}@example.com"})
    lead = rules.capture_lead({"name": "Unq", "email": "u@example.com"})
    rules.set_status(lead.id, "unqualified", reason="no budget")
    close_database()


@pytest.fixture
def shell_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _seed("funnel.db")
    app = FunnelApp(config=load_config(), target="funnel.db", user="dana")
    yield app
    close_database()


async def _settled(pilot) -> str:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return str(pilot.app.query_one(FunnelCounts).render())


async def test_shell_shows_counts_per_funnel_step(shell_app):
    open_database("funnel.db")
    async with shell_app.run_test(size=(80, 24)) as pilot:
        text = await _settled(pilot)
        lines = {line.split("  ")[0].strip(): line for line in text.splitlines() if line}
        assert lines["Leads · new"].split()[3] == "3"
        assert lines["Leads · unqualified"].split()[3] == "1"
        assert lines["Prospects"].split()[1] == "0"
        assert "Qualification" in lines and "Customers" in lines


async def test_refresh_shows_changes_made_elsewhere(shell_app):
    open_database("funnel.db")
    async with shell_app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        Funnel(load_config(), "erik").capture_lead({"name": "Late", "email": "late@example.com"})
        await pilot.press("r")
        text = await _settled(pilot)
        new_line = next(line for line in text.splitlines() if line.startswith("Leads · new"))
        assert new_line.split()[3] == "4"


async def test_user_and_database_are_shown_literally(tmp_path, monkeypatch):
    folder = tmp_path / "[bold]team"
    folder.mkdir()
    monkeypatch.chdir(folder)
    open_database("funnel.db")
    app = FunnelApp(config=load_config(), target="funnel.db", user="[red]dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        assert app.sub_title == "[red]dana · funnel.db"
        screen_text = "".join(
            segment.text for strip in app.screen._compositor.render_strips() for segment in strip
        )
        assert "[red]dana" in screen_text


async def test_q_quits(shell_app):
    open_database("funnel.db")
    async with shell_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not shell_app.is_running


def test_shell_snapshot(shell_app, snap_compare):
    open_database("funnel.db")

    async def settle(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(shell_app, terminal_size=(80, 24), run_before=settle)
