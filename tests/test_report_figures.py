"""The six reports besides conversion (sources, winrate, cycle, speed, forecast, activity)
against figures worked out by hand on one small funnel, built here through the rules
layer with a clock, on SQLite and on PostgreSQL: amounts in EUR and USD, with and
without exchange rates; an empty period and an empty database; the records behind a
few figures; and `funnel report` as CSV and JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from funnel_tui.config import load_config
from funnel_tui.read.reports import Period, Request, records, run_report
from funnel_tui.read.reports.base import DAYS, HOURS, MONEY, RATE, format_value
from funnel_tui.rules.funnel import Funnel

UTC = dt.UTC
TODAY = dt.date(2026, 3, 10)  # the forecast's today: a deal closing before March is overdue
ALL_TIME = Period(None, None, UTC)
JANUARY = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31), UTC)
FEBRUARY = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), UTC)
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), UTC)
EMPTY = Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28), UTC)  # before anything happened
EMPTY_LABEL = "2025-01-01 – 2025-02-28"

WEB, TRADE, REFERRAL = "Web form", "Trade show", "Referral"
NEEDS, PROPOSAL, NEGOTIATION = "Needs analysis", "Proposal", "Negotiation"

LEFT_OUT = (
    "amounts are in {cur}: {n} {what} in {others} {verb} counted but {theirs} not"
    " (pick a currency with c on the Reports screen or --currency, or give exchange_rates"
    " in funnel.toml)"
)
CONVERTED = "amounts in USD are converted to EUR at funnel.toml's rates"


def _left_out(cur: str, n: int, what: str, others: str) -> str:
    one = n == 1
    return LEFT_OUT.format(
        cur=cur,
        n=n,
        what=what.removesuffix("s") if one else what,
        others=others,
        verb="is" if one else "are",
        theirs="its amount is" if one else "their amounts are",
    )


def _rates():
    """The default config, reporting in EUR with one USD worth half a euro."""
    return dataclasses.replace(load_config(), report_currency="EUR", exchange_rates={"USD": 0.5})


def _report(name, period=ALL_TIME, by=None, *, config=None, currency=""):
    request = Request(period, by, config or load_config(), TODAY, currency)
    return run_report(name, request)


def _lead(rules: Funnel, n: int, source: str) -> int:
    data = {
        "name": f"Person {n}",
        "phone": f"5123456{n:02d}",
        "email": f"person{n}@example.pl",
        "country": "PL",
        "source": source,
        "company": f"Firma {n}",
    }
    return rules.capture_lead(data).id


def _row(report, key: str):
    """The row whose key (a source, an owner's id, a month or a week) is `key`."""
    [row] = [row for row in report.rows if row.key == key]
    return row


def _pick(row, expected: dict) -> None:
    """The row's values for the keys of `expected` are those (floats nearly)."""
    got = {key: row.values[key] for key in expected}
    assert got == pytest.approx(expected), row.label


def _table(rows, keys: tuple[str, ...], expected: list[tuple]) -> None:
    """Each row's (key, values of `keys`) is the expected tuple, in order."""
    got = [(row.key, *(row.values[k] for k in keys)) for row in rows]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for found, wanted in zip(got, expected, strict=True):
        assert found == pytest.approx(wanted), found[0]


def _keyed(keys: tuple[str, ...], *values) -> dict:
    return dict(zip(keys, values, strict=True))


def _ids(drill) -> list[int]:
    return [record.id for record in records(drill)]


@pytest.fixture
def figures(db, config):
    """Eight leads and fourteen deals in January and February 2026 (UTC), made in time
    order by alice and bob through the rules layer; every figure the tests expect is
    worked out by hand from these tables. A lead's owner is who captured it; a deal's
    owner is its lead's; an activity's owner is who logged it.

    Leads. Wait: hours from capture to the first activity that is not a note.

    | lead | source     | owner | captured    | first contact             | wait | promoted |
    |------|------------|-------|-------------|---------------------------|------|----------|
    | L1   | Web form   | alice | Jan 5 09:00 | only a note: not yet      | –    | –        |
    | L2   | Web form   | alice | Jan 5 10:00 | call Jan 5 10:30          | 0.5  | +2 d     |
    | L3   | Web form   | bob   | Jan 6 09:00 | email Jan 7 15:00         | 30   | –        |
    | L4   | Trade show | alice | Jan 6 12:00 | meeting Jan 6 14:00       | 2    | +1 d     |
    | L5   | Trade show | bob   | Jan 7 08:00 | note 08:10; call 08:45    | 0.75 | +4 d     |
    | L6   | Trade show | bob   | Jan 7 09:00 | sms Jan 8 08:00           | 23   | +10 d    |
    | L7   | Referral   | alice | Jan 8 09:00 | email Jan 10 09:00 by bob | 48   | +3 d     |
    | L8   | Referral   | bob   | Feb 2 09:00 | call Feb 2 09:15          | 0.25 | +1 d     |

    Deals, numbered in the order opened; whole days spent in each stage left; D1, D2,
    D4, D6, D8 and D10 are their lead's first deal (opened 1, 1, 2, 5, 3 and 0.5 days
    after the promotion).

    | deal | lead | amount    | opened       | days in stages          | end                     |
    |------|------|-----------|--------------|-------------------------|-------------------------|
    | D1   | L2   | 1,000 EUR | Jan 8 10:00  | Qual 2, Needs 4, Prop 1 | won Jan 15 10:00        |
    | D2   | L4   | 6,000 EUR | Jan 8 12:00  | Qual 1, Prop 11         | won Jan 20 12:00        |
    | D3   | L4   | 2,000 USD | Jan 12 12:00 | Qual 21                 | won Feb 2 12:00         |
    | D4   | L5   |   500 EUR | Jan 13 08:00 | Qual 8                  | lost Jan 21: Price      |
    | D5   | L5   | 2,000 EUR | Jan 14 08:00 | opened in Negotiation   | open, closes Jan 31     |
    | D6   | L7   |     0 EUR | Jan 16 09:00 | Qual 20                 | won Feb 5 09:00         |
    | D7   | L7   | 2,000 EUR | Jan 19 09:00 | Qual 10                 | won Jan 29 09:00        |
    | D8   | L6   |   800 USD | Jan 20 09:00 | Qual 5, Needs 2         | lost Jan 27: competitor |
    | D9   | L6   | 10000 EUR | Jan 22 09:00 | Qual 14, now Proposal   | open, closes Mar 20     |
    | D10  | L8   | 1,500 EUR | Feb 3 21:00  | Qual 7                  | lost Feb 10: Price      |
    | D11  | L8   | 4,000 EUR | Feb 4 09:00  | in Qualification        | open, closes Apr 10     |
    | D12  | L8   |     0 EUR | Feb 4 10:00  | opened in Needs an.     | open, closes Mar 31     |
    | D13  | L8   | 6,000 USD | Feb 4 11:00  | opened in Proposal      | open, no close date     |
    | D14  | L7   | 8,000 EUR | Feb 4 12:00  | in Qualification        | open, no close date     |

    Activities (weeks start on Monday; the week of Jan 19 has none):

    | week   | alice                                 | bob                                    |
    |--------|---------------------------------------|----------------------------------------|
    | Jan 5  | note L1, call L2, meeting L4          | note L5, call L5, email L3, sms L6,    |
    |        |                                       | email L7                               |
    | Jan 12 | call on D1, meeting on D2             |                                        |
    | Jan 26 |                                       | call on D9                             |
    | Feb 2  | in person on D6                       | call L8, email on D5                   |

    Expected figures, all time, amounts in EUR (USD left out) unless said:

    | sources    | leads | prospects | customers | won deals | won EUR | prospect % | won %  |
    |------------|-------|-----------|-----------|-----------|---------|------------|--------|
    | Trade show | 3     | 3         | 1 (L4)    | 2 (D2 D3) | 6,000   | 100 %      | 1/3    |
    | Web form   | 3     | 1         | 1 (L2)    | 1 (D1)    | 1,000   | 1/3        | 1/3    |
    | Referral   | 2     | 2         | 1 (L7)    | 2 (D6 D7) | 2,000   | 100 %      | 1/2    |
    | all        | 8     | 6         | 3         | 5         | 9,000   | 75 %       | 37.5 % |
    With USD at 0.5 EUR: D3 adds 1,000 (Trade show 7,000, all 10,000). In USD: 2,000.

    | winrate    | closed | won | lost | win %  | won EUR | average | median |
    |------------|--------|-----|------|--------|---------|---------|--------|
    | all        | 8      | 5   | 3    | 62.5 % | 9,000   | 3,000   | 2,000  |
    | at rates   | 8      | 5   | 3    | 62.5 % | 10,000  | 2,500   | 1,500  |
    | in USD     | 8      | 5   | 3    | 62.5 % | 2,000   | 2,000   | 2,000  |
    | January    | 5      | 3   | 2    | 60 %   | 9,000   | 3,000   | 2,000  |
    | February   | 3      | 2   | 1    | 2/3    | 0       | —       | —      |
    D6 (0 EUR) is won but in no average or median. Loss reasons: Price 2 (2/3, 2,000 EUR),
    Lost to competitor 1 (1/3, its 800 USD left out; 400 EUR at rates).

    | cycle (days)           | moves | median | p90  | values                         |
    |------------------------|-------|--------|------|--------------------------------|
    | lead → prospect        | 6     | 2.5    | 7    | 1 1 2 3 4 10                   |
    | prospect → opportunity | 6     | 1.5    | 4    | 0.5 1 1 2 3 5                  |
    | in Qualification       | 9     | 8      | 20.2 | 1 2 5 7 8 10 14 20 21          |
    | in Needs analysis      | 2     | 3      | 3.8  | 2 4                            |
    | in Proposal            | 2     | 6      | 10   | 1 11                           |
    | opportunity → won      | 5     | 12     | 20.6 | 7 10 12 20 21                  |
    | lead → won             | 5     | 21     | 27.6 | 10 14 21 27 28                 |

    | speed (hours) | leads | reached | not yet | median | p90  | ≤ 1 h | ≤ 24 h |
    |---------------|-------|---------|---------|--------|------|-------|--------|
    | alice         | 4     | 3       | 1 (L1)  | 2      | 38.8 | 1/3   | 2/3    |
    | bob           | 4     | 4       | 0       | 11.875 | 27.9 | 2/4   | 3/4    |
    | all           | 8     | 7       | 1       | 2      | 37.2 | 3/7   | 5/7    |

    Forecast on Mar 10 (probabilities Qualification 10 %, Needs analysis 25 %, Proposal
    50 %, Negotiation 75 %):

    | closing       | deals       | no amount | EUR    | weighted EUR             |
    |---------------|-------------|-----------|--------|--------------------------|
    | overdue       | 1 (D5)      | 0         | 2,000  | 1,500                    |
    | 2026-03       | 2 (D9 D12)  | 1 (D12)   | 10,000 | 5,000                    |
    | 2026-04       | 1 (D11)     | 0         | 4,000  | 400                      |
    | no close date | 2 (D13 D14) | 0         | 8,000  | 800 (D13's USD left out) |
    | all           | 6           | 1         | 24,000 | 7,700                    |
    At rates D13 is 3,000 EUR, 1,500 weighted (no close date 11,000 / 2,300).

    | activity | call | email | meeting | sms | in person | note | total |
    |----------|------|-------|---------|-----|-----------|------|-------|
    | Jan 5    | 2    | 2     | 1       | 1   | 0         | 2    | 8     |
    | Jan 12   | 1    | 0     | 1       | 0   | 0         | 0    | 2     |
    | Jan 19   | 0    | 0     | 0       | 0   | 0         | 0    | 0     |
    | Jan 26   | 1    | 0     | 0       | 0   | 0         | 0    | 1     |
    | Feb 2    | 1    | 1     | 0       | 0   | 1         | 0    | 3     |
    | bob      | 3    | 3     | 0       | 1   | 0         | 1    | 8     |
    | alice    | 2    | 0     | 2       | 0   | 1         | 1    | 6     |
    | all      | 5    | 3     | 2       | 1   | 1         | 2    | 14    |
    """
    now = [dt.datetime(2026, 1, 5)]
    alice = Funnel(config, "alice", clock=lambda: now[0])
    bob = Funnel(config, "bob", clock=lambda: now[0])
    lead: dict[int, int] = {}
    deal: dict[int, int] = {}

    def at(when: str) -> None:
        now[0] = dt.datetime.fromisoformat(f"2026-{when}")

    def capture(rules, n, source, when):
        at(when)
        lead[n] = _lead(rules, n, source)

    def log(rules, when, kind, outcome="", *, on_lead=None, on_deal=None):
        at(when)
        rules.log_activity(
            lead_id=lead.get(on_lead),
            opportunity_id=deal.get(on_deal),
            kind=kind,
            outcome=outcome,
        )

    def promote(rules, n, when):
        at(when)
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(lead[n], item, "yes", evidence="on the call")
        rules.promote(lead[n])

    def convert(rules, n, d, amount, currency, when, stage="", close=None):
        at(when)
        expected = dt.date.fromisoformat(close) if close else None
        opp = rules.convert(
            lead[n], amount=amount, currency=currency, stage=stage, expected_close=expected
        )
        deal[d] = opp.id

    def move(rules, d, stage, when):
        at(when)
        rules.move(deal[d], stage)

    def win(rules, d, when):
        at(when)
        rules.win(deal[d])

    def lose(rules, d, reason, when):
        at(when)
        rules.lose(deal[d], reason)

    capture(alice, 1, WEB, "01-05 09:00")
    log(alice, "01-05 09:10", "note", on_lead=1)
    capture(alice, 2, WEB, "01-05 10:00")
    log(alice, "01-05 10:30", "call", "no_answer", on_lead=2)
    capture(bob, 3, WEB, "01-06 09:00")
    capture(alice, 4, TRADE, "01-06 12:00")
    log(alice, "01-06 14:00", "meeting", "held", on_lead=4)
    capture(bob, 5, TRADE, "01-07 08:00")
    log(bob, "01-07 08:10", "note", on_lead=5)
    log(bob, "01-07 08:45", "call", "reached", on_lead=5)
    capture(bob, 6, TRADE, "01-07 09:00")
    promote(alice, 2, "01-07 10:00")
    promote(alice, 4, "01-07 12:00")
    log(bob, "01-07 15:00", "email", "sent", on_lead=3)
    log(bob, "01-08 08:00", "sms", "sent", on_lead=6)
    capture(alice, 7, REFERRAL, "01-08 09:00")
    convert(alice, 2, 1, "1000", "EUR", "01-08 10:00")
    convert(alice, 4, 2, "6000", "EUR", "01-08 12:00")
    move(alice, 2, PROPOSAL, "01-09 12:00")
    log(bob, "01-10 09:00", "email", "replied", on_lead=7)
    move(alice, 1, NEEDS, "01-10 10:00")
    promote(bob, 5, "01-11 08:00")
    promote(alice, 7, "01-11 09:00")
    convert(alice, 4, 3, "2000", "USD", "01-12 12:00")
    convert(bob, 5, 4, "500", "EUR", "01-13 08:00")
    log(alice, "01-13 10:00", "call", "reached", on_deal=1)
    convert(bob, 5, 5, "2000", "EUR", "01-14 08:00", stage=NEGOTIATION, close="2026-01-31")
    move(alice, 1, PROPOSAL, "01-14 10:00")
    log(alice, "01-14 11:00", "meeting", "held", on_deal=2)
    win(alice, 1, "01-15 10:00")
    convert(alice, 7, 6, "0", "EUR", "01-16 09:00")
    promote(bob, 6, "01-17 09:00")
    convert(alice, 7, 7, "2000", "EUR", "01-19 09:00")
    convert(bob, 6, 8, "800", "USD", "01-20 09:00")
    win(alice, 2, "01-20 12:00")
    lose(bob, 4, "Price", "01-21 08:00")
    convert(bob, 6, 9, "10000", "EUR", "01-22 09:00", close="2026-03-20")
    move(bob, 8, NEEDS, "01-25 09:00")
    lose(bob, 8, "Lost to competitor", "01-27 09:00")
    log(bob, "01-27 10:00", "call", "reached", on_deal=9)
    win(alice, 7, "01-29 09:00")
    capture(bob, 8, REFERRAL, "02-02 09:00")
    log(bob, "02-02 09:15", "call", "reached", on_lead=8)
    win(alice, 3, "02-02 12:00")
    promote(bob, 8, "02-03 09:00")
    log(bob, "02-03 10:00", "email", "sent", on_deal=5)
    convert(bob, 8, 10, "1500", "EUR", "02-03 21:00")
    convert(bob, 8, 11, "4000", "EUR", "02-04 09:00", close="2026-04-10")
    convert(bob, 8, 12, "0", "EUR", "02-04 10:00", stage=NEEDS, close="2026-03-31")
    convert(bob, 8, 13, "6000", "USD", "02-04 11:00", stage=PROPOSAL)
    convert(alice, 7, 14, "8000", "EUR", "02-04 12:00")
    log(alice, "02-04 15:00", "in_person", "met", on_deal=6)
    move(bob, 9, PROPOSAL, "02-05 09:00")
    win(alice, 6, "02-05 09:00")
    lose(bob, 10, "Price", "02-10 21:00")
    return SimpleNamespace(lead=lead, deal=deal, alice=alice.user_id, bob=bob.user_id)


# ---------------------------------------------------------------------------- sources

SOURCE_KEYS = ("leads", "prospects", "prospect_rate", "won_leads", "won_rate", "won_deals")


def test_sources_per_source_as_a_cohort_by_capture_date(figures):
    report = _report("sources")
    assert report.by == "source" and report.currency == "EUR"
    _table(
        report.rows,
        (*SOURCE_KEYS, "won_amount", "amount_per_lead"),
        [
            (TRADE, 3, 3, 1.0, 1, 1 / 3, 2, 600_000, 200_000),
            (WEB, 3, 1, 1 / 3, 1, 1 / 3, 1, 100_000, 100_000 / 3),
            (REFERRAL, 2, 2, 1.0, 1, 1 / 2, 2, 200_000, 100_000),
        ],
    )
    _pick(
        report.total,
        {
            "leads": 8,
            "prospects": 6,
            "prospect_rate": 0.75,
            "won_leads": 3,
            "won_rate": 0.375,
            "won_deals": 5,
            "won_amount": 900_000,
            "amount_per_lead": 112_500,
        },
    )
    assert report.notes == [_left_out("EUR", 1, "won deals", "USD")]

    # January's leads are L1–L7: D3 and D6, won in February, still count for them.
    january = _report("sources", JANUARY)
    _table(
        january.rows,
        (*SOURCE_KEYS, "won_amount"),
        [
            (TRADE, 3, 3, 1.0, 1, 1 / 3, 2, 600_000),
            (WEB, 3, 1, 1 / 3, 1, 1 / 3, 1, 100_000),
            (REFERRAL, 1, 1, 1.0, 1, 1.0, 2, 200_000),
        ],
    )
    _pick(january.total, {"leads": 7, "prospects": 5, "won_leads": 3, "won_deals": 5})
    february = _report("sources", FEBRUARY)
    _table(
        february.rows,
        (*SOURCE_KEYS, "won_amount", "amount_per_lead"),
        [(REFERRAL, 1, 1, 1.0, 0, 0.0, 0, 0, 0.0)],
    )
    assert february.notes == []


# ---------------------------------------------------------------------------- winrate

WIN_KEYS = ("closed", "won", "lost", "win_rate", "won_amount", "average", "median")
NO_AMOUNT_WON = "1 won deal has no amount: counted as won, not in the average or median"


def test_winrate_and_deal_size_leave_a_won_deal_with_no_amount_out_of_the_average(figures):
    report = _report("winrate")
    assert report.rows == [] and report.currency == "EUR"
    # Won D1 1,000, D2 6,000, D7 2,000 EUR and D6 with none; D3 in USD is left out.
    _pick(
        report.total,
        _keyed(WIN_KEYS, 8, 5, 3, 0.625, 900_000, 300_000, 200_000),
    )
    assert report.notes == [_left_out("EUR", 2, "closed deals", "USD"), NO_AMOUNT_WON]
    [reasons] = report.parts
    _table(
        reasons.rows,
        ("reason", "lost", "share", "lost_amount"),
        [
            ("Price", "Price", 2, 2 / 3, 200_000),
            ("Lost to competitor", "Lost to competitor", 1, 1 / 3, 0),
        ],
    )
    _pick(reasons.total, {"lost": 3, "share": 1.0, "lost_amount": 200_000})
    assert reasons.notes == []

    by_source = _report("winrate", by="source")
    _table(
        by_source.rows,
        WIN_KEYS,
        [
            (REFERRAL, 3, 2, 1, 2 / 3, 200_000, 200_000, 200_000),
            (TRADE, 4, 2, 2, 0.5, 600_000, 600_000, 600_000),
            (WEB, 1, 1, 0, 1.0, 100_000, 100_000, 100_000),
        ],
    )
    _pick(by_source.total, {"closed": 8, "won": 5, "average": 300_000, "median": 200_000})


def test_winrate_counts_the_deals_closed_in_the_period(figures):
    january = _report("winrate", JANUARY)
    _pick(january.total, _keyed(WIN_KEYS, 5, 3, 2, 0.6, 900_000, 300_000, 200_000))
    assert january.notes == [_left_out("EUR", 1, "closed deals", "USD")]
    # One lost for each reason: the tie goes by name.
    _table(
        january.parts[0].rows,
        ("lost", "share", "lost_amount"),
        [("Lost to competitor", 1, 0.5, 0), ("Price", 1, 0.5, 50_000)],
    )

    # February's wins are D3 (USD, left out) and D6 (no amount): nothing to average.
    february = _report("winrate", FEBRUARY)
    _pick(february.total, _keyed(WIN_KEYS, 3, 2, 1, 2 / 3, 0, None, None))
    assert february.notes == [_left_out("EUR", 1, "closed deals", "USD"), NO_AMOUNT_WON]
    assert format_value(february.total.values["average"], MONEY) == "—"


# ------------------------------------------------------------------------------ cycle

CYCLE_KEYS = ("count", "median_days", "p90_days")


def test_cycle_time_of_each_step_and_stage(figures):
    report = _report("cycle")
    assert report.notes == []
    _table(
        report.rows,
        CYCLE_KEYS,
        [
            ("lead_prospect", 6, 2.5, 7.0),
            ("prospect_opportunity", 6, 1.5, 4.0),
            ("stage:Qualification", 9, 8.0, 20.2),
            ("stage:Needs analysis", 2, 3.0, 3.8),
            ("stage:Proposal", 2, 6.0, 10.0),
            ("opportunity_won", 5, 12.0, 20.6),
            ("lead_won", 5, 21.0, 27.6),
        ],
    )
    # No deal has left Negotiation (D5 is still in it): no row for it.
    assert [r.label for r in report.rows][2:5] == [
        "in Qualification",
        "in Needs analysis",
        "in Proposal",
    ]
    assert format_value(report.rows[2].values["p90_days"], DAYS) == "20.2 d"

    january = _report("cycle", JANUARY)
    _table(
        january.rows,
        CYCLE_KEYS,
        [
            ("lead_prospect", 5, 3.0, 7.6),  # 1 2 3 4 10: L8 was promoted in February
            ("prospect_opportunity", 5, 2.0, 4.2),  # 1 1 2 3 5: D10 opened in February
            ("stage:Qualification", 5, 5.0, 9.2),  # D1 D2 D4 D7 D8 left it in January
            ("stage:Needs analysis", 2, 3.0, 3.8),
            ("stage:Proposal", 2, 6.0, 10.0),
            ("opportunity_won", 3, 10.0, 11.6),  # D1 D2 D7
            ("lead_won", 3, 14.0, 19.6),
        ],
    )


# ------------------------------------------------------------------------------ speed

SPEED_KEYS = ("leads", "reached", "not_reached", "median_hours", "p90_hours", "hour", "day")


def test_speed_to_lead_per_owner_and_source(figures):
    report = _report("speed")
    assert report.by == "owner" and report.notes == []
    _table(
        report.rows,
        SPEED_KEYS,
        [
            (str(figures.alice), 4, 3, 1, 2.0, 38.8, 1 / 3, 2 / 3),
            (str(figures.bob), 4, 4, 0, 11.875, 27.9, 2 / 4, 3 / 4),
        ],
    )
    assert [r.label for r in report.rows] == ["alice", "bob"]
    _pick(report.total, _keyed(SPEED_KEYS, 8, 7, 1, 2.0, 37.2, 3 / 7, 5 / 7))
    assert format_value(report.total.values["p90_hours"], HOURS) == "37.2 h"

    by_source = _report("speed", by="source")
    _table(
        by_source.rows,
        SPEED_KEYS,
        [
            (TRADE, 3, 3, 0, 2.0, 18.8, 1 / 3, 1.0),  # 0.75 2 23
            (WEB, 3, 2, 1, 15.25, 27.05, 0.5, 0.5),  # 0.5 30, L1 not yet
            (REFERRAL, 2, 2, 0, 24.125, 43.225, 0.5, 0.5),  # 0.25 48
        ],
    )
    february = _report("speed", FEBRUARY)
    _table(february.rows, SPEED_KEYS, [(str(figures.bob), 1, 1, 0, 0.25, 0.25, 1.0, 1.0)])


# --------------------------------------------------------------------------- forecast

FORECAST_KEYS = ("deals", "no_amount", "amount", "weighted")
NO_AMOUNT_OPEN = "1 open deal has no amount: counted as deals, adding nothing"


def _weighted(config, *deals: tuple[int, str]) -> float:
    """Cents times the stage's probability, as funnel.toml gives it."""
    chance = {stage.name: stage.probability for stage in config.stages}
    return sum(cents * chance[stage] / 100 for cents, stage in deals)


def test_forecast_by_closing_month_with_overdue_and_undated_rows(figures, config):
    chance = {stage.name: stage.probability for stage in config.stages}
    assert chance == {
        "Qualification": 10,
        NEEDS: 25,
        PROPOSAL: 50,
        NEGOTIATION: 75,
        "Won": 100,
        "Lost": 0,
    }
    report = _report("forecast")
    assert report.by == "month" and report.currency == "EUR"
    weighted = {
        "overdue": _weighted(config, (200_000, NEGOTIATION)),  # D5
        "2026-03": _weighted(config, (1_000_000, PROPOSAL), (0, NEEDS)),  # D9 D12
        "2026-04": _weighted(config, (400_000, "Qualification")),  # D11
        "no close date": _weighted(config, (800_000, "Qualification")),  # D14; D13 in USD
    }
    assert weighted == {
        "overdue": 150_000,
        "2026-03": 500_000,
        "2026-04": 40_000,
        "no close date": 80_000,
    }
    _table(
        report.rows,
        FORECAST_KEYS,
        [
            ("overdue", 1, 0, 200_000, weighted["overdue"]),
            ("2026-03", 2, 1, 1_000_000, weighted["2026-03"]),
            ("2026-04", 1, 0, 400_000, weighted["2026-04"]),
            ("no close date", 2, 0, 800_000, weighted["no close date"]),
        ],
    )
    _pick(
        report.total,
        {
            "deals": 6,
            "no_amount": 1,
            "amount": 2_400_000,
            "weighted": sum(weighted.values()),
            "stage:Qualification": 1_200_000,
            "stage:Needs analysis": 0,
            "stage:Proposal": 1_000_000,
            "stage:Negotiation": 200_000,
        },
    )
    assert [c.key for c in report.columns] == [
        "group",
        *FORECAST_KEYS,
        "stage:Qualification",
        "stage:Needs analysis",
        "stage:Proposal",
        "stage:Negotiation",
    ]
    assert report.notes == [_left_out("EUR", 1, "open deals", "USD"), NO_AMOUNT_OPEN]

    by_source = _report("forecast", by="source")
    _table(
        by_source.rows,
        FORECAST_KEYS,
        [
            # D11 D12 D13 D14: 4,000 + 0 + (USD) + 8,000, in Qualification but D12, D13.
            (REFERRAL, 4, 1, 1_200_000, 120_000),
            # D5 D9: 2,000 in Negotiation, 10,000 in Proposal.
            (TRADE, 2, 0, 1_200_000, 650_000),
        ],
    )


def test_forecast_in_a_period_of_two_months(figures, config):
    # February and March: D9 and D12; D5 closed in January is not in it.
    report = _report("forecast", Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31), UTC))
    _table(
        report.rows,
        FORECAST_KEYS,
        [
            ("2026-02", 0, 0, 0, 0),
            ("2026-03", 2, 1, 1_000_000, _weighted(config, (1_000_000, PROPOSAL))),
        ],
    )
    assert report.total.values["deals"] == 2
    assert report.notes == [
        NO_AMOUNT_OPEN,
        "2 open deals have no close date and so are in no period",
    ]


