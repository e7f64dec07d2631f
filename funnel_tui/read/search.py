"""The lead list's queries: search as you type, filters, sorts, pages and counts.

The list over 100,000 leads never loads more than a page: `lead_page` returns the rows
of one window, `lead_count` how many rows the whole list has, `status_counts` the header
line. The screen calls all three on every keystroke of a search, so each is one or two
indexed statements (figures in bench/bench_list.py).

How a search reads is search_terms.py's to say.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import FUNNEL_LEVELS, LEAD_STATUSES
from funnel_tui.read.search_terms import (
    cjk_grams,
    fts_match,
    fts_string,
    fts_terms,
    is_cjk_gram,
    like_escape,
    parse_search,
)
from funnel_tui.storage.list_index import (
    FIELD_START,
    LIVE_LEAD_SQL,
    NATIONAL_MARK,
    SEARCH_TABLE,
    cjk_grams_sql,
    name_order_sql,
    rank_sql,
    search_document_sql,
    status_mark,
)
from funnel_tui.storage.models import Lead, database
from funnel_tui.storage.status_counts import live_status_counts

SORT_KEYS = (
    "name",
    "company",
    "status",
    "source",
    "owner",
    "score",
    "engagement",
    "created_at",
    "country",
    "level",
)

# The rows the lead list holds per page, and how far it counts: exactly, as its height
# must be right to scroll to the end.
LIST_PAGE = 100
LIST_COUNT_CAP = 100_000_000

PAGE_KEYS = (
    "id",
    "name",
    "company",
    "phone_raw",
    "phone_e164",
    "phone_display",
    "email_raw",
    "email_norm",
    "country",
    "source",
    "status",
    "level",
    "owner",
    "score",
    "created_at",
    "title",
    "engagement_key",
)

# The SQL each sort key orders by (then by id, in the same direction). Every one is
# served by an index that also orders by id, so a page costs the same at offset 0 and
# at offset 90,000 (models.Lead and db.create_list_structures make them).
_SORT_SQL = {
    "name": name_order_sql('l."name_key"', 'l."name_fold"'),
    "company": name_order_sql('l."company_key"', 'l."company_fold"'),
    "status": rank_sql('l."status"', LEAD_STATUSES),
    "source": 'l."source"',
    "owner": 'o."login"',
    "score": 'l."score"',
    "created_at": 'l."created_at"',
    "country": 'l."country"',
    "level": rank_sql('l."level"', FUNNEL_LEVELS),
    "engagement": 'l."engagement_key"',
}
# Sorts whose column may be NULL, which means the least of all (no two-way interaction:
# no engagement): first in ascending order, last in descending order, on both engines
# (PostgreSQL would otherwise put NULLs first in descending order). The index
# (db.ENGAGEMENT_INDEX) orders them so.
_NULLS_LEAST = frozenset({"engagement"})

_MERGED_IDS = 'SELECT m."id" FROM "lead" m WHERE m."merged_into_id" IS NOT NULL'
# The survivors of merged leads, to be narrowed to the merged leads a search finds.
_SURVIVORS = 'SELECT m."merged_into_id" FROM "lead" m WHERE m."merged_into_id" IS NOT NULL'
# Shares of all leads above which a search's matches are probed rather than read one
# by one (see _Plan): a page needs only its first rows in order, a count all of them.
PROBE_COUNT_ABOVE = 1 / 8
# For a page, reading the matches by id and sorting them costs about 3 µs a match;
# walking the sort's index probing them, about 0.15 µs an entry passed, of which it
# passes some total / matches for each row of the page. Probing wins once matches² >
# PROBE_PAGE_FACTOR × leads × rows (at 1M leads and 100 rows: above some 2,200
# matches, not the 20,000 a fixed share of 2 % gave: 'kowa' 46 ms → 6 ms).
PROBE_PAGE_FACTOR = 0.05
# Many matches (a lone "+", the start of nine numbers in ten; "+4", of one in four): a
# page walks the sort's index and tests the search document of each row it passes, about
# 1 µs a row, where setting all the matches aside first costs some 0.16 µs a match (42 ms
# for the 260,000 of "+4" at 1M leads, 2 ms tested row by row; "+": 154 ms, 0.2 ms).
# Testing wins once matches² > ROW_CHECK_FACTOR × leads × rows: above some 24,000
# matches at 1M leads and 100 rows. (Looking each row up in the FTS5 index itself, by
# rowid, cost 60–700 µs a row for a common trigram.)
ROW_CHECK_FACTOR = 6.0
# A search's matches are first counted up to this many (at most 0.4 ms): enough for the
# count shown while typing (up to 1,000) and most choices of a page's plan.
FIRST_COUNT = 10_000
# The last leads, whose share of matches must also pass ROW_CHECK_FACTOR's for a page to
# test its rows one by one: a walk of the list's usual order (newest first) passes them
# first, and matches all among older leads would make it pass nearly every lead.
RECENT_SAMPLE = 2_000
# From this offset on, a filtered page finds the filtered ids through the filters' own
# indexes first (see _Plan.where): walking the sort's index and reading every row to
# test the filters costs about 1 µs a row, 100 ms for the last page by name of 25,000
# new leads.
DEEP_OFFSET = 2000


@dataclass(frozen=True)
class LeadQuery:
    """What the lead list shows: a search, filters, and the order.

    Empty tuples and "" mean "no filter". `owner` is a login. `min_score` keeps leads
    scoring at least that much. `sort` is one of SORT_KEYS; status and level sort in
    funnel order (new → unqualified, lead → customer), the others by value (names and
    companies casefolded); "engagement" by the stored engagement key, which orders
    leads by engagement now (funnel.engagement_key), leads without two-way interactions
    counting as the least engaged (last when descending, first when ascending); ties
    are broken by id in the same direction.
    """

    text: str = ""
    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    owner: str = ""
    min_score: int | None = None
    sort: str = "created_at"
    descending: bool = True
    # The user's region (config.default_region): whose trunk prefix a number typed
    # with one drops ("0151" in DE is +49 151).
    region: str = ""


def lead_page(query: LeadQuery, offset: int, limit: int) -> list[dict[str, Any]]:
    """The rows `offset` to `offset + limit` of the list, as dicts with PAGE_KEYS.

    `company` is the company's name ("" without one), `owner` the owner's login,
    `created_at` a datetime; `phone_e164` and `email_norm` may be None, and so may
    `engagement_key` (no two-way interaction; funnel.engagement_now turns a key into
    engagement at a moment). The same query and offset give the same rows while the
    data does not change.
    """
    return lead_rows(lead_page_ids(query, offset, limit))


def lead_page_ids(query: LeadQuery, offset: int, limit: int) -> list[int]:
    """The ids of the rows `offset` to `offset + limit` of the list (lead_page without
    reading the rows: from the indexes alone)."""
    try:
        order = _SORT_SQL[query.sort]
    except KeyError:
        raise ValueError(
            _("sort must be one of {choices}").format(choices=", ".join(SORT_KEYS))
        ) from None
    if limit <= 0:
        return []
    plan = _Plan(query)
    if plan.empty:
        return []
    join = 'JOIN "user" o ON o."id" = l."owner_id" ' if query.sort == "owner" else ""
    direction = "DESC" if query.descending else "ASC"
    nulls = ""
    if query.sort in _NULLS_LEAST:
        nulls = " NULLS LAST" if query.descending else " NULLS FIRST"

    # The shares of all leads above which the matches are probed (see PROBE_PAGE_FACTOR)
    # and above which each row passed is tested (ROW_CHECK_FACTOR).
    probe_above = math.sqrt(PROBE_PAGE_FACTOR * limit / max(plan.total, 1))
    each_above = math.sqrt(ROW_CHECK_FACTOR * limit / max(plan.total, 1))

    def select_ids(deep: bool) -> tuple[str, list[Any]]:
        where, params = plan.where(probe_above, deep=deep, each_above=each_above)
        sql = (
            f'SELECT l."id" FROM "lead" l {join}{where} '
            f'ORDER BY {order} {direction}{nulls}, l."id" {direction} LIMIT ? OFFSET ?'
        )
        return sql, [*params, limit, max(0, offset)]

    # The ids first, from the indexes alone: skipping 90,000 rows that were fully read
    # and joined would cost 50–150 ms; skipping index entries costs about 1 ms.
    sql, params = select_ids(False)
    if offset >= DEEP_OFFSET and plan.can_go_deep and not plan.sorts_matches(sql, params):
        # SQLite walks the sort's index and reads each row it passes to test the
        # filters: far down the list, finding the filtered ids first is 2–4× faster.
        sql, params = select_ids(True)
    return [row[0] for row in plan.run(sql, params)]


def lead_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The rows of the leads `ids` as lead_page gives them, in the order of `ids` (a lead
    that is not there left out)."""
    if not ids:
        return []
    marks = ", ".join("?" for _n in ids)
    sql = (
        'SELECT l."id", l."name", COALESCE(c."name", \'\'), l."phone_raw", l."phone_e164", '
        'l."phone_display", l."email_raw", l."email_norm", l."country", l."source", '
        'l."status", l."level", '
        'o."login", l."score", l."created_at", l."title", l."engagement_key" FROM "lead" l '
        'LEFT JOIN "company" c ON c."id" = l."company_id" '
        'JOIN "user" o ON o."id" = l."owner_id" '
        f'WHERE l."id" IN ({marks})'
    )
    db = database.obj
    if isinstance(db, peewee.PostgresqlDatabase):
        sql = sql.replace("?", "%s")  # as _Plan.run: no "?" or "%" in the statement
    created = Lead.created_at.python_value
    by_id = {}
    for row in db.execute_sql(sql, list(ids)).fetchall():
        item = dict(zip(PAGE_KEYS, row, strict=True))
        item["created_at"] = created(item["created_at"])
        by_id[item["id"]] = item
    return [by_id[i] for i in ids if i in by_id]


