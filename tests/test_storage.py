"""Opening databases: pragmas, schema version, migration in place, refusing newer files."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import peewee
import pytest

from funnel_tui.core.errors import DatabaseError, DuplicateFound, SchemaTooNew
from funnel_tui.read.search import LeadQuery, lead_count, lead_page, status_counts
from funnel_tui.rules.engagement import ENGAGEMENT_META_KEY, engagement_fingerprint, engagement_time
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.scoring import SCORE_META_KEY, score_fingerprint
from funnel_tui.storage import database as dbmod
from funnel_tui.storage import list_index as indexmod
from funnel_tui.storage import schema as schemamod
from funnel_tui.storage import targets as targetsmod
from funnel_tui.storage.database import open_database
from funnel_tui.storage.models import (
    ALL_MODELS,
    Activity,
    History,
    Lead,
    LeadTally,
    MetaEntry,
    WaitFact,
)
from funnel_tui.storage.schema import SCHEMA_VERSION
from funnel_tui.storage.status_counts import live_status_counts, status_count_problems
from funnel_tui.storage.tallies import tally_index_names, tally_problems
from funnel_tui.storage.wait_facts import SPEED
from funnel_tui.storage.wait_summaries import wait_index_names, wait_summary_problems

from .clock import NOW
from .legacy_schema import v1_statements, v2_statements


def _dialect(database: peewee.Database) -> str:
    return "postgres" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"


def test_new_database_gets_current_schema_and_version(db):
    assert schemamod.stored_version(db) == SCHEMA_VERSION
    tables = set(db.get_tables())
    assert {"lead", "company", "opportunity", "activity", "history", "user"} <= tables


def test_normalised_contact_columns_are_indexed(db):
    indexed = {tuple(i.columns) for i in db.get_indexes("lead")}
    assert ("email_key",) in indexed  # duplicates are found by it (email_norm is shown)
    assert ("phone_e164",) in indexed


def test_reopening_is_idempotent(db_target):
    open_database(db_target).close()
    database = open_database(db_target)
    # The schema's version and the database's own name, made once.
    assert {m.key for m in MetaEntry.select()} == {"schema_version", schemamod.DATABASE_ID}
    assert schemamod.stored_version(database) == SCHEMA_VERSION
    assert _index_names(database) == _expected_indexes(database)


def test_sqlite_pragmas(sqlite_path):
    database = open_database(sqlite_path)
    pragma = lambda name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("synchronous") == 1
    assert pragma("busy_timeout") == dbmod.BUSY_TIMEOUT_MS
    database.close()


def test_sqlite_url_and_path_open_the_same_file(tmp_path):
    path = tmp_path / "sub" / "f.db"
    database = open_database(f"sqlite:///{path}")
    assert path.exists()
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    database.close()


def test_sqlite_transactions_begin_immediate(sqlite_path):
    """A second connection cannot take the write lock while a funnel transaction is open,
    even before that transaction wrote anything (BEGIN IMMEDIATE, not deferred)."""
    database = open_database(sqlite_path)
    with database.atomic():
        Lead.select().count()  # a read only
        other = sqlite3.connect(sqlite_path, timeout=0.05)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    database.close()


def _build(db_target: str, statements) -> None:
    database = dbmod.make_database(db_target)
    database.connect()
    for statement in statements(_dialect(database)):
        database.execute_sql(statement)
    database.close()


def _index_names(database: peewee.Database) -> set[str]:
    return {
        i.name
        for table in database.get_tables()
        for i in database.get_indexes(table)
        if not i.name.endswith("_pkey") and not i.name.startswith("sqlite_autoindex")
    }


def _expected_indexes(database: peewee.Database) -> set[str]:
    """What a new database gets: the models' indexes, the lead list's own, the
    tallies' and the percentile reports' waits'."""
    models = {i._name for model in ALL_MODELS for i in model._meta.fields_to_index()}
    return models | indexmod.list_index_names(database) | tally_index_names() | wait_index_names()


