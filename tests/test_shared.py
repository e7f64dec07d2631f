"""A team on one database: edits merged field by field, stale edits refused with what
changed, undo, the history on the command line, presence, change detection, busy
retries, file modes, and the copy to PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import peewee
import pytest

from funnel_tui.core.errors import Busy, DatabaseError, Refused, StaleEdit
from funnel_tui.live import presence
from funnel_tui.live.changes import ChangeWatch
from funnel_tui.read.history import history_entries
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage import database as dbmod
from funnel_tui.storage.copy import copy_database
from funnel_tui.storage.database import close_database, is_busy, open_database, retry_writes
from funnel_tui.storage.models import History, Lead, Opportunity, Presence, database

ANNA = {"name": "Anna Kowalska", "email": "anna@kowalski.pl", "source": "Referral"}


def _deal(rules: Funnel) -> Opportunity:
    lead = rules.capture_lead({"name": "Deal Person", "email": "deal@example.com"})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    return rules.convert(lead.id, amount="5000", currency="EUR")


# ------------------------------------------------------------- no lost updates


def test_edits_to_different_fields_of_one_lead_both_survive(db, config):
    alice, bob = Funnel(config, "alice"), Funnel(config, "bob")
    lead = alice.capture_lead(ANNA)
    bob.update_lead(lead.id, {"title": "COO"}, expected_version=1)
    alice.update_lead(lead.id, {"notes": "met at the fair"}, expected_version=1)  # stale copy
    stored = Lead.get_by_id(lead.id)
    assert (stored.title, stored.notes, stored.version) == ("COO", "met at the fair", 3)
    # Both are in the history, each with who made it.
    made = {(h.user.login, h.field) for h in History.select().where(History.action == "update")}
    assert made == {("bob", "title"), ("alice", "notes")}


def test_a_stale_edit_of_the_same_field_is_refused_naming_who_changed_what(db, config):
    alice, bob = Funnel(config, "alice"), Funnel(config, "bob")
    lead = alice.capture_lead(ANNA)
    bob.update_lead(lead.id, {"title": "COO", "notes": "x"}, expected_version=1)
    with pytest.raises(StaleEdit) as stale:
        alice.update_lead(lead.id, {"title": "CEO", "source": "Web form"}, expected_version=1)
    assert stale.value.fields == ("title",)
    assert "changed by bob meanwhile (title)" in str(stale.value.problems[0])
    assert {(c["user"], c["field"], c["new"]) for c in stale.value.changes} == {
        ("bob", "title", "COO"),
        ("bob", "notes", "x"),
    }
    stored = Lead.get_by_id(lead.id)
    assert (stored.title, stored.source) == ("COO", "Referral")  # nothing of alice's
    # The same value someone else already saved is no clash.
    alice.update_lead(lead.id, {"title": "COO", "source": "Web form"}, expected_version=1)
    assert Lead.get_by_id(lead.id).source == "Web form"


def test_a_status_set_on_a_stale_copy_keeps_the_others_field_edits(db, config):
    alice, bob = Funnel(config, "alice"), Funnel(config, "bob")
    lead = alice.capture_lead(ANNA)
    bob.update_lead(lead.id, {"title": "COO"}, expected_version=1)
    alice.set_status(lead.id, "working", expected_version=1)
    stored = Lead.get_by_id(lead.id)
    assert (stored.title, stored.status) == ("COO", "working")
    bob.set_status(lead.id, "unqualified", reason="no budget", expected_version=3)
    with pytest.raises(StaleEdit):
        alice.set_status(lead.id, "new", expected_version=3)


def test_a_move_on_a_card_someone_moved_meanwhile_is_refused(db, config):
    alice, bob = Funnel(config, "alice"), Funnel(config, "bob")
    opp = _deal(alice)
    bob.move(opp.id, "Proposal", expected_version=opp.version)
    with pytest.raises(StaleEdit) as stale:
        alice.move(opp.id, "Needs analysis", expected_version=opp.version)
    assert stale.value.fields == ("stage",)
    assert Opportunity.get_by_id(opp.id).stage == "Proposal"


# ----------------------------------------------------------------------- undo


def test_undo_takes_back_my_last_edit_and_is_itself_recorded(db, config):
    alice = Funnel(config, "alice")
    lead = alice.capture_lead({**ANNA, "phone": "+48 512 345 678"})
    alice.update_lead(lead.id, {"title": "CTO", "phone": "+48 600 100 200", "name": "Anna K."})
    undone = alice.undo_last("lead", lead.id)
    stored = Lead.get_by_id(lead.id)
    assert (stored.title, stored.name, stored.phone_e164) == ("", "Anna Kowalska", "+48512345678")
    assert stored.phone_display == "+48 512 345 678" and stored.name_key == "anna kowalska"
    assert 'name back to "Anna Kowalska"' in undone.summary()
    last = History.select().order_by(History.id.desc()).first()
    assert (last.action, last.user.login) == ("undo", "alice")
    # Undoing the undo puts the edit back.
    alice.undo_last("lead", lead.id)
    assert Lead.get_by_id(lead.id).title == "CTO"


def test_undo_is_refused_when_someone_changed_those_fields_since(db, config):
    alice, bob = Funnel(config, "alice"), Funnel(config, "bob")
    lead = alice.capture_lead(ANNA)
    alice.update_lead(lead.id, {"title": "CTO"})
    bob.update_lead(lead.id, {"title": "CFO"})
    with pytest.raises(Refused, match="bob changed the title of lead #1 since"):
        alice.undo_last("lead", lead.id)
    assert Lead.get_by_id(lead.id).title == "CFO"
    # A change to another field does not stand in the way.
    alice.update_lead(lead.id, {"notes": "n"})
    bob.update_lead(lead.id, {"source": "Web form"})
    alice.undo_last()
    assert (Lead.get_by_id(lead.id).notes, Lead.get_by_id(lead.id).source) == ("", "Web form")


def test_undo_of_status_answers_and_deal_moves(db, config):
    alice = Funnel(config, "alice")
    lead = alice.capture_lead(ANNA)
    alice.set_status(lead.id, "unqualified", reason="student")
    alice.undo_last("lead", lead.id)
    assert (Lead.get_by_id(lead.id).status, Lead.get_by_id(lead.id).unqualified_reason) == (
        "new",
        "",
    )
    alice.answer(lead.id, "need", "yes", evidence="fleet on paper")
    alice.undo_last("lead", lead.id)
    assert alice.score(lead.id).item("need").answer == "unknown"
    opp = _deal(alice)
    alice.move(opp.id, "Proposal")
    alice.undo_last("opportunity", opp.id)
    assert Opportunity.get_by_id(opp.id).stage == "Qualification"
    alice.win(opp.id)
    alice.undo_last("opportunity", opp.id)
    won_back = Opportunity.get_by_id(opp.id)
    assert (won_back.state, won_back.stage) == ("open", "Qualification")
    assert Lead.get_by_id(won_back.lead_id).level == "opportunity"


def test_undo_says_what_it_cannot_take_back(db, config):
    alice, bob = Funnel(config, "alice"), Funnel(config, "bob")
    with pytest.raises(Refused, match="no change to undo"):
        alice.undo_last()
    lead = alice.capture_lead(ANNA)
    with pytest.raises(Refused, match="a record once made is kept"):
        alice.undo_last()
    alice.log_activity(lead_id=lead.id, kind="call", outcome="reached")
    with pytest.raises(Refused, match="stays"):
        alice.undo_last()
    with pytest.raises(Refused, match="no change to undo on lead #1"):
        bob.undo_last("lead", lead.id)


# ------------------------------------------------------------ history, the CLI


def test_history_lists_a_lead_with_its_deals_by_user_and_since(db, config):
    t0 = dt.datetime(2026, 11, 1, 9)
    alice = Funnel(config, "alice", lambda: t0)
    bob = Funnel(config, "bob", lambda: t0 + dt.timedelta(days=10))
    lead = alice.capture_lead(ANNA)
    other = alice.capture_lead({"name": "Other", "email": "o@example.com"})
    bob.update_lead(lead.id, {"title": "COO"})
    bob.update_lead(other.id, {"title": "CEO"})
    mine = history_entries(lead_id=lead.id)
    assert [(e.user, e.action) for e in mine] == [("alice", "create"), ("bob", "update")]
    assert [e.entity_id for e in history_entries(user="bob")] == [lead.id, other.id]
    since = history_entries(since=t0 + dt.timedelta(days=5))
    assert {e.user for e in since} == {"bob"}


def test_history_and_undo_on_the_command_line(cli_env, tmp_path):
    def funnel(*args, user="carol"):
        env = {**cli_env, "FUNNEL_USER": user}
        return subprocess.run(
            [sys.executable, "-m", "funnel_tui", *args], env=env, capture_output=True, text=True
        )

    assert funnel("add", "--name", "Anna", "--email", "anna@example.com").returncode == 0
    assert funnel("update", "1", "--title", "CTO", user="dave").returncode == 0
    table = funnel("history", "1").stdout
    assert "carol" in table and "CTO" in table and "dave" in table
    rows = json.loads(
        funnel("history", "--user", "dave", "--since", "today", "--format", "json").stdout
    )
    assert [(r["user"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("dave", "title", "", "CTO")
    ]
    assert json.loads(funnel("history", "--since", "2099-01-01", "--format", "json").stdout) == []
    bad = funnel("history", "--since", "soonish")
    assert bad.returncode == 1 and "since: 'soonish' is not a date" in bad.stderr
    assert "nobody called 'zed'" in funnel("history", "--user", "zed").stderr
    refused = funnel("undo")  # carol's last change is the capture
    assert refused.returncode == 1 and "a record once made is kept" in refused.stderr
    done = funnel("undo", "1", user="dave")
    assert done.returncode == 0 and "title back to empty" in done.stdout


# ------------------------------------------------------------------ presence


def test_presence_lists_the_others_and_forgets_the_dead(db):
    now = dt.datetime(2026, 11, 23, 12)
    presence.announce("a", "anna", now=now)
    presence.announce("b", "bob", "lead", 12, editing=True, now=now)
    presence.announce("c", "carol", "lead", 12, now=now - dt.timedelta(minutes=5))  # crashed
    seen = presence.others("a", now)
    assert presence.users_here(seen) == ["bob"]
    assert [(s.login, s.editing) for s in presence.on_record(seen, "lead", 12)] == [("bob", True)]
    presence.announce("b", "bob", now=now)  # left the record
    assert presence.on_record(presence.others("a", now), "lead", 12) == []
    presence.leave("b")
    assert presence.others("a", now) == ()
    assert presence.forget_dead(now + dt.timedelta(days=2)) == 2  # a and c


def test_the_watcher_hears_others_writes_and_presence_within_a_poll(db_target, config):
    open_database(db_target)
    heard: list = []
    arrived = threading.Event()

    def on_change(changes):
        heard.append(changes)
        arrived.set()

    watch = ChangeWatch("anna", on_change, interval=0.05)
    watch.start()
    try:
        rules = Funnel(config, "bob")
        lead = rules.capture_lead(ANNA)
        assert arrived.wait(5)
        assert any(c.touches("lead", lead.id) for c in heard)
        heard.clear()
        arrived.clear()
        rules.log_activity(lead_id=lead.id, kind="call", outcome="reached")
        assert arrived.wait(5) and any(c.touches("lead", lead.id) for c in heard)
        heard.clear()
        arrived.clear()
        presence.announce("elsewhere", "bob", "lead", lead.id, editing=True)
        assert arrived.wait(5)
        others = next(c.others for c in heard if c.others is not None)
        assert [(s.login, s.entity_id, s.editing) for s in others] == [("bob", lead.id, True)]
        watch.show("lead", lead.id)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            row = Presence.get_or_none(Presence.instance == watch.instance)
            if row is not None and row.entity_id == lead.id:
                break
        assert row is not None and (row.login, row.entity, row.entity_id) == (
            "anna",
            "lead",
            lead.id,
        )
        # An idle database: polls go on, nothing is heard.
        heard.clear()
        polls = watch.polls
        threading.Event().wait(0.5)
        assert watch.polls > polls and heard == []
    finally:
        watch.stop()
    assert Presence.get_or_none(Presence.instance == watch.instance) is None  # left
    close_database()


# -------------------------------------------------------------- busy database


def test_a_write_waits_for_a_short_lock_and_reports_a_long_one(sqlite_path, config, monkeypatch):
    open_database(sqlite_path)
    rules = Funnel(config, "anna")
    _ = rules.user_id
    blocker = sqlite3.connect(sqlite_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.3, blocker.execute, ("ROLLBACK",))
    timer.start()
    rules.capture_lead(ANNA)  # waits out the other writer within the busy timeout
    timer.join()
    blocker.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)
    database.obj.execute_sql("PRAGMA busy_timeout = 300")
    try:
        with pytest.raises(Busy, match="stayed busy"):
            rules.capture_lead({"name": "Bert", "email": "bert@example.com"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert Lead.select().count() == 1
    close_database()


def test_retry_writes_runs_a_busy_transaction_again(sqlite_path):
    open_database(sqlite_path)
    calls = []

    @retry_writes
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise peewee.OperationalError("database is locked")
        return "done"

    assert flaky() == "done" and len(calls) == 3

    @retry_writes
    def broken():
        raise peewee.OperationalError("no such table: nowhere")

    with pytest.raises(peewee.OperationalError, match="no such table"):
        broken()
    close_database()


def test_busy_is_told_from_other_errors():
    class PgDeadlock(Exception):
        pgcode = "40P01"

    assert is_busy(peewee.OperationalError("database is locked"))
    assert is_busy(peewee.OperationalError(PgDeadlock("deadlock detected")))
    assert not is_busy(peewee.OperationalError("no such column: x"))
    assert not is_busy(peewee.IntegrityError("UNIQUE constraint failed"))


# ---------------------------------------------------------------- file modes


def test_a_new_database_and_its_wal_and_shm_are_shared_with_the_group(tmp_path, config):
    old = os.umask(0o077)  # a cautious user's umask would lock the team out
    try:
        path = tmp_path / "team" / "funnel.db"
        open_database(str(path))
        Funnel(config, "anna").capture_lead(ANNA)
        for name in ("funnel.db", "funnel.db-wal", "funnel.db-shm"):
            mode = stat.S_IMODE((tmp_path / "team" / name).stat().st_mode)
            assert mode == dbmod.SHARED_FILE_MODE, (name, oct(mode))
        close_database()
    finally:
        os.umask(old)
    # A file that exists keeps the mode its owner gave it.
    path.chmod(0o600)
    open_database(str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    close_database()


# ---------------------------------------------------------------- migration


def test_migrate_copies_every_row_and_history_to_postgresql(sqlite_path, pg_server, config):
    from funnel_tui.demo.generator import generate_demo

    from .conftest import PG_TEST_DB, _reset_pg

    source = open_database(sqlite_path)
    generate_demo(source, config, leads=150, seed=3)
    rules = Funnel(config, "anna")
    rules.update_lead(1, {"title": "Before the move"})
    before = {m: m.select().count() for m in (Lead, Opportunity, History)}
    _reset_pg(pg_server)
    url = pg_server.url(PG_TEST_DB)
    counts = copy_database(source, url)
    assert all(c.equal and c.source > 0 for c in counts if c.table != "funnel_meta"), counts
    assert {m: m.select().count() for m in before} == before  # now read from PostgreSQL
    assert isinstance(database.obj, peewee.PostgresqlDatabase)
    moved = Funnel(config, "anna")
    assert moved.get_lead(1).title == "Before the move"
    assert [e.new for e in history_entries(lead_id=1) if e.field == "title"][-1] == (
        "Before the move"
    )
    # Ids go on after the copied ones, and undo works across the move.
    lead = moved.capture_lead({"name": "After", "email": "after@example.com"})
    assert lead.id == before[Lead] + 1
    moved.undo_last("lead", 1)
    assert moved.get_lead(1).title != "Before the move"
    close_database()
    source.close()
    # A target with data in it is refused.
    source = open_database(sqlite_path)
    with pytest.raises(DatabaseError, match="already holds funnel data"):
        copy_database(source, url)
    close_database()
    source.close()


def test_an_instance_whose_process_died_on_this_host_is_gone_at_once(db):
    """A killed session on the team's server leaves the top line at the next look,
    not after the heartbeats it misses."""
    import socket

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    now = dt.datetime(2026, 11, 23, 12)
    presence.announce(f"{host}:{gone.pid}:dead01", "dora", "lead", 3, now=now)
    presence.announce(f"{host}:{os.getpid()}:live01", "lena", "lead", 3, now=now)
    presence.announce("other-host:1:far001", "fred", now=now)  # can't be asked: its beats
    seen = presence.others("me", now)
    assert presence.users_here(seen) == ["fred", "lena"]
    assert not presence.Presence.select().where(presence.Presence.login == "dora").exists()
