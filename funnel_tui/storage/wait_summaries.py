"""The waits behind the percentile reports (speed to lead, cycle time): every wait they
measure as a row (models.WaitFact), and how many fall in each bucket of length per UTC
day and month (models.WaitTally), kept by triggers in the same transaction as every
write on SQLite and PostgreSQL; rebuilding both from the records, checking them against
the records, and reading them back for the reports.

A median of a million waits is then exact without ranking a million: the tally says
which bucket holds the k-th wait of a group and how many come before it, and that
bucket's waits are read from an index in order, skipping those (read.reports.percentiles
decides what to ask; the SQL is here, in bucket_counts and waits_from).

Triggers, not the rules layer, keep them: every path that writes (a rep's edit, an
import, a merge, an erasure, an undo, another instance's SQL) then counts. Each change
to a record "refreshes" the facts that depend on it: deletes them and inserts them again
from the records as they now are; the facts' own triggers then move their counts in the
tally. So a fact is always what the records give, and the tally the sum of the facts.

A hand-written UPDATE with triggers dropped, or a file restored from elsewhere, could
still leave them wrong: `wait_summary_problems` finds that and `rebuild_wait_summaries`
mends it (`funnel check [--repair]`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.core.vocab import OPP_WON

FACTS, TALLY = "wait_fact", "wait_tally"

# What a fact measures. SPEED: a live lead's capture to its first interaction (any
# activity but a note, on the lead); `at` is the capture, `label` and `owner` the lead's
# source and owner; every live lead has one, a lead not reached yet with no wait (its
# bucket NOT_REACHED), so the tally counts the leads captured too. The others are cycle
# time's steps, `at` being when the step ended: PROMOTED, capture to promotion;
# FIRST_DEAL, promotion to the lead's first opportunity (the one with the lowest id);
# STAY, a deal's time in the stage it then left (`label`), from the move into it;
# DEAL_WON and LEAD_WON, a won deal's opening and its lead's capture to its close.
# Those are kept only for steps taken: a deal still in its first stage has none.
SPEED, PROMOTED, FIRST_DEAL, STAY, DEAL_WON, LEAD_WON = 1, 2, 3, 4, 5, 6
CYCLE_KINDS = (PROMOTED, FIRST_DEAL, STAY, DEAL_WON, LEAD_WON)
# How the tally groups a kind's facts: by `label` (all kinds), and by `owner` (SPEED).
BY_LABEL, BY_OWNER = 0, 1
DAY, MONTH = "d", "m"

# The buckets of length, in seconds: bucket b holds the waits above BOUNDS[b - 1] up to
# BOUNDS[b], bucket 0 those of no time at all, the last those above BOUNDS[-1]. A
# quarter of a doubling apart from a minute to 32 years (the largest bucket of the
# million-lead demo holds 8 % of its waits), with 1 h and 24 h (plus the half second the
# speed report allows) among them, so "reached within 1 h" is a sum of whole buckets.
WITHIN_HOUR, WITHIN_DAY = 3600.5, 86400.5
BOUNDS: tuple[float, ...] = tuple(
    sorted(
        {0, 1, 2, 4, 8, 15, 30, WITHIN_HOUR, WITHIN_DAY}
        | {round(60 * 2 ** (step / 4)) for step in range(97)}
    )
)
NO_TIME = 0  # the bucket of waits of no time: each of them is 0
NOT_REACHED = -1  # the bucket of a lead with no interaction yet: no wait


def bucket_of(wait: float | None) -> int:
    """The bucket `wait` falls in, as the database works it out (for tests and reads)."""
    from bisect import bisect_left

    return NOT_REACHED if wait is None else bisect_left(BOUNDS, wait)


def _postgres(db: peewee.Database) -> bool:
    return isinstance(db, peewee.PostgresqlDatabase)


# ------------------------------------------------------------------ measuring


def _seconds_sql(later: str, earlier: str, postgres: bool) -> str:
    """Seconds from `earlier` to `later`, stored times; NULL if either is NULL. SQLite
    counts in whole milliseconds (as its julianday does), rounded to them exactly."""
    if postgres:
        return f"EXTRACT(EPOCH FROM ({later}) - ({earlier}))::float8"
    return f"(ROUND((julianday({later}) - julianday({earlier})) * 86400000) / 1000.0)"


def wait_sql(later: str, earlier: str, postgres: bool) -> str:
    """The wait from `earlier` to `later`: seconds, none below zero (a call noted a
    little before the lead was typed in is no wait at all)."""
    seconds = _seconds_sql(later, earlier, postgres)
    return f"(CASE WHEN {seconds} < 0 THEN 0.0 ELSE {seconds} END)"


def bucket_sql(wait: str) -> str:
    """The bucket of `wait` (a column: it is named at every branch): a balanced tree of
    comparisons, seven of them a wait; NOT_REACHED for none."""

    def tree(low: int, high: int) -> str:
        if low == high:
            return str(low)
        middle = (low + high) // 2
        return (
            f"CASE WHEN {wait} <= {BOUNDS[middle]!r} THEN {tree(low, middle)} "
            f"ELSE {tree(middle + 1, high)} END"
        )

    return f"CASE WHEN {wait} IS NULL THEN {NOT_REACHED} ELSE {tree(0, len(BOUNDS))} END"


# ----------------------------------------------------------- facts from records
#
# Each gives rows of (kind, ref, at, label, owner_id, start_at, end_at) for the records
# whose ids `keys` lists (SQL that fits in "IN (...)"), or for all of them (None).

_FACT_COLUMNS = ("kind", "ref", "at", "label", "owner_id", "start_at", "end_at")


def _in(column: str, keys: str | None) -> str:
    return "TRUE" if keys is None else f"{column} IN ({keys})"


def _speed_rows(leads: str | None) -> str:
    activities, of_leads = _in('a."lead_id"', leads), _in('l."id"', leads)
    first = (
        'SELECT a."lead_id" AS lead_id, MIN(a."occurred_at") AS first FROM "activity" a '
        f'WHERE {activities} AND a."lead_id" IS NOT NULL AND a."kind" {_NOT_NOTE} '
        'GROUP BY a."lead_id"'
    )
    return (
        f'SELECT {SPEED} AS kind, l."id" AS ref, l."created_at" AS at, l."source" AS label, '
        'l."owner_id" AS owner_id, l."created_at" AS start_at, f.first AS end_at '
        f'FROM "lead" l LEFT JOIN ({first}) f ON f.lead_id = l."id" '
        f'WHERE {of_leads} AND l."merged_into_id" IS NULL'
    )


def _new_leads(rows: str) -> str:
    """The facts of leads just inserted (`rows` names them, as l): live ones are not
    reached yet (their activities must come after them), and promoted ones may be."""
    return (
        f'SELECT {SPEED} AS kind, l."id" AS ref, l."created_at" AS at, l."source" AS label, '
        'l."owner_id" AS owner_id, l."created_at" AS start_at, NULL AS end_at '
        f'FROM {rows} WHERE l."merged_into_id" IS NULL UNION ALL '
        f'SELECT {PROMOTED}, l."id", l."promoted_at", \'\', 0, l."created_at", '
        f'l."promoted_at" FROM {rows} WHERE l."promoted_at" IS NOT NULL'
    )


def _promoted_rows(leads: str | None) -> str:
    return (
        f'SELECT {PROMOTED} AS kind, l."id" AS ref, l."promoted_at" AS at, \'\' AS label, '
        '0 AS owner_id, l."created_at" AS start_at, l."promoted_at" AS end_at FROM "lead" l '
        'WHERE l."promoted_at" IS NOT NULL AND ' + _in('l."id"', leads)
    )


def _first_deal_rows(leads: str | None) -> str:
    if leads is None:  # every lead's at once: one pass over the deals
        first = (
            'FROM (SELECT "lead_id", MIN("id") AS id FROM "opportunity" GROUP BY "lead_id") f '
            'JOIN "opportunity" o ON o."id" = f.id JOIN "lead" l ON l."id" = f."lead_id" '
            "WHERE TRUE"
        )
    else:
        first = (
            'FROM "lead" l JOIN "opportunity" o ON o."id" = (SELECT MIN(f."id") FROM '
            f'"opportunity" f WHERE f."lead_id" = l."id") WHERE l."id" IN ({leads})'
        )
    return (
        f'SELECT {FIRST_DEAL} AS kind, l."id" AS ref, o."created_at" AS at, \'\' AS label, '
        '0 AS owner_id, l."promoted_at" AS start_at, o."created_at" AS end_at '
        f'{first} AND l."promoted_at" IS NOT NULL'
    )


def _stay_rows(deals: str | None) -> str:
    """Each move out of a stage of the deals, with when the deal entered that stage: at
    its move before (by time, then id). Every deal's at once by a window over the
    moves; a few deals' by looking their moves up."""
    if deals is None:
        moves = (
            'SELECT s."id" AS id, s."at" AS at, s."from_stage" AS stage, LAG(s."at") OVER '
            '(PARTITION BY s."opportunity_id" ORDER BY s."at", s."id") AS entered '
            'FROM "stage_change" s'
        )
    else:
        entered = (
            'SELECT p."at" FROM "stage_change" p WHERE p."opportunity_id" = s."opportunity_id" '
            'AND (p."at" < s."at" OR (p."at" = s."at" AND p."id" < s."id")) '
            'ORDER BY p."at" DESC, p."id" DESC LIMIT 1'
        )
        moves = (
            f'SELECT s."id" AS id, s."at" AS at, s."from_stage" AS stage, ({entered}) AS '
            f'entered FROM "stage_change" s WHERE s."opportunity_id" IN ({deals})'
        )
    return (
        f"SELECT {STAY} AS kind, m.id AS ref, m.at AS at, m.stage AS label, 0 AS owner_id, "
        f"m.entered AS start_at, m.at AS end_at FROM ({moves}) m "
        "WHERE m.stage IS NOT NULL AND m.entered IS NOT NULL"
    )