def test_schema_1_database_is_migrated_in_place(db_target):
    _build(db_target, v1_statements)
    database = open_database(db_target)
    assert schemamod.stored_version(database) == SCHEMA_VERSION
    lead = Lead.get()
    assert lead.name == "Łucja Kowalska"
    assert lead.phone_type == ""
    # The migration fills the new column from the activities already there.
    assert lead.last_activity_at == dt.datetime(2026, 2, 10, 14, 30)
    assert History.get().version is None
    # Rebuilding a table must keep its indexes and the rows that refer to it.
    indexed = {tuple(i.columns) for i in database.get_indexes("lead")}
    assert {("email_key",), ("phone_e164",), ("level", "status")} <= indexed
    assert ("created_by_id",) not in indexed
    assert Activity.get().lead_id == lead.id
    # A migrated database has the indexes a new one gets, no more and no fewer.
    assert _index_names(database) == _expected_indexes(database)
    # And the migrated database works with today's rules...
    rules = Funnel(_config(), "olga")
    rules.log_activity(lead_id=lead.id, kind="email", outcome="replied", direction="inbound")
    assert Activity.select().count() == 2
    rules.update_lead(lead.id, {"title": "CEO"}, expected_version=1)
    assert Lead.get_by_id(lead.id).version == 2
    # ...and today's lead list: the schema-3 columns were filled on the way.
    assert Lead.get_by_id(lead.id).company_key == "kowalski logistyka"
    assert Lead.get_by_id(lead.id).score == rules.score(lead.id).total > 0
    assert [r["id"] for r in lead_page(LeadQuery(text="logistyka"), 0, 10)] == [lead.id]
    # The reports' tallies were counted from the old rows and kept by the writes since.
    assert LeadTally.select(peewee.fn.SUM(LeadTally.captured)).scalar() == Lead.select().count()
    assert tally_problems(database) == 0
    # So were the percentile reports' waits (schema 14): Łucja's call reached her, and
    # the email logged since is later.
    assert wait_summary_problems(database) == 0
    reached = WaitFact.get((WaitFact.kind == SPEED) & (WaitFact.ref == lead.id))
    assert (reached.end_at, reached.wait) == (
        dt.datetime(2026, 2, 10, 14, 30),
        36 * 86400 + 5.5 * 3600,
    )
    # So were the list's counts per status (schema 15).
    assert status_count_problems(database) == 0
    assert sum(live_status_counts(database).values()) == Lead.select().count()


