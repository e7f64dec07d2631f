"""Several funnel processes writing one SQLite file at once: no 'database is locked'."""

from __future__ import annotations

import subprocess
import sys

from funnel_tui.db import open_database
from funnel_tui.models import History, Lead

WRITER = """
import sys
from funnel_tui.config import load_config
from funnel_tui.db import open_database
from funnel_tui.funnel import Funnel

path, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
open_database(path)
rules = Funnel(load_config(), who)
for i in range(count):
    lead = rules.capture_lead({"name": f"{who} {i}", "email": f"{who}.{i}@example.com"})
    # A read-then-write transaction: the kind that fails under a deferred BEGIN.
    rules.answer(lead.id, "need", "yes", evidence="asked")
    rules.update_lead(lead.id, {"title": "Buyer"}, expected_version=1)
"""


def test_four_processes_write_one_file_without_lock_errors(sqlite_path):
    open_database(sqlite_path).close()  # create the schema once, as the first user would
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, sqlite_path, f"rep{n}", "60"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0, 0], errors
    open_database(sqlite_path)
    assert Lead.select().count() == 240
    assert Lead.select().where(Lead.version == 2).count() == 240
    # Each lead: create, the need answer and its evidence, the title — all kept.
    assert History.select().where(History.entity == "lead").count() == 240 * 4
