"""Writing files where other people may write too (a team's shared, setgid folder).

Every file funnel writes (an export, a reject file, a draft) is written whole into a new
temporary file beside its target, created exclusively under a fresh name (O_EXCL and
O_NOFOLLOW: never an existing file, never through a link), and then renamed into place.
A rename replaces a directory entry and never follows a link, so a link planted where a
file is to go cannot send funnel's writing into another file (a member's ~/.bashrc).
What may be replaced is checked first: a link, something that is not a file, or a file
that belongs to another user is refused with a message naming it and why. A new file
that must not replace anything (a reject file, which a person may be fixing by hand)
takes the first free name: X.csv, else X-2.csv, X-3.csv, …

Shared files take the mode the umask gives and the group of the folder (a setgid
folder hands its group down); private ones (drafts) are 0600 in a folder of the user's
alone. UI-free: refusals are UnsafeFile, an OSError whose text is the whole message.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from funnel_tui.core.errors import UnsafeFile
from funnel_tui.core.i18n import _

PRIVATE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
SHARED_MODE = 0o666  # narrowed by the umask, as any file a program makes
NUMBERED_UP_TO = 999  # X-2 … X-999: past that, something is wrong with the folder

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
_NAME_ROOM = 200  # of a name's 255 bytes, what a temporary name keeps of its target's


def owner_name(uid: int) -> str:
    """A user id as a login, for messages."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def refuse_unsafe_target(path: Path) -> None:
    """Raise UnsafeFile when `path` is there and funnel must not replace it: a link,
    not a regular file, or a file of another user's. Nothing there is fine."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFile(
            _(
                "{path} is a symbolic link: funnel never writes through one "
                "(remove the link or choose another name)"
            ).format(path=path)
        )
    if stat.S_ISDIR(info.st_mode):
        raise UnsafeFile(_("{path} is a folder: give the name of a file").format(path=path))
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(_("{path} is not a regular file: choose another name").format(path=path))
    if info.st_uid != os.geteuid():
        raise UnsafeFile(
            _(
                "{path} belongs to {owner}: funnel does not replace another user's file "
                "(choose another name)"
            ).format(path=path, owner=owner_name(info.st_uid))
        )


def numbered(path: Path) -> Iterator[Path]:
    """`path`, then the same name numbered: X.csv, X-2.csv, X-3.csv, …"""
    yield path
    for number in range(2, NUMBERED_UP_TO + 1):
        yield path.with_name(f"{path.stem}-{number}{path.suffix}")


def private_folder(folder: Path) -> Path:
    """`folder`, made if missing, as a folder of this user's alone (0700): one that
    belongs to another user is refused; one of the user's own that others may write
    in is closed to them (any umask may have made it)."""
    folder.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    info = os.stat(folder)  # a link in one's own home to one's own folder is fine
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeFile(_("{folder} is not a folder").format(folder=folder))
    if info.st_uid != os.geteuid():
        raise UnsafeFile(
            _(
                "{folder} belongs to {owner}: funnel keeps private files only in a folder of yours"
            ).format(folder=folder, owner=owner_name(info.st_uid))
        )
    if info.st_mode & 0o077:
        os.chmod(folder, PRIVATE_FOLDER_MODE)
    return folder


class NewFile:
    """A new file beside `target`, under a fresh hidden name, for writing whole and
    then putting in place (replace_target or place_new) or throwing away (discard)."""

    def __init__(
        self,
        target: Path,
        *,
        private: bool = False,
        encoding: str = "utf-8",
        newline: str | None = None,
    ):
        self.target = Path(target)
        folder = self.target.parent
        stem = self.target.name[:_NAME_ROOM]
        while True:
            path = folder / f".{stem}.{secrets.token_hex(4)}.part"
            try:
                fd = os.open(path, _NEW, PRIVATE_MODE if private else SHARED_MODE)
            except FileExistsError:
                continue  # that random name is taken: draw another
            break
        self.path = path
        try:
            self.file: TextIO = open(fd, "w", encoding=encoding, newline=newline)  # noqa: SIM115
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise

    def _finish(self) -> None:
        """Everything written on disk before the name points at it: a crash leaves the
        old file or the new one, never half of one."""
        if not self.file.closed:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()

    def replace_target(self) -> Path:
        """Put the file at its target, replacing what is there if that may be replaced
        (refuse_unsafe_target)."""
        try:
            self._finish()
            refuse_unsafe_target(self.target)
            os.replace(self.path, self.target)
        except BaseException:
            self.discard()
            raise
        return self.target

    def place_new(self) -> Path:
        """Put the file at its target or, when anything is there (a file, a link), at
        the first free numbered name (numbered); nothing there is replaced. Returns
        where it went."""
        try:
            self._finish()
            for candidate in numbered(self.target):
                try:
                    # The name is taken for this file at once, and only if free
                    # (O_EXCL); the rename then replaces funnel's own empty file.
                    os.close(os.open(candidate, _NEW, PRIVATE_MODE))
                except FileExistsError:
                    continue
                os.replace(self.path, candidate)
                return candidate
            raise UnsafeFile(
                _(
                    "{path} and {count} numbered names after it are all taken: clear that "
                    "folder out or choose another name"
                ).format(path=self.target, count=NUMBERED_UP_TO - 1)
            )
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        with suppress(OSError):
            self.file.close()
        with suppress(OSError):
            self.path.unlink()


@contextmanager
def replacing(
    target: str | os.PathLike[str],
    *,
    private: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[TextIO]:
    """A file to write `target` whole: it replaces `target` when the block ends without
    an error, and nothing is changed otherwise. A target that may not be replaced is
    refused before anything is written (and again just before the rename)."""
    path = Path(target)
    refuse_unsafe_target(path)
    new = NewFile(path, private=private, encoding=encoding, newline=newline)
    try:
        yield new.file
    except BaseException:
        new.discard()
        raise
    new.replace_target()


def read_own(path: Path, encoding: str = "utf-8") -> str | None:
    """The text of `path` if it is a regular file of this user's, read without following
    a link; None when there is none (or it is anything else)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    with open(fd, encoding=encoding) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return None
        try:
            return handle.read()
        except (OSError, UnicodeDecodeError):
            return None