def _won_rows(deals: str | None) -> str:
    of_deals = _in('o."id"', deals)
    won = f'o."state" = \'{OPP_WON}\' AND o."closed_at" IS NOT NULL AND {of_deals}'
    return (
        f'SELECT {DEAL_WON} AS kind, o."id" AS ref, o."closed_at" AS at, \'\' AS label, '
        '0 AS owner_id, o."created_at" AS start_at, o."closed_at" AS end_at '
        f'FROM "opportunity" o WHERE {won} UNION ALL '
        f'SELECT {LEAD_WON}, o."id", o."closed_at", \'\', 0, l."created_at", o."closed_at" '
        f'FROM "opportunity" o JOIN "lead" l ON l."id" = o."lead_id" WHERE {won}'
    )


def _all_rows() -> list[str]:
    return [
        _speed_rows(None),
        _promoted_rows(None),
        _first_deal_rows(None),
        _stay_rows(None),
        _won_rows(None),
    ]


def _measured(rows: str, postgres: bool) -> str:
    """`rows` with each one's wait and bucket after it."""
    wait = wait_sql("r.end_at", "r.start_at", postgres)
    names = ", ".join(_FACT_COLUMNS)
    # OFFSET 0: the rows are made once, not once for every branch of the bucket's tree.
    fence = "OFFSET 0" if postgres else "LIMIT -1 OFFSET 0"
    return (
        f"SELECT {names}, w AS wait, {bucket_sql('w')} AS bucket FROM "
        f"(SELECT r.*, {wait} AS w FROM ({rows}) AS r {fence}) AS measured"
    )


