"""Several funnel processes writing one database at once: no "database is locked", no
lost or half-written change, and a history that accounts for every one."""

from __future__ import annotations

import itertools
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, History, Lead, Opportunity, StageChange

from .stress_worker import BATCH_SIZE

# Processes racing on one database: what they write is checked, not when (.ci/run leaves
# these out of its runs under shifted clocks).
pytestmark = pytest.mark.clock_free

WRITER = """
import sys
from funnel_tui.config import load_config
from funnel_tui.storage.database import open_database
from funnel_tui.rules.funnel import Funnel

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


# ------------------------------------------------------------------ the stress test

WORKER = str(Path(__file__).with_name("stress_worker.py"))
PROCESSES, OPERATIONS = 4, 500


def hot_records(target: str, leads: int = 3, deals: int = 2) -> tuple[list[int], list[int]]:
    """Leads and deals every worker edits, moves and logs on: made by "setup"."""
    open_database(target)
    rules = Funnel(load_config(), "setup")
    lead_ids, opp_ids = [], []
    for n in range(leads + deals):
        lead = rules.capture_lead(
            {"name": f"Hot {n}", "email": f"hot{n}@example.com", "source": "Referral"}
        )
        if n < leads:
            lead_ids.append(lead.id)
            continue
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(lead.id, item, "yes")
        rules.promote(lead.id)
        opp_ids.append(rules.convert(lead.id, amount="1000", currency="EUR").id)
    close_database()
    return lead_ids, opp_ids


def run_workers(target, tmp_path, leads, opps, processes, operations, tag="w") -> list[dict]:
    """`processes` workers at once, `operations` each; every line they wrote."""
    outs = [tmp_path / f"{tag}{n}.jsonl" for n in range(processes)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                WORKER,
                target,
                f"rep{n}",
                str(operations),
                str(n + 1),
                ",".join(map(str, leads)),
                ",".join(map(str, opps)),
                str(out),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, out in enumerate(outs)
    ]
    errors = [w.communicate(timeout=600)[1] for w in workers]
    assert [w.returncode for w in workers] == [0] * processes, errors
    lines = []
    for n, out in enumerate(outs):
        lines += [{**json.loads(line), "who": f"rep{n}"} for line in out.read_text().splitlines()]
    return lines


@pytest.mark.slow
def test_four_processes_of_mixed_operations_lose_nothing(db_target, tmp_path):
    leads, opps = hot_records(db_target)
    lines = run_workers(db_target, tmp_path, leads, opps, PROCESSES, OPERATIONS)
    errors = [line for line in lines if line["op"] == "error"]
    assert errors == [], errors[0]["trace"]
    acked = [line for line in lines if line["op"] in ("capture", "edit", "move", "log")]
    assert len(acked) == PROCESSES * OPERATIONS
    open_database(db_target)

    # Every acknowledged capture and activity is there.
    captures = [a for a in acked if a["op"] == "capture"]
    stored = dict(Lead.select(Lead.email_norm, Lead.id).where(Lead.id.not_in(leads)).tuples())
    assert {a["email"]: a["id"] for a in captures}.items() <= stored.items()
    logs = [a for a in acked if a["op"] == "log"]
    notes = dict(Activity.select(Activity.id, Activity.note).tuples())
    assert all(notes.get(a["id"]) == a["note"] for a in logs)

    # Each hot field holds a value someone wrote, and the last one the history has.
    edits = [a for a in acked if a["op"] == "edit"]
    for lead_id in leads:
        lead = Lead.get_by_id(lead_id)
        for field in ("title", "notes", "name"):
            written = {a["value"] for a in edits if a["id"] == lead_id and a["field"] == field}
            entries = list(
                History.select()
                .where(
                    (History.entity == "lead")
                    & (History.entity_id == lead_id)
                    & (History.action == "update")
                    & (History.field == field)
                )
                .order_by(History.id)
            )
            # The history accounts for every acknowledged edit, once, by whom made it.
            assert sorted(e.new for e in entries) == sorted(written)
            if written:
                assert getattr(lead, field) in written
                assert getattr(lead, field) == entries[-1].new
            # Each entry's old value is the one before it: no write went unrecorded.
            for before, after in itertools.pairwise(entries):
                assert after.old == before.new
        changes = History.select().where(
            (History.entity == "lead")
            & (History.entity_id == lead_id)
            & History.version.is_null(False)
        )
        assert lead.version == max(h.version for h in changes)

    # Each deal stands where its last acknowledged move put it, and every move is in
    # its stage history and in the history.
    moves = [a for a in acked if a["op"] == "move"]
    for opp_id in opps:
        opp = Opportunity.get_by_id(opp_id)
        mine = [a for a in moves if a["id"] == opp_id]
        recorded = list(
            History.select()
            .where(
                (History.entity == "opportunity")
                & (History.entity_id == opp_id)
                & (History.action == "move")
                & (History.field == "stage")
            )
            .order_by(History.id)
        )
        assert len(recorded) == len(mine)
        assert (
            StageChange.select().where(StageChange.opportunity == opp_id).count() == len(mine) + 1
        )
        if mine:
            assert opp.stage == recorded[-1].new
            assert opp.stage in {a["stage"] for a in mine}
        for before, after in itertools.pairwise(recorded):
            assert after.old == before.new
    close_database()


def test_a_writer_killed_mid_transaction_leaves_every_commit_and_nothing_half_done(
    sqlite_path, tmp_path
):
    open_database(sqlite_path).close()
    out = tmp_path / "kill.jsonl"
    worker = subprocess.Popen(
        [sys.executable, WORKER, sqlite_path, "victim", "0", "1", "", "", str(out), "batch"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        # Let it commit a few transactions; it spends most of its time inside one.
        while time.monotonic() < deadline and (
            not out.exists() or len(out.read_text().splitlines()) < 5
        ):
            time.sleep(0.02)
        time.sleep(0.013)
    finally:  # killed whatever happened here: it would write on until stopped
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    acked = [json.loads(line)["batch"] for line in out.read_text().splitlines()]
    assert len(acked) >= 5

    raw = sqlite3.connect(sqlite_path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    names = [row[0] for row in raw.execute("SELECT name FROM lead")]
    batches = {}
    for name in names:
        batch = int(name.split()[2])
        batches[batch] = batches.get(batch, 0) + 1
    # Every acknowledged batch is there whole; any other is whole or absent.
    assert all(batches.get(b) == BATCH_SIZE for b in acked)
    assert set(batches.values()) == {BATCH_SIZE}
    # Each lead's creation is in the history, and the search index has every lead.
    assert raw.execute("SELECT COUNT(*) FROM history WHERE action = 'create'").fetchone()[0] == len(
        names
    )
    raw.close()
    # The next funnel opens it and writes on.
    open_database(sqlite_path)
    Funnel(load_config(), "next").capture_lead({"name": "After", "email": "after@example.com"})
    assert Lead.select().count() == len(names) + 1
    close_database()
