"""What the lead list, the board and the Today queue need beyond the models' own indexes:
search documents (SQLite's FTS5 trigram table, PostgreSQL's trigram index), funnel-order
rank indexes, the triggers that keep them in step, and bulk-load helpers around them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import peewee

from funnel_tui.core import formats, vocab
from funnel_tui.core.errors import DatabaseError
from funnel_tui.core.i18n import _
from funnel_tui.storage.models import Lead
from funnel_tui.storage.status_counts import create_status_counts

# ------------------------------------------------------------ lead list structures
#
# What the lead list needs besides the models' own indexes (see search.py for the
# queries that read them):
#
# - Engagement sorts through an index on (engagement_key, id) with NULL (no two-way
#   interaction, the least engaged) below every key in both engines: SQLite orders
#   NULLs first in an index; PostgreSQL is told to (NULLS FIRST), else its index would
#   put them last and could not serve "most engaged first, the unengaged last".
# - Status and level sort in funnel order (new, working, nurturing, unqualified; lead,
#   prospect, opportunity, customer), not alphabetically, through indexes on a CASE
#   expression. The queries must use the very same expression to be served by them.
# - lead.company_key follows company.name_key: triggers copy it when a lead gets a
#   company or a company is renamed or deleted.
# - Search. Each lead has one search document: its folded name and company
#   (folding.fold, stored by the rules layer), email key, E.164 phone and national
#   number, each preceded by two U+001F characters. clean_text
#   removes that character from anything typed, so no search term can match across two
#   fields; and "U+001F U+001F k" is a trigram that means "a field starting with k", so
#   one or two typed characters are looked up in the same index as longer text.
#   SQLite keeps the documents in an FTS5 table with the trigram tokenizer (true
#   substring search, case-insensitive, any script), kept in step by triggers on lead;
#   company renames reach it through lead.company_key. There each document starts with
#   a status mark, U+001E, the status's place in LEAD_STATUSES, U+001E: one trigram
#   that nothing typed can contain, so "matches AND is new" is an index lookup too and
#   the list's counts per status cost four index counts, not a read of every match.
#   PostgreSQL searches the same document (without the mark) as an expression with
#   LIKE, through a trigram GIN index when the pg_trgm extension can be installed, else
#   by scanning. A trigram needs three characters, so one or two CJK characters (a
#   whole surname or given name: 王, 小明) would scan every lead (1.3 s at 1M when
#   nothing matches): a second GIN index, on funnel_cjk_grams(document), holds each
#   lead's CJK characters and pairs of neighbouring ones (see _PG_GRAMS_FUNCTION), and
#   a search adds the grams of its words (read.search._cjk_grams) beside the LIKE.

SEARCH_TABLE = "lead_search"
FIELD_START = "\x1f\x1f"  # before each field of a search document (U+001F twice)
STATUS_MARK = "\x1e"  # around the status's place at the start of an FTS document
NATIONAL_MARK = "\x1c"  # before a lead's national number in its search document
PAIR_END = "\x1d"  # twice before and after each pair of CJK characters of a name (U+001D)
PAIRED_CHARS = 16  # pairs are made from this many first characters of a field
# Characters of scripts written without spaces, where a word is often two characters
# (王小明's given name 小明, 股份 in a company name): CJK ideographs, kana, Hangul.
CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"


def live_lead() -> peewee.Expression:
    """LIVE_LEAD_SQL for a Peewee query on Lead: merged leads left out by id."""
    merged = Lead.alias("merged")
    return Lead.id.not_in(merged.select(merged.id).where(merged.merged_into.is_null(False)))


def status_mark(status: str) -> str:
    """The trigram that marks the FTS search document of a lead with `status`."""
    place = vocab.LEAD_STATUSES.index(status) if status in vocab.LEAD_STATUSES else 9
    return f"{STATUS_MARK}{place}{STATUS_MARK}"


def rank_sql(column: str, order: tuple[str, ...]) -> str:
    """A CASE expression giving each value of `column` its place in `order`."""
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(order))
    return f"CASE {column} {whens} ELSE {len(order)} END"


def name_order_sql(key: str, fold: str) -> str:
    """The order of names in the list: each name by its letters without accents, as
    folding.fold spells them (stored in `fold` when it differs from `key`), so "Łukasz"
    sorts with the L's and "Ärger" with the A's, not after Z, in every language and on
    both engines; a page is still read from an index."""
    return f"CASE WHEN {fold} = '' THEN {key} ELSE {fold} END"


# index name -> (key column, its fold column): the name sorts (name_order_sql).
NAME_ORDER_INDEXES = {
    "lead_name_order": ("name_key", "name_fold"),
    "lead_company_order": ("company_key", "company_fold"),
}
# index name -> (column, order of its values)
RANK_INDEXES = {
    "lead_status_rank": ("status", vocab.LEAD_STATUSES),
    "lead_level_rank": ("level", vocab.FUNNEL_LEVELS),
}
PG_TRIGRAM_INDEX = "lead_search_trgm"
PG_GRAMS_INDEX = "lead_search_grams"
PG_GRAMS_FUNCTION = "funnel_cjk_grams"
ENGAGEMENT_INDEX = "lead_engagement"
# The board (pipeline.py): an open column's cards in their order, expected close first
# with no date on top (NULLs first on both engines, as for engagement); won and lost
# columns latest closed first (the index walked backwards); and a column's totals per
# currency read from an index alone.
BOARD_INDEX = "opportunity_board"
BOARD_CLOSED_INDEX = "opportunity_board_closed"
BOARD_TOTALS_INDEX = "opportunity_board_totals"
# The Today queue (read/today.py): each section is counted, and read a page at a time in
# its order, from partial indexes holding only what can be in someone's queue, ordered as
# the queue is (owner, next action due, last touched, id); a rep with 50,000 open records
# is counted in milliseconds and a page is a walk of a hundred entries, not a sort.
# - lead_queue_due: leads with a next action that are not unqualified (overdue and due
#   today);
# - lead_queue_open: leads being worked with nothing scheduled;
# - opportunity_queue: open deals, NULL due (nothing scheduled) included.
# "Last touched" is the latest activity, else the capture (a lead) or the stage's start (a
# deal). The queries repeat these WHERE clauses and expressions word for word: SQLite
# uses a partial index only for a query whose WHERE holds its terms, and an index on an
# expression only for that very expression. The WHERE's columns are in each index too,
# although every entry holds the same values there: SQLite 3.40 counts from an index
# alone only when it holds every column the query names.
LEAD_TOUCHED_SQL = 'COALESCE("last_activity_at", "created_at")'
DEAL_TOUCHED_SQL = 'COALESCE("last_activity_at", "stage_entered_at")'
LEAD_DUE_WHERE = '"next_action_due" IS NOT NULL AND "status" <> \'unqualified\''
LEAD_OPEN_WHERE = (
    "\"next_action_due\" IS NULL AND \"status\" IN ('new', 'working') "
    "AND \"level\" IN ('lead', 'prospect')"
)
DEAL_OPEN_WHERE = "\"state\" = 'open'"
# A day's actions in time order, whole-day ones after the timed (the same order on both
# engines, which sort NULL at opposite ends).
ACTION_AT_SQL = "COALESCE(\"next_action_at\", '9999-12-31 00:00:00')"
TODAY_LEAD_INDEX = "lead_queue_due_at"
TODAY_OPEN_LEAD_INDEX = "lead_queue_open"
TODAY_DEAL_INDEX = "opportunity_queue_at"
# index name -> (table, columns, WHERE)
TODAY_INDEXES = {
    TODAY_LEAD_INDEX: (
        "lead",
        ("owner_id", "next_action_due", ACTION_AT_SQL, LEAD_TOUCHED_SQL, "id", "status"),
        LEAD_DUE_WHERE,
    ),
    TODAY_OPEN_LEAD_INDEX: (
        "lead",
        ("owner_id", LEAD_TOUCHED_SQL, "id", "next_action_due", "status", "level"),
        LEAD_OPEN_WHERE,
    ),
    TODAY_DEAL_INDEX: (
        "opportunity",
        ("owner_id", "next_action_due", ACTION_AT_SQL, DEAL_TOUCHED_SQL, "id", "state"),
        DEAL_OPEN_WHERE,
    ),
}
# What schemas 8 to 13 made for the queue instead: every lead and deal of an owner, to be
# read whole and sorted in Python; and schemas 14 to 16's, without the time. Dropped
# where they are found.
FORMER_TODAY_INDEXES = ("lead_today", "opportunity_today", "lead_queue_due", "opportunity_queue")
# Merged leads and companies (models.Lead.merged_into): partial indexes holding only
# them, a few entries however large the tables, so "not merged" is a probe of a small
# set by id (see LIVE_LEAD_SQL) rather than a read of every row.
MERGED_INDEXES = {"lead_merged": "lead", "company_merged": "company"}
# A test that keeps merged leads out of a query on "lead" aliased l, reading only ids.
LIVE_LEAD_SQL = 'l."id" NOT IN (SELECT m."id" FROM "lead" m WHERE m."merged_into_id" IS NOT NULL)'


def search_document_sql(row: str, postgres: bool) -> str:
    """The SQL expression of a lead's search document; `row` is "new", an alias or a
    table name. PostgreSQL's trigram index is on exactly this expression."""
    start = "(chr(31) || chr(31))" if postgres else "char(31, 31)"
    find = "strpos" if postgres else "instr"
    national = "chr(28)" if postgres else "char(28)"
    display = f'{row}."phone_display"'
    fields = (
        folded_sql(row, "name"),
        folded_sql(row, "company"),
        f'COALESCE({row}."email_key", lower({row}."email_raw"), \'\')',
        f"COALESCE({row}.\"phone_e164\", '')",
        # The national number after NATIONAL_MARK: the digits after the country code of
        # the international form ("+49 151 2987 6543" → 15129876543); "" without one.
        f"{national} || replace(replace(substr({display}, {find}({display}, ' ') + 1), "
        "' ', ''), '-', '')",
    )
    return " || ".join(f"{start} || {field}" for field in fields)