def _insert(rows: str, postgres: bool) -> str:
    """Insert the facts `rows` gives. On PostgreSQL with their wait and bucket (its
    functions, made with the triggers); on SQLite the facts' own trigger works them out,
    so that the tree of the buckets is written once in the schema, not in every
    trigger that inserts a fact. (OFFSET 0 keeps the planner from copying the wait into
    every branch of the inlined tree.)"""
    names = ", ".join(f'"{c}"' for c in _FACT_COLUMNS)
    if not postgres:
        return f'INSERT INTO "{FACTS}" ({names}) {rows}'
    plain = ", ".join(_FACT_COLUMNS)
    return (
        f'INSERT INTO "{FACTS}" ({names}, "wait", "bucket") SELECT {plain}, w, '
        f"funnel_wait_bucket(w) FROM (SELECT r.*, funnel_wait(r.end_at, r.start_at) AS w "
        f"FROM ({rows}) AS r OFFSET 0) AS measured"
    )


def _refresh(kinds: Sequence[int], refs: str, rows: str, postgres: bool) -> list[str]:
    """Delete the facts of `kinds` whose ref `refs` lists, and insert what `rows` gives."""
    listed = ", ".join(str(kind) for kind in kinds)
    return [
        f'DELETE FROM "{FACTS}" WHERE "kind" IN ({listed}) AND "ref" IN ({refs})',
        _insert(rows, postgres),
    ]


def _speed(leads: str, postgres: bool) -> list[str]:
    return _refresh([SPEED], leads, _speed_rows(leads), postgres)


def _lead_steps(leads: str, postgres: bool) -> list[str]:
    return [
        *_refresh([PROMOTED], leads, _promoted_rows(leads), postgres),
        *_refresh([FIRST_DEAL], leads, _first_deal_rows(leads), postgres),
    ]


def _first_deal(leads: str, postgres: bool) -> list[str]:
    return _refresh([FIRST_DEAL], leads, _first_deal_rows(leads), postgres)


def _won(deals: str, postgres: bool) -> list[str]:
    return _refresh([DEAL_WON, LEAD_WON], deals, _won_rows(deals), postgres)


def _stays(deals: str, gone: str | None, postgres: bool) -> list[str]:
    """The stays of `deals` again; `gone`: moves deleted, whose stays go too."""
    refs = f'SELECT "id" FROM "stage_change" WHERE "opportunity_id" IN ({deals})'
    if gone is not None:
        refs = f"{refs} UNION ALL SELECT {gone}" if not postgres else f"{refs} UNION ALL {gone}"
    return _refresh([STAY], refs, _stay_rows(deals), postgres)


# ------------------------------------------------------------------ the tally


def _span_start(span: str, at: str, postgres: bool) -> str:
    """The UTC day or month `at` falls in, as the tally's `start` stores it."""
    if postgres:
        return f"date_trunc('{'day' if span == DAY else 'month'}', {at})"
    # Peewee stores times as "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if span == DAY:
        return f"(substr({at}, 1, 10) || ' 00:00:00')"
    return f"(substr({at}, 1, 7) || '-01 00:00:00')"


def _tally_rows(facts: str, where: str, sign: str, postgres: bool) -> str:
    """The tally's rows for the facts (FROM item `facts`, named f, and `where`), each
    counted `sign`."""
    owner = "f.owner_id::text" if postgres else "CAST(f.owner_id AS TEXT)"
    parts = []
    for span in (DAY, MONTH):
        start = _span_start(span, "f.at", postgres)
        parts.append(
            f"SELECT '{span}' AS span, {start} AS start, f.kind AS kind, {BY_LABEL} AS dim, "
            f"f.label AS grp, f.bucket AS bucket, {sign} AS n FROM {facts} WHERE {where}"
        )
        parts.append(
            f"SELECT '{span}', {start}, f.kind, {BY_OWNER}, {owner}, f.bucket, {sign} "
            f"FROM {facts} WHERE {where} AND f.kind = {SPEED}"
        )
    return " UNION ALL ".join(parts)


_TALLY_KEYS = ("span", "start", "kind", "dim", "grp", "bucket")


def _add_to_tally(facts: str, where: str, sign: str, postgres: bool) -> list[str]:
    keys = ", ".join(f'"{c}"' for c in _TALLY_KEYS)
    plain = ", ".join(_TALLY_KEYS)
    # "WHERE TRUE": SQLite reads ON CONFLICT right after a FROM as a join's.
    statements = [
        f'INSERT INTO "{TALLY}" ({keys}, "n") SELECT {plain}, SUM(n) FROM '
        f"({_tally_rows(facts, where, sign, postgres)}) AS counted WHERE TRUE GROUP BY {plain} "
        f'ON CONFLICT ({keys}) DO UPDATE SET "n" = "{TALLY}"."n" + excluded."n"'
    ]
    if sign.startswith("-"):
        statements.append(f'DELETE FROM "{TALLY}" WHERE "n" = 0')
    return statements


