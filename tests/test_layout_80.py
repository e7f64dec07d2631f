"""At 80×24 what a rep needs is never cut: a whole international phone in the list, a
card's amount and next date on the board, report labels and forecast stage columns,
checklist evidence; and in 16 colours the board's selected card stays readable."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database

from .clock import NOW
from .ui_support import SIZE, app_at, seed_deals, settle

CHEN = {
    "name": "陈志明",
    "company": "深圳华强电子有限公司",
    "phone": "+86 138 0013 8000",
    "email": "chen.zhiming@hqe-electronics.cn",
    "country": "CN",
    "source": "Trade show",
}


@pytest.fixture
def deals_db(tmp_path):
    path = str(tmp_path / "layout.db")
    open_database(path)
    config = load_config()
    seed_deals(config, NOW)
    Funnel(config, "rita", lambda: NOW).capture_lead(CHEN)
    yield path, tmp_path
    close_database()


def screen_lines(app) -> list[str]:
    """The screen as text, line by line, as the terminal shows it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_the_list_shows_a_whole_international_phone_at_80_columns(deals_db):
    path, folder = deals_db
    app = app_at(path, folder, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
    row = next(line for line in lines if "陈志明" in line)
    assert "+86 138 0013 8000" in row
    # Every phone of the seed is whole too, the longest beside the shortest.
    shown = "\n".join(lines)
    for phone in ("+33 6 12 34 56 78", "+886 912 345 678", "+49 1512 3456789"):
        assert phone in shown


async def test_a_wider_list_gives_its_room_to_phone_and_name_first(deals_db):
    from funnel_tui.tui.widgets.lead_table import LeadTable

    path, folder = deals_db
    app = app_at(path, folder, NOW)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        wide = {c.key: w for c, w in app.screen.query_one(LeadTable).columns()}
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        narrow = {c.key: w for c, w in app.screen.query_one(LeadTable).columns()}
    assert narrow["phone"] >= len(CHEN["phone"])
    grown = {key: wide[key] - narrow[key] for key in ("name", "phone", "company", "email")}
    assert grown["name"] > grown["company"] and grown["name"] > grown["email"]
    assert grown["phone"] >= grown["company"]


# xterm's 16 colours, as most terminals keep them.
XTERM = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
    (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
    (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]  # fmt: skip


def _contrast(one: int, two: int) -> float:
    """WCAG contrast ratio of two of the 16 colours."""

    def luminance(number: int) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = XTERM[number]
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_the_selected_card_reads_in_16_colours(deals_db, monkeypatch):
    """Today's blend became bright white on yellow once Rich took it to 16 colours."""
    from funnel_tui.tui.widgets.board_view import BoardView

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    path, folder = deals_db
    app = app_at(path, folder, NOW, start="board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.console.color_system == "standard"
        view = app.screen.query_one(BoardView)
        base = view.rich_style
        card = view.current
        lines = [view.render_line(y) for y in range(view.size.height)]
        column_width = view.layout_columns()[0][1]  # the focused column is the first
    first = next(n for n, s in enumerate(lines) if card.company[:6] in s.text)
    pairs = set()
    for strip in lines[first : first + 3]:
        for segment in list(strip.crop(0, column_width)):
            if segment.text.strip():
                fg = (segment.style.color or base.color).downgrade(ColorSystem.STANDARD)
                bg = (segment.style.bgcolor or base.bgcolor).downgrade(ColorSystem.STANDARD)
                pairs.add((fg.number, bg.number))
    assert pairs, [s.text for s in lines[first : first + 3]]
    for fg, bg in pairs:
        assert _contrast(fg, bg) >= 4.5, (fg, bg)


async def test_report_labels_and_the_forecasts_stage_columns_fit_80_columns(deals_db):
    from textual.widgets import DataTable

    from funnel_tui.tui.widgets.report_chart import ReportChart

    path, folder = deals_db
    app = app_at(path, folder, NOW, start="reports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")  # cycle time: its steps are the chart's labels
        await settle(pilot)
        assert type(app.screen.focused) is ReportChart
        cycle = "\n".join(screen_lines(app))
        await pilot.press("6", "t")  # the forecast as a table
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        fits = table.virtual_size.width <= table.scrollable_content_region.width
        forecast = screen_lines(app)
    for label in ("lead → prospect", "prospect → opportunity", "opportunity → won"):
        assert label in cycle
    assert fits
    top = next(n for n, line in enumerate(forecast) if "closing" in line)
    headings = " ".join(forecast[top : top + 2])  # two lines of column headings
    for stage in load_config().open_stages:
        first_word = stage.name.split(" ")[0]
        assert first_word[:5] in headings, (stage.name, headings)
    assert "133,000" in "\n".join(forecast)  # the total of every amount, its figures too


EVIDENCE = (
    "CFO Wang confirmed on the call of 12 May that 2.4 million yuan for fleet tracking "
    "is in next year's budget, signed off by the board in April"
)


async def test_checklist_evidence_reads_whole_under_the_list(deals_db):
    from funnel_tui.storage.models import Lead

    path, folder = deals_db
    chen = Lead.get(Lead.name == CHEN["name"])
    rules = Funnel(load_config(), "rita", lambda: NOW)
    rules.answer(chen.id, "budget", "yes", evidence=EVIDENCE)
    rules.answer(chen.id, "need", "yes", evidence="paper logs")
    app = app_at(path, folder, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")  # the checklist of the lead under the cursor, the newest
        await settle(pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
        budget = " ".join(" ".join(screen_lines(app)).split())
        await pilot.press("down", "down")  # to Need: its note follows the cursor
        await settle(pilot)
        need = " ".join(" ".join(screen_lines(app)).split())
    assert EVIDENCE in budget  # wrapped at spaces, every word in its order
    assert EVIDENCE not in need and "Need: paper logs" in need


async def test_board_cards_keep_their_amount_and_next_date_at_80_columns(deals_db):
    from funnel_tui.core.money import short_money
    from funnel_tui.tui.widgets.board_view import BoardView

    path, folder = deals_db
    app = app_at(path, folder, NOW, start="board")
    seen = 0
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one(BoardView)
        for _ in range(len(view.columns)):  # every column in turn in the middle
            shown = "\n".join(view.render_line(y).text for y in range(view.size.height))
            for index, _width in view.layout_columns():
                column = view.columns[index]
                for position in view.visible_window(column):
                    card = column.card(position)
                    assert short_money(card.amount_cents, card.currency) in shown
                    if card.next_action_due:
                        due = card.next_action_due
                        assert f"{due.day} {due:%b}" in shown
                    seen += 1
            await pilot.press("right")
            await settle(pilot)
    assert seen >= 6
