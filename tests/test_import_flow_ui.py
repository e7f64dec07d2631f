"""The Import screen's flow at 80×24, typed as a fast typist types it (whole paths and
mappings in one burst): the values of list-bound columns mapped in the mapping step, a
dry run that writes no file and goes back to the mapping as it was, a report that
scrolls with the keys its help names, and the path kept when going back."""

from __future__ import annotations

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.team_lists import added_values
from funnel_tui.storage.models import Lead
from funnel_tui.tui.dialogs.help import HelpScreen

from .clock import NOW, Clock
from .ui_support import SIZE, app_at, keys_settled, press_burst, seeded_env, settle

CRM = (
    "Name,Email,Lead Source,Country\n"
    "Ada Web,ada@example.com,Web,DE\n"
    "Bo Web,bo@example.com,web,DE\n"
    "Cy Webinar,cy@example.com,Webinar,PL\n"
    "Di Webinar,di@example.com,Webinar,PL\n"
    "Ed Fair,ed@example.com,Fair,MX\n"
    "Gus Good,gus@example.com,Referral,US\n"
)


@pytest.fixture
def env(tmp_path):
    yield from seeded_env(tmp_path)


def _app(env, tmp_path):
    return app_at(env[0], tmp_path, NOW, start="import")


def _text(app, selector: str) -> str:
    widget = app.screen.query_one(selector)
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def _values(app) -> dict[str, str]:
    """The values table: value → what it is stored as."""
    table = app.screen.query_one("#values")
    return {
        str(table.get_row_at(i)[1]): str(table.get_row_at(i)[3]) for i in range(table.row_count)
    }


async def test_values_not_on_the_list_are_listed_and_mapped_before_the_import(env, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="utf-8")
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = Lead.select().count()
        # The path, then in the values: Web → the first source (Web form); Webinar →
        # added (the one before last); Fair → kept with no source (the last).
        await press_burst(pilot, str(path), "enter")
        values = _values(app)
        assert values["Web"] == "✘ not on the list: row refused"
        assert values["Referral"] == "= Referral"
        assert values["DE"] == "= Germany (DE)"
        note = _text(app, "#values-note")
        assert "source, country: 3 not on the list (5 rows refused) · tab: values" in note
        rows = {
            str(app.screen.query_one("#values").get_row_at(i)[1]): i for i in range(len(values))
        }
        assert list(rows)[:3] == ["Web", "Webinar", "Fair"]  # what costs rows, first
        await press_burst(pilot, "tab", "enter", "enter")  # Web → Web form
        await press_burst(pilot, "down", "enter")
        await pilot.press("end", "up", "enter")  # Webinar: + add
        await press_burst(pilot, "down", "enter")
        await pilot.press("end", "enter")  # Fair: ∅ keep, empty
        await keys_settled(pilot)
        values = _values(app)
        assert values["Web"] == "→ Web form"
        assert values["Webinar"] == "+ Webinar (added to the list)"
        assert values["Fair"] == "∅ kept, field empty"
        assert "every row keeps its values" in _text(app, "#values-note")

        # A dry run: every row would go in, no reject file, nothing added.
        await press_burst(pilot, "ctrl+d")
        await settle(pilot)
        report = _text(app, "#report")
        assert "Dry run: nothing was written" in report
        assert "6  would be inserted" in report
        assert not list(tmp_path.glob("crm-rejected*.csv"))
        assert added_values("lead_sources") == ()
        assert Lead.select().count() == before

        # esc goes back to the mapping as it was; the import itself adds the source.
        await press_burst(pilot, "escape")
        assert app.screen.step == "mapping"
        assert _values(app)["Webinar"] == "+ Webinar (added to the list)"
        await press_burst(pilot, "ctrl+s")
        await settle(pilot)
        report = _text(app, "#report")
        assert "6  inserted" in report
        assert "Added to the team's source list: Webinar" in report
        assert added_values("lead_sources") == ("Webinar",)
        assert "Webinar" in app.config.lead_sources  # the capture form offers it now
        sources = {lead.email_norm: lead.source for lead in Lead.select()}
        assert sources["ada@example.com"] == sources["bo@example.com"] == "Web form"
        assert sources["cy@example.com"] == "Webinar" and sources["ed@example.com"] == ""


async def test_a_country_is_mapped_by_typing_it(env, tmp_path):
    path = tmp_path / "usa.csv"
    path.write_text("Name,Email,Country\nFlo,flo@example.com,Amerika\n", encoding="utf-8")
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, str(path), "enter", "tab", "enter", "Atlantis", "enter")
        assert "'Atlantis' is not a country funnel knows" in _text(app, "#problem")
        assert _values(app)["Amerika"] == "✘ not on the list: row refused"
        await press_burst(pilot, "enter", "us", "enter", "ctrl+s")
        await settle(pilot)
        assert "1  inserted" in _text(app, "#report")
        assert Lead.get(Lead.email_norm == "flo@example.com").country == "US"


def _many_refused(tmp_path):
    path = tmp_path / "bad.csv"
    rows = "".join(f"P{i},not-an-email-{i}\n" for i in range(40))
    path.write_text("Name,Email\n" + rows, encoding="utf-8")
    return path