# ------------------------------------------------------------------ triggers


def _differs(columns: Sequence[str], old: str, new: str, postgres: bool) -> str:
    test = "IS DISTINCT FROM" if postgres else "IS NOT"
    return " OR ".join(f'{old}."{c}" {test} {new}."{c}"' for c in columns)


_SPEED_LEAD_COLUMNS = ("created_at", "source", "owner_id", "merged_into_id")
_STEP_LEAD_COLUMNS = ("created_at", "promoted_at")
_DEAL_COLUMNS = ("lead_id", "created_at", "state", "closed_at")
_ACTIVITY_COLUMNS = ("lead_id", "kind", "occurred_at")
_MOVE_COLUMNS = ("opportunity_id", "from_stage", "at")
_NOT_NOTE = "<> 'note'"


# The row a lead trigger is given, as a FROM item named l.
_NEW_LEAD = (
    "(SELECT "
    + ", ".join(
        f'NEW."{c}" AS "{c}"'
        for c in ("id", "created_at", "source", "owner_id", "merged_into_id", "promoted_at")
    )
    + ") l"
)


def _sqlite_triggers() -> dict[str, tuple[str, str, str, list[str]]]:
    """name -> (event, table, WHEN condition or "", statements): SQLite's row triggers."""
    pg = False
    reached = (
        f'SELECT 1 FROM "{FACTS}" WHERE "kind" = {SPEED} AND "ref" = NEW."lead_id" '
        'AND "end_at" <= NEW."occurred_at"'
    )
    first_gone = (
        f'SELECT 1 FROM "{FACTS}" WHERE "kind" = {SPEED} AND "ref" = OLD."lead_id" '
        'AND "end_at" >= OLD."occurred_at"'
    )
    wait = wait_sql('NEW."end_at"', 'NEW."start_at"', pg)
    at_new = 'WHERE "kind" = NEW."kind" AND "ref" = NEW."ref"'
    return {
        "wait_lead_insert": (
            "AFTER INSERT",
            "lead",
            "",
            [_insert(_new_leads(_NEW_LEAD), pg)],
        ),
        "wait_lead_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _SPEED_LEAD_COLUMNS),
            "lead",
            _differs(_SPEED_LEAD_COLUMNS, "OLD", "NEW", pg),
            _speed('NEW."id"', pg),
        ),
        "wait_lead_steps": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _STEP_LEAD_COLUMNS),
            "lead",
            _differs(_STEP_LEAD_COLUMNS, "OLD", "NEW", pg),
            [
                *_lead_steps('NEW."id"', pg),
                *_won('SELECT "id" FROM "opportunity" WHERE "lead_id" = NEW."id"', pg),
            ],
        ),
        # A lead with deals cannot be deleted, and its activities go before it does.
        "wait_lead_delete": (
            "AFTER DELETE",
            "lead",
            "",
            [
                f'DELETE FROM "{FACTS}" WHERE "kind" IN ({SPEED}, {PROMOTED}, {FIRST_DEAL}) '
                'AND "ref" = OLD."id"'
            ],
        ),
        # An interaction earlier than the lead's first (or its first): the lead again.
        "wait_activity_insert": (
            "AFTER INSERT",
            "activity",
            f'NEW."lead_id" IS NOT NULL AND NEW."kind" {_NOT_NOTE} AND NOT EXISTS ({reached})',
            _speed('NEW."lead_id"', pg),
        ),
        "wait_activity_delete": (
            "AFTER DELETE",
            "activity",
            f'OLD."lead_id" IS NOT NULL AND OLD."kind" {_NOT_NOTE} AND EXISTS ({first_gone})',
            _speed('OLD."lead_id"', pg),
        ),
        "wait_activity_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _ACTIVITY_COLUMNS),
            "activity",
            _differs(_ACTIVITY_COLUMNS, "OLD", "NEW", pg),
            _speed('OLD."lead_id", NEW."lead_id"', pg),
        ),
        "wait_deal_insert": (
            "AFTER INSERT",
            "opportunity",
            "",
            [*_first_deal('NEW."lead_id"', pg), *_won('NEW."id"', pg)],
        ),
        "wait_deal_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _DEAL_COLUMNS),
            "opportunity",
            _differs(_DEAL_COLUMNS, "OLD", "NEW", pg),
            [*_first_deal('OLD."lead_id", NEW."lead_id"', pg), *_won('NEW."id"', pg)],
        ),
        "wait_deal_delete": (
            "AFTER DELETE",
            "opportunity",
            "",
            [
                f'DELETE FROM "{FACTS}" WHERE "kind" IN ({DEAL_WON}, {LEAD_WON}) '
                'AND "ref" = OLD."id"',
                *_first_deal('OLD."lead_id"', pg),
            ],
        ),
        "wait_move_insert": (
            "AFTER INSERT",
            "stage_change",
            "",
            _stays('NEW."opportunity_id"', None, pg),
        ),
        "wait_move_delete": (
            "AFTER DELETE",
            "stage_change",
            "",
            _stays('OLD."opportunity_id"', 'OLD."id"', pg),
        ),
        "wait_move_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _MOVE_COLUMNS),
            "stage_change",
            _differs(_MOVE_COLUMNS, "OLD", "NEW", pg),
            _stays('OLD."opportunity_id", NEW."opportunity_id"', 'OLD."id"', pg),
        ),
        # The facts' own: their wait and bucket, and their counts in the tally.
        "wait_fact_insert": (
            "AFTER INSERT",
            FACTS,
            "",
            [
                f'UPDATE "{FACTS}" SET "wait" = {wait}, "bucket" = (SELECT {bucket_sql("x.w")} '
                f"FROM (SELECT {wait} AS w) AS x) {at_new}",
                *_count_one(
                    f'FROM "{FACTS}" f WHERE f."kind" = NEW."kind" AND f."ref" = NEW."ref"', 1
                ),
            ],
        ),
        "wait_fact_delete": (
            "AFTER DELETE",
            FACTS,
            "",
            [
                *_count_one(
                    'FROM (SELECT OLD."kind" AS kind, OLD."at" AS at, OLD."label" AS label, '
                    'OLD."owner_id" AS owner_id, OLD."bucket" AS bucket) f WHERE TRUE',
                    -1,
                ),
                f'DELETE FROM "{TALLY}" WHERE "n" = 0',
            ],
        ),
    }


