"""The read layer's human text in the user's language: report titles, column headings,
explanations and notes, and the Today queue's section titles. The figures, the column
keys and the rows scripts read stay the same in every language."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.i18n import use_language
from funnel_tui.read.reports import Period, Request
from funnel_tui.read.reports import run_report as _run
from funnel_tui.read.reports.base import plain_value
from funnel_tui.read.today import DUE_TODAY, OVERDUE, UNSCHEDULED, section_title
from funnel_tui.rules.funnel import Funnel

EMPTY = Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31), dt.UTC)


@pytest.fixture
def two_leads(db, config):
    rules = Funnel(config, "alice", clock=lambda: dt.datetime(2026, 1, 10, 12, 0))
    for n, source in enumerate(("Web form", "Trade show"), 1):
        data = {
            "name": f"Person {n}",
            "phone": f"51234567{n}",
            "email": f"person{n}@example.pl",
            "country": "PL",
            "source": source,
        }
        rules.capture_lead(data)


def _report(name, period=None, by=None):
    period = period or Period(None, None, dt.UTC)
    return _run(name, Request(period, by, load_config(), dt.date(2026, 3, 1)))


def _machine(report):
    """What --format json/csv is made of: keys and plain values. A source's name is
    read as the rep reads it ("Messe" for the default "Trade show"); scripts never see
    that, as a command asked for JSON or CSV runs in English (cli.run_command)."""
    return [c.key for c in report.columns], [
        {
            c.key: plain_value(row.values.get(c.key), c.kind)
            for c in report.columns
            if c.key != "group"
        }
        for row in report.all_rows()
    ]


def test_report_headings_and_notes_translate_and_its_rows_do_not(two_leads):
    english = _report("conversion", by="source")
    assert english.title == "Funnel conversion"
    assert [c.label for c in english.columns][1:3] == ["captured", "worked"]
    with use_language("de"):
        german = _report("conversion", by="source")
        empty = _report("conversion", EMPTY)
    assert german.title == "Konversion im Trichter"
    headings = [c.label for c in german.columns]
    assert headings[1:3] == ["erfasst", "Bearbeitet"] and "Bearbeitet %" in headings
    assert "im Zeitraum erfasste Leads" in [c.help for c in german.columns]
    assert empty.notes[0].startswith("kein Lead erfasst: ")
    assert _machine(german) == _machine(english)


def test_source_attribution_in_traditional_chinese(two_leads):
    english = _report("sources", by="source")
    with use_language("zh_TW"):
        chinese = _report("sources", by="source")
        everything = Period(None, None, dt.UTC).label()
    assert chinese.title == "來源成效"
    assert [c.label for c in chinese.columns][1:3] == ["潛在客戶", "準客戶"]
    assert everything == "全部期間"
    assert _machine(chinese) == _machine(english)
    # The shipped sources read in the rep's words; the row keys stay the stored names.
    assert [row.label for row in chinese.rows] == ["展覽", "網站表單"]
    assert [row.key for row in chinese.rows] == [row.key for row in english.rows]


def test_the_period_reads_in_the_users_words():
    period = Period(dt.date(2026, 3, 1), None, dt.UTC)
    assert period.label() == "since 2026-03-01"
    with use_language("pl"):
        assert period.label().startswith("od ")


def test_todays_sections_in_polish():
    assert section_title(OVERDUE) == "Overdue"
    with use_language("pl"):
        titles = [section_title(name) for name in (OVERDUE, DUE_TODAY, UNSCHEDULED)]
    assert titles == ["Zaległe", "Na dziś", "Bez terminu"]
    assert section_title(DUE_TODAY) == "Due today"


def test_win_rate_and_speed_headings_in_german(two_leads):
    english = [_report(name) for name in ("winrate", "speed")]
    with use_language("de"):
        german = [_report(name) for name in ("winrate", "speed")]
    assert german[0].title == "Abschlussquote und Auftragsgröße"
    assert german[0].parts[0].title == "Verlustgründe"
    assert german[1].title == "Reaktionszeit"
    assert "erreicht" in [c.label.lower() for c in german[1].columns]
    assert [_machine(r) for r in german] == [_machine(r) for r in english]


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Gesamt"), ("pl", "Razem"), ("zh_TW", "全部"), ("zh_CN", "全部")]
)
def test_the_total_row_and_its_records_are_named_in_the_reps_words(two_leads, language, word):
    from funnel_tui.read.reports.base import ALL, shown_cell

    with use_language(language):
        for name, by in (("conversion", "source"), ("speed", "source"), ("activity", "owner")):
            report = _report(name, by=by)
            group = report.columns[0]
            assert report.total.values[group.key] == ALL  # what JSON and CSV write
            assert shown_cell(report.total, group) == word, name
            titles = [drill.title for drill in report.total.drills.values()]
            assert titles and all(title.endswith(word) for title in titles), titles
            assert all(shown_cell(row, group) != word for row in report.rows)
