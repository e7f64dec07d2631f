"""A rep's next actions out as an iCalendar file: what `funnel calendar` writes, and the file
`calendar_file` in funnel.toml names, which funnel writes again after every change so
that a phone or desktop calendar subscribed to it stays current. No UI imports.

Each open next action of the rep's is one entry (read.calendar): at its time for 15
minutes (calendar_event_minutes) with an alarm reminder_minutes before, or all day on
its date. An entry's UID is its record's (`lead-12`, `deal-5`) in this database, so an
action moved to another day moves in the calendar, and one settled leaves it. The file
is written whole beside its target and renamed into place (core.safe_files): a
calendar reading it at any moment reads the old file or the new one.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from funnel_tui.core import ical
from funnel_tui.core.contact_urls import tel_url
from funnel_tui.core.errors import CalendarFileError
from funnel_tui.core.i18n import _, pgettext
from funnel_tui.core.safe_files import replacing
from funnel_tui.read.calendar import calendar_entries
from funnel_tui.read.today import DEAL, QueueItem
from funnel_tui.storage.schema import DATABASE_ID, get_meta

DEFAULT_DAYS = 30  # how far ahead `funnel calendar` looks unless --days or --all
# How far ahead the kept calendar file looks: a calendar app shows what is coming; the
# Today queue has what is overdue.
KEPT_DAYS = 90


@dataclass(frozen=True)
class CalendarAsk:
    """Whose next actions, from when to when, and how the entries are made."""

    user_id: int | None
    login: str
    today: dt.date
    days: int | None = DEFAULT_DAYS  # from today on, this many days; None: every date
    event_minutes: int = 15
    alarm_minutes: int = 10


def calendar_events(ask: CalendarAsk) -> list[ical.Event]:
    """The entries of `ask`: from its first day (overdue actions are left out unless
    every date is asked for) through `days` days."""
    first = None if ask.days is None else ask.today
    last = None if ask.days is None else ask.today + dt.timedelta(days=ask.days - 1)
    domain = f"{get_meta(DATABASE_ID) or 'funnel'}.funnel"
    return [_event(entry, domain, ask) for entry in calendar_entries(ask.user_id, first, last)]


def _event(entry: QueueItem, domain: str, ask: CalendarAsk) -> ical.Event:
    who = entry.person + (f" ({entry.company})" if entry.company else "")
    action = entry.next_action or _("Follow up")
    summary = f"{action} · {entry.deal} · {who}" if entry.deal else f"{action} · {who}"
    lines = []
    if entry.kind == DEAL:
        lines.append(
            pgettext("calendar", "Deal #{id}: {name}").format(id=entry.id, name=entry.deal)
        )
    lines.append(
        pgettext("calendar", "Lead #{id}: {name}").format(id=entry.lead_id, name=entry.person)
    )
    if entry.company:
        lines.append(pgettext("calendar", "Company: {name}").format(name=entry.company))
    if entry.phone_shown:
        lines.append(pgettext("calendar", "Phone: {phone}").format(phone=entry.phone_shown))
    if entry.email:
        lines.append(pgettext("calendar", "Email: {email}").format(email=entry.email))
    return ical.Event(
        uid=f"{entry.kind}-{entry.id}@{domain}",
        summary=summary,
        description="\n".join(lines),
        day=entry.due,
        at=entry.at,
        minutes=ask.event_minutes,
        alarm_minutes=ask.alarm_minutes,
        url=tel_url(entry.phone_e164 or ""),
    )


def calendar_document(ask: CalendarAsk, now: dt.datetime) -> tuple[str, int]:
    """(the iCalendar text, how many entries it holds)."""
    events = calendar_events(ask)
    name = _("funnel · {user}").format(user=ask.login)
    return ical.calendar_text(events, name, now), len(events)


def write_calendar(path: Path, text: str, setting: str) -> None:
    """`text` written whole at `path`; CalendarFileError naming `setting` (the
    funnel.toml key or the option) and the file when it cannot be."""
    try:
        with replacing(path, newline="") as out:
            out.write(text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CalendarFileError(
            _("{setting}: cannot write the calendar file {path}: {reason}").format(
                setting=setting, path=path, reason=reason
            )
        ) from exc


def configured_path(value: str) -> Path | None:
    """The file `calendar_file` names ("~" is the home folder), None when empty."""
    return Path(value).expanduser() if value.strip() else None


class CalendarKeeper:
    """Writes the configured calendar file again when asked (after changes), in a thread
    of its own, at most one write at a time: asks that arrive while one is written make
    one more write after it, not one each."""

    def __init__(self, path: Path, make_ask, on_error) -> None:
        """`make_ask()` gives the CalendarAsk and the time of each write (in the thread
        that writes); `on_error(message)` hears a write that failed."""
        self.path = path
        self.make_ask = make_ask
        self.on_error = on_error
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self.written = 0  # writes made (for tests and benches)

    def changed(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="funnel-calendar", daemon=True).start()

    def _run(self) -> None:
        from funnel_tui.read.connection import database_failure
        from funnel_tui.storage.models import database

        try:
            while True:
                try:
                    with database.connection_context():
                        ask, now = self.make_ask()
                        text, _count = calendar_document(ask, now)
                    write_calendar(self.path, text, "calendar_file")
                    self.written += 1
                except CalendarFileError as exc:
                    self.on_error(str(exc))
                except Exception as exc:
                    # The database busy or away: the app says so where it reads, and
                    # the next change writes the file again. Anything else is a bug.
                    if database_failure(exc) is None:
                        raise
                with self._lock:
                    if not self._again:
                        self._running = False
                        return
                    self._again = False
        except BaseException:
            with self._lock:
                self._running = False
            raise
