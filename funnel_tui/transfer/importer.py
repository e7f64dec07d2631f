"""The import: each row of a file becomes a lead through the same checks as capture.

A run reads the file once, streamed. Each row is checked (the capture validators, then
the rows before it in the file), with no lock held; rows that pass are written in
batches, each batch one transaction that is all in or all out. A run killed at any
moment leaves whole batches behind, and running it again skips the rows already in as
duplicates: nothing is imported twice.

Every row read ends in exactly one count (inserted, updated, unchanged, duplicate,
refused), so the report adds up to the rows read. A refused row goes to the reject
file: its row number, the field, the reason and the row as it was, ready to be fixed
and imported again.

`--strict` first checks the whole file writing nothing; only a file with no refusal is
then imported, in one transaction.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee

from funnel_tui.config import Config
from funnel_tui.core.errors import DatabaseError, FileRefused, Refused, ScratchFull
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _, ngettext, pgettext
from funnel_tui.core.labels import field_label, row_label
from funnel_tui.core.output import csv_cell
from funnel_tui.core.safe_files import NewFile
from funnel_tui.core.vocab import LEAD_FIELDS
from funnel_tui.rules.bulk_leads import NewLead
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_words import many
from funnel_tui.rules.near_duplicates import close_names_many
from funnel_tui.rules.team_lists import add_values, with_team_lists, with_values
from funnel_tui.storage.database import failure_words, refuse_if_read_only, retry_writes
from funnel_tui.storage.list_index import bulk_writes, deferred_search_index
from funnel_tui.storage.models import Company, History, Lead, User, database
from funnel_tui.storage.planner_stats import refresh_statistics
from funnel_tui.transfer.checking import (
    CHILD_FROM_BYTES,
    DUPLICATE,
    REFUSED,
    CheckedRow,
    Chunk,
    RowOutcome,
    check_rows,
    check_rows_in_child,
    problems_said,
)
from funnel_tui.transfer.columns import header_key
from funnel_tui.transfer.plan import ImportOptions, ImportPlan
from funnel_tui.transfer.same_person import names_agree
from funnel_tui.transfer.values import LIST_OF, Lists, ValueMap, fold

INSERTED = "inserted"
UPDATED = "updated"
UNCHANGED = "unchanged"
OUTCOMES = (INSERTED, UPDATED, UNCHANGED, DUPLICATE, REFUSED)

EXAMPLES_KEPT = 200  # refusals and duplicates the report lists; all are in the reject file
REJECT_COLUMNS = ("import row", "refused field", "refusal reason")


@dataclass(frozen=True)
class Progress:
    phase: str  # "checking" (strict's pass that writes nothing), "importing", "dry run"
    rows: int
    done_bytes: int
    total_bytes: int
    seconds: float

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_bytes / self.total_bytes) if self.total_bytes else 1.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        if self.seconds < 0.5 or not self.done_bytes:
            return None
        return self.seconds * (self.total_bytes - self.done_bytes) / self.done_bytes


@dataclass
class ImportReport:
    file: str
    kind: str
    encoding: str
    update: bool
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rows_read: int = 0
    examples: list[RowOutcome] = field(default_factory=list)  # refused and duplicates
    rejects: Path | None = None  # the reject file, when a row was refused
    rejects_note: str = ""  # where the refused rows went, said for the user
    rejects_asked: Path | None = None  # the name asked for: taken, when not `rejects`
    rejects_problem: str = ""  # why they could not be written to a reject file
    seconds: float = 0.0
    aborted: str = ""  # why the run stopped before the end of the file
    written: bool = False  # whether any batch was written
    # (field, value) not on its list → rows: refused (source, country), or given to the
    # importing user (owner).
    off_list: Counter = field(default_factory=Counter)
    possible: list[RowOutcome] = field(default_factory=list)  # same phone, another name
    possible_count: int = 0
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)  # to the team's lists
    left_out: list[str] = field(default_factory=list)  # headers of filled columns not imported
    left_out_numbers: set[int] = field(default_factory=set)  # their numbers, while reading

    def adds_up(self) -> bool:
        return sum(self.counts.values()) == self.rows_read

    def count(self, outcome: RowOutcome) -> None:
        self.rows_read += 1
        self.counts[outcome.outcome] += 1
        if outcome.outcome in (REFUSED, DUPLICATE) and len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(outcome)
        if outcome.outcome == INSERTED and outcome.reason:
            self.possible_count += 1
            if len(self.possible) < EXAMPLES_KEPT:
                self.possible.append(outcome)
        for pair in outcome.off_list:
            self.off_list[pair] += 1

    def left_out_note(self) -> str:
        """Which columns had data that no field took, said after the summary."""
        if not self.left_out:
            return ""
        names = ", ".join(repr(h) for h in self.left_out)
        return _("columns not imported, though filled: {names}").format(names=names)

    def summary(self) -> str:
        c = self.counts

        def said(count: int, one: str, more: str) -> str:
            return ngettext(one, more, count).format(count=number(count))

        if self.dry_run:
            parts = [said(c[INSERTED], "{count} would be inserted", "{count} would be inserted")]
        else:
            parts = [said(c[INSERTED], "{count} inserted", "{count} inserted")]
        if self.update:
            if self.dry_run:
                parts.append(
                    said(c[UPDATED], "{count} would be updated", "{count} would be updated")
                )
            else:
                parts.append(said(c[UPDATED], "{count} updated", "{count} updated"))
            parts.append(said(c[UNCHANGED], "{count} unchanged", "{count} unchanged"))
        parts += [
            many(c[DUPLICATE], "duplicate_skipped"),
            said(c[REFUSED], "{count} refused", "{count} refused"),
        ]
        if self.possible_count:
            if self.dry_run:
                possible = ngettext(
                    "{count} possible duplicate (same phone, another name, or a close name "
                    "at the same company: would be inserted, listed below)",
                    "{count} possible duplicates (same phone, another name, or a close name "
                    "at the same company: would be inserted, listed below)",
                    self.possible_count,
                )
            else:
                possible = ngettext(
                    "{count} possible duplicate (same phone, another name, or a close name "
                    "at the same company: inserted, listed below)",
                    "{count} possible duplicates (same phone, another name, or a close name "
                    "at the same company: inserted, listed below)",
                    self.possible_count,
                )
            parts.append(possible.format(count=number(self.possible_count)))
        read = ngettext(
            "{count} row read: {outcomes}", "{count} rows read: {outcomes}", self.rows_read
        )
        return read.format(
            count=number(self.rows_read), outcomes=pgettext("list", ", ").join(parts)
        )

    def off_list_values(self, name: str) -> list[tuple[str, int]]:
        """(value as in the file, rows) of `name` that were not on its list."""
        found: dict[str, list] = {}  # spellings of one value counted together
        for (f, value), n in self.off_list.items():
            if f == name:
                found.setdefault(fold(value), [value, 0])[1] += n
        return sorted(((v, n) for v, n in found.values()), key=lambda p: (-p[1], p[0]))


class _Stopped(Exception):
    """Strict mode met a refusal while writing: the one transaction rolls back."""


def run_import(
    rules: Funnel,
    plan: ImportPlan,
    options: ImportOptions = ImportOptions(),
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    parallel: bool | None = None,
) -> ImportReport:
    """Import the planned file; the report says what happened to every row read.

    `parallel`: check rows in a second process too (checking.check_rows_in_child); by
    default for files of CHILD_FROM_BYTES and more.

    The values `options.values` adds to a list are added to the team's list (in the
    database, team_lists) as the writing starts; a dry run checks the rows as if they
    were, and adds nothing."""
    if not options.dry_run:
        refuse_if_read_only()  # before a row is read: not one refusal per row
    if parallel is None:
        parallel = plan.facts.size >= CHILD_FROM_BYTES
    if "owner" in plan.column_map.fields():
        options = dataclasses.replace(options, values=options.values.with_users(user_names()))
    checks = _checks_with_added(rules, options.values)
    run = functools.partial(
        _Run, rules, plan, options, progress, cancel, parallel=parallel, checks=checks
    )
    if options.strict and not options.dry_run:
        report = run(write=False, phase="checking").run()
        if report.counts[REFUSED] or report.aborted:
            refused = report.counts[REFUSED]
            report.aborted = report.aborted or ngettext(
                "--strict: {count} row refused, so nothing was written; fix them and import again",
                "--strict: {count} rows refused, so nothing was written; fix them and import again",
                refused,
            ).format(count=number(refused))
            return report
        added = _add_to_lists(rules, options.values)
        report = run(write=True, phase="importing").run()
    else:
        phase = "dry run" if options.dry_run else "importing"
        added = {} if options.dry_run else _add_to_lists(rules, options.values)
        report = run(write=not options.dry_run, phase=phase).run()
    report.added = added
    if report.written:
        _refresh_statistics()
    return report


def user_names() -> dict[str, int]:
    """Every user by folded login and display name: what an owner column may name."""
    by_name: dict[str, int] = {}
    for user_id, login, display in User.select(User.id, User.login, User.display_name).tuples():
        by_name.setdefault(fold(login), user_id)
        if display:
            by_name.setdefault(fold(display), user_id)
    return by_name


def import_lists(config: Config) -> Lists:
    """What the values of list-bound columns are checked against: the config's lists
    (with the team's additions) and the users."""
    return Lists.of(config, User.select(User.id, User.login, User.display_name).tuples())


def _checks_with_added(rules: Funnel, values: ValueMap) -> Funnel:
    """The rules that check the rows: `rules` itself, or, when the map adds values to
    a list, rules whose config has them (nothing is stored by this)."""
    config = rules.config
    for name, list_name in LIST_OF.items():
        if values.added(name):
            config = with_values(config, list_name, values.added(name))
    if config is rules.config:
        return rules
    return Funnel(config, rules.login, rules.now)


def _add_to_lists(rules: Funnel, values: ValueMap) -> dict[str, tuple[str, ...]]:
    """Add the map's new values to the team's lists; the values added by list field."""
    added = {}
    for name, list_name in LIST_OF.items():
        new = add_values(list_name, list(values.added(name)), rules.login, rules.now())
        if new:
            added[name] = tuple(new)
    if added:
        rules.config = with_team_lists(rules.config)
    return added


def _refresh_statistics() -> None:
    """The planner's statistics of the tables an import writes, gathered once its rows
    are committed: the first report after a large import is as quick as the next."""
    # Statistics only speed reports up: the import stands whatever happens here.
    with contextlib.suppress(DatabaseError, peewee.PeeweeException):
        refresh_statistics(database.obj, [m._meta.table_name for m in (Lead, Company, History)])


class _Run:
    def __init__(
        self,
        rules: Funnel,
        plan: ImportPlan,
        options: ImportOptions,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event | None,
        *,
        parallel: bool,
        write: bool,
        phase: str,
        checks: Funnel | None = None,
    ):
        self.rules, self.plan, self.options = rules, plan, options
        self.checks = checks or rules
        self.on_progress, self.cancel = progress, cancel
        self.parallel, self.write, self.phase = parallel, write, phase
        self.one_transaction = write and options.strict
        self.report = ImportReport(
            file=plan.facts.path.name,
            kind=plan.kind_label,
            encoding=plan.facts.encoding.label,
            update=options.update,
            dry_run=options.dry_run,
        )
        self.origin = plan.facts.path.name
        self.rows_seen = self.position = 0
        self.last_row = 0  # the number of the last row handed on to be placed or counted
        self.started = 0.0
        self.turn = 0  # the next of options.assign_to to give a lead to

    def run(self) -> ImportReport:
        self.started = time.perf_counter()
        if self.write:
            self.rules.user_id  # noqa: B018 - made and cached outside any batch
        if self.parallel:
            chunks = check_rows_in_child(
                self.plan, self.options, self.checks.config, self.checks.check_lead
            )
        else:
            chunks = check_rows(self.plan, self.options, self.checks.check_lead)
        keep = not self.options.dry_run
        with _Rejects(self.plan, self.options, keep) as rejects, bulk_writes(database.obj):
            self.rejects = rejects
            try:
                if self.one_transaction:
                    with database.atomic():
                        self._read(chunks)
                else:
                    self._read(chunks)
            except _Stopped as exc:
                self.report.aborted = str(exc)
                self.report.written = False
                self.report.counts = dict.fromkeys(OUTCOMES, 0)
                self.report.rows_read = 0
            finally:
                chunks.close()
        headers = {c.number: c.header for c in self.plan.column_map.columns}
        self.report.left_out = [headers[n] for n in sorted(self.report.left_out_numbers)]
        self.report.rejects = rejects.path
        self.report.rejects_note = rejects.where()
        self.report.rejects_asked = rejects.wanted
        self.report.rejects_problem = rejects.problem
        self.report.seconds = time.perf_counter() - self.started
        self.position = self.plan.facts.size
        self._tell()
        return self.report

    def _read(self, chunks: Iterator[Chunk]) -> None:
        batch: list[CheckedRow] = []
        try:
            self._read_into(chunks, batch)
        except ScratchFull as exc:
            # The rows compared so far are whole: the batch in hand goes in, as when the
            # run is stopped, and the next run skips them as duplicates.
            if self.one_transaction:
                raise _Stopped(
                    _("--strict: {reason}; nothing was written").format(reason=exc)
                ) from exc
            placed = self._write(batch)
            if not self.report.written:  # a dry run, or nothing new before
                self.report.aborted = _("{reason}; nothing was written").format(reason=exc)
            elif placed:
                self.report.aborted = _(
                    "{reason}; the rows up to row {row} are in, and importing the file "
                    "again adds the rest (the rows already in are skipped as duplicates)"
                ).format(reason=exc, row=number(self.last_row))

    def _read_into(self, chunks: Iterator[Chunk], batch: list[CheckedRow]) -> None:
        last_told = 0.0
        for results, self.rows_seen, self.position, filled in chunks:
            self.report.left_out_numbers |= filled
            if results:  # in file order: the chunk's last row is the last handed on
                last = results[-1]
                self.last_row = last.number if isinstance(last, CheckedRow) else last.row
            for result in results:
                if isinstance(result, CheckedRow):
                    batch.append(result)
                    if len(batch) >= self.options.batch_rows:
                        if not self._write(batch):
                            return
                        batch.clear()
                elif result.outcome == REFUSED:
                    self._refuse(result)
                else:
                    self.report.count(result)
            now = time.perf_counter()
            if now - last_told > 0.1:
                last_told = now
                self._tell()
            if self.cancel is not None and self.cancel.is_set():
                if self.one_transaction:
                    raise _Stopped(_("stopped: with --strict, nothing was written"))
                if self._write(batch):
                    self.report.aborted = _(
                        "stopped after row {row}; import the file again to add the rest "
                        "(the rows already in are skipped as duplicates)"
                    ).format(row=number(self.last_row))
                return
        self._write(batch)

    def _tell(self) -> None:
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    self.phase,
                    self.rows_seen,
                    self.position,
                    self.plan.facts.size,
                    time.perf_counter() - self.started,
                )
            )

    def _refuse(self, outcome: RowOutcome) -> None:
        if self.one_transaction:
            raise _Stopped(
                _("--strict: row {row} was refused ({reason}), so nothing was written").format(
                    row=outcome.row, reason=outcome.reason
                )
            )
        self.rejects.add(outcome)
        self.report.count(outcome)

    # ------------------------------------------------------------------ writes

    def _write(self, batch: list[CheckedRow]) -> bool:
        """Place a batch: True when done, False when the database refused it (the run
        ends, the report saying why; the batches before it stay in)."""
        if not batch:
            return True
        try:
            outcomes = self._place_batch(batch)
        except (DatabaseError, peewee.PeeweeException) as exc:
            # In a person's words (a full disk names its disk), passwords hidden.
            why = failure_words(exc)
            if self.one_transaction:
                raise _Stopped(
                    _(
                        "--strict: the database refused a batch ({reason}), so nothing was written"
                    ).format(reason=why)
                ) from exc
            self.report.aborted = _(
                "the database refused a batch ({reason}); the rows before row {row} are in, "
                "that batch is not; import the file again to add the rest"
            ).format(reason=why, row=number(batch[0].number))
            return False
        for outcome in outcomes:
            if outcome.outcome == REFUSED:
                self._refuse(outcome)
            else:
                self.report.count(outcome)
        if self.write and any(o.outcome in (INSERTED, UPDATED) for o in outcomes):
            self.report.written = True
        return True

    @retry_writes
    def _place_batch(self, batch: list[CheckedRow]) -> list[RowOutcome]:
        if not self.write:
            return self._place_all(batch)
        with database.atomic(), deferred_search_index(database.obj):
            return self._place_all(batch)

    def _place_all(self, batch: list[CheckedRow]) -> list[RowOutcome]:
        """Each row's outcome, found with one lookup of the batch's duplicates and
        companies rather than one a row (the rows before it in the file were judged
        already: they cannot match each other here); the new leads inserted together."""
        # The phone is looked up apart (phone_holders): it makes a duplicate only
        # together with the name.
        keys = [
            (p.clean.get("email_norm"), None, p.clean["name_key"], p.company_key) for p in batch
        ]
        companies = self.rules.companies_by_key(p.company_key for p in batch if p.company_key)
        found = self.rules.find_duplicates_many(keys, companies)
        holders = phone_holders({p.clean["phone_e164"] for p in batch if p.clean.get("phone_e164")})
        # A close spelling of a name at the same company (a typo, the accents dropped)
        # is a possible duplicate too: imported, and listed.
        close = close_names_many([(p.clean["name_key"], p.company_key) for p in batch])
        outcomes, new = [], []
        for p, matches, near in zip(batch, found, close, strict=True):
            possible = p.possible or (near[0].message if near else "")
            phone = p.clean.get("phone_e164")
            if phone in holders:
                same = [h for h in holders[phone] if names_agree(h[1], p.clean["name"])]
                if same:
                    # In find_duplicates' order: email, then phone, then name; one
                    # entry a lead.
                    lead_id = same[0][0]
                    if not any(m[0] == lead_id and m[2] == "email" for m in matches):
                        rest = [m for m in matches if m[0] != lead_id]
                        at = 1 if rest and rest[0][2] == "email" else 0
                        matches = [*rest[:at], (*same[0], "phone"), *rest[at:]]
                elif not possible:
                    lead_id, name = holders[phone][0]
                    possible = f"same phone as lead #{lead_id} {name}"
            outcome = self._place(p, matches)
            if outcome.outcome == INSERTED and possible:
                outcome = RowOutcome(p.number, INSERTED, "phone", possible)
            if p.off_list:
                outcome = dataclasses.replace(outcome, off_list=p.off_list)
            outcomes.append(outcome)
            if outcome.outcome == INSERTED:
                origin = {"imported_from": self.origin, "row": p.number}
                if possible:
                    origin["possible_duplicate"] = possible
                owner = p.owner
                if owner is None and self.options.assign_to:
                    owner = self.options.assign_to[self.turn % len(self.options.assign_to)]
                    self.turn += 1
                new.append(NewLead(p.clean, p.company_name, p.company_key, origin, owner))
        if self.write and new:
            self.rules.insert_leads(new, action="import", companies=companies)
        return outcomes

    def _place(self, p: CheckedRow, matches: list[tuple[int, str, str]]) -> RowOutcome:
        if self.options.update:
            by_contact = {}
            for lead_id, name, why in matches:
                if why in ("email", "phone"):
                    by_contact.setdefault(lead_id, (name, why))
            if len(by_contact) > 1:
                listed = ", ".join(
                    f"#{i} {n} ({field_label(w)})" for i, (n, w) in by_contact.items()
                )
                several = _("matches several leads: {leads}").format(leads=listed)
                return RowOutcome(p.number, REFUSED, "email, phone", several, p.cells)
            if by_contact:
                return self._update(p, next(iter(by_contact)))
        if matches:
            lead_id, name, why = matches[0]
            matched = _("matches lead #{id} {name} ({field})").format(
                id=lead_id, name=name, field=field_label(why)
            )
            return RowOutcome(p.number, DUPLICATE, why, matched)
        return RowOutcome(p.number, INSERTED)

    def _update(self, p: CheckedRow, lead_id: int) -> RowOutcome:
        lead = Lead.get_by_id(lead_id)
        changes = {
            name: p.values[name]
            for name in LEAD_FIELDS
            if p.values.get(name)
            and _differs(name, p, lead)
            and (self.options.overwrite or not _stored(name, lead))
        }
        if not changes:
            has_it = _("lead #{id} already has it").format(id=lead_id)
            return RowOutcome(p.number, UNCHANGED, "", has_it)
        if "phone" in changes and p.clean.get("phone_e164"):
            # As checked, in the row's country: the lead's own may be another.
            changes["phone"] = p.clean["phone_e164"]
        if self.write:
            try:
                self.rules.update_lead(lead_id, changes)
            except Refused as exc:
                fields = ", ".join(dict.fromkeys(x.field for x in exc.problems))
                updating = _("updating lead #{id}: {reason}").format(
                    id=lead_id, reason=problems_said(exc.problems)
                )
                return RowOutcome(p.number, REFUSED, fields, updating, p.cells)
        listed = ", ".join(changes)
        shown = ", ".join(field_label(name) for name in changes)
        updated = _("lead #{id}: {fields}").format(id=lead_id, fields=shown)
        return RowOutcome(p.number, UPDATED, listed, updated)


