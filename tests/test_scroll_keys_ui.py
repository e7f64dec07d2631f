"""Every list and long text scrolls with the keys its help names (issue 20): at 80×24,
with more than fits, ↓ ↑ (j k), PgDn PgUp, Home End (g G) move or scroll as F1 says,
the cursor kept in view."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database

from .ui_support import SIZE, app_at, settle

NOW = dt.datetime(2026, 11, 23, 9, 0)  # a Monday, UTC
TODAY = NOW.date()
MANY = 40


def _seed(path: str) -> None:
    """MANY leads of rita's, each overdue in Today; the first with MANY activities; MANY
    deals in Qualification, the first with MANY activities; a lead of each of MANY other
    reps (a report split by owner has more bars than fit)."""
    config = load_config()
    then = NOW - dt.timedelta(days=6)
    rules = Funnel(config, "rita", lambda: then)
    for i in range(MANY):
        lead = rules.capture_lead({"name": f"Lead {i:02}", "email": f"lead{i}@example.com"})
        rules.log_activity(
            lead_id=lead.id, kind="call", outcome="no_answer", next_action=f"Call {i:02}",
            next_due=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
        if i == 0:
            for n in range(MANY):
                rules.log_activity(lead_id=lead.id, kind="note", note=f"Lead note {n:02}")
    for i in range(MANY):
        lead = rules.capture_lead({"name": f"Deal {i:02}", "email": f"deal{i}@example.com"})
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(lead.id, item, "yes")
        rules.promote(lead.id)
        opp = rules.convert(
            lead.id, amount="1000", currency="EUR", stage="Qualification",
            expected_close=TODAY + dt.timedelta(days=30),
        )  # fmt: skip
        if i == 0:
            for n in range(MANY):
                rules.log_activity(opportunity_id=opp.id, kind="note", note=f"Deal note {n:02}")
    for i in range(MANY):
        rep = Funnel(config, f"rep{i:02}", lambda: then)
        rep.capture_lead({"name": f"Rep lead {i:02}", "email": f"rep{i}@example.com"})


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("scroll") / "many.db"
    open_database(str(path))
    _seed(str(path))
    close_database()
    return path


@pytest.fixture
def db(seeded, tmp_path):
    path = tmp_path / "many.db"
    shutil.copy(seeded, path)
    yield str(path)
    close_database()


def _app(db: str, tmp_path, start: str):
    open_database(db)
    return app_at(db, tmp_path, NOW, start=start)


def screen_text(app) -> str:
    """What the terminal shows now, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def help_keys(pilot) -> dict[str, str]:
    """F1 on the screen shown: each description → its keys (then the help is closed)."""
    from funnel_tui.tui.dialogs.help import HelpScreen

    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    shown = str(pilot.app.screen.query_one("Static").render())
    await pilot.press("escape")
    await settle(pilot)
    keys = {}
    for line in shown.splitlines():
        if line.startswith("  ") and "  " in line.strip():
            named, description = line.strip().split("  ", 1)
            keys[description.strip()] = named.strip()
    return keys


def assert_names_scroll_keys(keys: dict[str, str], first: str = "First", last: str = "Last"):
    assert "↓" in keys["Down"] and "↑" in keys["Up"], keys
    assert "pgdn" in keys["Page down"] and "pgup" in keys["Page up"], keys
    assert "home" in keys[first] and "end" in keys[last], keys


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


# ------------------------------------------------------------------ lists with a cursor


@pytest.mark.parametrize(
    "start, widget, shown",
    [
        ("leads", "#table", lambda row: row["name"]),
        ("today", "#queue", lambda row: row["item"].person),
    ],
)
async def test_a_list_moves_its_cursor_with_the_keys_f1_names(db, tmp_path, start, widget, shown):
    app = _app(db, tmp_path, start)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(widget)
        assert table.has_focus and table.total > SIZE[1]
        assert_names_scroll_keys(await help_keys(pilot))
        first = table.cursor
        await press(pilot, "end")
        last = table.cursor
        assert last == table.total - 1 and table.scroll_y > 0
        assert shown(table.current) in screen_text(app)  # the cursor is in view
        await press(pilot, "home")
        assert table.cursor == first and table.scroll_y == 0
        await press(pilot, "pagedown")
        assert table.cursor > first + 5
        assert shown(table.current) in screen_text(app)
        await press(pilot, "pageup")
        assert table.cursor == first
        await press(pilot, "down", "j")
        assert table.cursor > first
        await press(pilot, "k", "up")
        assert table.cursor == first
        await press(pilot, "G")
        assert table.cursor == last and shown(table.current) in screen_text(app)
        await press(pilot, "g")
        assert table.cursor == first