def test_a_period_of_one_month_or_one_day(figures, config):
    # One bucket only: the month of March for the forecast, January for the win rate by
    # month, January 7 for the activity (bob's note, call and email that day).
    march = _report("forecast", MARCH)
    _table(
        march.rows,
        FORECAST_KEYS,
        [("2026-03", 2, 1, 1_000_000, _weighted(config, (1_000_000, PROPOSAL)))],
    )
    assert march.notes == [
        NO_AMOUNT_OPEN,
        "2 open deals have no close date and so are in no period",
    ]
    by_month = _report("winrate", JANUARY, "month")
    _table(by_month.rows, WIN_KEYS, [("2026-01", 5, 3, 2, 0.6, 900_000, 300_000, 200_000)])
    day = _report("activity", Period(dt.date(2026, 1, 7), dt.date(2026, 1, 7), UTC))
    _table(day.rows, KINDS, [("2026-01-05", 1, 1, 0, 0, 0, 0, 1, 3)])


# ------------------------------------------------------------------- two currencies


def test_amounts_in_usd_leave_the_euros_out(figures):
    sources = _report("sources", currency="USD")
    assert sources.currency == "USD"
    assert [(r.key, r.values["won_amount"]) for r in sources.rows] == [
        (TRADE, 200_000),
        (WEB, 0),
        (REFERRAL, 0),
    ]
    assert sources.total.values["won_deals"] == 5  # counted whatever their currency
    assert sources.notes == [_left_out("USD", 4, "won deals", "EUR")]
    # USD asked of a config reporting in EUR: USD as it is, no euro converted.
    at_rates = _report("sources", config=_rates(), currency="USD")
    assert at_rates.total.values["won_amount"] == 200_000
    assert at_rates.notes == sources.notes

    winrate = _report("winrate", currency="USD")
    assert winrate.currency == "USD"
    _pick(
        winrate.total,
        _keyed(WIN_KEYS, 8, 5, 3, 0.625, 200_000, 200_000, 200_000),
    )
    assert winrate.notes == [_left_out("USD", 6, "closed deals", "EUR"), NO_AMOUNT_WON]
    _table(
        winrate.parts[0].rows,
        ("lost", "lost_amount"),
        [("Price", 2, 0), ("Lost to competitor", 1, 80_000)],
    )

    forecast = _report("forecast", currency="USD")
    _pick(forecast.total, {"deals": 6, "amount": 600_000, "weighted": 300_000})
    _pick(_row(forecast, "no close date"), {"amount": 600_000, "stage:Proposal": 600_000})
    assert forecast.notes == [_left_out("USD", 5, "open deals", "EUR"), NO_AMOUNT_OPEN]


