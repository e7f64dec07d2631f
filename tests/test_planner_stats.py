"""The planner's statistics exist right after a bulk write: a demo, a migrate, or a call
of planner_stats.refresh_statistics, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import peewee

from funnel_tui.demo.generator import TABLES as DEMO_TABLES
from funnel_tui.demo.generator import generate_demo
from funnel_tui.storage.copy import NOT_COPIED, copy_database
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import ALL_MODELS, Lead, database
from funnel_tui.storage.planner_stats import refresh_statistics

TODAY = dt.date(2025, 6, 2)
DEMO_TABLE_NAMES = [model._meta.table_name for model, _ in DEMO_TABLES]


def analysed(db: peewee.Database) -> set[str]:
    """The tables the planner has statistics of. On PostgreSQL: those an ANALYZE
    command gathered them for (last_analyze; autovacuum's own rounds set
    last_autoanalyze instead, so they cannot pass this test in its place)."""
    if isinstance(db, peewee.PostgresqlDatabase):
        rows = db.execute_sql(
            "SELECT relname FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND last_analyze IS NOT NULL"
        )
        return {name for (name,) in rows}
    if "sqlite_stat1" not in db.get_tables():
        return set()
    return {name for (name,) in db.execute_sql("SELECT DISTINCT tbl FROM sqlite_stat1")}


def estimated_leads(db: peewee.Database) -> int:
    """How many lead rows the planner believes there are."""
    if isinstance(db, peewee.PostgresqlDatabase):
        sql = "SELECT reltuples FROM pg_class WHERE relname = 'lead'"
        return int(db.execute_sql(sql).fetchone()[0])
    # sqlite_stat1: an index's first figure is how many rows it holds, the table's for a
    # whole index (a partial one holds fewer).
    sql = "SELECT stat FROM sqlite_stat1 WHERE tbl = 'lead' AND idx IS NOT NULL"
    return max(int(stat.split()[0]) for (stat,) in db.execute_sql(sql))


def analyses(db: peewee.Database) -> dict[str, int]:
    """PostgreSQL: how many times ANALYZE ran on each table."""
    rows = db.execute_sql(
        "SELECT relname, analyze_count FROM pg_stat_user_tables WHERE schemaname = current_schema()"
    )
    return dict(rows.fetchall())


def test_a_demo_leaves_statistics_of_every_table_it_filled(db, config):
    assert analysed(db) == set()
    summary = generate_demo(db, config, leads=300, seed=2, today=TODAY)
    assert set(DEMO_TABLE_NAMES) | {"user"} <= analysed(db)
    assert estimated_leads(db) == summary.leads == 300


def test_a_migrate_leaves_statistics_of_every_table_on_the_target(tmp_path, db_target, config):
    source = open_database(str(tmp_path / "source.db"))
    generate_demo(source, config, leads=300, seed=2, today=TODAY)
    copy_database(source, db_target)  # binds the models to the target
    source.close()
    target = database.obj
    assert target is not source
    copied = {m._meta.table_name for m in ALL_MODELS if m not in NOT_COPIED}
    assert copied <= analysed(target)
    assert estimated_leads(target) == Lead.select().count() == 300


def test_refresh_statistics_gathers_them_for_the_tables_named_only(db, config):
    generate_demo(db, config, leads=50, seed=2, today=TODAY)
    if isinstance(db, peewee.PostgresqlDatabase):
        before = analyses(db)
        assert refresh_statistics(db, ["lead", "lead"]) is True
        after = analyses(db)
        assert after.pop("lead") == before.pop("lead") + 1
        assert after == before
    else:
        db.execute_sql("DROP TABLE sqlite_stat1")
        assert refresh_statistics(db, ["lead", "lead"]) is True
        assert analysed(db) == {"lead"}
    assert refresh_statistics(db, []) is False


def test_a_refresh_that_finds_the_database_busy_gives_up_and_says_so(tmp_path, config):
    """Best effort: the bulk write stands even when the refresh cannot run."""
    import sqlite3

    path = str(tmp_path / "busy.db")
    db = open_database(path)
    generate_demo(db, config, leads=50, seed=2, today=TODAY)
    db.execute_sql("DROP TABLE sqlite_stat1")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    db.execute_sql("PRAGMA busy_timeout = 50")
    try:
        assert refresh_statistics(db, ["lead"]) is False
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert analysed(db) == set()
    assert refresh_statistics(db, ["lead"]) is True
    close_database()
