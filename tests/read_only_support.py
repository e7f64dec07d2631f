"""A folder whose database this test process cannot write, for the read-only tests.

Root writes any file whatever its mode, but nothing on a file system mounted read-only:
run as root, the folder is a small tmpfs of its own, remounted read-only once the
database is in it (skipped where mounting is not allowed). Run as anyone else, the
file's and the folder's modes do it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from funnel_tui.storage.database import close_database


def _mount(*args: str) -> bool:
    mount = shutil.which("mount")
    if mount is None:
        return False
    return subprocess.run([mount, *args], capture_output=True, timeout=30).returncode == 0


def frozen_folder(folder: Path) -> Iterator[Callable[[], str]]:
    """Make `folder`; yield a function that makes it (and what it holds) read-only for
    this process and returns the kind of read-only it is ("filesystem" or "file").
    Everything is put back after the test."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0
    if mounted and not _mount("-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(folder)):
        pytest.skip("root writes any file, and mounting a read-only file system is not allowed")

    def freeze() -> str:
        close_database()  # a file open for writing keeps a mount from turning read-only
        if mounted:
            assert _mount("-o", "remount,ro", str(folder)), "could not remount read-only"
            return "filesystem"
        for path in folder.iterdir():
            path.chmod(0o444)
        folder.chmod(0o555)
        return "file"

    try:
        yield freeze
    finally:
        close_database()
        if mounted:
            with contextlib.suppress(subprocess.SubprocessError):
                umount = shutil.which("umount") or "umount"
                subprocess.run([umount, "-l", str(folder)], capture_output=True, timeout=30)
        else:
            folder.chmod(0o755)
            for path in folder.iterdir():
                path.chmod(0o644)


def sidecars(folder: Path) -> list[str]:
    """The -wal and -shm files in `folder`: a read-only open must make none."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-shm")))