def listed_among(query: LeadQuery, ids: Iterable[int]) -> dict[int, str]:
    """Those of the leads `ids` that the list shows for `query` with its status filter
    left out (what status_counts counts), with the status of each: a few ids looked up,
    for a list that hears that they were added."""
    ids = list(ids)
    if not ids:
        return {}
    plan = _Plan(query, use_statuses=False)
    if plan.empty:
        return {}
    # Each of the few ids looked up in the search index: no count of the matches.
    where, params = plan.where(0.0, each_above=0.0)
    marks = ", ".join("?" for _n in ids)
    among = f'l."id" IN ({marks})'
    where = f"{where} AND {among}" if where else f"WHERE {among}"
    return dict(plan.run(f'SELECT l."id", l."status" FROM "lead" l {where}', [*params, *ids]))


def lead_count(query: LeadQuery, cap: int | None = None) -> int:
    """How many leads the list has.

    With `cap`, counting stops after cap + 1 matches: a result of cap + 1 means "more
    than cap" (for a screen that shows "1,000+" rather than wait for an exact figure).
    Without, the count is exact.
    """
    if _only_statuses(query):
        # Every lead, or those of some statuses: the kept counts (storage.status_counts).
        kept = live_status_counts(database.obj)
        count = sum(kept.get(s, 0) for s in query.statuses or kept)
        return count if cap is None else min(count, cap + 1)
    plan = _Plan(query)
    if plan.empty:
        return 0
    if plan.search_only:
        count = plan.matches_up_to(None if cap is None else cap + 1)  # the index's count
    else:
        # Merged leads are counted with the rest, then their own count taken off: an
        # index count stays one, where a probe of each entry would cost 20 ms at 100k.
        where, params = plan.where(PROBE_COUNT_ABOVE, live=False)
        merged = 0
        if plan.merged:
            sql = f'SELECT COUNT(*) FROM "lead" l {plan.merged_only(where)}'
            merged = plan.run(sql, params)[0][0]
        if cap is None:
            sql = f'SELECT COUNT(*) FROM "lead" l {where}'
        else:
            # Counting cap + 1 live leads may pass every merged one on the way.
            sql = f'SELECT COUNT(*) FROM (SELECT 1 FROM "lead" l {where} LIMIT ?) AS t'
            params = [*params, cap + 1 + merged]
        count = plan.run(sql, params)[0][0] - merged
    return count if cap is None else min(count, cap + 1)


