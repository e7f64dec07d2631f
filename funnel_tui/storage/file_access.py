"""Whether this user can write a SQLite database file; reading one they cannot without
leaving files behind that block the team; clearing such files when nobody is using them.

SQLite keeps two files beside a database in WAL mode, NAME-wal and NAME-shm, made by
whoever opens it first, with the database file's mode. A user who cannot write the
database (SQLite then opens it read-only by itself) makes them as theirs and read-only
(0444 from a 0444 file), and they stay after that user has gone: once the database is
writable again, everyone who opens it can only read it ("attempt to write a readonly
database") until those files go. So:

- A database this user cannot write (the file, its folder, or its file system) is read
  without SQLite creating anything (`reading_uri`): `mode=ro` over the -wal and -shm of
  the funnels that have it open, whose changes it then sees as they are made; else
  `immutable=1`, which reads the file (and a -wal left beside it) as it is and takes no
  locks, so that nothing is made.
- A -wal or -shm this user cannot write, beside a database they can write, is cleared
  when nobody has the database open (`clear_stale_sidecars`). Every connection in WAL
  mode holds a SHARED lock on the database file for as long as it is open; a connection
  in exclusive locking mode takes it EXCLUSIVE before it reads (and then never maps the
  -shm), which it gets only when no other connection, of any process, holds it. Under
  that lock a -shm is only an index SQLite rebuilds, and an empty -wal holds nothing: both
  can go. A -wal holding changes is never removed; when the files cannot be cleared the
  database is opened read-only, saying which file is in the way and the command that
  puts it right.

Tested under another user than root (who may write anything) in tests/test_read_only.py.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from funnel_tui.core.i18n import _

SIDECARS = ("-wal", "-shm")


@dataclass(frozen=True)
class ReadOnly:
    """Why this user cannot write the database. `kind`: "file" or "folder" (not
    writable by them), "filesystem" (mounted read-only), "sidecar" (its -wal or -shm is
    not writable by them and cannot be cleared now), "pending" (its -wal holds changes
    and is not writable by them). `path` is the file or folder in the way, `owner` and
    `mode` its owner and permissions (`-r--r--r--`), `fix` a command that puts it right;
    `busy`: another funnel has the database open."""

    kind: str
    path: Path
    owner: str = ""
    mode: str = ""
    fix: str = ""
    busy: bool = False

    def why(self) -> str:
        """Which file or folder, and what would change it: for the banner and for each
        write refused."""
        values = {"path": self.path, "owner": self.owner, "mode": self.mode, "fix": self.fix}
        if self.kind == "filesystem":
            return _("{path} is on a read-only file system").format(**values)
        if self.kind == "folder":
            return _(
                "its folder {path} cannot be written by you (owner {owner}, {mode}), and "
                "SQLite writes its -wal and -shm files there"
            ).format(**values)
        if self.kind == "pending":
            return _(
                "{path} holds changes not yet in the database and cannot be written by you "
                "(owner {owner}, {mode}); its owner or an administrator can run: {fix}"
            ).format(**values)
        if self.kind == "sidecar" and self.busy:
            return _(
                "{path} cannot be written by you (owner {owner}, {mode}) and funnel is open "
                "on the database elsewhere; the first funnel started once nobody has it "
                "open clears it, or its owner or an administrator can run: {fix}"
            ).format(**values)
        if self.kind == "sidecar":
            return _(
                "{path} cannot be written by you (owner {owner}, {mode}); its owner or an "
                "administrator can run: {fix}"
            ).format(**values)
        return _("{path} cannot be written by you (owner {owner}, {mode})").format(**values)


def _can(path: Path, mode: int) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(path, mode, effective_ids=effective)


def _owner_and_mode(path: Path) -> tuple[str, str]:
    try:
        info = path.stat()
    except OSError:
        return "", ""
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    return owner, stat.filemode(info.st_mode)


def _on_read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def cannot_read(path: Path) -> str:
    """Why this user cannot read the database file at `path`, or the -wal or -shm beside
    it; "" when they can (or there is no file there yet)."""
    if not path.is_file():
        return ""
    if not _can(path, os.R_OK):
        owner, mode = _owner_and_mode(path)
        return _("{path} cannot be read by you (owner {owner}, {mode})").format(
            path=path, owner=owner, mode=mode
        )
    for suffix in SIDECARS:
        side = Path(f"{path}{suffix}")
        if side.exists() and not _can(side, os.R_OK):
            owner, mode = _owner_and_mode(side)
            return _(
                "{path} cannot be read by you (owner {owner}, {mode}); its owner or an "
                "administrator can run: {fix}"
            ).format(path=side, owner=owner, mode=mode, fix=_fix(side, path))
    return ""


def read_only_reason(path: Path) -> ReadOnly | None:
    """Why this user cannot write the database file at `path` (the file, its folder, its
    file system); None when they can, or when there is no file there yet."""
    if not path.is_file():
        return None
    if _on_read_only_mount(path):
        return ReadOnly("filesystem", path)
    if not _can(path, os.W_OK):
        return ReadOnly("file", path, *_owner_and_mode(path))
    folder = path.parent
    if not _can(folder, os.W_OK | os.X_OK):
        return ReadOnly("folder", folder, *_owner_and_mode(folder))
    return None


def reading_uri(path: Path) -> str:
    """An SQLite URI that reads the database at `path` without creating a file beside
    it: `mode=ro` when its -wal and -shm are there to read (funnels that have it open),
    else `immutable=1`."""
    shared = all(_can(Path(f"{path}{suffix}"), os.R_OK) for suffix in SIDECARS)
    how = "mode=ro" if shared else "immutable=1"
    return f"file:{quote(os.path.abspath(path))}?{how}"


def stale_sidecars(path: Path) -> list[Path]:
    """The -wal and -shm beside the database at `path` that this user cannot write."""
    found = []
    for suffix in SIDECARS:
        side = Path(f"{path}{suffix}")
        if side.exists() and not _can(side, os.R_OK | os.W_OK):
            found.append(side)
    return found


def sidecar_reason(path: Path, busy: bool = True) -> ReadOnly | None:
    """Why a -wal or -shm beside the database at `path` keeps this user from writing it
    (without clearing anything); None when none does."""
    stale = stale_sidecars(path)
    if not stale:
        return None
    side = stale[-1]  # the -shm when both: the one that decides
    return ReadOnly("sidecar", side, *_owner_and_mode(side), fix=_fix(side, path), busy=busy)


def clear_stale_sidecars(path: Path) -> ReadOnly | None:
    """Clear the -wal and -shm beside the database at `path` that this user cannot
    write, when nobody has the database open (the module's docstring); None when there
    were none or they are gone, else why the database cannot be written now."""
    stale = stale_sidecars(path)
    if not stale:
        return None
    try:
        holder = sqlite3.connect(path, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return None  # opening it as usual says what is wrong
    try:
        try:
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                return sidecar_reason(path, busy=True)
            return None
        except sqlite3.Error:
            return None
        for side in stale:
            if side.name.endswith("-wal") and side.stat().st_size > 0:
                owner, mode = _owner_and_mode(side)
                return ReadOnly("pending", side, owner, mode, fix=_fix(side, path))
            if not _clear(side, path):
                return sidecar_reason(path, busy=False)
    finally:
        holder.close()
    return None


def _clear(side: Path, database: Path) -> bool:
    """Remove `side` (SQLite makes it again, as this user, with the database's mode);
    in a folder that keeps others' files (the sticky bit), give it the database's mode
    if it is this user's. Whether it is out of the way."""
    try:
        side.unlink()
        return True
    except FileNotFoundError:
        return True
    except OSError:
        pass
    with contextlib.suppress(OSError):
        if side.stat().st_uid == os.geteuid():
            os.chmod(side, database.stat().st_mode & 0o666)
            return True
    return False


def _fix(side: Path, database: Path) -> str:
    """The command that lets the team write `side` again: the database's permissions,
    and its group when the file's is another."""
    quoted = shlex.quote(str(side))
    try:
        info, side_info = database.stat(), side.stat()
    except OSError:
        return f"chmod 660 {quoted}"
    command = f"chmod {info.st_mode & 0o666:o} {quoted}"
    if side_info.st_gid != info.st_gid:
        import grp

        try:
            group = grp.getgrgid(info.st_gid).gr_name
        except KeyError:
            group = str(info.st_gid)
        command += f" && chgrp {shlex.quote(group)} {quoted}"
    return command