def phone_holders(phones: set[str]) -> dict[str, list[tuple[int, str]]]:
    """The leads with each of `phones`: (id, name) by phone, oldest first; a few a
    phone (a switchboard's number may be every lead of a company's)."""
    found: dict[str, list[tuple[int, str]]] = {}
    param = database.obj.param
    ordered = sorted(phones)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ", ".join([param] * len(chunk))
        sql = (
            'SELECT "phone_e164", "id", "name" FROM "lead" '
            f'WHERE "phone_e164" IN ({marks}) AND "merged_into_id" IS NULL ORDER BY "id"'
        )
        for phone, lead_id, name in database.execute_sql(sql, chunk):
            holders = found.setdefault(phone, [])
            if len(holders) < 50:
                holders.append((lead_id, name))
    return found


def _stored(name: str, lead: Lead) -> str:
    """What a lead has in a field, as text ("" for nothing)."""
    column = {"phone": "phone_raw", "email": "email_raw", "company": "company_key"}.get(name, name)
    return getattr(lead, column) or ""


def _differs(name: str, p: CheckedRow, lead: Lead) -> bool:
    """Whether the row's value for a field is other than the lead's, as stored."""
    if name == "phone":
        return p.clean.get("phone_e164") != lead.phone_e164
    if name == "email":
        return p.clean.get("email_key") != lead.email_key
    if name == "company":
        return p.company_key != lead.company_key
    return p.clean.get(name, "") != (getattr(lead, name) or "")


