"""Companies as accounts: the Companies list (search, sorts, customers and prospects,
pages), the company record, a company's fields edited with the version check and undone,
and `funnel company list/show/update`, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from funnel_tui.cli import main
from funnel_tui.core.errors import Refused, StaleEdit
from funnel_tui.read.companies import CompanyQuery, company_count, company_page, company_record
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.models import Company, Lead, database


def _person(rules: Funnel, name: str, company: str, email: str = "") -> Lead:
    email = email or name.lower().replace(" ", ".") + "@example.com"
    return rules.capture_lead({"name": name, "company": company, "email": email})


def _deal(rules: Funnel, lead: Lead, amount: str, currency: str = "EUR"):
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    return rules.convert(lead.id, amount=amount, currency=currency)


def _company(name: str) -> Company:
    return Company.get(Company.name == name)


@pytest.fixture
def accounts(rules):
    """Acme (a customer: one won EUR deal, one open USD deal, three people), Globex (a
    prospect: an open EUR deal, one person), Initech (nobody's deal, two people)."""
    anna = _person(rules, "Anna Nowak", "Acme")
    ben = _person(rules, "Ben Ode", "Acme")
    _person(rules, "Cora Diaz", "Acme")
    won = _deal(rules, anna, "1000", "EUR")
    rules.win(won.id)
    _deal(rules, ben, "500", "USD")
    gina = _person(rules, "Gina Glo", "Globex")
    _deal(rules, gina, "800", "EUR")
    _person(rules, "Ian Tech", "Initech")
    _person(rules, "Ivy Tech", "Initech")
    rules.log_activity(lead_id=gina.id, kind="call", outcome="reached")
    return rules


def _names(query: CompanyQuery, offset: int = 0, limit: int = 50) -> list[str]:
    return [row["name"] for row in company_page(query, offset, limit)]


def test_the_list_sorts_by_name_pipeline_won_people_and_activity(accounts, config):
    q = CompanyQuery.from_config
    assert _names(q(config)) == ["Acme", "Globex", "Initech"]
    assert _names(q(config, sort="name", descending=True)) == ["Initech", "Globex", "Acme"]
    # EUR is the default currency and no rate is configured: Acme's USD 500 ranks after
    # Globex's EUR 800, ahead of Initech's nothing.
    assert _names(q(config, sort="pipeline")) == ["Globex", "Acme", "Initech"]
    assert _names(q(config, sort="won")) == ["Acme", "Globex", "Initech"]
    assert _names(q(config, sort="people")) == ["Acme", "Initech", "Globex"]
    assert _names(q(config, sort="activity"))[0] == "Globex"
    assert company_count(q(config)) == 3


def test_a_sort_across_currencies_converts_with_the_configured_rates(accounts, config):
    rated = dataclasses.replace(config, report_currency="EUR", exchange_rates={"USD": 2.0})
    # USD 500 at 2.0 is EUR 1000, more than Globex's EUR 800.
    assert _names(CompanyQuery.from_config(rated, sort="pipeline")) == [
        "Acme",
        "Globex",
        "Initech",
    ]
    row = company_page(CompanyQuery.from_config(rated, sort="pipeline"), 0, 1)[0]
    assert row["open"] == {"USD": 50000}  # shown per currency, never converted
    assert row["won"] == {"EUR": 100000} and row["customer"] is True


def test_customers_prospects_search_and_pages(accounts, config):
    q = CompanyQuery.from_config
    assert _names(q(config, kind="customers")) == ["Acme"]
    assert _names(q(config, kind="prospects")) == ["Globex", "Initech"]
    assert company_count(q(config, kind="prospects")) == 2
    assert _names(q(config, text="GLO")) == ["Globex"]
    assert _names(q(config, text="%")) == []  # typed text is data, not a pattern
    assert _names(q(config), offset=1, limit=1) == ["Globex"]
    assert _names(q(config), offset=3) == []


def test_a_search_folds_names_as_the_lead_list_does(rules, config):
    _person(rules, "Jürgen Weiß", "Müller Maschinenbau")
    _person(rules, "陳美玲", "台灣精密股份有限公司")
    q = CompanyQuery.from_config
    assert _names(q(config, text="muller")) == ["Müller Maschinenbau"]
    assert _names(q(config, text="MÜLLER masch")) == ["Müller Maschinenbau"]
    assert _names(q(config, text="台湾精密")) == ["台灣精密股份有限公司"]  # simplified
    assert company_count(q(config, text="muller")) == 1


def test_merged_companies_and_leads_are_never_listed_or_counted(accounts, config):
    acme, initech = _company("Acme"), _company("Initech")
    Company.update(merged_into=acme.id).where(Company.id == initech.id).execute()
    cora = Lead.get(Lead.name == "Cora Diaz")
    Lead.update(merged_into=Lead.get(Lead.name == "Anna Nowak").id).where(
        Lead.id == cora.id
    ).execute()
    q = CompanyQuery.from_config(config)
    assert _names(q) == ["Acme", "Globex"] and company_count(q) == 2
    assert company_page(q, 0, 1)[0]["people"] == 2
    record = company_record(acme.id)
    assert [p["name"] for p in record.people] == ["Anna Nowak", "Ben Ode"]


def test_the_record_has_people_deals_totals_activities_and_customer_facts(accounts, clock):
    record = company_record(_company("Acme").id)
    assert [(p["name"], p["status"], p["level"], p["owner"]) for p in record.people] == [
        ("Anna Nowak", "new", "customer", "alice"),
        ("Ben Ode", "new", "opportunity", "alice"),
        ("Cora Diaz", "new", "lead", "alice"),
    ]
    assert [(d["state"], d["currency"]) for d in record.deals] == [("open", "USD"), ("won", "EUR")]
    assert record.totals == {"open": {"USD": 50000}, "won": {"EUR": 100000}}
    assert record.customer and record.lifetime_won == {"EUR": 100000}
    assert record.first_won == clock.now
    globex = company_record(_company("Globex").id)
    assert not globex.customer and globex.first_won is None
    assert [a["kind"] for a in globex.activities] == ["call"] and globex.activity_count == 1
    assert company_record(999_999) is None


def test_update_company_records_history_and_undo_takes_it_back(accounts, clock):
    acme = _company("Acme")
    updated = accounts.update_company(
        acme.id, {"industry": "Software", "employees": "1,200", "website": "acme.example"}
    )
    assert (updated.industry, updated.employees, updated.version) == ("Software", 1200, 2)
    record = company_record(acme.id)
    assert {(h.field, h.new) for h in record.history if h.action == "update"} == {
        ("industry", "Software"),
        ("employees", "1200"),
        ("website", "acme.example"),
    }
    clock.advance(minutes=1)
    undone = accounts.undo_last()
    assert (undone.entity, undone.entity_id) == ("company", acme.id)
    back = Company.get_by_id(acme.id)
    assert (back.industry, back.employees, back.website) == ("", None, "")


def test_a_rename_keeps_the_leads_company_key_and_search_fold(accounts):
    acme = _company("Acme")
    accounts.update_company(acme.id, {"name": "Müller Werke"})
    lead = Lead.get(Lead.name == "Anna Nowak")
    assert lead.company_key == "müller werke"
    assert (lead.company_fold or lead.company_key) == "muller werke"
    with pytest.raises(Refused) as taken:
        accounts.update_company(acme.id, {"name": "globex"})
    assert taken.value.problems[0].field == "name"
    assert "merge the two companies" in taken.value.problems[0].message


def test_bad_fields_are_refused_each_named_and_nothing_is_saved(accounts):
    acme = _company("Acme")
    with pytest.raises(Refused) as refused:
        accounts.update_company(
            acme.id,
            {"name": " ", "employees": "lots", "country": "Atlantis", "website": "not a site"},
        )
    fields = {p.field: p.message for p in refused.value.problems}
    assert set(fields) == {"name", "employees", "country", "website"}
    assert "whole number" in fields["employees"]
    assert Company.get_by_id(acme.id).version == 1


def test_two_people_editing_different_fields_both_keep_their_edit(accounts, config, clock):
    acme = _company("Acme")
    bob = Funnel(config, "bob", clock)
    accounts.update_company(acme.id, {"industry": "Retail"}, expected_version=1)
    merged = bob.update_company(acme.id, {"country": "DE"}, expected_version=1)
    assert (merged.industry, merged.country, merged.version) == ("Retail", "DE", 3)
    with pytest.raises(StaleEdit) as stale:
        bob.update_company(acme.id, {"industry": "Food"}, expected_version=1)
    assert "industry" in str(stale.value)


def test_a_rescored_lead_follows_its_company_size(accounts):
    acme = _company("Acme")
    before = Lead.get(Lead.name == "Cora Diaz").score
    accounts.update_company(acme.id, {"employees": "250", "industry": "Software"})
    # The default ICP rewards a company's size and industry: the lead's stored score moves.
    assert Lead.get(Lead.name == "Cora Diaz").score >= before


# ---------------------------------------------------------------------- the CLI


def _cli(argv: list[str], capsys, rc: int = 0) -> str:
    assert main(argv) == rc, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_company_list_in_every_format(accounts, db_target, capsys, fmt):
    database.close()
    out = _cli(
        ["company", "list", "--db", db_target, "--sort", "won", "--format", fmt, "--limit", "2"],
        capsys,
    )
    if fmt == "json":
        rows = json.loads(out)
        assert [r["name"] for r in rows] == ["Acme", "Globex"]
        assert rows[0]["won"] == {"EUR": 1000.0} and rows[0]["open_pipeline"] == {"USD": 500.0}
        assert rows[0]["customer"] is True and rows[0]["people"] == 3
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["name"] for r in rows] == ["Acme", "Globex"]
        assert rows[0]["won"] == "EUR 1000.00" and rows[0]["customer"] == "yes"
    else:
        lines = out.splitlines()
        assert len(lines) == 3 and "EUR 1,000.00" in lines[1]


