"""Issue 22 figure for possible duplicates on the 100,000-lead demo database, with a few
hundred more duplicates planted (the demo saves one lead in a thousand twice):

- the whole search (read.duplicates.possible_duplicates, names compared with rapidfuzz
  inside the phone, email and company blocks, each side's fields read) ≤ 5 s, against a
  floor measured in the same run: raw sqlite3 GROUP BYs over the same table that find
  the blocks (the leads sharing a phone, an email, a company) and nothing more;
- the pairs found, and a check that every planted pair is among them.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
from pathlib import Path

from common import check, cost, median, timed

DEMO_LEADS = 100_000
PLANTED = 300
ROUNDS = 3
FLOOR_SQL = [
    f'SELECT "{column}", COUNT(*) FROM "lead" WHERE "{column}" IS NOT NULL '
    f'AND "{column}" <> \'\' GROUP BY "{column}" HAVING COUNT(*) > 1'
    for column in ("phone_e164", "email_key", "company_key")
]


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-dups-") as folder:
        target = str(Path(folder) / "demo.db")
        planted = _build(target)
        return _measure(target, planted)


def _build(target: str) -> list[tuple[int, int]]:
    """The demo, then PLANTED leads typed again as reps do (a letter dropped, accents
    left out, the given name as an initial) at the same company, each saved as capture
    does when told to: (original id, planted id) pairs."""
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.storage.models import Company, Lead

    generate_demo(open_database(target), load_config(), leads=DEMO_LEADS, seed=1, user="bench")
    rules = Funnel(load_config(), "bench")
    rng = random.Random(22)
    at_companies = (
        Lead.select(Lead.id, Lead.name, Company.name.alias("company_name")).join(Company).dicts()
    )
    # Names of two plain words, the family name long enough to lose a letter.
    rows = [
        r
        for r in at_companies
        if r["name"].isascii() and len(r["name"].split()) == 2 and len(r["name"].split()[1]) > 4
    ]
    planted = []
    for index, row in enumerate(rng.sample(rows, PLANTED)):
        given, family = row["name"].split()
        cut = rng.randrange(1, len(family) - 1)
        name = (
            f"{given[0]}. {family}"
            if index % 3 == 0
            else f"{given} {family[:cut]}{family[cut + 1 :]}"
            if index % 3 == 1
            else f"{family} {given}"
        )
        data = {"name": name, "company": row["company_name"], "email": f"dup{index}@example.com"}
        lead = rules.capture_lead(data, allow_duplicate=True)
        planted.append((row["id"], lead.id))
    close_database()
    return planted


def _measure(target: str, planted: list[tuple[int, int]]):
    from funnel_tui.read.duplicates import possible_duplicates
    from funnel_tui.storage.database import close_database, open_database

    raw = sqlite3.connect(target)
    open_database(target)
    found: list = []

    def ours() -> None:
        found[:] = possible_duplicates()

    def floor() -> None:
        for sql in FLOOR_SQL:
            raw.execute(sql).fetchall()

    ours()  # warm: the pages in the cache, rapidfuzz and OpenCC loaded
    floor()
    ours_s = median([timed(ours) for _ in range(ROUNDS)])
    floor_s = median([timed(floor) for _ in range(ROUNDS)])
    ids = {pair.ids for pair in found}
    missed = [p for p in planted if tuple(sorted(p)) not in ids]
    print(
        f"  possible duplicates: {len(found):,} pairs over {DEMO_LEADS + PLANTED:,} leads "
        f"({len(planted)} planted, {len(planted) - len(missed)} of them found)",
        file=sys.stderr,
    )
    close_database()
    raw.close()
    return [
        cost(
            "possible duplicates, 100k leads",
            ours_s,
            floor_s,
            "raw sqlite3 GROUP BY phone, email, company (the blocks alone)",
            "s",
            max_value=5,
        ),
        check(
            "every planted duplicate is found",
            not missed,
            f"{len(planted) - len(missed)}/{len(planted)} found, {len(found):,} pairs",
        ),
    ]
