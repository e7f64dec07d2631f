"""Demo data: a believable funnel of any size, to try funnel out and to measure it.

Leads come from many regions with names, companies and titles in their own scripts,
valid mobile numbers and emails built from the romanised names; they are spread over
every status and level, with checklist answers, opportunities across the board, months
of activities with next actions, and the history rows the rules layer would have written
for all of it.

This module runs it (generate_demo); the parts, each below the one that uses it:
stories (one lead's story, step by step) uses people (the team, regions, names,
companies, emails; phones for the numbers), checklists (answers, and the scores the
rules' compute_score gives them), deals (opportunities and their moves) and activities
(interactions, next actions, engagement keys by the rules' formula); clock (moments and
their text), draws (random picks), kinds (the seven kinds of story) and writing (the
tables' columns, the rows of a batch, the bulk writer) sit under them all.

Speed decides most of the shape below (100,000 leads in seconds rather than minutes):

- Rows are written with the DB-API cursor in one transaction (on SQLite 50 rows an
  INSERT, on PostgreSQL COPY; see writing.Writer); building Peewee model instances or
  queries per row is several times slower.
- Companies, leads and opportunities get their ids here (from the current maximum on)
  so children can point at their parents without reading anything back.
- Phone numbers are not validated one by one: each region has mobile prefixes that are
  valid with any digits after them (tests/test_demo.py proves it), and the typed layout
  is learnt once per prefix by formatting a sample number.
- Timestamps are seconds from a base midnight, turned into text through lookup tables.
- Scores are the rules' (compute_score), computed once per distinct set of facts and
  answers rather than once per lead (checklists.Checklists.total).
- History snapshots are JSON written by joining strings: the words they are made of
  contain no character JSON would escape (names.py says so; a test checks it).
- The search index is filled batch by batch in one statement each, and secondary
  indexes are built once at the end (db.deferred_search_index, db.deferred_indexes);
  the next batch is made in a helper thread while SQLite indexes the last one for
  search, or while PostgreSQL takes in its rows. The reports' tallies are counted once
  at the end too (storage.tallies.deferred_tallies), not row by row by their triggers.
- Into a new SQLite file the pages go straight to the file, with the rollback journal in
  memory, instead of through the write-ahead log (storage.new_file_load): at a million
  leads the log grew to 3 GB and every page read back looked through its index.
- Afterwards the planner's statistics are gathered (planner_stats), so that the first
  query after the load is planned for the tables as they now are.

Everything random comes from one `random.Random(seed)`, and all time from `today`, so a
seed gives the same rows on every run against the same starting database.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from random import Random
from typing import Any

import peewee

from funnel_tui.config import Config
from funnel_tui.demo.clock import SPAN_DAYS
from funnel_tui.demo.people import REPS
from funnel_tui.demo.stories import Generator
from funnel_tui.demo.writing import TABLES, Writer, write
from funnel_tui.rules.engagement import ENGAGEMENT_META_KEY, engagement_fingerprint
from funnel_tui.rules.scoring import SCORE_META_KEY, score_fingerprint
from funnel_tui.storage.database import utcnow
from funnel_tui.storage.list_index import bulk_writes, deferred_indexes, deferred_search_index
from funnel_tui.storage.models import Company, Lead, Opportunity, User
from funnel_tui.storage.new_file_load import without_wal
from funnel_tui.storage.planner_stats import refresh_statistics
from funnel_tui.storage.schema import get_meta, set_meta
from funnel_tui.storage.tallies import deferred_tallies

BATCH = 5000  # leads generated, written and reported at a time
# From this many leads on SQLite, a forked process makes the rows (_ForkedBatches): fork
# and the pipe cost about 50 ms, which a smaller demo would not win back.
FORK_FROM_LEADS = 20_000
DUPLICATE_EVERY = 1000  # one lead in this many is the same person captured twice
BULK_CACHE_MIB = 256  # SQLite's page cache while the demo writes (see generate_demo)


@dataclass(frozen=True)
class DemoSummary:
    """Rows written by one `generate_demo` run, and how long it took. `users` counts the
    users created; logins that already existed are reused."""

    leads: int
    companies: int
    opportunities: int
    activities: int
    history: int
    stage_changes: int
    users: int
    qualifications: int
    seconds: float


class _ForkedBatches:
    """The demo's rows made by a forked copy of this process, batch after batch, while
    this one writes the batch before: on SQLite the writing (inserts, the search index)
    and the making (Python) each keep a core busy, where in one process they took turns
    at Python's lock. The child starts from this process's generator as it is, so it
    makes exactly the rows this process would have (same seed, same rows); it sends
    each batch through a pipe and, at the end, what it counted.

    Linux and macOS fork; elsewhere (and on PostgreSQL, whose server does the writing
    in a process of its own already) the rows are made in a thread as before."""

    def __init__(
        self, make: Callable[[int], list[list[tuple]]], gen: Generator, leads: int
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._child = context.Process(
            target=_make_batches, args=(make, gen, leads, send), name="funnel-demo-rows"
        )
        self._child.start()
        send.close()

    def next(self) -> list[list[tuple]]:
        return self._message("rows")

    def finish(self) -> dict[str, int]:
        counts = self._message("counts")
        self._child.join()
        return counts

    def _message(self, kind: str) -> Any:
        try:
            what, payload = self._receive.recv()
        except EOFError:
            raise RuntimeError("the demo's row maker stopped without a word") from None
        if what == "error":
            raise RuntimeError(f"the demo's row maker failed: {payload}")
        assert what == kind, (what, kind)
        return payload

    def __del__(self) -> None:
        child = getattr(self, "_child", None)
        if child is not None and child.is_alive():  # the parent gave up (an error)
            child.terminate()


def _make_batches(
    make: Callable[[int], list[list[tuple]]], gen: Generator, leads: int, send
) -> None:
    """In the forked child: every batch, then what the generator counted in all."""
    try:
        for start in range(0, leads, BATCH):
            send.send(("rows", make(start)))
        send.send(("counts", dict(gen.counts)))
    except BaseException as exc:  # said to the parent, which raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector: the demo builds a million small tuples and no
    cycles, and the collector's repeated scans of them cost a few per cent of the run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _note_score_config(config: Config, had_leads: bool) -> None:
    """Record under which scoring config the demo's scores were computed, so opening
    the database with that config does not rescore 100,000 leads; when other leads may
    have been scored otherwise, forget the fingerprint instead, so the next open
    rescores them all alike (funnel.sync_scores)."""
    wanted = score_fingerprint(config)
    stored = get_meta(SCORE_META_KEY)
    if stored == wanted:
        return
    set_meta(SCORE_META_KEY, wanted if stored is None and not had_leads else None)


def _note_engagement_config(config: Config, had_leads: bool) -> None:
    """As _note_score_config, for the engagement keys (funnel.sync_engagement)."""
    wanted = engagement_fingerprint(config)
    stored = get_meta(ENGAGEMENT_META_KEY)
    if stored == wanted:
        return
    set_meta(ENGAGEMENT_META_KEY, wanted if stored is None and not had_leads else None)


def _ensure_users(logins: list[tuple[str, str]], created: str) -> tuple[dict[str, int], int]:
    """Ids of the logins, creating the missing users; and how many were created."""
    found = {u.login: u.id for u in User.select().where(User.login.in_([x for x, _ in logins]))}
    added = 0
    for login, display in logins:
        if login not in found:
            found[login] = User.insert(
                login=login, display_name=display, created_at=created
            ).execute()
            added += 1
    return found, added


def _taken(db: peewee.Database) -> dict[str, set[str]]:
    """Emails, phone numbers and company names already in the database."""
    out = {}
    for model, column in ((Lead, "email_norm"), (Lead, "phone_e164"), (Company, "name_key")):
        table = db.quote[0] + model._meta.table_name + db.quote[1]
        cursor = db.execute_sql(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")
        out["company" if model is Company else column] = {row[0].casefold() for row in cursor}
    return out


def generate_demo(
    db: peewee.Database,
    config: Config,
    *,
    leads: int,
    seed: int = 1,
    user: str = "demo",
    progress: Callable[[int, int], None] | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Fill the open database with `leads` demo leads and everything around them.

    Writes, in one transaction, leads from many regions (names and companies in their own
    scripts, valid mobile numbers, emails from the romanised names) in every status and
    level; checklist answers; opportunities in every stage of `config.stages` with their
    stage changes; activities over the nine months before `today` with next actions
    overdue, due today and ahead; and the history rows the rules layer would have
    written. The records are owned by five reps (anna, ben, carla, dawid, mei) and `user`,
    created when missing.

    Existing rows are kept: new ids continue after the largest ones, and emails and phone
    numbers already stored are not reused. One lead in `DUPLICATE_EVERY` is deliberately
    the same person as a lead shortly before it (same name, email and phone), saved as a
    duplicate with a `duplicate_saved` history row, as capture does when told to.

    The same `seed` and `today` on the same starting database give the same rows.
    `progress(done, total)` is called after every few thousand leads; an exception raised
    from it abandons the run, and nothing is written.
    """
    started = time.perf_counter()
    if leads < 0:
        raise ValueError("leads must be zero or more")
    today = today or utcnow().date()
    rng = Random(seed)
    writer = Writer(db)
    # A page cache big enough for the tables, indexes and search index being built to
    # stay in memory rather than be spilled to the write-ahead log and read back: for
    # the 100,000-lead demo (258 MB) 875 MB written instead of 1,224 MB with SQLite's
    # default 2 MB, and 2.3 s less CPU. SQLite only; back to its size afterwards.
    # A new file is loaded without the write-ahead log (storage.new_file_load), and
    # the planner's statistics are gathered before it is back.
    new_file = without_wal(db) if not writer.max_id(Lead) else nullcontext(False)
    with new_file, bulk_writes(db, cache_mib=BULK_CACHE_MIB), _gc_paused():
        summary = _load(db, config, writer, leads, rng, today, user, progress, started)
    return summary


