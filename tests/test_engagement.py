"""The engagement signal on SQLite and PostgreSQL: two-way interactions add a point each
that halves every half-life; the stored key orders leads by engagement at any moment;
the list sorts and pages by it; keys follow the configured half-life and the 5 → 6
migration. Every moment is given explicitly: nothing depends on the clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from random import Random

import peewee
import pytest

from funnel_tui.core.errors import NotFound
from funnel_tui.read.search import LeadQuery, lead_page
from funnel_tui.rules.engagement import (
    ENGAGEMENT_META_KEY,
    Engagement,
    add_engagement,
    engagement_fingerprint,
    engagement_key,
    engagement_level,
    engagement_now,
    engagement_time,
    sync_engagement,
)
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage import list_index as indexmod
from funnel_tui.storage import schema as schemamod
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import ALL_MODELS, Activity, History, Lead
from funnel_tui.storage.schema import SCHEMA_VERSION

from .legacy_schema import undo_schema_8

T0 = dt.datetime(2026, 3, 2, 10, 0)
DAY = dt.timedelta(days=1)

# (kind, direction, outcome) of interactions that reach the person, and of ones that do not.
TWO_WAY = (
    ("call", "outbound", "reached"),
    ("email", "inbound", "replied"),
    ("meeting", "outbound", ""),
    ("in_person", "outbound", "met"),
    ("sms", "inbound", ""),
)
ONE_WAY = (
    ("call", "outbound", "no_answer"),
    ("call", "outbound", "left_voicemail"),
    ("email", "outbound", "sent"),
    ("note", "", ""),
)


def _lead(rules: Funnel, n: int = 0) -> Lead:
    return rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@engaged.example"})


def _log(rules: Funnel, lead_id: int, when: dt.datetime, act=TWO_WAY[0], **kw):
    kind, direction, outcome = act
    return rules.log_activity(
        lead_id=lead_id,
        kind=kind,
        direction=direction or "outbound",
        outcome=outcome,
        occurred_at=when,
        **kw,
    )


def _stored(lead_id: int) -> float | None:
    return Lead.get_by_id(lead_id).engagement_key


def _direct(times: list[dt.datetime], at: dt.datetime, half_life: float) -> float:
    """E(at) = sum 2^(-(at - t_i) / h), straight from the definition."""
    return sum(2 ** (-(at - t).total_seconds() / 86400 / half_life) for t in times)


# ------------------------------------------------------------------ the formulas


def test_the_key_holds_the_sum_of_halving_points():
    h = 14.0
    one = engagement_key([T0], h)
    assert engagement_now(one, T0, h) == pytest.approx(1.0)
    assert engagement_now(one, T0 + 14 * DAY, h) == pytest.approx(0.5)
    assert engagement_now(one, T0 + 28 * DAY, h) == pytest.approx(0.25)
    # Adding one interaction at a time gives the key of all of them, in any order.
    times = [T0 - 30 * DAY, T0, T0 - 3 * DAY, T0 + 2 * DAY]
    key = None
    for t in times:
        key = add_engagement(key, engagement_time(t, h))
    assert key == pytest.approx(engagement_key(times, h), abs=1e-12)
    at = T0 + 5.5 * DAY
    assert engagement_now(key, at, h) == pytest.approx(_direct(times, at, h), rel=1e-12)
    assert engagement_key([], h) is None and engagement_now(None, T0, h) == 0.0


def test_keys_far_from_the_epoch_stay_finite_and_exact():
    # A short half-life puts the exponents in the hundreds of thousands: the key is
    # added up in logs, never as 2 to that power.
    h = 0.01
    times = [T0, T0 + dt.timedelta(minutes=5)]
    key = add_engagement(engagement_key([times[0]], h), engagement_time(times[1], h))
    assert math.isfinite(key) and key > 1e5
    at = times[1]
    assert engagement_now(key, at, h) == pytest.approx(_direct(times, at, h), rel=1e-9)
    # A key dated far ahead of `now` does not overflow either.
    assert math.isfinite(engagement_now(key, T0 - 3650 * DAY, 14.0))


@pytest.mark.parametrize(
    ("value", "level"), [(0.0, 0), (0.004, 0), (0.5, 29), (1.0, 50), (2.0, 75), (3.0, 88)]
)
def test_level_is_a_bounded_monotone_scale(value, level):
    assert engagement_level(value) == level
    assert engagement_level(value) <= engagement_level(value + 0.5) <= 100


# -------------------------------------------------------------- the rules layer


def test_one_interaction_halves_every_half_life(rules, config):
    h = config.engagement_half_life_days
    lead = _lead(rules)
    _log(rules, lead.id, T0)
    assert rules.engagement(lead.id, now=T0) == Engagement(1.0, 50, 1, T0)
    later = rules.engagement(lead.id, now=T0 + h * DAY)
    assert later.value == pytest.approx(0.5) and later.level == 29
    assert rules.engagement(lead.id, now=T0 + 2 * h * DAY).value == pytest.approx(0.25)
    # The stored key says the same through the function the list uses.
    assert engagement_now(_stored(lead.id), T0 + h * DAY, h) == pytest.approx(0.5)


def test_two_interactions_add(rules, config):
    h = config.engagement_half_life_days
    both_now, one_earlier = _lead(rules, 1), _lead(rules, 2)
    _log(rules, both_now.id, T0)
    _log(rules, both_now.id, T0, TWO_WAY[1])
    _log(rules, one_earlier.id, T0 - h * DAY, TWO_WAY[2])
    _log(rules, one_earlier.id, T0, TWO_WAY[3])
    assert rules.engagement(both_now.id, now=T0).value == pytest.approx(2.0)
    assert rules.engagement(both_now.id, now=T0).level == 75
    found = rules.engagement(one_earlier.id, now=T0)
    assert found.value == pytest.approx(1.5)
    assert (found.interactions, found.last) == (2, T0)
    for lead in (both_now, one_earlier):
        stored = engagement_now(_stored(lead.id), T0, h)
        assert stored == pytest.approx(rules.engagement(lead.id, now=T0).value, rel=1e-12)


def test_one_way_activities_do_not_count(rules):
    lead = _lead(rules)
    for i, act in enumerate(ONE_WAY):
        _log(rules, lead.id, T0 + i * DAY, act)
    assert rules.engagement(lead.id, now=T0) == Engagement(0.0, 0, 0, None)
    assert _stored(lead.id) is None
    assert Lead.get_by_id(lead.id).status == "new"
    # The first that reaches the lead counts, and only it.
    _log(rules, lead.id, T0 + 10 * DAY, TWO_WAY[4])
    assert rules.engagement(lead.id, now=T0 + 10 * DAY) == Engagement(1.0, 50, 1, T0 + 10 * DAY)


def test_interactions_on_a_deal_count_for_its_lead(rules, config):
    lead = _lead(rules)
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    opp = rules.convert(lead.id, amount=100)
    rules.log_activity(opportunity_id=opp.id, kind="meeting", occurred_at=T0)
    assert rules.engagement(lead.id, now=T0).interactions == 1
    assert _stored(lead.id) == pytest.approx(engagement_time(T0, config.engagement_half_life_days))


def test_engagement_is_derived_data_without_versions_or_history(rules):
    lead = _lead(rules)
    _log(rules, lead.id, T0)  # new → working: the one versioned change
    version = Lead.get_by_id(lead.id).version
    lead_history = History.select().where(History.entity == "lead").count()
    _log(rules, lead.id, T0 + DAY, TWO_WAY[1])
    assert Lead.get_by_id(lead.id).version == version
    assert History.select().where(History.entity == "lead").count() == lead_history
    assert rules.engagement(lead.id, now=T0 + DAY).interactions == 2


def test_engagement_of_an_unknown_lead_is_not_found(rules):
    with pytest.raises(NotFound):
        rules.engagement(999)


# --------------------------------------------------------------------- ordering


@pytest.fixture
def engaged(rules):
    """Fifteen leads with random histories over three months (some with none at all),
    and the moments of their two-way interactions."""
    rnd = Random(7)
    times: dict[int, list[dt.datetime]] = {}
    for n in range(15):
        lead = _lead(rules, n)
        times[lead.id] = []
        for _ in range(rnd.choice((0, 0, 1, 1, 2, 3, 5))):
            when = T0 + dt.timedelta(seconds=rnd.randrange(-90 * 86400, 0))
            if rnd.random() < 0.3:
                _log(rules, lead.id, when, ONE_WAY[rnd.randrange(len(ONE_WAY))])
            else:
                _log(rules, lead.id, when, TWO_WAY[rnd.randrange(len(TWO_WAY))])
                times[lead.id].append(when)
    assert sum(1 for found in times.values() if not found) >= 3
    return times


def test_ordering_by_the_key_is_ordering_by_engagement_at_any_moment(engaged, config):
    h = config.engagement_half_life_days
    stored = {lead.id: lead.engagement_key for lead in Lead.select()}
    by_key = sorted(stored, key=lambda i: (-math.inf if stored[i] is None else stored[i], i))
    # Moments before, among and long after the interactions.
    for at in (T0 - 100 * DAY, T0 - 31.7 * DAY, T0, T0 + 3.25 * DAY, T0 + 400 * DAY):
        direct = {i: _direct(found, at, h) for i, found in engaged.items()}
        assert by_key == sorted(direct, key=lambda i: (direct[i], i)), at
        for i, value in direct.items():
            assert engagement_now(stored[i], at, h) == pytest.approx(value, rel=1e-9)


def test_the_list_sorted_by_engagement_pages_stably(engaged, config):
    h = config.engagement_half_life_days
    for descending in (True, False):
        query = LeadQuery(sort="engagement", descending=descending)
        whole = lead_page(query, 0, 100)
        assert len(whole) == len(engaged)
        pages = [r["id"] for start in range(0, 20, 4) for r in lead_page(query, start, 4)]
        assert pages == [r["id"] for r in whole]
        values = [engagement_now(r["engagement_key"], T0, h) for r in whole]
        assert values == sorted(values, reverse=descending)
        # No two-way interaction: the least engaged, last (or first), by id among them.
        unengaged = sorted((i for i, found in engaged.items() if not found), reverse=descending)
        if descending:
            assert pages[-len(unengaged) :] == unengaged
        else:
            assert pages[: len(unengaged)] == unengaged


def test_a_filtered_search_sorts_by_engagement_too(engaged):
    query = LeadQuery(text="lead 1", statuses=("working",), sort="engagement")
    rows = lead_page(query, 0, 100)
    assert rows and all(r["engagement_key"] is not None for r in rows)
    keys = [r["engagement_key"] for r in rows]
    assert keys == sorted(keys, reverse=True)


# ------------------------------------------------------------ config and schema


def test_another_half_life_recomputes_every_key(db, engaged, config):
    assert schemamod.get_meta(ENGAGEMENT_META_KEY) == engagement_fingerprint(config)
    assert sync_engagement(config) == 0  # nothing changed: one read
    week = dataclasses.replace(config, engagement_half_life_days=7.0)
    rules = Funnel(week, "bob")
    assert rules.engagement_current
    assert schemamod.get_meta(ENGAGEMENT_META_KEY) == engagement_fingerprint(week)
    for lead_id, found in engaged.items():
        key = _stored(lead_id)
        if not found:
            assert key is None
            continue
        assert key == pytest.approx(engagement_key(found, 7.0), abs=1e-9)
        assert rules.engagement(lead_id, now=T0).value == pytest.approx(
            engagement_now(key, T0, 7.0), rel=1e-9
        )
    # New interactions add under the half-life now in force.
    lead_id = next(i for i, found in engaged.items() if found)
    _log(rules, lead_id, T0)
    assert _stored(lead_id) == pytest.approx(engagement_key([*engaged[lead_id], T0], 7.0))
    # Back to the original: every key as it would have been.
    assert sync_engagement(config) > 0
    assert _stored(lead_id) == pytest.approx(
        engagement_key([*engaged[lead_id], T0], config.engagement_half_life_days)
    )


def test_keys_written_wrong_elsewhere_are_fixed_by_the_next_sync(db, engaged, config):
    Lead.update(engagement_key=1.0).execute()
    schemamod.set_meta(ENGAGEMENT_META_KEY, None)
    assert sync_engagement(config) == len(engaged)
    for lead_id, found in engaged.items():
        expected = engagement_key(found, config.engagement_half_life_days)
        assert _stored(lead_id) == (pytest.approx(expected) if found else None)


def _downgrade_to_schema_5(database: peewee.Database) -> None:
    """Take away what schemas 6, 7 and 8 added (the engagement key, the deals' next actions,
    their indexes) and mark the database as schema 5: what a schema-5 funnel left, with
    the same leads."""
    with database.atomic():
        undo_schema_8(database)
        database.execute_sql(f'DROP INDEX "{indexmod.ENGAGEMENT_INDEX}"')
        database.execute_sql('ALTER TABLE "lead" DROP COLUMN "engagement_key"')
        # And what schema 7 added after it.
        for index in (
            indexmod.BOARD_INDEX,
            indexmod.BOARD_CLOSED_INDEX,
            indexmod.BOARD_TOTALS_INDEX,
        ):
            database.execute_sql(f'DROP INDEX "{index}"')
        for column in ("last_activity_at", "next_action", "next_action_due"):
            database.execute_sql(f'ALTER TABLE "opportunity" DROP COLUMN "{column}"')
        schemamod.set_meta(ENGAGEMENT_META_KEY, None)
        schemamod.set_meta("schema_version", "5")


def test_schema_5_database_is_migrated_and_keys_filled_by_the_first_funnel(db_target, config):
    database = open_database(db_target)
    rules = Funnel(config, "alice")
    talked, silent = _lead(rules, 1), _lead(rules, 2)
    times = [T0 - 20 * DAY, T0 - 2 * DAY]
    for when in times:
        _log(rules, talked.id, when)
    _log(rules, silent.id, T0, ONE_WAY[0])
    _downgrade_to_schema_5(database)
    close_database()

    database = open_database(db_target)
    assert schemamod.stored_version(database) == SCHEMA_VERSION == 17
    indexes = {i.name for table in database.get_tables() for i in database.get_indexes(table)}
    expected = {i._name for model in ALL_MODELS for i in model._meta.fields_to_index()}
    assert indexmod.ENGAGEMENT_INDEX in indexes and expected <= indexes
    # The half-life is the config's: keys wait for the first Funnel, as scores do.
    assert Lead.select().where(Lead.engagement_key.is_null(False)).count() == 0
    rules = Funnel(config, "alice")
    assert rules.engagement_current
    h = config.engagement_half_life_days
    assert _stored(talked.id) == pytest.approx(engagement_key(times, h), abs=1e-9)
    assert _stored(silent.id) is None
    assert [r["id"] for r in lead_page(LeadQuery(sort="engagement"), 0, 10)] == [
        talked.id,
        silent.id,
    ]
    assert Activity.select().count() == 3
    close_database()


def test_the_list_index_serves_the_engagement_sort(db):
    """Pages far down the list walk the index (engagement_key, id) in either direction,
    NULLs last when descending, rather than sort every lead."""
    for direction, nulls in (("DESC", "LAST"), ("ASC", "FIRST")):
        sql = (
            f"SELECT l.id FROM lead l ORDER BY l.engagement_key {direction} NULLS {nulls}, "
            f"l.id {direction} LIMIT 50 OFFSET 90000"
        )
        if isinstance(db, peewee.PostgresqlDatabase):
            # The table is empty: make scanning it and sorting cost what they would on a
            # big one, so the plan shows whether the index can give this order at all.
            with db.atomic():
                db.execute_sql("SET LOCAL enable_seqscan = off")
                db.execute_sql("SET LOCAL enable_sort = off")
                steps = [row[0] for row in db.execute_sql("EXPLAIN " + sql)]
            assert any(indexmod.ENGAGEMENT_INDEX in step for step in steps), steps
            assert not any("Sort" in step for step in steps), steps
        else:
            steps = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql)]
            assert any(indexmod.ENGAGEMENT_INDEX in step for step in steps), steps
            assert not any("TEMP B-TREE" in step for step in steps), steps
