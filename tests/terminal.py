"""funnel in a real pseudo-terminal, as a rep's SSH session runs it: bytes written in
bursts, the window resized, and the screen read back through a VT emulator (pyte)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pyte

REPO = Path(__file__).resolve().parent.parent


def funnel_env(home, database: str, user: str = "rita", **extra: str) -> dict[str, str]:
    """The environment funnel runs in for a test: its own home and folders under
    `home`, the database and the user given, nothing of the machine's but PATH."""
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "FUNNEL_DB": database,
        "FUNNEL_USER": user,
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        **extra,
    }


class Terminal:
    """`funnel ARGS` on a pty of `size` (columns, rows)."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        size: tuple[int, int] = (80, 24),
        argv: list[str] | None = None,
    ):
        """`argv` replaces `python -m funnel_tui ARGS` (a script that patches first)."""
        self.columns, self.rows = size
        self.screen = pyte.Screen(self.columns, self.rows)
        self.stream = pyte.ByteStream(self.screen)
        self.output = bytearray()
        self.exit_code: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: funnel, on the pty's other end
            try:
                _set_size(0, self.columns, self.rows)
                os.chdir(REPO)
                argv = argv or [sys.executable, "-m", "funnel_tui", *args]
                os.execve(
                    argv[0],
                    argv,
                    {"TERM": "xterm-256color", "COLORTERM": "truecolor", **env},
                )
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd

    # ------------------------------------------------------------------ reading

    def read(self, quiet: float = 0.4, limit: float = 15.0) -> int:
        """Read what the app writes until it is quiet for `quiet` s; returns the bytes."""
        total, end = 0, time.monotonic() + limit
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                break
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the child is gone
                break
            if not chunk:
                break
            total += len(chunk)
            self.output += chunk
            self.stream.feed(chunk)
        return total

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, needle: str, timeout: float = 15.0) -> str:
        """Read until `needle` is on the screen; the screen's text."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.text():
                return self.text()
            self.read(quiet=0.1, limit=0.5)
            if self.alive() is False and needle not in self.text():
                break
        raise AssertionError(f"{needle!r} never showed; the screen reads:\n{self.text()}")

    # ------------------------------------------------------------------ writing

    def write(self, data: bytes) -> None:
        """One write: the app receives it as one burst."""
        os.write(self.fd, data)

    def resize(self, columns: int, rows: int) -> None:
        """What a terminal window does when dragged: the pty's size and SIGWINCH."""
        self.columns, self.rows = columns, rows
        self.screen.resize(rows, columns)
        _set_size(self.fd, columns, rows)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGWINCH)

    # ------------------------------------------------------------------ ending

    def alive(self) -> bool:
        if self.exit_code is not None:
            return False
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.exit_code = os.waitstatus_to_exitcode(status)
        return False

    def close(self, timeout: float = 10.0) -> int:
        """Quit with ctrl+q (if still running); the exit code."""
        if self.alive():
            with contextlib.suppress(OSError):
                self.write(b"\x11")
        end = time.monotonic() + timeout
        while self.alive() and time.monotonic() < end:
            self.read(quiet=0.1, limit=0.5)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.exit_code = -9
        self.read(quiet=0.05, limit=0.5)
        os.close(self.fd)
        assert self.exit_code is not None
        return self.exit_code

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc) -> None:
        if self.exit_code is None:
            self.close()


def _set_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