def folded_sql(row: str, field: str) -> str:
    """A lead's folded name or company (models.Lead.name_fold): the key itself where
    folding changes nothing, or where a writer outside funnel left the fold out."""
    return f'COALESCE(NULLIF({row}."{field}_fold", \'\'), {row}."{field}_key")'


def _fts_document_sql(row: str) -> str:
    """An FTS row's document: the status mark (see status_mark), the fields, then the
    pairs of CJK names and companies (see _pairs_sql)."""
    places = " ".join(f"WHEN '{s}' THEN '{i}'" for i, s in enumerate(vocab.LEAD_STATUSES))
    place = f"CASE {row}.\"status\" {places} ELSE '9' END"
    pairs = " || ".join(_pairs_sql(folded_sql(row, c)) for c in ("name", "company"))
    return f"char(30) || {place} || char(30) || {search_document_sql(row, False)} || {pairs}"


def _pairs_sql(field: str) -> str:
    """Every two neighbouring characters of `field`, each between two PAIR_ENDs, when
    it holds CJK characters; else ''. A trigram index cannot look up one or two
    characters, but it can look up "小明" + PAIR_END, and "林" as PAIR_END twice + "林"
    (a pair starting with it) or "林" + PAIR_END twice (one ending with it): so one
    character of a CJK name is found wherever it stands. In SQL, not Python, so that
    every writer of a lead (another instance, the sqlite3 shell) keeps it right."""
    pairs = " || ".join(
        f"CASE WHEN length({field}) > {i} "
        f"THEN char(29, 29) || substr({field}, {i}, 2) || char(29, 29) ELSE '' END"
        for i in range(1, PAIRED_CHARS)
    )
    return f"CASE WHEN {field} GLOB '*[{CJK_CLASS}]*' THEN {pairs} ELSE '' END"


