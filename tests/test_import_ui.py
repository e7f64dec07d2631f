"""The Import screen driven with Pilot at 80×24: a file's columns mapped and changed
before anything is written, a dry run, the import and its report, bad files."""

from __future__ import annotations

import pytest

from funnel_tui.config import load_config
from funnel_tui.storage.models import History, Lead
from funnel_tui.tui.app import FunnelApp

from .clock import Clock
from .ui_support import SIZE, seeded_env, settle, type_text

SHEET = (
    "Vorname;Nachname;Firma;E-Mail;Telefon;Land;Fax\n"
    "Jürgen;Weiß;Kühne GmbH;j.weiss@kuehne.de;030 901820;Deutschland;030 1\n"
    "[bold]Eve[/bold];Tester;Evil Corp;eve@example.com;;US;\n"
    "Bad;Mail;X;not-an-email;;DE;\n"
    "Anna;Kowalska;Kowalski Logistyka;anna@kowalski.pl;;PL;\n"
)


@pytest.fixture
def env(tmp_path):
    yield from seeded_env(tmp_path)


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "expo.csv"
    path.write_text(SHEET, encoding="utf-8-sig")
    return path


def _app(env) -> FunnelApp:
    path, drafts = env
    return FunnelApp(
        config=load_config(), target=path, user="rita", drafts=drafts, start="import", clock=Clock()
    )


def _text(app, selector: str) -> str:
    widget = app.screen.query_one(selector)
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


async def _open(pilot, path) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#path").value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def test_mapping_is_shown_and_changeable_before_anything_is_written(env, sheet):
    app = _app(env)
    async with app.run_test(size=SIZE) as pilot:
        before = Lead.select().count()
        await _open(pilot, sheet)
        table = _text(app, "#columns")
        assert "2. Nachname" in table and "last name" in table
        assert "Jürgen" in table
        # Markup in a cell is data: shown as typed.
        assert "[bold]Eve[/bold]" in table
        assert "not recognised" in table  # Fax
        assert "semicolon-separated" in _text(app, "#file-facts")
        assert Lead.select().count() == before  # nothing written yet
        # Column 7 (Fax) stepped from "not imported" to the first field, then back off.
        await pilot.press(*["down"] * 6, "enter")
        await settle(pilot)
        assert app.screen.plan.column_map.columns[6].field == "name"
        await pilot.press("delete")
        await settle(pilot)
        assert app.screen.plan.column_map.columns[6].field == ""
        # The email column taken away: no column is a phone or email for some rows, and
        # the mode line says what is missing when none is left.
        await pilot.press("up", "up", "up", "delete", "down", "delete")
        await settle(pilot)
        assert "phone or an email" in _text(app, "#mode")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.step == "mapping"  # refused to start
        assert Lead.select().count() == before


async def test_dry_run_then_import_with_report(env, sheet, tmp_path):
    app = _app(env)
    async with app.run_test(size=SIZE) as pilot:
        before = Lead.select().count()
        history = History.select().count()
        await _open(pilot, sheet)
        await pilot.press("ctrl+d")
        await settle(pilot)
        report = _text(app, "#report")
        assert "Dry run: nothing was written" in report
        assert "2  would be inserted" in report
        assert (Lead.select().count(), History.select().count()) == (before, history)
        await pilot.press("n")
        await _open(pilot, sheet)
        await pilot.press("ctrl+s")
        await settle(pilot)
        report = _text(app, "#report")
        assert "2  inserted" in report
        assert "1  duplicates skipped" in report  # Anna is in the seed
        assert "1  refused" in report
        assert "4  rows read" in report
        assert "row 4:" in report and "email" in report
        assert Lead.select().count() == before + 2
        assert Lead.get(Lead.email_norm == "eve@example.com").name == "[bold]Eve[/bold] Tester"
        rejects = tmp_path / "expo-rejected.csv"
        assert "not-an-email" in rejects.read_text(encoding="utf-8-sig")


async def test_update_mode_fills_empty_fields(env, tmp_path):
    path = tmp_path / "update.csv"
    path.write_text("Name,Email,Title\nAnna Kowalska,anna@kowalski.pl,CFO\n", encoding="utf-8")
    app = _app(env)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, path)
        await pilot.press("u")
        await settle(pilot)
        assert "update matching leads (empty fields only)" in _text(app, "#mode")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "1  updated" in _text(app, "#report")
        assert Lead.get(Lead.email_norm == "anna@kowalski.pl").title == "CFO"


async def test_a_bad_file_is_named_and_the_path_kept(env, tmp_path):
    binary = tmp_path / "leads.csv"
    binary.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    app = _app(env)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, binary)
        assert "save it as CSV" in _text(app, "#problem")
        assert app.screen.query_one("#path").value == str(binary)
        assert app.screen.step == "file"
        app.screen.query_one("#path").value = str(tmp_path / "missing.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert "No such file" in " ".join(_text(app, "#problem").split())


async def test_tab_completes_the_path(env, sheet):
    app = _app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, str(sheet.parent) + "/exp")
        await pilot.pause(0.2)
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        assert app.screen.query_one("#path").value == str(sheet)
