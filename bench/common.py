"""What every benchmark shares: a figure with its floor, timing helpers, the report."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measurement beside a floor measured in the same run.

    `ratio` is measurement / floor for costs (lower is better) or floor / measurement
    for rates, so a ratio above 1 always means "slower than the floor".
    """

    name: str
    value: float
    unit: str
    floor: float
    floor_name: str
    ratio: float
    goal: str
    ok: bool


def cost(
    name: str,
    value: float,
    floor: float,
    floor_name: str,
    unit: str,
    max_value: float | None = None,
    max_ratio: float | None = None,
) -> Figure:
    ratio = value / floor if floor else float("inf")
    goals, ok = [], True
    if max_value is not None:
        goals.append(f"≤ {max_value:g} {unit}")
        ok &= value <= max_value
    if max_ratio is not None:
        goals.append(f"≤ {max_ratio:g}× floor")
        ok &= ratio <= max_ratio
    return Figure(name, value, unit, floor, floor_name, ratio, ", ".join(goals), ok)


def rate(
    name: str, value: float, floor: float, floor_name: str, unit: str, min_value: float
) -> Figure:
    ratio = floor / value if value else float("inf")
    return Figure(
        name, value, unit, floor, floor_name, ratio, f"≥ {min_value:,g} {unit}", value >= min_value
    )


