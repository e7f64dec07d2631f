"""Issues 3 and 25: the terminal UI at 10,000, 100,000 and 1,000,000 leads, on SQLite and on
PostgreSQL, each figure beside a floor measured in the same run:

- start-up to the settled first screen: `funnel --db DEMO` started in a pseudo-terminal
  of 80×24 until the last byte it writes before 400 ms of quiet, once the screen shows
  the lead list's rows, its count, a count on every status and the top line's Today
  counts (bench/common.settled_starts), vs a bare Textual app that shows one label,
  started the same way; median of STARTS, alternating;
- a search keystroke to the new rows painted, and a capture save from ctrl+s to the
  cleared form, p95, vs a key reaching a bare Input;
- at 100,000 leads on SQLite: memory with the list open vs the bare app, and the bytes
  written to the terminal per character typed into the capture form vs a bare app
  with two Inputs.

Goals: start-up ≤ 1.3× the floor up to 100,000 leads, ≤ 1.4× at 1,000,000; search and
save ≤ 50 ms (issue 25 asks it at 1,000,000 leads). Demo databases come from demo_cache
(built once, kept; the app writes to a copy). FUNNEL_BENCH_SIZES picks the sizes
(default all three), FUNNEL_BENCH_ENGINES the engines (default sqlite,postgres);
PostgreSQL runs on the kept bench server, and is left out, said, without its binaries.
A table of the figures by size and engine is printed at the end.
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

from common import (
    cold_starts,
    cost,
    key_floor,
    list_settled,
    median,
    memory_cost,
    percentile,
    print_table,
    scale_targets,
    search_and_save,
    settled_starts,
)

STARTS = 7
SAVES = 40
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


def start_goal(leads: int) -> float:
    return 1.4 if leads >= 1_000_000 else 1.3


def figures():
    results, table = [], {}
    with tempfile.TemporaryDirectory(prefix="funnel-bench-ui-") as folder:
        env = {**os.environ, "HOME": folder, "XDG_DATA_HOME": folder, "FUNNEL_USER": "bench"}
        floor = asyncio.run(key_floor())
        for engine, leads, target in scale_targets("bench_ui", folder):
            results += _settled(target, env, engine, leads, table)
            results += asyncio.run(_latencies(target, folder, floor, engine, leads, table))
            if engine == "sqlite" and leads == 100_000:
                results += _memory(target, env)
        results += _typing_bytes(str(Path(folder) / "small.db"), env)
    print_table(table)
    return results


def _label(engine: str, leads: int) -> str:
    return f"{leads:,} leads, {engine}"


# ----------------------------------------------------------------- start and memory


def _settled(target: str, env: dict, engine: str, leads: int, table: dict):
    ours, bare = settled_starts(target, env, STARTS, list_settled)
    ours_ms = median([s.seconds for s in ours]) * 1000
    bare_ms = median([s.seconds for s in bare]) * 1000
    late = [s.late for s in ours if s.late is not None]
    if late:
        print(f"  {len(late)} of {len(ours)} starts wrote again within a second of settling",
              file=sys.stderr)  # fmt: skip
    table.setdefault("start-up to the settled screen", {})[engine, leads] = (ours_ms, bare_ms)
    return [
        cost(
            f"start-up to the settled list, {_label(engine, leads)}",
            ours_ms,
            bare_ms,
            "bare Textual app with one label, started the same way",
            "ms",
            max_ratio=start_goal(leads),
        )
    ]


def _memory(target: str, env: dict):
    _, _, ours_rss, bare_rss = cold_starts(target, env, 3)
    return [memory_cost("memory with the list open on 100k leads", ours_rss, bare_rss)]


# ---------------------------------------------------------------- save and search


async def _latencies(target: str, folder: str, floor, engine: str, leads: int, table: dict):
    searches, saves = await search_and_save(target, folder, TYPED, SAVES)
    floor_p95 = percentile(floor, 95) * 1000
    search_p95 = percentile(searches, 95) * 1000
    save_p95 = percentile(saves, 95) * 1000
    table.setdefault("search keystroke, p95", {})[engine, leads] = (search_p95, floor_p95)
    table.setdefault("capture save, p95", {})[engine, leads] = (save_p95, floor_p95)
    return [
        cost(
            f"search keystroke to new rows, p95, {_label(engine, leads)}",
            search_p95,
            floor_p95,
            "key to a bare Input, p95",
            "ms",
            max_value=50,
        ),
        cost(
            f"capture save, key to cleared form, p95, {_label(engine, leads)}",
            save_p95,
            floor_p95,
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


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from common import report

    sys.exit(0 if report(figures()) else 1)
