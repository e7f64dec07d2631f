"""An import's leads counted into the summaries a batch at a time (storage.summaries: on
SQLite the three insert triggers of the lead table off around each batch, the batch's
leads counted in a few statements at its end) leave every summary as a rebuild makes
it, and `funnel check` finding nothing wrong: into a database that has leads already,
with duplicates skipped and updated, in batches large and small, on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee
import pytest

from funnel_tui.core.vocab import (
    LEVEL_CUSTOMER,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
)
from funnel_tui.rules.bulk_leads import NewLead
from funnel_tui.rules.health import check_database
from funnel_tui.storage import summaries
from funnel_tui.storage.models import Lead, User, database
from funnel_tui.storage.statements import stored_time
from funnel_tui.storage.status_counts import live_status_counts, rebuild_status_counts
from funnel_tui.storage.tallies import rebuild_tallies
from funnel_tui.storage.wait_summaries import rebuild_wait_summaries
from funnel_tui.transfer.importer import run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import

from .clock import NOW

SOURCES = ("Web form", "Trade show", "Referral", "Partner", "")
# Each summary table as it is read back, in an order of its own.
TABLES = {
    "lead_tally": '"hour", "source", "owner_id"',
    "won_deal_tally": '"hour", "source", "owner_id", "currency"',
    "activity_tally": '"hour", "user_id", "kind"',
    "wait_fact": '"kind", "ref"',
    "wait_tally": '"span", "start", "kind", "dim", "grp", "bucket"',
}
COUNTING = ("lead_status_count_insert", "lead_tally_insert", "wait_lead_insert")


def summaries_now() -> dict[str, object]:
    found: dict[str, object] = {"status": live_status_counts(database.obj)}
    for table, order in TABLES.items():
        found[table] = database.execute_sql(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
    return found


def triggers() -> list[tuple[str, str]]:
    if not isinstance(database.obj, peewee.SqliteDatabase):
        return []
    return database.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()


def as_rebuilt(config) -> None:
    """Every check of `funnel check` finds nothing wrong, and each summary is what a
    rebuild from the records makes of it."""
    findings = {f.check: f.problems for f in check_database(config)}
    assert findings == dict.fromkeys(findings, 0), findings
    kept = summaries_now()
    with database.atomic() as transaction:
        rebuild_status_counts(database.obj)
        rebuild_tallies(database.obj)
        rebuild_wait_summaries(database.obj)
        rebuilt = summaries_now()
        transaction.rollback()
    assert kept == rebuilt
    assert kept["lead_tally"] and kept["wait_fact"]


@pytest.fixture
def demo(db, config, rules):
    """The rules on a database with 150 demo leads: deals won and lost, promotions,
    merges, activities."""
    from funnel_tui.demo.generator import generate_demo

    generate_demo(db, config, leads=150, seed=5, today=NOW.date())
    return rules


def people_file(tmp_path: Path, logins: list[str], start: int, rows: int, shift: int = 0) -> Path:
    """A file of `rows` people (from number `start`), at a few companies, with sources
    (shifted by `shift`) and owners of every kind."""
    lines = ["Name,Email,Company,Lead Source,Country,Owner"]
    for n in range(start, start + rows):
        company = f"Firm {n % 9}" if n % 4 else ""
        owner = logins[n % len(logins)] if n % 3 else ""
        lines.append(
            f"Person Number{n},p{n}@people.example,{company},{SOURCES[(n + shift) % len(SOURCES)]},"
            f"{'DE' if n % 2 else 'US'},{owner}"
        )
    path = tmp_path / f"people-{start}-{shift}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_into_a_database_with_leads_keeps_every_summary_right(
    demo, config, tmp_path, clock
):
    rules = demo
    before = triggers()
    as_rebuilt(config)
    logins = [u.login for u in User.select().order_by(User.id)][:3]
    # Batches of 70: two counted in bulk, the last of 10 by the triggers.
    path = people_file(tmp_path, logins, 0, 150)
    report = run_import(rules, plan_import(path), ImportOptions(batch_rows=70))
    assert report.counts["inserted"] == 150, report.counts
    assert triggers() == before
    as_rebuilt(config)
    # Again an hour on, half the people already in: those are duplicates, skipped;
    # the other half new. Then with --update, the first ones again with other sources.
    clock.advance(hours=1)
    report = run_import(rules, plan_import(people_file(tmp_path, logins, 75, 150)))
    assert report.counts["inserted"] == 75 and report.counts["duplicate"] == 75
    as_rebuilt(config)
    clock.advance(hours=1)
    again = people_file(tmp_path, logins[1:], 1, 100, shift=1)
    options = ImportOptions(update=True, overwrite=True, batch_rows=64)
    report = run_import(rules, plan_import(again), options)
    assert report.counts["updated"] > 0
    assert triggers() == before
    as_rebuilt(config)


def test_leads_inserted_in_bulk_count_their_steps_promotions_and_merges(demo, config):
    rules = demo
    survivor = Lead.select(Lead.id).where(Lead.merged_into.is_null()).order_by(Lead.id).first()
    promoted = stored_time(NOW - dt.timedelta(days=3))
    kinds = [
        {},
        {"status": STATUS_WORKING},
        {"status": STATUS_NURTURING, "level": LEVEL_PROSPECT, "promoted_at": promoted},
        {"level": LEVEL_OPPORTUNITY, "promoted_at": promoted},
        {"level": LEVEL_CUSTOMER, "status": STATUS_WORKING, "promoted_at": promoted},
        {"status": STATUS_UNQUALIFIED, "nurture_until": None},
        # A merged lead counts nowhere but in its promotion's wait.
        {"merged_into": survivor.id, "promoted_at": promoted},
    ]
    rows = []
    for n in range(3 * summaries.MIN_LEADS):
        data = {"name": f"Bulk Person{n}", "email": f"bulk{n}@people.example", "country": "PL"}
        data["source"] = SOURCES[n % 4]
        clean = {**rules.check_lead(data), **kinds[n % len(kinds)]}
        company = f"Bulk Firm {n % 5}" if n % 2 else ""
        rows.append(NewLead(clean, company, company.casefold() if company else "", None))
    before = triggers()
    with database.atomic():
        ids = rules.insert_leads(rows)
    assert len(ids) == len(rows) and triggers() == before
    as_rebuilt(config)
    # And a batch too small to be worth it, counted by the triggers.
    small = rows[:5]
    with database.atomic():
        rules.insert_leads(small)
    as_rebuilt(config)


def test_a_batch_that_fails_leaves_the_triggers_and_the_counts(demo, config):
    before = triggers()
    counts = live_status_counts(database.obj)
    with (
        pytest.raises(RuntimeError),
        database.atomic(),
        summaries.new_leads_in_bulk(database.obj, 1000) as inserted,
    ):
        demo.capture_lead({"name": "Gone Soon", "email": "gone@people.example"})
        inserted.append(Lead.select(peewee.fn.MAX(Lead.id)).scalar())
        raise RuntimeError("the batch fails")
    assert triggers() == before
    assert live_status_counts(database.obj) == counts
    as_rebuilt(config)