def cjk_grams_sql(row: str) -> str:
    """The CJK characters and pairs of `row`'s search document (PostgreSQL only); the
    grams index is on exactly this expression, which a query must repeat to use it."""
    return f"{PG_GRAMS_FUNCTION}({search_document_sql(row, True)})"


# CJK_CLASS for a PostgreSQL regular expression, as \uXXXX escapes: ASCII SQL whatever
# the database's encoding, and code point ranges that no locale (ctype) can change, so
# the function is truly IMMUTABLE, as an index expression must be.
_PG_CJK_CLASS = "".join(ch if ch == "-" else f"\\u{ord(ch):04x}" for ch in CJK_CLASS)
# Every CJK character of a document and every two neighbouring ones, repeats and all
# (GIN keeps each key once a row): "林" and "小明" are then index lookups wherever they
# stand in the name, the company or anywhere else, so the results stay exactly what a
# scan found. Only CJK: the grams of every Latin letter and pair cost 100 µs a lead to
# make (these 4; a document without CJK leaves at the first test) and the few the rest
# of a document holds are common enough for a page to find its matches walking the
# sort's index. plpgsql splitting the document into its CJK runs is the quickest of the
# ways tried (SQL over regexp_matches and generate_series: 6–17 µs a lead).
# - COST 1000 (× cpu_operator_cost, 10 times plpgsql's default): about what its 9 µs a
#   CJK lead is worth to the planner. Taken for cheap, it walked the sort's index
#   making the grams of 16,000 leads for a page of "王" at 1M (42 ms; 15 through
#   this index).
# - PARALLEL RESTRICTED, although it is safe: a query calling it is then planned
#   without parallel workers. The searches it serves read a few thousand rows, where
#   starting workers costs more than they save on a small server (2 cores: 14 ms
#   against 6 for "王"'s count) and led the planner to a parallel walk of the sort's
#   index for 120 ms.
# Changing it leaves the index holding the old grams: a new schema version must drop
# the index and make both again.
_PG_GRAMS_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION {PG_GRAMS_FUNCTION}(document text) RETURNS text[] AS $$
    DECLARE
      grams text[] := '{{}}';
      run text;
    BEGIN
      IF document !~ '[{_PG_CJK_CLASS}]' THEN
        RETURN grams;
      END IF;
      FOREACH run IN ARRAY regexp_split_to_array(document, '[^{_PG_CJK_CLASS}]+') LOOP
        FOR i IN 1 .. length(run) LOOP
          grams := grams || substr(run, i, 1);
          IF i < length(run) THEN
            grams := grams || substr(run, i, 2);
          END IF;
        END LOOP;
      END LOOP;
      RETURN grams;
    END $$ LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED COST 1000"""

_COMPANY_KEY_OF = (
    """COALESCE((SELECT c."name_key" FROM "company" c WHERE c."id" = NEW."company_id"), '')"""
)

_SQLITE_TRIGGERS = {
    # A writer may leave company_key out; it is fixed before the document is made
    # (two statements of one trigger run in order, two triggers in no promised order).
    "lead_search_insert": f'''
        CREATE TRIGGER IF NOT EXISTS "lead_search_insert" AFTER INSERT ON "lead" BEGIN
          UPDATE "lead" SET "company_key" = {_COMPANY_KEY_OF}, "company_fold" = ''
            WHERE "id" = NEW."id" AND "company_key" IS NOT {_COMPANY_KEY_OF};
          INSERT INTO "{SEARCH_TABLE}" (rowid, "doc")
            SELECT l."id", {_fts_document_sql("l")} FROM "lead" l
            WHERE l."id" = NEW."id";
        END''',
    "lead_search_update": f'''
        CREATE TRIGGER IF NOT EXISTS "lead_search_update"
        AFTER UPDATE OF "name_key", "name_fold", "company_key", "company_fold", "email_key",
          "email_raw", "phone_e164", "phone_display", "status" ON "lead" BEGIN
          UPDATE "{SEARCH_TABLE}" SET "doc" = {_fts_document_sql("NEW")}
            WHERE rowid = NEW."id";
        END''',
    "lead_company_changed": f"""
        CREATE TRIGGER IF NOT EXISTS "lead_company_changed"
        AFTER UPDATE OF "company_id" ON "lead" BEGIN
          UPDATE "lead" SET "company_key" = {_COMPANY_KEY_OF}, "company_fold" = ''
            WHERE "id" = NEW."id" AND "company_key" IS NOT {_COMPANY_KEY_OF};
        END""",
    "lead_search_delete": f'''
        CREATE TRIGGER IF NOT EXISTS "lead_search_delete" AFTER DELETE ON "lead" BEGIN
          DELETE FROM "{SEARCH_TABLE}" WHERE rowid = OLD."id";
        END''',
    "company_renamed": """
        CREATE TRIGGER IF NOT EXISTS "company_renamed" AFTER UPDATE OF "name_key" ON "company"
        WHEN NEW."name_key" IS NOT OLD."name_key" BEGIN
          UPDATE "lead" SET "company_key" = NEW."name_key", "company_fold" = ''
            WHERE "company_id" = NEW."id";
        END""",
    # With foreign keys on, ON DELETE SET NULL already clears company_id (and the
    # trigger above the key); with them off (during migrations) this still does.
    "company_deleted": """
        CREATE TRIGGER IF NOT EXISTS "company_deleted" AFTER DELETE ON "company" BEGIN
          UPDATE "lead" SET "company_key" = '', "company_fold" = '' WHERE "company_id" = OLD."id";
        END""",
}

_PG_FUNCTIONS = (
    f"""
    CREATE OR REPLACE FUNCTION funnel_lead_company_key() RETURNS trigger AS $$
    BEGIN
      IF NEW."company_key" IS DISTINCT FROM {_COMPANY_KEY_OF} THEN
        NEW."company_key" := {_COMPANY_KEY_OF};
        NEW."company_fold" := '';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """
    CREATE OR REPLACE FUNCTION funnel_company_renamed() RETURNS trigger AS $$
    BEGIN
      UPDATE "lead" SET "company_key" = NEW."name_key", "company_fold" = ''
        WHERE "company_id" = NEW."id";
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
)
_PG_TRIGGERS = {
    # ON DELETE SET NULL of a company is an UPDATE OF company_id, so it fires this too.
    "lead_company_key": """
        CREATE TRIGGER "lead_company_key" BEFORE INSERT OR UPDATE OF "company_id" ON "lead"
        FOR EACH ROW EXECUTE FUNCTION funnel_lead_company_key()""",
    "company_renamed": """
        CREATE TRIGGER "company_renamed" AFTER UPDATE OF "name_key" ON "company"
        FOR EACH ROW WHEN (NEW."name_key" IS DISTINCT FROM OLD."name_key")
        EXECUTE FUNCTION funnel_company_renamed()""",
}


def create_list_structures(db: peewee.Database) -> None:
    """Create what the lead list needs beyond the models (idempotent), inside the
    caller's transaction; a new search index is filled from the leads already there."""
    for name, (column, order) in RANK_INDEXES.items():
        expression = rank_sql(f'"{column}"', order)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "lead" (({expression}))')
    for name, (key, fold) in NAME_ORDER_INDEXES.items():
        expression = name_order_sql(f'"{key}"', f'"{fold}"')
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "lead" (({expression}), "id")')
    postgres = isinstance(db, peewee.PostgresqlDatabase)
    nulls = " NULLS FIRST" if postgres else ""  # SQLite's index orders NULLs first itself
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{ENGAGEMENT_INDEX}" ON "lead" ("engagement_key"{nulls}, "id")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{BOARD_INDEX}" ON "opportunity" '
        f'("state", "stage", "expected_close"{nulls}, "id")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{BOARD_CLOSED_INDEX}" ON "opportunity" '
        '("state", "stage", "closed_at", "id")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{BOARD_TOTALS_INDEX}" ON "opportunity" '
        '("state", "stage", "currency", "amount_cents")'
    )
    for name in FORMER_TODAY_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for name, (table, columns, where) in TODAY_INDEXES.items():
        keys = ", ".join(f'"{c}"' if c.isidentifier() else f"({c})" for c in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({keys}) WHERE {where}')
    for name, table in MERGED_INDEXES.items():
        db.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("merged_into_id") '
            'WHERE "merged_into_id" IS NOT NULL'
        )
    if postgres:
        _create_pg_search(db)
    else:
        _create_sqlite_search(db)
    # The counts of the list's top line (a new database's start empty, as it does).
    create_status_counts(db)