def test_amounts_converted_at_exchange_rates(figures):
    """USD at 0.5 EUR: D3's 2,000 USD won is 1,000 EUR, D8's 800 USD lost is 400 and
    D13's 6,000 USD open in Proposal is 3,000 (1,500 weighted)."""
    config = _rates()
    sources = _report("sources", config=config)
    winrate = _report("winrate", config=config)
    forecast = _report("forecast", config=config)
    assert sources.currency == winrate.currency == forecast.currency == "EUR"
    assert sources.notes == [CONVERTED]
    assert winrate.notes == [CONVERTED, NO_AMOUNT_WON]
    assert forecast.notes == [CONVERTED, NO_AMOUNT_OPEN]
    undated = _row(forecast, "no close date").values
    got = {
        "sources, Trade show": _row(sources, TRADE).values["won_amount"],
        "sources, all": sources.total.values["won_amount"],
        "winrate, won": winrate.total.values["won_amount"],
        "winrate, average": winrate.total.values["average"],  # 1,000 1,000 2,000 6,000
        "winrate, median": winrate.total.values["median"],
        "lost to competitor": winrate.parts[0].rows[1].values["lost_amount"],
        "lost, all": winrate.parts[0].total.values["lost_amount"],
        "forecast, no close date": undated["amount"],
        "forecast, no close date weighted": undated["weighted"],
        "forecast, no close date in Proposal": undated["stage:Proposal"],
        "forecast, all": forecast.total.values["amount"],
        "forecast, all weighted": forecast.total.values["weighted"],
    }
    assert got == pytest.approx(
        {
            "sources, Trade show": 700_000,
            "sources, all": 1_000_000,
            "winrate, won": 1_000_000,
            "winrate, average": 250_000,
            "winrate, median": 150_000,
            "lost to competitor": 40_000,
            "lost, all": 240_000,
            "forecast, no close date": 1_100_000,
            "forecast, no close date weighted": 230_000,
            "forecast, no close date in Proposal": 300_000,
            "forecast, all": 2_700_000,
            "forecast, all weighted": 920_000,
        }
    )