def check(name: str, passed: bool, detail: str) -> Figure:
    return Figure(name, 1.0 if passed else 0.0, detail, 1.0, "must hold", 1.0, "holds", passed)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def wall_time(command: Sequence[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def report(figures: Sequence[Figure]) -> bool:
    print(f"{'figure':<46}{'measured':>18}{'floor':>18}{'ratio':>8}  {'goal':<26}ok")
    for f in figures:
        if f.floor_name == "must hold":
            print(f"{f.name:<46}{f.unit:>18}{'':>18}{'':>8}  {f.goal:<26}{'yes' if f.ok else 'NO'}")
            continue
        print(
            f"{f.name:<46}{_fmt(f.value, f.unit):>18}{_fmt(f.floor, f.unit):>18}"
            f"{f.ratio:>7.2f}×  {f.goal:<26}{'yes' if f.ok else 'NO'}"
        )
    print("\nfloors, measured in this run:")
    for f in figures:
        if f.floor_name != "must hold":
            print(f"  {f.name}: {f.floor_name}")
    return all(f.ok for f in figures)


def _fmt(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"


# ------------------------------------------------------------- driving a Textual app

KEY_FLOOR_PRESSES = 60
POLL_SECONDS = 0.0002  # how often `until` looks: far below the figures it times
# A person reads the screen before the next key: even a 120 wpm typist leaves ~100 ms
# between keys. Keys sent back to back at machine speed instead land just after a
# frame and wait out Textual's 60 Hz frame timer, which no user at a keyboard meets.
HUMAN_PAUSE_SECONDS = (0.04, 0.12)


async def human_pause(rng: random.Random) -> None:
    """Wait as a person would between two keys (untimed)."""
    await asyncio.sleep(rng.uniform(*HUMAN_PAUSE_SECONDS))


def send_key(app, key: str, char: str | None = None) -> None:
    """Hand a key to the app as the terminal driver would. Pilot.press also waits for the
    whole process to fall idle, which would time the waiting rather than the app."""
    from textual import events

    event = events.Key(key, char if char is not None else (key if len(key) == 1 else None))
    event.set_sender(app)
    app._driver.send_message(event)


async def until(condition, timeout: float = 5.0, app=None) -> float:
    """Wait until `condition()` holds; return the perf_counter time it was seen to.

    Given `app`, the time is that of the first frame painted with the condition
    holding: what the user sees. The frame is also turned into the bytes a terminal
    would receive (the headless test driver skips that), so its cost counts too.

    Without `app`, polls with a short real sleep, as the app's own loop waits on its
    terminal: spinning on sleep(0) would hold the GIL and starve the worker threads.
    """
    if app is not None:
        return await _painted(app, condition, timeout)
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not update")
        await asyncio.sleep(POLL_SECONDS)
    return time.perf_counter()


async def _painted(app, condition, timeout: float) -> float:
    from textual._compositor import CompositorUpdate

    watchers = app.__dict__.get("_bench_paint_watchers")
    if watchers is None:
        watchers = app._bench_paint_watchers = []
        display = app._display

        def painting(screen, update):
            display(screen, update)
            if isinstance(update, CompositorUpdate):
                update.render_segments(app.console)  # the terminal bytes
            for watcher in list(watchers):
                watcher()

        app._display = painting
    seen = asyncio.get_running_loop().create_future()

    def watch() -> None:
        if not seen.done() and condition():
            seen.set_result(time.perf_counter())

    watchers.append(watch)
    try:
        return await asyncio.wait_for(seen, timeout)
    finally:
        watchers.remove(watch)


async def key_floor(paced: bool = False) -> list[float]:
    """A key press reaching a bare Input and changing its value; `paced` leaves a
    person's pause before each key."""
    from textual.app import App
    from textual.widgets import Input

    class Bare(App):
        def compose(self):
            yield Input()

    app = Bare()
    times = []
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one(Input)
        field.focus()
        await pilot.pause()
        rng = random.Random(4)
        for index in range(KEY_FLOOR_PRESSES):
            if paced:
                await human_pause(rng)
            before = field.value
            start = time.perf_counter()
            send_key(app, "x" if index % 2 else "y")
            times.append(await until(lambda b=before: field.value != b, app=app) - start)
    return times


def memory_cost(name: str, ours_mb: Sequence[float], bare_mb: Sequence[float]) -> Figure:
    """Resident memory at the first frame (cold_starts) beside the bare app's."""
    return cost(
        name, median(ours_mb), median(bare_mb), "bare Textual app with one label", "MB",
        max_ratio=1.5,
    )  # fmt: skip


def bench_app(target: str, folder: str, user: str, start: str = "leads"):
    """funnel's app on `target` as `funnel --screen START` builds it, for Pilot: the
    database open and the collector off (make_app's start-up; the app turns it back on
    once its first screen is up)."""
    import gc

    from funnel_tui.config import load_config
    from funnel_tui.config.settings import BackupPolicy
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.storage.database import open_database
    from funnel_tui.tui.app import FunnelApp

    open_database(target)
    gc.disable()
    # No backup of its own: the kept demos (demo_cache) are gigabytes, and a copy made
    # in the background would be timed with everything else.
    config = dataclasses.replace(load_config(), backups=BackupPolicy(automatic=False))
    return FunnelApp(
        config=config,
        target=target,
        user=user,
        drafts=DraftStore(user, Path(folder) / "drafts"),
        start=start,
    )


# ------------------------------------------------------------------- cold starts

REPO = Path(__file__).resolve().parent.parent


# A fresh process that opens funnel (`funnel --screen SCREEN --db TARGET`) or the bare
# floor app, and exits at its first complete frame, printing its resident memory.
FIRST_FRAME = r"""
import sys
mode, target, screen = sys.argv[1], sys.argv[2], sys.argv[3]
width, height = int(sys.argv[4]), int(sys.argv[5])

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def shown(app):
    if mode == "bare" or screen not in ("board", "today"):
        return True
    if screen == "today":
        from funnel_tui.tui.widgets.queue_view import QueueView

        views = app.screen.query(QueueView)
        return bool(views) and views.first().current_item is not None
    from funnel_tui.tui.widgets.board_view import BoardView

    views = app.screen.query(BoardView)
    return bool(views) and views.first().current is not None

async def first_frame(pilot):
    # Complete: every worker the first frame started has answered and been painted
    # (on the board: and it shows its cards; on Today: its first item's row).
    while True:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers) and shown(pilot.app):
            break
    print(f"RSS {rss_mb():.1f}", file=sys.stderr)
    pilot.app.exit()

if mode == "bare":
    from textual.app import App
    from textual.widgets import Label

    class Bare(App):
        def compose(self):
            yield Label("funnel")

    app = Bare()
else:
    from funnel_tui.cli import make_app  # what `funnel --screen SCREEN --db TARGET` runs
    app = make_app(target, "bench", screen=screen)
app.run(headless=True, size=(width, height), auto_pilot=first_frame)
"""


def _no_backups_config() -> Path:
    """A funnel.toml that turns the app's own daily backup off: started on a kept demo
    (demo_cache, gigabytes) it would copy the file beside it, and be timed doing so."""
    import tempfile

    path = Path(tempfile.gettempdir()) / "funnel-bench-no-backups.toml"
    path.write_text("[backups]\nautomatic = false\n")
    return path


def _start_once(args: list[str], env: dict, frame: str | None = None) -> tuple[float, float]:
    """FIRST_FRAME (or `frame`, a script like it) as a fresh process: (seconds to its
    exit, resident MB)."""
    env = {**env, "FUNNEL_CONFIG": env.get("FUNNEL_CONFIG") or str(_no_backups_config())}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", frame or FIRST_FRAME, *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=120,
    )
    seconds = time.perf_counter() - start
    rss = float(done.stderr.strip().splitlines()[-1].split()[1])
    return seconds, rss


def cold_starts(
    target: str, env: dict, starts: int, screen: str = "leads", size: tuple[int, int] = (80, 24)
) -> tuple[list[float], list[float], list[float], list[float]]:
    """`starts` cold starts of funnel on `screen` and of the bare app, alternating, after
    one to warm the page cache: (funnel seconds, bare seconds, funnel MB, bare MB)."""
    import compileall

    # Byte-code as an installed package has it (pip compiles on install); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would compile every module at every start.
    compileall.compile_dir(REPO / "funnel_tui", quiet=1)
    args = [target, screen, *map(str, size)]
    _start_once(["funnel", *args], env)
    ours, bare, ours_rss, bare_rss = [], [], [], []
    for _ in range(starts):
        seconds, rss = _start_once(["funnel", *args], env)
        ours.append(seconds)
        ours_rss.append(rss)
        seconds, rss = _start_once(["bare", *args], env)
        bare.append(seconds)
        bare_rss.append(rss)
    return ours, bare, ours_rss, bare_rss


async def search_and_save(
    target: str, folder: str, typed: Sequence[str], saves: int, first: int = 0
) -> tuple[list[float], list[float]]:
    """(search keystroke times, capture save times) in the TUI on `target` at 80×24:
    each key of `typed` until the list shows its answer, then `saves` saves from ctrl+s
    to the cleared form. Saves are numbered from `first`: no two alike, as a duplicate
    would stop at its warning."""
    from funnel_tui.config import load_config
    from funnel_tui.config.settings import BackupPolicy
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.tui.app import FunnelApp
    from funnel_tui.tui.widgets.lead_table import LeadTable

    open_database(target)
    app = FunnelApp(
        config=dataclasses.replace(load_config(), backups=BackupPolicy(automatic=False)),
        target=target,
        user="bench",
        drafts=DraftStore("bench", Path(folder) / "drafts"),
    )
    save_times, search_times = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Search: each keystroke until the table shows the new query's answer.
        table = app.screen.query_one(LeadTable)
        await pilot.press("slash")
        for text in typed:
            await pilot.press("ctrl+u")
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)  # the cleared search's counts, after their pause
            for char in text:
                generation = table.generation
                start = time.perf_counter()
                send_key(app, "space" if char == " " else char, char)
                # A minute: a search that takes seconds is measured, not a failed run.
                shown = await until(lambda g=generation: table.generation > g, timeout=60, app=app)
                search_times.append(shown - start)
        # Save: from ctrl+s to the cleared form, with the values already typed.
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        name = screen.query_one("#f-name")
        for index in range(saves):
            number = first + index
            name.value = f"Bench Save {number}"
            screen.query_one("#f-email").value = f"bench.save.{number}@bench-funnel.example"
            screen.query_one("#f-phone").value = f"+43 664 {2000000 + number:07d}"
            start = time.perf_counter()
            send_key(app, "ctrl+s")
            save_times.append(await until(lambda: name.value == "", timeout=60, app=app) - start)
    close_database()
    return search_times, save_times


# ------------------------------------------------------- the settled first screen

# What a rep sees: `funnel` started as they type it, in a pseudo-terminal, until the
# screen goes quiet. The figure is the time from the start of the process to the last
# byte it wrote before QUIET_SECONDS without a byte, and only once the screen (read back
# through a VT emulator) shows what the first screen must show: a start that went quiet
# before its counts were on the screen has not settled, and is waited for further.
QUIET_SECONDS = 0.4
LATE_SECONDS = 1.0  # watched after settling: a start that writes again is reported

BARE_APP = r"""
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("funnel")

Bare().run()
"""


@dataclass(frozen=True)
class Settled:
    seconds: float  # from the start of the process to the last byte before the quiet
    late: float | None  # seconds after settling that it wrote again (None: it did not)
    screen: str  # what the terminal showed when it settled


def settled_once(argv: list[str], env: dict, size: tuple[int, int], shows) -> Settled:
    """Start `argv` in a pseudo-terminal of `size` and read it until it settles with
    `shows(screen_text)` true; then leave it (ctrl+q, then a kill)."""
    import fcntl
    import os
    import pty
    import select
    import signal
    import struct
    import termios

    import pyte

    columns, rows = size
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on the pty's other end
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.chdir(REPO)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    last = settled = None
    text = ""
    deadline = start + 60
    try:
        while time.perf_counter() < deadline:
            wait = 30 if last is None else (QUIET_SECONDS if settled is None else LATE_SECONDS)
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                if settled is not None:
                    break  # quiet for LATE_SECONDS after settling
                text = "\n".join(screen.display)
                if last is not None and shows(text):
                    settled = last
                continue  # quiet but not all shown yet: it has not settled
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child is gone
                break
            if not chunk:
                break
            stream.feed(chunk)
            if settled is not None:
                return Settled(settled - start, time.perf_counter() - settled, text)
            last = time.perf_counter()
        if settled is None:
            raise TimeoutError(f"the screen never showed all it should:\n{text}")
        return Settled(settled - start, None, text)
    finally:
        with contextlib.suppress(OSError):
            os.write(fd, b"\x11")  # ctrl+q
        end = time.monotonic() + 3
        while time.monotonic() < end and not os.waitpid(pid, os.WNOHANG)[0]:
            with contextlib.suppress(OSError):
                if select.select([fd], [], [], 0.05)[0]:
                    os.read(fd, 65536)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


def settled_starts(
    target: str,
    env: dict,
    starts: int,
    shows,
    screen: str = "leads",
    size: tuple[int, int] = (80, 24),
) -> tuple[list[Settled], list[Settled]]:
    """`starts` starts of `funnel --db TARGET --screen SCREEN` (as `python -m funnel_tui`,
    what the `funnel` script runs) and of the bare app with one label, alternating, after
    one of each to warm the page cache: (funnel's, the bare app's). `shows(text)` says
    whether funnel's screen shows all it must."""
    import compileall

    compileall.compile_dir(REPO / "funnel_tui", quiet=1)  # as pip installs it
    env = {
        **env,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "FUNNEL_CONFIG": env.get("FUNNEL_CONFIG") or str(_no_backups_config()),
    }
    ours_argv = [sys.executable, "-m", "funnel_tui", "--db", target, "--screen", screen]
    bare_argv = [sys.executable, "-c", BARE_APP]
    bare_shows = lambda text: "funnel" in text  # noqa: E731
    settled_once(ours_argv, env, size, shows)
    settled_once(bare_argv, env, size, bare_shows)
    ours, bare = [], []
    for _ in range(starts):
        ours.append(settled_once(ours_argv, env, size, shows))
        bare.append(settled_once(bare_argv, env, size, bare_shows))
    return ours, bare


def list_settled(text: str) -> bool:
    """The lead list's first screen is all there: the count beside the search, a count
    on each status, the top line's Today counts, and rows."""
    lines = text.split("\n")
    return (
        "shown" in lines[1]
        and sum(any(ch.isdigit() for ch in part) for part in lines[3].split("   ")) >= 4
        and "ctrl+t" in lines[0]
        and any(ch.isalpha() for ch in lines[5])
    )


def print_table(table: dict) -> None:
    """`table[label][(engine, leads)] = (measured, floor)` as one line per figure and a
    column per engine and size: measured / floor (ratio)."""
    columns = sorted({column for row in table.values() for column in row})
    head = "".join(f"{engine[:6]} {leads // 1000:>5}k".rjust(24) for engine, leads in columns)
    print(f"\n{'ms: measured / floor (ratio)':<34}{head}")
    for label, row in table.items():
        cells = "".join(
            (
                f"{row[c][0]:,.0f} / {row[c][1]:,.0f} ({row[c][0] / row[c][1]:.2f}×)"
                if c in row
                else "—"
            ).rjust(24)
            for c in columns
        )
        print(f"{label:<34}{cells}")
    print()


def scale_targets(name: str, folder: str):
    """(engine, leads, target) for each engine and size the run asks for
    (FUNNEL_BENCH_ENGINES, FUNNEL_BENCH_SIZES): a copy of the kept demo to write on. A
    SQLite copy is deleted once the next one is asked for; PostgreSQL is left out, and
    said, where its binaries are not."""
    import os
    from pathlib import Path

    import demo_cache

    sizes = os.environ.get("FUNNEL_BENCH_SIZES", "10000,100000,1000000").split(",")
    sizes = [int(n) for n in sizes]
    engines = os.environ.get("FUNNEL_BENCH_ENGINES", "sqlite,postgres").split(",")
    for engine in engines:
        for leads in sizes:
            if engine == "sqlite":
                target = demo_cache.sqlite_copy(leads, folder)
            else:
                try:
                    target = _kept_postgres(demo_cache, f"{name}_{leads}", leads)
                except Exception as exc:  # no server binaries: said, not hidden
                    print(f"  PostgreSQL figures left out: {exc}", file=sys.stderr)
                    break
            print(f"  {engine} {leads:,} leads …", file=sys.stderr, flush=True)
            yield engine, leads, target
            if engine == "sqlite":
                Path(target).unlink(missing_ok=True)


def _kept_postgres(demo_cache, name: str, leads: int, tries: int = 20) -> str:
    """demo_cache.postgres_demo, waiting while another bench (another worktree's) has
    the kept server up: it stops it when it is done."""
    private_postgres()
    for attempt in range(tries):
        try:
            return demo_cache.postgres_demo(leads, name)
        except Exception as exc:
            if "another server might be running" not in str(exc) or attempt == tries - 1:
                raise
            print("  the kept PostgreSQL server is in use: waiting", file=sys.stderr, flush=True)
            time.sleep(30)
    raise AssertionError("unreachable")


def private_postgres() -> None:
    """With FUNNEL_BENCH_PG_ROOT set, demo_cache's PostgreSQL demos live on a kept server
    of this run's own in that folder (built there once), not on the shared one: benches
    of several worktrees then never wait for each other's server, nor stop it under
    each other."""
    import atexit
    import os
    import shutil
    from pathlib import Path

    import demo_cache

    folder = os.environ.get("FUNNEL_BENCH_PG_ROOT")
    if not folder or demo_cache._server is not None:
        return
    sys.path.insert(0, str(REPO))
    from tests.pg_server import PostgresServer

    root = Path(folder)

    class Kept(PostgresServer):
        def __init__(self) -> None:
            super().__init__()
            shutil.rmtree(self.root, ignore_errors=True)
            self.root, self.data = root, root / "data"
            root.mkdir(parents=True, exist_ok=True)
            if self.run_as:
                shutil.chown(root, user=self.run_as)
                os.chmod(root, 0o755)

    kept = demo_cache._KeptServer.__new__(demo_cache._KeptServer)
    kept.server = Kept()
    if (kept.server.data / "PG_VERSION").exists():
        kept.server.resume()
    else:
        kept.server.start()
    demo_cache._server = kept
    atexit.register(kept.stop)


def kept_demos(name: str, engines, sizes, copy_into=None):
    """(engine, leads, target) of each kept demo asked for (demo_cache): on SQLite the
    kept file itself, or a copy in `copy_into` for a bench that writes; on PostgreSQL a
    copy named `name`_leads. PostgreSQL is left out, said, without its binaries."""
    import demo_cache

    for engine in engines:
        for leads in sizes:
            if engine == "sqlite":
                if copy_into is None:
                    yield engine, leads, str(demo_cache.sqlite_demo(leads))
                else:
                    yield engine, leads, demo_cache.sqlite_copy(leads, copy_into)
                continue
            try:
                target = demo_cache.postgres_demo(leads, f"{name}_{leads}")
            except Exception as exc:  # no server binaries: said, not hidden
                print(f"  PostgreSQL figures left out: {exc}", file=sys.stderr)
                break
            yield engine, leads, target


def print_size_table(table: dict, title: str, cell=lambda value: f"{value:,.0f}", width=14):
    """{label: {(engine, leads): value}} as one line per label and one column per engine
    and size, `cell` writing a value."""
    columns = sorted({column for row in table.values() for column in row})
    label_width = max(len(title), *(len(label) for label in table)) + 2
    head = "".join(f"{engine[:6]} {leads // 1000:>5}k".rjust(width) for engine, leads in columns)
    print(f"\n{title:<{label_width}}{head}")
    for label, row in table.items():
        cells = "".join((cell(row[c]) if c in row else "—").rjust(width) for c in columns)
        print(f"{label:<{label_width}}{cells}")
    print()
