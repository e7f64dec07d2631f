"""The lead list's queries: search as you type, filters, sorts, pages and counts.

The list over 100,000 leads never loads more than a page: `lead_page` returns the rows
of one window, `lead_count` how many rows the whole list has, `status_counts` the header
line. The screen calls all three on every keystroke of a search, so each is one or two
indexed statements (figures in bench/bench_list.py).

How a search reads (`parse_search`):

- Text that is only digits and phone punctuation ("0512 345 678", "+48 512-345-678",
  "(201) 555-0123") is a phone number, read as a person means it (see _phone_starts):
  after "+" or "00" it is the start of an international number; after the trunk prefix
  of the user's region (default_region: "0151" in DE, "02" in TW, "1 201" in the US) it
  is the start of a national number of that region (+49 151…); other digits are the
  start of any lead's national number or of its international one without the "+"
  ("512 345" finds +48 512 345 678, "48 512" too), a leading 0 dropped where the region
  has no trunk prefix (or none is set). Digits inside a number are not looked for:
  "151" does not find +48 512 151 000.
- Other text is folded as names are (folding.fold: case, accents, ß/ss, ł/l, ø/o,
  full-width letters, Traditional/Simplified Chinese), so "KOWALSKA" finds "Kowalska",
  "Muller" "Müller", "Wojcik" "Wójcik", 陈志明 陳志明; each word must occur somewhere in
  the lead's name, company, email or phone, in any order ("gmail anna" finds
  anna.nowak@gmail.com).
- Everything typed is data: quotes, `%`, `_`, `*`, `OR`, `NEAR(`, `[bold]` are matched
  literally.

On SQLite a word of three or more characters is looked up in the trigram FTS5 index
(storage.list_index), which finds any substring; text of one or two characters has no trigram of
its own, so it matches the *start* of the name, the company, the email or the phone
number instead, through the same index ("王小" finds 王小明; "ko" finds the leads of
Kowalski Logistyka, but Anna Kowalska by her name only from "kow" on). One or two CJK
characters, often a whole name or word in those scripts, match anywhere in a name or
company ("林" finds 王林 and 林志玲, "小明" 王小明, "股份" 台灣股份有限公司), through the
pairs the documents of CJK names and companies carry (db._pairs_sql). On PostgreSQL
every word is a substring LIKE over the same document (through a pg_trgm index when the
server has the extension, else a scan), so short text matches anywhere there; the CJK
characters of the words are also looked up in an index of each document's CJK
characters and pairs (list_index.cjk_grams_sql), which a trigram cannot serve for one or
two of them.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.core import validators as v
from funnel_tui.core.folding import fold
from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import FUNNEL_LEVELS, LEAD_STATUSES
from funnel_tui.storage.list_index import (
    CJK_CLASS,
    FIELD_START,
    LIVE_LEAD_SQL,
    NATIONAL_MARK,
    PAIR_END,
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
MIN_TRIGRAM = 3  # characters: shorter text has no trigram of its own
# Shares of all leads above which a search's matches are probed rather than read one
# by one (see _Plan): a page needs only its first rows in order, a count all of them.
PROBE_COUNT_ABOVE = 1 / 8
# For a page, reading the matches by id and sorting them costs about 3 µs a match;
# walking the sort's index probing them, about 0.15 µs an entry passed, of which it
# passes some total / matches for each row of the page. Probing wins once matches² >
# PROBE_PAGE_FACTOR × leads × rows (at 1M leads and 100 rows: above some 2,200
# matches, not the 20,000 a fixed share of 2 % gave: 'kowa' 46 ms → 6 ms).
PROBE_PAGE_FACTOR = 0.05
# Matched by more than this share of all leads (a lone "+", the start of nine numbers in
# ten), a page probes each row it passes in the search index itself: a page passes a
# hundred or two, where setting all the matches aside first reads them all (160 ms for
# 900,000, 7 ms probed). Below it, the probes grow in number and each costs more.
PROBE_EACH_ABOVE = 0.5
# From this offset on, a filtered page finds the filtered ids through the filters' own
# indexes first (see _Plan.where): walking the sort's index and reading every row to
# test the filters costs about 1 µs a row, 100 ms for the last page by name of 25,000
# new leads.
DEEP_OFFSET = 2000
_PHONE_TEXT = re.compile(r"[0-9+\-()./\s]+")


@functools.cache
def _cjk() -> re.Pattern[str]:
    """A run of CJK characters (one or more)."""
    # Compiled at the first short search, not at every start: its ranges take 4 ms.
    return re.compile(f"[{CJK_CLASS}]+")


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


@dataclass(frozen=True)
class SearchTerms:
    """A search as the database reads it: every word must occur in the lead's search
    document; `phone` when the text was a phone number (one word: its digits), found
    by a field of the document starting with one of `starts`."""

    words: tuple[str, ...]
    phone: bool = False
    starts: tuple[str, ...] = ()

    @property
    def whole(self) -> str:
        return " ".join(self.words)

    @property
    def short(self) -> bool:
        """Too short for any trigram: SQLite matches prefixes instead."""
        return len(self.whole) < MIN_TRIGRAM


def parse_search(text: str, region: str = "") -> SearchTerms | None:
    """The terms of a typed search, or None when it searches for nothing. `region`:
    the user's (config.default_region), for numbers typed with its trunk prefix."""
    key = fold(v.clean_text(text))
    if not key:
        return None
    if _PHONE_TEXT.fullmatch(key) and any(ch in "0123456789" for ch in key):
        digits = "".join(ch for ch in key if ch in "0123456789")
        return SearchTerms((digits,), phone=True, starts=_phone_starts(key, digits, region))
    return SearchTerms(tuple(dict.fromkeys(key.split(" "))))