# --------------------------------------------------------------------------- activity

KINDS = ("call", "email", "meeting", "sms", "social", "in_person", "note", "total")
WEEKS = ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"]


def test_activity_by_week_owner_and_month(figures):
    report = _report("activity")
    assert report.by == "week" and report.notes == []
    _table(
        report.rows,
        KINDS,
        [
            ("2026-01-05", 2, 2, 1, 1, 0, 0, 2, 8),
            ("2026-01-12", 1, 0, 1, 0, 0, 0, 0, 2),
            ("2026-01-19", 0, 0, 0, 0, 0, 0, 0, 0),
            ("2026-01-26", 1, 0, 0, 0, 0, 0, 0, 1),
            ("2026-02-02", 1, 1, 0, 0, 0, 1, 0, 3),
        ],
    )
    _pick(report.total, _keyed(KINDS, 5, 3, 2, 1, 0, 1, 2, 14))
    assert report.x_labels == WEEKS
    assert report.series == {"bob": [5, 0, 0, 1, 2], "alice": [3, 2, 0, 0, 1]}
    assert list(report.series) == ["bob", "alice"]  # the busiest first

    by_owner = _report("activity", by="owner")
    _table(
        by_owner.rows,
        (*KINDS, "per_week"),
        [
            # 8 and 6 over five weeks: 1.6 and 1.2 a week
            (str(figures.bob), 3, 3, 0, 1, 0, 0, 1, 8, 1.6),
            (str(figures.alice), 2, 0, 2, 0, 0, 1, 1, 6, 1.2),
        ],
    )
    assert [r.label for r in by_owner.rows] == ["bob", "alice"]
    assert by_owner.total.values["per_week"] == 2.8  # 14 / 5
    by_month = _report("activity", by="month")
    _table(
        by_month.rows,
        KINDS,
        [
            ("2026-01", 4, 2, 2, 1, 0, 0, 2, 11),
            ("2026-02", 1, 1, 0, 0, 0, 1, 0, 3),
        ],
    )
    january = _report("activity", JANUARY)
    # The period's weeks: from the Monday before January 1 to the one before the 31st.
    assert [(r.key, r.values["total"]) for r in january.rows] == [
        ("2025-12-29", 0),
        ("2026-01-05", 8),
        ("2026-01-12", 2),
        ("2026-01-19", 0),
        ("2026-01-26", 1),
    ]
    assert january.series == {"bob": [0, 5, 0, 0, 1], "alice": [0, 3, 2, 0, 0]}


