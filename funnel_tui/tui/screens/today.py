"""The Today queue: what the user owns that is overdue, due today, or has nothing
scheduled. One key logs the call and sets the next action, one snoozes, enter opens."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from funnel_tui.core.formats import date_long, number
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.output import plain
from funnel_tui.core.times import When, describe_when, same_time_on
from funnel_tui.read.today import (
    DEAL,
    DUE_TODAY,
    UNSCHEDULED,
    QueueItem,
    owner_id,
    section_counts,
    section_items,
)
from funnel_tui.tui.screens.log_activity import Logged, LogTarget, log_title
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.lead_table import PAGE_SIZE, LeadTable
from funnel_tui.tui.widgets.queue_view import QueueLines, QueueView
from funnel_tui.tui.widgets.text_block import TextBlock
from funnel_tui.tui.workers import read_worker, run_write, write_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


class TodayScreen(Screen[None]):
    TITLE = N_("Today")
    DEFAULT_CSS = """
    TodayScreen #summary { height: 1; padding: 0 1; background: $boost; }
    TodayScreen #footer { height: 1; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("l", "log", "Log…", id="today.log"),
        Binding("z", "snooze(1)", "Snooze +1d", id="today.snooze_day"),
        Binding("Z", "snooze(7)", "+1w", id="today.snooze_week"),
        Binding("n", "log('note')", "Note…", id="today.note", show=False),
        Binding("tab", "section(1)", "Next section", id="today.next_section", show=False),
        Binding(
            "shift+tab", "section(-1)", "Previous section", id="today.previous_section", show=False
        ),
    ]

    # Its reload gives the app the queue's counts: data_changed need not count again.
    counts_today = True

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False
        self._moved_in_place = False
        # Whose queue, and which day's, the lines shown were counted for: pages are read
        # for the same.
        self._owner: int | None = None
        self._today = dt.date.min

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield TextBlock(Text(_("Loading your queue…"), style="dim"), id="summary")
        yield QueueView(id="queue")
        yield TextBlock("", id="footer")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self._moved_in_place:
            self._moved_in_place = False  # the log form's result is shown already
        elif self.loaded:
            self.load()  # back from a record: what was done there shows

    def action_section(self, step: int) -> None:
        self.view.action_section(step)

    def clock_moved(self, now: dt.datetime) -> None:
        """The app's beat: the times due today are marked as of `now` (⚑ within the
        hour, red once passed); a new day reloads the queue."""
        if self.app.today() != self._today and self.loaded:
            self.refresh_data()
        else:
            self.view.tick(now)

    def refresh_data(self, changes: Changes | None = None) -> None:
        self.load()

    @property
    def view(self) -> QueueView:
        return self.query_one(QueueView)

    # ------------------------------------------------------------------ data

    def load(self) -> None:
        """Count the queue again and read the rows of the lines in view (and the
        cursor's): the rest is read as it is scrolled to."""
        view = self.view
        top = view.scroll_offset.y
        self._load({top, top + view.size.height, view.cursor})

    @read_worker("today-load", exclusive=True)
    def _load(self, wanted_lines: set[int]) -> None:
        rules = self.app.rules
        today, now = rules.today(), rules.now()
        owner = owner_id(rules.login)
        lines = QueueLines(section_counts(owner, today))
        # The pages of those lines come with the counts: one frame, complete.
        rows: dict[int, QueueItem] = {}
        pages = {min(line, lines.total - 1) // PAGE_SIZE for line in wanted_lines}
        for page in sorted(pages):
            asked = lines.slices(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
            rows.update(_read_rows(owner, today, asked))
        self.app.call_from_thread(self._show, owner, lines, rows, today, now)

    def _show(self, owner, lines: QueueLines, rows, today, now) -> None:
        view = self.view
        current = view.current_item
        self._owner, self._today = owner, today
        view.show(lines, rows, today, now, keep=current.key if current else None)
        self.loaded = True
        counts = lines.counts
        summary = Text.assemble(
            (date_long(today), "bold"),
            (f" · {self.app.rules.zone}", "dim"),
            " · " + _("{count} to work").format(count=number(sum(counts.values()))),
        )
        self.query_one("#summary", TextBlock).show(summary)
        self.app.set_today_counts(counts)
        if not view.has_items:
            self._say(Text(_("Nothing to do: every lead and deal you own is scheduled ahead.")))

    @on(LeadTable.PageWanted)
    def _page_wanted(self, event: LeadTable.PageWanted) -> None:
        event.stop()
        asked = self.view.slices_in_page(event.page)
        if asked and self._owner is not None:
            self._load_rows(event.page, asked, event.generation)

    @read_worker("today-items")
    def _load_rows(self, page: int, asked: list, generation: int) -> None:
        rows = _read_rows(self._owner, self._today, asked)
        self.app.call_from_thread(self.view.set_rows, page, asked, rows, generation)

    # ------------------------------------------------------------------ keys

    def _say(self, text: Text | str) -> None:
        self.query_one("#footer", TextBlock).show(text)

    def _item(self) -> QueueItem | None:
        item = self.view.current_item
        if item is None:
            self._say(Text(_("No item here."), style="dim"))
        return item

    @on(QueueView.ItemOpened)
    def _open(self, event: QueueView.ItemOpened) -> None:
        item = event.item
        if item.kind == DEAL:
            self.app.open_opportunity(item.id)
        else:
            self.app.open_lead(item.id, here=True)

    def action_log(self, kind: str = "call") -> None:
        item = self._item()
        if item is None:
            return
        self.app.open_log(
            log_target(item),
            lambda done: self._logged(item, done),
            kind,
            at_outcome=kind == "call",
        )

    def _logged(self, item: QueueItem, done: Logged | None) -> None:
        if done is None:
            return  # nothing written: the queue comes back as it was
        today = self.app.today()
        message = Text.assemble(done.summary(self.app.now(), self.app.zone), " · ")
        message.append(plain(item.person))
        self._say(message)
        if done.kind == "note" and done.due is None:
            return  # a note leaves the next action open: the item stays where it is
        # Shown at once, before the queue is read again (the change poll does that).
        to = UNSCHEDULED if done.due is None else DUE_TODAY if done.due <= today else None
        at = None if done.when is None else done.when.at
        moved = item._replace(
            next_action=done.next_action, due=done.due, at=at, last_touch=self.app.now()
        )
        self._move(item, to, moved)
        self._moved_in_place = True

    def _move(self, item: QueueItem, to: str | None, moved: QueueItem | None) -> None:
        view = self.view
        view.move_item(item.key, to, moved)
        self.app.set_today_counts(dict(view.counts))

    def action_snooze(self, days: int) -> None:
        item = self._item()
        if item is not None:
            self._snooze(item, days)

    @write_worker("today-snooze")
    def _snooze(self, item: QueueItem, days: int) -> None:
        rules = self.app.rules
        target = {"opportunity_id": item.id} if item.kind == DEAL else {"lead_id": item.id}

        def said(due: dt.date) -> None:
            # A time of day moves with its day (rules.snooze): said as it now stands.
            at = None if item.at is None else same_time_on(item.at, due, rules.zone)
            when = describe_when(When(due, at), rules.now(), rules.zone)
            message = Text(_("Snoozed to {when}: ").format(when=when), style="green")
            message.append(plain(item.person))
            self._snoozed(item, message)

        def not_snoozed(reason: object) -> None:
            self._say(Text(_("✘ Not snoozed: {reason}").format(reason=reason), style="red"))

        run_write(
            self.app,
            lambda rules: rules.snooze(days=days, **target),
            done=said,
            refused=not_snoozed,
            failed=not_snoozed,
            retry=lambda: self._snooze(item, days),
        )

    def _snoozed(self, item: QueueItem, message: Text) -> None:
        self._say(message)
        self._move(item, None, None)  # due after today: out of the queue


def _read_rows(owner: int | None, today: dt.date, asked) -> dict[int, QueueItem]:
    """The rows of `asked` ((section, first place, how many, its line) runs), by line."""
    rows: dict[int, QueueItem] = {}
    if owner is None:
        return rows
    for section, place, count, line in asked:
        for at, item in enumerate(section_items(owner, today, section, place, count), line):
            rows[at] = item
    return rows


def log_target(item: QueueItem) -> LogTarget:
    title = log_title(item.person, item.company or item.deal)
    if item.kind == DEAL:
        return LogTarget(item.lead_id, item.id, f"$ {title}", item.next_action, item.due, item.at)
    return LogTarget(item.lead_id, None, title, item.next_action, item.due, item.at)
