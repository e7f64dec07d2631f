"""The first stage of an import: every row of the file read, mapped and checked, with
no database. A row comes out refused (the capture validators said why), a duplicate of
an earlier row of the file, or checked and ready to be placed in the database.

Checking is most of an import's work (phonenumbers and email-validator), and it needs
nothing but the file and the config, so a large file is checked in a second process
while this one writes the batches before: on two cores the import then runs at the
pace of the slower of the two rather than of both added up.
"""

from __future__ import annotations

import os
import pickle
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import validators as v
from ..config import Config
from ..funnel import Funnel, Refused
from .textfile import FileRefused

if TYPE_CHECKING:
    from .importer import ImportOptions, ImportPlan

REFUSED = "refused"
DUPLICATE = "duplicate"
CHUNK_ROWS = 250
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


@dataclass(slots=True)
class CheckedRow:
    """A row that passed the checks: the columns to store, for the database to place."""

    number: int
    cells: tuple[str, ...]
    values: dict[str, str]  # the lead fields as read, for updates
    clean: dict[str, Any]  # Funnel.check_lead's columns, company_name taken out
    company_name: str
    company_key: str

    def keys(self) -> list[tuple[str, str]]:
        """What makes two rows the same person, as capture's duplicate check sees it."""
        keys = []
        if self.clean.get("email_norm"):
            keys.append(("email", self.clean["email_norm"]))
        if self.clean.get("phone_e164"):
            keys.append(("phone", self.clean["phone_e164"]))
        if self.company_key:
            keys.append(("name", f"{self.clean['name_key']}\x1f{self.company_key}"))
        return keys


# A chunk: the rows' results in file order, the rows read so far, the bytes read so far.
Chunk = tuple[list[CheckedRow | RowOutcome], int, int]


def check_rows(
    plan: ImportPlan,
    options: ImportOptions,
    check_lead: Callable[[dict[str, str]], dict[str, Any]],
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """Every row of the planned file, checked, in chunks."""
    rows = plan.open_rows()
    reader = plan.column_map.reader()
    chunk: list[CheckedRow | RowOutcome] = []
    seen_rows = 0
    with SeenKeys() as seen:
        for raw in rows:
            seen_rows += 1
            cells = tuple(raw.cells)
            if raw.problems:
                chunk.append(RowOutcome(raw.number, REFUSED, "row", "; ".join(raw.problems), cells))
            else:
                chunk.append(
                    _check(raw.number, cells, reader.values(raw.cells), options, check_lead, seen)
                )
            if len(chunk) >= chunk_rows:
                yield chunk, seen_rows, rows.position
                chunk = []
        yield chunk, seen_rows, plan.facts.size


def _check(
    number: int,
    cells: tuple[str, ...],
    values: dict[str, str],
    options: ImportOptions,
    check_lead: Callable[[dict[str, str]], dict[str, Any]],
    seen: SeenKeys,
) -> CheckedRow | RowOutcome:
    if options.source and not values.get("source"):
        values["source"] = options.source
    try:
        clean = check_lead(values)
    except Refused as exc:
        fields = ", ".join(dict.fromkeys(p.field for p in exc.problems))
        reason = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
        return RowOutcome(number, REFUSED, fields, reason, cells)
    company = clean.pop("company_name", "")
    row = CheckedRow(
        number, cells, values, clean, company, v.normalise_key(company) if company else ""
    )
    keys = row.keys()
    earlier = seen.first(keys)
    if earlier is not None:
        first, what = earlier
        return RowOutcome(number, DUPLICATE, what, f"same {what} as row {first} of this file")
    seen.add(keys, number)
    return row


class SeenKeys:
    """The keys (email, phone, name at company) of the rows checked so far, in a scratch
    SQLite file rather than memory: a million-row file costs disk, not RAM, and a row
    can be told which earlier row it repeats."""

    def __enter__(self) -> SeenKeys:
        self._dir = tempfile.TemporaryDirectory(prefix="funnel-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "seen.db", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA cache_size=-8000")
        self._db.execute(
            "CREATE TABLE seen (key TEXT PRIMARY KEY, what TEXT, row INTEGER) WITHOUT ROWID"
        )
        self._db.execute("BEGIN")  # never committed: a scratch file, thrown away
        return self

    def first(self, keys: list[tuple[str, str]]) -> tuple[int, str] | None:
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        found = self._db.execute(
            f"SELECT row, what FROM seen WHERE key IN ({marks}) ORDER BY row LIMIT 1",
            [f"{what}:{key}" for what, key in keys],
        ).fetchone()
        return (found[0], found[1]) if found else None

    def add(self, keys: list[tuple[str, str]], row: int) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)",
            [(f"{what}:{key}", what, row) for what, key in keys],
        )

    def __exit__(self, *exc: object) -> None:
        self._db.close()
        self._dir.cleanup()


