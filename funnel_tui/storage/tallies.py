"""The tallies behind the reports (models.LeadTally, WonDealTally, ActivityTally) and
each deal's copy of its lead's source (Opportunity.lead_source): the triggers that keep
them current in the same transaction as every write, on SQLite and on PostgreSQL;
rebuilding them from the records; and finding where they disagree.

Triggers, not the rules layer, keep them: every path that writes (a rep's edit, an
import's raw bulk SQL, a merge, an erasure, an undo, another instance's SQL) then counts,
and no new writer can forget to. Each trigger adds what a row contributes after the
change and takes away what it contributed before, so a tally is always the sum over
the records as they are.

What a lead contributes depends on its opportunities too (a won deal makes it a
customer of the conversion report), so the opportunity's triggers work out the lead's
step as it was without the change and as it is with it (`reach_sql`).

A hand-written UPDATE with triggers dropped, or a file restored from elsewhere, could
still leave a tally wrong: `tally_problems` finds that and `rebuild_tallies` mends it
(`funnel check [--repair]`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import peewee

from funnel_tui.core.vocab import (
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    OPP_WON,
    STATUS_WORKING,
)
from funnel_tui.storage.status_counts import deferred_status_counts
from funnel_tui.storage.wait_summaries import deferred_wait_summaries

LEAD_TALLY, DEAL_TALLY, ACTIVITY_TALLY = "lead_tally", "won_deal_tally", "activity_tally"

# The steps of the funnel a lead has reached, as one number: each implies those before
# (reports.conversion's STEPS): 1 worked, 2 prospect, 3 opportunity, 4 won.
_STEPS = ("worked", "prospects", "opportunities", "won")


def _postgres(db: peewee.Database) -> bool:
    return isinstance(db, peewee.PostgresqlDatabase)


def hour_sql(column: str, postgres: bool) -> str:
    """The UTC hour a stored time falls in, as stored in a tally's `hour`."""
    if postgres:
        return f"date_trunc('hour', {column})"
    # Peewee stores times as "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return f"(substr({column}, 1, 13) || ':00:00')"


def reach_sql(row: str, skip: str = "-1", had: str = "FALSE", had_won: str = "FALSE") -> str:
    """The furthest step (0–4) lead `row` has reached, with its opportunities as stored
    except the one whose id is `skip`, plus one more if `had` (won if `had_won`): the
    opportunity triggers ask it as the lead stood before and after the change.

    The same conditions as reports.conversion: won = a customer or a won deal; an
    opportunity = at that level or with a deal; a prospect = past the lead level or
    promoted; worked = a two-way interaction logged or set to working."""
    deal = (
        f'SELECT 1 FROM "opportunity" its_deal WHERE its_deal."lead_id" = {row}."id" '
        f'AND its_deal."id" <> {skip}'
    )
    return (
        f"CASE WHEN {row}.\"level\" = '{LEVEL_CUSTOMER}' OR ({had_won}) "
        f"OR EXISTS ({deal} AND its_deal.\"state\" = '{OPP_WON}') THEN 4 "
        f"WHEN {row}.\"level\" IN ('{LEVEL_OPPORTUNITY}', '{LEVEL_CUSTOMER}') OR ({had}) "
        f"OR EXISTS ({deal}) THEN 3 "
        f'WHEN {row}."level" <> \'{LEVEL_LEAD}\' OR {row}."promoted_at" IS NOT NULL THEN 2 '
        f'WHEN {row}."engagement_key" IS NOT NULL OR {row}."status" = \'{STATUS_WORKING}\' '
        "THEN 1 ELSE 0 END"
    )


def _step_counts(sign: str, before: str | None, after: str) -> str:
    """The step columns' change when a lead goes from `before` to `after` (None: it
    was not counted), times `sign`."""
    parts = []
    for n in range(1, len(_STEPS) + 1):
        now = f"CASE WHEN {after} >= {n} THEN 1 ELSE 0 END"
        was = f" - CASE WHEN {before} >= {n} THEN 1 ELSE 0 END" if before else ""
        parts.append(f"{sign} * ({now}{was})")
    return ", ".join(parts)


