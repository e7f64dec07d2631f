"""Import figures at scale: 100,000 rows into a copy of the kept 1,000,000-lead demo.

The file is bench_import's trade-show export (the same generator, another seed) of
people new to the database: no row's email, phone, or name at its company is a demo
lead's, but for the duplicates planted in the file. About half the rows work at one of
the demo's companies (of the file's ten countries), the others at companies of the
file's own, most of which the demo does not have. Rows/s against bench_import's floor
(the validators alone on its first file, measured in the same run). Goal: ≥ 50 %.

Demo databases come from demo_cache (built once, kept) and are copied to write on: on
SQLite a file copy in the bench's temporary folder (3.1 GB at a million leads), on
PostgreSQL a database made from the kept template. FUNNEL_BENCH_SIZES picks the demo
sizes (default 1000000; "" leaves the case out), FUNNEL_BENCH_ENGINES the engines
(default sqlite,postgres). A table by engine and size ends the case.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from common import Figure, kept_demos, print_size_table

SIZES = tuple(int(n) for n in os.environ.get("FUNNEL_BENCH_SIZES", "1000000").split(",") if n)
ENGINES = tuple(os.environ.get("FUNNEL_BENCH_ENGINES", "sqlite,postgres").split(","))
ROWS = 100_000
SEED = 21
GOAL = 0.5  # of the floor's rate
DEMO_COMPANY_SHARE = 0.5  # of the companies a row can be at: the demo's


def figures(folder: Path, floor: float) -> list[Figure]:
    """The import into a copy of each kept demo asked for, against `floor` (rows/s)."""
    import demo_cache

    if not SIZES:
        return []
    results, table = [], {}
    for engine, leads, target in kept_demos("import", ENGINES, SIZES, copy_into=folder):
        column = (engine, leads)
        try:
            written = _write_file(folder, target, leads)
            results += _import(target, written, column, floor, table)
        finally:
            if engine == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(target + suffix).unlink(missing_ok=True)
            else:
                demo_cache.postgres_server().execute(f'DROP DATABASE IF EXISTS "import_{leads}"')
    if table:
        print_size_table(table, f"import of {ROWS // 1000}k rows into the demo")
    return results


def _say(column, what: str) -> None:
    engine, leads = column
    print(f"  {engine} {leads:>9,}: {what}", file=sys.stderr, flush=True)


def _write_file(folder: Path, target: str, leads: int):
    """The export, written for this database: its people new to it, half its companies
    the demo's."""
    from bench_import import COUNTRIES, People

    from funnel_tui.storage.database import close_database, open_database

    start = time.perf_counter()
    db = open_database(target)
    try:
        taken = _taken(db)
    finally:
        close_database()
    people = People(SEED)
    people.used_emails |= taken["emails"]
    people.used_phones |= taken["phones"]
    people._ensure_companies(ROWS)
    rng = random.Random(SEED)
    for region, pool in taken["companies"].items():
        if region in COUNTRIES:
            own = len(people.companies[region])
            wanted = round(own * DEMO_COMPANY_SHARE / (1 - DEMO_COMPANY_SHARE))
            people.companies[region] += rng.sample(pool, min(wanted, len(pool)))
    keys = {people_key(name) for pool in people.companies.values() for name, _ in pool}
    people.taken_names = {
        f"{name_key}\x1f{company_key}"
        for name_key, company_key in taken["names"]
        if company_key in keys
    }
    written = people.write(folder / f"show-into-{leads}.csv", ROWS, SEED, keep_checks=False)
    at_demo = sum(len(taken["companies"].get(r, ())) > 0 for r in COUNTRIES)
    print(
        f"  {written.describe()}\n  (the demo's companies in {at_demo} of its countries; "
        f"written in {time.perf_counter() - start:.0f} s)",
        file=sys.stderr,
    )
    return written


def people_key(name: str) -> str:
    from funnel_tui.core.validators import normalise_key

    return normalise_key(name)


def _taken(db) -> dict:
    """What the database holds that the file's people must not be: emails (as compared
    for duplicates), phones, names at companies; and its companies by country, as
    (name, web domain)."""
    emails = {
        e for (e,) in db.execute_sql('SELECT "email_key" FROM "lead" WHERE "email_key" IS NOT NULL')
    }
    phones = {
        p
        for (p,) in db.execute_sql('SELECT "phone_e164" FROM "lead" WHERE "phone_e164" IS NOT NULL')
    }
    names = set(
        db.execute_sql('SELECT "name_key", "company_key" FROM "lead" WHERE "company_key" <> \'\'')
    )
    companies: dict[str, list[tuple[str, str]]] = {}
    rows = db.execute_sql(
        'SELECT "name", "country", "website" FROM "company" WHERE "merged_into_id" IS NULL '
        'ORDER BY "id"'
    )
    for name, country, website in rows:
        domain = website.removeprefix("https://").removeprefix("http://").removeprefix("www.")
        if domain:  # a company with no website: its people write from free mail only
            companies.setdefault(country, []).append((name, domain))
    return {"emails": emails, "phones": phones, "names": names, "companies": companies}


def _import(target: str, written, column, floor: float, table: dict) -> list[Figure]:
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.transfer.importer import run_import
    from funnel_tui.transfer.plan import plan_import

    engine, leads = column
    open_database(target)
    try:
        rules = Funnel(load_config(None), "bench")
        start = time.perf_counter()
        report = run_import(rules, plan_import(written.path))
        seconds = time.perf_counter() - start
    finally:
        close_database()
    speed = report.rows_read / seconds
    _say(column, f"{report.summary()} in {seconds:.2f} s ({speed:,.0f} rows/s)")
    table.setdefault("rows/s", {})[column] = speed
    table.setdefault("floor, rows/s", {})[column] = floor
    table.setdefault("% of the floor", {})[column] = 100 * speed / floor
    label = f"{engine} {leads // 1000}k-lead demo"
    from bench_import import import_figures

    note = (
        "check_phone + check_email of the first file's rows, one process (the faster of two passes)"
    )
    return import_figures(label, written, report, seconds, floor, note, GOAL)