# ------------------------------------------------------------------ in a second process
#
# The second process is a fresh Python running _child_main, not multiprocessing:
# spawning through multiprocessing imports the parent's main script again (a script
# without a __main__ guard would run twice) and leaves a child behind when the parent
# is killed. Here the parent pickles the work to the child's stdin and reads pickled
# chunks from its stdout; a full pipe makes the child wait (memory stays flat), and a
# parent gone makes its next write fail, which ends it.


class _Failed:
    """Sent by the checking process instead of a chunk when it cannot go on."""

    def __init__(self, message: str, refused: bool):
        self.message = message
        self.refused = refused  # the file's fault (FileRefused), not a bug


def check_rows_in_child(
    plan: ImportPlan, options: ImportOptions, config: Config, chunk_rows: int = CHUNK_ROWS
) -> Iterator[Chunk]:
    """check_rows run in a second process, its chunks handed over as they come. Closing
    the iterator ends the other process."""
    package_root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(package_root), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    # A thread drains the pipe as chunks come, up to READ_AHEAD of them, so the child
    # checks on while this process writes a batch (a pipe holds less than one chunk).
    chunks: queue.Queue[object] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def drain() -> None:
        item: object
        while not stop.is_set():
            try:
                item = pickle.load(child.stdout)
            except EOFError:
                item = _Failed(f"it stopped (exit code {child.wait()})", refused=False)
            except (OSError, ValueError, pickle.UnpicklingError) as exc:
                item = _Failed(f"its output could not be read: {exc}", refused=False)
            while not stop.is_set():
                try:
                    chunks.put(item, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if item is None or isinstance(item, _Failed):
                return

    reader = threading.Thread(target=drain, name="funnel-import-read", daemon=True)
    try:
        assert child.stdin is not None and child.stdout is not None
        pickle.dump((plan, options, config, chunk_rows), child.stdin)
        child.stdin.close()
        reader.start()
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, _Failed):
                if item.refused:
                    raise FileRefused(item.message)
                raise RuntimeError(f"the import's checking process failed: {item.message}")
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        if child.poll() is None:
            child.kill()
        child.wait()
        if reader.is_alive():
            reader.join(timeout=5)
        if child.stdout is not None:
            child.stdout.close()


def _child_main() -> None:
    out = sys.stdout.buffer
    plan, options, config, chunk_rows = pickle.load(sys.stdin.buffer)
    checker = Funnel(config, "import")  # no database is open here: checks only
    try:
        for chunk in check_rows(plan, options, checker.check_lead, chunk_rows):
            pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
        pickle.dump(None, out)
    except FileRefused as exc:
        pickle.dump(_Failed(str(exc), refused=True), out)
    except Exception:
        import traceback

        pickle.dump(_Failed(traceback.format_exc(limit=5), refused=False), out)
    out.flush()


# Run by module name, not as __main__: the classes it pickles must be this module's.
_CHILD = """
import sys
from funnel_tui.transfer.checking import _child_main
try:
    _child_main()
except (BrokenPipeError, KeyboardInterrupt):  # the importing process is gone
    sys.exit(1)
"""