def _count_one(fact: str, sign: int) -> list[str]:
    """SQLite: the tally's rows of one fact (`fact`: FROM and WHERE, naming it f), each
    moved by `sign`; an upsert each, which for one row costs less than grouping."""
    keys = ", ".join(f'"{c}"' for c in _TALLY_KEYS)
    statements = []
    for span in (DAY, MONTH):
        start = _span_start(span, "f.at", False)
        for dim, group, only in (
            (BY_LABEL, "f.label", ""),
            (BY_OWNER, "CAST(f.owner_id AS TEXT)", f" AND f.kind = {SPEED}"),
        ):
            statements.append(
                f'INSERT INTO "{TALLY}" ({keys}, "n") SELECT \'{span}\', {start}, f.kind, {dim}, '
                f"{group}, f.bucket, {sign} {fact}{only} "
                f'ON CONFLICT ({keys}) DO UPDATE SET "n" = "{TALLY}"."n" + excluded."n"'
            )
    return statements


# A step of a PostgreSQL trigger: the ids it is about (a query over the transition
# tables, or None when the statements read those themselves), and the statements given
# SQL that lists them.
_Step = tuple[str | None, Callable[[str], list[str]]]


def _pg_triggers() -> dict[str, tuple[str, str, str, list[_Step]]]:
    """name -> (event, table, transition tables, steps): PostgreSQL's statement
    triggers. A statement that changes many rows (a hand-over of 10,000 leads) refreshes
    their facts in one statement each, and the facts' trigger moves the tally's counts
    in one grouped statement, not row by row (which on PostgreSQL piles up versions of
    the same tally rows until the transaction ends). Each step's ids are listed once,
    before its statements change the facts they may be found by."""
    pg = True
    changed_lead = 'SELECT n."id" FROM old_rows o JOIN new_rows n ON n."id" = o."id" WHERE '
    earlier = (
        f'SELECT n."lead_id" FROM new_rows n WHERE n."lead_id" IS NOT NULL AND n."kind" '
        f'{_NOT_NOTE} AND NOT EXISTS (SELECT 1 FROM "{FACTS}" f WHERE f."kind" = {SPEED} '
        'AND f."ref" = n."lead_id" AND f."end_at" <= n."occurred_at")'
    )
    first_gone = (
        f'SELECT o."lead_id" FROM old_rows o WHERE o."lead_id" IS NOT NULL AND o."kind" '
        f'{_NOT_NOTE} AND EXISTS (SELECT 1 FROM "{FACTS}" f WHERE f."kind" = {SPEED} '
        'AND f."ref" = o."lead_id" AND f."end_at" >= o."occurred_at")'
    )

    def moved(columns: Sequence[str]) -> str:
        return 'FROM old_rows o JOIN new_rows n ON n."id" = o."id" WHERE ' + _differs(
            columns, "o", "n", pg
        )

    def both(column: str, columns: Sequence[str]) -> str:
        return f'SELECT o."{column}" {moved(columns)} UNION SELECT n."{column}" {moved(columns)}'

    def deals_of(leads: str) -> str:
        return f'SELECT "id" FROM "opportunity" WHERE "lead_id" IN ({leads})'

    old_new = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    return {
        "wait_lead_insert": (
            "AFTER INSERT",
            "lead",
            "REFERENCING NEW TABLE AS new_rows",
            [(None, lambda _k: [_insert(_new_leads("new_rows l"), pg)])],
        ),
        "wait_lead_update": (
            "AFTER UPDATE",
            "lead",
            old_new,
            [
                (
                    changed_lead + "(" + _differs(_SPEED_LEAD_COLUMNS, "o", "n", pg) + ")",
                    lambda leads: _speed(leads, pg),
                ),
                (
                    changed_lead + "(" + _differs(_STEP_LEAD_COLUMNS, "o", "n", pg) + ")",
                    lambda leads: [*_lead_steps(leads, pg), *_won(deals_of(leads), pg)],
                ),
            ],
        ),
        "wait_lead_delete": (
            "AFTER DELETE",
            "lead",
            "REFERENCING OLD TABLE AS old_rows",
            [
                (
                    None,
                    lambda _k: [
                        f'DELETE FROM "{FACTS}" WHERE "kind" IN ({SPEED}, {PROMOTED}, '
                        f'{FIRST_DEAL}) AND "ref" IN (SELECT "id" FROM old_rows)'
                    ],
                )
            ],
        ),
        "wait_activity_insert": (
            "AFTER INSERT",
            "activity",
            "REFERENCING NEW TABLE AS new_rows",
            [(earlier, lambda leads: _speed(leads, pg))],
        ),
        "wait_activity_delete": (
            "AFTER DELETE",
            "activity",
            "REFERENCING OLD TABLE AS old_rows",
            [(first_gone, lambda leads: _speed(leads, pg))],
        ),
        "wait_activity_update": (
            "AFTER UPDATE",
            "activity",
            old_new,
            [(both("lead_id", _ACTIVITY_COLUMNS), lambda leads: _speed(leads, pg))],
        ),
        "wait_deal_insert": (
            "AFTER INSERT",
            "opportunity",
            "REFERENCING NEW TABLE AS new_rows",
            [
                (
                    None,
                    lambda _k: [
                        *_first_deal('SELECT "lead_id" FROM new_rows', pg),
                        *_won('SELECT "id" FROM new_rows', pg),
                    ],
                )
            ],
        ),
        "wait_deal_update": (
            "AFTER UPDATE",
            "opportunity",
            old_new,
            [
                (both("lead_id", _DEAL_COLUMNS), lambda leads: _first_deal(leads, pg)),
                (f'SELECT n."id" {moved(_DEAL_COLUMNS)}', lambda deals: _won(deals, pg)),
            ],
        ),
        "wait_deal_delete": (
            "AFTER DELETE",
            "opportunity",
            "REFERENCING OLD TABLE AS old_rows",
            [
                (
                    None,
                    lambda _k: [
                        f'DELETE FROM "{FACTS}" WHERE "kind" IN ({DEAL_WON}, {LEAD_WON}) '
                        'AND "ref" IN (SELECT "id" FROM old_rows)',
                        *_first_deal('SELECT "lead_id" FROM old_rows', pg),
                    ],
                )
            ],
        ),
        "wait_move_insert": (
            "AFTER INSERT",
            "stage_change",
            "REFERENCING NEW TABLE AS new_rows",
            [(None, lambda _k: _stays('SELECT "opportunity_id" FROM new_rows', None, pg))],
        ),
        "wait_move_delete": (
            "AFTER DELETE",
            "stage_change",
            "REFERENCING OLD TABLE AS old_rows",
            [
                (
                    None,
                    lambda _k: _stays(
                        'SELECT "opportunity_id" FROM old_rows', 'SELECT "id" FROM old_rows', pg
                    ),
                )
            ],
        ),
        "wait_move_update": (
            "AFTER UPDATE",
            "stage_change",
            old_new,
            [
                (
                    both("opportunity_id", _MOVE_COLUMNS),
                    lambda deals: _stays(deals, f'SELECT o."id" {moved(_MOVE_COLUMNS)}', pg),
                )
            ],
        ),
        "wait_fact_insert": (
            "AFTER INSERT",
            FACTS,
            "REFERENCING NEW TABLE AS new_facts",
            [(None, lambda _k: _add_to_tally("new_facts f", "TRUE", "1", pg))],
        ),
        "wait_fact_delete": (
            "AFTER DELETE",
            FACTS,
            "REFERENCING OLD TABLE AS old_facts",
            [(None, lambda _k: _add_to_tally("old_facts f", "TRUE", "-1", pg))],
        ),
    }


