"""Issue 2 figures: start-up of the CLI and capturing a lead into a 100,000-lead demo database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from common import check, cost, median, percentile, timed, wall_time

PYTHON = sys.executable
FUNNEL = str(Path(PYTHON).parent / "funnel")
DEMO_LEADS = 100_000
ADD_SAMPLES = 400
STARTUP_RUNS = 15


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-") as folder:
        env = {**os.environ, "FUNNEL_DB": str(Path(folder) / "cli.db"), "FUNNEL_USER": "bench"}
        _new_database(env["FUNNEL_DB"])  # `funnel list` refuses a path where none is
        results = _startup(env)
        results += _imports(env)
        db_path = str(Path(folder) / "demo.db")
        _demo(db_path)
        results += _add(db_path, folder)
    return results


def _startup(env):
    """`funnel --help` against `python -c "import peewee"`, interleaved runs, medians."""
    ours, floor = [], []
    wall_time([FUNNEL, "--help"], env)  # warm the file cache for both
    wall_time([PYTHON, "-c", "import peewee"], env)
    for _ in range(STARTUP_RUNS):
        ours.append(wall_time([FUNNEL, "--help"], env))
        floor.append(wall_time([PYTHON, "-c", "import peewee"], env))
    return [
        cost(
            "funnel --help wall time",
            median(ours) * 1000,
            median(floor) * 1000,
            "python -c 'import peewee'",
            "ms",
            max_ratio=1.5,
        )
    ]


def _imports(env):
    """Which heavy modules `funnel --help` and `funnel list` load."""
    code = (
        "import sys\nfrom funnel_tui.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(int('textual' in sys.modules), file=sys.stderr)\n"
    )
    out = []
    for argv in (["--help"], ["list"]):
        result = subprocess.run(
            [PYTHON, "-c", code, *argv], env=env, capture_output=True, text=True, check=True
        )
        loaded = result.stderr.strip().splitlines()[-1] == "1"
        out.append(
            check(
                f"funnel {argv[0]} does not import Textual",
                not loaded,
                "Textual loaded" if loaded else "no Textual",
            )
        )
    return out


def _new_database(path: str) -> None:
    from funnel_tui.storage.new_database import create_database

    create_database(Path(path))


def _demo(db_path):
    """The 100,000-lead database the capture figures run on. The demo's own pace is
    measured in bench_demo.py, against the same rows written raw."""
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage.database import close_database, open_database

    summary = generate_demo(open_database(db_path), load_config(), leads=DEMO_LEADS, user="bench")
    close_database()
    print(f"  demo {DEMO_LEADS:,} leads in {summary.seconds:.2f} s", file=sys.stderr)


def _add_inputs(count):
    # Austrian mobile numbers: a region the demo data does not use, so no input is a
    # duplicate of a demo lead and every add takes the full path.
    return [
        {
            "name": f"Bench Lead {i}",
            "company": f"Bench Company {i % 40}",
            "phone": f"0664 {1000000 + i:07d}",
            "country": "AT",
            "email": f"bench.{i}@bench-funnel.example",
            "source": "Trade show",
        }
        for i in range(count)
    ]


def _add(db_path, folder):
    """One capture into the 100k-lead database, in process, against validate + raw insert."""
    from funnel_tui.config import load_config
    from funnel_tui.core import validators as v
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    inputs = _add_inputs(ADD_SAMPLES + 20)
    open_database(db_path)
    rules = Funnel(load_config(), "bench")
    for data in inputs[:20]:  # warm up: metadata, prepared statements, page cache
        rules.capture_lead(data)
    ours = [timed(lambda d=data: rules.capture_lead(d)) for data in inputs[20:]]
    close_database()

    conn = sqlite3.connect(str(Path(folder) / "floor.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE lead (id INTEGER PRIMARY KEY, name TEXT, phone TEXT, email TEXT)")

    def floor_once(data):
        phone = v.check_phone(data["phone"], data["country"]).value
        email = v.check_email(data["email"]).value
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO lead (name, phone, email) VALUES (?, ?, ?)", (data["name"], phone, email)
        )
        conn.execute("COMMIT")

    for data in inputs[:20]:
        floor_once(data)
    floor = [timed(lambda d=data: floor_once(d)) for data in inputs[20:]]
    conn.close()
    return [
        cost(
            "funnel add into 100k leads, median",
            median(ours) * 1000,
            median(floor) * 1000,
            "validate + raw sqlite3 insert + commit",
            "ms",
            max_value=2,
            max_ratio=8,
        ),
        cost(
            "funnel add into 100k leads, p95",
            percentile(ours, 95) * 1000,
            percentile(floor, 95) * 1000,
            "validate + raw sqlite3 insert + commit",
            "ms",
        ),
    ]