def _create_sqlite_search(db: peewee.Database) -> None:
    fresh = SEARCH_TABLE not in db.get_tables()
    if fresh:
        # One column holding the whole document: one index lookup per search term.
        # detail=full (the default) keeps token positions, which phrase queries need
        # for substrings longer than three characters; columnsize=0 drops the document
        # sizes, which only ranking (bm25) reads.
        try:
            db.execute_sql(
                f'CREATE VIRTUAL TABLE "{SEARCH_TABLE}" USING fts5('
                '"doc", tokenize="trigram", columnsize=0)'
            )
        except peewee.OperationalError as exc:  # "no such module: fts5", "no such tokenizer"
            import sqlite3

            raise DatabaseError(
                _(
                    "this Python's SQLite {version} cannot build the lead search index "
                    "({reason}); funnel needs SQLite 3.34 or newer with FTS5"
                ).format(version=sqlite3.sqlite_version, reason=exc)
            ) from exc
        _fill_search(db)
    for statement in _SQLITE_TRIGGERS.values():
        db.execute_sql(statement)


def _create_pg_search(db: peewee.Database) -> None:
    for statement in _PG_FUNCTIONS:
        db.execute_sql(statement)
    existing = {
        row[0]
        for row in db.execute_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid IN ('lead'::regclass, 'company'::regclass)"
        )
    }
    for name, statement in _PG_TRIGGERS.items():
        if name not in existing:
            db.execute_sql(statement)
    if pg_trigram_available(db):
        document = search_document_sql('"lead"', True)
        db.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{PG_TRIGRAM_INDEX}" ON "lead" '
            f"USING gin (({document}) gin_trgm_ops)"
        )
    create_pg_grams(db)


