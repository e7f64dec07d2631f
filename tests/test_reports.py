"""Reports against figures worked out by hand on a small funnel built here, through the
rules layer, with the capture times set by a clock."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import ReportError
from funnel_tui.read.reports import Period, Request, records
from funnel_tui.read.reports import run_report as _run
from funnel_tui.rules.funnel import Funnel

UTC = dt.UTC


def _lead(rules: Funnel, n: int, source: str, company: str = "") -> int:
    data = {
        "name": f"Person {n}",
        "phone": f"51234567{n}",
        "email": f"person{n}@example.pl",
        "country": "PL",
        "source": source,
        "company": company or f"Firma {n}",
    }
    return rules.capture_lead(data).id


def _promote(rules: Funnel, lead_id: int) -> None:
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead_id, item, "yes", evidence="on the call")
    rules.promote(lead_id)


@pytest.fixture
def small_funnel(db, config):
    """January 2026: five leads, from captured only to won; February: one more.

    | lead | source     | what happened                       |
    | 1    | Web form   | captured                            |
    | 2    | Web form   | a meeting logged: worked            |
    | 3    | Trade show | promoted                            |
    | 4    | Trade show | promoted, an opportunity            |
    | 5    | Trade show | promoted, an opportunity, won       |
    | 6    | Web form   | captured, in February               |
    """
    now = [dt.datetime(2026, 1, 10, 12, 0)]
    rules = Funnel(config, "alice", clock=lambda: now[0])
    sources = ["Web form", "Web form", "Trade show", "Trade show", "Trade show"]
    ids = [_lead(rules, n, source) for n, source in enumerate(sources, 1)]
    rules.log_activity(lead_id=ids[1], kind="meeting", outcome="held")
    for lead_id in ids[2:]:
        _promote(rules, lead_id)
    opps = [rules.convert(lead_id, amount="1000", currency="EUR") for lead_id in ids[3:]]
    rules.win(opps[1].id)
    now[0] = dt.datetime(2026, 2, 3, 9, 0)
    ids.append(_lead(rules, 6, "Web form"))
    return ids


def _period(start=None, end=None) -> Period:
    return Period(start, end, UTC)


def run_report(name, period, by=None, **options):
    return _run(name, Request(period, by, load_config(), dt.date(2026, 3, 1), **options))


def _figures(row) -> tuple:
    v = row.values
    return (v["captured"], v["worked"], v["prospects"], v["opportunities"], v["won"])


def test_conversion_counts_each_step_reached(small_funnel):
    report = run_report("conversion", _period())
    assert report.rows == [] and _figures(report.total) == (6, 4, 3, 2, 1)
    values = report.total.values
    assert values["worked_rate"] == pytest.approx(4 / 6)
    assert values["won_rate"] == pytest.approx(1 / 2)
    assert values["overall"] == pytest.approx(1 / 6)


def test_conversion_by_source_adds_up_to_the_total(small_funnel):
    report = run_report("conversion", _period(), "source")
    assert [(r.label, _figures(r)) for r in report.rows] == [
        ("Trade show", (3, 3, 3, 2, 1)),
        ("Web form", (3, 1, 0, 0, 0)),
    ]
    web = report.rows[1].values
    assert web["prospects_rate"] == 0 and web["opportunities_rate"] is None  # 0 of 0
    assert _figures(report.total) == (6, 4, 3, 2, 1)


def test_conversion_is_a_cohort_by_capture_month(small_funnel):
    january = run_report("conversion", _period(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    assert _figures(january.total) == (5, 4, 3, 2, 1)
    winter = _period(dt.date(2025, 12, 1), dt.date(2026, 3, 31))
    by_month = run_report("conversion", winter, "month")
    assert [(r.label, _figures(r)) for r in by_month.rows] == [
        ("2025-12", (0, 0, 0, 0, 0)),
        ("2026-01", (5, 4, 3, 2, 1)),
        ("2026-02", (1, 0, 0, 0, 0)),
        ("2026-03", (0, 0, 0, 0, 0)),
    ]


def test_every_figure_opens_to_its_records(small_funnel):
    report = run_report("conversion", _period(), "source")
    trade_show = report.rows[0]
    assert [r.id for r in records(trade_show.drills["won"])] == [small_funnel[4]]
    assert [r.id for r in records(trade_show.drills["opportunities"])] == small_funnel[3:5]
    assert len(records(report.total.drills["captured"])) == 6


def test_an_empty_period_gives_zeros_and_no_rates(small_funnel):
    report = run_report("conversion", _period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), "source")
    assert report.rows == [] and _figures(report.total) == (0, 0, 0, 0, 0)
    assert report.total.values["worked_rate"] is None
    assert report.notes == ["no lead was captured 2025-01-01 – 2025-01-31"]


def test_an_empty_database(db):
    for by in (None, "source", "owner", "month"):
        report = run_report("conversion", _period(), by)
        assert _figures(report.total) == (0, 0, 0, 0, 0) and report.rows == []


def test_bad_requests_are_refused_with_a_reason(db):
    with pytest.raises(ReportError, match="'nope' is not a report"):
        run_report("nope", _period())
    with pytest.raises(ReportError, match=r"ends .* before it starts"):
        _period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_report_command_prints_table_csv_and_json(small_funnel, cli_env, db_target):
    if not db_target.endswith(".db"):
        pytest.skip("the command runs on the SQLite file")
    base = [sys.executable, "-m", "funnel_tui", "report", "conversion", "--db", db_target]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*base, *args], env=cli_env, capture_output=True, text=True, check=True
        )
        return done.stdout

    table = run("--by", "source")
    assert "Trade show" in table and "66.7%" in table
    lines = run("--format", "csv", "--by", "source").splitlines()
    assert lines[0].startswith("group,captured,worked,worked_rate,")
    assert lines[1].startswith("Trade show,3,3,1.0,3,1.0,2,0.6667,1,0.5,")
    document = json.loads(run("--format", "json", "--from", "2026-01-01", "--to", "2026-01-31"))
    assert document["from"] == "2026-01-01" and document["total"]["captured"] == 5
    bad = subprocess.run([*base, "--from", "someday"], env=cli_env, capture_output=True, text=True)
    assert bad.returncode != 0 and "--from:" in bad.stderr and "Traceback" not in bad.stderr


def test_the_command_line_lists_every_report_there_is():
    from funnel_tui.core.report_names import REPORT_TITLES
    from funnel_tui.read.reports import REPORTS

    assert {name: kind.title for name, kind in REPORTS.items()} == REPORT_TITLES
