"""A team at work (issue 25): what an open lead list costs while another instance adds
a lead every second, and whether its memory stays flat.

For each engine (SQLite, PostgreSQL) and size (100k, 1M leads) funnel runs in an 80×24
terminal (a pty, drained as a terminal would) on a copy of the kept demo, showing the
lead list as it opens: newest first, where every new lead lands on the visible page (the
dearest case: the page moves down a line each time). A writer process adds leads
through the rules layer, as another rep's funnel does. Measured from /proc:

- quiet: QUIET_SECONDS with nobody writing (the instance's own floor: the watcher's
  polls, the clock);
- warm-up: WARM_LEADS leads at WARM_RATE a second, not measured: what the app keeps
  within bounds fills up meanwhile (text-width and line caches, SQLite's page caches),
  as it does in the first hour of a day at one a second;
- newest first: WRITE_SECONDS at one lead a second, CPU (goal ≤ 1 % of a core) and the
  resident memory every SAMPLE_SECONDS, whose least squares slope is printed in MB per
  hour with its standard error. Goal: an hour of such writes adds ≤ 1 MB (a slope
  ≤ 1 MB/h, or within two standard errors of it);
- by name: the list sorted by name (o n enter), BY_NAME_SECONDS more at one a second:
  the new leads fall far from the visible page, which must not be drawn again (the
  bytes written to the terminal per lead show it), only the counts.

Every new lead must also reach the screen while it shows the newest first: the bench
looks for each writer lead's name in what the app wrote.

A bare Textual app idle in the same terminal is measured in the same run (the floor of
any Textual app): the table prints it, and the ratio of each figure to it.

    .venv/bin/python bench/run.py team
    FUNNEL_BENCH_TEAM=sqlite:100000 FUNNEL_BENCH_TEAM_WRITE=120 .venv/bin/python bench/run.py team
"""

from __future__ import annotations

import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import Figure, _no_backups_config, check, cost, private_postgres

ROOT = Path(__file__).resolve().parent.parent
CELLS = os.environ.get(
    "FUNNEL_BENCH_TEAM", "sqlite:100000,sqlite:1000000,postgres:100000,postgres:1000000"
)
SETTLE_SECONDS = 10.0  # start, first frames, the collector's freeze, the watcher's start
QUIET_SECONDS = float(os.environ.get("FUNNEL_BENCH_TEAM_QUIET", "60"))
# 1,200 left the caches still filling (rich's 4,096 cell widths, Textual's strips):
# +7.8 MB/h over the next five minutes, +0.97 over twenty after 3,000.
WARM_LEADS = int(os.environ.get("FUNNEL_BENCH_TEAM_WARM", "3000"))
WARM_RATE = 10.0  # leads a second
WRITE_SECONDS = float(os.environ.get("FUNNEL_BENCH_TEAM_WRITE", "300"))
BY_NAME_SECONDS = float(os.environ.get("FUNNEL_BENCH_TEAM_BY_NAME", "60"))
SAMPLE_SECONDS = 5.0
USER = "bench"  # the demo's own rep (demo_cache.USER): a queue of 8,000 leads at 100k

# Another rep's funnel: leads through the rules layer at RATE a second (COUNT of them,
# 0: until stopped), each acknowledged on stdout once committed.
WRITER = r"""
import sys, time
from funnel_tui.config import load_config
from funnel_tui.storage.database import open_database
open_database(sys.argv[1])
from funnel_tui.rules.funnel import Funnel
rules = Funnel(load_config(), "writer")
tag, rate, count = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
start, n = time.monotonic(), 0
while not count or n < count:
    rules.capture_lead({"name": f"Tw {tag}{n:05d}", "email": f"tw.{tag}{n}@team.example",
                        "source": "Referral"})
    print(n, flush=True)
    n += 1
    time.sleep(max(0.0, start + n / rate - time.monotonic()))
"""

BARE_APP = """
from textual.app import App
from textual.widgets import Label
class Bare(App):
    def compose(self):
        yield Label("bare")
Bare().run()
"""


@dataclass
class Cell:
    engine: str
    leads: int
    quiet: float = 0.0  # % of a core
    newest: float = 0.0
    by_name: float = 0.0
    newest_bytes: float = 0.0  # written to the terminal per lead added
    by_name_bytes: float = 0.0
    written: int = 0
    seen: int = 0  # writer leads whose name reached the screen
    warm_rss: tuple[float, float] = (0.0, 0.0)  # MB before and after the warm-up
    rss: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)

    @property
    def slope(self) -> tuple[float, float]:
        """MB per hour while writing at one a second, and its standard error."""
        return _slope(self.rss) if len(self.rss) >= 3 else (0.0, 0.0)