def create_pg_grams(db: peewee.Database) -> None:
    """The CJK grams function and its GIN index (PostgreSQL; built-in array operators,
    so with or without pg_trgm). About 10 s at 1M leads."""
    db.execute_sql(_PG_GRAMS_FUNCTION)
    grams = cjk_grams_sql('"lead"')
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{PG_GRAMS_INDEX}" ON "lead" USING gin (({grams}))')


SEARCH_FILL_STEP = 25_000  # leads indexed per statement when an index is made again


def _fill_search(db: peewee.Database) -> None:
    """Index the leads already there (a migration that changed the document): in steps
    of ids, saying how far it got on stderr when there are many (about 3 s for
    100,000 leads, 30 s for a million: the app opens once it is done)."""
    last = db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
    _search_hashsize(db, BULK_SEARCH_HASHSIZE)
    tell = _progress(_("indexing the leads for search"), last)
    for start in range(0, last, SEARCH_FILL_STEP):
        db.execute_sql(
            f'INSERT INTO "{SEARCH_TABLE}" (rowid, "doc") '
            f'SELECT l."id", {_fts_document_sql("l")} FROM "lead" l '
            'WHERE l."id" > ? AND l."id" <= ?',
            (start, start + SEARCH_FILL_STEP),
        )
        tell(min(last, start + SEARCH_FILL_STEP))
    _search_hashsize(db, DEFAULT_SEARCH_HASHSIZE)