class _Rejects:
    """The reject file. Refused rows are written, from the first one, into a new file
    beside where it goes (safe_files.NewFile); at the end that file takes the first
    free name of NAME-rejected.csv, NAME-rejected-2.csv, … (or of --rejects). So an
    import with no refusal, and a dry run, make no file at all; nothing is written
    through a link; and a reject file already there is never replaced or deleted (a
    person may be fixing it)."""

    def __init__(self, plan: ImportPlan, options: ImportOptions, keep: bool):
        facts = plan.facts
        self.wanted = options.rejects or facts.path.with_name(f"{facts.path.stem}-rejected.csv")
        # A reject file imported again: its own reason columns are replaced, not nested.
        self.skip = reject_columns_in(plan.header)
        self.header = plan.header[self.skip :]
        self.source = facts.path
        self.keep = keep  # False for a dry run: no reject file
        self.path: Path | None = None  # where the refused rows went, once placed
        self.problem = ""  # why they could not be written, if so
        self._new: NewFile | None = None
        self._writer: Any = None

    def __enter__(self) -> _Rejects:
        if self.wanted.resolve() == self.source.resolve():
            raise FileRefused(
                _(
                    "rejects: {path} is the file being imported; choose another with --rejects"
                ).format(path=self.wanted)
            )
        folder = self.wanted.parent
        # Said before anything is imported, not after.
        if self.keep and not folder.is_dir():
            raise FileRefused(
                _(
                    "rejects: there is no folder {folder}; choose another file with --rejects"
                ).format(folder=folder)
            )
        if self.keep and not os.access(folder, os.W_OK | os.X_OK):
            raise FileRefused(
                _(
                    "rejects: cannot write in {folder} (no permission); choose another file "
                    "with --rejects"
                ).format(folder=folder)
            )
        return self

    def add(self, outcome: RowOutcome) -> None:
        if not self.keep or self.problem:
            return
        try:
            if self._new is None:
                # UTF-8 with a BOM: the file is to be fixed in a spreadsheet, and Excel
                # reads UTF-8 without one as the system's legacy code page.
                self._new = NewFile(self.wanted, encoding="utf-8-sig", newline="")
                self._writer = csv.writer(self._new.file)
                self._writer.writerow([*REJECT_COLUMNS, *self.header])
            self._writer.writerow(
                [
                    outcome.row,
                    outcome.field,
                    csv_cell(outcome.reason),
                    *(csv_cell(c) for c in outcome.cells[self.skip :]),
                ]
            )
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        self.problem = _(
            "rejects: the refused rows could not be written beside {path} ({reason})"
        ).format(path=self.wanted, reason=exc.strerror or exc)
        if self._new is not None:
            self._new.discard()
            self._new = None

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._new is None:
            return
        if exc_type is not None:  # the run failed: its report is not shown either
            self._new.discard()
            return
        try:
            self.path = self._new.place_new()
        except OSError as exc:
            self._failed(exc)

    def where(self) -> str:
        """Where the refused rows went, and why not to the name asked for."""
        if self.path is None:
            return ""
        if self.path != self.wanted:
            return _("{path} ({name} was there already and is kept as it is)").format(
                path=self.path, name=self.wanted.name
            )
        return str(self.path)


def reject_columns_in(header: list[str]) -> int:
    """How many of a header's first columns are a reject file's reasons (0 or 3)."""
    keys = [header_key(h) for h in header[: len(REJECT_COLUMNS)]]
    return len(REJECT_COLUMNS) if keys == [header_key(c) for c in REJECT_COLUMNS] else 0


def iter_outcomes(report: ImportReport) -> Iterator[str]:
    """The report's examples as lines for a terminal."""
    for o in report.examples:
        said = _("refused: {reason}") if o.outcome == REFUSED else _("duplicate: {reason}")
        yield _("{row}: {outcome}").format(
            row=row_label(o.row), outcome=said.format(reason=o.reason)
        )


def format_eta(seconds: float | None) -> str:
    """Time left as the progress line shows it: "ETA 1:05", "" until it is known."""
    if seconds is None:
        return ""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    left = f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
    return _("ETA {time}").format(time=left)
