"""The Textual app: the screens, the keys that reach them from anywhere, the command
palette, and the guard against a terminal smaller than 80×24."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import gc
import signal
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App, ScreenError, SystemCommand
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from funnel_tui.config import Config
from funnel_tui.core.dates import local_today, user_zone
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.screen_names import SCREENS
from funnel_tui.live.changes import Changes, ChangeWatch
from funnel_tui.live.drafts import DraftStore
from funnel_tui.read.ahead import FirstBoard, FirstList, FirstScreen, ReadAhead, newest_change
from funnel_tui.read.connection import (
    connected,
    defer_checkpoints,
    describe,
    keep_connections,
    read_only_why,
    utcnow,
)
from funnel_tui.rules.team_lists import team_config
from funnel_tui.tui.contracts import CountsToday, KeepsDrafts, ShowsRecord
from funnel_tui.tui.day_watch import KeepsTheDay
from funnel_tui.tui.dialogs.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from funnel_tui.tui.draft_offer import offer_drafts
from funnel_tui.tui.failures import HandlesFailures
from funnel_tui.tui.freshness import KeepsScreensFresh
from funnel_tui.tui.key_order import KeysInOrder
from funnel_tui.tui.no_color import safe_filters
from funnel_tui.tui.palette import RecordsProvider
from funnel_tui.tui.widgets.keymap import screen_actions, user_keymap
from funnel_tui.tui.workers import KeptReader, kept_read, read_worker

if TYPE_CHECKING:
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.tui.screens.log_activity import LogTarget

CHECKLIST_WAIT = 0.15  # seconds the list waits for a checklist's data before showing it
FIRST_SCREEN_WAIT = 0.25  # seconds the first screen waits for what was read ahead
GC_AFTER_SECONDS = 3.0  # the collector comes back by then if no screen said it is up
# The day's backup (and the sweep of dead imports' scratch files) waits this long after
# the first screen is up: its imports and its copy would otherwise share the first
# moments with the screen's own last paints.
BACKUP_AFTER_SECONDS = 2.0
# The rules and the user's row are made this long after the first screen is up
# (startup_done), once its last paints are out.
PREPARE_AFTER_SECONDS = 0.5
# The signals that end the app as ctrl+q would, what was typed kept (_listen_for_hangup).
STOP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


# Textual's own palette commands (App.get_system_commands), marked for the catalog: the
# palette shows them in the rep's language.
_TEXTUAL_COMMANDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


class ChangesHeard(Message):
    """The change watcher heard others' writes or comings and goings (its thread)."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class FunnelApp(HandlesFailures, KeepsScreensFresh, KeepsTheDay, KeysInOrder):
    TITLE = "funnel"
    # The Today queue's counts per section for the status line; None until counted.
    today_counts: reactive[dict[str, int] | None] = reactive(None)
    # The other funnel instances on this database (presence.Seen), for the top line.
    others: reactive[tuple] = reactive(())
    # Screens are imported when first opened: start-up pays only for what the first
    # frame shows (the list's modules too, when funnel opens on another screen).
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {
        "leads": lambda: _leads_screen(),
        "capture": lambda: _capture_screen(),
        "funnel": lambda: _funnel_screen(),
        "board": lambda: _board_screen(),
        "today": lambda: _today_screen(),
        "import": lambda: _import_screen(),
        "reports": lambda: _reports_screen(),
        "duplicates": lambda: _duplicates_screen(),
        "companies": lambda: _companies_screen(),
    }
    DEFAULT_MODE = "leads"
    # ctrl+p: the screens, this screen's actions, and any lead or deal by name.
    COMMANDS: ClassVar = {*App.COMMANDS, RecordsProvider}
    BINDINGS: ClassVar[list[Binding]] = [
        # ctrl keys and F-keys work while typing in a field, so these reach a screen from
        # anywhere; letters would be typed into the field instead.
        Binding("ctrl+n,f2", "switch_mode('capture')", "New lead", id="go.capture", priority=True),
        Binding("f3", "go('leads')", "Leads", id="go.leads", priority=True),
        Binding("f4", "go('funnel')", "Funnel", id="go.funnel", priority=True),
        Binding("f5", "go('board')", "Board", id="go.board", priority=True),
        Binding("ctrl+t", "go('today')", "Today", id="go.today", priority=True),
        Binding("ctrl+g,f12", "go('reports')", "Reports", id="go.reports", priority=True),
        Binding("ctrl+o", "go('companies')", "Companies", id="go.companies", priority=True),
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("question_mark", "help", "Help", id="help.key", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding(
            "ctrl+j", "open_reminded", "Open the reminded record", id="reminder.open", show=False
        ),
    ]

    def __init__(
        self,
        *,
        config: Config,
        target: str,
        user: str,
        drafts: DraftStore | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        start: str = "leads",
        ahead: ReadAhead | None = None,
    ) -> None:
        """`clock` (naive UTC) stands in for the system clock: screenshots and tests
        fix it so that what depends on "now" (engagement, dates) does not move.
        `start` is the screen to open on, one of MODES. `ahead` is reading the first
        screen's data meanwhile (read.ahead: cli.tui starts it before the app's modules
        load)."""
        # Read by App.__init__: the first screen is built once, not the list and then it.
        self.DEFAULT_MODE = start if start in self.MODES else "leads"
        super().__init__(driver_class=_input_driver())
        self._filters = safe_filters(self._filters)
        self.config = team_config(config)  # with the values the team added to its lists
        self.target = target
        self.user = user
        self.now = clock or utcnow
        self.zone = user_zone(config.timezone)
        self._rules: Funnel | None = None
        self._rules_made = threading.Lock()
        if config.keys.bindings:  # funnel.toml's [keys]: other keys for some bindings
            self.set_keymap(user_keymap(config.keys))
        self.drafts = drafts or DraftStore(user)
        self.sub_title = f"{user} · {describe(target)}"
        # Why this user cannot write the database ("" when they can): every screen's top
        # lines say it (TitleBar), and every write is refused with it (workers.run_write).
        self.read_only = read_only_why()
        self.watch_changes: ChangeWatch | None = None
        # Held to set watch_changes, or to take it when the app closes (_unmounted).
        self._watching = threading.Lock()
        self._unmounted = False
        # The reads that others' writes cause, on a connection that stays open.
        self.kept_reader = KeptReader()
        self._user_prepared = False
        self._checklist_wanted: int | None = None
        self._company_wanted: int | None = None
        self._checklist_then: tuple[str, str] = ("", "")
        self._ahead = ahead
        self._first: FirstScreen | None = None
        self._first_list: FirstList | None = None
        self._first_board: FirstBoard | None = None

    @property
    def rules(self) -> Funnel:
        """The rules for this user (rules.funnel), made at their first use.

        Importing them is importing every rule module, 17 ms that the first frame does
        not need: the list and the board read ahead, and ask only the time and the date
        (`now`, `today`). So when what was read ahead holds for the config (scores and
        engagement keys current, which making the rules would otherwise rewrite first),
        they are made once the first screen is up (startup_done); else as it mounts, as
        they always were. A worker asking first makes them in its thread."""
        if self._rules is None:
            with self._rules_made:
                if self._rules is None:
                    from funnel_tui.rules.funnel import Funnel

                    self._rules = Funnel(self.config, self.user, self.now)
        return self._rules

    def today(self) -> dt.date:
        """The user's calendar date now (as rules.today)."""
        return local_today(self.now(), self.zone)

    def first_screen(self) -> FirstScreen | None:
        """What was read ahead for the first screen (None: nothing), once it is in. It
        was started some 200 ms before the screen is mounted, so it has almost always
        finished; else the screens read as they always do, after a short wait for it."""
        if self._ahead is not None:
            self._first = self._ahead.result(FIRST_SCREEN_WAIT)
            self._ahead = None
            if self._first is not None:
                self._first_list = self._first.lead_list
                self._first_board = self._first.board
                if self._first.today_counts is not None:
                    # Asked first by the screen as it mounts: in the first frame too.
                    self.today_counts = dict(self._first.today_counts)
        if self._first is None or not self._first.derived_current:
            _rules = self.rules  # made now: making them rewrites stale scores first
        return self._first

    def first_list(self) -> FirstList | None:
        """The lead list read ahead, handed out once: to the list's first showing."""
        self.first_screen()
        found, self._first_list = self._first_list, None
        return found

    def first_board(self) -> FirstBoard | None:
        """The board read ahead, handed out once: to the board's first showing."""
        self.first_screen()
        found, self._first_board = self._first_board, None
        return found

    def on_mount(self) -> None:
        # The workers' connections leave checkpoints to the change watcher's thread, and
        # wait for the next worker when one is done; until the app unmounts (an app made
        # and never run changes nothing in the process).
        defer_checkpoints()
        keep_connections()
        self._listen_for_hangup()
        self._check_size()
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.set_timer(GC_AFTER_SECONDS, self.startup_done)
        # The top line's Today counts are read ahead with the first screen's own data,
        # or now beside it, so that both are in its first full frame or close.
        if self.first_screen() is None or self.today_counts is None:
            self._count_today()
        if self.read_only:
            said = _("Read-only: {why}. You can look, not change.").format(why=self.read_only)
            self.notify(said, title=_("Database"), severity="warning", timeout=10, markup=False)
        offer_drafts(self)

    def _listen_for_hangup(self) -> None:
        """The SSH link dropped (SIGHUP), or the system asks funnel to stop (SIGTERM: a
        shutdown, a kill): keep what was typed, leave the others' top line at once, and
        stop as after ctrl+q (an import under way ends after the batch in hand, and its
        scratch files go), exiting 128 + the signal, as a shell reports it (129, 143)."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in STOP_SIGNALS:
                loop.add_signal_handler(sig, self._hung_up, sig)

    def _hung_up(self, sig: int = signal.SIGHUP) -> None:
        self._keep_drafts()
        if self.watch_changes is not None:
            self.watch_changes.stop()
            self.watch_changes = None
        self.exit(return_code=128 + sig)

    def _screen_changed(self, _screen: Screen) -> None:
        # A mode opened while the terminal is small gets the guard too, and one left
        # under a screen while the terminal grew goes.
        self._check_size()
        self.refresh_shown()
        self.show_record()

    def refresh_css(self, animate: bool = True) -> None:
        """Textual reads every rule of the stylesheet again when a screen first joins
        (the first screen, and each mode's first visit): some 2,000 tokens, 8 ms of the
        start and of the board's first opening. Only the theme's variables could make
        the rules read differently, so while they are those the rules were read with,
        only what is new (a screen's or widget's own CSS) is read, and the styles are
        applied as Textual would."""
        stylesheet = self.stylesheet
        if self.get_css_variables() != stylesheet._variables:  # a new theme: all again
            super().refresh_css(animate)
            return
        if stylesheet._require_parse:
            stylesheet.parse()
        stylesheet.update(self, animate=animate)
        with contextlib.suppress(ScreenError):
            if self.screen.is_mounted:
                self.screen._refresh_layout(self.size)
                self.screen._css_update_count = self._css_update_count
        for screen in self.screen_stack:
            if screen is not self.screen:
                stylesheet.update(screen, animate=animate)
                screen._css_update_count = self._css_update_count

    @work(thread=True, group="startup")
    def _prepare_user(self) -> None:
        """The rules (app.rules), and the user's row: a write, never on the UI thread."""
        with connected():
            _user_id = self.rules.user_id  # read for its side effect: the row exists

    @work(thread=True, group="startup")
    def _start_change_watch(self) -> None:
        # Hear of the others' writes and presence from here on (changes.py).
        watch = ChangeWatch(self.user, self._heard)
        watch.start()
        with self._watching:
            closed = self._unmounted
            if not closed:
                self.watch_changes = watch
        if closed:  # the app closed while it started: on_unmount found no watcher to stop
            watch.stop()
            return
        if self._first is not None:
            # Another instance wrote between the reading ahead and the watcher's start:
            # the watcher will not tell of it, so everything shown is read again.
            with connected():
                missed = newest_change() > self._first.newest_change
            if missed:
                self.call_from_thread(self.data_changed)
        self.call_from_thread(self.show_record)

    def call_from_thread(self, callback, *args, **kwargs):
        """Textual's, except that once the app is closing a worker's answer is dropped:
        the loop still runs callbacks while the screens are being taken down, and an
        answer landing then (a list's rows, a count) found its widgets gone and turned
        a plain quit into a crash report. Nothing is lost: the work itself is done,
        and no screen is left to show it."""

        def unless_closing(*args, **kwargs):
            if self.is_running:
                return callback(*args, **kwargs)
            return None

        return super().call_from_thread(unless_closing, *args, **kwargs)

    def _heard(self, changes: Changes) -> None:
        # Called in the watcher's thread. A message, not call_from_thread: that waits for
        # the UI thread, which waits for this thread when the app closes (on_unmount
        # stops the watcher). After the close it is dropped.
        with contextlib.suppress(RuntimeError):  # the app's loop has closed
            self.post_message(ChangesHeard(changes))

    def on_changes_heard(self, message: ChangesHeard) -> None:
        self.changes_arrived(message.changes)

    def changes_arrived(self, changes: Changes) -> None:
        """Another instance wrote something, or came or went: what is on the terminal
        shows it, and what is hidden reloads when it comes back (on_screen_resume)."""
        # Heard as the app closes: Pilot (and a crash) close the screens while the
        # app's loop still dispatches, so a list could be told with its table gone.
        if not self.is_running or not self.screen_stack:
            return
        if changes.others is not None:
            self.others = changes.others
        if changes.data:
            self.data_changed(changes)

    def show_record(self) -> None:
        """Tell the others which record this instance shows (the top screen's
        `showing`, e.g. ("lead", 12, editing)), or none."""
        if self.watch_changes is None:
            return
        screen = self.screen
        self.watch_changes.show(*(screen.showing() if isinstance(screen, ShowsRecord) else ()))

    @read_worker("today-counts", exclusive=True)
    def _count_today(self) -> None:
        from funnel_tui.read.today import queue_counts

        counts = queue_counts(self.rules.user_id, self.today())
        self.call_from_thread(self.set_today_counts, counts)

    def set_today_counts(self, counts: dict[str, int]) -> None:
        self.today_counts = dict(counts)

    def startup_done(self) -> None:
        """The first screen is up: what start-up allocated stays for the whole session,
        so it is frozen out of the collector's scans before the collector comes back
        (make_app turned it off)."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()
        if not self._user_prepared:
            self._user_prepared = True
            self._start_change_watch()
            # Its thread makes the rules (app.rules): importing them beside the first
            # screen's last paints would hold them back.
            self.set_timer(PREPARE_AFTER_SECONDS, self._prepare_user)
            if not self.read_only:  # a backup is a write beside the database
                self.set_timer(BACKUP_AFTER_SECONDS, self._backup_if_due)
            # Reminders and the calendar file, once the rules are made.
            self.set_timer(PREPARE_AFTER_SECONDS + 0.5, self.start_the_day)

    @work(thread=True, group="backup", exit_on_error=False)
    def _backup_if_due(self) -> None:
        """The day's backup of a database file, once the first screen is up and in a
        thread of its own: start-up never waits for it (live.daily_backup). First the
        scratch files of imports killed since are swept (transfer.scratch)."""
        from funnel_tui.core.errors import BackupError
        from funnel_tui.live.daily_backup import backup_if_due
        from funnel_tui.transfer.scratch import sweep_dead

        sweep_dead()
        try:
            backup_if_due(self.target, self.config.backups)
        except BackupError as exc:
            said = _("The day's backup was not made: {reason}").format(reason=exc)
            with contextlib.suppress(RuntimeError):  # closing meanwhile
                self.call_from_thread(self.notify, said, severity="warning", markup=False)

    def on_unmount(self) -> None:
        gc.enable()
        defer_checkpoints(False)
        keep_connections(False)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            for sig in STOP_SIGNALS:
                asyncio.get_running_loop().remove_signal_handler(sig)
        with self._watching:
            self._unmounted = True
            watch, self.watch_changes = self.watch_changes, None
        if watch is not None:
            watch.stop()
        self.kept_reader.close()

    # ------------------------------------------------------------------ screens

    def action_go(self, mode: str) -> None:
        """A screen's key (F3 the leads, ctrl+t Today …): that screen itself, not a
        record left open over it, from anywhere, its own screen too (a record with
        unsaved edits keeps them as a draft, offered back when it is opened again)."""
        self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            if isinstance(self.screen, KeepsDrafts):
                self.screen.keep_draft()
            self.pop_screen()

    def open_lead(self, lead_id: int, focus: str = "", here: bool = False, then: str = "") -> None:
        """The lead's record, over the list (or over this screen, `here`); `focus`
        names a field to put the cursor in (the gate sends a rep to the phone number
        it refused); `then` "log" opens its log form once shown."""
        from funnel_tui.tui.screens.lead import LeadScreen

        if self.current_mode != "leads" and not here:
            self.switch_mode("leads")
        self.push_screen(LeadScreen(lead_id, focus=focus, then=then))

    def open_company(self, company_id: int) -> None:
        """The company's record (the account), over whatever screen asked: shown with
        its data in one frame, as the checklist is, unless the database takes longer
        than CHECKLIST_WAIT (then at once, its data following)."""
        self._company_wanted = company_id
        self._load_company(company_id)
        self.set_timer(CHECKLIST_WAIT, lambda: self._show_company(company_id, None, False))

    @read_worker("company-open", exclusive=True)
    def _load_company(self, company_id: int) -> None:
        from funnel_tui.read.companies import company_record

        record = company_record(company_id)
        self.call_from_thread(self._show_company, company_id, record, True)

    def _show_company(self, company_id: int, record, loaded: bool) -> None:
        from funnel_tui.tui.screens.company import CompanyScreen

        if self._company_wanted != company_id:
            return  # shown already, or another company was asked for since
        if loaded:
            self._company_wanted = None
        screen = self.screen
        if isinstance(screen, CompanyScreen) and screen.company_id == company_id:
            if loaded:
                screen.show_record(record)  # the timer showed it; now its data
            return
        # One screen serves every company, as the checklist's does: composing it anew
        # each time cost as much again. Another is made only while it is in use.
        if not self.is_screen_installed("company"):
            self.install_screen(CompanyScreen(company_id), "company")
        shared = self.get_screen("company")
        if any(shared in stack for stack in self._screen_stacks.values()):
            self.push_screen(CompanyScreen(company_id, record, loaded))
            return
        shared.show_company(company_id, record, loaded)
        self.push_screen(shared)

    @read_worker("company-of-lead", exclusive=True)
    def open_company_of_lead(self, lead_id: int) -> None:
        """The record of the company a lead is at (the lead list's current row)."""
        from funnel_tui.read.companies import company_of_lead

        company_id = company_of_lead(lead_id)
        self.call_from_thread(self._open_company_of, lead_id, company_id)

    def _open_company_of(self, lead_id: int, company_id: int | None) -> None:
        if company_id is None:
            self.notify(
                _("Lead #{id} is at no company: type one on its record.").format(id=lead_id)
            )
        else:
            self.open_company(company_id)

    def open_log(
        self,
        target: LogTarget,
        done: Callable | None = None,
        kind: str = "call",
        at_outcome: bool = False,
    ) -> None:
        """The log form for a record (screens.log_activity.LogTarget); `done` gets what
        was logged, or None. `at_outcome` starts the cursor on the outcome."""
        from funnel_tui.tui.screens.log_activity import LogActivityScreen

        self.push_screen(LogActivityScreen(target, kind, at_outcome), done)

    def open_opportunity(self, opp_id: int, then: str = "") -> None:
        """The deal's record, over whatever screen asked (the board, a lead); `then`
        "log" opens its log form once shown."""
        from funnel_tui.tui.screens.opportunity import OpportunityScreen

        self.push_screen(OpportunityScreen(opp_id, then=then))

    def open_checklist(self, lead_id: int, then: tuple[str, str] = ("", "")) -> None:
        """The lead's checklist, shown when its data is in: one frame instead of a
        "Loading…" frame and then the data (a third of the 30 ms a rep may wait),
        unless the database takes longer than CHECKLIST_WAIT. One screen serves every
        lead: composing it anew each time cost as much again. `then`: a form to open
        on it once shown (ChecklistScreen.show_lead)."""
        if not self.is_screen_installed("checklist"):
            from funnel_tui.tui.screens.checklist import ChecklistScreen

            self.install_screen(ChecklistScreen(), "checklist")
        if self.current_mode != "leads":
            self.switch_mode("leads")
        self._checklist_wanted = lead_id
        self._checklist_then = then
        self._load_checklist(lead_id)
        self.set_timer(CHECKLIST_WAIT, lambda: self._show_checklist(lead_id, None))

    @read_worker("checklist-open", exclusive=True)
    def _load_checklist(self, lead_id: int) -> None:
        from funnel_tui.read.checklist import load_checklist

        state = load_checklist(self.rules, lead_id)
        self.call_from_thread(self._show_checklist, lead_id, state)

    def _show_checklist(self, lead_id: int, state) -> None:
        if self._checklist_wanted != lead_id:
            return  # shown already, or another lead was asked for since
        screen = self.get_screen("checklist")
        # The form to open goes with the data, once: not with the timer's empty frame.
        then = ("", "")
        if state is not None:
            then, self._checklist_then = self._checklist_then, ("", "")
        if self.screen is screen:
            if state is not None:
                screen.show_lead(lead_id, state, then)  # the timer showed it; now the data
            self._checklist_wanted = None
            return
        screen.show_lead(lead_id, state, then)
        self.push_screen(screen)
        if state is not None:
            self._checklist_wanted = None

    def data_changed(self, changes: Changes | None = None) -> None:
        """Something was written, here (`changes` None) or by another instance: the
        screens on the terminal reload what they show, each deciding from `changes`
        whether it is concerned, and the hidden ones when shown again (tui/freshness).
        A screen holding a half-typed form keeps it (see LeadScreen.refresh_data)."""
        self.refresh_screens(changes)
        mine = changes is None or changes.everything or self.user in changes.handed
        if mine:
            self.day_changed()  # reminders and the calendar file (day_watch)
        if not self._user_prepared:
            return
        counts = not isinstance(self.screen, CountsToday)
        if mine and counts:
            self._count_today()
        elif not mine and (counts or self.follows_the_day):
            self._count_today_if_mine(changes, counts)

    @kept_read
    def _count_today_if_mine(self, changes: Changes, counts: bool = True) -> None:
        """The Today counts again when others wrote to this user's records, and the day's
        reminders and calendar file: a team adds and changes records all day, most of
        them someone else's, and counting this user's whole queue costs what their
        records number (the records handed away from them are counted again at once:
        data_changed)."""
        from funnel_tui.read.owners import owns_any
        from funnel_tui.read.today import queue_counts

        user_id = self.rules.user_id
        if owns_any(user_id, changes.ids("lead"), changes.ids("opportunity")):
            if counts:
                self.call_from_thread(self.set_today_counts, queue_counts(user_id, self.today()))
            self.call_from_thread(self.day_changed)

    def database_returned(self) -> None:
        """The database answers again after a failure: start what start-up could not
        (this user's row, the change watcher) and reload what the screens show."""
        if self._user_prepared and self.watch_changes is None:
            self._prepare_user()
            self._start_change_watch()
        self.data_changed()

    def action_help(self) -> None:
        from funnel_tui.tui.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # ------------------------------------------------------------ the palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode, title, help_text in SCREENS:
            go = functools.partial(self.switch_mode if mode == "capture" else self.action_go, mode)
            yield SystemCommand(_(title), _(help_text), go)
        for action in screen_actions(screen):
            if action.node is self:
                continue
            yield SystemCommand(
                action.description,
                _("{keys} · this screen").format(keys=action.keys),
                lambda a=action: self.call_later(a.node.run_action, a.action),
            )
        yield SystemCommand(_("Help"), _("Keys of this screen (? or F1)"), self.action_help)
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        """Textual's palette, with its placeholder in the rep's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            placeholder = _("Search for commands…")
            self.push_screen(CommandPalette(placeholder=placeholder, id="--command-palette"))

    # ------------------------------------------------------------ terminal size

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: this handler runs before Textual's own, which sets self.size
        # (reading that here put the guard one resize behind).
        self._check_size(event.size)

    def _check_size(self, size: Size | None = None) -> None:
        """Show the guard over whatever screen is on top while the terminal is smaller
        than 80×24, and take it away the moment it is not, in every mode."""
        size = size or self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        try:
            top = self.screen
        except ScreenError:  # not mounted yet: on_mount checks again
            return
        guarding = isinstance(top, TooSmallScreen)
        if small and guarding:
            top.show_size(size)
        elif small:
            self.push_screen(TooSmallScreen(size))
        elif guarding:
            self.pop_screen()
            self.call_later(self._check_size)  # another guard below (a mode switched)


def _input_driver() -> type | None:
    """The driver that reads pastes and stray bytes safely (tui/terminal_input.py), on
    the terminals it is made for; None lets Textual choose (Windows, TEXTUAL_DRIVER)."""
    import sys

    from textual import constants

    if sys.platform == "win32" or constants.DRIVER is not None:
        return None
    from funnel_tui.tui.terminal_input import SafeInputDriver

    return SafeInputDriver


def _leads_screen() -> Screen:
    from funnel_tui.tui.screens.leads import LeadListScreen

    return LeadListScreen()


def _capture_screen() -> Screen:
    from funnel_tui.tui.screens.capture import CaptureScreen

    return CaptureScreen()


def _import_screen() -> Screen:
    from funnel_tui.tui.screens.import_file import ImportScreen

    return ImportScreen()


def _board_screen() -> Screen:
    from funnel_tui.tui.screens.board import BoardScreen

    return BoardScreen()


def _today_screen() -> Screen:
    from funnel_tui.tui.screens.today import TodayScreen

    return TodayScreen()


def _reports_screen() -> Screen:
    from funnel_tui.tui.screens.reports import ReportsScreen

    return ReportsScreen()


def _companies_screen() -> Screen:
    from funnel_tui.tui.screens.companies import CompaniesScreen

    return CompaniesScreen()


def _funnel_screen() -> Screen:
    from funnel_tui.tui.screens.funnel_counts import FunnelScreen

    return FunnelScreen()


def _duplicates_screen() -> Screen:
    from funnel_tui.tui.screens.duplicates import DuplicatesScreen

    return DuplicatesScreen()
