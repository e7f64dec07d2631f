"""Noticing what other funnel instances wrote, cheaply, for live refresh; and keeping
this instance's presence row. No UI imports: the app hands in a callback.

One thread per instance wakes every POLL_SECONDS. On SQLite it asks the connection's
`PRAGMA data_version`, which moves only when another connection committed: an idle
team costs one pragma a second per instance, with no table read. When it moves (and
always on PostgreSQL, which has no such counter) one indexed read of the history's
newest id tells whether data changed, and which records: every write appends to the
history (rules.session), so the new history rows name them, which of them were made, and
whose records changed hands: a screen can then tell whether a change concerns it
without reading anything again (the lead list, its counts, the Today counts). The
presence of the others is read again when something was written, and at each heartbeat.

On a database this user cannot write (storage.database.db_read_only) the thread writes
nothing: no presence row of its own, no tidying of others' rows; it still hears the
others and sees who is here.

The thread keeps its own connection for its whole life: Peewee's connections are per
thread, and opening one each second (a TCP connection and a login on PostgreSQL) would
cost more than all the rest.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import peewee

from funnel_tui.live import presence
from funnel_tui.live.presence import Seen
from funnel_tui.storage.database import checkpoint_quietly, db_read_only
from funnel_tui.storage.models import Activity, database

POLL_SECONDS = 1.0
# The watcher's connection lives all day and reads the newest history pages, new ones
# every few writes: with SQLite's default 2 MB page cache the instance's memory would
# grow until that fills (read.connection.KEPT_CACHE_KIB, the same for the same reason).
CACHE_KIB = 256
# More new history rows than this in one poll: refresh everything rather than list them.
MAX_LISTED = 500
# The history's actions that make a lead (rules.leads.insert_lead): a batch of only these
# adds leads without changing any other, so a list can count them in instead of again.
MADE = frozenset({"create", "import"})


@dataclass(frozen=True)
class Changes:
    """What changed since the last poll. `records` holds ("lead", id), ("opportunity",
    id) and ("company", id) for each record written (an activity counts for its lead
    and its deal); `everything` when there were too many to list. `others` is the
    other instances present, when that changed (None: unchanged).

    `made` holds those of `records` that were created in this batch (whatever else was
    written to them since), `handed` the logins a record was handed from or to: a
    screen can tell from them whether a batch concerns it (a list that a new lead does
    not fall in, counts of another user's records)."""

    records: frozenset[tuple[str, int]] = frozenset()
    everything: bool = False
    others: tuple[Seen, ...] | None = None
    made: frozenset[tuple[str, int]] = frozenset()
    handed: frozenset[str] = frozenset()

    @property
    def data(self) -> bool:
        """Whether any data changed (not only who is here)."""
        return self.everything or bool(self.records)

    def touches(self, entity: str, entity_id: int) -> bool:
        return self.everything or (entity, entity_id) in self.records

    @property
    def only_new_leads(self) -> bool:
        """Whether the batch did nothing but add leads (and the companies new with
        them): no record there was before changed. A new company shows in no row
        but its new leads'; another record made (a deal) may change an old lead's."""
        return (
            not self.everything
            and bool(self.records)
            and self.records == self.made
            and all(entity in ("lead", "company") for entity, _id in self.records)
            and any(entity == "lead" for entity, _id in self.records)
        )

    def merged_with(self, later: Changes) -> Changes:
        """This batch and a later one as one (what a screen out of sight missed)."""
        if self.everything or later.everything:
            return Changes(everything=True)
        return Changes(
            records=self.records | later.records,
            made=self.made | later.made,
            handed=self.handed | later.handed,
        )

    def ids(self, entity: str) -> frozenset[int]:
        """The ids of the records of one kind that changed."""
        return frozenset(ident for kind, ident in self.records if kind == entity)


@dataclass
class _Showing:
    entity: str = ""
    entity_id: int | None = None
    editing: bool = False


@dataclass
class ChangeWatch:
    """Polls for others' writes in a thread of its own and calls `on_change` (from that
    thread) with a Changes; writes this instance's presence row as `login`."""

    login: str
    on_change: Callable[[Changes], None]
    interval: float = POLL_SECONDS
    instance: str = field(default_factory=presence.new_instance_id)
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _ready: threading.Event = field(default_factory=threading.Event)
    _showing: _Showing = field(default_factory=_Showing)
    _announce: bool = True
    _thread: threading.Thread | None = None
    _data_version: int | None = None
    _newest: int = 0
    _others: tuple[Seen, ...] = ()
    _last_beat: float = 0.0
    _writes: bool = True  # False on a database this user cannot write
    polls: int = 0  # polls made; read by tests and the idle benchmark

    def start(self, timeout: float = 5.0) -> None:
        """Start polling; returns once the thread knows where the data stands, so any
        write after this is heard (not on the UI thread: it waits for a connection)."""
        self._thread = threading.Thread(target=self._run, name="funnel-changes", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop polling, delete this instance's presence row, close the connection."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def show(self, entity: str = "", entity_id: int | None = None, editing: bool = False) -> None:
        """This instance now shows that record (or none): the others hear within a poll."""
        showing = _Showing(entity, entity_id, editing)
        if showing != self._showing:
            self._showing = showing
            self._announce = True
            self._wake.set()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        db = database.obj
        self._writes = db_read_only(db) is None
        try:
            try:
                self._connect(db)
                if self._writes:
                    presence.forget_dead()
                self._newest = self._newest_change()
                self._data_version = self._read_data_version()
            except (peewee.OperationalError, peewee.InterfaceError):
                self._reconnect(db)  # read-only or busy: the ticks go on as they can
            self._ready.set()
            while not self._stop.is_set():
                try:
                    self._tick()
                except (peewee.OperationalError, peewee.InterfaceError):
                    # Busy past the timeout, or the server went away for a moment: the
                    # next tick tries again; the screens keep what they show.
                    self._reconnect(db)
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            if self._writes:
                with contextlib.suppress(peewee.PeeweeException):
                    presence.leave(self.instance)  # a crash's row times out by itself
            if not db.is_closed():
                db.close()

    def _tick(self) -> None:
        self.polls += 1
        beat = time.monotonic() - self._last_beat >= presence.HEARTBEAT
        if (self._announce or beat) and self._writes:
            self._announce = False
            showing = self._showing
            presence.announce(
                self.instance, self.login, showing.entity, showing.entity_id, showing.editing
            )
        version = self._read_data_version()
        if version is not None and version == self._data_version and not beat:
            return  # nobody else committed anything
        self._data_version = version
        changes = self._read_changes()
        others = presence.others(self.instance, tidy=self._writes)
        if beat:
            self._last_beat = time.monotonic()
        moved = others != self._others
        self._others = others
        if changes is not None or moved:
            self.on_change(replace(changes or Changes(), others=others if moved else None))
        if version is not None and self._writes:
            # Something was committed (by this app's workers too): the checkpoint is made
            # here, not in a rep's save (storage.database.defer_checkpoints).
            checkpoint_quietly(database.obj)

    def _read_data_version(self) -> int | None:
        db = database.obj
        if not isinstance(db, peewee.SqliteDatabase):
            return None
        return db.execute_sql("PRAGMA data_version").fetchone()[0]

    def _newest_change(self) -> int:
        row = database.obj.execute_sql('SELECT MAX("id") FROM "history"').fetchone()
        return row[0] or 0

    def _read_changes(self) -> Changes | None:
        """The records written since the last look (everything, when more than
        MAX_LISTED changes came in); None when nothing was."""
        newest = self._newest_change()
        if newest <= self._newest:
            return None
        db = database.obj
        p = db.param
        # The old and new owner only: a creation's old/new hold the whole record.
        rows = db.execute_sql(
            'SELECT "entity", "entity_id", "action", '
            """CASE WHEN "field" = 'owner' THEN "old" END, """
            """CASE WHEN "field" = 'owner' THEN "new" END FROM "history" """
            f'WHERE "id" > {p} AND "id" <= {p} LIMIT {p}',
            (self._newest, newest, MAX_LISTED + 1),
        ).fetchall()
        self._newest = newest
        if len(rows) > MAX_LISTED:
            return Changes(everything=True)
        records = {(entity, int(ident)) for entity, ident, *_rest in rows if entity != "activity"}
        made = {(entity, int(ident)) for entity, ident, action, *_rest in rows if action in MADE}
        handed = {login for *_first, old, new in rows for login in (old, new) if login}
        activity_ids = [int(ident) for entity, ident, *_rest in rows if entity == "activity"]
        if activity_ids:
            for lead_id, opp_id in (
                Activity.select(Activity.lead, Activity.opportunity)
                .where(Activity.id.in_(activity_ids))
                .tuples()
            ):
                records.add(("lead", lead_id))
                if opp_id is not None:
                    records.add(("opportunity", opp_id))
        return Changes(
            records=frozenset(records),
            made=frozenset(made & records),
            handed=frozenset(handed),
        )

    def _connect(self, db: peewee.Database) -> None:
        if db.connect(reuse_if_open=True) and isinstance(db, peewee.SqliteDatabase):
            db.execute_sql(f"PRAGMA cache_size = -{CACHE_KIB}")

    def _reconnect(self, db: peewee.Database) -> None:
        try:
            if not db.is_closed():
                db.close()
            self._connect(db)
        except peewee.PeeweeException:
            time.sleep(self.interval)
