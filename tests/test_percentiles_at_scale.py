"""Speed to lead and cycle time on a demo ten times the size of test_reports_sql's, on
both engines, against the same figures worked out there in plain SQL: months of waits,
buckets of thousands, and periods that begin inside an hour (Kolkata) or last a day."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.demo.generator import generate_demo
from funnel_tui.read.reports import Period, run_report
from funnel_tui.storage import wait_facts as facts
from funnel_tui.storage import wait_summaries as waits
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import database as bound_database

from .conftest import PG_TEST_DB, _reset_pg
from .test_reports_sql import (
    KOLKATA,
    ORDER_BY,
    TODAY,
    WARSAW,
    Demo,
    Sql,
    _bend_demo,
    check,
    expect,
    make_request,
)

# The comparisons of test_reports_sql and test_percentiles at scale: those run under
# the shifted clocks of .ci/run, these once.
pytestmark = pytest.mark.clock_free


LEADS = 20_000
DEFAULT_MONEY = None  # neither report has amounts
PERIODS = {
    "all-warsaw": Period(None, None, WARSAW),
    "part-kolkata": Period(dt.date(2024, 11, 3), dt.date(2025, 2, 20), KOLKATA),
    "month-kolkata": Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31), KOLKATA),
    "day-kolkata": Period(dt.date(2025, 3, 12), dt.date(2025, 3, 12), KOLKATA),
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def big_demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("percentiles_at_scale")
    if request.param == "sqlite":
        target = str(folder / "demo.db")
    else:
        server = request.getfixturevalue("pg_server")
        _reset_pg(server)
        target = server.url(PG_TEST_DB)
    (folder / "funnel.toml").write_text("")
    config = load_config(folder / "funnel.toml")
    db = open_database(target)
    generate_demo(db, config, leads=LEADS, seed=11, today=TODAY)
    sql = Sql(db, request.param == "postgres")
    _bend_demo(sql)  # through the triggers: the bent waits are measured as they change
    yield Demo(sql, config)
    close_database()


@pytest.fixture
def sql(big_demo) -> Sql:
    bound_database.initialize(big_demo.sql.db)
    return big_demo.sql


def test_the_waits_agree_with_the_records(sql):
    assert waits.wait_summary_problems(sql.db) == 0
    # Big enough that a median is read from a bucket of thousands of waits.
    (largest,) = sql.rows(
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM wait_fact WHERE kind = ? "
        "GROUP BY bucket) AS b",
        [facts.SPEED],
    )[0]
    assert largest > 1000


@pytest.mark.slow
@pytest.mark.parametrize("period_name", PERIODS)
@pytest.mark.parametrize(("name", "by"), [("speed", "owner"), ("speed", "source"),
                                          ("speed", "month"), ("cycle", None)])  # fmt: skip
def test_report_matches_sql_at_scale(big_demo, sql, name, by, period_name):
    period = PERIODS[period_name]
    report = run_report(name, make_request(big_demo, period, by))
    expected = expect(name, sql, period, by, DEFAULT_MONEY, big_demo.config)
    assert any(row.values.get("reached", row.values.get("count")) for row in report.rows)
    check(report, expected, ORDER_BY.get(name) if by in ("source", "owner") else None)