def search_index_problems(db: peewee.Database) -> tuple[int, int, int]:
    """(leads missing from the search index, entries for no lead, entries whose text
    is not their lead's as it stands) of a SQLite database; PostgreSQL's index is an
    index on the leads themselves, always in step: (0, 0, 0)."""
    if isinstance(db, peewee.PostgresqlDatabase):
        return 0, 0, 0
    one = lambda sql: db.execute_sql(sql).fetchone()[0]  # noqa: E731
    missing = one(
        f'SELECT COUNT(*) FROM "lead" l WHERE l."id" NOT IN (SELECT rowid FROM "{SEARCH_TABLE}")'
    )
    extra = one(
        f'SELECT COUNT(*) FROM "{SEARCH_TABLE}" s WHERE s.rowid NOT IN (SELECT "id" FROM "lead")'
    )
    stale = one(
        f'SELECT COUNT(*) FROM "{SEARCH_TABLE}" s JOIN "lead" l ON l."id" = s.rowid '
        f'WHERE s."doc" IS NOT {_fts_document_sql("l")}'
    )
    return missing, extra, stale


def rebuild_search(db: peewee.Database) -> None:
    """Make a SQLite database's search index again from its leads, in the caller's
    transaction (funnel check --repair)."""
    if isinstance(db, peewee.PostgresqlDatabase):
        return
    db.execute_sql(f'DELETE FROM "{SEARCH_TABLE}"')
    _fill_search(db)