def _phone_starts(text: str, digits: str, region: str) -> tuple[str, ...]:
    """How a field of a lead's search document that holds its number (the E.164
    number, or the national number: db.search_document_sql) starts when `text` means
    that number."""
    if text.startswith("+"):
        return ("+" + digits,)
    if digits.startswith("00"):  # the international prefix of most of the world
        return ("+" + digits[2:],)
    code, trunk = _region_prefixes(region)
    if trunk and digits.startswith(trunk):
        return ("+" + code + digits[len(trunk) :],)
    # Without a region, or in one without a trunk prefix (PL, MX), a leading 0 is a
    # habit from where there is one: the national number follows.
    national = digits.lstrip("0") or digits
    return ("+" + national, national)


@functools.cache
def _region_prefixes(region: str) -> tuple[str, str]:
    """(country calling code, trunk prefix) of a region; "" for none or unknown."""
    if not region:
        return "", ""
    from phonenumbers import PhoneMetadata  # 25 ms, once a number is searched for

    meta = PhoneMetadata.metadata_for_region(region.upper())
    if meta is None:
        return "", ""
    return str(meta.country_code or ""), meta.national_prefix or ""


# ------------------------------------------------------------------------ the API


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

    # The share of all leads above which the matches are probed (see PROBE_PAGE_FACTOR).
    probe_above = math.sqrt(PROBE_PAGE_FACTOR * limit / max(plan.total, 1))

    def select_ids(deep: bool) -> tuple[str, list[Any]]:
        where, params = plan.where(probe_above, deep=deep, each_above=PROBE_EACH_ABOVE)
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
        count = plan.matches  # counted by the index already
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
            params += [f"({plan.match}) AND {_fts_string(status_mark(status))}", *plan.instr]
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
    search's matches (an FTS5 count of every match, 3–30 ms at 1M leads), whether any
    lead is merged and the highest id. Counted once, not once per query; the block
    should be one answer's worth of queries, as the data may change after it."""
    _answer.facts = {}
    try:
        yield
    finally:
        _answer.facts = None


def _shared(key: tuple, count: Callable[[], Any]) -> Any:
    facts = getattr(_answer, "facts", None)
    if facts is None:
        return count()
    if key not in facts:
        facts[key] = count()
    return facts[key]


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
    among long ones), whose matches are counted first (0.1–3 ms) and which also holds
    the status filter, as status marks. With no other filter, counts come from the
    index alone (`search_only`). Otherwise the search becomes `l.id IN (<matches>)`,
    run one of two ways: a few hundred matches are best read by id and sorted; tens of
    thousands are best found by walking the index of the sort (or a small index, for
    counts) and probing the set of matches, which SQLite does when a `+` before `l.id`
    hides the id from its choice of index.
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
        self.matches = self.total = 0
        if fts:
            self.match, self.instr_sql, self.instr = _fts_query(self.terms)
            # With merged leads the status is tested on the row (see above): a survivor
            # found through a merged lead's document has a status of its own.
            if statuses and not self.merged:
                marks = " OR ".join(_fts_string(status_mark(s)) for s in statuses)
                self.match = f"({self.match}) AND ({marks})"
            found = (
                f'SELECT rowid FROM "{SEARCH_TABLE}" WHERE "{SEARCH_TABLE}" MATCH ?'
                + self.instr_sql
            )
            self.candidates, self.candidate_params = found, [self.match, *self.instr]
            count = f"SELECT COUNT(*) FROM ({found}) AS m"
            self.matches = _shared(
                (count, *self.candidate_params),
                lambda: self.run(count, self.candidate_params)[0][0],
            )
            if self.merged:
                # Searching a merged lead's phone, email or name finds its survivor.
                self.candidates = f'{found} UNION {_SURVIVORS} AND m."id" IN ({found})'
                self.candidate_params = self.candidate_params * 2
            self.empty = self.matches == 0
            # The id range stands for the number of leads: one index step, not a count.
            self.total = _shared(
                ("total",), lambda: self.run('SELECT MAX("id") FROM "lead"', [])[0][0] or 0
            )

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
        `each_above` (a page), each row is looked up in the search index when more than
        that share match.

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
                and (each_above == 0 or self.matches > self.total * each_above)
            ):
                clauses.append(
                    f'EXISTS (SELECT 1 FROM "{SEARCH_TABLE}" s WHERE "{SEARCH_TABLE}" MATCH ? '
                    f'AND s.rowid = l."id"{self.instr_sql})'
                )
                params += self.candidate_params
            else:
                dense = deep or self.matches > self.total * probe_above
                probe = "+" if dense else ""
                clauses.append(f'{probe}l."id" IN ({self.candidates})')
                params += self.candidate_params
        if left_out:
            clauses.append(LIVE_LEAD_SQL)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

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
                f"%{FIELD_START}{'' if s.startswith('+') else NATIONAL_MARK}{_like_escape(s)}%"
                for s in self.terms.starts
            ]
            return f"({likes})", starts
        words, params = [], []
        for word in self.terms.words:
            if _is_cjk_gram(word):
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
                params.append("%" + _like_escape(word) + "%")
        grams = _cjk_grams(self.terms.words)
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