def lead_ids(query: LeadQuery) -> list[int]:
    """The ids of every lead the list shows for `query`, all pages, in no set order:
    what "mark all that match" marks. One statement over the indexes the count uses."""
    plan = _Plan(query)
    if plan.empty:
        return []
    if plan.search_only:
        return [row[0] for row in plan.run(plan.candidates, [plan.match, *plan.instr])]
    where, params = plan.where(PROBE_COUNT_ABOVE)
    return [row[0] for row in plan.run(f'SELECT l."id" FROM "lead" l {where}', params)]


def status_counts(query: LeadQuery) -> dict[str, int]:
    """Leads per status for `query` with its status filter left out (what the header
    line shows: how many each status button would list), every status present."""
    if _only_statuses(query):
        kept = live_status_counts(database.obj)  # storage.status_counts
        return {status: kept.get(status, 0) for status in LEAD_STATUSES}
    plan = _Plan(query, use_statuses=False)
    if plan.empty:
        return dict.fromkeys(LEAD_STATUSES, 0)
    if plan.search_only:
        # Four index counts: the search AND each status's mark (db.status_mark).
        counts = [
            f'(SELECT COUNT(*) FROM "{SEARCH_TABLE}" WHERE "{SEARCH_TABLE}" MATCH ?'
            f"{plan.instr_sql})"
            for _n in LEAD_STATUSES
        ]
        params: list[Any] = []
        for status in LEAD_STATUSES:
            params += [f"({plan.match}) AND {fts_string(status_mark(status))}", *plan.instr]
        row = plan.run("SELECT " + ", ".join(counts), params)[0]
    elif plan.postgres:
        where, params = plan.where(PROBE_COUNT_ABOVE, live=False)
        found = dict(
            plan.run(f'SELECT l."status", COUNT(*) FROM "lead" l {where} GROUP BY 1', params)
        )
        row = [found.get(s, 0) for s in LEAD_STATUSES]
    elif plan.terms is None and plan.statuses_indexed:
        # One index range count per status. Without filters the funnel-order index
        # serves them; with filters, "status = ..." lets (owner, status) or (level,
        # status) do.
        where, params = plan.where(PROBE_COUNT_ABOVE, live=False)
        also = where.replace("WHERE ", "AND ", 1)
        counts, all_params = [], []
        for place, status in enumerate(LEAD_STATUSES):
            test = f"{_SORT_SQL['status']} = {place}" if not where else f"l.\"status\" = '{status}'"
            counts.append(f'(SELECT COUNT(*) FROM "lead" l WHERE {test} {also})')
            all_params += params
        row = plan.run("SELECT " + ", ".join(counts), all_params)[0]
    else:
        # A search with other filters, or filters whose index holds no status: every
        # match is read, once. Sums rather than GROUP BY: SQLite would sort the
        # matching rows to group them.
        where, params = plan.where(PROBE_COUNT_ABOVE, live=False)
        sums = ", ".join(
            f"""COALESCE(SUM(CASE WHEN l."status" = '{s}' THEN 1 ELSE 0 END), 0)"""
            for s in LEAD_STATUSES
        )
        row = plan.run(f'SELECT {sums} FROM "lead" l {where}', params)[0]
    counts = dict(zip(LEAD_STATUSES, (int(n) for n in row), strict=True))
    if plan.merged:
        # Counted with the rest (index counts stay index counts), then taken off.
        where, params = plan.where(PROBE_COUNT_ABOVE, live=False)
        merged = f'SELECT l."status", COUNT(*) FROM "lead" l {plan.merged_only(where)} GROUP BY 1'
        for status, count in plan.run(merged, params):
            if status in counts:
                counts[status] -= count
    return counts