async def test_the_report_scrolls_with_the_keys_its_help_names_and_esc_keeps_everything(
    env, tmp_path
):
    path = _many_refused(tmp_path)
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, str(path), "enter", "ctrl+d")
        await settle(pilot)
        scroll = app.screen.query_one("#report-scroll")
        assert scroll.has_focus and scroll.max_scroll_y > 0
        report = _text(app, "#report")
        assert "row 41:" in report  # every refused row, not the first six
        assert not list(tmp_path.glob("bad-rejected*.csv"))  # a dry run writes no file
        await pilot.press("down")
        assert scroll.scroll_y == 1
        await pilot.press("pagedown")
        assert scroll.scroll_y > 1
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("home")
        await settle(pilot)
        assert scroll.scroll_y == 0

        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("Static").render())
        keys = {line.split("  ")[-1].strip(): line for line in shown.splitlines()}
        assert "↓" in keys["Down"] and "↑" in keys["Up"]
        assert "pgdn" in keys["Page down"] and "pgup" in keys["Page up"]
        assert "home" in keys["Top"] and "end" in keys["Bottom"]
        await pilot.press("escape")
        await settle(pilot)

        await press_burst(pilot, "escape")  # back to the mapping, as it was
        assert app.screen.step == "mapping"
        assert app.screen.plan is not None
        await press_burst(pilot, "escape")  # back to the path, kept
        assert app.screen.step == "file"
        assert app.screen.query_one("#path").value == str(path)


async def test_the_mapping_lists_scroll_too(env, tmp_path):
    path = tmp_path / "sources.csv"
    rows = "".join(f"P{i},p{i}@example.com,Source {i}\n" for i in range(30))
    path.write_text("Name,Email,Source\n" + rows, encoding="utf-8")
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, str(path), "enter", "tab")
        table = app.screen.query_one("#values")
        assert table.has_focus and table.row_count == 30
        await pilot.press("end")
        assert table.cursor_row == 29 and table.scroll_y > 0
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row > 1


async def test_a_real_import_says_where_its_reject_file_went_and_keeps_the_earlier(env, tmp_path):
    path = _many_refused(tmp_path)
    earlier = tmp_path / "bad-rejected.csv"
    earlier.write_text("being fixed\n", encoding="utf-8")
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, str(path), "enter", "ctrl+s")
        await settle(pilot)
        flat = "".join(_text(app, "#report").split())  # a long path wraps
        assert f"arein{tmp_path / 'bad-rejected-2.csv'}" in flat
        assert "(bad-rejected.csvwastherealready,andiskeptasitis)" in flat
        assert earlier.read_text(encoding="utf-8") == "being fixed\n"
        assert (tmp_path / "bad-rejected-2.csv").exists()


async def test_people_sharing_a_phone_are_imported_and_shown_as_possible_duplicates(env, tmp_path):
    path = tmp_path / "household.csv"
    path.write_text(
        "Name,Phone\nHans Becker,+49 30 901820\nGreta Becker,+49 30 901820\n", encoding="utf-8"
    )
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, str(path), "enter", "ctrl+s")
        await settle(pilot)
        report = _text(app, "#report")
        assert "2  inserted" in report
        assert "1  inserted sharing a phone with another name: possible duplicates" in report
        assert "? row 3: possible duplicate, same phone as row 2 of this file (Hans" in report


async def test_an_owner_column_is_mapped_to_users(env, tmp_path):
    path = tmp_path / "owners.csv"
    path.write_text(
        "Name,Email,Verkäufer\nAnn,ann@example.com,RITA\nBen,ben@example.com,Zoe\n",
        encoding="utf-8",
    )
    Funnel(load_config(), "bob", Clock()).user_id  # noqa: B018 - a second user
    app = _app(env, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The third column stepped back from "not recognised" to the last field, owner.
        await press_burst(pilot, str(path), "enter", "down", "down")
        await pilot.press("left")
        await keys_settled(pilot)
        assert app.screen.plan.column_map.columns[2].field == "owner"
        values = _values(app)
        assert values["RITA"] == "= rita"
        assert values["Zoe"] == "→ rita (the importing user): no such user"
        await press_burst(pilot, "ctrl+d")
        await settle(pilot)
        report = " ".join(_text(app, "#report").split())
        assert "2 would be inserted" in report
        assert "Owner is no user here: 'Zoe' (1); those leads are rita's" in report
        # Zoe is bob (the second user listed), from the values list.
        await press_burst(pilot, "escape", "tab", "enter", "down", "enter")
        assert _values(app)["Zoe"] == "→ bob"
        await press_burst(pilot, "ctrl+s")
        await settle(pilot)
        assert "Owner is no user here" not in _text(app, "#report")
        owners = {
            lead.email_norm: lead.owner.login
            for lead in Lead.select().where(
                Lead.email_norm.in_(["ann@example.com", "ben@example.com"])
            )
        }
        assert owners == {"ann@example.com": "rita", "ben@example.com": "bob"}