def test_schema_2_database_is_migrated_with_scores_search_and_shown_phones(db_target):
    _build(db_target, v2_statements)
    database = open_database(db_target)
    assert schemamod.stored_version(database) == SCHEMA_VERSION == 17
    assert _index_names(database) == _expected_indexes(database)
    lucja = Lead.get(Lead.name == "Łucja Kowalska")
    ming = Lead.get(Lead.name == "王小明")
    assert (lucja.company_key, ming.company_key) == ("kowalski logistyka", "")
    # Schema 4: the list shows numbers in international format without formatting them.
    assert (lucja.phone_display, ming.phone_display) == ("+48 512 345 678", "")
    # The config is not the database's to know: scores and engagement keys (schema 6)
    # wait for the first Funnel.
    assert schemamod.get_meta(SCORE_META_KEY) is None
    assert schemamod.get_meta(ENGAGEMENT_META_KEY) is None
    assert Lead.select().where(Lead.engagement_key.is_null(False)).count() == 0
    rules = Funnel(_config(), "olga")
    assert schemamod.get_meta(SCORE_META_KEY) == score_fingerprint(_config())
    assert schemamod.get_meta(ENGAGEMENT_META_KEY) == engagement_fingerprint(_config())
    # Łucja's one call that reached her is her engagement; 王小明 has none.
    half_life = _config().engagement_half_life_days
    call = engagement_time(dt.datetime(2026, 2, 10, 14, 30), half_life)
    assert Lead.get_by_id(lucja.id).engagement_key == pytest.approx(call, rel=0, abs=1e-9)
    assert Lead.get_by_id(ming.id).engagement_key is None
    assert [r["id"] for r in lead_page(LeadQuery(sort="engagement"), 0, 10)] == [lucja.id, ming.id]
    # Default weights: Budget 20 + Need 25 from the answers, and Industry 10 (Logistics),
    # size 5 (250 employees), Region 5 (PL) from the company data: 65 of 100.
    assert Lead.get_by_id(lucja.id).score == rules.score(lucja.id).total == 65
    assert Lead.get_by_id(ming.id).score == rules.score(ming.id).total == 0
    # The old leads are found, in every way the list searches.
    for text in ("kowalska", "ŁUCJA", "lucja@kowalski", "0512 345 678", "+48 512-345-678"):
        assert [r["id"] for r in lead_page(LeadQuery(text=text), 0, 10)] == [lucja.id], text
    for text in ("王小", "王小明", "小明", "xiaoming"):
        assert [r["id"] for r in lead_page(LeadQuery(text=text), 0, 10)] == [ming.id], text
    assert lead_count(LeadQuery(min_score=60)) == 1
    assert status_counts(LeadQuery()) == {"new": 1, "working": 1, "nurturing": 0, "unqualified": 0}
    # Triggers work on the old rows too.
    rules.update_lead(ming.id, {"company": "Acme Taipei"})
    assert [r["id"] for r in lead_page(LeadQuery(text="acme"), 0, 10)] == [ming.id]


def _older_leads(dialect: str) -> list[str]:
    """Leads as schema 9 and before stored them: email_norm keeps the local part's case,
    and nothing is folded."""
    rows = (
        ("Jürgen Groß", "jürgen groß", "Jürgen.Gross@Example.DE"),
        ("陳志明", "陳志明", "Żaneta@Przykład.pl"),
        ("王林", "王林", "WANG.LIN@hqe.cn"),
    )
    return [
        'INSERT INTO "lead" ("name", "name_key", "title", "phone_raw", "phone_type", '
        '"email_raw", "email_norm", "country", "source", "notes", "status", "level", '
        '"unqualified_reason", "owner_id", "created_by_id", "created_at", "updated_at", '
        f"\"version\") VALUES ('{name}', '{key}', '', '', '', '{email}', '{email}', '', '', "
        "'', 'new', 'lead', '', 1, 1, '2026-01-07 09:00:00', '2026-01-07 09:00:00', 1)"
        for name, key, email in rows
    ]


def test_an_older_database_gets_email_keys_and_folds_in_place(db_target, config):
    _build(db_target, lambda dialect: [*v2_statements(dialect), *_older_leads(dialect)])
    database = open_database(db_target)
    assert schemamod.stored_version(database) == SCHEMA_VERSION == 17
    assert _index_names(database) == _expected_indexes(database)
    assert "lead_email_norm" not in _index_names(database)
    keys = {lead.name: (lead.email_key, lead.name_fold) for lead in Lead.select()}
    assert keys == {
        "Łucja Kowalska": ("lucja@kowalski.pl", "lucja kowalska"),
        "王小明": ("xiaoming@example.cn", ""),  # folding changes nothing: the key is read
        "Jürgen Groß": ("jürgen.gross@example.de", "jurgen gross"),
        "陳志明": ("żaneta@przykład.pl", "陈志明"),
        "王林": ("wang.lin@hqe.cn", ""),
    }
    ids = {lead.name: lead.id for lead in Lead.select()}
    # Every lead has its key: no address escapes the duplicate check.
    assert Lead.select().where(Lead.email_key.is_null()).count() == 0
    rules = Funnel(config, "olga")
    for email, name in (
        ("LUCJA@Kowalski.PL", "Łucja Kowalska"),
        ("JÜRGEN.gross@EXAMPLE.de", "Jürgen Groß"),
        ("ŻANETA@PRZYKŁAD.PL", "陳志明"),
    ):
        with pytest.raises(DuplicateFound) as found:
            rules.capture_lead({"name": "Someone", "email": email})
        assert found.value.found == [(ids[name], name, "email")], email
    # The search index was made again with the folds.
    for text, name in (("jurgen gross", "Jürgen Groß"), ("陈志明", "陳志明"), ("林", "王林")):
        assert [r["id"] for r in lead_page(LeadQuery(text=text), 0, 10)] == [ids[name]], text