def _upsert(table: str, keys: tuple[str, ...], counts: tuple[str, ...], select: str) -> str:
    """Add the counts `select` gives to `table`'s rows (made when missing)."""
    columns = ", ".join(f'"{c}"' for c in (*keys, *counts))
    conflict = ", ".join(f'"{k}"' for k in keys)
    sums = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in counts)
    # "WHERE TRUE": SQLite reads ON CONFLICT right after a FROM as a join's.
    return (
        f'INSERT INTO "{table}" ({columns}) SELECT * FROM ({select}) AS adding WHERE TRUE '
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}"
    )


_LEAD_KEYS = ("hour", "source", "owner_id")
_LEAD_COUNTS = ("captured", *_STEPS)
_DEAL_KEYS = (*_LEAD_KEYS, "currency")
_DEAL_COUNTS = ("deals", "amount_cents")
_ACTIVITY_KEYS = ("hour", "user_id", "kind")


def _lead_key(row: str, postgres: bool) -> str:
    """The lead tally's key of lead `row`, named as the tally's columns."""
    hour = hour_sql(f"{row}.created_at", postgres)
    return f'{hour} AS hour, {row}."source" AS source, {row}."owner_id" AS owner_id'


# A tally row whose count is down to zero is removed by the statement after the one
# that took the last away; these partial indexes find such rows without a scan.
_EMPTY = {LEAD_TALLY: "captured", DEAL_TALLY: "deals", ACTIVITY_TALLY: "logged"}


def _drop_empty(table: str) -> str:
    return f'DELETE FROM "{table}" WHERE "{_EMPTY[table]}" = 0'


def _lead_change(row: str, sign: str, postgres: bool, only_if: str) -> list[str]:
    """Add (sign 1) or take away (sign -1) lead `row` and its won deals."""
    select = (
        f"SELECT {_lead_key(row, postgres)}, {sign}, {_step_counts(sign, None, 'r')} "
        f"FROM (SELECT {reach_sql(row)} AS r) AS reached WHERE {only_if}"
    )
    deals = (
        f'SELECT {_lead_key(row, postgres)}, o."currency", {sign} * COUNT(*), '
        f'{sign} * SUM(o."amount_cents") FROM "opportunity" o '
        f'WHERE o."lead_id" = {row}."id" AND o."state" = \'{OPP_WON}\' AND {only_if} '
        'GROUP BY o."currency"'
    )
    statements = [
        _upsert(LEAD_TALLY, _LEAD_KEYS, _LEAD_COUNTS, select),
        _upsert(DEAL_TALLY, _DEAL_KEYS, _DEAL_COUNTS, deals),
    ]
    if sign == "-1":
        statements += [_drop_empty(LEAD_TALLY), _drop_empty(DEAL_TALLY)]
    return statements


def _deal_change(row: str, sign: str, postgres: bool) -> list[str]:
    """What opportunity `row` (NEW or OLD) adds to its lead's won deals, times `sign`."""
    select = (
        f'SELECT {_lead_key("l", postgres)}, {row}."currency", {sign}, '
        f'{sign} * {row}."amount_cents" FROM "lead" l '
        f'WHERE l."id" = {row}."lead_id" AND l."merged_into_id" IS NULL '
        f"AND {row}.\"state\" = '{OPP_WON}'"
    )
    statements = [_upsert(DEAL_TALLY, _DEAL_KEYS, _DEAL_COUNTS, select)]
    if sign == "-1":
        statements.append(_drop_empty(DEAL_TALLY))
    return statements


def _reach_change(
    lead: str,
    skip: str,
    before: tuple[str, str],
    after: tuple[str, str],
    postgres: bool,
    only_if: str = "TRUE",
) -> str:
    """Move lead `lead` (an id expression) from the step it had with `before` (had,
    had_won) to the one it has with `after`, when it is live and the two differ."""
    was = reach_sql("l", skip, *before)
    now = reach_sql("l", skip, *after)
    select = (
        f"SELECT hour, source, owner_id, 0, {_step_counts('1', 'was', 'now')} FROM "
        f'(SELECT {_lead_key("l", postgres)}, {was} AS was, {now} AS now FROM "lead" l '
        f'WHERE l."id" = {lead} AND l."merged_into_id" IS NULL AND {only_if}) AS moved '
        "WHERE was <> now"
    )
    return _upsert(LEAD_TALLY, _LEAD_KEYS, _LEAD_COUNTS, select)


