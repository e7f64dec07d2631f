"""What a wait of the percentile reports is (its kinds and buckets of length), and the
SQL that measures waits from the records and counts them into the tally: shared by the
triggers (storage.wait_triggers) and by rebuilding and checking (storage.wait_summaries)."""

from __future__ import annotations

from collections.abc import Sequence

import peewee

from funnel_tui.core.vocab import OPP_WON

FACTS, TALLY = "wait_fact", "wait_tally"
# The activities that are no reply to a lead: notes.
NOT_NOTE = "<> 'note'"

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


def on_postgres(db: peewee.Database) -> bool:
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
        f'WHERE {activities} AND a."lead_id" IS NOT NULL AND a."kind" {NOT_NOTE} '
        'GROUP BY a."lead_id"'
    )
    return (
        f'SELECT {SPEED} AS kind, l."id" AS ref, l."created_at" AS at, l."source" AS label, '
        'l."owner_id" AS owner_id, l."created_at" AS start_at, f.first AS end_at '
        f'FROM "lead" l LEFT JOIN ({first}) f ON f.lead_id = l."id" '
        f'WHERE {of_leads} AND l."merged_into_id" IS NULL'
    )


def new_leads(rows: str) -> str:
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


def lead_rows(leads: str) -> str:
    """The facts of the leads whose ids `leads` lists that are the leads' own (capture
    to first reply, to promotion, to first deal), as a rebuild gives them."""
    return " UNION ALL ".join((_speed_rows(leads), _promoted_rows(leads), _first_deal_rows(leads)))


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


def insert_facts(rows: str, postgres: bool) -> str:
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
        insert_facts(rows, postgres),
    ]


def refresh_speed(leads: str, postgres: bool) -> list[str]:
    return _refresh([SPEED], leads, _speed_rows(leads), postgres)


def refresh_lead_steps(leads: str, postgres: bool) -> list[str]:
    return [
        *_refresh([PROMOTED], leads, _promoted_rows(leads), postgres),
        *_refresh([FIRST_DEAL], leads, _first_deal_rows(leads), postgres),
    ]


def refresh_first_deal(leads: str, postgres: bool) -> list[str]:
    return _refresh([FIRST_DEAL], leads, _first_deal_rows(leads), postgres)


def refresh_won(deals: str, postgres: bool) -> list[str]:
    return _refresh([DEAL_WON, LEAD_WON], deals, _won_rows(deals), postgres)


def refresh_stays(deals: str, gone: str | None, postgres: bool) -> list[str]:
    """The stays of `deals` again; `gone`: moves deleted, whose stays go too."""
    refs = f'SELECT "id" FROM "stage_change" WHERE "opportunity_id" IN ({deals})'
    if gone is not None:
        refs = f"{refs} UNION ALL SELECT {gone}" if not postgres else f"{refs} UNION ALL {gone}"
    return _refresh([STAY], refs, _stay_rows(deals), postgres)


# ------------------------------------------------------------------ the tally


def span_start(span: str, at: str, postgres: bool) -> str:
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
        start = span_start(span, "f.at", postgres)
        parts.append(
            f"SELECT '{span}' AS span, {start} AS start, f.kind AS kind, {BY_LABEL} AS dim, "
            f"f.label AS grp, f.bucket AS bucket, {sign} AS n FROM {facts} WHERE {where}"
        )
        parts.append(
            f"SELECT '{span}', {start}, f.kind, {BY_OWNER}, {owner}, f.bucket, {sign} "
            f"FROM {facts} WHERE {where} AND f.kind = {SPEED}"
        )
    return " UNION ALL ".join(parts)


TALLY_KEYS = ("span", "start", "kind", "dim", "grp", "bucket")


def add_to_tally(facts: str, where: str, sign: str, postgres: bool) -> list[str]:
    keys = ", ".join(f'"{c}"' for c in TALLY_KEYS)
    plain = ", ".join(TALLY_KEYS)
    # "WHERE TRUE": SQLite reads ON CONFLICT right after a FROM as a join's.
    statements = [
        f'INSERT INTO "{TALLY}" ({keys}, "n") SELECT {plain}, SUM(n) FROM '
        f"({_tally_rows(facts, where, sign, postgres)}) AS counted WHERE TRUE GROUP BY {plain} "
        f'ON CONFLICT ({keys}) DO UPDATE SET "n" = "{TALLY}"."n" + excluded."n"'
    ]
    if sign.startswith("-"):
        statements.append(f'DELETE FROM "{TALLY}" WHERE "n" = 0')
    return statements


# ------------------------------------------------------------- from the records


def facts_sql(postgres: bool) -> str:
    """Every fact as the records give it, with its wait and bucket."""
    return " UNION ALL ".join(_measured(rows, postgres) for rows in _all_rows())


def tally_sql(postgres: bool) -> str:
    """The tally as the stored facts give it: their days counted from the facts, their
    months from the days (a third of the time of counting both from the facts)."""
    owner = "f.owner_id::text" if postgres else "CAST(f.owner_id AS TEXT)"
    day = span_start(DAY, "f.at", postgres)
    month = span_start(MONTH, "d.start", postgres)
    keys = ", ".join(TALLY_KEYS)
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


ALL_FACT_COLUMNS = (*_FACT_COLUMNS, "wait", "bucket")
