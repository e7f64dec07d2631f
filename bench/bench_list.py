"""Issue 3 figures for the lead list's query layer on a 100,000-lead demo database:
a search keystroke, the first page and a deep page of every sort, and what the search
index and the list's indexes cost to build and store.

Floors are raw sqlite3 statements on the same database file in the same run: an FTS5
count of the typed text (or an indexed prefix range, for one or two characters) for a
keystroke; an index-only SELECT of the page's ids for a page.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from common import check, cost, median, percentile, timed

DEMO_LEADS = 100_000
ROUNDS = 7  # each typed sequence, each sort
# What a rep types into the search box, one keystroke at a time.
TYPED = (
    "kowal",
    "王小",
    "+48 51",
    "gmail",
    "anna.nowak",
    "0512 345 678",
    "müller",
    "muller",  # folded: finds Müller
    "林",  # one CJK character, anywhere in a name
    "0151",  # the start of a national number
)
PAGE = 50
DEEP = 90_000


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-list-") as folder:
        with_index = str(Path(folder) / "with.db")
        without = str(Path(folder) / "without.db")
        results = _build_cost(with_index, without)
        results += _keystrokes(with_index)
        results += _sorts(with_index)
        results += _filtered(with_index)
    return results


# ------------------------------------------------------------------------ building


def _demo(path: str, bare: bool) -> float:
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage import database as dbmod

    database = dbmod.open_database(path)
    if bare:
        _drop_list_structures(database)
    summary = generate_demo(database, load_config(), leads=DEMO_LEADS, seed=1, user="bench")
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    dbmod.close_database()
    return summary.seconds


def _list_index_names() -> list[str]:
    from funnel_tui.storage import list_index as indexmod

    # The indexes schemas 3 and 6 added for the list's sorts; the rest schema 2 had.
    return [
        "lead_owner_id",
        "lead_source",
        "lead_country",
        "lead_created_at",
        "lead_score",
        "lead_company_key",
        *indexmod.RANK_INDEXES,
        indexmod.ENGAGEMENT_INDEX,
    ]


def _drop_list_structures(database) -> None:
    from funnel_tui.storage import list_index as indexmod

    with database.atomic():
        for name in indexmod._SQLITE_TRIGGERS:
            database.execute_sql(f'DROP TRIGGER "{name}"')
        database.execute_sql(f'DROP TABLE "{indexmod.SEARCH_TABLE}"')
        for name in _list_index_names():
            database.execute_sql(f'DROP INDEX "{name}"')


def _build_cost(with_index: str, without: str) -> list:
    """The demo with and without the search index and the list's indexes; then those
    built afterwards on the bare database, as the 2 → 3 migration builds them."""
    from funnel_tui.storage import database as dbmod
    from funnel_tui.storage import list_index as indexmod
    from funnel_tui.storage.models import ALL_MODELS

    bare_s = _demo(without, bare=True)
    full_s = _demo(with_index, bare=False)
    bare_mb = os.path.getsize(without) / 1e6
    full_mb = os.path.getsize(with_index) / 1e6

    database = dbmod.open_database(without)
    start = time.perf_counter()
    with database.atomic():
        database.create_tables(ALL_MODELS, safe=True)
        indexmod.create_list_structures(database)
    build_s = time.perf_counter() - start
    dbmod.close_database()
    print(
        f"  demo {DEMO_LEADS:,} leads: {full_s:.2f} s and {full_mb:.0f} MB with the list's "
        f"indexes and search, {bare_s:.2f} s and {bare_mb:.0f} MB without; building them "
        f"on the bare database afterwards: {build_s:.2f} s",
        file=sys.stderr,
    )
    same = _same_search_results(with_index, without)
    return [
        cost(
            "demo 100k with list indexes + search",
            full_s,
            bare_s,
            "the same demo without them",
            "s",
            max_value=10,
        ),
        cost(
            "database size with list indexes + search",
            full_mb,
            bare_mb,
            "the same demo without them",
            "MB",
        ),
        cost(
            "list indexes + search built on 100k leads",
            build_s,
            bare_s,
            "the bare demo itself",
            "s",
        ),
        check(
            "search index built afterwards = kept by triggers",
            same,
            "same results" if same else "results differ",
        ),
    ]


def _same_search_results(a: str, b: str) -> bool:
    """Every search document the demo wrote equals the one built afterwards, and
    searches find something."""
    from funnel_tui.core.folding import fold

    out = []
    for path in (a, b):
        conn = sqlite3.connect(path)
        docs = conn.execute("SELECT rowid, doc FROM lead_search ORDER BY rowid").fetchall()
        # Folded as the list folds what is typed: the documents are stored folded since
        # schema 10 ("müller" is found as "muller"), so the word as typed found nothing.
        found = [
            conn.execute(
                "SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH ?", (f'"{fold(text)}"',)
            ).fetchone()[0]
            for text in ("kowal", "gmail", "4851", "müller", "王丽华")
        ]
        out.append((docs, found))
        conn.close()
    return out[0] == out[1] and len(out[0][0]) == DEMO_LEADS and all(out[0][1])


# ---------------------------------------------------------------------- keystrokes


def _keystrokes(path: str) -> list:
    from funnel_tui.read.search import LeadQuery, lead_count, lead_page, parse_search, status_counts
    from funnel_tui.storage.database import close_database, open_database

    open_database(path)
    prefixes = [text[:n] for text in TYPED for n in range(1, len(text) + 1)]

    def keystroke(text: str) -> None:
        query = LeadQuery(text=text)
        lead_page(query, 0, PAGE)
        lead_count(query)
        status_counts(query)

    for text in prefixes:  # warm the page cache and the statement caches
        keystroke(text)
    ours: dict[str, list[float]] = {t: [] for t in prefixes}
    for _ in range(ROUNDS):
        for text in prefixes:
            ours[text].append(timed(lambda t=text: keystroke(t)))
    found = {t: lead_count(LeadQuery(text=t)) for t in prefixes}
    close_database()

    conn = sqlite3.connect(path)

    def raw(text: str) -> None:
        terms = parse_search(text)
        if terms.short:
            conn.execute(
                "SELECT COUNT(*) FROM lead WHERE name_key >= ? AND name_key < ?",
                (terms.whole, terms.whole + "\U0010ffff"),
            ).fetchall()
        else:
            match = " ".join('"' + w.replace('"', '""') + '"' for w in terms.words)
            conn.execute(
                "SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH ?", (match,)
            ).fetchall()

    for text in prefixes:
        raw(text)
    floor: dict[str, list[float]] = {t: [] for t in prefixes}
    for _ in range(ROUNDS):
        for text in prefixes:
            floor[text].append(timed(lambda t=text: raw(t)))
    conn.close()

    worst = sorted(prefixes, key=lambda t: -percentile(ours[t], 95))[:5]
    print(
        "  slowest keystrokes (p95 ms, matches): "
        + ", ".join(f"{t!r} {percentile(ours[t], 95) * 1000:.1f} ({found[t]:,})" for t in worst),
        file=sys.stderr,
    )
    every = [x for t in prefixes for x in ours[t]]
    every_floor = [x for t in prefixes for x in floor[t]]
    return [
        cost(
            "search keystroke (page+count+statuses), p95",
            percentile(every, 95) * 1000,
            percentile(every_floor, 95) * 1000,
            "raw sqlite3 FTS5 count / prefix range",
            "ms",
            max_value=50,
        ),
        cost(
            "search keystroke (page+count+statuses), median",
            median(every) * 1000,
            median(every_floor) * 1000,
            "raw sqlite3 FTS5 count / prefix range",
            "ms",
        ),
    ]


# ------------------------------------------------------------------------- sorting


_RAW_ORDER = {
    "name": "name_key",
    "company": "company_key",
    "status": None,  # rank expressions: filled in from db.RANK_INDEXES
    "source": "source",
    "owner": None,
    "score": "score",
    "engagement": "engagement_key",  # ascending: NULLs first, as the list's order
    "created_at": "created_at",
    "country": "country",
    "level": None,
}


def _raw_sql(sort: str, offset: int) -> str:
    from funnel_tui.core.vocab import FUNNEL_LEVELS, LEAD_STATUSES
    from funnel_tui.storage import list_index as indexmod

    if sort == "owner":
        return (
            'SELECT l.id FROM lead l JOIN "user" o ON o.id = l.owner_id '
            f"ORDER BY o.login, l.id LIMIT {PAGE} OFFSET {offset}"
        )
    column = _RAW_ORDER[sort] or indexmod.rank_sql(
        sort, LEAD_STATUSES if sort == "status" else FUNNEL_LEVELS
    )
    return f"SELECT id FROM lead ORDER BY {column}, id LIMIT {PAGE} OFFSET {offset}"


def _sorts(path: str) -> list:
    from funnel_tui.read.search import SORT_KEYS, LeadQuery, lead_page
    from funnel_tui.storage.database import close_database, open_database

    open_database(path)
    ours: dict[tuple[str, int], list[float]] = {}
    for sort in SORT_KEYS:
        for offset in (0, DEEP):
            query = LeadQuery(sort=sort, descending=False)
            lead_page(query, offset, PAGE)
            ours[sort, offset] = [
                timed(lambda q=query, o=offset: lead_page(q, o, PAGE)) for _ in range(ROUNDS)
            ]
    close_database()
    conn = sqlite3.connect(path)
    floor = {}
    for sort in SORT_KEYS:
        for offset in (0, DEEP):
            sql = _raw_sql(sort, offset)
            conn.execute(sql).fetchall()
            floor[sort, offset] = [
                timed(lambda s=sql: conn.execute(s).fetchall()) for _ in range(ROUNDS)
            ]
    conn.close()
    out = []
    for offset in (0, DEEP):
        for sort in SORT_KEYS:
            label = "first page" if offset == 0 else f"page at {offset:,}"
            out.append(
                cost(
                    f"{label} by {sort}",
                    median(ours[sort, offset]) * 1000,
                    median(floor[sort, offset]) * 1000,
                    "raw sqlite3 SELECT of the page's ids by the same index",
                    "ms",
                    max_value=20,
                )
            )
    return out


def _filtered(path: str) -> list:
    """The list's first open (count + header + page), and the last page of filtered
    lists against the plain SELECT that tests the filter on every row it passes."""
    from funnel_tui.read.search import LeadQuery, lead_count, lead_page, status_counts
    from funnel_tui.storage.database import close_database, open_database

    open_database(path)

    def first_open() -> None:
        query = LeadQuery()
        lead_count(query)
        status_counts(query)
        lead_page(query, 0, PAGE)

    first_open()
    opened = median([timed(first_open) for _ in range(ROUNDS)]) * 1000
    cases = [
        (
            "status new, by name",
            LeadQuery(statuses=("new",), sort="name", descending=False),
            "status = 'new' ORDER BY name_key, id",
        ),
        (
            "owner anna, newest first",
            LeadQuery(owner="anna"),
            "owner_id = (SELECT id FROM user WHERE login = 'anna') "
            "ORDER BY created_at DESC, id DESC",
        ),
        (
            "level lead + source Web form, by company",
            LeadQuery(levels=("lead",), sources=("Web form",), sort="company", descending=False),
            "level = 'lead' AND source = 'Web form' ORDER BY company_key, id",
        ),
        (
            "search 'com', by name",
            LeadQuery(text="com", sort="name", descending=False),
            "id IN (SELECT rowid FROM lead_search WHERE lead_search MATCH '\"com\"') "
            "ORDER BY name_key, id",
        ),
    ]
    deep_pages = []
    for _, query, _ in cases:
        total = lead_count(query)
        deep = max(0, total - PAGE)
        lead_page(query, deep, PAGE)
        ms = median([timed(lambda q=query, d=deep: lead_page(q, d, PAGE)) for _ in range(ROUNDS)])
        deep_pages.append((total, deep, ms * 1000))
    close_database()

    conn = sqlite3.connect(path)

    def raw_open() -> None:
        conn.execute("SELECT COUNT(*) FROM lead").fetchall()
        conn.execute("SELECT status, COUNT(*) FROM lead GROUP BY status").fetchall()
        conn.execute(_raw_sql("created_at", 0)).fetchall()

    raw_open()
    floor = median([timed(raw_open) for _ in range(ROUNDS)]) * 1000
    raw_deep = []
    for (_, _, sql), (_, deep, _) in zip(cases, deep_pages, strict=True):
        statement = f"SELECT id FROM lead WHERE {sql} LIMIT {PAGE} OFFSET {deep}"
        conn.execute(statement).fetchall()
        raw_deep.append(
            median([timed(lambda s=statement: conn.execute(s).fetchall()) for _ in range(ROUNDS)])
        )
    conn.close()
    out = [
        cost(
            "list first open: count + statuses + page",
            opened,
            floor,
            "raw sqlite3 count + status GROUP BY + page ids",
            "ms",
            max_value=50,
        )
    ]
    for (label, _, _), (total, _, ms), raw in zip(cases, deep_pages, raw_deep, strict=True):
        out.append(
            cost(
                f"last page of {label} ({total:,})",
                ms,
                raw * 1000,
                "raw sqlite3 SELECT of the page's ids, filter tested row by row",
                "ms",
            )
        )
    return out