# ---------------------------------------------------------------------- internals

_answer = threading.local()


@contextlib.contextmanager
def one_answer() -> Iterator[None]:
    """Within the block, this thread's list queries (a page, the count, the counts per
    status: what a keystroke asks) share what their plans count before they run: the
    search's matches (an FTS5 count, up to 35 ms at 1M leads when it counts them all),
    whether any lead is merged and the highest id. Counted once, not once per query;
    the block should be one answer's worth of queries, as the data may change after it."""
    _answer.facts = {}
    try:
        yield
    finally:
        _answer.facts = None


def _shared(key: tuple, count: Callable[[], Any]) -> Any:
    known = _recall(key)
    if known is None:
        known = count()
        _remember(key, known)
    return known


def _recall(key: tuple) -> Any:
    """What this answer found for `key` (_remember), None outside one_answer or before."""
    facts = getattr(_answer, "facts", None)
    return None if facts is None else facts.get(key)


def _remember(key: tuple, value: Any) -> None:
    facts = getattr(_answer, "facts", None)
    if facts is not None:
        facts[key] = value


def _only_statuses(query: LeadQuery) -> bool:
    """Whether `query` filters by nothing but status (or not at all): its counts are
    the kept counts per status, read instead of counted."""
    return not (
        parse_search(query.text, query.region)
        or query.levels
        or query.sources
        or query.owner
        or (query.min_score or 0) > 0
    )


