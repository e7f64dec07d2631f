"""What the app does when something fails: a write the screen reported (write_failed),
or anything no screen handled.

A database that stops answering (PostgreSQL restarted, the network gone, a file made
read-only, a lock held too long) is not a crash: the rep is told in one line, what is on
the screen stays, and funnel tries again until the database answers, then reloads what
it shows. Anything else is a bug: the app keeps every half-typed form on disk, writes
the traceback (without local values, passwords hidden) to a crash file only its user can
read, and exits 3 with one line saying what happened and where the details are.
Textual's default prints a traceback with every local variable (the database URL with
its password among them) and, for a failure in the input thread, exits 0. The screens'
workers (workers.py) send their failures here, reads and writes alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import WorkerFailed

from funnel_tui.config import user_data_dir
from funnel_tui.core.errors import Busy, ReadOnlyDatabase
from funnel_tui.core.i18n import _
from funnel_tui.core.output import terminal_safe
from funnel_tui.read.connection import (
    answers,
    database_failure,
    disk_full,
    failure_words,
    is_damaged,
    redact,
)
from funnel_tui.tui.contracts import KeepsDrafts

BUG_EXIT = 3  # as the command line's EXIT_FAILED: an unexpected failure, a bug
DAMAGED_EXIT = 1  # as the command line's refusal of a damaged file (core.errors.EXIT_REFUSED)
PROBE_SECONDS = 2.0  # how often a database that stopped answering is tried again


def _read_only(error: BaseException) -> bool:
    text = str(error).lower()
    return "readonly" in text or "read-only" in text


def database_error(error: BaseException) -> BaseException | None:
    """The database error behind `error` (a worker's failure wraps it), or None: Peewee's,
    or one the driver raised itself (a bulk insert through the driver's own cursor)."""
    return database_failure(_cause(error))


def trouble_message(error: BaseException) -> str:
    """One line for a rep: what the database did, passwords hidden."""
    detail = terminal_safe(failure_words(error))
    lowered = detail.lower()
    if _read_only(error):
        return _(
            "The database cannot be written ({detail}): you can look, not change. "
            "Ask whoever runs the server to give your login write access."
        ).format(detail=detail)
    if disk_full(error):
        return _(
            "The database cannot be written: {detail}. funnel tries again every {seconds} s; "
            "what you type is kept."
        ).format(detail=detail, seconds=f"{PROBE_SECONDS:.0f}")
    if isinstance(error, Busy) or "locked" in lowered:
        return _(
            "The database is busy ({detail}). funnel tries again; nothing typed is lost."
        ).format(detail=detail)
    return _(
        "The database is not answering ({detail}). funnel tries again every "
        "{seconds} s; what you type is kept."
    ).format(detail=detail, seconds=f"{PROBE_SECONDS:.0f}")


class HandlesFailures(App):
    """An App that treats database failures as weather and other failures as bugs
    (see the module's docstring). Screens with a half-typed form offer `keep_draft()`."""

    # The message while the database is away ("" when it answers): the top line marks it
    # for as long as it lasts, after the notification has gone.
    database_trouble: reactive[str] = reactive("")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.crash_file: Path | None = None
        self.crash_message: str = ""  # the lines the terminal shows after a crash

    # ------------------------------------------------------------ the database away

    def _handle_exception(self, error: Exception) -> None:
        if is_damaged(_cause(error)) and not self._exit_renderables:
            self._stop_on_damage(_cause(error))
            return
        cause = database_error(error)
        if cause is not None and self.is_running and not self._exit_renderables:
            self.database_failed(cause)
            return
        self._crashed(error)

    def background_failed(self, error: Exception) -> None:
        """A read run outside Textual's workers failed (workers.KeptReader): handled as
        a worker's failure is."""
        self._handle_exception(error)

    def database_failed(self, error: BaseException) -> None:
        """A read or write met a database that does not answer: say so once, and keep
        trying until it does."""
        message = trouble_message(error)
        first = not self.database_trouble
        self.database_trouble = message
        if not first:
            return  # told already, and a probe is on its way
        self.notify(message, title=_("Database"), severity="error", timeout=10, markup=False)
        if not _read_only(error):  # a read-only file answers reads: nothing to wait for
            self.set_timer(PROBE_SECONDS, self._probe_database)

    @work(thread=True, exclusive=True, group="database-probe", exit_on_error=False)
    def _probe_database(self) -> None:
        try:
            answers()
        except Exception as exc:  # still away: try again later
            self.call_from_thread(self._still_away, exc)
        else:
            self.call_from_thread(self._database_back)

    def _still_away(self, error: BaseException) -> None:
        self.database_trouble = trouble_message(error)
        self.set_timer(PROBE_SECONDS, self._probe_database)

    def _database_back(self) -> None:
        self.database_trouble = ""
        self.notify(_("The database answers again."), title=_("Database"), markup=False)
        self.database_returned()

    def database_returned(self) -> None:
        """The database answers again: the app reloads what it shows (FunnelApp)."""

    def write_failed(
        self, exc: Exception, failed: Callable[[str], None], retry: Callable[[], None]
    ) -> None:
        """A write did not happen: the screen says so (keeping what was typed) and, when
        the database was only busy, the user may try again at once. A database this user
        cannot write is said with the reason, the same wherever it was found; a damaged
        file with the way back (restore a backup), and a full disk with the disk to free
        room on, not in SQLite's words."""
        if isinstance(exc, ReadOnlyDatabase):
            failed(exc.reason)
        elif _read_only(exc):
            failed(failure_words(exc))
        elif is_damaged(exc) or disk_full(exc):
            failed(terminal_safe(failure_words(exc)))
        else:
            failed(str(exc))
        if isinstance(exc, Busy):
            from funnel_tui.tui.dialogs.dialogs import ConfirmDialog

            body = Text(_("{reason}. What you typed is kept.").format(reason=exc))

            def answered(again: bool | None) -> None:
                if again:
                    retry()

            self.push_screen(
                ConfirmDialog(_("The database is busy"), body, yes=_("Try again"), no=_("Not now")),
                answered,
            )

    # ------------------------------------------------------------------ a bug

    def panic(self, *renderables) -> None:
        # Textual panics when its input thread dies; that is a failure as well.
        if not self._exit_renderables:
            self._return_code = BUG_EXIT
            self._keep_drafts()
        super().panic(*renderables)

    def _crashed(self, error: BaseException) -> None:
        self._return_code = BUG_EXIT
        if self._exception is None:  # what Pilot re-raises in a test
            self._exception = error
            self._exception_event.set()
        self._keep_drafts()
        self.crash_file = _write_crash_file(error)
        reason = terminal_safe(redact(f"{type(_cause(error)).__name__}: {_cause(error)}"))
        line = Text(
            _("funnel stopped on an error it did not expect: {reason}").format(reason=reason)
        )
        line.append("\n" + _("What you were typing is kept and is offered back at the next start."))
        if self.crash_file is not None:
            line.append("\n" + _("The details are in {file}").format(file=self.crash_file))
        self.crash_message = line.plain
        self.bell()
        self._exit_renderables.append(line)
        self._close_messages_no_wait()

    def _stop_on_damage(self, error: BaseException) -> None:
        """A damaged database file met while reading: funnel stops before anything is
        written to it, keeps what was typed, and says the way back (restore a backup)."""
        self._return_code = DAMAGED_EXIT
        self._keep_drafts()
        line = Text("funnel: " + terminal_safe(failure_words(error)))
        line.append("\n" + _("What you were typing is kept and is offered back at the next start."))
        self.crash_message = line.plain
        self.bell()
        self._exit_renderables.append(line)
        self._close_messages_no_wait()

    def _keep_drafts(self) -> None:
        """Every screen with a form writes its draft now, as a last act."""
        for screen in _every_screen(self):
            if isinstance(screen, KeepsDrafts):
                with contextlib.suppress(Exception):
                    screen.keep_draft()


def _cause(error: BaseException) -> BaseException:
    return error.error if isinstance(error, WorkerFailed) else error


def _every_screen(app: App) -> list[Screen]:
    """The screens of every mode's stack and those installed (made, not just named)."""
    found = [screen for stack in app._screen_stacks.values() for screen in stack]
    found += [s for s in app._installed_screens.values() if isinstance(s, Screen)]
    return list(dict.fromkeys(found))


def _write_crash_file(error: BaseException) -> Path | None:
    """The traceback, passwords hidden, in a new file only this user can read."""
    folder = user_data_dir() / "crashes"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".txt", dir=folder)
        cause = _cause(error)
        text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(redact(text))
        return Path(name)
    except OSError:
        return None
