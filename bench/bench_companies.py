"""Issue 22 figures for the accounts on a 100,000-lead demo database (21,500 companies):
a company record opened (the read, and the screen painted with it), and the Companies
list's first page in each sort (the query, and ctrl+o to the painted list).

Floors are measured in the same run: a bare sqlite3 read of the company's row (for the
record's read), an index-only SELECT of the first page's ids by name (for the list's
queries), and a bare Textual app painting a pushed screen (for the screens).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from common import bench_app, cost, median, percentile, send_key, until

DEMO_LEADS = 100_000
USER = "bench"
SIZE = (80, 24)
RECORDS = 300  # companies whose records are read, chosen at random (seeded)
LARGEST = 20  # and the companies with the most people and deals
SCREEN_OPENS = 40
LIST_ROUNDS = 7
# What a rep types into the Companies list's search, one keystroke at a time.
TYPED = ("muller", "gmbh", "logistik", "台湾精密", "s.a.", "kowal")


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-companies-") as folder:
        target = str(Path(folder) / "demo.db")
        _build(target)
        ids = _chosen(target)
        results = _record_reads(target, ids)
        results += _list_queries(target)
        results += asyncio.run(_screens(target, folder, ids[:SCREEN_OPENS]))
    return results


def _build(target: str) -> None:
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage import database as dbmod

    database = dbmod.open_database(target)
    generate_demo(database, load_config(), leads=DEMO_LEADS, seed=1, user=USER)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    dbmod.close_database()


def _chosen(target: str) -> list[int]:
    """Random companies, then the largest (most people), each once."""
    with sqlite3.connect(target) as conn:
        every = [row[0] for row in conn.execute('SELECT "id" FROM "company"')]
        largest = [
            row[0]
            for row in conn.execute(
                'SELECT "company_id" FROM "lead" WHERE "company_id" IS NOT NULL '
                "GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT ?",
                (LARGEST,),
            )
        ]
    picked = random.Random(22).sample(every, RECORDS)
    return list(dict.fromkeys([*picked, *largest]))


# ------------------------------------------------------------------ the record


def _record_reads(target: str, ids: list[int]) -> list:
    from funnel_tui.read.companies import company_record
    from funnel_tui.storage import database as dbmod

    floor = []
    with sqlite3.connect(target) as conn:
        for company_id in ids:
            start = time.perf_counter()
            conn.execute('SELECT * FROM "company" WHERE "id" = ?', (company_id,)).fetchone()
            floor.append(time.perf_counter() - start)
    dbmod.open_database(target)
    for company_id in ids[:20]:  # warm the page cache and the statements, untimed
        company_record(company_id)
    reads = []
    for company_id in ids:
        start = time.perf_counter()
        company_record(company_id)
        reads.append(time.perf_counter() - start)
    dbmod.close_database()
    return [
        cost(
            "company record read (people, deals, activities, history), p95",
            percentile(reads, 95) * 1000,
            percentile(floor, 95) * 1000,
            "bare sqlite3 read of the company row, p95",
            "ms",
            max_value=50,
        )
    ]


# -------------------------------------------------------------------- the list


def _list_queries(target: str) -> list:
    from funnel_tui.config import load_config
    from funnel_tui.read.companies import SORT_KEYS, CompanyQuery, company_count, company_page
    from funnel_tui.storage import database as dbmod
    from funnel_tui.tui.widgets.lead_table import PAGE_SIZE

    floor = []
    with sqlite3.connect(target) as conn:
        for _ in range(LIST_ROUNDS):
            start = time.perf_counter()
            conn.execute(
                'SELECT "id" FROM "company" ORDER BY "name_key", "id" LIMIT ?', (PAGE_SIZE,)
            ).fetchall()
            floor.append(time.perf_counter() - start)
    floor_ms = median(floor) * 1000
    config = load_config()
    dbmod.open_database(target)
    results = []
    # The list opens sorted by name: "instantly". The other sorts add up every
    # company's deals or leads first.
    goals = {"name": 50, "pipeline": 100, "won": 100, "people": 100, "activity": 250}
    for sort in SORT_KEYS:
        query = CompanyQuery.from_config(config, sort=sort)
        times = []
        for _ in range(LIST_ROUNDS):
            start = time.perf_counter()
            company_count(query)
            company_page(query, 0, PAGE_SIZE)
            times.append(time.perf_counter() - start)
        results.append(
            cost(
                f"Companies list first page + count, by {sort}, median",
                median(times) * 1000,
                floor_ms,
                "index-only SELECT of a page of ids by name",
                "ms",
                max_value=goals[sort],
            )
        )
    results.append(_search(config, floor_ms))
    dbmod.close_database()
    return results


def _search(config, floor_ms: float):
    """Each prefix of what a rep types into the Companies list's search, as the screen
    asks for it: the count and the first page (company_list)."""
    from funnel_tui.read.companies import CompanyQuery, company_list
    from funnel_tui.tui.widgets.lead_table import PAGE_SIZE

    times = []
    for _ in range(3):
        for word in TYPED:
            for end in range(1, len(word) + 1):
                query = CompanyQuery.from_config(config, text=word[:end])
                start = time.perf_counter()
                company_list(query, 0, PAGE_SIZE)
                times.append(time.perf_counter() - start)
    return cost(
        "Companies search keystroke (count + first page), p95",
        percentile(times, 95) * 1000,
        floor_ms,
        "index-only SELECT of a page of ids by name",
        "ms",
        max_value=100,
    )


# ----------------------------------------------------------------- the screens


async def _screen_floor() -> list[float]:
    """A bare Textual app pushing a screen with one Static and painting it."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Label, Static

    class Pushed(Screen):
        def compose(self):
            yield Static("record", id="body")

    class Bare(App):
        def compose(self):
            yield Label("funnel")

    app = Bare()
    times = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(SCREEN_OPENS):
            start = time.perf_counter()
            app.push_screen(Pushed())
            times.append(await until(lambda: isinstance(app.screen, Pushed), app=app) - start)
            app.pop_screen()
            await pilot.pause()
    return times


