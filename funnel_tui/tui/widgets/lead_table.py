"""A table over any number of leads that holds only the pages on screen.

A DataTable of 100k rows takes 18 s and 190 MB to show (FLOORS.md) because it measures
every cell. This widget draws lines itself (Textual's line API): its virtual height is
the row count the database reported, and rows are fetched a page at a time when a line
that needs them is drawn. The owner answers `PageWanted` by calling `set_page`.

Others' writes reach an open list every second or so while a team works: the owner then
hands over only the rows on screen (`show_window`), and the table repaints only when
what it shows changed. Each row's line is kept once drawn (a lead added at the top
moves the others down a line: they are not drawn again), and a new total changes the
table's height without a new layout of the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from funnel_tui.core.i18n import _
from funnel_tui.core.output import cell_width, fit, plain
from funnel_tui.read.search import LIST_PAGE

PAGE_SIZE = LIST_PAGE
KEEP_PAGES = 12  # pages kept in memory around the view; the rest are dropped
STRIPS_FLOOR = 25  # lines: the drawn rows kept are a few screens' worth, at least this


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the space left over
    render: Callable[[dict[str, Any]], Text] | None = None
    min_width: int = 0  # the table hides columns (last first) that do not fit
    # A flexible column's share of the width beyond the minimums, and the most it takes
    # (0: no limit): the list gives phone and name the larger shares.
    weight: int = 1
    max_width: int = 0


def fit_cell(text: Text, width: int) -> Text:
    """`text` cut or padded to exactly `width` columns, wide characters counted as two."""
    if cell_width(text.plain) <= width:
        return text + Text(" " * (width - cell_width(text.plain)))
    return Text(fit(text.plain, width), style=text.style)


def _share(flex: list[Column], left: int) -> dict[int, int]:
    """Widths of the flexible columns in `left` cells: each its minimum, then what is
    over in proportion to their weights (a column stops at its max_width), the cells
    that do not divide going to the first columns (the name), not to waste. Below the
    sum of the minimums, an even share."""
    if left < sum(c.min_width for c in flex):
        share, spare = divmod(max(len(flex), left), len(flex))
        return {id(c): share + (i < spare) for i, c in enumerate(flex)}
    widths = {id(c): c.min_width for c in flex}
    extra = left - sum(widths.values())
    while extra > 0:
        growing = [c for c in flex if not c.max_width or widths[id(c)] < c.max_width]
        if not growing:
            break
        total = sum(c.weight for c in growing)
        given = 0
        for c in growing:
            room = c.max_width - widths[id(c)] if c.max_width else extra
            step = min(room, extra * c.weight // total)
            widths[id(c)] += step
            given += step
        if not given:  # fewer cells than weights: one each, first columns first
            for c in growing[:extra]:
                widths[id(c)] += 1
                given += 1
        extra -= given
    return widths


class LeadTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    /* The table draws its own one-cell scrollbar in the last column (see render_line). */
    LeadTable { height: 1fr; overflow: hidden hidden; }
    LeadTable > .lead-table--scrollbar { background: $panel; }
    LeadTable > .lead-table--thumb { color: $accent; background: $panel; }
    LeadTable > .lead-table--cursor { background: $accent 40%; text-style: bold; }
    LeadTable:focus > .lead-table--cursor { background: $accent; }
    LeadTable > .lead-table--loading { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "lead-table--cursor",
        "lead-table--loading",
        "lead-table--scrollbar",
        "lead-table--thumb",
    }
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("down,j", "move(1)", "Down", show=False, id="table.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="table.up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="table.pagedown"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.pageup"),
        Binding("home,g", "jump(0)", "First", show=False, id="table.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("enter", "open", "Open", id="table.open"),
    ]

    cursor = reactive(0)

    class PageWanted(Message):
        def __init__(self, table: LeadTable, page: int, generation: int) -> None:
            super().__init__()
            self.table, self.page, self.generation = table, page, generation

    class Opened(Message):
        def __init__(self, lead_id: int) -> None:
            super().__init__()
            self.lead_id = lead_id

    def __init__(self, columns: list[Column], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.all_columns = columns
        self.total = 0
        self.generation = 0
        self._rows: dict[int, dict[str, Any]] = {}  # line index → row
        self._pages: set[int] = set()  # pages whose every row is held
        self._asked: set[int] = set()
        # Each lead's line as last drawn, its scrollbar cell with it: lead id → (row,
        # how it was drawn, strip).
        self._strips: dict[int, tuple[dict[str, Any], tuple, Strip]] = {}
        self._look = 0  # moves on with whatever changes every line's look (restyle)
        self._fitted: tuple[int, tuple[Column, ...], list[tuple[Column, int]]] | None = None
        self._bars: tuple[int, Strip, Strip] | None = None  # (look, track, thumb)

    # ------------------------------------------------------------------ data

    def reset(self, total: int) -> int:
        """Start over with `total` rows (a new query); returns the new generation."""
        self.generation += 1
        self.total = total
        self._rows.clear()
        self._pages.clear()
        self._asked.clear()
        # No width of its own (the rows fit the table): a resize then changes nothing
        # here, and does not lay the screen out a second time. Set without a layout:
        # the table draws its own scrollbar, and a new count at every key typed into
        # the search would otherwise lay out the whole screen.
        self.set_reactive(ScrollView.virtual_size, Size(0, total))
        self.cursor = min(self.cursor, max(0, total - 1))
        self.refresh()
        return self.generation

    def grow_to(self, total: int) -> None:
        """The same rows, `total` of them now: a search's exact count after the one cut
        short while it was typed. The rows held stay; the height and scrollbar change."""
        self.total = total
        self.set_reactive(ScrollView.virtual_size, Size(0, total))
        self.refresh()

    def set_page(self, page: int, rows: list[dict[str, Any]], generation: int) -> None:
        if generation != self.generation:
            return  # an answer to a query that is no longer shown
        start = page * PAGE_SIZE
        for offset, row in enumerate(rows):
            self._rows[start + offset] = row
        self._pages.add(page)
        self._asked.discard(page)
        self._forget_far_pages(page)
        self.refresh()

    def _forget_far_pages(self, near: int) -> None:
        if len(self._pages) <= KEEP_PAGES:
            return
        far = sorted(self._pages, key=lambda p: -abs(p - near))[: len(self._pages) - KEEP_PAGES]
        for page in far:
            self._pages.discard(page)
            for index in range(page * PAGE_SIZE, (page + 1) * PAGE_SIZE):
                self._rows.pop(index, None)

    def row(self, index: int) -> dict[str, Any] | None:
        return self._rows.get(index)

    @property
    def current(self) -> dict[str, Any] | None:
        return self.row(self.cursor) if self.total else None

    def _want(self, page: int) -> None:
        if page in self._pages or page in self._asked or page * PAGE_SIZE >= self.total:
            return
        self._asked.add(page)
        self.post_message(self.PageWanted(self, page, self.generation))

    # ------------------------------------------------- others' writes, on screen

    @property
    def window(self) -> tuple[int, int]:
        """(first line on screen, lines on screen)."""
        return self.scroll_offset.y, self.size.height

    def window_rows(self) -> list[dict[str, Any]] | None:
        """The rows on screen, None while one of them is still being fetched."""
        top, height = self.window
        rows = [self._rows.get(i) for i in range(top, min(top + height, self.total))]
        return None if None in rows else rows  # type: ignore[return-value]

    def show_window(self, top: int, rows: list[dict[str, Any]], total: int, cursor: int) -> int:
        """The list as it is now, of which only the rows on screen were read: `rows` from
        line `top`, `total` rows in all, the cursor on line `cursor`. The other rows
        are fetched again when drawn (they may have moved). Repaints only what changed:
        nothing when the same rows show on the same lines (a row given as the same
        object as before is taken as unchanged); the scrollbar alone when the view
        followed its rows down (`top` below the old top by as many lines as the
        cursor moved). Returns the new generation."""
        old_top, height = self.window
        before = [self._rows.get(i) for i in range(old_top, old_top + height)]
        self.generation += 1
        self._rows = {top + offset: row for offset, row in enumerate(rows)}
        self._pages.clear()
        self._asked.clear()
        thumb = self._thumb()
        self.total = total
        # A new height without a new layout of the screen (a reactive's assignment
        # would lay out every widget again): the table draws its own scrollbar.
        self.set_reactive(ScrollView.virtual_size, Size(0, total))
        after = [self._rows.get(i) for i in range(top, top + height)]
        same_lines = len(before) == len(after) and all(
            a is b for a, b in zip(before, after, strict=True)
        )
        cursor = max(0, min(cursor, total - 1))
        if top != old_top or cursor != self.cursor or not same_lines:
            if same_lines:
                # The same rows on the same lines, the view and the cursor moved down
                # with them: what Textual drew stays; only the thumb may move.
                self.set_reactive(ScrollView.scroll_y, float(top))
                self.set_reactive(LeadTable.cursor, cursor)
                self._refresh_bar()
            else:
                self.set_reactive(LeadTable.cursor, cursor)
                self.scroll_to(y=top, animate=False, immediate=True)
                self.refresh()
        elif self._thumb() != thumb:
            self._refresh_bar()  # at 100,000 rows a new one moves the thumb once in 5,000
        return self.generation

    def _refresh_bar(self) -> None:
        width, height = self.size
        if width and height:
            self.refresh(Region(width - 1, 0, 1, height))

    def restyle(self) -> None:
        """Draw every line again (the mark column came or went, a row's look changed)."""
        self._look += 1
        self.refresh()

    def _keep_strips_near(self) -> None:
        """Forget the lines of rows far from the screen: the lines kept are for the rows
        that shift by a line or two when one comes or goes."""
        top, height = self.window
        near = range(top - height, top + 2 * height)
        ids = {row["id"] for i in near if (row := self._rows.get(i)) is not None}
        self._strips = {k: v for k, v in self._strips.items() if k in ids}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look += 1  # a new theme, focus: the cursor's colours

    # ------------------------------------------------------------- drawing

    def columns(self) -> list[tuple[Column, int]]:
        """The columns that fit the width, with their widths (gaps of one space)."""
        width = self.size.width - 1  # the last cell is the scrollbar's
        columns = tuple(self.all_columns)
        if self._fitted is not None and self._fitted[:2] == (width, columns):
            return self._fitted[2]
        fitted = self._fit(width)
        self._fitted = (width, columns, fitted)
        return fitted

    def _fit(self, width: int) -> list[tuple[Column, int]]:
        chosen = list(self.all_columns)
        while True:
            fixed = sum(c.width for c in chosen if c.width) + len(chosen) - 1
            flex = [c for c in chosen if not c.width]
            left = width - fixed
            if not flex or left >= sum(c.min_width for c in flex) or len(chosen) <= 2:
                break
            # Drop the last optional column (min_width 0 means always shown).
            optional = [c for c in chosen if c.min_width and c.width]
            if not optional:
                break
            chosen.remove(optional[-1])
        if not flex:
            return [(c, c.width) for c in chosen]
        widths = _share(flex, left)
        return [(c, c.width or widths[id(c)]) for c in chosen]

    def header_text(self, sort: str = "", descending: bool = False) -> Text:
        text = Text()
        for column, width in self.columns():
            title = _(column.title)
            if column.key == sort:
                arrow = "▼" if descending else "▲"
                # Beside the title, spaced where the column has room ("Sc▼" in three).
                title += f" {arrow}" if cell_len(title) + 2 <= width else arrow
            text.append_text(fit_cell(Text(title, style="bold"), width))
            text.append(" ")
        return text

    def render_line(self, y: int) -> Strip:
        # Textual asks for each line on its own: what every line needs is read once.
        height = self.size.height
        bar = self._bar_cell(self._on_thumb(y, height))
        width = max(0, self.size.width - 1)  # the last cell is the scrollbar's
        return Strip.join([self._row_strip(self.scroll_offset.y + y, width), bar])

    def _row_strip(self, index: int, width: int) -> Strip:
        """Line `index` of the list without its scrollbar cell (a subclass with lines of
        its own, the Today queue's, draws them here)."""
        row = self._rows.get(index) if index < self.total else None
        if row is None:
            return self._empty_line(index, width)
        cursor = index == self.cursor
        drawn = (width, cursor, cursor and self.has_focus, self._look)
        kept = self._strips.get(row["id"])
        if kept is not None and kept[1] == drawn and (kept[0] is row or kept[0] == row):
            return kept[2]
        strip = self._draw_row(row, width, cursor)
        self._strips[row["id"]] = (row, drawn, strip)
        if len(self._strips) > 4 * max(self.size.height, STRIPS_FLOOR):
            self._keep_strips_near()
        return strip

    def _empty_line(self, index: int, width: int) -> Strip:
        width = max(0, width)
        if index >= self.total:
            return Strip.blank(width, Style())  # a None style breaks NO_COLOR
        self._want(index // PAGE_SIZE)
        style = self.get_component_rich_style("lead-table--loading")
        return Strip([Segment(fit(" …", width), style)], width)

    def _draw_row(self, row: dict[str, Any], width: int, cursor: bool) -> Strip:
        text = Text(no_wrap=True)
        for column, col_width in self.columns():
            value = column.render(row) if column.render else Text(plain(row.get(column.key)))
            text.append_text(fit_cell(value, col_width))
            text.append(" ")
        if cursor:
            text.stylize(self.get_component_rich_style("lead-table--cursor"))
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop(0, width)
        return strip.extend_cell_length(width, Style())

    def _on_thumb(self, y: int, height: int) -> bool:
        """Whether line `y` of the scrollbar is the thumb's. Textual's scrollbars are
        widgets whose every size change asks for another layout: three extra frames
        after each new answer; so the table draws its own, in its last column."""
        top, end = self._thumb(height)
        return top <= y < end

    def _thumb(self, height: int | None = None) -> tuple[int, int]:
        """The lines the scrollbar's thumb covers: (first, last + 1); none when every
        row shows."""
        height = self.size.height if height is None else height
        if self.total <= height or height <= 0:
            return 0, 0
        thumb = max(1, round(height * height / self.total))
        top = round(self.scroll_offset.y / (self.total - height) * (height - thumb))
        return top, top + thumb

    def _bar_cell(self, thumb: bool) -> Strip:
        if self._bars is None or self._bars[0] != self._look:
            track = self.get_component_rich_style("lead-table--scrollbar")
            on = self.get_component_rich_style("lead-table--thumb")
            self._bars = (self._look, Strip([Segment(" ", track)], 1), Strip([Segment("█", on)], 1))
        return self._bars[2 if thumb else 1]

    @property
    def allow_vertical_scroll(self) -> bool:
        # Scrolling without Textual's scrollbar: by keys, the wheel and scroll_to.
        return self.total > self.size.height

    # ------------------------------------------------------------- keys

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        top = self.scroll_offset.y
        height = self.size.height
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)

    def action_move(self, delta: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        height = self.size.height
        self.action_move(direction * max(1, height - 1))

    def action_jump(self, where: int) -> None:
        if self.total:
            self.cursor = 0 if where == 0 else self.total - 1

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row["id"]))

    # ------------------------------------------------------------- mouse

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the row under it; a double click opens it (as
        enter does). The wheel scrolls the rows (ScrollView's own handling)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.x >= self.size.width - 1:  # the scrollbar's cell
            return
        if self.select_line(self.scroll_offset.y + offset.y) and event.chain >= 2:
            self.action_open()

    def select_line(self, index: int) -> bool:
        """The cursor on line `index`; False when there is no row there."""
        if not 0 <= index < self.total:
            return False
        self.cursor = index
        return True
