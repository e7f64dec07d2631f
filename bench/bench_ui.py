"""Issue 3 figures for the TUI on a 100,000-lead demo database, each against a bare
Textual app measured the same way in the same run:

- cold start to the first complete frame (list rows and counts shown) vs an app that
  shows one label;
- memory after the list is open vs that app;
- save of a captured lead, key to cleared form, and a search keystroke to new results,
  vs a key reaching a bare Input;
- bytes written to the terminal per character typed into the capture form vs a bare app
  with two Inputs, read from a pseudo-terminal at 80×24.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import select
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

from common import cold_starts, cost, key_floor, median, percentile, search_and_save

DEMO_LEADS = 100_000
STARTS = 7
SAVES = 60
TYPED = ("kowal", "王小", "+48 51", "gmail", "müller")
CHARS = "Anna Kowalska Logistics"
REPO = Path(__file__).resolve().parent.parent

TYPING_APP = r"""
import sys
mode, target = sys.argv[1], sys.argv[2]
if mode == "bare":
    from textual.app import App
    from textual.widgets import Input

    class Bare(App):
        def compose(self):
            yield Input(id="a")
            yield Input(id="b")

    Bare().run()
else:
    from funnel_tui.cli import make_app
    make_app(target, "bench").run()
"""


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-ui-") as folder:
        target = str(Path(folder) / "demo.db")
        _build(target)
        env = {**os.environ, "HOME": folder, "XDG_DATA_HOME": folder, "FUNNEL_USER": "bench"}
        results = _first_frame(target, env)
        results += asyncio.run(_latencies(target, folder))
        results += _typing_bytes(str(Path(folder) / "small.db"), env)
    return results


def _build(target: str) -> None:
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage.database import close_database, open_database

    generate_demo(open_database(target), load_config(), leads=DEMO_LEADS, seed=1, user="bench")
    close_database()


# ----------------------------------------------------------------- start and memory


def _first_frame(target: str, env: dict):
    ours, bare, ours_rss, bare_rss = cold_starts(target, env, STARTS)
    return [
        cost(
            "cold start to first full frame, 100k leads",
            median(ours) * 1000,
            median(bare) * 1000,
            "bare Textual app with one label",
            "ms",
            max_ratio=1.3,
        ),
        cost(
            "memory with the list open on 100k leads",
            median(ours_rss),
            median(bare_rss),
            "bare Textual app with one label",
            "MB",
            max_ratio=1.5,
        ),
    ]


# ---------------------------------------------------------------- save and search


async def _latencies(target: str, folder: str):
    floor = await key_floor()
    searches, saves = await search_and_save(target, folder, TYPED, SAVES)
    return [
        cost(
            "capture save, key to cleared form, p95",
            percentile(saves, 95) * 1000,
            percentile(floor, 95) * 1000,
            "key to a bare Input, p95",
            "ms",
            max_value=50,
        ),
        cost(
            "search keystroke to new results, p95",
            percentile(searches, 95) * 1000,
            percentile(floor, 95) * 1000,
            "key to a bare Input, p95",
            "ms",
            max_value=50,
        ),
    ]


# ------------------------------------------------------------------- bytes per key


def _typing_bytes(small_db: str, env: dict):
    from funnel_tui.config import load_config
    from funnel_tui.storage.database import close_database, open_database

    open_database(small_db)
    close_database()
    load_config()
    ours = _bytes_per_char("funnel", small_db, env, prelude=b"\x0e")  # ctrl+n: capture
    bare = _bytes_per_char("bare", small_db, env, prelude=b"")
    return [
        cost(
            "bytes written per character typed in capture",
            ours,
            bare,
            "bare Textual app with two Inputs",
            "B",
            max_ratio=1.2,
        )
    ]


def _bytes_per_char(mode: str, target: str, env: dict, prelude: bytes) -> float:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app on a pseudo-terminal of 80×24
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.chdir(REPO)
        os.execve(
            sys.executable,
            [sys.executable, "-c", TYPING_APP, mode, target],
            {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"},
        )
    try:
        _drain(fd, quiet=1.5, limit=20)
        if prelude:
            os.write(fd, prelude)
            _drain(fd, quiet=1.0, limit=10)
        counts = []
        for char in CHARS:
            os.write(fd, char.encode())
            counts.append(_drain(fd, quiet=0.25, limit=3))
        return median(counts)
    finally:
        os.write(fd, b"\x11")  # ctrl+q
        _drain(fd, quiet=0.5, limit=3)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def _drain(fd: int, quiet: float, limit: float) -> int:
    """Read until nothing arrives for `quiet` seconds; returns the bytes read."""
    total, end = 0, time.monotonic() + limit
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        total += len(chunk)
    return total