def test_company_list_filters_and_searches(accounts, db_target, capsys):
    database.close()
    base = ["company", "list", "--db", db_target, "--format", "json"]
    assert [r["name"] for r in json.loads(_cli([*base, "--customers"], capsys))] == ["Acme"]
    prospects = json.loads(_cli([*base, "--prospects", "--search", "tech"], capsys))
    assert [r["name"] for r in prospects] == ["Initech"]


def test_company_show_and_update_on_the_command_line(accounts, db_target, capsys):
    acme = _company("Acme").id
    database.close()
    shown = json.loads(
        _cli(["company", "show", str(acme), "--db", db_target, "--format", "json"], capsys)
    )
    assert shown["customer"] is True and shown["lifetime_won"] == {"EUR": 1000.0}
    assert [p["name"] for p in shown["people"]] == ["Anna Nowak", "Ben Ode", "Cora Diaz"]
    assert shown["totals"]["open"] == {"USD": 500.0}
    text = _cli(["company", "show", str(acme), "--db", db_target], capsys)
    assert "customer since" in text and "People (3)" in text
    argv = ["company", "update", str(acme), "--db", db_target, "--industry", "Food"]
    out = _cli([*argv, "--version", "1", "--format", "json"], capsys)
    assert json.loads(out)["version"] == 2
    # The same field, from a copy read at version 1: refused, naming it.
    assert main([*argv[:-1], "Retail", "--version", "1"]) == 1
    assert "industry" in capsys.readouterr().err
    assert main(["company", "update", str(acme), "--db", db_target, "--employees", "x"]) == 1
    assert "employees:" in capsys.readouterr().err
    assert main(["company", "show", "999", "--db", db_target]) == 1
    assert "no company #999" in capsys.readouterr().err
    out = _cli(["undo", str(acme), "--company", "--db", db_target], capsys)
    assert out.startswith(f"Undone: your edit of company #{acme} Acme: industry back to")


def test_a_company_name_that_looks_like_a_formula_is_defused_in_csv(rules, db_target, capsys):
    _person(rules, "Eve Formula", '=HYPERLINK("http://evil")')
    database.close()
    out = _cli(["company", "list", "--db", db_target, "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")'