# ---------------------------------------------------------------- records of a figure


def test_figures_open_to_their_records(figures):
    lead, deal = figures.lead, figures.deal
    sources = _report("sources")
    assert _ids(_row(sources, TRADE).drills["won_deals"]) == [deal[2], deal[3]]
    assert _ids(_row(sources, REFERRAL).drills["won_leads"]) == [lead[7]]
    assert _ids(sources.total.drills["prospects"]) == [lead[n] for n in (2, 4, 5, 6, 7, 8)]

    winrate = _report("winrate")
    assert _ids(winrate.total.drills["lost"]) == [deal[4], deal[8], deal[10]]
    assert _ids(winrate.total.drills["won"]) == [deal[n] for n in (1, 2, 3, 6, 7)]
    price = winrate.parts[0].rows[0]
    assert price.key == "Price" and _ids(price.drills["lost"]) == [deal[4], deal[10]]

    cycle = {row.key: row for row in _report("cycle").rows}
    assert _ids(cycle["stage:Needs analysis"].drills["count"]) == [deal[1], deal[8]]
    first_deals = [deal[n] for n in (1, 2, 4, 6, 8, 10)]
    assert _ids(cycle["prospect_opportunity"].drills["count"]) == first_deals

    speed = _report("speed")
    assert _ids(speed.total.drills["not_reached"]) == [lead[1]]
    assert _ids(_row(speed, str(figures.bob)).drills["hour"]) == [lead[5], lead[8]]
    assert _ids(_row(speed, str(figures.alice)).drills["day"]) == [lead[2], lead[4]]

    forecast = _report("forecast")
    assert _ids(_row(forecast, "overdue").drills["deals"]) == [deal[5]]
    assert _ids(_row(forecast, "no close date").drills["deals"]) == [deal[13], deal[14]]
    assert _ids(forecast.total.drills["no_amount"]) == [deal[12]]
    assert _ids(forecast.total.drills["stage:Qualification"]) == [deal[11], deal[14]]

    activity = _report("activity", by="owner")
    emails = records(_row(activity, str(figures.bob)).drills["email"])
    assert [(r.entity, r.id, r.label, r.when) for r in emails] == [
        ("lead", lead[3], "email · Person 3", dt.datetime(2026, 1, 7, 15, 0)),
        ("lead", lead[7], "email · Person 7", dt.datetime(2026, 1, 10, 9, 0)),
        ("opportunity", deal[5], "email · Person 5", dt.datetime(2026, 2, 3, 10, 0)),
    ]
    week = records(_row(_report("activity"), "2026-01-12").drills["total"])
    assert [(r.entity, r.id, r.label) for r in week] == [
        ("opportunity", deal[1], "call · Person 2"),
        ("opportunity", deal[2], "meeting · Person 4"),
    ]