PROGRESS_FROM = 50_000  # rows: below, a step of a migration is over before it is noticed


def _progress(what: str, total: int) -> Callable[[int], None]:
    """A function telling, on stderr, how far a long migration step is: `done` of
    `total`, on one line rewritten in a terminal; nothing for small databases."""
    import sys

    if total < PROGRESS_FROM:
        return lambda done: None
    terminal = sys.stderr.isatty()
    started = time.monotonic()

    def tell(done: int) -> None:
        if not terminal and done < total:
            return  # a log gets the outcome only
        line = _("funnel: {what}: {done} of {total} ({percent} %)").format(
            what=what,
            done=formats.number(done),
            total=formats.number(total),
            percent=done * 100 // total,
        )
        if done >= total:
            line += _(", {seconds} s").format(seconds=formats.number(time.monotonic() - started, 1))
        end = "\n" if done >= total else ""
        sys.stderr.write(("\r" if terminal else "") + line + end)
        sys.stderr.flush()

    return tell


class DeferredSearchIndex:
    """Yielded by deferred_search_index: `fill()` indexes the leads inserted since the
    last fill, in one statement that runs without Python's lock (SQLite releases it
    while it works), so the caller may prepare the next rows in a thread meanwhile."""

    def __init__(self, db: peewee.Database, start: int | None):
        self.db = db
        self.done = start  # None: nothing to fill

    def fill(self) -> None:
        if self.done is None:
            return
        last = self.db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
        self.db.execute_sql(
            f'INSERT INTO "{SEARCH_TABLE}" (rowid, "doc") '
            f'SELECT l."id", {_fts_document_sql("l")} FROM "lead" l '
            'WHERE l."id" > ? AND l."id" <= ?',
            (self.done, last),
        )
        self.done = last


@contextmanager
def deferred_search_index(db: peewee.Database) -> Iterator[DeferredSearchIndex]:
    """Around a bulk insert of new leads inside one transaction: index them for search
    in a few statements (at the end, and whenever the caller calls `fill()`) rather
    than row by row.

    On SQLite the per-row trigger costs about 70 µs a lead (7 s for the 100,000-lead
    demo) against 15 µs in bulk. The rows inserted meanwhile must carry their right
    company_key (the trigger would have fixed it). Should the block raise, the
    transaction's rollback restores the trigger; nothing is left half done.
    """
    if isinstance(db, peewee.PostgresqlDatabase) or SEARCH_TABLE not in db.get_tables():
        yield DeferredSearchIndex(db, None)  # PostgreSQL searches the lead table itself
        return
    start = db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
    db.execute_sql('DROP TRIGGER IF EXISTS "lead_search_insert"')
    # FTS5 gathers new entries in memory up to `hashsize` bytes (1 MB by default) before
    # writing a segment to merge later; 16 MB during a bulk fill writes and merges far
    # fewer (100,000 leads in batches of 5,000: 2.4 s instead of 3.6 s). The setting is
    # stored with the index, in this transaction: back to the default at the end.
    _search_hashsize(db, BULK_SEARCH_HASHSIZE)
    deferred = DeferredSearchIndex(db, start)
    yield deferred
    deferred.fill()
    _search_hashsize(db, DEFAULT_SEARCH_HASHSIZE)
    db.execute_sql(_SQLITE_TRIGGERS["lead_search_insert"])