def test_database_newer_than_the_code_is_refused_untouched(sqlite_path):
    open_database(sqlite_path)
    MetaEntry.update(value=str(SCHEMA_VERSION + 1)).execute()
    dbmod.close_database()
    before = _digest(sqlite_path)
    with pytest.raises(SchemaTooNew, match="newer funnel"):
        open_database(sqlite_path)
    assert _digest(sqlite_path) == before


def test_postgres_newer_schema_refused_and_left_alone(db_target):
    open_database(db_target)
    MetaEntry.update(value="99").execute()
    dbmod.close_database()
    with pytest.raises(SchemaTooNew, match="schema 99"):
        open_database(db_target)
    database = dbmod.make_database(db_target)
    database.connect()
    assert database.execute_sql("SELECT value FROM funnel_meta").fetchone()[0] == "99"
    database.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not sqlite\n" * 100)
    with pytest.raises(DatabaseError, match="not an SQLite file, or its first page is damaged"):
        open_database(str(path))
    assert path.read_bytes() == b"this is not sqlite\n" * 100


def test_a_database_of_another_program_is_not_written_into(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not funnel's"):
        open_database(str(path))
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoices",)]


def test_unknown_url_scheme_is_a_clear_error():
    with pytest.raises(DatabaseError, match="cannot use database"):
        open_database("oracle://somewhere/db")


def test_password_is_hidden_when_a_url_is_shown():
    shown = targetsmod.describe("postgresql://sam:s3cret@db.example/funnel")
    assert "s3cret" not in shown
    assert shown == "postgresql://sam:***@db.example/funnel"


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _config():
    from funnel_tui.config import load_config

    return load_config()


def test_sqlite_statistics_are_refreshed_when_the_leads_outgrow_them(sqlite_path):
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo

    database = open_database(sqlite_path)
    assert not schemamod.refresh_statistics(database)  # too few leads to matter
    generate_demo(database, load_config(), leads=1200, seed=2, today=NOW.date())
    dbmod.close_database()
    database = open_database(sqlite_path)  # opening analyses the grown database...

    def held() -> list[int]:  # rows in each of the lead table's indexes, as analysed
        rows = database.execute_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'lead'")
        return [int(stat.split()[0]) for (stat,) in rows]

    assert max(held()) == 1200
    # The partial indexes (merged leads, the Today queue) hold fewer: not taken for the
    # table's size, or every start would analyse the database again.
    assert min(held()) < 1200
    assert not schemamod.refresh_statistics(database)  # ...once
    generate_demo(database, load_config(), leads=1500, seed=3, today=NOW.date())
    assert max(held()) == 2700  # the demo analyses what it loaded itself
    assert not schemamod.refresh_statistics(database)
    # Whichever order the indexes' rows come in.
    database.execute_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'lead'")
    database.execute_sql(
        "INSERT INTO sqlite_stat1 VALUES ('lead', 'lead_merged', '3 1'), "
        "('lead', 'lead_queue_due', '140 2'), ('lead', 'lead_created_at', '2700 1')"
    )
    assert not schemamod.refresh_statistics(database)
    # Statistics of a database that has since more than doubled (rows written by a
    # writer that does not analyse: an older funnel, the sqlite3 shell) are refreshed.
    database.execute_sql("UPDATE sqlite_stat1 SET stat = '1300 1' WHERE tbl = 'lead'")
    assert schemamod.refresh_statistics(database)
