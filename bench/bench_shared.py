"""A team on one SQLite file (issue 7).

- Throughput of acknowledged operations with 4 processes × 500 mixed operations
  (capture, edit the same hot leads, move the same deals, log activities: the stress
  test's workers, tests/stress_worker.py) against the same 2,000 operations run by one
  process alone, in the same run. Goal: ≥ 50 %.
- What live refresh costs an idle instance: a process with the change watcher polling
  once a second against the same process without it, as a share of one core. Goal
  ≤ 1 %. Also the whole idle app (in a terminal) against a bare Textual app.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Figure, check, cost

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "tests" / "stress_worker.py"
PROCESSES, OPERATIONS = 4, 500
IDLE_SECONDS = 20.0


def figures() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="funnel-bench-shared-") as folder:
        results = _throughput(Path(folder))
        results += _idle(Path(folder))
    return results


# ------------------------------------------------------------------ throughput


def _hot(target: str) -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    from tests.test_concurrency import hot_records

    leads, opps = hot_records(target)
    return ",".join(map(str, leads)), ",".join(map(str, opps))


def _run(folder: Path, tag: str, processes: int, operations: int) -> tuple[int, float, int]:
    """(acknowledged operations, seconds from the first start to the last end, errors)."""
    target = str(folder / f"{tag}.db")
    leads, opps = _hot(target)
    outs = [folder / f"{tag}{n}.jsonl" for n in range(processes)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                target,
                f"rep{n}",
                str(operations),
                str(n + 1),
                leads,
                opps,
                str(out),
            ]
        )
        for n, out in enumerate(outs)
    ]
    for worker in workers:
        worker.wait()
    lines = [json.loads(line) for out in outs for line in out.read_text().splitlines()]
    done = [line for line in lines if line["op"] == "done"]
    acked = sum(line["op"] in ("capture", "edit", "move", "log") for line in lines)
    errors = sum(line["op"] == "error" for line in lines)
    span = max(d["ended"] for d in done) - min(d["started"] for d in done)
    return acked, span, errors


def _throughput(folder: Path) -> list[Figure]:
    alone, alone_s, alone_err = _run(folder, "alone", 1, PROCESSES * OPERATIONS)
    shared, shared_s, shared_err = _run(folder, "shared", PROCESSES, OPERATIONS)
    one, four = alone / alone_s, shared / shared_s
    share = four / one
    print(
        f"  one process: {alone} operations in {alone_s:.2f} s ({one:,.0f}/s); "
        f"{PROCESSES} processes: {shared} in {shared_s:.2f} s ({four:,.0f}/s) = {share:.0%}",
        file=sys.stderr,
    )
    return [
        Figure(
            f"{PROCESSES} processes × {OPERATIONS} mixed ops, ops/s",
            four,
            "ops/s",
            one,
            f"the same {PROCESSES * OPERATIONS} operations by one process",
            one / four,
            "≥ 50 % of one process",
            share >= 0.5,
        ),
        check("no error reached a caller", alone_err + shared_err == 0, f"{shared_err} errors"),
    ]


# ------------------------------------------------------------------------ idle

IDLE_PROCESS = """
import resource, sys, time
from funnel_tui.storage.database import open_database
from funnel_tui.live.changes import ChangeWatch
open_database(sys.argv[1])
watch = ChangeWatch("idle", lambda changes: None) if sys.argv[2] == "watch" else None
if watch:
    watch.start()
time.sleep(1)
usage = resource.getrusage(resource.RUSAGE_SELF)
before = usage.ru_utime + usage.ru_stime
time.sleep(float(sys.argv[3]))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_utime + usage.ru_stime - before, watch.polls if watch else 0)
"""

BARE_APP = """
from textual.app import App
from textual.widgets import Label
class Bare(App):
    def compose(self):
        yield Label("bare")
Bare().run()
"""


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _idle_in_terminal(command: list[str], env: dict) -> float:
    """Share of one core an app takes, idle in an 80×24 terminal, after its start."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(command[0], command, {**env, "COLUMNS": "80", "LINES": "24"})
    try:
        _drain(fd, 5.0)  # its start, and the first frames
        before, start = _cpu_of(pid), time.monotonic()
        _drain(fd, IDLE_SECONDS)
        return (_cpu_of(pid) - before) / (time.monotonic() - start)
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def _drain(fd: int, seconds: float) -> None:
    """Read what the app writes to its terminal for `seconds`, as a terminal would."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                time.sleep(min(left, 0.5))  # it closed the terminal


def _idle(folder: Path) -> list[Figure]:
    target = str(folder / "shared.db")  # the stress test's database, at rest now
    measured = {}
    for mode in ("watch", "none"):
        out = subprocess.run(
            [sys.executable, "-c", IDLE_PROCESS, target, mode, str(IDLE_SECONDS)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        measured[mode] = (float(out[0]) / IDLE_SECONDS, int(out[1]))
    watcher = max(0.0, measured["watch"][0] - measured["none"][0]) * 100
    print(
        f"  the watcher polled {measured['watch'][1]} times in {IDLE_SECONDS:.0f} s",
        file=sys.stderr,
    )
    env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder),
        "TERM": "xterm-256color",
    }
    funnel = str(Path(sys.executable).with_name("funnel"))
    app = _idle_in_terminal([funnel, "--db", target, "--user", "idle"], env) * 100
    bare = _idle_in_terminal([sys.executable, "-c", BARE_APP], env) * 100
    return [
        cost(
            "idle instance: CPU the polling adds, % of a core",
            watcher,
            measured["none"][0] * 100,
            "the same process without the watcher, its own CPU",
            "%",
            max_value=1.0,
        ),
        cost(
            "idle app in a terminal, % of a core",
            app,
            bare,
            "bare Textual app, idle in the same terminal",
            "%",
            max_value=round(bare + 1.0, 2),
        ),
    ]
