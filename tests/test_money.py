"""Amounts read as the rep's locale writes them, ISO 4217 currencies with their minor
units, and a deal's fields edited after conversion (version check, history, undo), on
SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.currencies import ISO_4217, MINOR_UNITS, from_babel
from funnel_tui.core.errors import AmountError, ConfigError, Refused, StaleEdit
from funnel_tui.core.money import (
    add_amounts,
    convert,
    exact_figure,
    exact_money,
    format_amount,
    parse_amount,
    rates_into,
    weighted,
)
from funnel_tui.core.user_locale import user_locale
from funnel_tui.read.history import history_entries
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import describe
from funnel_tui.storage.models import History, Lead, Opportunity

# ------------------------------------------------------------------ reading amounts


@pytest.mark.parametrize(
    ("typed", "currency", "locale", "cents"),
    [
        # The misreadings of the issue: commas deleted, EUR 1.25 and PLN 125.00 saved.
        ("1.250,50", "EUR", "de_DE", 125050),
        ("12,5", "PLN", "pl_PL", 1250),
        # Unambiguous forms pass in any locale.
        ("1.250,50", "EUR", "en_US", 125050),
        ("1,250.50", "EUR", "de_DE", 125050),
        ("1250.50", "EUR", "de_DE", 125050),
        ("1 250,50", "EUR", "de_DE", 125050),
        ("1\u00a0250,50", "PLN", "pl_PL", 125050),  # as Polish grouping prints it
        ("12,5", "PLN", "en_US", 1250),
        ("1.250.000", "EUR", "en_US", 125_000_000),
        ("1,250,000", "EUR", "de_DE", 125_000_000),
        ("0,250", "EUR", "en_US", 25),
        ("１２５０", "TWD", "zh_TW", 125000),  # full-width digits from a CJK input method
        ("1'250.50", "CHF", "de_CH", 125050),
        # "1.250" and "1,250" as the locale groups.
        ("1.250", "EUR", "de_DE", 125000),
        ("1,250", "USD", "en_US", 125000),
        ("1,250", "JPY", "en_US", 125000),
        (1250.5, "EUR", "en_US", 125050),
        ("2.5E3", "EUR", "en_US", 250000),
    ],
)
def test_amounts_read_as_written(typed, currency, locale, cents):
    assert parse_amount(typed, currency, locale) == cents


@pytest.mark.parametrize(
    ("typed", "currency", "locale", "words"),
    [
        ("1,250", "EUR", "de_DE", "'1,250' could be 1250 or 1,25"),
        ("1.250", "EUR", "en_US", "'1.250' could be 1250 or 1.25"),
        ("1.250", "PLN", "pl_PL", "'1.250' could be 1250 or 1,25"),  # pl groups with spaces
        ("1,255", "EUR", "de_DE", "'1,255' could be 1255, or 1,255"),
        ("1.250", "JPY", "en_US", "'1.250' could be 1250, or 1.25"),
    ],
)
def test_an_amount_read_two_ways_is_refused_with_both_readings(typed, currency, locale, words):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency, locale)
    assert refused.value.code == "ambiguous"
    assert refused.value.message.startswith(words)


@pytest.mark.parametrize(
    ("typed", "currency", "code"),
    [
        ("1250.5", "JPY", "decimals"),  # yen have no minor units
        ("0.125", "KWD", "decimals"),  # funnel keeps two of KWD's three
        ("12.3456", "KWD", "decimals"),
        ("1.250.50", "EUR", "invalid"),
        ("12 50", "EUR", "invalid"),
        ("1,250.50.3", "EUR", "invalid"),
        ("lots", "EUR", "invalid"),
        ("-5", "EUR", "negative"),
    ],
)
def test_what_is_not_an_amount_of_that_currency_is_refused(typed, currency, code):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency, "en_US")
    assert refused.value.code == code


def test_each_currency_keeps_its_own_minor_units():
    assert parse_amount("1250", "JPY", "ja_JP") == 125000
    assert parse_amount("1250.00", "JPY", "en") == 125000  # no decimal lost
    assert parse_amount("12.35", "KWD", "en") == 1235
    assert exact_money(125000, "JPY") == "JPY 1,250"
    assert exact_money(1235, "KWD") == "KWD 12.350"
    assert exact_money(125050, "EUR") == "EUR 1,250.50"


def test_read_back_is_in_the_reps_format():
    assert format_amount(125050, "EUR", "de_DE") == "EUR 1.250,50"
    assert format_amount(125050, "PLN", "pl_PL") == "PLN 1\u00a0250,50"
    assert format_amount(125050, "USD", "en_US") == "USD 1,250.50"
    assert format_amount(125000, "JPY", "ja_JP") == "JPY 1,250"


def test_the_locale_is_the_configs_else_the_environments():
    assert user_locale("de_DE", {"LANG": "pl_PL.UTF-8"}) == "de_DE"
    assert user_locale("", {"LANG": "pl_PL.UTF-8"}) == "pl_PL"
    assert user_locale("", {"LC_NUMERIC": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}) == "de_DE"
    assert user_locale("", {"LC_ALL": "C", "LANG": "de_DE.UTF-8"}) == "en"
    assert user_locale("", {"LANG": "POSIX"}) == "en"
    assert user_locale("", {}) == "en"


def test_a_locale_funnel_does_not_know_is_refused_in_the_config(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text('locale = "xx_YY"\n')
    with pytest.raises(ConfigError, match='line 1: locale must be a locale such as "de_DE"'):
        load_config(str(path))
    path.write_text('locale = "pl_PL"\ndefault_currency = "XYZ"\n')
    with pytest.raises(ConfigError, match="line 2: default_currency must be an ISO 4217"):
        load_config(str(path))
    path.write_text('locale = "pl_PL"\n')
    assert load_config(str(path)).locale == "pl_PL"


def test_the_currency_table_is_babels():
    codes, digits = from_babel()
    assert codes == ISO_4217, sorted(codes ^ ISO_4217)
    assert digits == MINOR_UNITS, sorted(digits.items())
    assert {"EUR", "PLN", "USD", "TWD", "CNY", "MXN", "JPY", "KWD"} <= ISO_4217
    assert not {"XYZ", "DEM", "XXX", "XAU"} & ISO_4217


# ------------------------------------------------------------------ on the database

ANNA = {
    "name": "Anna Kowalska",
    "company": "Kowalski Logistyka",
    "phone": "512 345 678",
    "email": "anna@kowalski.pl",
    "country": "PL",
    "source": "trade show",
}


def _rules_in(config, clock, locale: str, user: str = "alice") -> Funnel:
    return Funnel(dataclasses.replace(config, locale=locale), user, clock)


def _deal(rules: Funnel, **convert) -> Opportunity:
    lead = rules.capture_lead(ANNA)
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    return rules.convert(lead.id, **{"amount": "1000", **convert})


def test_convert_reads_amounts_in_the_users_locale(db, config, clock):
    german = _rules_in(config, clock, "de_DE")
    opp = _deal(german, amount="1.250,50", currency="EUR")
    assert Opportunity.get_by_id(opp.id).amount_cents == 125050


def test_convert_refuses_what_is_ambiguous_or_not_iso_and_writes_nothing(db, config, clock):
    german = _rules_in(config, clock, "de_DE")
    with pytest.raises(Refused) as refused:
        _deal(german, amount="1,250", currency="XYZ")
    problems = {p.field: p for p in refused.value.problems}
    assert problems["currency"].message == "XYZ is not an ISO 4217 currency in use"
    assert problems["amount"].code == "ambiguous"
    assert Opportunity.select().count() == 0


def test_a_deals_fields_are_edited_with_history(db, config, clock):
    polish = _rules_in(config, clock, "pl_PL")
    opp = _deal(polish, amount="1000", currency="EUR", name="Fleet")
    close = clock.now.date() + dt.timedelta(days=14)
    edited = polish.update_deal(
        opp.id,
        {"name": "Fleet 2027", "amount": "12,5", "currency": "PLN", "close": close,
         "notes": "budget from Q1"},
        expected_version=opp.version,
    )  # fmt: skip
    stored = Opportunity.get_by_id(opp.id)
    assert (stored.name, stored.amount_cents, stored.currency) == ("Fleet 2027", 1250, "PLN")
    assert (stored.expected_close, stored.notes) == (close, "budget from Q1")
    assert edited.version == opp.version + 1
    rows = History.select().where((History.entity == "opportunity") & (History.action == "update"))
    assert {r.field for r in rows} == {
        "name",
        "amount_cents",
        "currency",
        "expected_close",
        "notes",
    }
    words = {
        line.head: line.body for line in describe(history_entries(opportunity_id=opp.id), config)
    }
    assert words["Amount"] == "EUR 1,000.00 → PLN 12.50"
    assert words["Currency"] == "EUR → PLN"


def test_a_deal_edit_merges_with_others_and_refuses_a_clash(db, config, clock):
    alice = _rules_in(config, clock, "en_US")
    bob = _rules_in(config, clock, "en_US", "bob")
    opp = _deal(alice, amount="1000")
    seen = opp.version
    bob.move(opp.id, "Proposal")
    bob.update_deal(opp.id, {"notes": "bob's note"})
    # Another field: saved over bob's changes.
    alice.update_deal(opp.id, {"amount": "2000"}, expected_version=seen)
    stored = Opportunity.get_by_id(opp.id)
    assert (stored.amount_cents, stored.notes, stored.stage) == (200000, "bob's note", "Proposal")
    # The same field: refused, naming who changed it.
    with pytest.raises(StaleEdit) as stale:
        alice.update_deal(opp.id, {"notes": "mine"}, expected_version=seen)
    assert tuple(stale.value.fields) == ("notes",)
    assert any(c["user"] == "bob" and c["field"] == "notes" for c in stale.value.changes)
    assert Opportunity.get_by_id(opp.id).notes == "bob's note"


def test_undo_takes_a_deal_edit_back_and_is_refused_over_others_work(db, config, clock):
    alice = _rules_in(config, clock, "en_US")
    bob = _rules_in(config, clock, "en_US", "bob")
    opp = _deal(alice, amount="1000", currency="EUR")
    clock.advance(minutes=1)
    alice.update_deal(opp.id, {"amount": "1500", "currency": "USD"})
    undone = alice.undo_last("opportunity", opp.id)
    stored = Opportunity.get_by_id(opp.id)
    assert (stored.amount_cents, stored.currency) == (100000, "EUR")
    assert "amount back to EUR 1,000.00" in undone.summary()
    clock.advance(minutes=1)
    alice.update_deal(opp.id, {"name": "Mine"})
    clock.advance(minutes=1)
    bob.update_deal(opp.id, {"name": "Bob's"})
    with pytest.raises(Refused, match="bob changed the name of opportunity"):
        alice.undo_last("opportunity", opp.id)
    assert Opportunity.get_by_id(opp.id).name == "Bob's"


def test_a_deal_edit_refuses_bad_values_and_writes_nothing(db, config, clock):
    rules = _rules_in(config, clock, "en_US")
    opp = _deal(rules, amount="12.50", currency="EUR")
    cases = [
        ({"currency": "JPY"}, "amount", "EUR 12.50 has no form in JPY"),
        ({"currency": "XYZ"}, "currency", "XYZ is not an ISO 4217"),
        ({"amount": "1.250"}, "amount", "could be 1250 or 1.25"),
        ({"name": ""}, "name", "a deal needs a name"),
        ({"close": clock.now.date() - dt.timedelta(days=1)}, "close", "is in the past"),
    ]
    for data, field, words in cases:
        with pytest.raises(Refused) as refused:
            rules.update_deal(opp.id, data)
        [problem] = refused.value.problems
        assert problem.field == field and words in problem.message
    assert Opportunity.get_by_id(opp.id).version == opp.version
    past = clock.now.date() - dt.timedelta(days=1)
    rules.update_deal(opp.id, {"close": past}, allow_past_close=True)
    assert Opportunity.get_by_id(opp.id).expected_close == past
    assert Lead.select().count() == 1


def test_totals_convert_only_at_the_rates_the_caller_gives():
    amounts = add_amounts([{"EUR": 1000, "USD": 500}, {"USD": 500, "PLN": 300}])
    assert amounts == {"EUR": 1000, "USD": 1000, "PLN": 300}
    converted = convert(amounts, "EUR", {"USD": 0.9})
    assert converted.total == 1900 and converted.unconverted == {"PLN": 300}
    assert convert({"PLN": 300}, "EUR", {}).total is None
    assert weighted(12550, 40) == 5020
    # The configured rates are into the report currency: none serves another currency.
    assert rates_into("EUR", "EUR", {"USD": 0.9}) == {"EUR": 1.0, "USD": 0.9}
    assert rates_into("USD", "EUR", {"USD": 0.9}) == {"USD": 1.0}


def test_an_amount_without_its_currency_shows_the_two_decimals_funnel_keeps():
    assert exact_figure(125050) == "1,250.50" and exact_figure(-5) == "-0.05"
    assert exact_money(125000, "JPY") == "JPY 1,250"