def _activity_change(row: str, sign: str, postgres: bool) -> list[str]:
    key = f'{hour_sql(f"{row}.occurred_at", postgres)}, {row}."user_id", {row}."kind"'
    statements = [_upsert(ACTIVITY_TALLY, _ACTIVITY_KEYS, ("logged",), f"SELECT {key}, {sign}")]
    if sign == "-1":
        statements.append(_drop_empty(ACTIVITY_TALLY))
    return statements


# The lead columns whose change can move a lead between rows or steps of a tally.
_LEAD_COLUMNS = (
    "created_at",
    "source",
    "owner_id",
    "merged_into_id",
    "level",
    "status",
    "promoted_at",
    "engagement_key",
)


def _trigger_bodies(postgres: bool) -> dict[str, tuple[str, str, str, list[str]]]:
    """name -> (timing and event, table, WHEN condition or "", statements)."""
    live_old, live_new = 'OLD."merged_into_id" IS NULL', 'NEW."merged_into_id" IS NULL'
    differs = " OR ".join(
        f'(OLD."{c}" IS NULL) <> (NEW."{c}" IS NULL)'
        if c in ("promoted_at", "engagement_key")
        else f'OLD."{c}" IS DISTINCT FROM NEW."{c}"'
        if postgres
        else f'OLD."{c}" IS NOT NEW."{c}"'
        for c in _LEAD_COLUMNS
    )
    same_lead = 'NEW."lead_id" = OLD."lead_id"'
    return {
        "lead_tally_insert": (
            "AFTER INSERT",
            "lead",
            live_new,
            _lead_change("NEW", "1", postgres, "TRUE"),
        ),
        # Before the row goes, while its deals are still there to count (a cascade
        # deletes them after it; their own triggers then find no lead and do nothing).
        "lead_tally_delete": (
            "BEFORE DELETE",
            "lead",
            live_old,
            _lead_change("OLD", "-1", postgres, "TRUE"),
        ),
        "lead_tally_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _LEAD_COLUMNS),
            "lead",
            differs,
            _lead_change("OLD", "-1", postgres, live_old)
            + _lead_change("NEW", "1", postgres, live_new),
        ),
        "deal_tally_insert": (
            "AFTER INSERT",
            "opportunity",
            "",
            [
                _reach_change(
                    'NEW."lead_id"', 'NEW."id"', ("FALSE", "FALSE"), ("TRUE", _won("NEW")), postgres
                ),
                *_deal_change("NEW", "1", postgres),
            ],
        ),
        "deal_tally_delete": (
            "AFTER DELETE",
            "opportunity",
            "",
            [
                _reach_change(
                    'OLD."lead_id"', 'OLD."id"', ("TRUE", _won("OLD")), ("FALSE", "FALSE"), postgres
                ),
                *_deal_change("OLD", "-1", postgres),
            ],
        ),
        "deal_tally_update": (
            'AFTER UPDATE OF "state", "lead_id", "currency", "amount_cents"',
            "opportunity",
            "",
            [
                # The deal's old lead, without it where it moved to another lead.
                _reach_change(
                    'OLD."lead_id"',
                    'OLD."id"',
                    ("TRUE", _won("OLD")),
                    (same_lead, f"{same_lead} AND {_won('NEW')}"),
                    postgres,
                ),
                # Its new lead, when it moved (a merge hands deals to the survivor).
                _reach_change(
                    'NEW."lead_id"',
                    'NEW."id"',
                    ("FALSE", "FALSE"),
                    ("TRUE", _won("NEW")),
                    postgres,
                    f"NOT ({same_lead})",
                ),
                *_deal_change("OLD", "-1", postgres),
                *_deal_change("NEW", "1", postgres),
            ],
        ),
        # Each deal's copy of its lead's source (models.Opportunity.lead_source).
        "deal_source_insert": ("AFTER INSERT", "opportunity", "", [_copy_source("NEW", postgres)]),
        "deal_source_update": (
            'AFTER UPDATE OF "lead_id", "lead_source"',
            "opportunity",
            "",
            [_copy_source("NEW", postgres)],
        ),
        "lead_source_update": (
            'AFTER UPDATE OF "source"',
            "lead",
            "",
            [
                'UPDATE "opportunity" SET "lead_source" = NEW."source" '
                'WHERE "lead_id" = NEW."id" AND "lead_source" <> NEW."source"'
            ],
        ),
        "activity_tally_insert": (
            "AFTER INSERT",
            "activity",
            "",
            _activity_change("NEW", "1", postgres),
        ),
        "activity_tally_delete": (
            "AFTER DELETE",
            "activity",
            "",
            _activity_change("OLD", "-1", postgres),
        ),
        "activity_tally_update": (
            'AFTER UPDATE OF "occurred_at", "user_id", "kind"',
            "activity",
            "",
            _activity_change("OLD", "-1", postgres) + _activity_change("NEW", "1", postgres),
        ),
    }