# ----------------------------------------------------------------- nothing to report


def _check_nothing(period: Period, label: str, forecast_months: list[str], undated: int):
    """Every report of `period`, in which nothing happened: zeros, no rates or medians,
    a note saying so, and no exception."""
    sources = _report("sources", period)
    assert sources.rows == [] and sources.notes == [f"no lead was captured {label}"]
    _pick(
        sources.total,
        {
            "leads": 0,
            "prospects": 0,
            "prospect_rate": None,
            "won_leads": 0,
            "won_rate": None,
            "won_deals": 0,
            "won_amount": 0,
            "amount_per_lead": None,
        },
    )

    winrate = _report("winrate", period, "source")
    assert winrate.rows == [] and winrate.notes == [f"no deal was won or lost {label}"]
    _pick(winrate.total, _keyed(WIN_KEYS, 0, 0, 0, None, 0, None, None))
    [reasons] = winrate.parts
    assert reasons.rows == [] and reasons.notes == [f"no deal was lost {label}"]
    _pick(reasons.total, {"lost": 0, "share": None, "lost_amount": 0})
    assert format_value(winrate.total.values["win_rate"], RATE) == "—"

    cycle = _report("cycle", period)
    assert cycle.notes == [f"nothing moved on {label}"]
    _table(
        cycle.rows,
        CYCLE_KEYS,
        [
            (key, 0, None, None)
            for key in ("lead_prospect", "prospect_opportunity", "opportunity_won", "lead_won")
        ],
    )
    assert format_value(cycle.rows[0].values["median_days"], DAYS) == "—"

    speed = _report("speed", period)
    assert speed.rows == [] and speed.notes == [f"no lead was captured {label}"]
    _pick(speed.total, _keyed(SPEED_KEYS, 0, 0, 0, None, None, None, None))

    forecast = _report("forecast", period)
    zeros = {"deals": 0, "no_amount": 0, "amount": 0, "weighted": 0, "stage:Proposal": 0}
    assert [row.key for row in forecast.rows] == forecast_months
    for row in forecast.all_rows():
        _pick(row, zeros)
    closing = "" if label == "all time" else f" closing {label}"
    undated_note = [f"{undated} open deals have no close date and so are in no period"]
    assert forecast.notes == [f"no open deal{closing}", *(undated_note if undated else [])]

    activity = _report("activity", period)
    assert activity.notes == [f"no activity was logged {label}"]
    assert all(row.values["total"] == 0 for row in activity.all_rows())
    assert activity.series == {}
    return activity