async def test_a_board_column_moves_its_cursor_with_the_keys_f1_names(db, tmp_path):
    app = _app(db, tmp_path, "board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = app.screen.query_one("#board")
        column = board.focused_column
        assert column.count == MANY > board.cards_per_column
        assert_names_scroll_keys(await help_keys(pilot), "First card", "Last card")
        for keys, cursor in [
            (("end",), MANY - 1),
            (("home",), 0),
            (("pagedown",), board.cards_per_column),
            (("pageup",), 0),
            (("down", "j"), 2),
            (("k", "up"), 0),
            (("G",), MANY - 1),
        ]:
            await press(pilot, *keys)
            assert column.cursor == cursor, keys
            assert board.current.name in screen_text(app), keys  # kept in view
        await press(pilot, "g")
        assert column.cursor == 0


# ------------------------------------------------------------------ timelines


async def _read_timeline(pilot) -> None:
    """The timeline has the focus: every key F1 names scrolls it, newest first."""
    app = pilot.app
    timeline = app.screen.query_one("#timeline")
    lines = str(app.screen.query_one("#events").render()).splitlines()
    # After its time and who (the same on every line here): the first and the last event.
    newest, oldest = lines[1].strip()[22:55], lines[-1].strip()[22:55]
    assert timeline.has_focus and timeline.max_scroll_y > 0
    assert newest in screen_text(app) and oldest not in screen_text(app)
    assert_names_scroll_keys(await help_keys(pilot), "Top", "Bottom")
    await press(pilot, "end")
    assert timeline.scroll_y == timeline.max_scroll_y and oldest in screen_text(app)
    await press(pilot, "home")
    assert timeline.scroll_y == 0 and newest in screen_text(app)
    await press(pilot, "pagedown")
    assert timeline.scroll_y > 3
    await press(pilot, "pageup")
    assert timeline.scroll_y == 0
    await press(pilot, "down", "j")
    assert timeline.scroll_y == 2
    await press(pilot, "k", "up")
    assert timeline.scroll_y == 0
    await press(pilot, "G")
    assert timeline.scroll_y == timeline.max_scroll_y
    await press(pilot, "g")
    assert timeline.scroll_y == 0


async def test_a_deals_timeline_scrolls_with_the_keys_f1_names(db, tmp_path):
    app = _app(db, tmp_path, "board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_opportunity(1)  # Deal 00, the one with MANY notes
        await settle(pilot)
        await _read_timeline(pilot)


async def test_a_leads_timeline_scrolls_from_its_fields_and_with_its_own_keys(db, tmp_path):
    app = _app(db, tmp_path, "leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(1)  # Lead 00, the one with MANY notes
        await settle(pilot)
        name = app.screen.query_one("#f-name")
        timeline = app.screen.query_one("#timeline")
        assert name.has_focus and timeline.max_scroll_y > 0
        keys = await help_keys(pilot)
        assert keys["Timeline page down"] == "pgdn" and keys["Timeline page up"] == "pgup"
        await press(pilot, "pagedown")
        assert name.has_focus and timeline.scroll_y > 3
        await press(pilot, "pageup")
        assert timeline.scroll_y == 0
        await press(pilot, "end", "home", "down")  # the field's own keys, still
        assert name.has_focus and timeline.scroll_y == 0
        timeline.focus()  # as tab after the last field does
        await settle(pilot)
        keys = await help_keys(pilot)
        assert "Timeline page down" not in keys  # named once, as the timeline's
        await _read_timeline(pilot)


# ------------------------------------------------------------------ dialogs


async def _pick_with_keys(pilot, options, first: str, last: str) -> None:
    """A list of choices at its first: the keys F1 names move the highlight, in view."""
    app = pilot.app
    assert options.has_focus and options.highlighted == 0
    assert_names_scroll_keys(await help_keys(pilot))
    await press(pilot, "end")
    assert options.highlighted == options.option_count - 1 and last in screen_text(app)
    await press(pilot, "home")
    assert options.highlighted == 0 and first in screen_text(app)
    await press(pilot, "pagedown")
    assert options.highlighted > 3
    await press(pilot, "pageup")
    assert options.highlighted == 0
    await press(pilot, "down", "down", "up")
    assert options.highlighted == 1


async def test_a_choice_longer_than_the_screen_is_picked_with_the_keys_f1_names(db, tmp_path):
    from funnel_tui.tui.dialogs.dialogs import ChoiceDialog

    app = _app(db, tmp_path, "board")
    chosen = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reasons = tuple(f"Reason {n:02}" for n in range(MANY))
        app.push_screen(ChoiceDialog("Why was it lost?", reasons), chosen.append)
        await settle(pilot)
        options = app.screen.query_one("OptionList")
        assert "Reason 39" not in screen_text(app)
        await _pick_with_keys(pilot, options, "Reason 00", "Reason 39")
        await press(pilot, "end", "enter")
        assert chosen == ["Reason 39"]


async def test_the_sort_dialog_names_its_keys_and_letters_still_jump(db, tmp_path):
    app = _app(db, tmp_path, "leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        options = app.screen.query_one("OptionList")
        titles = list(app.screen.titles.values())
        options.highlighted = 0
        await _pick_with_keys(pilot, options, titles[0], titles[-1])
        letter = titles[-1][0].lower()
        await press(pilot, "home", letter)  # a letter jumps to a sort starting with it
        assert titles[options.highlighted].lower().startswith(letter)


async def test_the_records_behind_a_figure_scroll_with_the_keys_f1_names(db, tmp_path):
    app = _app(db, tmp_path, "reports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the funnel's first step: every lead captured
        options = app.screen.query_one("OptionList")
        assert options.option_count > 16  # more than the dialog shows
        await _pick_with_keys(
            pilot,
            options,
            str(options.get_option_at_index(0).prompt)[11:],
            str(options.get_option_at_index(options.option_count - 1).prompt)[11:],
        )


# ------------------------------------------------------------------ the help itself


async def test_a_help_longer_than_the_screen_says_how_to_scroll_it_and_does(db, tmp_path):
    from funnel_tui.tui.dialogs.help import HelpScreen

    app = _app(db, tmp_path, "board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("KeyedScroll")
        assert scroll.has_focus and scroll.max_scroll_y > 0
        # F1 here closes the help: its own keys are named on its frame.
        assert "↓ ↑ PgDn PgUp Home End scroll" in screen_text(app)
        assert "Everywhere" not in screen_text(app)
        await press(pilot, "end")
        assert scroll.scroll_y == scroll.max_scroll_y and "Everywhere" in screen_text(app)
        await press(pilot, "home")
        assert scroll.scroll_y == 0
        await press(pilot, "pagedown")
        assert scroll.scroll_y > 3
        await press(pilot, "pageup", "down", "j")
        assert scroll.scroll_y == 2
        await press(pilot, "k", "up")
        assert scroll.scroll_y == 0


async def test_a_help_that_fits_claims_no_scrolling(db, tmp_path):
    app = _app(db, tmp_path, "board")
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await press(pilot, "f1")
        assert app.screen.query_one("KeyedScroll").max_scroll_y == 0
        assert "esc closes" in screen_text(app) and "PgDn" not in screen_text(app)


# ------------------------------------------------------------------ reports


async def test_a_chart_with_more_bars_than_fit_picks_them_with_the_keys_f1_names(db, tmp_path):
    app = _app(db, tmp_path, "reports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5")  # speed to lead, a bar per owner: rita and MANY reps
        chart = app.screen.query_one("#chart")
        box = app.screen.query_one("#chart-box")
        bars = len(chart.choices())
        assert chart.has_focus and bars == MANY + 1 and box.max_scroll_y > 0
        assert_names_scroll_keys(await help_keys(pilot))
        await press(pilot, "down", "down")
        assert chart.selected == 2  # ↓ picks the next bar (it scrolled the box before)
        await press(pilot, "end")
        assert chart.selected == bars - 1 and "rep39" in screen_text(app)
        await press(pilot, "home")
        assert chart.selected == 0 and box.scroll_y == 0
        await press(pilot, "pagedown")
        assert chart.selected > 5
        await press(pilot, "pagedown", "pagedown", "pagedown")
        assert chart.selected == bars - 1 and "rep39" in screen_text(app)
        await press(pilot, "pageup")
        picked = f"rep{chart.selected - 1:02}"
        assert chart.selected < bars - 5 and picked in screen_text(app)
        await press(pilot, "home", "up")  # ↑ on the first goes round to the last, in view
        assert chart.selected == bars - 1 and "rep39" in screen_text(app)


async def test_a_reports_table_moves_by_rows_with_the_keys_f1_names(db, tmp_path):
    app = _app(db, tmp_path, "reports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5", "t")
        table = app.screen.query_one("#figures")
        assert table.has_focus and table.row_count > SIZE[1]
        assert_names_scroll_keys(await help_keys(pilot))
        await press(pilot, "right")
        column = table.cursor_column
        await press(pilot, "end")  # the last row, not the last column
        assert table.cursor_row == table.row_count - 1 and table.cursor_column == column
        assert table.scroll_y == table.max_scroll_y and "rep39" in screen_text(app)
        await press(pilot, "home")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await press(pilot, "pagedown")
        assert table.cursor_row > 5
        await press(pilot, "pageup", "j", "down")
        assert table.cursor_row == 2
        await press(pilot, "G")
        assert table.cursor_row == table.row_count - 1
        await press(pilot, "g")
        assert table.cursor_row == 0 and table.cursor_column == column


# ------------------------------------------------------------------ the checklist


async def test_a_checklist_longer_than_the_screen_moves_with_the_keys_f1_names(db, tmp_path):
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.tui.app import FunnelApp

    criteria = "".join(
        f'[[icp]]\nkey = "c{n:02}"\nlabel = "Criterion {n:02}"\nkind = "in"\n'
        f'values = ["yes"]\nweight = 1\n\n'
        for n in range(20)
    )
    config = tmp_path / "funnel.toml"
    config.write_text(criteria, encoding="utf-8")
    open_database(db)
    app = FunnelApp(
        config=load_config(config),
        target=db,
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "q")
        view = app.screen.query_one("#checklist")
        box = app.screen.query_one("#checklist-box")
        assert view.has_focus and len(view.keys) == 24 and box.max_scroll_y > 0
        assert "Criterion 19" not in screen_text(app)
        assert_names_scroll_keys(await help_keys(pilot))
        await press(pilot, "end")
        assert view.current == "icp:c19" and "▸ Criterion 19" in screen_text(app)
        assert "Checklist" in screen_text(app).splitlines()[0]  # the screen stays put
        assert "Score" in screen_text(app) and "Gate" in screen_text(app)  # under the list
        await press(pilot, "home")
        assert view.cursor == 0 and box.scroll_y == 0 and "BANT" in screen_text(app)
        await press(pilot, "pagedown")
        assert view.cursor > 5
        label = f"▸ Criterion {view.cursor - 4:02}"  # after the 4 BANT items
        assert label in screen_text(app)
        await press(pilot, "pageup", "j", "down")
        assert view.cursor == 2
        for _ in range(23):
            await pilot.press("down")
        await settle(pilot)
        assert view.current == "icp:c19" and "▸ Criterion 19" in screen_text(app)
        await press(pilot, "y")  # the keys of the checklist still answer the item
        assert "Criterion 19" in screen_text(app) and view.state.score.items[-1].answer == "yes"


async def test_the_boards_totals_scroll_with_the_keys_f1_names(db, tmp_path):
    from funnel_tui.read.pipeline import StageTotals
    from funnel_tui.tui.dialogs.board_totals import TotalsDialog

    currencies = ("EUR", "USD", "PLN", "MXN", "TWD", "CNY")
    totals = [
        StageTotals(f"Stage {n}", 50, 6, {c: 100_000 * (n + 1) for c in currencies})
        for n in range(6)
    ]  # 36 rows, more than the dialog's 18
    app = _app(db, tmp_path, "board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TotalsDialog(totals, app.config, ""))
        await settle(pilot)
        scroll = app.screen.query_one("KeyedScroll")
        assert scroll.has_focus and scroll.max_scroll_y > 0
        assert "Stage 5" not in screen_text(app)
        assert_names_scroll_keys(await help_keys(pilot), "Top", "Bottom")
        await press(pilot, "end")
        assert scroll.scroll_y == scroll.max_scroll_y and "Stage 5" in screen_text(app)
        await press(pilot, "home")
        assert scroll.scroll_y == 0 and "Stage 0" in screen_text(app)
        await press(pilot, "pagedown")
        assert scroll.scroll_y > 3
        await press(pilot, "pageup", "down", "j")
        assert scroll.scroll_y == 2


async def test_many_fields_changed_meanwhile_scroll_with_the_field_under_the_cursor(db, tmp_path):
    from funnel_tui.tui.dialogs.conflict import Clash, ConflictDialog

    clashes = [
        Clash(f"f{n}", f"Field {n}", f"theirs {n}", "bob", NOW, f"mine {n}") for n in range(9)
    ]
    chosen = []
    app = _app(db, tmp_path, "leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ConflictDialog("Lead 00", clashes), chosen.append)
        await settle(pilot)
        box = app.screen.query_one("#rows-box")
        assert box.max_scroll_y > 0 and "Field 8" not in screen_text(app)
        keys = await help_keys(pilot)
        assert "↓" in keys["Next field"] and "↑" in keys["Previous field"]
        assert keys["Page down"] == "pgdn" and keys["Page up"] == "pgup"
        assert keys["First field"] == "home" and keys["Last field"] == "end"
        await press(pilot, "end")
        assert app.screen.cursor == 8 and "mine 8" in screen_text(app)
        await press(pilot, "home")
        assert app.screen.cursor == 0 and box.scroll_y == 0
        await press(pilot, "pagedown")
        cursor = app.screen.cursor
        assert cursor > 1 and f"mine {cursor}" in screen_text(app)
        await press(pilot, "pageup")
        assert app.screen.cursor == 0
        for n in range(8):
            await pilot.press("m")  # keep mine, and on to the next field
            await settle(pilot)
            assert f"▶ Field {n + 1}" in screen_text(app) and f"mine {n + 1}" in screen_text(app)
        await press(pilot, "m", "enter")
        assert chosen == [{f"f{n}": "mine" for n in range(9)}]


async def test_f1_on_the_palette_names_the_keys_that_move_in_its_list(db, tmp_path):
    from textual.command import CommandList

    app = _app(db, tmp_path, "leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"Lead")
        found = app.screen.query_one(CommandList)
        assert found.option_count > 5
        keys = await help_keys(pilot)
        assert keys["Next command"] == "↓" and keys["Previous command"] == "↑"
        assert keys["Next page"] == "pgdn" and keys["Previous page"] == "pgup"
        assert "^end" in keys["Go to bottom"] and "^home" in keys["Go to top"]
        await press(pilot, "down")
        assert found.highlighted == 1
        await press(pilot, "pagedown")
        assert found.highlighted > 2
        await press(pilot, "ctrl+home")
        assert found.highlighted == 0
        await press(pilot, "ctrl+end")
        assert found.highlighted == found.option_count - 1


async def test_a_trend_chart_claims_no_bar_keys(db, tmp_path):
    app = _app(db, tmp_path, "reports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "7")  # activity: a line per owner, week by week
        assert app.screen.query_one("#chart").choices() == []
        keys = await help_keys(pilot)
        assert "Down" not in keys and "Last" not in keys and "Page down" not in keys
        await press(pilot, "1")  # the funnel's steps are picked again
        assert_names_scroll_keys(await help_keys(pilot))
