"""The triggers that keep the percentile reports' waits and their tally in step with every
write, on SQLite (row triggers) and PostgreSQL (statement triggers over transition
tables where a statement may change many rows): storage.wait_summaries explains why."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import peewee

from funnel_tui.storage.wait_facts import (
    BY_LABEL,
    BY_OWNER,
    DAY,
    DEAL_WON,
    FACTS,
    FIRST_DEAL,
    LEAD_WON,
    MONTH,
    NOT_NOTE,
    PROMOTED,
    SPEED,
    TALLY,
    TALLY_KEYS,
    add_to_tally,
    bucket_sql,
    insert_facts,
    new_leads,
    on_postgres,
    refresh_first_deal,
    refresh_lead_steps,
    refresh_speed,
    refresh_stays,
    refresh_won,
    span_start,
    wait_sql,
)

# ------------------------------------------------------------------ triggers


def _differs(columns: Sequence[str], old: str, new: str, postgres: bool) -> str:
    test = "IS DISTINCT FROM" if postgres else "IS NOT"
    return " OR ".join(f'{old}."{c}" {test} {new}."{c}"' for c in columns)


_SPEED_LEAD_COLUMNS = ("created_at", "source", "owner_id", "merged_into_id")
_STEP_LEAD_COLUMNS = ("created_at", "promoted_at")
_DEAL_COLUMNS = ("lead_id", "created_at", "state", "closed_at")
_ACTIVITY_COLUMNS = ("lead_id", "kind", "occurred_at")
_MOVE_COLUMNS = ("opportunity_id", "from_stage", "at")


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
            [insert_facts(new_leads(_NEW_LEAD), pg)],
        ),
        "wait_lead_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _SPEED_LEAD_COLUMNS),
            "lead",
            _differs(_SPEED_LEAD_COLUMNS, "OLD", "NEW", pg),
            refresh_speed('NEW."id"', pg),
        ),
        "wait_lead_steps": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _STEP_LEAD_COLUMNS),
            "lead",
            _differs(_STEP_LEAD_COLUMNS, "OLD", "NEW", pg),
            [
                *refresh_lead_steps('NEW."id"', pg),
                *refresh_won('SELECT "id" FROM "opportunity" WHERE "lead_id" = NEW."id"', pg),
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
            f'NEW."lead_id" IS NOT NULL AND NEW."kind" {NOT_NOTE} AND NOT EXISTS ({reached})',
            refresh_speed('NEW."lead_id"', pg),
        ),
        "wait_activity_delete": (
            "AFTER DELETE",
            "activity",
            f'OLD."lead_id" IS NOT NULL AND OLD."kind" {NOT_NOTE} AND EXISTS ({first_gone})',
            refresh_speed('OLD."lead_id"', pg),
        ),
        "wait_activity_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _ACTIVITY_COLUMNS),
            "activity",
            _differs(_ACTIVITY_COLUMNS, "OLD", "NEW", pg),
            refresh_speed('OLD."lead_id", NEW."lead_id"', pg),
        ),
        "wait_deal_insert": (
            "AFTER INSERT",
            "opportunity",
            "",
            [*refresh_first_deal('NEW."lead_id"', pg), *refresh_won('NEW."id"', pg)],
        ),
        "wait_deal_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _DEAL_COLUMNS),
            "opportunity",
            _differs(_DEAL_COLUMNS, "OLD", "NEW", pg),
            [*refresh_first_deal('OLD."lead_id", NEW."lead_id"', pg), *refresh_won('NEW."id"', pg)],
        ),
        "wait_deal_delete": (
            "AFTER DELETE",
            "opportunity",
            "",
            [
                f'DELETE FROM "{FACTS}" WHERE "kind" IN ({DEAL_WON}, {LEAD_WON}) '
                'AND "ref" = OLD."id"',
                *refresh_first_deal('OLD."lead_id"', pg),
            ],
        ),
        "wait_move_insert": (
            "AFTER INSERT",
            "stage_change",
            "",
            refresh_stays('NEW."opportunity_id"', None, pg),
        ),
        "wait_move_delete": (
            "AFTER DELETE",
            "stage_change",
            "",
            refresh_stays('OLD."opportunity_id"', 'OLD."id"', pg),
        ),
        "wait_move_update": (
            "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in _MOVE_COLUMNS),
            "stage_change",
            _differs(_MOVE_COLUMNS, "OLD", "NEW", pg),
            refresh_stays('OLD."opportunity_id", NEW."opportunity_id"', 'OLD."id"', pg),
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
    keys = ", ".join(f'"{c}"' for c in TALLY_KEYS)
    statements = []
    for span in (DAY, MONTH):
        start = span_start(span, "f.at", False)
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
        f'{NOT_NOTE} AND NOT EXISTS (SELECT 1 FROM "{FACTS}" f WHERE f."kind" = {SPEED} '
        'AND f."ref" = n."lead_id" AND f."end_at" <= n."occurred_at")'
    )
    first_gone = (
        f'SELECT o."lead_id" FROM old_rows o WHERE o."lead_id" IS NOT NULL AND o."kind" '
        f'{NOT_NOTE} AND EXISTS (SELECT 1 FROM "{FACTS}" f WHERE f."kind" = {SPEED} '
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
            [(None, lambda _k: [insert_facts(new_leads("new_rows l"), pg)])],
        ),
        "wait_lead_update": (
            "AFTER UPDATE",
            "lead",
            old_new,
            [
                (
                    changed_lead + "(" + _differs(_SPEED_LEAD_COLUMNS, "o", "n", pg) + ")",
                    lambda leads: refresh_speed(leads, pg),
                ),
                (
                    changed_lead + "(" + _differs(_STEP_LEAD_COLUMNS, "o", "n", pg) + ")",
                    lambda leads: [
                        *refresh_lead_steps(leads, pg),
                        *refresh_won(deals_of(leads), pg),
                    ],
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
            [(earlier, lambda leads: refresh_speed(leads, pg))],
        ),
        "wait_activity_delete": (
            "AFTER DELETE",
            "activity",
            "REFERENCING OLD TABLE AS old_rows",
            [(first_gone, lambda leads: refresh_speed(leads, pg))],
        ),
        "wait_activity_update": (
            "AFTER UPDATE",
            "activity",
            old_new,
            [(both("lead_id", _ACTIVITY_COLUMNS), lambda leads: refresh_speed(leads, pg))],
        ),
        "wait_deal_insert": (
            "AFTER INSERT",
            "opportunity",
            "REFERENCING NEW TABLE AS new_rows",
            [
                (
                    None,
                    lambda _k: [
                        *refresh_first_deal('SELECT "lead_id" FROM new_rows', pg),
                        *refresh_won('SELECT "id" FROM new_rows', pg),
                    ],
                )
            ],
        ),
        "wait_deal_update": (
            "AFTER UPDATE",
            "opportunity",
            old_new,
            [
                (both("lead_id", _DEAL_COLUMNS), lambda leads: refresh_first_deal(leads, pg)),
                (f'SELECT n."id" {moved(_DEAL_COLUMNS)}', lambda deals: refresh_won(deals, pg)),
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
                        *refresh_first_deal('SELECT "lead_id" FROM old_rows', pg),
                    ],
                )
            ],
        ),
        "wait_move_insert": (
            "AFTER INSERT",
            "stage_change",
            "REFERENCING NEW TABLE AS new_rows",
            [(None, lambda _k: refresh_stays('SELECT "opportunity_id" FROM new_rows', None, pg))],
        ),
        "wait_move_delete": (
            "AFTER DELETE",
            "stage_change",
            "REFERENCING OLD TABLE AS old_rows",
            [
                (
                    None,
                    lambda _k: refresh_stays(
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
                    lambda deals: refresh_stays(deals, f'SELECT o."id" {moved(_MOVE_COLUMNS)}', pg),
                )
            ],
        ),
        "wait_fact_insert": (
            "AFTER INSERT",
            FACTS,
            "REFERENCING NEW TABLE AS new_facts",
            [(None, lambda _k: add_to_tally("new_facts f", "TRUE", "1", pg))],
        ),
        "wait_fact_delete": (
            "AFTER DELETE",
            FACTS,
            "REFERENCING OLD TABLE AS old_facts",
            [(None, lambda _k: add_to_tally("old_facts f", "TRUE", "-1", pg))],
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
    if not on_postgres(db):
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
        if on_postgres(db):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{_trigger_table(name)}"')
        else:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
