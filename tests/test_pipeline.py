"""The board's read layer: totals against the database's own arithmetic, the order and
paging of a column, a card's warnings, the filters; and what keeps a deal's next action
and last activity on its row (log_activity, the demo, the 6 → 7 migration)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import ConfigError
from funnel_tui.core.money import exact_money, short_amount, totals_line
from funnel_tui.demo.generator import generate_demo
from funnel_tui.read.pipeline import (
    BoardFilter,
    board_stages,
    board_totals,
    card_marks,
    card_position,
    convert,
    deal_record,
    get_card,
    stage_cards,
)
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage import list_index as indexmod
from funnel_tui.storage import schema as schemamod
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, Opportunity, StageChange, User

from .legacy_schema import undo_schema_8
from .ui_support import DEALS, seed_deals

NOW = dt.datetime(2026, 11, 20, 14, 30)
TODAY = NOW.date()


@pytest.fixture
def demo(db, config):
    generate_demo(db, config, leads=600, seed=3, today=TODAY)
    return db


def _sql_totals(db, where: str = "", params=()) -> dict[tuple[str, str], tuple[int, int]]:
    """(stage, currency) -> (count, cents), written straight in SQL."""
    p = db.param
    rows = db.execute_sql(
        'SELECT o."stage", o."currency", COUNT(*), SUM(o."amount_cents") '
        'FROM "opportunity" o JOIN "lead" l ON l."id" = o."lead_id" '
        f'WHERE ((o."state" = {p} AND o."stage" NOT IN ({p}, {p})) '
        f'OR (o."state" = {p} AND o."stage" = {p}) OR (o."state" = {p} AND o."stage" = {p}))'
        f'{where} GROUP BY o."stage", o."currency"',
        ("open", "Won", "Lost", "won", "Won", "lost", "Lost", *params),
    ).fetchall()
    return {(stage, cur): (count, int(cents)) for stage, cur, count, cents in rows}


def _board_as_pairs(totals) -> dict[tuple[str, str], tuple[int, int]]:
    out = {}
    for stage, t in totals.items():
        for currency, cents in t.amounts.items():
            out[(stage, currency)] = cents
    return out


def test_totals_match_a_direct_sql_computation_on_a_demo_database(demo, config):
    board = board_totals(config, BoardFilter(), NOW)
    direct = _sql_totals(demo)
    assert _board_as_pairs(board) == {key: cents for key, (_, cents) in direct.items()}
    per_stage = defaultdict(int)
    for (stage, _), (count, _) in direct.items():
        per_stage[stage] += count
    assert {s: t.count for s, t in board.items() if t.count} == dict(per_stage)
    assert sum(t.count for t in board.values()) == Opportunity.select().count()
    # Weighted: each currency's sum times the stage's probability, never mixed.
    for stage in config.stages:
        totals = board[stage.name]
        for currency, cents in totals.amounts.items():
            assert totals.weighted[currency] == round(cents * stage.probability / 100)
    assert len({cur for t in board.values() for cur in t.amounts}) > 3  # truly mixed


def test_filtered_totals_match_sql_too(demo, config):
    p = demo.param
    owner = User.get(User.login == "anna")
    cases = [
        (BoardFilter(owner_id=owner.id, owner="anna"), f' AND o."owner_id" = {p}', (owner.id,)),
        (BoardFilter(source="Trade show"), f' AND l."source" = {p}', ("Trade show",)),
        (
            BoardFilter(closing_month=dt.date(2026, 11, 1)),
            f' AND o."expected_close" >= {p} AND o."expected_close" < {p}',
            (dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        ),
    ]
    for flt, where, params in cases:
        board = board_totals(config, flt, NOW)
        direct = _sql_totals(demo, where, params)
        assert direct, flt
        assert _board_as_pairs(board) == {k: cents for k, (_, cents) in direct.items()}, flt


def test_stale_filter_agrees_with_each_cards_own_marks(demo, config):
    stale = board_totals(config, BoardFilter(stale_only=True), NOW)
    for stage in board_stages(config, closed=True):
        every = stage_cards(config, stage.name, BoardFilter(), NOW, 0, 100_000)
        marked = [c.id for c in every if card_marks(config, c, NOW).stale]
        shown = stage_cards(config, stage.name, BoardFilter(stale_only=True), NOW, 0, 100_000)
        assert [c.id for c in shown] == marked
        assert stale[stage.name].count == len(marked)
    assert sum(t.count for t in stale.values()) > 0


def test_a_column_pages_in_order_and_a_card_knows_its_place(demo, config):
    for stage in board_stages(config, closed=True):
        everything = stage_cards(config, stage.name, BoardFilter(), NOW, 0, 100_000)
        paged = []
        for offset in range(0, len(everything), 7):
            paged += stage_cards(config, stage.name, BoardFilter(), NOW, offset, 7)
        assert paged == everything
        if stage.name in (config.won_stage, config.lost_stage):
            keys = [(c.closed_at, c.id) for c in everything]
            assert keys == sorted(keys, reverse=True)  # latest closed first
        else:
            keys = [
                (c.expected_close is not None, c.expected_close or TODAY, c.id) for c in everything
            ]
            assert keys == sorted(keys)  # no date first, then soonest
        for index in (0, len(everything) // 2, len(everything) - 1):
            if everything:
                card = everything[index]
                assert card_position(config, card, BoardFilter(), NOW) == index


def test_card_marks_overdue_unscheduled_and_stale(db, config):
    ids = seed_deals(config, NOW)
    marks = {DEALS[i][1]: card_marks(config, get_card(opp_id), NOW) for i, opp_id in enumerate(ids)}
    kowalski = marks["Kowalski Logistyka"]
    assert (kowalski.overdue, kowalski.unscheduled, kowalski.stale) == (False, False, False)
    assert kowalski.days_in_stage == 40
    # Nothing scheduled and no activity for 30 days in a 14-day stage.
    taipei = marks["台北貿易股份有限公司"]
    assert (taipei.unscheduled, taipei.stale) == (True, True)
    # Overdue, but touched 12 days ago in a 14-day stage: late, not stale.
    norte = marks["Grupo Norte"]
    assert (norte.overdue, norte.stale) == (True, False)
    # Due today is not overdue.
    assert marks["Müller Maschinenbau"].overdue is False
    # Never touched since it entered the stage 40 days ago.
    assert marks["Dubois & Fils"].stale is True


def test_a_move_counts_as_touching_the_deal(db, config):
    ids = seed_deals(config, NOW)
    dubois = ids[-1]
    assert card_marks(config, get_card(dubois), NOW).stale
    Funnel(config, "rita", lambda: NOW).move(dubois, "Negotiation")
    assert not card_marks(config, get_card(dubois), NOW).stale
    assert get_card(dubois).id not in [
        c.id for c in stage_cards(config, "Negotiation", BoardFilter(stale_only=True), NOW, 0, 50)
    ]


def test_logging_on_a_deal_keeps_its_next_action_and_last_activity(db, config):
    ids = seed_deals(config, NOW)
    opp_id = ids[0]
    rules = Funnel(config, "rita", lambda: NOW)
    rules.log_activity(opportunity_id=opp_id, kind="note", note="pricing sent")
    card = get_card(opp_id)
    assert card.last_activity_at == NOW
    assert (card.next_action, card.next_action_due) == ("Send the deck", TODAY + dt.timedelta(2))
    rules.log_activity(
        opportunity_id=opp_id,
        kind="email",
        outcome="replied",
        direction="inbound",
        next_action="Book the demo",
        next_due=TODAY + dt.timedelta(days=5),
        occurred_at=NOW - dt.timedelta(days=3),  # logged late: not the latest activity
    )
    card = get_card(opp_id)
    assert card.last_activity_at == NOW
    assert (card.next_action, card.next_action_due) == ("Book the demo", TODAY + dt.timedelta(5))
    assert card.version == 1  # derived data: the deal's own version is untouched


def test_deal_record_links_back_to_its_lead(db, config):
    ids = seed_deals(config, NOW)
    record = deal_record(ids[0])
    assert record.lead.name == "Anna Kowalska" and record.card.lead_id == record.lead.id
    assert [m.to_stage for m in record.moves] == ["Qualification"]
    assert record.activities and all(a.lead_id == record.lead.id for a in record.activities)
    assert deal_record(10_000) is None


def test_demo_fills_next_actions_as_the_migration_would(db, config):
    """The demo writes each deal's (and lead's) last activity and open next action
    itself; the 6 → 7 (7 → 8) migration computes them from the activities: both must
    agree."""
    generate_demo(db, config, leads=400, seed=5, today=TODAY)
    columns = '"id", "last_activity_at", "next_action", "next_action_due"'
    order = ' FROM "opportunity" ORDER BY "id"'
    written = db.execute_sql(f"SELECT {columns}{order}").fetchall()
    assert any(row[3] for row in written) and any(row[1] for row in written)
    lead_columns = '"id", "next_action", "next_action_due"'
    lead_order = ' FROM "lead" ORDER BY "id"'
    leads_written = db.execute_sql(f"SELECT {lead_columns}{lead_order}").fetchall()
    assert any(row[2] for row in leads_written)
    with db.atomic():
        undo_schema_8(db)
        for column in ("last_activity_at", "next_action", "next_action_due"):
            db.execute_sql(f'ALTER TABLE "opportunity" DROP COLUMN "{column}"')
        schemamod.MIGRATIONS[6](db)
        schemamod.MIGRATIONS[7](db)
    assert db.execute_sql(f"SELECT {columns}{order}").fetchall() == written
    assert db.execute_sql(f"SELECT {lead_columns}{lead_order}").fetchall() == leads_written


def test_schema_6_database_is_migrated_keeping_every_activity(db_target, config):
    database = open_database(db_target)
    ids = seed_deals(config, NOW)
    activities, moves = Activity.select().count(), StageChange.select().count()
    with database.atomic():
        for index in (
            indexmod.BOARD_INDEX,
            indexmod.BOARD_CLOSED_INDEX,
            indexmod.BOARD_TOTALS_INDEX,
        ):
            database.execute_sql(f'DROP INDEX "{index}"')
        undo_schema_8(database)
        for column in ("last_activity_at", "next_action", "next_action_due"):
            database.execute_sql(f'ALTER TABLE "opportunity" DROP COLUMN "{column}"')
        schemamod.set_meta("schema_version", "6")
    close_database()

    database = open_database(db_target)
    assert schemamod.stored_version(database) == schemamod.SCHEMA_VERSION == 17
    # SQLite's migrator would rebuild the table for a NOT NULL column, and dropping the
    # old one would cascade to the deals' activities and stage changes.
    assert (Activity.select().count(), StageChange.select().count()) == (activities, moves)
    card = get_card(ids[0])
    assert (card.next_action, card.last_activity_at) == ("Send the deck", NOW - dt.timedelta(1))
    indexes = {i.name for i in database.get_indexes("opportunity")}
    assert {
        indexmod.BOARD_INDEX,
        indexmod.BOARD_CLOSED_INDEX,
        indexmod.BOARD_TOTALS_INDEX,
    } <= indexes


# ------------------------------------------------------------------------ money


def test_amounts_read_as_people_read_them():
    assert exact_money(1250050, "EUR") == "EUR 12,500.50"
    assert exact_money(120_000_000, "JPY") == "JPY 1,200,000"
    assert exact_money(-5, "USD") == "USD -0.05"
    assert [short_amount(c) for c in (0, 95_000, 99_950, 1_250_000, 99_960_000)] == [
        "0",
        "950",
        "1.0k",
        "12.5k",
        "1.0M",
    ]
    line, left = totals_line({"EUR": 370_000_000, "USD": 280_000_000, "PLN": 1, "JPY": 5}, 22)
    assert (line, left) == ("EUR 3.7M · USD 2.8M", 2)


def test_currencies_are_converted_only_with_configured_rates(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text('report_currency = "EUR"\n[exchange_rates]\nUSD = 0.5\n')
    config = load_config(str(path))
    converted = convert(config, {"EUR": 1000, "USD": 1000, "PLN": 300})
    assert converted.total == 1500 and converted.unconverted == {"PLN": 300}
    assert convert(load_config(), {"EUR": 1000, "USD": 1000}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('report_currency = "EUR"\n[exchange_rates]\nUSD = -1\n', "USD must be more than 0"),
        ('report_currency = "EUR"\n[exchange_rates]\nDOLLAR = 1\n', "three-letter currency"),
        ('report_currency = "EUR"\n[exchange_rates]\nUSD = "a lot"\n', "must be a number"),
        ("[exchange_rates]\nUSD = 0.9\n", "needs report_currency"),
        ('report_currency = "euro"\n', "three-letter currency code"),
    ],
)
def test_broken_exchange_rates_are_refused_with_file_and_line(tmp_path, text, message):
    path = tmp_path / "funnel.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert message in str(caught.value) and "funnel.toml, line" in str(caught.value)


def test_stale_filter_counts_from_the_users_today_as_the_marks_do(demo, config):
    """East of UTC the user's date is ahead: a next action due on their today is not
    'ahead' by UTC's date, and the filter must agree with the marks of the same day."""
    import datetime as dt

    tomorrow = NOW.date() + dt.timedelta(days=1)
    flt = BoardFilter(stale_only=True, today=tomorrow)
    stale = board_totals(config, flt, NOW)
    for stage in config.open_stages:
        every = stage_cards(config, stage.name, BoardFilter(), NOW, 0, 100_000)
        marked = [c.id for c in every if card_marks(config, c, NOW, tomorrow).stale]
        shown = stage_cards(config, stage.name, flt, NOW, 0, 100_000)
        assert sorted(c.id for c in shown) == sorted(marked)
        assert stale[stage.name].count == len(marked)
