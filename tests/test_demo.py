"""Demo data: deterministic, valid contact data, every state of the funnel, consistent with
what the rules layer itself writes, and usable by the rules layer afterwards."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import Counter, defaultdict
from itertools import pairwise

import peewee
import phonenumbers
import pytest
from peewee import fn

from funnel_tui.core.errors import StaleEdit
from funnel_tui.core.validators import check_email, check_phone, normalise_key
from funnel_tui.core.vocab import (
    ACTIVITY_KINDS,
    BANT_ITEMS,
    FUNNEL_LEVELS,
    LEAD_STATUSES,
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
    STATUS_NEW,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
)
from funnel_tui.demo import clock, phones, writing
from funnel_tui.demo import generator as demo
from funnel_tui.demo import names as demo_names
from funnel_tui.demo.generator import generate_demo
from funnel_tui.read.search import LeadQuery, lead_page
from funnel_tui.rules.engagement import (
    ENGAGEMENT_META_KEY,
    engagement_fingerprint,
    engagement_key,
    is_two_way,
    recompute_engagement,
    sync_engagement,
)
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.scoring import SCORE_META_KEY, sync_scores
from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    StageChange,
    User,
)
from funnel_tui.storage.schema import get_meta

TODAY = dt.date(2025, 6, 2)
MIDNIGHT = dt.datetime.combine(TODAY, dt.time())
TABLES = (Company, Lead, Qualification, Opportunity, StageChange, Activity, History)


def _make(db, config, leads=1500, seed=3, **kw):
    return generate_demo(db, config, leads=leads, seed=seed, today=TODAY, **kw)


def _dump(db):
    """Every demo row, in id order; ids the database assigns itself are left out."""
    out = {}
    for model in TABLES:
        table = model._meta.table_name
        rows = db.execute_sql(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
        if model not in (Company, Lead, Opportunity):
            rows = [tuple(row[1:]) for row in rows]
        out[table] = rows
    return out


def _clear(db):
    for model in reversed(TABLES):
        db.execute_sql(f'DELETE FROM "{model._meta.table_name}"')


# ------------------------------------------------------------------------- shape


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(db, config):
    first = _make(db, config, leads=600, seed=11)
    rows = _dump(db)
    _clear(db)
    second = _make(db, config, leads=600, seed=11)
    assert _dump(db) == rows
    assert (first.leads, first.history, first.activities) == (
        second.leads,
        second.history,
        second.activities,
    )
    _clear(db)
    _make(db, config, leads=600, seed=12)
    assert _dump(db)["lead"] != rows["lead"]


def test_rows_made_in_a_forked_process_are_the_rows_made_here(db, config, monkeypatch):
    """A large demo on SQLite makes its rows in a forked child: the same rows, counted
    the same, as when this process makes them."""
    import funnel_tui.demo.generator as demo

    monkeypatch.setattr(demo, "BATCH", 400)
    monkeypatch.setattr(demo, "FORK_FROM_LEADS", 10**9)  # made here
    here = _make(db, config, leads=1300, seed=5)
    rows = _dump(db)
    _clear(db)
    monkeypatch.setattr(demo, "FORK_FROM_LEADS", 1)  # made in a child, where it can be
    children = []
    monkeypatch.setattr(
        demo,
        "_ForkedBatches",
        type("Counted", (demo._ForkedBatches,), {"__init__": _counting(children)}),
    )
    forked = _make(db, config, leads=1300, seed=5)
    assert len(children) == (0 if isinstance(db, peewee.PostgresqlDatabase) else 1)
    assert _dump(db) == rows
    # (the users were made by the first run)
    assert vars(forked) | {"seconds": 0, "users": 0} == vars(here) | {"seconds": 0, "users": 0}


def _counting(children: list):
    def init(self, *args):
        children.append(self)
        super(type(self), self).__init__(*args)

    return init


def test_summary_counts_the_rows_written_and_reports_progress(db, config, monkeypatch):
    monkeypatch.setattr(demo, "BATCH", 500)
    calls = []
    summary = generate_demo(
        db,
        config,
        leads=1200,
        seed=5,
        today=TODAY,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert summary.leads == Lead.select().count() == 1200
    assert summary.companies == Company.select().count()
    assert summary.opportunities == Opportunity.select().count()
    assert summary.activities == Activity.select().count()
    assert summary.history == History.select().count()
    assert summary.stage_changes == StageChange.select().count()
    assert summary.qualifications == Qualification.select().count()
    assert summary.users == User.select().count() == 6  # five reps and "demo"
    assert summary.seconds > 0
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_an_exception_from_progress_leaves_nothing_written(db, config, monkeypatch):
    monkeypatch.setattr(demo, "BATCH", 200)

    def cancel(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_demo(db, config, leads=1000, today=TODAY, progress=cancel)
    assert Lead.select().count() == History.select().count() == 0


def test_every_status_level_stage_and_activity_kind_is_present(db, config):
    _make(db, config)
    leads = list(Lead.select())
    assert {lead.status for lead in leads} == set(LEAD_STATUSES)
    assert {lead.level for lead in leads} == set(FUNNEL_LEVELS)
    for lead in leads:
        if lead.status == STATUS_NURTURING:
            assert lead.nurture_until is not None and lead.nurture_until > TODAY
        else:
            assert lead.nurture_until is None
        assert bool(lead.unqualified_reason) == (lead.status == STATUS_UNQUALIFIED)
        if lead.level != LEVEL_LEAD:
            assert lead.status == STATUS_WORKING and lead.promoted_at is not None

    opps = list(Opportunity.select())
    assert {o.stage for o in opps} == {s.name for s in config.stages}
    open_names = {s.name for s in config.open_stages}
    for opp in opps:
        if opp.state == OPP_OPEN:
            assert opp.stage in open_names and opp.closed_at is None and not opp.lost_reason
        elif opp.state == OPP_WON:
            assert opp.stage == config.won_stage and opp.closed_at is not None
        else:
            assert opp.state == OPP_LOST and opp.stage == config.lost_stage
            assert opp.lost_reason in config.loss_reasons
        assert opp.amount_cents > 0 and len(opp.currency) == 3
    won_leads = {o.lead_id for o in opps if o.state == OPP_WON}
    with_opps = {o.lead_id for o in opps}
    for lead in leads:
        assert (lead.level == LEVEL_CUSTOMER) == (lead.id in won_leads)
        assert (lead.level in (LEVEL_OPPORTUNITY, LEVEL_CUSTOMER)) == (lead.id in with_opps)

    acts = list(Activity.select())
    assert {a.kind for a in acts} == set(ACTIVITY_KINDS)
    assert {a.direction for a in acts} == {"outbound", "inbound", ""}
    assert all((a.direction == "") == (a.kind == "note") for a in acts)
    assert {"reached", "no_answer", "left_voicemail", "replied"} <= {a.outcome for a in acts}

    items = Counter(q.item for q in Qualification.select())
    assert set(BANT_ITEMS) <= set(items)
    assert {f"icp:{c.key}" for c in config.icp} <= set(items)


def test_next_actions_are_overdue_due_today_and_ahead_one_open_per_record(db, config):
    _make(db, config)
    open_actions = list(
        Activity.select().where(
            Activity.next_action_due.is_null(False) & (Activity.next_action_done == False)
        )
    )
    dues = [a.next_action_due for a in open_actions]
    assert any(d < TODAY for d in dues)
    assert any(d == TODAY for d in dues)
    assert any(d > TODAY for d in dues)
    per_record = Counter((a.lead_id, a.opportunity_id) for a in open_actions)
    assert max(per_record.values()) == 1
    for act in Activity.select().where(Activity.next_action_due.is_null(False)):
        assert act.next_action and act.next_action_due >= act.occurred_at.date()
    # Records no longer worked keep no open next action.
    closed = {o.id for o in Opportunity.select().where(Opportunity.state != OPP_OPEN)}
    unqualified = {x.id for x in Lead.select().where(Lead.status == STATUS_UNQUALIFIED)}
    for act in open_actions:
        assert act.opportunity_id not in closed
        assert act.opportunity_id is not None or act.lead_id not in unqualified
    # A lead parked until a date has that date as its next action, if it has one.
    nurturing = {
        x.id: x.nurture_until for x in Lead.select().where(Lead.status == STATUS_NURTURING)
    }
    parked = [a for a in open_actions if a.lead_id in nurturing and a.opportunity_id is None]
    assert parked and all(a.next_action_due == nurturing[a.lead_id] for a in parked)
    # Deal activities belong to the deal's own lead.
    owners = {o.id: o.lead_id for o in Opportunity.select()}
    deal_acts = Activity.select().where(Activity.opportunity.is_null(False))
    assert deal_acts.count() > 0
    assert all(owners[a.opportunity_id] == a.lead_id for a in deal_acts)


def test_timestamps_lie_in_the_nine_months_before_today(db, config):
    _make(db, config)
    start = MIDNIGHT - dt.timedelta(days=clock.SPAN_DAYS + 1)
    for field in (
        Lead.created_at,
        Activity.occurred_at,
        History.at,
        StageChange.at,
        Qualification.answered_at,
        Opportunity.updated_at,
    ):
        model = field.model
        assert model.select().where((field >= MIDNIGHT) | (field < start)).count() == 0
        assert model.select().where(field < MIDNIGHT - dt.timedelta(days=150)).count() > 0
    assert Activity.select().join(Lead).where(Activity.occurred_at < Lead.created_at).count() == 0


def test_last_activity_at_is_the_latest_activity_of_the_lead(db, config):
    _make(db, config)
    latest: dict[int, dt.datetime] = {}
    for act in Activity.select(Activity.lead, Activity.occurred_at):
        latest[act.lead_id] = max(act.occurred_at, latest.get(act.lead_id, act.occurred_at))
    leads = list(Lead.select())
    assert sum(lead.last_activity_at is None for lead in leads) > 0
    for lead in leads:
        assert lead.last_activity_at == latest.get(lead.id)


def test_stage_changes_retrace_each_opportunity_to_its_stage(db, config):
    _make(db, config)
    changes = defaultdict(list)
    for change in StageChange.select().order_by(StageChange.id):
        changes[change.opportunity_id].append(change)
    first = config.open_stages[0].name
    for opp in Opportunity.select():
        path = changes[opp.id]
        assert path[0].from_stage is None and path[0].to_stage == first
        assert path[0].at == opp.created_at
        for before, after in pairwise(path):
            assert after.from_stage == before.to_stage and after.at >= before.at
        assert path[-1].to_stage == opp.stage
        assert path[-1].at == opp.stage_entered_at
        assert opp.version == len(path)  # created at 1, one more per move
        if opp.state != OPP_OPEN:
            assert opp.closed_at == path[-1].at


def test_history_versions_follow_the_records(db, config):
    _make(db, config)
    versions = defaultdict(list)
    for row in (
        History.select().where(History.entity.in_(["lead", "opportunity"])).order_by(History.id)
    ):
        if row.version is not None:
            versions[(row.entity, row.entity_id)].append(row.version)
    for lead in Lead.select():
        seen = versions[("lead", lead.id)]
        assert seen[0] == 1 and max(seen) == lead.version
        assert set(range(1, lead.version + 1)) == set(seen)
    for opp in Opportunity.select():
        seen = versions[("opportunity", opp.id)]
        assert seen[0] == 1 and set(seen) == set(range(1, opp.version + 1))
    actions = Counter(h.action for h in History.select(History.action))
    assert (
        actions["create"]
        == Lead.select().count() + Opportunity.select().count() + Company.select().count()
    )
    assert {"auto", "status", "promote", "convert", "move", "won"} <= set(actions)


def test_updated_at_is_the_last_change_the_rules_layer_would_stamp(db, config):
    _make(db, config)
    stamped = defaultdict(list)  # log_activity and the automatic status change do not stamp
    for row in History.select().where(
        (History.entity == "lead") & History.action.in_(["status", "promote", "convert", "won"])
    ):
        stamped[row.entity_id].append(row.at)
    for answer in Qualification.select(Qualification.lead, Qualification.answered_at):
        stamped[answer.lead_id].append(answer.answered_at)
    leads = list(Lead.select())
    assert sum(lead.updated_at > lead.created_at for lead in leads) > len(leads) // 3
    for lead in leads:
        assert lead.updated_at == max([lead.created_at, *stamped[lead.id]])


def test_create_snapshots_are_json_matching_the_record(db, config):
    _make(db, config)
    leads = {lead.id: lead for lead in Lead.select()}
    companies = {c.id: c.name for c in Company.select()}
    for row in History.select().where(History.action.in_(["create", "promote"])):
        if row.entity == "company":
            assert companies[row.entity_id] == row.new
            continue
        if row.field not in ("", "checklist"):
            continue
        data = json.loads(row.new)
        if row.entity == "lead" and row.action == "create":
            lead = leads[row.entity_id]
            assert data["name"] == lead.name and data["country"] == lead.country
            assert data.get("email_norm") == (lead.email_norm or None)
            assert data.get("phone_e164") == lead.phone_e164
            assert data.get("phone_raw") == (lead.phone_raw or None)
            assert data.get("company") == companies.get(lead.company_id)
            assert "" not in data.values()
        elif row.entity == "opportunity":
            opp = Opportunity.get_by_id(row.entity_id)
            assert data == {
                "amount_cents": opp.amount_cents,
                "currency": opp.currency,
                "expected_close": opp.expected_close.isoformat(),
                "lead": opp.lead_id,
                "name": opp.name,
                "stage": config.open_stages[0].name,
            }
    for word in demo_names.all_words():
        assert '"' not in word and "\\" not in word and word.isprintable(), word
    for culture in demo_names.cultures().values():
        for _, roman in culture.female + culture.male + culture.stems:
            assert re.fullmatch("[a-z0-9]+", roman), roman
        for _, male, _, female in culture.family:
            assert re.fullmatch("[a-z0-9]+", male) and re.fullmatch("[a-z0-9]+", female)


# ------------------------------------------------------------------ contact data


def test_phones_and_emails_validate_as_the_rules_layer_stores_them(db, config):
    _make(db, config, leads=2000)
    leads = list(Lead.select())
    for lead in leads:
        assert lead.phone_raw or lead.email_raw
        if lead.phone_raw:
            check = check_phone(lead.phone_raw, lead.country)
            assert check.ok, (lead.phone_raw, check.message)
            assert check.value == lead.phone_e164
            assert check.details["type"] == lead.phone_type
            assert check.details["international"] == lead.phone_display
            assert check.details["region"] == lead.country
        else:
            assert lead.phone_e164 is None and lead.phone_type == lead.phone_display == ""
        if lead.email_raw:
            check = check_email(lead.email_raw)
            assert check.ok, (lead.email_raw, check.message)
            assert check.value == lead.email_norm
            assert lead.email_norm.isascii()
        else:
            assert lead.email_norm is None
        assert lead.name_key == normalise_key(lead.name)
    for company in Company.select():
        assert company.name_key == normalise_key(company.name)

    # Typed in several ways: international layout, bare E.164, national layout.
    raw = [lead.phone_raw for lead in leads if lead.phone_raw]
    assert any(" " in p and p.startswith("+") for p in raw)
    assert any(re.fullmatch(r"\+\d+", p) for p in raw)
    assert any(not p.startswith("+") for p in raw)

    # Unique, except the deliberate duplicates, each saved with a duplicate_saved row.
    duplicates = {h.entity_id for h in History.select().where(History.action == "duplicate_saved")}
    assert len(duplicates) == 2
    emails = Counter(x.email_norm.casefold() for x in leads if x.email_norm)
    phones = Counter(x.phone_e164 for x in leads if x.phone_e164)
    assert sum(n - 1 for n in emails.values()) <= len(duplicates)
    assert sum(n - 1 for n in phones.values()) <= len(duplicates)
    by_id = {x.id: x for x in leads}
    for row in History.select().where(History.action == "duplicate_saved"):
        copy, original = by_id[row.entity_id], by_id[int(row.new)]
        assert original.id < copy.id
        assert (copy.name, copy.email_norm, copy.phone_e164, copy.company_id) == (
            original.name,
            original.email_norm,
            original.phone_e164,
            original.company_id,
        )


def test_every_mobile_prefix_is_valid_with_any_free_digits():
    """The demo does not validate each number; this is what makes that safe: each
    prefix takes every digit in every free position, and every pair of digits in the
    first free positions, where number plans draw their lines (US exchanges exclude
    N11, say); the other positions get random digits."""
    rng = random.Random(0)
    for spec in demo_names.REGIONS:
        plans = phones.phone_plans()[spec.code]
        assert len(plans) == len(spec.mobile_prefixes.split()), spec.code
        for plan in plans:
            free = plan.free
            samples = []
            for pos in range(free):
                for digit in "0123456789":
                    base = [rng.choice("0123456789") for _ in range(free)]
                    base[pos] = digit
                    samples.append("".join(base))
            for pos in range(min(free - 1, 3)):
                for pair in range(100):
                    base = [rng.choice("0123456789") for _ in range(free)]
                    base[pos : pos + 2] = f"{pair:02d}"
                    samples.append("".join(base))
            for digits in samples:
                number = phonenumbers.parse("+" + plan.country_code + plan.prefix + digits)
                assert phonenumbers.is_valid_number(number), (spec.code, plan.prefix, digits)
                assert phonenumbers.region_code_for_number(number) == spec.code


def test_names_and_companies_are_written_in_their_own_scripts(db, config):
    _make(db, config)
    names = [lead.name for lead in Lead.select(Lead.name)]
    companies = [c.name for c in Company.select(Company.name)]

    def some(texts, pattern):
        return any(re.search(pattern, t) for t in texts)

    assert some(names, "[\u4e00-\u9fff]")  # Chinese characters
    assert some(names, "[陳黃張劉蔡楊許鄭謝]")  # 繁體 surnames, Taiwan
    assert some(names, "[陈黄张刘杨赵吴孙]")  # 简体 surnames, mainland China
    assert some(names, "[ąćęłńóśźżŁŚŻ]")  # Polish
    assert some(names, "[áéíóúñÁÉÍÓÚ]")  # Spanish
    assert some(names, "[äöüß]")  # German
    assert some(names, "[\uac00-\ud7a3]")  # Hangul
    assert some(names, "[\u3040-\u30ff]|[佐鈴高田伊渡山中小加吉]")  # Japanese
    assert some(companies, "股份有限公司") and some(companies, "有限公司")
    assert some(companies, "Sp. z o.o.") and some(companies, "S.A. de C.V.")
    assert some(companies, "GmbH") and some(companies, "株式会社")
    countries = Counter(lead.country for lead in Lead.select(Lead.country))
    assert {"TW", "CN", "DE", "PL", "MX", "US", "JP", "FR", "BR", "GB", "KR"} <= set(countries)
    owners = {u.login for u in User.select().join(Lead, on=(Lead.owner == User.id))}
    assert owners == {"anna", "ben", "carla", "dawid", "mei", "demo"}


# --------------------------------------------------------------- the rules on top


def test_rules_layer_works_on_demo_records(db, config):
    _make(db, config)
    # The demo's day, a working morning: the demo's records are all before it.
    rules = Funnel(config, "anna", lambda: MIDNIGHT + dt.timedelta(hours=10))

    new = Lead.select().where((Lead.status == STATUS_NEW) & (Lead.level == LEVEL_LEAD)).first()
    rules.log_activity(lead_id=new.id, kind="call", outcome="reached", note="demo check")
    after = Lead.get_by_id(new.id)
    assert after.status == STATUS_WORKING and after.version == new.version + 1
    assert after.last_activity_at > MIDNIGHT

    opp = (
        Opportunity.select()
        .where((Opportunity.state == OPP_OPEN) & (Opportunity.stage == config.open_stages[0].name))
        .first()
    )
    moved = rules.move(opp.id, config.open_stages[1].name, expected_version=opp.version)
    assert moved.version == opp.version + 1
    assert StageChange.select().where(StageChange.opportunity == opp.id).count() == moved.version
    won = rules.win(opp.id)
    assert won.state == OPP_WON and Lead.get_by_id(opp.lead_id).level == LEVEL_CUSTOMER

    # A lead with the whole checklist answered yes passes the gate and is promoted.
    all_yes = (
        Qualification.select(Qualification.lead)
        .where(Qualification.item.in_(BANT_ITEMS) & (Qualification.answer == "yes"))
        .group_by(Qualification.lead)
        .having(fn.COUNT(Qualification.id) == 4)
    )
    ready = (
        Lead.select()
        .where((Lead.level == LEVEL_LEAD) & (Lead.status == STATUS_WORKING) & Lead.id.in_(all_yes))
        .first()
    )
    assert rules.gate_problems(ready.id) == []
    assert rules.promote(ready.id).level == LEVEL_PROSPECT

    # One without a yes for Need is refused, naming the field.
    unready = (
        Lead.select()
        .where(
            (Lead.level == LEVEL_LEAD)
            & (Lead.status == STATUS_WORKING)
            & ~Lead.id.in_(
                Qualification.select(Qualification.lead).where(
                    (Qualification.item == "need") & (Qualification.answer == "yes")
                )
            )
        )
        .first()
    )
    assert "need" in {p.field for p in rules.gate_problems(unready.id)}

    # The history versions let a stale edit be refused with the demo's own changes.
    worked = Lead.select().where((Lead.version >= 3) & (Lead.status == STATUS_WORKING)).first()
    with pytest.raises(StaleEdit) as refused:
        rules.set_status(worked.id, "unqualified", reason="no budget", expected_version=1)
    assert refused.value.changes and all(c["user"] for c in refused.value.changes)
    assert "status" in refused.value.fields

    nurture = (
        Lead.select().where((Lead.status == STATUS_WORKING) & (Lead.level == LEVEL_LEAD)).first()
    )
    until = rules.today() + dt.timedelta(days=30)
    assert rules.set_status(nurture.id, STATUS_NURTURING, until=until).nurture_until == until


def test_promotion_checklist_in_history_matches_the_rules_score(db, config):
    _make(db, config)
    rules = Funnel(config, "demo")
    rows = list(
        History.select().where((History.action == "promote") & (History.field == "checklist"))
    )
    promoted = Lead.select().where(Lead.level != LEVEL_LEAD)
    assert len(rows) == promoted.count() > 50
    assert {r.entity_id for r in rows} == {x.id for x in promoted}
    for row in rows[::3]:
        expected = {
            i.key: {"answer": i.answer, "points": i.points, "evidence": i.evidence}
            for i in rules.score(row.entity_id).items
        }
        assert json.loads(row.new) == expected
        assert rules.score(row.entity_id).total >= config.min_score


def test_existing_rows_are_kept_and_ids_continue(db, config):
    rules = Funnel(config, "carol")
    before = rules.capture_lead(
        {"name": "Existing Person", "email": "existing@example.org", "phone": "+49 151 23456789"}
    )
    first = _make(db, config, leads=400, seed=1)
    second = _make(db, config, leads=400, seed=2)
    assert Lead.select().count() == 1 + first.leads + second.leads
    assert Lead.get_by_id(before.id).name == "Existing Person"
    emails = Counter(x.email_norm.casefold() for x in Lead.select() if x.email_norm)
    assert emails["existing@example.org"] == 1
    assert User.select().where(User.login == "carol").exists() and second.users == 0
    # The id sequences (PostgreSQL) moved past the ids the demo assigned itself.
    after = rules.capture_lead({"name": "Later Person", "email": "later@example.org"})
    assert after.id == Lead.select().count()
    opp_lead = Lead.select().where(Lead.level == LEVEL_PROSPECT).first()
    opp = rules.convert(opp_lead.id, amount=1000)
    assert opp.id == Opportunity.select().count()


def test_any_configured_pipeline_and_checklist_is_used(db, config):
    from dataclasses import replace

    from funnel_tui.config import Stage

    small = replace(
        config,
        stages=(Stage("Talking", 30, 10), Stage("Signed", 100, 0), Stage("Dropped", 0, 0)),
        won_stage="Signed",
        lost_stage="Dropped",
        icp=(),
        lead_sources=('Fair "Expo"',),
        loss_reasons=('Too "expensive"',),
    )
    _make(db, small, leads=800)
    assert {o.stage for o in Opportunity.select()} == {"Talking", "Signed", "Dropped"}
    assert {o.lost_reason for o in Opportunity.select().where(Opportunity.state == OPP_LOST)} == {
        'Too "expensive"'
    }
    assert not Qualification.select().where(Qualification.item.startswith("icp:")).exists()
    for row in History.select().where(History.field.in_(["", "checklist"])):
        json.loads(row.new)  # quotes in configured names are escaped
    assert {x.source for x in Lead.select()} == {'Fair "Expo"'}
    assert (
        StageChange.select().where(StageChange.from_stage.is_null(False)).count()
        == Opportunity.select().where(Opportunity.state != OPP_OPEN).count()
    )


def test_rows_are_stored_exactly_as_made_even_text_the_bulk_formats_must_escape(
    db, config, monkeypatch
):
    """SQLite gets several rows a statement (here 7, so most tables end with a shorter
    remainder); PostgreSQL gets COPY text, where tabs, newlines, carriage returns and
    backslashes in a value need escaping and a lone \\N would read as NULL. Configured
    names may hold any of them."""
    from dataclasses import replace

    awkward = ("Fair\t2026", "C:\\leads\\new", "two\nlines\r", "\\N", "N")
    awkward_config = replace(config, lead_sources=awkward, loss_reasons=awkward)
    made: dict[type, list[tuple]] = defaultdict(list)
    write = writing.Writer.write

    def keep(self, model, rows):
        made[model] += rows
        write(self, model, rows)

    monkeypatch.setattr(writing.Writer, "write", keep)
    monkeypatch.setattr(writing, "ROWS_PER_STATEMENT", 7)
    _make(db, awkward_config, leads=300)

    def plain(value):  # PostgreSQL reads times back as datetimes, the demo writes text
        return str(value) if isinstance(value, dt.date) else value

    for model, fields in writing.TABLES:
        columns = ", ".join(f'"{model._meta.fields[f].column_name}"' for f in fields)
        table = model._meta.table_name
        stored = db.execute_sql(f'SELECT {columns} FROM "{table}" ORDER BY id').fetchall()
        assert len(made[model]) > 7
        assert [tuple(map(plain, row)) for row in stored] == made[model], table
    assert {x.source for x in Lead.select()} == set(awkward)
    lost = Opportunity.select().where(Opportunity.state == OPP_LOST)
    assert {o.lost_reason for o in lost} <= set(awkward)


def test_column_lists_cover_every_model_field():
    for model, fields in writing.TABLES:
        expected = set(model._meta.fields)
        if "id" not in fields:
            expected.discard("id")
        for name in writing.LEFT_NULL:
            if name in expected:
                assert model._meta.fields[name].null, (model.__name__, name)
                expected.discard(name)
        assert set(fields) == expected, model.__name__


# --------------------------------------------------------------- the lead list


def test_stored_scores_are_the_rules_scores(db, config):
    _make(db, config, leads=800)
    rules = Funnel(config, "anna")
    leads = list(Lead.select().order_by(Lead.id))
    sample = random.Random(5).sample(leads, 250)
    # Leads with answers and with company data, not only the region's 5 points.
    assert len({lead.score for lead in sample}) >= 5
    for lead in sample:
        assert lead.score == rules.score(lead.id).total, lead.id
    # The demo wrote them under this config: opening it rescored nothing.
    assert sync_scores(config) == 0


def test_demo_on_leads_scored_otherwise_leaves_them_to_be_rescored(db, config):
    import dataclasses

    _make(db, config, leads=50)
    other = dataclasses.replace(config, bant_weights={**config.bant_weights, "need": 60})
    _make(db, other, leads=50, seed=4)
    # Two configs' scores in one database: the next open must rescore them all.
    assert get_meta(SCORE_META_KEY) is None
    assert sync_scores(config) > 0
    rules = Funnel(config, "anna")
    assert all(lead.score == rules.score(lead.id).total for lead in Lead.select())


def test_engagement_keys_are_those_of_the_two_way_activities(db, config):
    _make(db, config, leads=800)
    assert get_meta(ENGAGEMENT_META_KEY) == engagement_fingerprint(config)
    times = defaultdict(list)
    for lead_id, kind, direction, outcome, at in Activity.select(
        Activity.lead, Activity.kind, Activity.direction, Activity.outcome, Activity.occurred_at
    ).tuples():
        if is_two_way(kind, direction, outcome):
            times[lead_id].append(at)
    h = config.engagement_half_life_days
    keys = dict(Lead.select(Lead.id, Lead.engagement_key).tuples())
    assert 0 < sum(1 for k in keys.values() if k is None) < len(keys)
    for lead_id, key in keys.items():
        expected = engagement_key(times.get(lead_id, []), h)
        assert key == (None if expected is None else pytest.approx(expected, abs=1e-9)), lead_id
    # What a recomputation from the stored rows gives: opening with the demo's config
    # changes nothing, and nor would a recomputation.
    assert sync_engagement(config) == 0
    with db.atomic():
        assert recompute_engagement(h) == 0


def test_demo_with_another_half_life_leaves_keys_to_be_recomputed(db, config):
    import dataclasses

    _make(db, config, leads=50)
    _make(db, dataclasses.replace(config, engagement_half_life_days=3.0), leads=50, seed=4)
    assert get_meta(ENGAGEMENT_META_KEY) is None
    assert sync_engagement(config) > 0
    assert get_meta(ENGAGEMENT_META_KEY) == engagement_fingerprint(config)


def test_company_keys_and_search_documents_are_what_triggers_write(db, config):
    _make(db, config, leads=400)
    keys = dict(Company.select(Company.id, Company.name_key).tuples())
    for lead in Lead.select():
        assert lead.company_key == (keys[lead.company_id] if lead.company_id else "")
    if not isinstance(db, peewee.SqliteDatabase):
        return
    # The demo fills the search index in bulk; rewrite every row through the update
    # trigger and nothing must change.
    before = db.execute_sql("SELECT rowid, doc FROM lead_search ORDER BY rowid").fetchall()
    assert len(before) == Lead.select().count()
    db.execute_sql('UPDATE "lead" SET "name_key" = "name_key"')
    after = db.execute_sql("SELECT rowid, doc FROM lead_search ORDER BY rowid").fetchall()
    assert after == before
    found = lead_page(LeadQuery(text=Lead.get().name_key), 0, 10)
    assert Lead.get().id in [row["id"] for row in found]


@pytest.mark.parametrize("zone", ["Asia/Taipei", "America/Mexico_City"])
def test_timed_next_actions_fall_in_the_reps_business_hours_on_their_due_date(db, config, zone):
    """The demo's calls at a time are booked 08:00 to 16:45 on the clock of the rep who
    runs it: in Taipei a 16:00 UTC call was past midnight, on the day after its due."""
    import dataclasses
    from zoneinfo import ZoneInfo

    _make(db, dataclasses.replace(config, timezone=zone), leads=400)
    rows = Lead.select(Lead.next_action_due, Lead.next_action_at).where(
        Lead.next_action_at.is_null(False)
    )
    timed = [
        (due, at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))) for due, at in rows.tuples()
    ]
    assert len(timed) > 20
    assert all(local.date() == due and 8 <= local.hour <= 16 for due, local in timed), timed[:5]