def _source_of(lead: str) -> str:
    return f'COALESCE((SELECT l."source" FROM "lead" l WHERE l."id" = {lead}), \'\')'


def _copy_source(row: str, postgres: bool) -> str:
    """Set deal `row`'s copy of its lead's source where it differs (a trigger's own
    update then finds nothing to change, and stops)."""
    source = _source_of(f'{row}."lead_id"')
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    return (
        f'UPDATE "opportunity" SET "lead_source" = {source} '
        f'WHERE "id" = {row}."id" AND "lead_source" {differs} {source}'
    )


# On PostgreSQL a row trigger runs its function once per row: handing 10,000 leads to
# another owner took 67 s instead of 8. Its lead triggers are statement triggers over
# the rows the statement changed (transition tables): one grouped upsert per tally.
# (A transition table cannot come with an UPDATE OF list, so every update of leads
# fires it; `_MOVED` keeps the rows whose change matters, at once for one row.)
_MOVED = 'SELECT o."id" FROM old_rows o JOIN new_rows n ON n."id" = o."id" WHERE ' + " OR ".join(
    f'(o."{c}" IS NULL) <> (n."{c}" IS NULL)'
    if c in ("promoted_at", "engagement_key")
    else f'o."{c}" IS DISTINCT FROM n."{c}"'
    for c in _LEAD_COLUMNS
)


def _grouped_leads(parts: str) -> str:
    """Upsert the lead tally from `parts`, rows of (hour, source, owner_id, sign, r)."""
    steps = ", ".join(f"SUM(sign * CASE WHEN r >= {n} THEN 1 ELSE 0 END)" for n in range(1, 5))
    select = (
        f"SELECT hour, source, owner_id, SUM(sign), {steps} FROM ({parts}) AS parts "
        "GROUP BY hour, source, owner_id"
    )
    return _upsert(LEAD_TALLY, _LEAD_KEYS, _LEAD_COUNTS, select)


def _grouped_deals(parts: str) -> str:
    """Upsert the won-deal tally from `parts`, rows of (hour, source, owner_id,
    currency, sign, amount_cents)."""
    select = (
        "SELECT hour, source, owner_id, currency, SUM(sign), SUM(sign * amount_cents) "
        f"FROM ({parts}) AS parts GROUP BY hour, source, owner_id, currency"
    )
    return _upsert(DEAL_TALLY, _DEAL_KEYS, _DEAL_COUNTS, select)


def _rows_part(table: str, alias: str, sign: str, moved: bool) -> str:
    only = f' AND {alias}."id" IN ({_MOVED})' if moved else ""
    return (
        f"SELECT {_lead_key(alias, True)}, {sign} AS sign, {reach_sql(alias)} AS r "
        f'FROM {table} {alias} WHERE {alias}."merged_into_id" IS NULL{only}'
    )


def _deals_part(table: str, alias: str, sign: str) -> str:
    return (
        f'SELECT {_lead_key(alias, True)}, d."currency" AS currency, {sign} AS sign, '
        f'd."amount_cents" AS amount_cents FROM {table} {alias} '
        f'JOIN "opportunity" d ON d."lead_id" = {alias}."id" '
        f'WHERE d."state" = \'{OPP_WON}\' AND {alias}."merged_into_id" IS NULL '
        f'AND {alias}."id" IN ({_MOVED})'
    )


