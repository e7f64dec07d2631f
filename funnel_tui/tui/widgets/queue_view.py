"""The Today queue as one scrolling list: a header line per section, then its items.

The queue's order is known for every item up front (today.load_queue reads keys from
an index); the rows themselves are read a page at a time as lines that need them are
drawn, as in the lead list: this widget is a LeadTable whose lines are sections and
items. The owner answers `PageWanted` with `items_in_page` and `set_items`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from funnel_tui.core.dates import ago, short_due
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.output import fit, plain
from funnel_tui.read.today import DEAL, DUE_TODAY, OVERDUE, SECTION_TITLES, SECTIONS, QueueItem
from funnel_tui.tui.widgets.lead_table import PAGE_SIZE, Column, LeadTable, fit_cell
from funnel_tui.tui.widgets.status import STATUS_GLYPHS

HEADER = "header"
# What marks each section's rows, as a symbol as well as a colour (16 colours, NO_COLOR).
SECTION_MARKS = {OVERDUE: ("‼", "bold red"), DUE_TODAY: ("●", "bold yellow")}
UNSCHEDULED_MARK = ("○", "dim")
SECTION_EMPTY = {
    OVERDUE: N_("Nothing overdue."),
    DUE_TODAY: N_("Nothing due today."),
    "unscheduled": N_("Everything you own has a next action."),
}


class QueueView(LeadTable):
    DEFAULT_CSS = """
    QueueView > .queue-view--header { background: $boost; text-style: bold; }
    QueueView > .queue-view--empty { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LeadTable.COMPONENT_CLASSES,
        "queue-view--header",
        "queue-view--empty",
    }

    class ItemOpened(Message):
        def __init__(self, item: QueueItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, **kwargs: Any) -> None:
        columns = [
            Column("mark", "", 1, self._mark),
            Column("due", N_("Due"), 10, self._due),
            Column("kind", "", 1, self._kind),
            Column("person", N_("Who"), 0, self._person, min_width=12),
            Column("company", N_("Company"), 0, self._company, min_width=14),
            Column("next", N_("Next action"), 0, self._next, min_width=12),
            Column("last", N_("Last"), 5, self._last),
        ]
        super().__init__(columns, **kwargs)
        # Each line: (HEADER, section) or (section, (kind, id)).
        self.entries: list[tuple[str, Any]] = []
        self.items: dict[tuple[str, int], QueueItem] = {}
        self.counts: dict[str, int] = {}
        self.today = dt.date.today()
        self.now = dt.datetime.now()

    # ------------------------------------------------------------------ data

    def show(
        self,
        keys: dict[str, list[tuple[str, int]]],
        items: dict[tuple[str, int], QueueItem],
        today: dt.date,
        now: dt.datetime,
        keep: tuple[str, int] | None = None,
    ) -> int:
        """A new queue: `keys` in order per section, the `items` already read. The
        cursor stays on `keep` if it is still there, else on the line it was on."""
        self.today, self.now = today, now
        self.entries = []
        self.counts = {name: len(keys.get(name, ())) for name in SECTIONS}
        for name in SECTIONS:
            self.entries.append((HEADER, name))
            if not keys.get(name):
                self.entries.append((HEADER, f"empty:{name}"))
            self.entries.extend((name, key) for key in keys.get(name, ()))
        self.items = dict(items)
        generation = self.reset(len(self.entries))
        kept = (i for i, (_section, key) in enumerate(self.entries) if key == keep)
        wanted = next(kept, None) if keep is not None else None
        self.cursor = self._settle(wanted if wanted is not None else self.cursor, 1)
        self._ask_missing()
        return generation

    def move_item(self, key: tuple[str, int], to: str | None, item: QueueItem | None) -> None:
        """What a write just did to one item, shown at once: it leaves its section for
        `to` (None: it left the queue), where it goes last, as the most recently touched
        (a deal due today goes after the other deals). `item` is its row as it is now.
        The screen reloads the whole queue later and may reorder it then."""
        line = self.line_of(key)
        if line is None:
            return
        section = self.entries[line][0]
        del self.entries[line]
        self.counts[section] -= 1
        if not self.counts[section]:
            self.entries.insert(line, (HEADER, f"empty:{section}"))
        if to is not None:
            start = self.entries.index((HEADER, to)) + 1
            if self.entries[start] == (HEADER, f"empty:{to}"):
                del self.entries[start]
            end = start
            while end < len(self.entries) and self.entries[end][0] == to:
                if to == DUE_TODAY and key[0] == DEAL and self.entries[end][1][0] != DEAL:
                    break
                end += 1
            self.entries.insert(end, (to, key))
            self.counts[to] += 1
            if item is not None:
                self.items[key] = item
        self.total = len(self.entries)
        self.virtual_size = Size(self.size.width, self.total)
        self.cursor = self._settle(min(line, self.total - 1), 1)
        self.refresh()

    def items_in_page(self, page: int) -> list[tuple[str, int]]:
        lines = self.entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return [key for section, key in lines if section != HEADER and key not in self.items]

    def set_items(
        self, page: int, items: dict[tuple[str, int], QueueItem], generation: int
    ) -> None:
        if generation != self.generation:
            return
        self._asked.discard(page)
        self.items.update(items)
        self.refresh()

    def _ask_missing(self) -> None:
        top = self.scroll_offset.y
        for page in {top // PAGE_SIZE, (top + self.size.height) // PAGE_SIZE}:
            if self.items_in_page(page):
                self._want_items(page)

    def row(self, index: int) -> dict[str, Any] | None:
        if not 0 <= index < len(self.entries):
            return None
        section, key = self.entries[index]
        if section == HEADER:
            return None
        item = self.items.get(key)
        return None if item is None else {"section": section, "item": item}

    # ------------------------------------------------------------- drawing

    def _row_strip(self, index: int, width: int) -> Strip:
        if index >= self.total:
            return Strip.blank(width)
        section, key = self.entries[index]
        if section == HEADER:
            return self._header_strip(key, width)
        row = self.row(index)
        if row is None:
            if self.items_in_page(index // PAGE_SIZE):
                self._want_items(index // PAGE_SIZE)
            style = self.get_component_rich_style("lead-table--loading")
            return Strip([Segment(fit(" …", width), style)], width)
        text = Text(no_wrap=True)
        for column, col_width in self.columns():
            text.append_text(fit_cell(column.render(row), col_width))
            text.append(" ")
        if index == self.cursor:
            text.stylize(self.get_component_rich_style("lead-table--cursor"))
        strip = Strip(list(text.render(self.app.console))).crop(0, width)
        return strip.extend_cell_length(width)

    def _header_strip(self, name: str, width: int) -> Strip:
        if name.startswith("empty:"):
            text = Text(f"   {_(SECTION_EMPTY[name.removeprefix('empty:')])}")
            style = self.get_component_rich_style("queue-view--empty")
        else:
            glyph, mark_style = SECTION_MARKS.get(name, UNSCHEDULED_MARK)
            text = Text.assemble(" ", (glyph, mark_style), f" {_(SECTION_TITLES[name])}")
            text.append(f" · {number(self.counts.get(name, 0))}")
            style = self.get_component_rich_style("queue-view--header")
        strip = Strip(list(text.render(self.app.console))).crop(0, width)
        return strip.extend_cell_length(width).apply_style(style)

    def _want_items(self, page: int) -> None:
        if page in self._asked:
            return
        self._asked.add(page)
        self.post_message(self.PageWanted(self, page, self.generation))

    # Cells: each takes {"section", "item"}.

    def _mark(self, row: dict[str, Any]) -> Text:
        return Text(*SECTION_MARKS.get(row["section"], UNSCHEDULED_MARK))

    def _due(self, row: dict[str, Any]) -> Text:
        item: QueueItem = row["item"]
        if item.due is None:
            return Text("—", style="dim")
        style = "red" if row["section"] == OVERDUE else ""
        return Text(short_due(item.due, self.today), style=style)

    def _kind(self, row: dict[str, Any]) -> Text:
        item: QueueItem = row["item"]
        if item.kind == DEAL:
            return Text("$", style="bold green")
        glyph, style = STATUS_GLYPHS.get(item.state, ("?", ""))
        return Text(glyph, style=style)

    def _person(self, row: dict[str, Any]) -> Text:
        return Text(plain(row["item"].person), style="bold")

    def _company(self, row: dict[str, Any]) -> Text:
        item: QueueItem = row["item"]
        return Text(plain(item.company or item.contact))

    def _next(self, row: dict[str, Any]) -> Text:
        item: QueueItem = row["item"]
        if item.next_action:
            text = Text(plain(item.next_action))
        else:
            text = Text(_("no next action"), style="dim italic")
        if item.kind == DEAL:
            text.append(f" · {plain(item.state)}", style="dim")
        return text

    def _last(self, row: dict[str, Any]) -> Text:
        item: QueueItem = row["item"]
        return Text(ago(item.last_touch, self.now), style="dim")

    # ------------------------------------------------------------- keys

    def _settle(self, index: int, direction: int) -> int:
        """The item line nearest `index` going `direction`, else the other way; 0 when
        the queue is empty."""
        if not self.entries:
            return 0
        index = max(0, min(len(self.entries) - 1, index))
        for step in (direction, -direction):
            probe = index
            while 0 <= probe < len(self.entries):
                if self.entries[probe][0] != HEADER:
                    return probe
                probe += step
        return 0

    @property
    def has_items(self) -> bool:
        return any(section != HEADER for section, _key in self.entries)

    def action_move(self, delta: int) -> None:
        if self.has_items:
            self.cursor = self._settle(self.cursor + delta, 1 if delta > 0 else -1)
            if self.cursor == self._settle(0, 1) and delta < 0:
                self.scroll_to(y=0, animate=False)  # the first section's header too

    def action_jump(self, where: int) -> None:
        if self.has_items:
            self.cursor = self._settle(0, 1) if where == 0 else self._settle(self.total - 1, -1)
            if where == 0:
                self.scroll_to(y=0, animate=False)

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.ItemOpened(row["item"]))

    def select_line(self, index: int) -> bool:
        """A section's heading or empty line takes no cursor (a click there does
        nothing)."""
        if not 0 <= index < self.total or self.entries[index][0] == HEADER:
            return False
        self.cursor = index
        return True

    @property
    def current_item(self) -> QueueItem | None:
        row = self.row(self.cursor)
        return row["item"] if row else None

    def line_of(self, key: tuple[str, int]) -> int | None:
        return next((i for i, (s, k) in enumerate(self.entries) if s != HEADER and k == key), None)
