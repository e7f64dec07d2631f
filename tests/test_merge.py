"""Merging duplicate leads and companies, and taking a merge back, on SQLite and
PostgreSQL: the fields picked, what moves, what the merged record stays, the refusals,
the version rules, and undo restoring every row exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.core.errors import NotFound, Refused, StaleEdit
from funnel_tui.read.search import LeadQuery, lead_count, lead_page, status_counts
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import describe
from funnel_tui.rules.merge import OTHER
from funnel_tui.storage.models import Activity, Company, History, Lead, Opportunity, Qualification

ANNA = {
    "name": "Anna Kowalska",
    "company": "Kowalski Logistyka",
    "phone": "512 345 678",
    "country": "PL",
    "source": "trade show",
}
# The same person captured again at a trade show: another address, no phone, a title.
ANNA_AGAIN = {
    "name": "Anna Kowalska",
    "company": "Kowalski Logistyka",
    "email": "anna@kowalski.pl",
    "country": "PL",
    "title": "CFO",
}


def _pair(rules: Funnel) -> tuple[int, int]:
    keep = rules.capture_lead(ANNA).id
    other = rules.capture_lead(ANNA_AGAIN, allow_duplicate=True).id
    return keep, other


def _rows(lead_id: int) -> dict:
    """Everything stored for a lead that a merge and its undo touch."""
    lead = Lead.get_by_id(lead_id)
    columns = {f: getattr(lead, f) for f in Lead._meta.fields if f not in ("updated_at",)}
    columns.pop("version")
    return {
        "lead": columns,
        "activities": sorted(a.id for a in Activity.select().where(Activity.lead == lead_id)),
        "deals": sorted(o.id for o in Opportunity.select().where(Opportunity.lead == lead_id)),
        "answers": sorted(
            (q.item, q.answer, q.evidence, q.answered_at)
            for q in Qualification.select().where(Qualification.lead == lead_id)
        ),
    }


def test_plan_offers_each_differing_field_with_the_survivors_value_unless_empty(rules):
    keep, other = _pair(rules)
    plan = rules.plan_merge(keep, other)
    by_field = {c.field: c for c in plan.fields}
    assert set(by_field) == {"phone", "email", "title", "source"}
    # The survivor's value stays, else the other's non-empty one.
    assert by_field["phone"].default == "keep"
    assert by_field["email"].default == "other" and by_field["email"].other == "anna@kowalski.pl"
    assert by_field["title"].default == "other"
    assert by_field["source"].keep == "Trade show" and by_field["source"].default == "keep"


def test_merge_takes_fields_moves_activities_deals_and_keeps_the_other_merged(rules, clock):
    keep, other = _pair(rules)
    rules.log_activity(lead_id=other, kind="call", outcome="reached", note="asked for a quote")
    rules.log_activity(
        lead_id=other,
        kind="email",
        outcome="sent",
        next_action="send the quote",
        next_due=rules.today() + dt.timedelta(days=2),
    )
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(other, item, "yes", evidence="on the call")
    rules.update_lead(other, {"phone": "+48 512 345 679"})
    rules.promote(other)
    deal = rules.convert(other, amount="1000")
    merged = rules.merge_leads(keep, other)
    assert merged.taken == ["title", "email"]
    survivor, gone = Lead.get_by_id(keep), Lead.get_by_id(other)
    assert survivor.email_raw == "anna@kowalski.pl" and survivor.email_key == "anna@kowalski.pl"
    assert survivor.title == "CFO" and survivor.phone_raw == "512 345 678"
    # Activities, the deal, the next action and the answers moved; the level followed.
    assert Activity.select().where(Activity.lead == keep).count() == 2
    assert Opportunity.get_by_id(deal.id).lead_id == keep
    assert survivor.next_action == "send the quote"
    assert survivor.level == "opportunity" and survivor.engagement_key is not None
    assert Qualification.select().where(Qualification.lead == keep).count() == 4
    assert survivor.score == rules.score(keep).total > 0
    # The other is kept as it was, merged into the survivor, and no longer listed.
    assert gone.merged_into_id == keep and gone.title == "CFO" and gone.next_action == ""
    assert [r["id"] for r in lead_page(LeadQuery(), 0, 10)] == [keep]
    assert lead_count(LeadQuery()) == 1
    assert sum(status_counts(LeadQuery()).values()) == 1
    # Searching the merged record's phone or its name finds the survivor.
    for text in ("+48 512 345 679", "512 345 679"):
        assert [r["id"] for r in lead_page(LeadQuery(text=text, region="PL"), 0, 10)] == [keep]
    assert lead_count(LeadQuery(text="512 345 679", region="PL")) == 1
    # Filtered by the survivor's status, not the merged record's.
    rules.set_status(keep, "unqualified", reason="went elsewhere")  # the merged one works
    by_status = LeadQuery(text="512 345 679", region="PL", statuses=("unqualified",))
    assert [r["id"] for r in lead_page(by_status, 0, 10)] == [keep]
    # Capturing the merged record's number again warns of the survivor.
    found = rules.find_duplicates(None, "+48512345679", "x", "")
    assert [f[0] for f in found] == [keep]
    # History: both records say it, the survivor names what it took.
    assert merged.summary() == (
        f"Merged lead #{other} into lead #{keep}: title, email taken from #{other}."
    )
    lines = {}
    for lead_id in (keep, other):
        rows = History.select().where(
            (History.entity == "lead")
            & (History.entity_id == lead_id)
            & (History.action == "merge")
        )
        lines[lead_id] = [line.text for line in describe(rows.order_by(History.id))]
    assert lines[other] == [f"merged into lead #{keep}"]
    assert lines[keep][0] == f"merged lead #{other} into this record"
    assert any("CFO" in line and "(by merge)" in line for line in lines[keep])
    assert not any("{" in line for line in lines[keep])  # the snapshot is never shown


def test_choices_override_the_defaults_and_unknown_fields_are_refused(rules):
    keep, other = _pair(rules)
    with pytest.raises(Refused, match="'budget' is not a field"):
        rules.merge_leads(keep, other, {"budget": OTHER})
    rules.merge_leads(keep, other, {"source": OTHER, "title": "keep"})
    survivor = Lead.get_by_id(keep)
    assert survivor.source == "" and survivor.title == ""


def test_newer_answer_wins_unless_chosen(rules, clock):
    keep, other = _pair(rules)
    rules.answer(keep, "budget", "no", evidence="no money this year")
    clock.advance(days=1)
    rules.answer(other, "budget", "yes", evidence="budget approved")
    rules.answer(keep, "need", "yes", evidence="newer on the survivor")
    plan = rules.plan_merge(keep, other)
    assert [(a.item, a.default) for a in plan.answers] == [("budget", "other")]
    rules.merge_leads(keep, other)
    budget = Qualification.get((Qualification.lead == keep) & (Qualification.item == "budget"))
    assert (budget.answer, budget.evidence) == ("yes", "budget approved")


def test_refusals_leave_everything_as_it_was(rules, config):
    keep, other = _pair(rules)
    before = History.select().count()
    with pytest.raises(Refused, match="cannot be merged into itself"):
        rules.merge_leads(keep, keep)
    with pytest.raises(NotFound):
        rules.merge_leads(keep, 999)
    third = rules.capture_lead({**ANNA, "phone": "600 100 200"}, allow_duplicate=True).id
    rules.merge_leads(keep, other)
    with pytest.raises(Refused, match=f"merged into #{keep} already; merge with #{keep}"):
        rules.merge_leads(third, other)
    # Deals in two currencies cannot live on one lead.
    for lead_id, currency in ((keep, "PLN"), (third, "EUR")):
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(lead_id, item, "yes", evidence="ok")
        rules.promote(lead_id)
        rules.convert(lead_id, amount="100", currency=currency)
    count = History.select().count()
    with pytest.raises(Refused, match=r"deals are in PLN and lead #.*'s in EUR"):
        rules.merge_leads(keep, third)
    assert History.select().count() == count > before
    assert Lead.get_by_id(third).merged_into_id is None


def test_a_merge_on_a_stale_plan_is_refused_as_an_edit_is(db, config, clock):
    ana, ben = Funnel(config, "ana", clock), Funnel(config, "ben", clock)
    keep, other = _pair(ana)
    plan = ana.plan_merge(keep, other)
    ben.update_lead(other, {"title": "Head of finance"})
    with pytest.raises(StaleEdit):
        ana.merge_leads(
            keep, other, keep_version=plan.keep_version, other_version=plan.other_version
        )
    assert Lead.get_by_id(other).merged_into_id is None


def test_undo_takes_a_merge_back_exactly(rules, clock):
    keep, other = _pair(rules)
    rules.log_activity(lead_id=other, kind="call", outcome="reached")
    rules.answer(keep, "budget", "no", evidence="old")
    clock.advance(hours=1)
    rules.answer(other, "budget", "yes", evidence="new")
    rules.answer(other, "need", "yes", evidence="needs it")
    before = {keep: _rows(keep), other: _rows(other)}
    clock.advance(hours=1)
    rules.merge_leads(keep, other)
    assert _rows(keep) != before[keep]
    undone = rules.undo_last()
    assert undone.summary() == (
        f"Undone: your merge of lead #{other} into lead #{keep} Anna Kowalska; "
        "both are as they were."
    )
    assert {keep: _rows(keep), other: _rows(other)} == before
    assert lead_count(LeadQuery()) == 2
    # The undo is in the history and is not undone in turn: merge again instead.
    with pytest.raises(Refused, match="merge the records again instead"):
        rules.undo_last()


def test_undo_of_a_merge_is_refused_after_someone_changed_either_record(db, config, clock):
    ana, ben = Funnel(config, "ana", clock), Funnel(config, "ben", clock)
    keep, other = _pair(ana)
    ana.merge_leads(keep, other)
    clock.advance(minutes=5)
    ben.update_lead(keep, {"title": "CEO"})
    with pytest.raises(Refused, match=r"ben changed .* on lead #.* since the merge"):
        ana.undo_last()
    assert Lead.get_by_id(other).merged_into_id == keep


def test_a_record_merged_into_the_other_follows_to_the_survivor_and_back(rules):
    keep, other = _pair(rules)
    third = rules.capture_lead({**ANNA, "phone": "600 100 200"}, allow_duplicate=True).id
    rules.merge_leads(other, third)
    rules.merge_leads(keep, other)
    assert Lead.get_by_id(third).merged_into_id == keep
    assert [r["id"] for r in lead_page(LeadQuery(text="600 100 200", region="PL"), 0, 5)] == [keep]
    rules.undo_last()
    assert Lead.get_by_id(third).merged_into_id == other


def test_merging_companies_moves_people_and_deals_and_undoes(rules):
    keep = rules.capture_lead(ANNA).id
    other = rules.capture_lead(
        {**ANNA_AGAIN, "name": "Jan Nowak", "company": "Kowalski Logistyka Sp. z o.o."}
    ).id
    big = Lead.get_by_id(keep).company_id
    small = Lead.get_by_id(other).company_id
    Company.update(industry="Logistics", website="kowalski.pl").where(Company.id == small).execute()
    plan = rules.plan_company_merge(big, small)
    assert {c.field for c in plan.fields} == {"name", "industry", "website"}
    assert plan.moves["people"] == 1
    rules.merge_companies(big, small)
    company = Company.get_by_id(big)
    assert company.industry == "Logistics" and company.name == "Kowalski Logistyka"
    assert Lead.get_by_id(other).company_id == big
    assert Lead.get_by_id(other).company_key == company.name_key
    assert Company.get_by_id(small).merged_into_id == big
    with pytest.raises(Refused, match="merged into #"):
        rules.merge_companies(small, big)
    rules.undo_last()
    assert Lead.get_by_id(other).company_id == small
    assert Company.get_by_id(big).industry == ""
    assert Company.get_by_id(small).merged_into_id is None


def test_a_merged_lead_is_kept_as_it_was_and_changes_go_to_the_survivor(rules):
    keep, other = _pair(rules)
    rules.merge_leads(keep, other)
    for change in (
        lambda: rules.update_lead(other, {"title": "CEO"}),
        lambda: rules.set_status(other, "working"),
        lambda: rules.answer(other, "budget", "yes"),
        lambda: rules.log_activity(lead_id=other, kind="call", outcome="reached"),
    ):
        with pytest.raises(Refused, match=f"merged into #{keep} .* change #{keep} instead"):
            change()
    assert Lead.get_by_id(other).title == "CFO"
