"""The pipeline board's columns and cards, drawn line by line from the cards loaded.

A widget per card would cost Textual a layout of thousands of widgets (a plain list of
a few thousand items takes tens of seconds to mount here); this one widget draws every
visible column itself (Textual's line API) and holds only pages of cards around what is
on screen. Each column keeps its own cursor and scroll position. The owner loads cards
when asked through `CardsWanted` and hands them over with `set_page`.

When the columns do not fit, the board shows as many as fit with the focused one in
the middle; when only one fits, it shows that one with a stage switcher in its header.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from funnel_tui.config import Stage
from funnel_tui.core.formats import day_month, number
from funnel_tui.core.i18n import _, pgettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.money import short_money
from funnel_tui.core.output import cell_width, fit, plain
from funnel_tui.core.times import clock_text, local_moment
from funnel_tui.read.pipeline import BOARD_PAGE, Card, CardMarks, StageTotals
from funnel_tui.tui.few_colours import few_colours

PAGE_SIZE = BOARD_PAGE
KEEP_PAGES = 6  # per column, around the view
CARD_HEIGHT = 4  # three lines and a gap
HEADER_LINES = 4  # stage and count, total, weighted, a rule with the position
MIN_COLUMN = 25  # narrower and a card's company and amount no longer share a line

OVERDUE, UNSCHEDULED, STALE, NEXT = "‼", "○", "◷", "→"


@dataclass
class Column:
    stage: Stage
    totals: StageTotals
    cursor: int = 0
    top: int = 0
    generation: int = 0
    pages: dict[int, list[Card]] = field(default_factory=dict)
    asked: set[int] = field(default_factory=set)

    closed: bool = False  # won or lost: no weighting, latest closed first

    @property
    def count(self) -> int:
        return self.totals.count

    def card(self, index: int) -> Card | None:
        page = self.pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None


class BoardView(Widget, can_focus=True):
    DEFAULT_CSS = """
    BoardView { height: 1fr; }
    BoardView > .board--header { text-style: bold; background: $panel; }
    BoardView > .board--header-focus { text-style: bold; background: $accent; color: $text; }
    BoardView > .board--totals { background: $panel; }
    BoardView > .board--rule { color: $text-muted; }
    BoardView > .board--cursor { background: $accent 30%; }
    BoardView:focus > .board--cursor { background: $accent 60%; }
    /* 16 colours: the blend above becomes yellow under a light text (bright white on
       yellow, unreadable); the selected card is dark on light instead, in any palette. */
    BoardView > .board--cursor-16 { text-style: underline; }
    BoardView:focus > .board--cursor-16 {
        background: $foreground; color: $background; text-style: none;
    }
    BoardView > .board--dim { color: $text-muted; }
    BoardView > .board--overdue { color: $error; text-style: bold; }
    BoardView > .board--unscheduled { color: $warning; }
    BoardView > .board--stale { color: $secondary; text-style: bold; }
    BoardView > .board--won { color: $success; }
    BoardView > .board--lost { color: $error; }
    BoardView > .board--separator { color: $panel-lighten-2; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "board--header",
        "board--header-focus",
        "board--totals",
        "board--rule",
        "board--cursor",
        "board--cursor-16",
        "board--dim",
        "board--overdue",
        "board--unscheduled",
        "board--stale",
        "board--won",
        "board--lost",
        "board--separator",
    }
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("left,h", "column(-1)", "Column left", show=False, id="board.left"),
        Binding("right,l", "column(1)", "Column right", show=False, id="board.right"),
        Binding("down,j", "move(1)", "Down", show=False, id="board.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="board.up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="board.pagedown"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="board.pageup"),
        Binding("home,g", "jump(0)", "First card", show=False, id="board.first"),
        Binding("end,G", "jump(-1)", "Last card", show=False, id="board.last"),
    ]

    class CardsWanted(Message):
        def __init__(self, stage: str, page: int, generation: int) -> None:
            super().__init__()
            self.stage, self.page, self.generation = stage, page, generation

    class FocusMoved(Message):
        """The focused card or column changed."""

    class CardOpened(Message):
        """The selected card was double-clicked: open it."""

    def __init__(
        self,
        marks: Callable[[Card], CardMarks],
        money: Callable[[dict[str, int], int], Text],
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.marks = marks  # a card's days in stage and warnings, now
        self.money = money  # per-currency amounts in so many cells, as headers show them
        self.columns: list[Column] = []
        self.empty_text = _("no deals here")  # in an empty column; the owner says why
        self.focus_index = 0
        self._lines: dict[int, list[Strip]] = {}  # drawn lines per column, until changed

    # ------------------------------------------------------------------ data

    def set_columns(
        self, stages: list[Stage], totals: dict[str, StageTotals], closed: set[str] = frozenset()
    ) -> None:
        """Show these stages with their totals: columns already shown keep their cursor,
        scroll position and cards when their count did not change."""
        old = {c.stage.name: c for c in self.columns}
        old_totals = {name: c.totals for name, c in old.items()}
        focused = self.focused_column.stage.name if self.columns else None
        columns = []
        for stage in stages:
            column = old.get(stage.name) or Column(
                stage, totals[stage.name], closed=stage.name in closed
            )
            self._retotal(column, totals[stage.name])
            columns.append(column)
        same = [c.stage.name for c in self.columns] == [c.stage.name for c in columns]
        self.columns = columns
        names = [c.stage.name for c in columns]
        self.focus_index = (
            names.index(focused) if focused in names else min(self.focus_index, len(columns) - 1)
        )
        retotalled = [c for c in columns if same and c.totals is not old_totals[c.stage.name]]
        if not same:
            self._changed()
        elif retotalled:
            self._changed(*retotalled)

    def _retotal(self, column: Column, totals: StageTotals) -> None:
        if column.totals.count != totals.count:
            column.generation += 1
            column.pages.clear()
            column.asked.clear()
        column.totals = totals
        column.cursor = max(0, min(column.cursor, totals.count - 1))

    def update_column(
        self, stage: str, totals: StageTotals, pages: dict[int, list[Card]], cursor: int | None
    ) -> None:
        """New totals and cards for one column (after a move or a reload); `cursor`
        puts the focus on a card there."""
        column = self.column(stage)
        if column is None:
            return
        column.generation += 1
        column.totals = totals
        column.pages = dict(pages)
        column.asked.clear()
        if cursor is not None:
            column.cursor = cursor
        column.cursor = max(0, min(column.cursor, totals.count - 1))
        self._scroll_into_view(column)
        self._changed(column)

    def set_page(self, stage: str, page: int, cards: list[Card], generation: int) -> None:
        column = self.column(stage)
        if column is None or generation != column.generation:
            return  # an answer for cards no longer shown
        column.pages[page] = cards
        column.asked.discard(page)
        for far in sorted(column.pages, key=lambda p: -abs(p - page))[
            : max(0, len(column.pages) - KEEP_PAGES)
        ]:
            del column.pages[far]
        self._changed()

    def column(self, stage: str) -> Column | None:
        return next((c for c in self.columns if c.stage.name == stage), None)

    @property
    def focused_column(self) -> Column:
        return self.columns[self.focus_index]

    @property
    def current(self) -> Card | None:
        if not self.columns:
            return None
        column = self.focused_column
        return column.card(column.cursor) if column.count else None

    def focus_stage(self, stage: str) -> None:
        names = [c.stage.name for c in self.columns]
        if stage in names and names.index(stage) != self.focus_index:
            before = self.focused_column
            self.focus_index = names.index(stage)
            self._changed(before, self.focused_column)

    def visible_window(self, column: Column) -> range:
        """The card positions `column` shows now."""
        return range(column.top, min(column.count, column.top + self.cards_per_column))

    @property
    def cards_per_column(self) -> int:
        return max(1, (self.size.height - HEADER_LINES) // CARD_HEIGHT)

    def _changed(self, *columns: Column) -> None:
        """Draw `columns` again (all of them when none is named)."""
        if columns:
            for column in columns:
                if column in self.columns:
                    self._lines.pop(self.columns.index(column), None)
        else:
            self._lines.clear()
        self.refresh()

    # ---------------------------------------------------------------- layout

    def layout_columns(self) -> list[tuple[int, int]]:
        """(column index, width) of the columns shown, left to right."""
        if not self.columns:
            return []
        width = self.size.width
        fit_count = max(1, min(len(self.columns), (width + 1) // (MIN_COLUMN + 1)))
        start = self.focus_index - fit_count // 2
        start = max(0, min(start, len(self.columns) - fit_count))
        shown = range(start, start + fit_count)
        inner = width - (fit_count - 1)  # one cell between columns
        share, spare = divmod(max(fit_count, inner), fit_count)
        return [(index, share + (n < spare)) for n, index in enumerate(shown)]

    def render_line(self, y: int) -> Strip:
        parts = []
        separator = self.get_component_rich_style("board--separator")
        for n, (index, width) in enumerate(self.layout_columns()):
            if n:
                parts.append(Strip([Segment("│", separator)], 1))
            lines = self._lines.get(index)
            if lines is None or len(lines) != self.size.height or lines[0].cell_length != width:
                lines = self._lines[index] = self._draw_column(index, width)
            parts.append(lines[y] if y < len(lines) else Strip.blank(width, Style()))
        if not parts:
            return Strip.blank(self.size.width, Style())
        return Strip.join(parts)

    def _draw_column(self, index: int, width: int) -> list[Strip]:
        column = self.columns[index]
        height = self.size.height
        lines = self._header(column, index, width)
        focused = index == self.focus_index
        cursor_style = self._style("board--cursor-16" if few_colours(self.app) else "board--cursor")
        for position in self.visible_window(column):
            card = column.card(position)
            if card is None:
                self._want(column, position // PAGE_SIZE)
                texts = [Text(" …", style=self._style("board--dim")), Text(), Text()]
            else:
                texts = self._card_lines(card, width - 2)
            cursor = focused and position == column.cursor
            for text in texts:
                line = Text(" ") + text
                if cursor:
                    line.stylize(cursor_style)
                fill = cursor_style if cursor else None
                lines.append(self._strip(line, width, fill))
            lines.append(Strip.blank(width, Style()))
        if column.count == 0 and len(lines) < height:
            lines.append(
                self._strip(Text(f" {self.empty_text}", style=self._style("board--dim")), width)
            )
        while len(lines) < height:
            lines.append(Strip.blank(width, Style()))
        return lines[:height]

    def _header(self, column: Column, index: int, width: int) -> list[Strip]:
        focused = index == self.focus_index
        style = self._style("board--header-focus" if focused else "board--header")
        name = plain(shown_name(column.stage.name))
        count = number(column.count)
        if self.size.width < 2 * MIN_COLUMN + 1 and len(self.columns) > 1:
            # One column: a stage switcher.
            left = "‹ " if index > 0 else "  "
            right = " ›" if index < len(self.columns) - 1 else "  "
            title = f"{left}{name} {index + 1}/{len(self.columns)}{right}"
        else:
            title = f" {name}"
        room = width - cell_width(count) - 2
        head = Text(fit(title, max(1, room)) + " " + count + " ", style=style)
        totals = self._style("board--totals")
        amount = Text(" ") + self.money(column.totals.amounts, width - 2)
        if column.closed:
            weighted = Text(" " + _("latest closed first"), style=self._style("board--dim"))
        else:
            chance = _("{percent}%").format(percent=number(column.stage.probability))
            weighted = Text(f" {chance} ", style=self._style("board--dim"))
            weighted.append_text(self.money(column.totals.weighted, width - weighted.cell_len - 1))
        lines = [
            self._strip(head, width, style),
            self._strip(amount, width, totals),
            self._strip(weighted, width, totals),
        ]
        window = self.visible_window(column)
        where = (
            " "
            + _("{first}–{last} of {count}").format(
                first=window.start + 1, last=window.stop, count=number(column.count)
            )
            + " "
            if column.count
            else ""
        )
        rule = "─" * max(0, width - cell_width(where) - 1) + where + "─"
        lines.append(self._strip(Text(rule[:width], style=self._style("board--rule")), width))
        return lines

    def _card_lines(self, card: Card, width: int) -> list[Text]:
        marks = self.marks(card)
        amount = short_money(card.amount_cents, card.currency)
        title = plain(card.company or card.name)
        flags = Text()
        if marks.overdue:
            flags.append(OVERDUE, style=self._style("board--overdue"))
        if marks.stale:
            flags.append(STALE, style=self._style("board--stale"))
        if flags:
            flags.append(" ")
        room = width - flags.cell_len - cell_width(amount) - 1
        first = flags + Text(fit(title, max(1, room)), style="bold") + Text(" " + amount)

        days = pgettext("ago", "{n}d").format(n=marks.days_in_stage)
        contact = plain(card.contact)
        second = Text(
            fit(contact, max(1, width - cell_width(days) - 1)), style=self._style("board--dim")
        ) + Text(" " + days, style=self._style("board--stale") if marks.stale else "")

        third = self._status_line(card, marks, width)
        return [first, second, third]

    def _status_line(self, card: Card, marks: CardMarks, width: int) -> Text:
        if card.state == "won":
            when = _day(card.closed_at.date()) if card.closed_at else ""
            won = _("✔ won {date}").format(date=when)
            return Text(fit(won, width), style=self._style("board--won"))
        if card.state == "lost":
            when = _day(card.closed_at.date()) if card.closed_at else ""
            reason = plain(shown_name(card.lost_reason or "")) or vocab_label("lost")
            text = f"✕ {reason} · {when}"
            return Text(fit(text, width), style=self._style("board--lost"))
        if marks.unscheduled:
            return Text(
                fit(f"{UNSCHEDULED} " + _("nothing scheduled"), width),
                style=self._style("board--unscheduled"),
            )
        due = _day(card.next_action_due)
        if card.next_action_at is not None:  # at a time: the time, when that is today
            local = local_moment(card.next_action_at, self.app.zone)
            if local.date() == local_moment(self.app.now(), self.app.zone).date():
                due = clock_text(local)
        action = plain(card.next_action) or _("next action")
        glyph, style = (OVERDUE, "board--overdue") if marks.overdue else (NEXT, "")
        room = width - cell_width(due) - 3  # wide characters count twice
        return Text(f"{glyph} ", style=self._style(style) if style else "") + Text(
            fit(action, max(1, room)) + " " + due,
            style=self._style(style) if style else "",
        )

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _strip(self, text: Text, width: int, fill: Style | None = None) -> Strip:
        """`text` as a line of exactly `width` cells, `fill` under all of it."""
        text.no_wrap = True
        if text.cell_len < width:
            text.append(" " * (width - text.cell_len))
        # Text.render draws a text's own style only when it has spans: make the base
        # style and `fill` spans under the others, over the whole line.
        if text.style:
            text.stylize_before(text.style)
            text.style = ""
        if fill is not None:
            text.stylize_before(fill)
        segments = list(text.render(self.app.console))
        return Strip(segments).crop(0, width).extend_cell_length(width, fill or Style())

    def _want(self, column: Column, page: int) -> None:
        if page in column.pages or page in column.asked or page * PAGE_SIZE >= column.count:
            return
        column.asked.add(page)
        self.post_message(self.CardsWanted(column.stage.name, page, column.generation))

    def on_resize(self) -> None:
        for column in self.columns:
            self._scroll_into_view(column)
        self._changed()

    # ------------------------------------------------------------------ keys

    def _scroll_into_view(self, column: Column) -> None:
        per = self.cards_per_column
        if column.cursor < column.top:
            column.top = column.cursor
        elif column.cursor >= column.top + per:
            column.top = column.cursor - per + 1
        column.top = max(0, min(column.top, max(0, column.count - per)))

    def action_column(self, delta: int) -> None:
        if self.columns:
            self.focus_index = max(0, min(len(self.columns) - 1, self.focus_index + delta))
            self._changed()
            self.post_message(self.FocusMoved())

    def action_move(self, delta: int) -> None:
        if not self.columns:
            return
        column = self.focused_column
        if column.count:
            column.cursor = max(0, min(column.count - 1, column.cursor + delta))
            self._scroll_into_view(column)
            self._lines.pop(self.focus_index, None)
            self.refresh()
            self.post_message(self.FocusMoved())

    def action_page(self, direction: int) -> None:
        self.action_move(direction * self.cards_per_column)

    # ----------------------------------------------------------------- mouse

    def _column_at(self, x: int) -> int | None:
        """The index of the column drawn at `x` (None on a separator)."""
        left = 0
        for index, width in self.layout_columns():
            if left <= x < left + width:
                return index
            left += width + 1  # the separator
        return None

    def on_click(self, event: events.Click) -> None:
        """A click on a card selects it (its column takes the focus), a double click
        opens it (as enter does); a click on a column's heading focuses the column."""
        offset = event.get_content_offset(self)
        index = None if offset is None else self._column_at(offset.x)
        if index is None:
            return
        column = self.columns[index]
        line = offset.y - HEADER_LINES
        position = column.top + line // CARD_HEIGHT if line >= 0 else None
        if position is not None and position not in self.visible_window(column):
            position = None  # below the last card
        if position is not None:
            column.cursor = position
        if index != self.focus_index or position is not None:
            self.focus_index = index
            self._changed()
            self.post_message(self.FocusMoved())
        if position is not None and event.chain >= 2:
            self.post_message(self.CardOpened())

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._wheel(event, 1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, -1)

    def _wheel(self, event: events.MouseEvent, delta: int) -> None:
        """The wheel scrolls the column under the pointer by a card; a selected card
        that leaves the view is replaced by the nearest one shown."""
        offset = event.get_content_offset(self)
        index = None if offset is None else self._column_at(offset.x)
        if index is None:
            return
        event.stop()
        column = self.columns[index]
        per = self.cards_per_column
        top = max(0, min(column.top + delta, max(0, column.count - per)))
        if top == column.top:
            return
        column.top = top
        cursor = min(max(column.cursor, top), top + per - 1)
        moved = cursor != column.cursor
        column.cursor = cursor
        self._lines.pop(index, None)
        self.refresh()
        if moved and index == self.focus_index:
            self.post_message(self.FocusMoved())

    def action_jump(self, where: int) -> None:
        if self.columns and self.focused_column.count:
            column = self.focused_column
            self.action_move((0 if where == 0 else column.count - 1) - column.cursor)


def _day(day: dt.date | None) -> str:
    return day_month(day) if day else ""