def figures() -> list[Figure]:
    cells = [
        Cell(engine, int(leads))
        for engine, leads in (item.split(":") for item in CELLS.split(",") if item)
    ]
    with tempfile.TemporaryDirectory(prefix="funnel-bench-team-") as folder:
        env = _env(Path(folder))
        bare = [_bare_idle(env)]
        for cell in cells:
            _measure(cell, Path(folder), env)
        bare.append(_bare_idle(env))
    floor = statistics.mean(bare)
    _table(cells, floor)
    results = []
    for cell in cells:
        name = f"{cell.engine} {_size(cell.leads)}"
        slope, error = cell.slope
        floor_name = "bare Textual app idle in the same terminal"
        results += [
            cost(
                f"{name}: lead/s added, newest first, % core",
                cell.newest,
                floor,
                floor_name,
                "%",
                max_value=1.0,
            ),
            cost(
                f"{name}: lead/s added, by name, % core",
                cell.by_name,
                floor,
                floor_name,
                "%",
                max_value=1.0,
            ),
            check(
                f"{name}: memory flat over an hour of writes",
                slope <= 1.0 or slope - 2 * error <= 1.0,
                f"{slope:+.2f} ± {error:.2f} MB/h",
            ),
            check(
                f"{name}: every new lead reached the screen",
                cell.written > 0 and cell.seen >= cell.written - 2,
                f"{cell.seen} of {cell.written}",
            ),
            check(
                f"{name}: a lead off the page leaves it undrawn",
                cell.by_name_bytes < cell.newest_bytes / 4,
                f"{cell.by_name_bytes:,.0f} vs {cell.newest_bytes:,.0f} bytes a second",
            ),
        ]
    return results


def _measure(cell: Cell, folder: Path, env: dict) -> None:
    import demo_cache

    print(f"  team: {cell.engine} at {cell.leads:,} leads …", file=sys.stderr, flush=True)
    if cell.engine == "sqlite":
        target = demo_cache.sqlite_copy(cell.leads, folder)
    else:
        private_postgres()  # FUNNEL_BENCH_PG_ROOT: a server of this run's own
        target = demo_cache.postgres_demo(cell.leads, f"team_{cell.leads}")
    funnel = str(Path(sys.executable).with_name("funnel"))
    app = Terminal([funnel, "--db", target, "--user", USER], env)
    tag = f"{cell.engine[0]}{len(str(cell.leads))}"
    writer = None
    try:
        app.drain(SETTLE_SECONDS)
        cell.quiet = app.cpu_share(QUIET_SECONDS)
        before = app.rss_mb()
        warm = _writer(target, f"{tag}w", WARM_RATE, WARM_LEADS, env)
        while warm.poll() is None:
            app.drain(1.0)
            _acknowledged(warm)  # its pipe must not fill
        app.drain(3.0)
        cell.warm_rss = (before, app.rss_mb())
        writer = _writer(target, tag, 1.0, 0, env)
        start, cpu, sent = time.monotonic(), app.cpu(), len(app.output)
        while (elapsed := time.monotonic() - start) < WRITE_SECONDS:
            app.drain(min(SAMPLE_SECONDS, WRITE_SECONDS - elapsed))
            cell.rss.append((time.monotonic() - start, app.rss_mb()))
        seconds = time.monotonic() - start
        cell.newest = (app.cpu() - cpu) / seconds * 100
        cell.newest_bytes = (len(app.output) - sent) / seconds
        app.drain(2.0)  # the last lead's poll and paint
        screen = app.output.decode("utf-8", "replace")
        written = len(_acknowledged(writer))  # before the sort: the list showed them
        app.send(b"o", b"n", b"\r", b"g")  # sort by name, from the first
        app.drain(5.0)
        start, cpu, sent = time.monotonic(), app.cpu(), len(app.output)
        app.drain(BY_NAME_SECONDS)
        seconds = time.monotonic() - start
        cell.by_name = (app.cpu() - cpu) / seconds * 100
        cell.by_name_bytes = (len(app.output) - sent) / seconds
        cell.written = written
        cell.seen = sum(f"Tw {tag}{n:05d}" in screen for n in range(written))
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        app.close()
        if cell.engine == "sqlite":
            Path(target).unlink(missing_ok=True)
    slope, error = cell.slope
    print(
        f"    quiet {cell.quiet:.2f} %; newest first {cell.newest:.2f} %, "
        f"{cell.newest_bytes:,.0f} B/s; by name {cell.by_name:.2f} %, "
        f"{cell.by_name_bytes:,.0f} B/s; RSS {cell.warm_rss[0]:.1f} → {cell.warm_rss[1]:.1f} "
        f"(warm-up) → {cell.rss[-1][1]:.1f} MB, {slope:+.2f} ± {error:.2f} MB/h; "
        f"{cell.seen}/{cell.written} leads seen",
        file=sys.stderr,
        flush=True,
    )


