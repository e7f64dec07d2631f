"""The first stage of an import: every row of the file read, mapped and checked, with
no database. A row comes out refused (the capture validators said why), a duplicate of
an earlier row of the file, or checked and ready to be placed in the database.

Checking is most of an import's work (phonenumbers and email-validator), and it needs
nothing but the file and the config, so a large file is checked in a second process
while this one writes the batches before, and checks some chunks itself whenever it
would otherwise wait: on two cores the import runs at about the pace of both halves of
the work shared between them rather than added up.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from funnel_tui.config import Config
from funnel_tui.core import validators as v
from funnel_tui.core.errors import FileRefused, Problem, Refused, ScratchFull
from funnel_tui.core.i18n import _, current_language, current_locale, set_language
from funnel_tui.core.labels import field_label
from funnel_tui.rules.funnel import Funnel
from funnel_tui.transfer.columns import RowReader
from funnel_tui.transfer.csvfile import RawRow
from funnel_tui.transfer.plan import ImportOptions, ImportPlan
from funnel_tui.transfer.same_person import name_words, names_agree
from funnel_tui.transfer.scratch import no_room_for_scratch, private_file, scratch_folder
from funnel_tui.transfer.values import OFF_LIST_CODES, ValueApplier

REFUSED = "refused"
DUPLICATE = "duplicate"
CHUNK_ROWS = 250
# The earlier rows of one phone a row's name is compared with (same_person): a
# switchboard number on every row of a large file costs no more than this a row.
PHONE_ROWS_COMPARED = 50
# Files smaller than this are checked in this process: starting another costs more
# (about half a second) than it saves.
CHILD_FROM_BYTES = 2 * 1024 * 1024
READ_AHEAD = 8  # chunks checked ahead of the writing: memory stays flat


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became of a row: see importer.OUTCOMES. `cells`: the row as read, kept for
    the reject file when the row is refused."""

    row: int
    outcome: str
    field: str = ""
    reason: str = ""
    cells: tuple[str, ...] = ()
    # (field, value as in the file) of list-bound values that are not on their list:
    # for the summary's count of them, and the --map-value that would take them.
    off_list: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class CheckedRow:
    """A row that passed the checks: the columns to store, for the database to place.
    `cells` and `values` are kept for an update only (see _check)."""

    number: int
    cells: tuple[str, ...]  # as read, for the reject file should the update be refused
    values: dict[str, str]  # the lead fields as read, for updates
    clean: dict[str, Any]  # Funnel.check_lead's columns, company_name taken out
    company_name: str
    company_key: str
    owner: int | None = None  # the user it goes to; None: the importing user
    off_list: tuple[tuple[str, str], ...] = ()  # an owner that is no user here
    # Another row or lead with this phone but another name: imported, and said.
    possible: str = ""

    def duplicate_keys(self) -> list[tuple[str, str]]:
        """What makes two rows the same person: the email, the name at the company, and
        the phone only together with the name. One number is often shared by people
        (a switchboard, a household): the same phone under another name is a possible
        duplicate, not a duplicate. The name here is compared as its words (case,
        accents and order aside); SeenKeys.judge finds the looser agreements
        (initials)."""
        keys = []
        if self.clean.get("email_key"):
            keys.append(("email", self.clean["email_key"]))
        if self.clean.get("phone_e164"):
            words = " ".join(sorted(name_words(self.clean.get("name", ""))))
            keys.append(("phone", f"{self.clean['phone_e164']}\x1f{words}"))
        if self.company_key:
            keys.append(("name", f"{self.clean['name_key']}\x1f{self.company_key}"))
        return keys


# A chunk: the rows' results in file order, the rows read so far, the bytes read so far,
# the numbers of the columns not imported that its rows fill (for the report).
Chunk = tuple[list[CheckedRow | RowOutcome], int, int, frozenset[int]]