def _pg_lead_triggers() -> dict[str, tuple[str, str, list[str]]]:
    """name -> (event and transition tables, table, statements): statement triggers."""
    return {
        "lead_tally_insert": (
            "AFTER INSERT",
            "REFERENCING NEW TABLE AS new_rows",
            [_grouped_leads(_rows_part("new_rows", "new_row", "1", moved=False))],
        ),
        "lead_tally_update": (
            "AFTER UPDATE",
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            [
                _grouped_leads(
                    f"{_rows_part('old_rows', 'old_row', '-1', moved=True)} UNION ALL "
                    f"{_rows_part('new_rows', 'new_row', '1', moved=True)}"
                ),
                _drop_empty(LEAD_TALLY),
                _grouped_deals(
                    f"{_deals_part('old_rows', 'old_row', '-1')} UNION ALL "
                    f"{_deals_part('new_rows', 'new_row', '1')}"
                ),
                _drop_empty(DEAL_TALLY),
            ],
        ),
        # A lead with deals cannot be deleted (their reference holds it): it takes no
        # won deal with it, and its step is the one its own row gives.
        "lead_tally_delete": (
            "AFTER DELETE",
            "REFERENCING OLD TABLE AS old_rows",
            [
                _grouped_leads(_rows_part("old_rows", "old_row", "-1", moved=False)),
                _drop_empty(LEAD_TALLY),
            ],
        ),
    }


def _won(row: str) -> str:
    return f"{row}.\"state\" = '{OPP_WON}'"


def _row_triggers(postgres: bool) -> dict[str, tuple[str, str, str, list[str]]]:
    bodies = _trigger_bodies(postgres)
    if postgres:  # the lead's are statement triggers there (_pg_lead_triggers)
        bodies = {name: body for name, body in bodies.items() if name not in _pg_lead_triggers()}
    return bodies


def create_tally_triggers(db: peewee.Database) -> None:
    """Make the triggers (idempotent), inside the caller's transaction."""
    postgres = _postgres(db)
    if postgres:
        for name, (event, referencing, statements) in _pg_lead_triggers().items():
            body = ";\n".join(statements)
            db.execute_sql(
                f"CREATE OR REPLACE FUNCTION funnel_{name}() RETURNS trigger AS $$\n"
                f"BEGIN\n{body};\nRETURN NULL;\nEND $$ LANGUAGE plpgsql"
            )
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "lead"')
            db.execute_sql(
                f'CREATE TRIGGER "{name}" {event} ON "lead" {referencing} '
                f"FOR EACH STATEMENT EXECUTE FUNCTION funnel_{name}()"
            )
    for name, (event, table, when, statements) in _row_triggers(postgres).items():
        if postgres:
            body = ";\n".join(statements)
            # A BEFORE trigger's function must hand the row back, or the delete is skipped.
            back = "OLD" if event.startswith("BEFORE") else "NULL"
            db.execute_sql(
                f"CREATE OR REPLACE FUNCTION funnel_{name}() RETURNS trigger AS $$\n"
                f"BEGIN\n{body};\nRETURN {back};\nEND $$ LANGUAGE plpgsql"
            )
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            condition = f" WHEN ({when})" if when else ""
            db.execute_sql(
                f'CREATE TRIGGER "{name}" {event} ON "{table}" FOR EACH ROW{condition} '
                f"EXECUTE FUNCTION funnel_{name}()"
            )
        else:
            body = "".join(f"{statement};\n" for statement in statements)
            condition = f" WHEN {when}" if when else ""
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" {event} ON "{table}"{condition} '
                f"BEGIN\n{body}END"
            )


def drop_tally_triggers(db: peewee.Database) -> None:
    postgres = _postgres(db)
    for name, (_event, table, _when, _statements) in _trigger_bodies(postgres).items():
        if postgres:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        else:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')


# ------------------------------------------------------------ from the records


def _counted_sql(
    postgres: bool, leads: str | None = None
) -> dict[str, tuple[tuple[str, ...], str]]:
    """table -> (its columns, the SELECT giving its rows from the records); `leads`
    (SQL that fits in "IN (...)"): the lead and won-deal tallies of those leads alone."""
    steps = ", ".join(f"SUM(CASE WHEN r >= {n} THEN 1 ELSE 0 END)" for n in range(1, 5))
    only = "" if leads is None else f' AND l."id" IN ({leads})'
    return {
        LEAD_TALLY: (
            (*_LEAD_KEYS, *_LEAD_COUNTS),
            f"SELECT hour, source, owner_id, COUNT(*), {steps} FROM "
            f'(SELECT {_lead_key("l", postgres)}, {reach_sql("l")} AS r FROM "lead" l '
            f'WHERE l."merged_into_id" IS NULL{only}) AS reached GROUP BY hour, source, owner_id',
        ),
        DEAL_TALLY: (
            (*_DEAL_KEYS, *_DEAL_COUNTS),
            f'SELECT {_lead_key("l", postgres)}, o."currency" AS currency, COUNT(*) AS deals, '
            'SUM(o."amount_cents") AS amount_cents '
            'FROM "opportunity" o JOIN "lead" l ON l."id" = o."lead_id" '
            f'WHERE l."merged_into_id" IS NULL AND o."state" = \'{OPP_WON}\'{only} '
            "GROUP BY 1, 2, 3, 4",
        ),
        ACTIVITY_TALLY: (
            (*_ACTIVITY_KEYS, "logged"),
            f'SELECT {hour_sql("a.occurred_at", postgres)} AS hour, a."user_id" AS user_id, '
            'a."kind" AS kind, COUNT(*) AS logged '
            'FROM "activity" a GROUP BY 1, 2, 3',
        ),
    }


