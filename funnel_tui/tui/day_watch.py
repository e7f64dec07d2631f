"""The rep's day beyond the screen while funnel is open: reminders of next actions at a
time, and the calendar file funnel.toml names kept current.

- **Reminders.** Every REMINDER_CHECK_SECONDS, and after every change, the rep's timed
  next actions falling due within `reminder_minutes` are read (read.today.coming_due:
  the Today queue's indexes, a few rows). Each is told once, as a notification saying
  what, who and when, with the terminal's bell if `reminder_bell`; ctrl+j opens the
  record of the latest one, from any screen, and takes the reminders off the screen.
  A reminder stays REMINDER_SHOWN_SECONDS, and goes sooner when its action is settled
  or moved (a notification sits over whatever screen is open: a form, the help).
  The Today queue's time marks move on with the clock at the same beat.
- **The calendar file.** Written again in a thread of its own after every change heard
  (transfer.calendar_feed.CalendarKeeper), so a calendar app subscribed to it follows
  what the rep does; a file that cannot be written is said once, as a warning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any

from textual.app import App

from funnel_tui.core.i18n import _
from funnel_tui.core.output import plain
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.read.today import QueueItem

# The queue's reading and the times' words load with the first look, not with the app:
# its start-up is counted in milliseconds (issue 25).
DEAL = "deal"  # read.today.DEAL

REMINDER_CHECK_SECONDS = 20.0
REMINDER_SHOWN_SECONDS = 120  # long enough to be seen from across the desk, no more
# A reminder is looked for from this long before now: a check that came late (a busy
# moment, a suspended laptop) still tells of an action that fell due meanwhile.
LATE_GRACE = dt.timedelta(minutes=2)


class KeepsTheDay(App):
    """An App that reminds its rep of timed next actions and keeps their calendar file
    current (module docstring). `start_the_day()` once the first screen is up;
    `day_changed()` after every change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reminded: set[tuple[str, int, dt.datetime]] = set()
        self.last_reminder: QueueItem | None = None
        # The reminders on screen, by (kind, id, time): to take off when seen or settled.
        self._reminders_shown: dict[tuple[str, int, dt.datetime], Any] = {}
        self._calendar = None  # transfer.calendar_feed.CalendarKeeper, when configured
        self._calendar_said = False
        self._day_started = False

    def start_the_day(self) -> None:
        if self._day_started:
            return
        self._day_started = True
        from funnel_tui.transfer.calendar_feed import CalendarKeeper, configured_path

        path = configured_path(self.config.calendar_file)
        if path is not None and not self.read_only:
            self._calendar = CalendarKeeper(path, self._calendar_ask, self._calendar_failed)
            self._calendar.changed()
        self.set_interval(REMINDER_CHECK_SECONDS, self.clock_moved)
        self.check_reminders()

    @property
    def follows_the_day(self) -> bool:
        """Whether changes to this rep's records matter here: reminders or a calendar file."""
        return self._day_started and (
            self._calendar is not None or self.config.reminder_minutes > 0
        )

    def day_changed(self) -> None:
        """Something of this rep's was written (here, or by another instance to a record
        of theirs: FunnelApp.data_changed tells which): the calendar file again, and the
        reminders' look. Others' writes to others' records change neither."""
        if not self._day_started:
            return
        if self._calendar is not None:
            self._calendar.changed()
        self.check_reminders()

    def clock_moved(self) -> None:
        """The beat: reminders looked for, and the screen's time marks moved on."""
        self.check_reminders()
        moved = getattr(self.screen, "clock_moved", None)
        if moved is not None:
            moved(self.now())

    # ------------------------------------------------------------------ reminders

    def check_reminders(self) -> None:
        if self.config.reminder_minutes > 0:
            self._look_for_reminders(self.now())

    @read_worker("reminders", exclusive=True)
    def _look_for_reminders(self, now: dt.datetime) -> None:
        from funnel_tui.read.today import coming_due

        end = now + dt.timedelta(minutes=self.config.reminder_minutes)
        items = coming_due(self.rules.user_id, now - LATE_GRACE, end)
        fresh = [i for i in items if (i.kind, i.id, i.at) not in self._reminded]
        if fresh or self._reminders_shown:
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                self.call_from_thread(self._remind, items, now)

    def _remind(self, items: list[QueueItem], now: dt.datetime) -> None:
        from textual.notifications import Notification, Notify

        from funnel_tui.core.times import clock_text, local_moment, until_text

        due = {(item.kind, item.id, item.at) for item in items}
        for key in [key for key in self._reminders_shown if key not in due]:
            self._take_off(key)  # settled, moved, or long past: no longer to be told
        for item in items:
            key = (item.kind, item.id, item.at)
            if key in self._reminded or item.at is None:
                continue
            self._reminded.add(key)
            self.last_reminder = item
            when = clock_text(local_moment(item.at, self.zone))
            title = _("Due at {time} · {until}").format(time=when, until=until_text(item.at, now))
            # Made here rather than by notify(), which keeps no handle to take it off by.
            note = Notification(
                reminder_text(item), title, "warning", REMINDER_SHOWN_SECONDS, markup=False
            )
            self._reminders_shown[key] = note
            self.post_message(Notify(note))
            if self.config.reminder_bell:
                self.bell()

    def _take_off(self, key: tuple[str, int, dt.datetime]) -> None:
        note = self._reminders_shown.pop(key)
        with contextlib.suppress(KeyError):  # its time on screen is over already
            self._unnotify(note)

    def action_open_reminded(self) -> None:
        """ctrl+j (jump): the record of the latest reminder; the reminders leave the
        screen (they have been seen)."""
        item = self.last_reminder
        if item is None:
            self.notify(_("No reminder yet."), timeout=3)
            return
        for key in list(self._reminders_shown):
            self._take_off(key)
        if item.kind == DEAL:
            self.open_opportunity(item.id)
        else:
            self.open_lead(item.id, here=True)

    # ------------------------------------------------------------------ the calendar file

    def _calendar_ask(self):
        """What the kept calendar holds, and when: asked in its writing thread."""
        from funnel_tui.read.today import owner_id
        from funnel_tui.transfer.calendar_feed import KEPT_DAYS, CalendarAsk

        config = self.config
        ask = CalendarAsk(
            owner_id(self.user),  # a read: a rep new to the database owns nothing yet
            self.user,
            self.today(),
            KEPT_DAYS,
            config.calendar_event_minutes,
            config.reminder_minutes,
        )
        return ask, self.now()

    def _calendar_failed(self, message: str) -> None:
        if self._calendar_said:
            return
        self._calendar_said = True
        with contextlib.suppress(RuntimeError):  # closing meanwhile
            self.call_from_thread(
                self.notify, message, title=_("Calendar"), severity="warning", markup=False
            )


def reminder_text(item: QueueItem) -> str:
    """`Call back · Anna Kowalska (Acme GmbH) · +48 512 345 678`, and the key that opens
    it. User text as text (plain: no escape code), shown without markup."""
    who = plain(item.person) + (f" ({plain(item.company)})" if item.company else "")
    what = plain(item.next_action) or _("Follow up")
    if item.kind == DEAL and item.deal:
        what = f"{what} · {plain(item.deal)}"
    parts = [what, who, plain(item.contact)] if item.contact else [what, who]
    return " · ".join(parts) + "\n" + _("ctrl+j opens it")