def _pg_functions() -> list[str]:
    """The wait and its bucket as SQL functions (inlined by the planner): the tree of
    the buckets is written once."""
    wait = wait_sql("later", "earlier", True)
    return [
        "CREATE OR REPLACE FUNCTION funnel_wait(later timestamp, earlier timestamp) "
        f"RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT {wait} $$",
        "CREATE OR REPLACE FUNCTION funnel_wait_bucket(w double precision) "
        f"RETURNS smallint LANGUAGE sql IMMUTABLE AS $$ SELECT ({bucket_sql('w')})::smallint $$",
    ]


def wait_trigger_names() -> tuple[str, ...]:
    return tuple(_sqlite_triggers())


def _trigger_table(name: str) -> str:
    return _sqlite_triggers()[name][1]


def create_wait_triggers(db: peewee.Database) -> None:
    """Make the triggers (idempotent), inside the caller's transaction."""
    if not _postgres(db):
        for name, (event, table, when, statements) in _sqlite_triggers().items():
            body = "".join(f"{statement};\n" for statement in statements)
            condition = f" WHEN {when}" if when else ""
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" {event} ON "{table}"{condition} '
                f"BEGIN\n{body}END"
            )
        return
    for statement in _pg_functions():
        db.execute_sql(statement)
    for name, (event, table, referencing, steps) in _pg_triggers().items():
        declared, body = [], ""
        for number, (keys, statements) in enumerate(steps):
            if keys is None:
                body += "".join(f"{statement};\n" for statement in statements(""))
                continue
            ids = f"ids_{number}"
            declared.append(f"{ids} bigint[];\n")
            run = "".join(f"{statement};\n" for statement in statements(f"SELECT unnest({ids})"))
            body += f"{ids} := ARRAY({keys});\nIF cardinality({ids}) > 0 THEN\n{run}END IF;\n"
        declare = f"DECLARE\n{''.join(declared)}" if declared else ""
        db.execute_sql(
            f"CREATE OR REPLACE FUNCTION funnel_{name}() RETURNS trigger AS $$\n"
            f"{declare}BEGIN\n{body}RETURN NULL;\nEND $$ LANGUAGE plpgsql"
        )
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        db.execute_sql(
            f'CREATE TRIGGER "{name}" {event} ON "{table}" {referencing} '
            f"FOR EACH STATEMENT EXECUTE FUNCTION funnel_{name}()"
        )