def check_rows(
    plan: ImportPlan,
    options: ImportOptions,
    check_lead: Callable[[dict[str, str]], dict[str, Any]],
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """Every row of the planned file, checked and compared with the rows before it, in
    chunks."""
    reader = plan.column_map.reader()
    with SeenKeys() as seen:
        for rows, rows_seen, position, filled in _read_chunks(plan, chunk_rows):
            checked = _check_chunk(rows, reader, options, check_lead)
            yield seen.judge(checked), rows_seen, position, filled


def _read_chunks(
    plan: ImportPlan, chunk_rows: int
) -> Iterator[tuple[list[RawRow], int, int, frozenset[int]]]:
    """The file's rows as read, in chunks: (rows, rows read so far, bytes read so far,
    columns left out that the rows fill); the last chunk may be empty."""
    rows = plan.open_rows()
    left_out = plan.column_map.reader().filled_left_out
    chunk: list[RawRow] = []
    filled: set[int] = set()
    found: set[int] = set()  # in the chunks before: not looked for again
    seen_rows = 0
    for raw in rows:
        seen_rows += 1
        chunk.append(raw)
        if not raw.problems:
            filled |= left_out(raw.cells, found)
        if len(chunk) >= chunk_rows:
            found |= filled
            yield chunk, seen_rows, rows.position, frozenset(filled)
            chunk, filled = [], set()
    yield chunk, seen_rows, plan.facts.size, frozenset(filled)


def _check_chunk(
    rows: list[RawRow],
    reader: RowReader,
    options: ImportOptions,
    check_lead: Callable[[dict[str, str]], dict[str, Any]],
) -> list[CheckedRow | RowOutcome]:
    """Each row checked on its own: not yet compared with the others."""
    checked: list[CheckedRow | RowOutcome] = []
    applier = options.values.applier()
    for raw in rows:
        cells = tuple(raw.cells)
        if raw.problems:
            checked.append(RowOutcome(raw.number, REFUSED, "row", "; ".join(raw.problems), cells))
        else:
            values = reader.values(raw.cells)
            checked.append(_check(raw.number, cells, values, options, check_lead, applier))
    return checked


def problems_said(problems: Iterable[Problem]) -> str:
    """A row's refusals in one line, each with its field as the rep reads it
    ("phone: …", "Telefon: …"); the row is named where the line is shown."""
    return _("; ").join(
        _("{field}: {message}").format(field=field_label(p.field), message=p.message)
        for p in problems
    )


def _same_as_row(what: str, row: int) -> str:
    # Whole sentences per key: the noun's gender and case differ by language.
    sentences = {
        "email": _("same email as row {row} of this file"),
        "phone": _("same phone as row {row} of this file"),
        "name": _("same name as row {row} of this file"),
    }
    return sentences.get(what, _("same {what} as row {row} of this file")).format(
        what=what, row=row
    )


def _check(
    number: int,
    cells: tuple[str, ...],
    values: dict[str, str],
    options: ImportOptions,
    check_lead: Callable[[dict[str, str]], dict[str, Any]],
    applier: ValueApplier,
) -> CheckedRow | RowOutcome:
    read = dict(values)
    owner, no_user = applier.apply(values)
    if options.source and not read.get("source"):
        values["source"] = options.source
    try:
        clean = check_lead(values)
    except Refused as exc:
        fields = ", ".join(dict.fromkeys(p.field for p in exc.problems))
        reason = problems_said(exc.problems)
        off_list = tuple(
            (p.field, read[p.field])
            for p in exc.problems
            if p.code in OFF_LIST_CODES and read.get(p.field)
        )
        return RowOutcome(number, REFUSED, fields, reason, cells, off_list + no_user)
    company = clean.pop("company_name", "")
    if not options.update:  # only an update reads them again: less to hand over
        cells, values = (), {}
    return CheckedRow(
        number,
        cells,
        values,
        clean,
        company,
        v.normalise_key(company) if company else "",
        owner,
        no_user,
    )


class SeenKeys:
    """The keys (email, phone, name at company) of the rows checked so far, in a scratch
    SQLite file rather than memory: a million-row file costs disk, not RAM, and a row
    can be told which earlier row it repeats."""

    def __enter__(self) -> SeenKeys:
        self._scratch = scratch_folder()
        self._folder = self._scratch.__enter__()
        self._db: sqlite3.Connection | None = None
        try:
            with self._room():
                self._open()
        except BaseException:
            self.__exit__()
            raise
        return self

    @contextlib.contextmanager
    def _room(self) -> Iterator[None]:
        """No room left for the scratch file is ScratchFull, naming the folder."""
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            full = no_room_for_scratch(exc, self._folder)
            if full is None:
                raise
            raise full from exc

    def _open(self) -> None:
        path = private_file(self._folder / "seen.db")
        self._db = db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-8000")
        db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, what TEXT, row INTEGER) WITHOUT ROWID")
        # Every row's phone with its name: a phone is the same person's only with a
        # name that agrees (same_person), which no key can say.
        db.execute("CREATE TABLE phones (phone TEXT, row INTEGER, name TEXT)")
        db.execute("CREATE INDEX phones_phone ON phones (phone)")
        db.execute("BEGIN")  # never committed: a scratch file, thrown away

    def judge(self, chunk: list[CheckedRow | RowOutcome]) -> list[CheckedRow | RowOutcome]:
        """The chunk with each checked row that repeats an earlier row of the file made
        a duplicate; the others' keys are kept for the rows after. One lookup a chunk:
        a statement a row would cost more than the rest of the bookkeeping. No room left
        for the scratch file is ScratchFull."""
        with self._room():
            return self._judge(chunk)

    def _judge(self, chunk: list[CheckedRow | RowOutcome]) -> list[CheckedRow | RowOutcome]:
        keyed = [
            (i, [(f"{what}:{key}", what) for what, key in row.duplicate_keys()])
            for i, row in enumerate(chunk)
            if isinstance(row, CheckedRow)
        ]
        # The earliest row that had each key: from the chunks before, then this one's.
        first: dict[str, tuple[int, str]] = {}
        wanted = sorted({key for _row, keys in keyed for key, _what in keys})
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, row, what in self._db.execute(
                f"SELECT key, row, what FROM seen WHERE key IN ({marks})", part
            ):
                first[key] = (row, what)
        phones = self._phones(chunk[i].clean.get("phone_e164") for i, _keys in keyed)  # type: ignore[union-attr]
        judged = list(chunk)
        new: list[tuple[str, str, int]] = []
        new_phones: list[tuple[str, int, str]] = []
        for i, keys in keyed:
            row = chunk[i]
            assert isinstance(row, CheckedRow)
            found = [first[key] for key, _what in keys if key in first]
            phone, name = row.clean.get("phone_e164"), row.clean.get("name", "")
            others = phones.get(phone, []) if phone else []
            same = [n for n, other in others if names_agree(name, other)]
            if same:
                found.append((same[0], "phone"))
            earlier = min(found, default=None)
            if earlier is not None:
                number, what = earlier
                judged[i] = RowOutcome(row.number, DUPLICATE, what, _same_as_row(what, number))
                continue
            if others:
                number, other = others[0]
                row.possible = f"same phone as row {number} of this file ({other})"
            for key, what in keys:
                first[key] = (row.number, what)
                new.append((key, what, row.number))
            if phone and len(phones.setdefault(phone, [])) < PHONE_ROWS_COMPARED:
                phones[phone].append((row.number, name))
                new_phones.append((phone, row.number, name))
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", new)
        self._db.executemany("INSERT INTO phones VALUES (?, ?, ?)", new_phones)
        return judged

    def _phones(self, phones: Iterable[str | None]) -> dict[str, list[tuple[int, str]]]:
        """The earlier rows with each of `phones`: (row, name), in file order."""
        found: dict[str, list[tuple[int, str]]] = {}
        wanted = sorted({p for p in phones if p})
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for phone, row, name in self._db.execute(
                f"SELECT phone, row, name FROM phones WHERE phone IN ({marks}) ORDER BY row",
                part,
            ):
                found.setdefault(phone, []).append((row, name))
        return found

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._scratch.__exit__(None, None, None)