async def _screens(target: str, folder: str, ids: list[int]) -> list:
    from textual.worker import WorkerCancelled

    from funnel_tui.storage.database import close_database
    from funnel_tui.tui.screens.companies import CompaniesScreen
    from funnel_tui.tui.screens.company import CompanyScreen
    from funnel_tui.tui.widgets.lead_table import LeadTable

    floor = await _screen_floor()
    app = bench_app(target, folder, USER)
    opens, lists = [], []
    async with app.run_test(size=SIZE) as pilot:

        async def settle() -> None:
            while True:
                try:
                    await app.workers.wait_for_complete()
                    break
                except WorkerCancelled:
                    continue
            await pilot.pause()

        await settle()
        app.startup_done()
        for company_id in ids:
            start = time.perf_counter()
            app.open_company(company_id)

            def shown() -> bool:
                screen = app.screen
                return isinstance(screen, CompanyScreen) and screen.record is not None

            opens.append(await until(shown, app=app) - start)
            await settle()
            app.pop_screen()
            await settle()
        listing: CompaniesScreen | None = None
        for _ in range(LIST_ROUNDS):
            if listing is not None:
                # Kept by its mode: emptied, so that only its reload on being shown
                # again (its count and first page) brings rows back.
                listing.query_one(LeadTable).reset(0)
            start = time.perf_counter()
            send_key(app, "ctrl+o")

            def listed() -> bool:
                screen = app.screen
                return (
                    isinstance(screen, CompaniesScreen)
                    and screen.query_one(LeadTable).current is not None
                )

            lists.append(await until(listed, app=app) - start)
            listing = app.screen
            await settle()
            await pilot.press("f3")
            await settle()
    close_database()
    floor_ms = percentile(floor, 95) * 1000
    return [
        cost(
            "company record open: the screen painted with its data, p95",
            percentile(opens, 95) * 1000,
            floor_ms,
            "bare Textual app painting a pushed screen, p95",
            "ms",
            max_value=50,
        ),
        cost(
            "ctrl+o to the painted Companies list, median",
            median(lists) * 1000,
            floor_ms,
            "bare Textual app painting a pushed screen, p95",
            "ms",
            max_value=100,
        ),
    ]