def _writer(target: str, tag: str, rate: float, count: int, env: dict) -> subprocess.Popen:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, target, tag, str(rate), str(count)],
        env=env,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    os.set_blocking(writer.stdout.fileno(), False)
    writer.acknowledged = bytearray()  # type: ignore[attr-defined]
    return writer


def _acknowledged(writer: subprocess.Popen) -> list[int]:
    """The numbers of the leads the writer has committed so far."""
    while True:
        try:
            chunk = os.read(writer.stdout.fileno(), 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        writer.acknowledged += chunk  # type: ignore[attr-defined]
    return [int(n) for n in writer.acknowledged.split()]  # type: ignore[attr-defined]


class Terminal:
    """A program in an 80×24 pty whose output is read as a terminal reads it."""

    def __init__(self, command: list[str], env: dict) -> None:
        self.output = bytearray()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(command[0], command, {**env, "COLUMNS": "80", "LINES": "24"})

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    time.sleep(min(left, 0.5))  # it closed the terminal

    def send(self, *keys: bytes) -> None:
        """Type `keys`, one at a time, as a person would."""
        for key in keys:
            os.write(self.fd, key)
            self.drain(0.5)

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_share(self, seconds: float) -> float:
        """% of one core over the next `seconds`."""
        before, start = self.cpu(), time.monotonic()
        self.drain(seconds)
        return (self.cpu() - before) / (time.monotonic() - start) * 100

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def close(self) -> None:
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def _bare_idle(env: dict) -> float:
    bare = Terminal([sys.executable, "-c", BARE_APP], env)
    try:
        bare.drain(5.0)
        return bare.cpu_share(QUIET_SECONDS)
    finally:
        bare.close()


def _env(folder: Path) -> dict:
    return {
        **os.environ,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder),
        "TERM": "xterm-256color",
        "FUNNEL_CONFIG": str(_no_backups_config()),
        "PYTHONPATH": str(ROOT),
    }


def _slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares slope of (seconds, MB) in MB per hour, and its standard error."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_m = sum(m for _, m in points) / n
    stt = sum((t - mean_t) ** 2 for t, _ in points)
    slope = sum((t - mean_t) * (m - mean_m) for t, m in points) / stt
    residual = sum((m - mean_m - slope * (t - mean_t)) ** 2 for t, m in points)
    error = (residual / max(1, n - 2) / stt) ** 0.5
    return slope * 3600, error * 3600


def _size(leads: int) -> str:
    return f"{leads // 1_000_000}M" if leads >= 1_000_000 else f"{leads // 1000}k"


def _table(cells: list[Cell], floor: float) -> None:
    print(
        f"\nAn open lead list while another instance adds a lead a second "
        f"(% of a core; bare Textual app idle: {floor:.2f} %)",
        file=sys.stderr,
    )
    print(
        f"  {'engine':<10}{'leads':>6}{'quiet':>7}{'newest':>8}{'× bare':>8}{'by name':>9}"
        f"{'B/s':>14}{'RSS MB (warm-up)':>22}{'MB/hour':>16}{'seen':>10}",
        file=sys.stderr,
    )
    for c in cells:
        slope, error = c.slope
        rss = f"{c.warm_rss[0]:.1f}→{c.warm_rss[1]:.1f}→{c.rss[-1][1]:.1f}" if c.rss else "-"
        ratio = c.newest / floor if floor else float("inf")
        written = f"{c.newest_bytes:,.0f}/{c.by_name_bytes:,.0f}"
        print(
            f"  {c.engine:<10}{_size(c.leads):>6}{c.quiet:>7.2f}{c.newest:>8.2f}{ratio:>8.1f}"
            f"{c.by_name:>9.2f}{written:>14}{rss:>22}{f'{slope:+.2f} ± {error:.2f}':>16}"
            f"{f'{c.seen}/{c.written}':>10}",
            file=sys.stderr,
        )
    print(
        "  B/s: bytes written to the terminal a second (a lead a second), newest first / by name",
        file=sys.stderr,
    )
    print(file=sys.stderr)