def test_an_empty_period_gives_zeros_and_no_rates(figures):
    activity = _check_nothing(EMPTY, EMPTY_LABEL, ["2025-01", "2025-02"], undated=2)
    # The period's weeks are still there, each with nothing in it.
    mondays = [dt.date(2024, 12, 30) + dt.timedelta(weeks=n) for n in range(9)]
    assert [row.key for row in activity.rows] == [str(monday) for monday in mondays]
    assert mondays[-1] == dt.date(2025, 2, 24)


def test_an_empty_database_gives_zeros_and_no_rates(db):
    # Without a period, the forecast shows today's month (March), with nothing in it.
    activity = _check_nothing(ALL_TIME, "all time", ["2026-03"], undated=0)
    assert activity.rows == [] and activity.x_labels == []
    assert activity.total.values["per_week"] is None
    _check_nothing(EMPTY, EMPTY_LABEL, ["2025-01", "2025-02"], undated=0)
    by_owner = _report("activity", EMPTY, "owner")
    assert by_owner.rows == [] and by_owner.total.values["per_week"] == 0


# ------------------------------------------------------------------- the command line


def test_report_command_csv_and_json_keep_their_keys(db_target, cli_env, request):
    if not db_target.endswith(".db"):
        pytest.skip("the command runs on the SQLite file")
    request.getfixturevalue("figures")
    env = {**cli_env, "TZ": "UTC"}

    def run(name: str, *args: str) -> str:
        command = [sys.executable, "-m", "funnel_tui", "report", name, "--db", db_target]
        done = subprocess.run([*command, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run("sources", "--format", "csv").splitlines() == [
        "group,leads,prospects,prospect_rate,won_leads,won_rate,won_deals,won_amount,"
        "amount_per_lead",
        "Trade show,3,3,1.0,1,0.3333,2,6000.0,2000.0",
        "Web form,3,1,0.3333,1,0.3333,1,1000.0,333.33",
        "Referral,2,2,1.0,1,0.5,2,2000.0,1000.0",
        "all,8,6,0.75,3,0.375,5,9000.0,1125.0",
    ]
    # The win rate's table, then after a blank line its loss reasons.
    assert run("winrate", "--format", "csv").splitlines() == [
        "group,closed,won,lost,win_rate,won_amount,average,median",
        "all,8,5,3,0.625,9000.0,3000.0,2000.0",
        "",
        "reason,lost,share,lost_amount",
        "Price,2,0.6667,2000.0",
        "Lost to competitor,1,0.3333,0.0",
        "all,3,1.0,2000.0",
    ]
    winrate = json.loads(run("winrate", "--format", "json", "--currency", "usd"))
    assert list(winrate) == [
        "report",
        "title",
        "from",
        "to",
        "by",
        "currency",
        "columns",
        "rows",
        "total",
        "parts",
        "notes",
    ]
    assert list(winrate["parts"]) == ["loss_reasons"]
    assert list(winrate["parts"]["loss_reasons"]) == ["columns", "rows", "total"]
    assert winrate["currency"] == "USD" and winrate["total"]["won_amount"] == 2000.0
    assert list(winrate["total"]) == ["group", *WIN_KEYS]
    activity = json.loads(run("activity", "--format", "json", "--to", "2026-01-31"))
    assert list(activity) == [*list(winrate), "weeks", "series"]
    assert activity["by"] == "week" and activity["weeks"] == WEEKS[:4]
    assert activity["series"] == {"bob": [5, 0, 0, 1], "alice": [3, 2, 0, 0]}
    assert activity["total"]["total"] == 11 and activity["parts"] == {}
    table = run("winrate", "--from", "2025-01-01", "--to", "2025-01-31")
    assert "—" in table and "note: no deal was won or lost 2025-01-01 – 2025-01-31" in table