def drop_wait_triggers(db: peewee.Database) -> None:
    for name in wait_trigger_names():
        if _postgres(db):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{_trigger_table(name)}"')
        else:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')


# ------------------------------------------------------------------ indexes

# What the reports read: the waits of one kind and bucket in order (with their group,
# which the reads of one group's waits filter on), and the facts of a stretch of time
# (the hours a boundary of a period cuts).
INDEXES = {
    "wait_fact_pick": ("kind", "bucket", "wait", "at", "label", "owner_id"),
    "wait_fact_at": ("kind", "at", "bucket", "label", "owner_id"),
}


def wait_index_names() -> set[str]:
    return {*INDEXES, f"{TALLY}_empty"}


def _create_indexes(db: peewee.Database) -> None:
    for name, columns in INDEXES.items():
        names = ", ".join(f'"{c}"' for c in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{FACTS}" ({names})')
    # A tally row counting nothing is removed by the statement after the one that took
    # its last away; this finds such rows without a scan.
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{TALLY}_empty" ON "{TALLY}" ("n") WHERE "n" = 0')


def create_wait_summaries(db: peewee.Database) -> None:
    """The indexes and triggers (idempotent; the tables are models), inside the caller's
    transaction."""
    _create_indexes(db)
    create_wait_triggers(db)


# ------------------------------------------------------------- from the records


def _facts_sql(postgres: bool) -> str:
    """Every fact as the records give it, with its wait and bucket."""
    return " UNION ALL ".join(_measured(rows, postgres) for rows in _all_rows())


def _tally_sql(postgres: bool) -> str:
    """The tally as the stored facts give it: their days counted from the facts, their
    months from the days (a third of the time of counting both from the facts)."""
    owner = "f.owner_id::text" if postgres else "CAST(f.owner_id AS TEXT)"
    day = _span_start(DAY, "f.at", postgres)
    month = _span_start(MONTH, "d.start", postgres)
    keys = ", ".join(_TALLY_KEYS)
    return (
        f"WITH days ({keys}, n) AS ("
        f"SELECT '{DAY}', {day}, f.kind, {BY_LABEL}, f.label, f.bucket, COUNT(*) "
        f'FROM "{FACTS}" f GROUP BY 2, 3, 5, 6 UNION ALL '
        f"SELECT '{DAY}', {day}, f.kind, {BY_OWNER}, {owner}, f.bucket, COUNT(*) "
        f'FROM "{FACTS}" f WHERE f.kind = {SPEED} GROUP BY 2, 3, 5, 6) '
        f"SELECT {keys}, n FROM days UNION ALL "
        f"SELECT '{MONTH}', {month}, d.kind, d.dim, d.grp, d.bucket, SUM(d.n) FROM days d "
        "GROUP BY 2, 3, 4, 5, 6"
    )


_ALL_FACT_COLUMNS = (*_FACT_COLUMNS, "wait", "bucket")


def rebuild_wait_summaries(db: peewee.Database) -> None:
    """Work every fact and the tally out again from the records, inside the caller's
    transaction (about 10 s for a million leads): the triggers are off meanwhile and
    the facts' indexes built once at the end."""
    postgres = _postgres(db)
    drop_wait_triggers(db)
    for name in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    db.execute_sql(f'DELETE FROM "{FACTS}"')
    db.execute_sql(f'DELETE FROM "{TALLY}"')
    names = ", ".join(f'"{c}"' for c in _ALL_FACT_COLUMNS)
    db.execute_sql(f'INSERT INTO "{FACTS}" ({names}) {_facts_sql(postgres)}')
    keys = ", ".join(f'"{c}"' for c in (*_TALLY_KEYS, "n"))
    db.execute_sql(f'INSERT INTO "{TALLY}" ({keys}) {_tally_sql(postgres)}')
    create_wait_summaries(db)
    if postgres:
        # Statistics for the planner, which would otherwise plan the reports' reads for
        # empty tables until autovacuum comes round.
        db.execute_sql(f'ANALYZE "{FACTS}", "{TALLY}"')


def wait_summary_problems(db: peewee.Database) -> int:
    """How many facts and tally rows differ from what the records give (missing, left
    over, or with other values); 0 when every one agrees."""
    postgres = _postgres(db)
    wrong = 0
    fact_names = ", ".join(f'"{c}"' for c in _ALL_FACT_COLUMNS)
    tally_names = ", ".join(f'"{c}"' for c in (*_TALLY_KEYS, "n"))
    for table, names, keys, select in (
        (FACTS, fact_names, '"kind", "ref"', _facts_sql(postgres)),
        (TALLY, tally_names, ", ".join(f'"{c}"' for c in _TALLY_KEYS), _tally_sql(postgres)),
    ):
        stored = f'SELECT {names} FROM "{table}"'
        # The records' rows as one SELECT: "a EXCEPT b UNION ALL c" would add c whole.
        select = f"SELECT {names} FROM ({select}) AS records"
        # A row whose values differ is in both differences: its key counts once.
        differing = (
            f"SELECT {keys} FROM ({stored} EXCEPT {select}) AS extra UNION "
            f"SELECT {keys} FROM ({select} EXCEPT {stored}) AS missing"
        )
        wrong += db.execute_sql(f"SELECT COUNT(*) FROM ({differing}) AS rows").fetchone()[0]
    return wrong


@contextmanager
def deferred_wait_summaries(db: peewee.Database) -> Iterator[None]:
    """Around a bulk load inside one transaction (funnel demo, a copy): the triggers are
    off while it writes and everything is worked out again at the end, in one pass per
    kind instead of statements for every row. Other writers wait on the transaction, so
    none writes unseen; should the block raise, the rollback brings the triggers back."""
    drop_wait_triggers(db)
    yield
    rebuild_wait_summaries(db)


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Piece:
    """Part of a stretch of time, counted `sign` times (1 or -1): the tally's rows of
    `span` (DAY or MONTH) starting in [low, high), or, `span` "", the facts whose `at`
    is in [low, high); None is open."""

    span: str
    low: dt.datetime | None
    high: dt.datetime | None
    sign: int


def _stored(db: peewee.Database, moment: dt.datetime) -> Any:
    """A time as this engine compares it with stored ones."""
    return moment if _postgres(db) else moment.isoformat(" ")


def _between(db: peewee.Database, column: str, low: Any, high: Any, params: list) -> str:
    condition = ""
    if low is not None:
        condition += f' AND "{column}" >= {db.param}'
        params.append(_stored(db, low))
    if high is not None:
        condition += f' AND "{column}" < {db.param}'
        params.append(_stored(db, high))
    return condition


def bucket_counts(
    db: peewee.Database, kinds: Sequence[int], dim: int, stretches: Sequence[Sequence[Piece]]
) -> dict[tuple[int, int, str], dict[int, int]]:
    """How many facts of `kinds` fall in each bucket, per stretch of time (its index in
    `stretches`, each a list of pieces), kind and group (`dim`: BY_LABEL or BY_OWNER):
    (stretch, kind, group) -> {bucket: count}, leaving out what counts nothing."""
    listed = ", ".join(str(int(kind)) for kind in kinds)
    postgres = _postgres(db)
    owner = '"owner_id"::text' if postgres else 'CAST("owner_id" AS TEXT)'
    group = owner if dim == BY_OWNER else '"label"'
    # SQLite would rather walk the index that gives the groups in order than the one
    # that finds the stretch of time.
    hint = "" if postgres else " INDEXED BY wait_fact_at"
    parts, params = [], []
    for tag, pieces in enumerate(stretches):
        for piece in pieces:
            if piece.span:
                where = _between(db, "start", piece.low, piece.high, params)
                parts.append(
                    f'SELECT {tag} AS tag, "kind" AS kind, "grp" AS grp, "bucket" AS bucket, '
                    f'{piece.sign} * SUM("n") AS n FROM "{TALLY}" WHERE "span" = \'{piece.span}\' '
                    f'AND "kind" IN ({listed}) AND "dim" = {int(dim)}{where} '
                    'GROUP BY "kind", "grp", "bucket"'
                )
            else:
                where = _between(db, "at", piece.low, piece.high, params)
                parts.append(
                    f'SELECT {tag} AS tag, "kind" AS kind, {group} AS grp, "bucket" AS bucket, '
                    f"{piece.sign} * COUNT(*) AS n "
                    f'FROM "{FACTS}"{hint} WHERE "kind" IN ({listed}){where} GROUP BY 2, 3, 4'
                )
    if not parts:
        return {}
    sql = (
        "SELECT tag, kind, grp, bucket, SUM(n) FROM (" + " UNION ALL ".join(parts) + ") AS "
        "pieces GROUP BY tag, kind, grp, bucket"
    )
    found: dict[tuple[int, int, str], dict[int, int]] = {}
    for tag, kind, grp, bucket, count in db.execute_sql(sql, params).fetchall():
        if count:
            found.setdefault((int(tag), int(kind), grp), {})[int(bucket)] = int(count)
    return found


def waits_from(
    db: peewee.Database,
    kind: int,
    bucket: int,
    group: tuple[int, str] | None,
    low: dt.datetime | None,
    high: dt.datetime | None,
    skip: int,
    count: int,
) -> list[float]:
    """`count` waits of `kind` in `bucket` whose `at` is in [low, high), in order,
    after the first `skip` of them; `group`: only those of (BY_LABEL, label) or
    (BY_OWNER, owner id as text). Read from an index alone, at most the bucket's
    entries."""
    params: list[Any] = []
    condition = ""
    if group is not None:
        dim, value = group
        column = "owner_id" if dim == BY_OWNER else "label"
        condition = f' AND "{column}" = {db.param}'
        params.append(int(value) if dim == BY_OWNER else value)
    condition += _between(db, "at", low, high, params)
    hint = "" if _postgres(db) else " INDEXED BY wait_fact_pick"
    sql = (
        f'SELECT "wait" FROM "{FACTS}"{hint} WHERE "kind" = {int(kind)} AND "bucket" = '
        f'{int(bucket)}{condition} ORDER BY "wait" LIMIT {int(count)} OFFSET {int(skip)}'
    )
    return [float(wait) for (wait,) in db.execute_sql(sql, params).fetchall()]