# ------------------------------------------------------------------ in a second process
#
# The second process is a fresh Python running _child_main, not multiprocessing:
# spawning through multiprocessing imports the parent's main script again (a script
# without a __main__ guard would run twice) and leaves a child behind when the parent
# is killed. Here the parent pickles the work to the child's stdin and reads pickled
# chunks from its stdout; a full pipe makes the child wait (memory stays flat), and a
# parent gone makes its next write fail, which ends it.
#
# Which of the two is the slower varies: into an empty database the child (checking)
# is, into a large one the parent (writing). So the work is shared as it goes: when
# the parent finds no checked chunk waiting, it says so with a byte on the child's
# stdin, and the child hands over its next chunk unchecked, for the parent to check.


class _Failed:
    """Sent by the checking process instead of a chunk when it cannot go on."""

    def __init__(self, message: str, refused: bool):
        self.message = message
        self.refused = refused  # the file's fault (FileRefused), not a bug


class _Unchecked(NamedTuple):
    """A chunk's rows as read, handed over for the parent to check."""

    rows: list[RawRow]


def check_rows_in_child(
    plan: ImportPlan,
    options: ImportOptions,
    config: Config,
    check_lead: Callable[[dict[str, str]], dict[str, Any]],
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """check_rows with most of the checking done in a second process, the chunks handed
    over in order as they come. Closing the iterator ends the other process."""
    child = subprocess.Popen(
        child_command(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdin is not None and child.stdout is not None
    reader = plan.column_map.reader()
    # A thread takes the chunks from the pipe as they come (a pipe holds less than
    # one), checks the ones handed over unchecked, compares the rows with the rows
    # before (SeenKeys), and keeps up to READ_AHEAD ready: the child checks on while
    # this process writes a batch.
    chunks: queue.Queue[object] = queue.Queue(maxsize=READ_AHEAD)
    asked = threading.Event()  # for an unchecked chunk, not come yet
    stop = threading.Event()

    def offer(item: object) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def receive() -> None:
        try:
            with SeenKeys() as seen:
                while not stop.is_set():
                    item = _receive(child)
                    if item is not None and not isinstance(item, _Failed):
                        results, rows_seen, position, filled = item  # type: ignore[misc]
                        if isinstance(results, _Unchecked):
                            asked.clear()
                            results = _check_chunk(results.rows, reader, options, check_lead)
                        item = (seen.judge(results), rows_seen, position, filled)
                    offer(item)
                    if item is None or isinstance(item, _Failed):
                        return
        except ScratchFull as exc:  # no room left for the scratch file: said as it is
            offer(exc)
        except (OSError, sqlite3.Error) as exc:
            offer(
                _Failed(_("comparing the rows failed: {reason}").format(reason=exc), refused=False)
            )

    def ask() -> None:
        if not asked.is_set():
            asked.set()
            with contextlib.suppress(OSError):  # the child is done or gone: nothing to share
                child.stdin.write(b"?")
                child.stdin.flush()

    thread = threading.Thread(target=receive, name="funnel-import-read", daemon=True)
    try:
        speech = (current_language(), current_locale())
        pickle.dump((plan, options, config, chunk_rows, speech), child.stdin)
        child.stdin.flush()  # left open: the asking for work goes that way
        thread.start()
        while True:
            try:
                item = chunks.get_nowait()
            except queue.Empty:
                ask()
                item = chunks.get()
            if item is None:
                return
            if isinstance(item, ScratchFull):
                raise item
            if isinstance(item, _Failed):
                if item.refused:
                    raise FileRefused(item.message)
                raise RuntimeError(
                    _("the import's checking process failed: {reason}").format(reason=item.message)
                )
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        if child.poll() is None:
            child.kill()
        child.wait()
        if thread.is_alive():
            thread.join(timeout=5)
        for pipe in (child.stdin, child.stdout):
            with contextlib.suppress(OSError):  # a child gone with bytes unread
                pipe.close()


def _receive(child: subprocess.Popen) -> object:
    """The checking process's next chunk, None at the end of the file, or _Failed."""
    try:
        return pickle.load(child.stdout)
    except EOFError:
        return _Failed(_("it stopped (exit code {code})").format(code=child.wait()), refused=False)
    except (OSError, ValueError, pickle.UnpicklingError) as exc:
        return _Failed(
            _("its output could not be read: {reason}").format(reason=exc), refused=False
        )


def _child_main() -> None:
    if hasattr(os, "nice"):
        # The importing process writes; when it has to wait for this one, it checks
        # rows itself. Should the two compete for a core, it goes first.
        os.nice(5)
    asks, out = sys.stdin.buffer, sys.stdout.buffer
    plan, options, config, chunk_rows, (language, locale) = pickle.load(asks)
    set_language(language, locale)  # its refusals read as the parent's do
    wanted = threading.Semaphore(0)  # chunks the parent asked to check itself

    def listen() -> None:
        while asks.read(1):
            wanted.release()

    threading.Thread(target=listen, daemon=True).start()
    check_lead = Funnel(config, "import").check_lead  # no database is open here
    reader = plan.column_map.reader()
    try:
        for rows, rows_seen, position, filled in _read_chunks(plan, chunk_rows):
            if wanted.acquire(blocking=False):
                results: object = _Unchecked(rows)
            else:
                results = _check_chunk(rows, reader, options, check_lead)
            chunk = (results, rows_seen, position, filled)
            pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
        pickle.dump(None, out)
    except FileRefused as exc:
        pickle.dump(_Failed(str(exc), refused=True), out)
    except Exception:
        import traceback

        pickle.dump(_Failed(traceback.format_exc(limit=5), refused=False), out)
    out.flush()


def child_command() -> list[str]:
    """How the checking process is started: isolated (-I: neither the current folder,
    nor PYTHONPATH, nor the user's site folder is searched), then given this process's
    module path less the current folder, and this very funnel_tui package by its path.
    A `funnel_tui/` planted in the folder an import is run from is never imported."""
    package = Path(__file__).resolve().parents[1]
    here = Path.cwd().resolve()
    paths = [p for p in sys.path if p and os.path.isabs(p) and Path(p).resolve() != here]
    return [sys.executable, "-I", "-c", _CHILD, str(package), json.dumps(paths)]


# Run by module name, not as __main__: the classes it pickles must be this module's.
_CHILD = """
import importlib.util, json, sys
package, sys.path[:] = sys.argv[1], json.loads(sys.argv[2])
spec = importlib.util.spec_from_file_location(
    "funnel_tui", package + "/__init__.py", submodule_search_locations=[package]
)
sys.modules["funnel_tui"] = module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from funnel_tui.transfer.checking import _child_main
try:
    _child_main()
except (BrokenPipeError, KeyboardInterrupt):  # the importing process is gone
    sys.exit(1)
"""
