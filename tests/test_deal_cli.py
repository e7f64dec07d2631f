"""Amounts and deals on the command line: `convert --amount` read in the user's locale
and printed back, and `funnel deal update`."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from .test_cli import run


@pytest.fixture
def prospect(cli_env):
    """Lead #1, a prospect, in an environment with no locale of its own, read in English
    (LANGUAGE): the tests give LANG a German or Polish locale for its numbers alone."""
    for name in ("LC_ALL", "LC_NUMERIC", "LANG"):
        cli_env.pop(name, None)
    cli_env["LANGUAGE"] = "en"
    run(["add", "--name", "Łucja Kowalska", "--email", "lucja@kowalski.pl"], cli_env)
    answers = ("--need", "yes", "--budget", "yes", "--authority", "yes", "--timeline", "yes")
    run(["qualify", "1", *answers], cli_env)
    run(["promote", "1"], cli_env)
    return cli_env


def _deal(env) -> dict:
    return json.loads(run(["show", "1", "--format", "json"], env).stdout)["opportunities"][0]


def test_a_german_amount_is_not_read_as_one_euro_twenty_five(prospect):
    german = {**prospect, "LANG": "de_DE.UTF-8"}
    saved = run(["convert", "1", "--amount", "1.250,50", "--currency", "EUR"], german)
    assert _deal(prospect)["amount"] == 1250.50  # was 1.25
    assert saved.stdout.strip().endswith("in Qualification: EUR 1.250,50")


def test_a_polish_decimal_comma_is_not_read_as_a_thousands_comma(prospect):
    polish = {**prospect, "LC_ALL": "pl_PL.UTF-8"}
    saved = run(["convert", "1", "--amount", "12,5", "--currency", "PLN"], polish)
    assert _deal(prospect)["amount"] == 12.50  # was 125.00
    assert saved.stdout.strip().endswith(": PLN 12,50")


def test_an_amount_read_two_ways_is_refused_with_both(prospect):
    german = {**prospect, "LANG": "de_DE.UTF-8"}
    refused = run(["convert", "1", "--amount", "1,250"], german, 1)
    assert refused.stderr == "funnel: amount: '1,250' could be 1250 or 1,25: type one of those\n"
    assert (
        json.loads(run(["show", "1", "--format", "json"], prospect).stdout)["opportunities"] == []
    )


def test_a_currency_not_in_iso_4217_is_refused(prospect):
    refused = run(["convert", "1", "--amount", "100", "--currency", "XYZ"], prospect, 1)
    assert refused.stderr == "funnel: currency: XYZ is not an ISO 4217 currency in use\n"
    refused = run(["convert", "1", "--amount", "1250.5", "--currency", "JPY"], prospect, 1)
    assert "JPY has no minor units" in refused.stderr


def test_deal_update_changes_fields_prints_them_back_and_undo_takes_them_back(prospect):
    run(["convert", "1", "--amount", "1000", "--currency", "EUR", "--name", "Fleet"], prospect)
    polish = {**prospect, "LANG": "pl_PL.UTF-8"}
    args = ["deal", "update", "1", "--amount", "1 250,5", "--currency", "PLN", "--close", "+2w"]
    saved = run([*args, "--name", "Fleet 2027", "--notes", "from Q1"], polish)
    close = json.loads(run(["show", "1", "--format", "json"], prospect).stdout)
    assert saved.stdout.splitlines()[0] == "updated opportunity #1 Fleet 2027 (version 2)"
    when = close["opportunities"][0]["expected_close"]
    assert saved.stdout.splitlines()[1] == f"  PLN 1\u00a0250,50 · closing {when}"
    # +2w from the user's today: the day the command ran, wherever the clock is.
    assert 13 <= (dt.date.fromisoformat(when) - dt.date.today()).days <= 15
    deal = _deal(prospect)
    assert (deal["name"], deal["amount"], deal["currency"]) == ("Fleet 2027", 1250.50, "PLN")
    history = run(["history", "1", "--opportunity"], prospect).stdout
    assert "Amount: EUR 1,000.00 → PLN 1,250.50" in history
    undone = run(["undo", "1", "--opportunity"], prospect).stdout
    assert undone.startswith("Undone: your edit of opportunity #1")
    deal = _deal(prospect)
    assert (deal["name"], deal["amount"], deal["currency"]) == ("Fleet", 1000.0, "EUR")


def test_deal_update_as_json_and_its_refusals(prospect):
    run(["convert", "1", "--amount", "1000"], prospect)
    shown = json.loads(
        run(["deal", "update", "1", "--notes", "x", "--format", "json"], prospect).stdout
    )
    assert {k: shown[k] for k in ("id", "version", "amount", "currency", "notes")} == {
        "id": 1,
        "version": 2,
        "amount": 1000.0,
        "currency": "EUR",
        "notes": "x",
    }
    stale = run(["deal", "update", "1", "--notes", "y", "--expect-version", "1"], prospect, 1)
    assert "notes" in stale.stderr
    assert run(["deal", "update", "1", "--currency", "XYZ"], prospect, 1).stderr.startswith(
        "funnel: currency: XYZ"
    )
    bad_date = run(["deal", "update", "1", "--close", "someday"], prospect, 1)
    assert bad_date.stderr.startswith("funnel: close: 'someday' is not a date")
    assert run(["deal", "update", "1"], prospect, 1).stderr.startswith("funnel: nothing to change")
    assert run(["deal", "update", "9", "--notes", "z"], prospect, 1).returncode == 1
    assert run(["deal", "update"], prospect, 2).returncode == 2
    assert _deal(prospect)["currency"] == "EUR"
