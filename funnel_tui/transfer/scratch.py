"""Private scratch space for an import: a folder of this user's alone (0700) named with
the process's id, files in it created 0600, removed when the work ends however it ends.

A normal end, an error or ctrl+c unwinds through `scratch_folder`; `ending_on_signals`
makes SIGTERM and SIGHUP (a closed SSH session) unwind the same way in the command line.
SIGKILL cannot be caught, so every import first sweeps the folders of processes that are
gone (`sweep_dead`), as does the terminal UI when it starts: an import killed mid-way
leaves its scratch file (every e-mail address of the file) only until the next one.

A temporary folder with no room left for them is ScratchFull, naming the folder and the
ways round (free some space there, or TMPDIR): not the database's disk, which is fine."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from funnel_tui.core.errors import ScratchFull
from funnel_tui.core.full_disk import full_at, is_full

PREFIX = "funnel-import-"


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A new private folder for the work within, gone afterwards. No room for it in the
    temporary folder is ScratchFull."""
    sweep_dead()
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # mode 0700
    except OSError as exc:
        if is_full(exc):
            raise ScratchFull(tempfile.gettempdir()) from exc
        raise
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def no_room_for_scratch(exc: BaseException, folder: Path) -> ScratchFull | None:
    """ScratchFull when `exc`, met writing a scratch file in `folder`, is a full disk."""
    if full_at(exc, folder):
        return ScratchFull(folder.parent)
    return None


def spool(source: BinaryIO, path: Path) -> None:
    """Copy `source` into the new private file `path` (standard input kept to be read
    again); no room for it is ScratchFull."""
    try:
        with private_file(path).open("wb") as out:
            shutil.copyfileobj(source, out)
    except OSError as exc:
        full = no_room_for_scratch(exc, path.parent)
        if full is None:
            raise
        raise full from exc


def private_file(path: Path) -> Path:
    """Make `path` an empty file only its owner can read (0600), whatever the umask."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def sweep_dead(folder: Path | None = None) -> int:
    """Remove the scratch folders of this user's processes that are gone; how many."""
    folder = Path(folder or tempfile.gettempdir())
    gone = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        pid = entry.name[len(PREFIX) :].partition("-")[0]
        with contextlib.suppress(OSError):
            if not entry.is_dir(follow_symlinks=False) or entry.stat().st_uid != os.getuid():
                continue
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)
                gone += 1
    return gone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process with that id: not ours to judge
        return True
    return True


@contextlib.contextmanager
def ending_on_signals() -> Iterator[None]:
    """Within (in the main thread): SIGTERM and SIGHUP end the program by unwinding, so
    the scratch folders above are removed; the exit status says which signal it was."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, unwind) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
