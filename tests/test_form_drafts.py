"""Nothing typed is lost when the link drops: a call note, edits of a lead, a new deal and
an evidence line are kept on disk as they are typed (mode 0600, like capture's), and the
next start offers them back on the record they belong to."""

from __future__ import annotations

import datetime as dt
import os
import signal
import stat
import time

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore, form_key
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, Qualification
from funnel_tui.tui.app import FunnelApp

from .terminal import Terminal, funnel_env
from .ui_support import SIZE, app_at, settle, type_text

NOW = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def lead_env(tmp_path):
    """Olga, a lead of rita's (a prospect, so she can be converted), and rita's drafts."""
    path = str(tmp_path / "drafts.db")
    open_database(path)
    rules = Funnel(load_config(), "rita", lambda: NOW)
    lead = rules.capture_lead(
        {"name": "Olga Draft", "company": "Draft Co", "email": "olga@example.com"}
    )
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    yield path, tmp_path, lead.id
    close_database()


def _app(lead_env) -> FunnelApp:
    path, tmp_path, _ = lead_env
    return app_at(path, tmp_path, NOW)


def _draft_file(lead_env, key: str):
    return lead_env[1] / "drafts" / f"rita-{key}.json"


async def _pause_typing(pilot) -> None:
    """Longer than the pause after which a draft is written."""
    await pilot.pause(0.6)
    await settle(pilot)


async def _pick_offered(pilot, app, words: str) -> None:
    """At start: choose the offered draft whose label holds `words`."""
    await settle(pilot)
    dialog = app.screen
    assert type(dialog).__name__ == "ChoiceDialog", type(dialog).__name__
    choice = next(c for c in dialog.choices if words in c)
    await pilot.press(*["down"] * dialog.choices.index(choice), "enter")
    await settle(pilot)
    await pilot.pause(0.3)
    await settle(pilot)


