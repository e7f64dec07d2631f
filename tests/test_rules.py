"""The rules layer on SQLite and PostgreSQL: capture, duplicates, history, status,
qualification, the promotion gate, opportunities and activities."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from funnel_tui.core.errors import DuplicateFound, Refused, StaleEdit
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    StageChange,
)

ANNA = {
    "name": "Anna Kowalska",
    "company": "Kowalski Logistyka",
    "phone": "512 345 678",
    "email": "Anna@Kowalski.PL",
    "country": "PL",
    "source": "trade show",
    "title": "CFO",
}

HOSTILE_NAMES = [
    "[bold red]x",
    "=cmd|' /C calc'!A0",
    "王小明 (台灣)",
    "שלום עליכם",
    "👩‍💻 Zoë",
    "n" * 500,
]


def _counts():
    return Lead.select().count(), History.select().count(), Company.select().count()


def _qualify(rules: Funnel, lead_id: int, **answers: str) -> None:
    for item, answer in answers.items():
        rules.answer(lead_id, item, answer, evidence=f"{item} confirmed on the call")


# ------------------------------------------------------------------ capture


def test_capture_stores_raw_and_normalised_contact(rules):
    lead = Lead.get_by_id(rules.capture_lead(ANNA).id)
    assert lead.phone_raw == "512 345 678"
    assert lead.phone_e164 == "+48512345678"
    assert lead.phone_type == "mobile"
    assert lead.email_raw == "Anna@Kowalski.PL"
    assert lead.email_norm == "Anna@kowalski.pl"
    assert lead.source == "Trade show"
    assert lead.status == "new" and lead.level == "lead"
    assert lead.owner.login == "alice" and lead.created_by.login == "alice"
    assert lead.company.name == "Kowalski Logistyka"


def test_capture_records_who_created_it_in_history(rules):
    lead = rules.capture_lead(ANNA)
    entry = History.get((History.entity == "lead") & (History.entity_id == lead.id))
    assert entry.action == "create"
    assert entry.user.login == "alice"
    assert json.loads(entry.new)["phone_e164"] == "+48512345678"


def test_refused_capture_writes_no_row_and_no_history(rules):
    before = _counts()
    with pytest.raises(Refused) as refused:
        rules.capture_lead({"name": " ", "phone": "+48 12 34", "email": "x@", "company": "Acme"})
    fields = [p.field for p in refused.value.problems]
    assert fields == ["name", "phone", "email"]
    assert _counts() == before


def test_capture_needs_a_contact_channel(rules):
    with pytest.raises(Refused) as refused:
        rules.capture_lead({"name": "Nobody"})
    assert str(refused.value) == "contact: a lead needs a phone number or an email address"


def test_phone_without_country_uses_configured_default_region(db, config, clock):
    import dataclasses

    rules = Funnel(dataclasses.replace(config, default_region="DE"), "alice", clock)
    lead = rules.capture_lead({"name": "Jonas", "phone": "030 901820"})
    assert lead.phone_e164 == "+4930901820"


@pytest.mark.parametrize("field", ["email", "phone"])
def test_duplicate_by_normalised_contact_is_reported(rules, field):
    first = rules.capture_lead(ANNA)
    again = {
        "name": "A. Kowalska",
        field: {"email": "Anna@KOWALSKI.pl", "phone": "+48512345678"}[field],
    }
    before = _counts()
    with pytest.raises(DuplicateFound) as found:
        rules.capture_lead(again)
    assert [m.id for m in found.value.matches] == [first.id]
    assert found.value.problems[0].field == field
    assert _counts() == before


def test_duplicate_by_name_at_same_company(rules):
    rules.capture_lead(ANNA)
    with pytest.raises(DuplicateFound):
        rules.capture_lead(
            {
                "name": "anna  KOWALSKA",
                "company": "kowalski logistyka",
                "email": "other@example.com",
            }
        )


def test_saving_a_duplicate_anyway_is_recorded(rules):
    first = rules.capture_lead(ANNA)
    second = rules.capture_lead({**ANNA, "name": "Anna K."}, allow_duplicate=True)
    entry = History.get((History.entity_id == second.id) & (History.action == "duplicate_saved"))
    assert entry.new == str(first.id)
    assert Company.select().count() == 1  # the company is shared, not duplicated


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_and_international_text_is_stored_exactly(rules, name):
    lead = rules.capture_lead({"name": name, "email": "x@example.com", "notes": name})
    stored = Lead.get_by_id(lead.id)
    assert stored.name == name
    assert stored.notes == name


def test_escape_codes_are_stripped_and_the_rest_kept(rules):
    lead = rules.capture_lead({"name": "\x1b[2JEve\x07", "email": "eve@example.com"})
    assert Lead.get_by_id(lead.id).name == "[2JEve"


# ------------------------------------------------------------------- update


def test_update_writes_one_history_row_per_changed_field(rules):
    lead = rules.capture_lead(ANNA)
    rules.update_lead(
        lead.id, {"title": "CEO", "phone": "+48 601 234 567", "name": "Anna Kowalska"}
    )
    rows = list(
        History.select().where((History.entity_id == lead.id) & (History.action == "update"))
    )
    changed = {r.field: (r.old, r.new) for r in rows}
    assert changed == {
        "title": ("CFO", "CEO"),
        "phone_raw": ("512 345 678", "+48 601 234 567"),
        "phone_e164": ("+48512345678", "+48601234567"),
    }
    assert Lead.get_by_id(lead.id).version == 2


def test_update_reads_national_numbers_in_the_leads_country(rules):
    lead = rules.capture_lead(ANNA)
    rules.update_lead(lead.id, {"phone": "601 234 567"})
    assert Lead.get_by_id(lead.id).phone_e164 == "+48601234567"


def test_refused_update_changes_nothing(rules):
    lead = rules.capture_lead(ANNA)
    before = _counts()
    with pytest.raises(Refused) as refused:
        rules.update_lead(lead.id, {"email": "nope", "title": "CEO"})
    assert refused.value.problems[0].field == "email"
    assert Lead.get_by_id(lead.id).title == "CFO"
    assert _counts() == before


def test_stale_edit_is_refused_and_shows_what_the_other_user_changed(db, config, clock):
    alice, bob = Funnel(config, "alice", clock), Funnel(config, "bob", clock)
    lead = alice.capture_lead(ANNA)
    bob.update_lead(lead.id, {"title": "COO"}, expected_version=1)
    with pytest.raises(StaleEdit) as stale:
        alice.update_lead(lead.id, {"title": "CEO"}, expected_version=1)
    assert stale.value.changes[0]["user"] == "bob"
    assert (stale.value.changes[0]["field"], stale.value.changes[0]["new"]) == ("title", "COO")
    assert Lead.get_by_id(lead.id).title == "COO"


# ------------------------------------------------------------------- status


def test_unqualified_needs_a_reason_and_nurturing_a_date(rules):
    lead = rules.capture_lead(ANNA)
    with pytest.raises(Refused, match="reason: say why"):
        rules.set_status(lead.id, "unqualified")
    with pytest.raises(Refused, match="until: say when"):
        rules.set_status(lead.id, "nurturing")
    rules.set_status(lead.id, "unqualified", reason="student, no budget")
    assert Lead.get_by_id(lead.id).unqualified_reason == "student, no budget"
    later = rules.today() + dt.timedelta(days=30)
    rules.set_status(lead.id, "nurturing", until=later)
    stored = Lead.get_by_id(lead.id)
    assert (stored.status, stored.nurture_until, stored.unqualified_reason) == (
        "nurturing",
        later,
        "",
    )
    assert Lead.select().count() == 1  # unqualified leads are kept, never deleted


# ------------------------------------------------------------ qualification


def test_answers_are_revised_and_every_revision_is_in_history(rules):
    lead = rules.capture_lead(ANNA)
    rules.answer(lead.id, "budget", "unknown")
    rules.answer(lead.id, "budget", "yes", evidence="CFO confirmed 40k in Q3 budget")
    rules.answer(lead.id, "budget", "no", evidence="budget moved to next year")
    assert Qualification.get().answer == "no"
    revisions = [
        (h.old, h.new)
        for h in History.select().where(History.field == "budget.answer").order_by(History.id)
    ]
    assert revisions == [(None, "unknown"), ("unknown", "yes"), ("yes", "no")]


def test_score_explains_each_items_contribution(rules, config):
    lead = rules.capture_lead(ANNA)  # country PL is in the default ICP regions
    _qualify(rules, lead.id, budget="yes", need="yes", authority="no")
    rules.answer(lead.id, "icp:employees", "unknown", value="250")
    score = rules.score(lead.id)
    points = {i.key: i.points for i in score.items}
    assert points["budget"] == config.bant_weights["budget"]
    assert points["authority"] == 0
    assert points["icp:region"] == 5 and score.item("icp:region").source == "company data"
    assert points["icp:employees"] == 5
    assert score.total == round(100 * sum(points.values()) / config.total_weight)
    assert score.explain()[-1] == f"score {score.total}/100"


# --------------------------------------------------------------------- gate


def test_gate_lists_every_reason_at_once(rules):
    lead = rules.capture_lead({**ANNA, "email": ""})
    # Make the stored number one that the validators refuse today.
    Lead.update(phone_raw="+52 1 234", phone_e164="+521234").where(Lead.id == lead.id).execute()
    _qualify(rules, lead.id, budget="yes")
    with pytest.raises(Refused) as refused:
        rules.promote(lead.id)
    messages = [str(p) for p in refused.value.problems]
    assert messages[0].startswith("phone: +521234")
    assert "need: unknown (Need must be yes)" in messages
    assert "authority: unknown" in messages
    assert "timeline: unknown" in messages
    assert any(m.startswith("score: ") and " < 60" in m for m in messages)
    assert Lead.get_by_id(lead.id).level == "lead"


def _break_need(rules, lead):
    rules.answer(lead.id, "need", "no")


def _break_bant(rules, lead):
    _qualify(rules, lead.id, authority="no", timeline="unknown")


def _break_score(rules, lead):
    rules.answer(lead.id, "icp:industry", "no")


def _break_phone(rules, lead):
    # Valid when captured, refused now (as after a metadata update): checked again.
    Lead.update(phone_e164="+4812345").where(Lead.id == lead.id).execute()


def _break_email(rules, lead):
    Lead.update(email_norm="anna@kowalski").where(Lead.id == lead.id).execute()


def _break_contact(rules, lead):
    Lead.update(phone_raw="", phone_e164=None, email_raw="", email_norm=None).where(
        Lead.id == lead.id
    ).execute()


def _break_status(rules, lead):
    rules.set_status(lead.id, "unqualified", reason="duplicate account")


def _break_level(rules, lead):
    rules.promote(lead.id)


# Each way the gate refuses, and the reasons (fields) it gives for it alone. The config
# asks for a score of 60 only where the score is the point; elsewhere the other rules
# are seen alone (a Need of no also lowers the score).
GATE_BRANCHES = {
    "need": (_break_need, ["need"]),
    "bant": (_break_bant, ["authority", "timeline", "bant"]),
    "score": (_break_score, ["score"]),
    "phone": (_break_phone, ["phone"]),
    "email": (_break_email, ["email"]),
    "contact": (_break_contact, ["contact"]),
    "status": (_break_status, ["status"]),
    "level": (_break_level, ["level"]),
}


def _passing_lead(rules) -> Lead:
    lead = rules.capture_lead(ANNA)
    _qualify(rules, lead.id, budget="yes", authority="yes", need="yes", timeline="yes")
    rules.answer(lead.id, "icp:industry", "yes")
    assert rules.gate_problems(lead.id) == []
    return lead


@pytest.mark.parametrize("branch", sorted(GATE_BRANCHES))
def test_each_gate_reason_alone(rules, config, branch):
    breaks, fields = GATE_BRANCHES[branch]
    if branch == "score":
        rules.config = dataclasses.replace(config, min_score=90)
    else:
        rules.config = dataclasses.replace(config, min_score=0)
    lead = _passing_lead(rules)
    breaks(rules, lead)
    assert [p.field for p in rules.gate_problems(lead.id)] == fields
    if branch != "level":
        with pytest.raises(Refused) as refused:
            rules.promote(lead.id)
        assert [p.field for p in refused.value.problems] == fields
        assert Lead.get_by_id(lead.id).level == "lead"


def test_every_gate_reason_together(rules, config):
    rules.config = dataclasses.replace(config, min_score=90)
    lead = _passing_lead(rules)
    for branch in ("status", "need", "bant", "score", "phone", "email"):
        GATE_BRANCHES[branch][0](rules, lead)
    fields = [p.field for p in rules.gate_problems(lead.id)]
    assert fields == ["status", "phone", "email", "need", "authority", "timeline", "bant", "score"]


def test_gate_accepts_and_records_the_checklist(rules):
    lead = rules.capture_lead(ANNA)
    _qualify(rules, lead.id, budget="yes", authority="yes", need="yes", timeline="no")
    rules.answer(lead.id, "icp:industry", "yes")
    assert rules.gate_problems(lead.id) == []
    rules.promote(lead.id)
    stored = Lead.get_by_id(lead.id)
    assert stored.level == "prospect" and stored.promoted_at is not None
    entry = History.get((History.action == "promote") & (History.field == "checklist"))
    assert json.loads(entry.new)["need"]["answer"] == "yes"
    assert entry.user.login == "alice"


def test_unqualified_lead_cannot_be_promoted(rules):
    lead = rules.capture_lead(ANNA)
    _qualify(rules, lead.id, budget="yes", authority="yes", need="yes", timeline="yes")
    rules.set_status(lead.id, "unqualified", reason="duplicate account")
    problems = rules.gate_problems(lead.id)
    assert [p.field for p in problems] == ["status"]


# ------------------------------------------------------------ opportunities


def _prospect(rules: Funnel) -> Lead:
    lead = rules.capture_lead(ANNA)
    _qualify(rules, lead.id, budget="yes", authority="yes", need="yes", timeline="yes")
    return rules.promote(lead.id)


def test_convert_requires_a_prospect_and_carries_data_over(rules, config):
    lead = rules.capture_lead({**ANNA, "notes": "met at LogiMAT"})
    with pytest.raises(Refused, match="promoted to prospect first"):
        rules.convert(lead.id, amount="1000")
    _qualify(rules, lead.id, budget="yes", authority="yes", need="yes", timeline="yes")
    rules.promote(lead.id)
    close = rules.today() + dt.timedelta(days=120)
    opp = rules.convert(lead.id, amount="12,500.50", expected_close=close)
    stored = Opportunity.get_by_id(opp.id)
    assert stored.amount_cents == 1250050
    assert stored.currency == config.default_currency
    assert stored.stage == config.open_stages[0].name
    assert stored.company_id == lead.company_id and stored.owner_id == lead.owner_id
    assert stored.notes == "met at LogiMAT"
    assert Lead.get_by_id(lead.id).level == "opportunity"
    assert [(c.from_stage, c.to_stage) for c in StageChange.select()] == [(None, "Qualification")]
    # The contact and the checklist are recorded as they stood when the deal opened.
    created = History.get((History.entity == "opportunity") & (History.action == "create"))
    record = json.loads(created.new)
    assert record["contact"] == {
        "name": ANNA["name"],
        "title": stored.lead.title,
        "phone": stored.lead.phone_e164,
        "email": stored.lead.email_norm,
    }
    assert record["checklist"]["need"]["answer"] == "yes"
    assert record["checklist"]["icp:region"]["points"] > 0
    assert set(record["checklist"]) == {i.key for i in rules.score(lead.id).items}


def test_convert_refuses_bad_amount_currency_and_stage_together(rules):
    lead = _prospect(rules)
    with pytest.raises(Refused) as refused:
        rules.convert(lead.id, amount="lots", currency="EURO", stage="Won")
    assert [p.field for p in refused.value.problems] == ["amount", "currency", "stage"]
    assert Opportunity.select().count() == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "must be zero or more"),
        (-0.01, "must be zero or more"),
        ("lots", "is not an amount"),
        ("", "is not an amount"),
        ("NaN", "is not an amount"),
        ("inf", "is not an amount"),
    ],
)
def test_convert_refuses_negative_amounts_and_what_is_not_a_number(rules, amount, message):
    lead = _prospect(rules)
    with pytest.raises(Refused) as refused:
        rules.convert(lead.id, amount=amount)
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("amount", "invalid")
    assert message in problem.message
    assert Opportunity.select().count() == 0


def test_convert_refuses_amounts_above_the_configured_ceiling(rules, config):
    lead = _prospect(rules)
    ceiling = config.max_amount
    for amount in (ceiling + 1, f"{ceiling:,}.01", "1e12"):
        with pytest.raises(Refused) as refused:
            rules.convert(lead.id, amount=amount)
        [problem] = refused.value.problems
        assert (problem.field, problem.code) == ("amount", "too_large")
        assert f"the ceiling of {ceiling:,}" in problem.message
    assert Opportunity.select().count() == 0
    # The ceiling itself is allowed.
    assert rules.convert(lead.id, amount=f"{ceiling:,}").amount_cents == ceiling * 100


def test_the_ceiling_is_the_configs(db, config, clock):
    rules = Funnel(dataclasses.replace(config, max_amount=5000), "alice", clock)
    lead = _prospect(rules)
    with pytest.raises(Refused, match="ceiling of 5,000"):
        rules.convert(lead.id, amount="5000.01")
    assert rules.convert(lead.id, amount="5000").amount_cents == 500_000


def test_a_close_date_in_the_past_asks_for_confirmation(rules):
    lead = _prospect(rules)
    today = dt.date(2026, 11, 23)
    yesterday = today - dt.timedelta(days=1)
    with pytest.raises(Refused) as refused:
        rules.convert(lead.id, amount=100, expected_close=yesterday, today=today)
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("close", "past")
    assert problem.message == "2026-11-22 is in the past; confirm to use it anyway"
    assert Opportunity.select().count() == 0
    # Confirmed, it is kept as given.
    opp = rules.convert(
        lead.id, amount=100, expected_close=yesterday, today=today, allow_past_close=True
    )
    assert Opportunity.get_by_id(opp.id).expected_close == yesterday
    # Today, later, or no date at all need no confirmation.
    rules.convert(lead.id, amount=100, expected_close=today, today=today)
    rules.convert(lead.id, amount=100, expected_close=today + dt.timedelta(days=1), today=today)
    rules.convert(lead.id, amount=100, today=today)
    assert Opportunity.select().count() == 4


@pytest.mark.parametrize(
    ("zone", "utc", "today"),
    [
        # 04:00 on the 24th in Taipei while UTC is still on the 23rd: the 23rd is past.
        ("Asia/Taipei", dt.datetime(2026, 11, 23, 20, 0), dt.date(2026, 11, 24)),
        # 18:00 on the 23rd in Los Angeles while UTC is on the 24th: the 23rd is today.
        ("America/Los_Angeles", dt.datetime(2026, 11, 24, 2, 0), dt.date(2026, 11, 23)),
        # The last half hour of a leap day, east of UTC.
        ("Asia/Taipei", dt.datetime(2028, 2, 29, 15, 30), dt.date(2028, 2, 29)),
    ],
)
def test_the_past_is_before_the_users_today_in_their_zone(db, config, zone, utc, today):
    rules = Funnel(dataclasses.replace(config, timezone=zone), "alice", lambda: utc)
    lead = _prospect(rules)
    assert rules.today() == today
    with pytest.raises(Refused, match="is in the past"):
        rules.convert(lead.id, amount=100, expected_close=today - dt.timedelta(days=1))
    assert rules.convert(lead.id, amount=100, expected_close=today).expected_close == today


def test_every_conversion_problem_is_reported_at_once(rules, config):
    lead = _prospect(rules)
    bad = {"amount": config.max_amount * 2, "currency": "EURO"}
    long_ago = dt.date(2020, 1, 1)
    with pytest.raises(Refused) as refused:
        rules.convert(lead.id, **bad, expected_close=long_ago)
    found = [(p.field, p.code) for p in refused.value.problems]
    assert found == [("amount", "too_large"), ("currency", "invalid"), ("close", "past")]
    # Confirming the date leaves the other problems.
    with pytest.raises(Refused) as refused:
        rules.convert(lead.id, **bad, expected_close=long_ago, allow_past_close=True)
    assert [p.field for p in refused.value.problems] == ["amount", "currency"]
    assert Opportunity.select().count() == 0


def test_move_through_every_stage_win_lose_and_reopen(rules, config):
    opp = rules.convert(_prospect(rules).id, amount=5000)
    for _ in config.open_stages[1:]:
        rules.step(opp.id, +1)
    with pytest.raises(Refused, match="last open stage"):
        rules.step(opp.id, +1)
    rules.win(opp.id)
    assert Lead.get(Lead.id == opp.lead_id).level == "customer"
    rules.reopen(opp.id)
    reopened = Opportunity.get_by_id(opp.id)
    assert (reopened.state, reopened.stage) == ("open", "Negotiation")
    assert Lead.get(Lead.id == opp.lead_id).level == "opportunity"
    with pytest.raises(Refused, match="reason: a lost deal needs a reason"):
        rules.lose(opp.id, "")
    with pytest.raises(Refused, match="not one of"):
        rules.lose(opp.id, "the moon was full")
    rules.lose(opp.id, "price")
    lost = Opportunity.get_by_id(opp.id)
    assert (lost.state, lost.stage, lost.lost_reason) == ("lost", "Lost", "Price")
    path = [c.to_stage for c in StageChange.select().order_by(StageChange.id)]
    assert path == [
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
        "Won",
        "Negotiation",
        "Lost",
    ]
    assert all(c.user.login == "alice" for c in StageChange.select())


def test_moving_a_deal_someone_else_just_closed_is_refused(db, config, clock):
    alice, bob = Funnel(config, "alice", clock), Funnel(config, "bob", clock)
    opp = alice.convert(_prospect(alice).id, amount=5000)
    bob.lose(opp.id, "Timing")
    with pytest.raises(Refused, match="lost; reopen it first"):
        alice.move(opp.id, "Proposal")
    with pytest.raises(StaleEdit):
        alice.move(opp.id, "Proposal", expected_version=opp.version)


# --------------------------------------------------------------- activities


def test_first_two_way_interaction_moves_new_to_working(rules):
    lead = rules.capture_lead(ANNA)
    rules.log_activity(lead_id=lead.id, kind="call", outcome="no_answer")
    rules.log_activity(lead_id=lead.id, kind="note", note="try again Friday")
    assert Lead.get_by_id(lead.id).status == "new"
    rules.log_activity(lead_id=lead.id, kind="call", outcome="reached", note="interested")
    stored = Lead.get_by_id(lead.id)
    assert stored.status == "working"
    auto = History.get(History.action == "auto")
    assert (auto.field, auto.old, auto.new, auto.user.login) == (
        "status",
        "new",
        "working",
        "alice",
    )
    assert (
        stored.last_activity_at == Activity.select().order_by(Activity.id.desc()).get().occurred_at
    )


def test_next_action_needs_a_date_and_replaces_the_open_one(rules):
    lead = rules.capture_lead(ANNA)
    with pytest.raises(Refused, match="due: a next action needs a due date"):
        rules.log_activity(lead_id=lead.id, kind="call", next_action="call back")
    first = rules.log_activity(
        lead_id=lead.id, kind="call", next_action="call back", next_due=rules.today()
    )
    rules.log_activity(
        lead_id=lead.id,
        kind="email",
        next_action="send deck",
        next_due=rules.today() + dt.timedelta(days=2),
    )
    assert Activity.get_by_id(first.id).next_action_done is True
    assert Activity.select().where(Activity.next_action_done == False).count() == 1


def test_activity_on_an_opportunity_counts_for_its_lead(rules):
    opp = rules.convert(_prospect(rules).id, amount=100)
    rules.log_activity(opportunity_id=opp.id, kind="meeting", note="demo")
    activity = Activity.get()
    assert (activity.lead_id, activity.opportunity_id) == (opp.lead_id, opp.id)
    assert Lead.get_by_id(opp.lead_id).last_activity_at == activity.occurred_at


def test_bad_activity_is_refused_with_every_field(rules):
    lead = rules.capture_lead(ANNA)
    with pytest.raises(Refused) as refused:
        rules.log_activity(lead_id=lead.id, kind="telegram", direction="sideways")
    assert [p.field for p in refused.value.problems] == ["type", "direction"]
    assert Activity.select().count() == 0