BULK_SEARCH_HASHSIZE = 16 * 1024 * 1024
DEFAULT_SEARCH_HASHSIZE = 1024 * 1024  # FTS5's own


def _search_hashsize(db: peewee.Database, size: int) -> None:
    db.execute_sql(
        f'INSERT INTO "{SEARCH_TABLE}"("{SEARCH_TABLE}", "rank") VALUES (\'hashsize\', ?)',
        (size,),
    )


@contextmanager
def bulk_writes(
    db: peewee.Database, cache_mib: int = 64, checkpoint_pages: int = 10_000
) -> Iterator[None]:
    """Around many write transactions in a row (an import's batches), on SQLite:

    - a page cache big enough for the lead table's many indexes, so that a batch
      updates them in memory rather than reading their pages back from the file;
    - the write-ahead log copied back into the database file every 40 MB rather than
      every 4 MB, which SQLite otherwise does after nearly every batch.

    Together they make an import into a 100,000-lead database about a fifth faster.
    Both settings are back as they were afterwards.
    """
    if not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    settings = {"cache_size": -1024 * cache_mib, "wal_autocheckpoint": checkpoint_pages}
    before = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in settings}
    for name, value in settings.items():
        db.execute_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, value in before.items():
            db.execute_sql(f"PRAGMA {name} = {int(value)}")


@contextmanager
def deferred_indexes(db: peewee.Database, tables: list[str]) -> Iterator[None]:
    """Around a bulk load inside one transaction: drop the secondary indexes of
    `tables` and build them again at the end, sorting once instead of inserting into
    every index row by row (the 100,000-lead demo: 1.7 s faster). Unique indexes stay,
    to keep checking. Worth it only when the load outgrows what the tables hold.

    SQLite only; on PostgreSQL this does nothing. Should the block raise, the rollback
    restores the indexes.
    """
    if isinstance(db, peewee.PostgresqlDatabase):
        yield
        return
    marks = ", ".join("?" for _table in tables)
    found = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    dropped = [(name, sql) for name, sql in found if not sql.upper().startswith("CREATE UNIQUE")]
    for name, _sql in dropped:
        db.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in dropped:
        db.execute_sql(sql)


def pg_trigram_available(db: peewee.Database) -> bool:
    """Whether pg_trgm is installed in the database, installing it if the server has
    it and we may. It is a contrib module: a server without it still searches, by
    scanning."""
    found = db.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
    if found:
        return True
    try:
        with db.atomic():  # a savepoint: a refusal must not abort the migration
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError:
        return False
    return True


def list_index_names(db: peewee.Database) -> set[str]:
    """Names of the indexes create_list_structures makes on this database."""
    names = {
        *RANK_INDEXES,
        *NAME_ORDER_INDEXES,
        ENGAGEMENT_INDEX,
        BOARD_INDEX,
        BOARD_CLOSED_INDEX,
        BOARD_TOTALS_INDEX,
        *TODAY_INDEXES,
        *MERGED_INDEXES,
    }
    if isinstance(db, peewee.PostgresqlDatabase):
        names.add(PG_GRAMS_INDEX)
        found = db.execute_sql(
            "SELECT 1 FROM pg_indexes WHERE indexname = %s", (PG_TRIGRAM_INDEX,)
        ).fetchone()
        if found:
            names.add(PG_TRIGRAM_INDEX)
    return names