def _fts_query(terms: SearchTerms) -> tuple[str, str, list[str]]:
    """The FTS5 query string of `terms`, and the instr() checks of the rows it matches
    (SQL to append to a WHERE clause, and their parameters). Every term is a quoted
    string (quotes doubled): nothing typed is FTS5 syntax."""
    if terms.phone:
        return " OR ".join(_fts_string(_number_start(s)) for s in terms.starts), "", []
    if terms.short:
        # One or two characters have no trigram of their own: look for a field that
        # starts with them. Each field follows FIELD_START (list_index), a character typed
        # text never holds, so "\x1f\x1fk" and "\x1fko" are trigrams of field starts.
        # One or two CJK characters are also found anywhere in a name or company,
        # through its pairs: the two as a pair, the one as a pair's start or end.
        found = [_fts_string(_field_start(terms.whole))]
        if _is_cjk_pair(terms.whole):
            found.append(_fts_string(terms.whole + PAIR_END))
        elif _is_cjk_gram(terms.whole):  # one character: a pair was taken above
            ends = PAIR_END * 2
            found += [_fts_string(ends + terms.whole), _fts_string(terms.whole + ends)]
        return " OR ".join(found), "", []
    pairs = [w for w in terms.words if _is_cjk_pair(w)]
    long_words = [w for w in terms.words if len(w) >= MIN_TRIGRAM]
    short_words = [w for w in terms.words if len(w) < MIN_TRIGRAM and w not in pairs]
    if not long_words and not pairs:  # short words only, e.g. "a b": the text itself
        long_words, short_words = [terms.whole], []
    indexed = [_fts_string(w) for w in long_words] + [_fts_string(w + PAIR_END) for w in pairs]
    return " ".join(indexed), ' AND instr("doc", ?) > 0' * len(short_words), short_words


def _cjk_grams(words: Iterable[str]) -> list[str]:
    """The grams (list_index.cjk_grams_sql) that a document holding every one of
    `words` holds: of each run of CJK characters in a word, its one character, or each
    two neighbouring ones of a longer run ("王小明" → 王小, 小明; "3号楼" → 号楼)."""
    grams: dict[str, None] = {}
    for word in words:
        for run in _cjk().findall(word):
            if len(run) == 1:
                grams[run] = None
            for i in range(len(run) - 1):
                grams[run[i : i + 2]] = None
    return list(grams)


def _is_cjk_gram(word: str) -> bool:
    """Whether `word` is one of the grams a document's CJK grams list (one or two CJK
    characters): whether the document holds it is then one index lookup."""
    return len(word) <= 2 and _cjk().fullmatch(word) is not None


def _is_cjk_pair(word: str) -> bool:
    return len(word) == 2 and _is_cjk_gram(word)


def _number_start(start: str) -> str:
    """A phrase for a number field of the document starting with `start`: the E.164
    number from "+" on ("+" appears nowhere else but in a rare address), the national
    number from NATIONAL_MARK on; FIELD_START only where a phrase would be shorter than
    a trigram. The marks of the fields lead the phrase only then: every lead with a
    number has "U+001F U+001F +", and reading its entries costs 15–20 ms at 100,000
    leads."""
    full = FIELD_START + ("" if start.startswith("+") else NATIONAL_MARK) + start
    return full[-max(MIN_TRIGRAM, len(full) - len(FIELD_START)) :]


def _field_start(prefix: str) -> str:
    """`prefix` at the start of a field, in as few trigrams as can say so."""
    return FIELD_START[: max(1, MIN_TRIGRAM - len(prefix))] + prefix


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