# Deals whose copy of their lead's source is not their lead's.
_STRAY_SOURCES = (
    'FROM "opportunity" o JOIN "lead" l ON l."id" = o."lead_id" WHERE o."lead_source" <> l."source"'
)


def rebuild_tallies(db: peewee.Database) -> None:
    """Count every tally again from the records, and copy each deal's lead's source
    again, inside the caller's transaction."""
    for table, (columns, select) in _counted_sql(_postgres(db)).items():
        db.execute_sql(f'DELETE FROM "{table}"')
        names = ", ".join(f'"{c}"' for c in columns)
        db.execute_sql(f'INSERT INTO "{table}" ({names}) {select}')
    source = _source_of('"opportunity"."lead_id"')
    db.execute_sql(
        f'UPDATE "opportunity" SET "lead_source" = {source} '
        f'WHERE "id" IN (SELECT o."id" {_STRAY_SOURCES})'
    )


def add_new_leads_sql(leads: str) -> list[str]:
    """SQLite: add what the leads just inserted whose ids `leads` lists count in the
    lead and won-deal tallies, grouped (what the lead's insert trigger adds a lead at a
    time), for a bulk insert made with that trigger off (storage.summaries)."""
    counted = _counted_sql(False, leads)
    return [
        _upsert(table, keys, counts, counted[table][1])
        for table, keys, counts in (
            (LEAD_TALLY, _LEAD_KEYS, _LEAD_COUNTS),
            (DEAL_TALLY, _DEAL_KEYS, _DEAL_COUNTS),
        )
    ]


def tally_problems(db: peewee.Database) -> int:
    """How many tally rows differ from what the records give (missing, left over, or
    with other counts); 0 when every tally agrees."""
    wrong = 0
    for table, (columns, select) in _counted_sql(_postgres(db)).items():
        names = ", ".join(f'"{c}"' for c in columns)
        keys = ", ".join(f'"{c}"' for c in columns if c in (*_DEAL_KEYS, *_ACTIVITY_KEYS))
        stored = f'SELECT {names} FROM "{table}"'
        # A row whose counts differ is in both differences: its key counts once.
        differing = (
            f"SELECT {keys} FROM ({stored} EXCEPT {select}) AS extra UNION "
            f"SELECT {keys} FROM ({select} EXCEPT {stored}) AS missing"
        )
        wrong += db.execute_sql(f"SELECT COUNT(*) FROM ({differing}) AS rows").fetchone()[0]
    return wrong + db.execute_sql(f"SELECT COUNT(*) {_STRAY_SOURCES}").fetchone()[0]


@contextmanager
def deferred_tallies(db: peewee.Database) -> Iterator[None]:
    """Around a bulk load inside one transaction (funnel demo): the triggers are off
    while it writes and every tally is counted again at the end, in one pass per table
    instead of one statement per row. Other writers wait on the transaction, so none
    writes unseen; should the block raise, the rollback brings the triggers back."""
    drop_tally_triggers(db)
    # The percentile reports' waits (storage.wait_summaries) and the list's counts per
    # status (storage.status_counts) too, the same way.
    with deferred_wait_summaries(db), deferred_status_counts(db):
        yield
    rebuild_tallies(db)
    create_tally_triggers(db)


def tally_index_names() -> set[str]:
    return {f"{table}_empty" for table in _EMPTY}


def create_tallies(db: peewee.Database) -> None:
    """The triggers and the indexes of empty rows (idempotent; the tables are models)."""
    for table, count in _EMPTY.items():
        db.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{table}_empty" ON "{table}" ("{count}") '
            f'WHERE "{count}" = 0'
        )
    create_tally_triggers(db)
