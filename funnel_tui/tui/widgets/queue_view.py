"""The Today queue as one scrolling list: a header line per section, then its items.

Only the counts are known for the whole queue (today.section_counts, from the indexes);
a section's rows are read a page at a time as lines that need them are drawn, in the
section's order (today.section_items), as in the lead list: a rep with 50,000 items
costs what one with fifty does. This widget is a LeadTable whose lines are sections and
items; where each line is comes from the counts alone (QueueLines). The owner answers
`PageWanted` with `slices_in_page` and `set_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from funnel_tui.core.contact_urls import mail_url, tel_url
from funnel_tui.core.dates import ago, short_due
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.output import fit, plain
from funnel_tui.core.times import clock_text, is_soon, local_moment
from funnel_tui.read.today import (
    DEAL,
    DUE_TODAY,
    LEAD,
    OVERDUE,
    SECTION_TITLES,
    SECTIONS,
    QueueItem,
)
from funnel_tui.tui.links import linked
from funnel_tui.tui.widgets.lead_table import KEEP_PAGES, PAGE_SIZE, Column, LeadTable, fit_cell
from funnel_tui.tui.widgets.status import STATUS_GLYPHS

HEADER = "header"
# What marks each section's rows, as a symbol as well as a colour (16 colours, NO_COLOR).
SECTION_MARKS = {OVERDUE: ("‼", "bold red"), DUE_TODAY: ("●", "bold yellow")}
UNSCHEDULED_MARK = ("○", "dim")
# An action at a time falling due within the hour (not ◷: the board's stale deal).
SOON_MARK = "⚑"
SECTION_EMPTY = {
    OVERDUE: N_("Nothing overdue."),
    DUE_TODAY: N_("Nothing due today."),
    "unscheduled": N_("Everything you own has a next action."),
}


Key = tuple[str, int]  # (LEAD or DEAL, id)


class QueueLines:
    """Where each line of the queue is, from its counts alone: a section's heading, then
    a line saying it is empty, or its items (line → (section, place in it))."""

    def __init__(self, tally: dict[str, dict[str, int]]) -> None:
        # {section: {DEAL: n, LEAD: n}}: deals come first where the order ties.
        self.tally = {name: {DEAL: 0, LEAD: 0, **tally.get(name, {})} for name in SECTIONS}
        self.counts = {name: sum(kinds.values()) for name, kinds in self.tally.items()}
        self.starts: dict[str, int] = {}
        line = 0
        for name in SECTIONS:
            self.starts[name] = line
            line += 1 + max(1, self.counts[name])
        self.total = line

    def entry(self, line: int) -> tuple[str, Any]:
        """(HEADER, section), (HEADER, "empty:section") or (section, place)."""
        if not 0 <= line < self.total:
            raise IndexError(line)
        for name in reversed(SECTIONS):
            start = self.starts[name]
            if line >= start:
                if line == start:
                    return HEADER, name
                if not self.counts[name]:
                    return HEADER, f"empty:{name}"
                return name, line - start - 1
        raise IndexError(line)

    def line(self, section: str, place: int) -> int:
        return self.starts[section] + 1 + place

    def slices(self, first: int, end: int) -> list[tuple[str, int, int, int]]:
        """The items on lines first..end-1, as (section, first place, how many, its
        line) per section."""
        out = []
        for name in SECTIONS:
            start = max(first, self.line(name, 0))
            stop = min(end, self.line(name, self.counts[name]))
            if start < stop:
                out.append((name, start - self.line(name, 0), stop - start, start))
        return out

    def without(self, section: str, kind: str) -> QueueLines:
        tally = {name: dict(kinds) for name, kinds in self.tally.items()}
        tally[section][kind] -= 1
        return QueueLines(tally)

    def with_one_more(self, section: str, kind: str) -> QueueLines:
        tally = {name: dict(kinds) for name, kinds in self.tally.items()}
        tally[section][kind] += 1
        return QueueLines(tally)


class _Entries(Sequence):
    """Each line as (HEADER, section or "empty:section") or (section, its key when read,
    else None): the queue as a list, for whoever wants to walk it."""

    def __init__(self, view: QueueView) -> None:
        self.view = view

    def __len__(self) -> int:
        return self.view.lines.total

    def __getitem__(self, line):  # type: ignore[override]
        if isinstance(line, slice):
            return [self[i] for i in range(*line.indices(len(self)))]
        kind, where = self.view.lines.entry(line)
        return (kind, where) if kind == HEADER else (kind, self.view.keys.get(line))


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
        self.lines = QueueLines({})
        # The items of the lines read so far (None: read, but gone meanwhile), and rows.
        self.keys: dict[int, Key | None] = {}
        self.items: dict[Key, QueueItem] = {}
        self.today = dt.date.today()
        self.now = dt.datetime.now()

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.lines.counts)

    @property
    def entries(self) -> _Entries:
        return _Entries(self)

    # ------------------------------------------------------------------ data

    def show(
        self,
        lines: QueueLines,
        rows: dict[int, QueueItem],
        today: dt.date,
        now: dt.datetime,
        keep: Key | None = None,
    ) -> int:
        """A new queue: its `lines`, and the `rows` already read (line → item). The
        cursor stays on `keep` if it is among them, else on the line it was on."""
        self.today, self.now = today, now
        self.lines = lines
        self.keys = {line: item.key for line, item in rows.items()}
        self.items = {item.key: item for item in rows.values()}
        generation = self.reset(lines.total)
        wanted = self.line_of(keep) if keep is not None else None
        self.cursor = self._settle(wanted if wanted is not None else self.cursor, 1)
        self._ask_missing()
        return generation

    def tick(self, now: dt.datetime) -> None:
        """The time marks as of `now`, the rows as they are."""
        self.now = now
        self.refresh()

    def move_item(self, key: Key, to: str | None, item: QueueItem | None) -> None:
        """What a write just did to one item, shown at once: it leaves its section for
        `to` (None: it left the queue), where it goes last, as the most recently touched
        (a deal due today goes after the other deals). `item` is its row as it is now.
        That is also where the database now has it, so the lines not read yet are read
        from their places as before; the screen reloads the queue later all the same."""
        line = self.line_of(key)
        if line is None:
            return
        section, place = self.lines.entry(line)
        kind = key[0]
        lines = self.lines.without(section, kind)
        placed: dict[tuple[str, int], Key | None] = {}
        for known, held in self.keys.items():
            name, where = self.lines.entry(known)
            if known != line:
                placed[name, where - (name == section and where > place)] = held
        if to is not None:
            first_lead = lines.tally[to][DEAL]
            at = first_lead if (to == DUE_TODAY and kind == DEAL) else lines.counts[to]
            placed = {
                (name, where + (name == to and where >= at)): held
                for (name, where), held in placed.items()
            }
            lines = lines.with_one_more(to, kind)
            placed[to, at] = key
            if item is not None:
                self.items[key] = item
        self.lines = lines
        self.keys = {lines.line(name, where): held for (name, where), held in placed.items()}
        # Pages asked for before the write would come back from before it: read again.
        self.generation += 1
        self._asked.clear()
        self.total = lines.total
        self.virtual_size = Size(self.size.width, self.total)
        self.cursor = self._settle(min(line, self.total - 1), 1)
        self.refresh()

    def slices_in_page(self, page: int) -> list[tuple[str, int, int, int]]:
        """The runs of item lines of `page` not read yet: (section, first place, how
        many, its line)."""
        out = []
        first, end = page * PAGE_SIZE, min(self.total, (page + 1) * PAGE_SIZE)
        for name, place, count, line in self.lines.slices(first, end):
            run = None
            for i in range(count):
                if line + i in self.keys:
                    run = None
                elif run is None:
                    run = [name, place + i, 1, line + i]
                    out.append(run)
                else:
                    run[2] += 1
        return [tuple(run) for run in out]

    def set_rows(self, page: int, asked, rows: dict[int, QueueItem], generation: int) -> None:
        """The rows read for `asked` (slices_in_page), line → item; a line asked for and
        not answered holds an item gone meanwhile (the next reload shows it gone)."""
        if generation != self.generation:
            return
        self._asked.discard(page)
        for _name, _place, count, line in asked:
            for at in range(line, line + count):
                item = rows.get(at)
                self.keys[at] = item.key if item else None
                if item:
                    self.items[item.key] = item
        self._forget_far_rows()
        self.refresh()

    def _forget_far_rows(self) -> None:
        """Rows far from the view are dropped (read again if scrolled back to): memory
        stays flat however far the rep scrolls."""
        if len(self.keys) <= KEEP_PAGES * PAGE_SIZE:
            return
        near = self.scroll_offset.y
        kept = sorted(self.keys, key=lambda line: abs(line - near))[: KEEP_PAGES * PAGE_SIZE]
        if self.cursor in self.keys and self.cursor not in kept:
            kept.append(self.cursor)
        self.keys = {line: self.keys[line] for line in kept}
        held = set(self.keys.values())
        self.items = {key: item for key, item in self.items.items() if key in held}

    def _ask_missing(self) -> None:
        top = self.scroll_offset.y
        for page in {top // PAGE_SIZE, (top + self.size.height) // PAGE_SIZE}:
            if self.slices_in_page(page):
                self._want_items(page)

    def row(self, index: int) -> dict[str, Any] | None:
        if not 0 <= index < self.lines.total:
            return None
        section, _place = self.lines.entry(index)
        key = self.keys.get(index)
        item = None if section == HEADER or key is None else self.items.get(key)
        return None if item is None else {"section": section, "item": item}

    # ------------------------------------------------------------- drawing

    def _row_strip(self, index: int, width: int) -> Strip:
        if index >= self.total:
            return Strip.blank(width)
        section, where = self.lines.entry(index)
        if section == HEADER:
            return self._header_strip(where, width)
        row = self.row(index)
        if row is None:
            if index not in self.keys:
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
        """The day; for an action at a time today, the time: marked ⚑ within the hour,
        ‼ and red once it has passed."""
        item: QueueItem = row["item"]
        if item.due is None:
            return Text("—", style="dim")
        if row["section"] == OVERDUE or item.at is None or item.due != self.today:
            style = "red" if row["section"] == OVERDUE else ""
            return Text(short_due(item.due, self.today), style=style)
        clock = clock_text(local_moment(item.at, self.app.zone))
        if item.at < self.now:  # passed: overdue's mark, read without colour too
            return Text.assemble((f"{SECTION_MARKS[OVERDUE][0]} ", "bold red"), (clock, "red"))
        if is_soon(item.at, self.now):
            return Text.assemble((f"{SOON_MARK} ", "bold yellow"), (clock, "bold"))
        return Text(clock)

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
        if item.company:
            return Text(plain(item.company))
        url = tel_url(item.phone_e164) if item.phone_shown else mail_url(item.email)
        return linked(Text(plain(item.contact)), url)

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
        if not self.has_items:
            return 0
        index = max(0, min(self.lines.total - 1, index))
        for step in (direction, -direction):
            probe = index
            while 0 <= probe < self.lines.total:
                if self.lines.entry(probe)[0] != HEADER:
                    return probe
                probe += step
        return 0

    @property
    def has_items(self) -> bool:
        return any(self.lines.counts.values())

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

    def action_section(self, step: int) -> None:
        """The first item of the next section holding any (`step` -1: the one before),
        round from the last to the first, its heading at the top: past 150 overdue
        items to what is due today in one key."""
        names = [name for name in SECTIONS if self.lines.counts[name]]
        if not names:
            return
        here = self.lines.entry(self.cursor)[0]
        place = names.index(here) + step if here in names else 0
        target = names[place % len(names)]
        self.cursor = self.lines.line(target, 0)
        self.scroll_to(y=self.lines.starts[target], animate=False)

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.ItemOpened(row["item"]))

    def select_line(self, index: int) -> bool:
        """A section's heading or empty line takes no cursor (a click there does
        nothing)."""
        if not 0 <= index < self.total or self.lines.entry(index)[0] == HEADER:
            return False
        self.cursor = index
        return True

    @property
    def current_item(self) -> QueueItem | None:
        row = self.row(self.cursor)
        return row["item"] if row else None

    def line_of(self, key: Key) -> int | None:
        """The line of `key` among those read, else None."""
        return next((line for line, held in self.keys.items() if held == key), None)