async def test_a_call_note_survives_and_comes_back_on_its_record(lead_env):
    lead_id = lead_env[2]
    app = _app(lead_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(lead_id)
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await type_text(pilot, "cor")  # a call, outbound, reached
        await type_text(pilot, "wants the price list")
        await _pause_typing(pilot)
        # The terminal dies here: nothing more is said to the app.
    draft = _draft_file(lead_env, form_key("log", "lead", lead_id))
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert Activity.select().count() == 0
    again = _app(lead_env)
    async with again.run_test(size=SIZE) as pilot:
        await _pick_offered(pilot, again, "Olga Draft")
        assert type(again.screen).__name__ == "LogActivityScreen"
        assert again.screen.query_one("#note").value == "wants the price list"
        await pilot.press("ctrl+s")
        await settle(pilot)
    note = Activity.get()
    assert (note.kind, note.outcome, note.note) == ("call", "reached", "wants the price list")
    assert not draft.exists()


async def test_edits_of_a_lead_survive_and_a_field_changed_meanwhile_is_asked(lead_env):
    lead_id = lead_env[2]
    app = _app(lead_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(lead_id)
        await settle(pilot)
        app.screen.query_one("#f-title").focus()
        await type_text(pilot, "Head of Fleet")
        await _pause_typing(pilot)
    assert _draft_file(lead_env, form_key("edit", "lead", lead_id)).exists()
    # Meanwhile someone else sets the same field.
    Funnel(load_config(), "bob", lambda: NOW).update_lead(lead_id, {"title": "CFO"})
    again = _app(lead_env)
    async with again.run_test(size=SIZE) as pilot:
        await _pick_offered(pilot, again, "edits to Olga Draft")
        screen = again.screen
        assert type(screen).__name__ == "LeadScreen"
        assert screen.query_one("#f-title").value == "Head of Fleet"
        assert "changed meanwhile to CFO" in str(screen.query_one("#hint-title").render())
        assert "unsaved edits are back" in str(screen.query_one("#outcome").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(again.screen).__name__ == "ConflictDialog"  # asked, not overwritten


async def test_edits_warned_of_by_esc_stay_a_draft_when_left_another_way(lead_env):
    """esc on a record with edits warns and stays. A key typed on with it was meant for
    the list: it does not land in a field. Left then by F3 (or ctrl+t …), the edits are
    a draft, offered back on the record, as when left without the warning; a second esc
    leaves without them."""
    lead_id = lead_env[2]
    app = _app(lead_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(lead_id)
        await settle(pilot)
        app.screen.query_one("#f-title").focus()
        await type_text(pilot, "Head of Fleet")
        await pilot.press("escape", "j")  # one burst, as over SSH
        await settle(pilot)
        assert type(app.screen).__name__ == "LeadScreen"
        assert "Unsaved edits" in str(app.screen.query_one("#outcome").render())
        assert app.screen.query_one("#f-title").value == "Head of Fleet"  # no j
        await pilot.press("f3")
        await settle(pilot)
        assert _draft_file(lead_env, form_key("edit", "lead", lead_id)).exists()
        app.open_lead(lead_id)
        await settle(pilot)
        assert app.screen.query_one("#f-title").value == "Head of Fleet"
        assert "unsaved edits are back" in str(app.screen.query_one("#outcome").render())
        await pilot.press("escape", "escape")  # warned, then left without them
        await settle(pilot)
        assert type(app.screen).__name__ == "LeadListScreen"
        assert not _draft_file(lead_env, form_key("edit", "lead", lead_id)).exists()


async def test_a_new_deal_and_an_evidence_line_survive(lead_env):
    lead_id = lead_env[2]
    app = _app(lead_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_checklist(lead_id)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "12500")
        await _pause_typing(pilot)
        await pilot.press("escape")  # cancelled: that draft goes
        await settle(pilot)
        assert not _draft_file(lead_env, form_key("convert", "lead", lead_id)).exists()
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "40000")
        await _pause_typing(pilot)
    assert _draft_file(lead_env, form_key("convert", "lead", lead_id)).exists()
    again = _app(lead_env)
    async with again.run_test(size=SIZE) as pilot:
        await _pick_offered(pilot, again, "new opportunity for Olga Draft")
        assert type(again.screen).__name__ == "ConvertDialog"
        assert again.screen.query_one("#c-amount").value == "40000"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")  # the evidence of the item under the cursor (budget)
        await settle(pilot)
        await type_text(pilot, "CFO confirmed 40k")
        await _pause_typing(pilot)
    key = form_key("evidence", "lead", lead_id, "budget")
    assert _draft_file(lead_env, key).exists()
    third = _app(lead_env)
    async with third.run_test(size=SIZE) as pilot:
        await _pick_offered(pilot, third, "evidence for Budget")
        assert type(third.screen).__name__ == "TextDialog"
        assert third.screen.query_one("#text").value == "CFO confirmed 40k"
        await pilot.press("enter")
        await settle(pilot)
    stored = Qualification.get(Qualification.lead == lead_id, Qualification.item == "budget")
    assert stored.evidence == "CFO confirmed 40k"
    assert not _draft_file(lead_env, key).exists()


async def test_later_keeps_the_drafts_and_discard_drops_them(lead_env):
    lead_id = lead_env[2]
    drafts = DraftStore("rita", lead_env[1] / "drafts")
    drafts.save(form_key("log", "lead", lead_id), {"note": "x", "_label": "a call log on Olga"})
    app = _app(lead_env)
    async with app.run_test(size=SIZE) as pilot:
        await _pick_offered(pilot, app, "Later")
    assert drafts.forms() == [form_key("log", "lead", lead_id)]
    app = _app(lead_env)
    async with app.run_test(size=SIZE) as pilot:
        await _pick_offered(pilot, app, "Discard them all")
    assert drafts.forms() == []


@pytest.mark.slow
def test_a_call_note_survives_a_killed_terminal(lead_env):
    path, tmp_path, _ = lead_env
    env = funnel_env(tmp_path, path)
    with Terminal([], env) as term:
        term.wait_for("Olga Draft")
        term.write(b"\r")  # enter: her record
        term.wait_for("Olga Draft")
        term.read(quiet=0.5)
        term.write(b"\x0c")  # ctrl+l: the log form
        term.wait_for("Log · Olga Draft")
        term.write(b"corpromised to call back after the board meeting")
        term.read(quiet=1.0)
        os.kill(term.pid, signal.SIGKILL)  # the SSH link drops
        term.close()
    with Terminal([], env) as term:
        term.wait_for("Finish one now?")
        term.write(b"\r")
        term.wait_for("promised to call back after the board meeting")
        term.write(b"\x13")  # ctrl+s
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _logged(path):
            term.read(quiet=0.2, limit=0.5)
        assert term.close() == 0
    assert _logged(path) == "promised to call back after the board meeting"


def _logged(path: str) -> str:
    open_database(path)
    try:
        activity = Activity.select().first()
        return activity.note if activity else ""
    finally:
        close_database()


@pytest.mark.slow
def test_a_dropped_link_keeps_the_draft_and_leaves_the_others_at_once(lead_env):
    """SIGHUP, as sshd sends when the link drops: the half-typed lead is kept, the
    instance leaves the presence table, and the exit is not a success."""
    path, tmp_path, _ = lead_env
    env = funnel_env(tmp_path, path)
    with Terminal([], env) as term:
        term.wait_for("Olga Draft")
        term.write(b"\x0e")  # capture
        term.wait_for("New lead")
        term.write(b"Hanna Hangup")
        term.read(quiet=0.1, limit=0.2)  # less than the typing pause: only SIGHUP keeps it
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _present(path):
            term.read(quiet=0.2, limit=0.5)
        assert _present(path) == ["rita"]
        os.kill(term.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10  # no ctrl+q from close(): the link is gone
        while term.alive() and time.monotonic() < deadline:
            term.read(quiet=0.1, limit=0.3)
        code = term.close()
    assert code == 129
    assert _present(path) == []
    kept = DraftStore("rita", tmp_path / "data" / "funnel" / "drafts").load("capture")
    assert kept is not None and kept["name"] == "Hanna Hangup"


def _present(path: str) -> list[str]:
    from funnel_tui.storage.models import Presence

    open_database(path)
    try:
        return [row.login for row in Presence.select()]
    finally:
        close_database()