class _Plan:
    """The WHERE clause of one list query and what choosing how to run it needs.

    On SQLite a search is one FTS5 query (`match`, plus `instr` checks for short words
    among long ones), whose matches are counted first, as far as a choice needs
    (matches_up_to), and which also holds the status filter, as status marks. With no
    other filter, counts come from the index alone (`search_only`). Otherwise the
    search becomes `l.id IN (<matches>)`, run one of two ways: a few hundred matches are
    best read by id and sorted; thousands are best found by walking the index of the
    sort (or a small index, for counts) and probing the set of matches, which SQLite
    does when a `+` before `l.id` hides the id from its choice of index. A page of a
    search that a large share of the leads match tests each row it passes instead
    (`_row_test`): the set of matches is then too costly to make.
    """

    def __init__(self, query: LeadQuery, *, use_statuses: bool = True):
        self.db = database.obj
        self.postgres = isinstance(self.db, peewee.PostgresqlDatabase)
        self.terms = parse_search(query.text, query.region)
        statuses = query.statuses if use_statuses else ()
        self.clauses: list[str] = []
        self.params: list[Any] = []
        # The same tests written so that an index can serve each one alone (see where).
        self.indexed_clauses: list[str] = []
        self.indexed_params: list[Any] = []
        fts = self.terms is not None and not self.postgres
        # Merged leads (models.Lead.merged_into) are never listed; with none (most
        # databases) the plans stay exactly as they were. One probe of a partial index.
        self.merged = _shared(
            ("merged",),
            lambda: bool(
                self.run('SELECT 1 FROM "lead" WHERE "merged_into_id" IS NOT NULL LIMIT 1', [])
            ),
        )
        # A search finds a survivor through a lead merged into it, whose status is not
        # the survivor's: then the status is tested on the row, not in the search index.
        if statuses and (not fts or self.merged):
            marks = ", ".join("?" for _n in statuses)
            if all(s in LEAD_STATUSES for s in statuses):
                # Only the funnel-order index leads with the status: test its expression.
                places = ", ".join(str(LEAD_STATUSES.index(s)) for s in statuses)
                indexed = f"{_SORT_SQL['status']} IN ({places})"
                self._clause(f'l."status" IN ({marks})', *statuses, indexed=(indexed, ()))
            else:
                self._among("status", statuses)
        self._filters(query)
        # The index's own counts include merged leads' documents: read rows instead.
        self.search_only = fts and not self.clauses and not self.merged
        self.empty = False
        self.match = ""
        self.instr: list[str] = []
        self.instr_sql = ""
        self.row_tests: list[tuple[str, ...]] = []
        self.total = 0
        if fts:
            self.row_tests, self.instr = fts_terms(self.terms)
            # With merged leads the status is tested on the row (see above): a survivor
            # found through a merged lead's document has a status of its own.
            if statuses and not self.merged:
                self.row_tests.append(tuple(status_mark(s) for s in statuses))
            self.match = fts_match(self.row_tests)
            self.instr_sql = ' AND instr("doc", ?) > 0' * len(self.instr)
            found = (
                f'SELECT rowid FROM "{SEARCH_TABLE}" WHERE "{SEARCH_TABLE}" MATCH ?'
                + self.instr_sql
            )
            self.candidates, self.candidate_params = found, [self.match, *self.instr]
            self._found, self._found_params = found, list(self.candidate_params)
            if self.merged:
                # Searching a merged lead's phone, email or name finds its survivor.
                self.candidates = f'{found} UNION {_SURVIVORS} AND m."id" IN ({found})'
                self.candidate_params = self.candidate_params * 2
            self.empty = self.matches_up_to(FIRST_COUNT) == 0
            # The id range stands for the number of leads: one index step, not a count.
            self.total = _shared(
                ("total",), lambda: self.run('SELECT MAX("id") FROM "lead"', [])[0][0] or 0
            )

    def matches_up_to(self, bound: int | None) -> int:
        """How many leads the search finds (SQLite), counted up to `bound` at most (None:
        all). FTS5 counts about 40 ns a match: 35 ms for the 900,000 leads whose number
        has a "+", where a keystroke needs to know only whether there are more than a
        few thousand. A count made before in this answer (one_answer) serves when it
        says enough."""
        key = ("matches", *self._found_params)
        known = _recall(key)
        if known is not None:
            count, complete = known
            if complete or (bound is not None and count >= bound):
                return count if bound is None else min(count, bound)
        if bound is None:
            sql, params = f"SELECT COUNT(*) FROM ({self._found}) AS m", self._found_params
        else:
            sql = f"SELECT COUNT(*) FROM ({self._found} LIMIT ?) AS m"
            params = [*self._found_params, bound]
        count = self.run(sql, params)[0][0]
        _remember(key, (count, bound is None or count < bound))
        return count

    def _matches_above(self, share: float) -> bool:
        """Whether more than `share` of all leads match the search."""
        above = self.total * share
        if above >= self.total:
            return False  # every match is a lead
        return self.matches_up_to(int(above) + 1) > above

    def _recent_share_above(self, share: float) -> bool:
        """Whether more than `share` of the last RECENT_SAMPLE leads match: what a page
        in the list's usual order passes first, and the share of all leads where the
        data is alike throughout. Counting every match of a common word to judge this
        would take up to 35 ms at a million leads."""
        first = max(0, self.total - RECENT_SAMPLE)
        sql = f"SELECT COUNT(*) FROM ({self._found} AND rowid > ?) AS m"
        found = _shared(
            ("recent", *self._found_params, first),
            lambda: self.run(sql, [*self._found_params, first])[0][0],
        )
        return found > (self.total - first) * share

    def _among(self, column: str, values: tuple[str, ...]) -> None:
        marks = ", ".join("?" for _n in values)
        self._clause(f'l."{column}" IN ({marks})', *values)

    def _clause(
        self, sql: str, *params: Any, indexed: tuple[str, tuple[Any, ...]] | None = None
    ) -> None:
        self.clauses.append(sql)
        self.params.extend(params)
        indexed_sql, indexed_params = indexed or (sql, params)
        self.indexed_clauses.append(indexed_sql)
        self.indexed_params.extend(indexed_params)

    def _filters(self, query: LeadQuery) -> None:
        if query.levels:
            self._among("level", query.levels)
        if query.sources:
            self._among("source", query.sources)
        if query.owner:
            owner = 'l."owner_id" = (SELECT u."id" FROM "user" u WHERE u."login" = ?)'
            self._clause(owner, query.owner)
        if query.min_score is not None and query.min_score > 0:  # every score is ≥ 0
            self._clause('l."score" >= ?', int(query.min_score))
        # Counts per status can each be an index range when every filter's index
        # carries the status: (level, status), (owner, status), or none at all.
        self.statuses_indexed = not (query.sources or (query.min_score or 0) > 0)

    def where(
        self,
        probe_above: float,
        *,
        deep: bool = False,
        live: bool = True,
        each_above: float | None = None,
    ) -> tuple[str, list[Any]]:
        """The WHERE clause with its parameters. The search is probed rather than
        driven from when more than `probe_above` of all leads match it; with
        `each_above` (a page), each row passed is tested when more than that share match,
        of all leads and of the last ones (0: always, for a few ids).

        `deep` (a page far from the top): on SQLite the filtered ids are found first,
        each filter through its own index, and the sort's index is walked probing
        them, instead of reading every row passed on the way to test the filters.
        """
        clauses, params = list(self.clauses), list(self.params)
        fts = self.terms is not None and not self.postgres
        # Merged leads are left out by id, a probe of the few merged ids beside the
        # index walked; not a filter to find rows by (see can_go_deep). `live=False`:
        # counted with them, to take the merged ones' own count off (lead_count).
        left_out = f" AND {LIVE_LEAD_SQL}" if self.merged and live else ""
        if deep and clauses and not self.postgres:
            params = list(self.indexed_params)
            if fts:
                params += self.candidate_params
            return f'WHERE +l."id" IN ({self._filtered(fts)}){left_out}', params
        if self.terms is not None:
            if self.postgres:
                found, found_params = self._likes("l")
                if self.merged:
                    survivors, survivor_params = self._likes("m")
                    found = f'({found} OR l."id" IN ({_SURVIVORS} AND {survivors}))'
                    found_params += survivor_params
                clauses.append(found)
                params += found_params
            elif (
                each_above is not None
                and not deep
                and not self.merged
                # 0: always (a few ids looked up), without counting the matches first.
                and (
                    each_above == 0
                    or (self._matches_above(each_above) and self._recent_share_above(each_above))
                )
            ):
                test, test_params = self._row_test()
                clauses.append(test)
                params += test_params
            else:
                dense = deep or self._matches_above(probe_above)
                probe = "+" if dense else ""
                clauses.append(f'{probe}l."id" IN ({self.candidates})')
                params += self.candidate_params
        if left_out:
            clauses.append(LIVE_LEAD_SQL)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _row_test(self) -> tuple[str, list[Any]]:
        """The search as a test of one row's search document (found by its rowid): the
        strings the FTS5 query looks for, as substrings. The same test, as documents
        and searches are folded alike (list_index, parse_search) and a trigram phrase
        matches exactly where its text occurs."""
        groups, params = [], []
        for alternatives in self.row_tests:
            groups.append(" OR ".join('instr(s."doc", ?) > 0' for _a in alternatives))
            params += alternatives
        tests = " AND ".join(f"({group})" for group in groups)
        sql = (
            f'EXISTS (SELECT 1 FROM "{SEARCH_TABLE}" s WHERE s.rowid = l."id" '
            f"AND {tests}{self.instr_sql})"
        )
        return sql, [*params, *self.instr]

    def merged_only(self, where: str) -> str:
        """`where` (from where(live=False)) narrowed to merged leads: a few rows, found
        through their partial index."""
        merged = f'l."id" IN ({_MERGED_IDS})'
        return f"{where} AND {merged}" if where else f"WHERE {merged}"

    def _likes(self, row: str) -> tuple[str, list[Any]]:
        """PostgreSQL's test of the search on the document of `row` (an alias of lead),
        with its parameters."""
        document = search_document_sql(row, True)
        assert self.terms is not None
        if self.terms.phone:
            likes = " OR ".join(f"{document} LIKE ? ESCAPE '\\'" for _n in self.terms.starts)
            starts = [
                f"%{FIELD_START}{'' if s.startswith('+') else NATIONAL_MARK}{like_escape(s)}%"
                for s in self.terms.starts
            ]
            return f"({likes})", starts
        words, params = [], []
        for word in self.terms.words:
            if is_cjk_gram(word):
                # The grams index below says exactly whether the document holds one or
                # two CJK characters; this test only spares a walk of the sort's index
                # the grams function on every row it passes. strpos, not LIKE: the same
                # test, but one the planner takes for nearly always true, so that it
                # counts on the grams index's own estimate. With LIKE it multiplied the
                # two as if independent, took 有限 (18 % of 1M leads) for rare and read
                # 180,000 entries to count to 1,001, where walking 5,500 rows would do.
                words.append(f"strpos({document}, ?) <> 0")
                params.append(word)
            else:
                words.append(f"{document} LIKE ? ESCAPE '\\'")
                params.append("%" + like_escape(word) + "%")
        grams = cjk_grams(self.terms.words)
        if grams:
            # What the words imply, in terms the grams index can look up: one or two CJK
            # characters have no trigram, and none found costs an index probe, not a scan.
            marks = ", ".join("?" for _g in grams)
            words.insert(0, f"{cjk_grams_sql(row)} @> ARRAY[{marks}]::text[]")
            params[:0] = grams
        return "(" + " AND ".join(words) + ")", params

    @property
    def can_go_deep(self) -> bool:
        """Whether where(deep=True) differs: SQLite, and filters besides a search."""
        return bool(self.clauses) and not self.postgres

    def sorts_matches(self, sql: str, params: list[Any]) -> bool:
        """Whether SQLite runs `sql` by finding the matching rows through an index
        and sorting them, rather than walking the sort's index (a plan read in about
        0.1 ms)."""
        steps = self.run("EXPLAIN QUERY PLAN " + sql, params)
        return any("TEMP B-TREE FOR ORDER BY" in step[-1] for step in steps)

    def _filtered(self, with_search: bool) -> str:
        """A SELECT of the ids passing every filter (parameters: indexed_params, then
        the search's)."""
        clauses = list(self.indexed_clauses)
        if with_search:
            clauses.append(f'l."id" IN ({self.candidates})')
        return 'SELECT l."id" FROM "lead" l WHERE ' + " AND ".join(clauses)

    def run(self, sql: str, params: list[Any]) -> list[tuple]:
        if self.postgres:
            sql = sql.replace("?", "%s")  # no "?" or "%" appears in these statements
        return self.db.execute_sql(sql, params).fetchall()


def search_ids_sql(text: str, region: str = "") -> tuple[str, list[Any]] | None:
    """A SELECT of the ids of the leads a search for `text` finds, exactly as the
    list's `/` finds them (the same plan), in the current database's parameter style:
    for `funnel list --search`. None when `text` searches for nothing."""
    plan = _Plan(LeadQuery(text=text, region=region))
    if plan.terms is None:
        return None
    if plan.empty:
        return 'SELECT l."id" FROM "lead" l WHERE 1 = 0', []
    where, params = plan.where(math.sqrt(PROBE_PAGE_FACTOR * LIST_PAGE / max(plan.total, 1)))
    sql = f'SELECT l."id" FROM "lead" l {where}'
    if plan.postgres:
        sql = sql.replace("?", "%s")  # as _Plan.run: no "?" or "%" in these statements
    return sql, params