def _load(
    db: peewee.Database,
    config: Config,
    writer: Writer,
    leads: int,
    rng: Random,
    today: dt.date,
    user: str,
    progress: Callable[[int, int], None] | None,
    started: float,
) -> DemoSummary:
    """generate_demo's load, in one transaction, then the statistics."""
    base = today - dt.timedelta(days=SPAN_DAYS)
    tables = [model._meta.table_name for model, _ in TABLES]
    logins = [(login, display) for login, display, _ in REPS]
    if user not in {x for x, _ in logins}:
        logins.append((user, user))
    with db.atomic():
        writer.lock()
        users, users_added = _ensure_users(logins, f"{base.isoformat()} 00:00:00")
        gen = Generator(config, rng, today, users, user, _taken(db))
        gen.people.next_company = writer.max_id(Company)
        gen.next_lead = writer.max_id(Lead)
        gen.deals.next_opp = writer.max_id(Opportunity)
        had_leads = gen.next_lead > 0
        # Creation moments, oldest first so ids follow time; more leads recently.
        moments = sorted(rng.random() ** 0.7 for _ in range(leads))
        bulk = (
            deferred_indexes(db, tables)
            if leads > gen.next_lead  # more new rows than old: rebuilding is cheaper
            else nullcontext()
        )
        # The tallies are counted after the indexes are back (their count looks up
        # each lead's deals by lead).
        with (
            deferred_tallies(db),
            deferred_search_index(db) as search,
            bulk,
            ThreadPoolExecutor(1) as helper,
        ):

            def make(start: int) -> list[list[tuple]]:
                for done, x0 in enumerate(moments[start : start + BATCH], start + 1):
                    gen.lead(x0, done % DUPLICATE_EVERY == 0)
                return gen.take_rows()

            # The next batch is made in the helper thread while the database works on
            # this one without holding Python's lock, so the two overlap (only this
            # thread uses the database). On PostgreSQL that is during the COPYs, which
            # the server carries out while this thread waits. On SQLite the inserts run
            # in this process and take the lock back after every statement (with a
            # thread making rows meanwhile, each would wait up to 5 ms for it), but its
            # filling of the search index is one long statement that lets go of it.
            if not writer.postgres and leads >= FORK_FROM_LEADS and _can_fork():
                batches = _ForkedBatches(make, gen, leads)
            else:
                batches = None
            rows = batches.next() if batches else make(0)
            for start in range(0, leads, BATCH):
                done = min(start + BATCH, leads)
                following = None
                if batches is None and writer.postgres and done < leads:
                    following = helper.submit(make, done)
                write(writer, rows)
                if progress:
                    progress(done, leads)
                if batches is None and following is None and done < leads:
                    following = helper.submit(make, done)
                search.fill()
                if batches is not None:
                    rows = batches.next() if done < leads else []
                else:
                    rows = following.result() if following else []
            if batches is not None:
                gen.counts.update(batches.finish())
        writer.fix_sequences()
        _note_score_config(config, had_leads)
        _note_engagement_config(config, had_leads)
    if gen.counts["leads"]:
        # The planner's statistics, for the first query after the load to be planned
        # for the tables as they now are (a report: 18.7 s without, 0.9 s with).
        refresh_statistics(db, [*tables, User._meta.table_name])
    c = gen.counts
    return DemoSummary(
        leads=c["leads"],
        companies=c["companies"],
        opportunities=c["opportunities"],
        activities=c["activities"],
        history=c["history"],
        stage_changes=c["stage_changes"],
        users=users_added,
        qualifications=c["qualifications"],
        seconds=time.perf_counter() - started,
    )
