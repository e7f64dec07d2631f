"""The stored score (lead.score) on SQLite and PostgreSQL: written by every rule that
can move it, equal to the score computed afresh, and recomputed when the scoring
config changes."""

from __future__ import annotations

import dataclasses

from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.scoring import SCORE_META_KEY, score_fingerprint, sync_scores
from funnel_tui.storage import schema as schemamod
from funnel_tui.storage.models import Company, Lead


def _stored(lead_id: int) -> int:
    return Lead.get_by_id(lead_id).score


def _fresh(rules: Funnel, lead_id: int) -> int:
    return rules.score(lead_id).total


def test_capture_stores_the_score_of_country_and_company(rules):
    # Region PL is in the ideal customer profile: 5 of the default 100 points.
    lead = rules.capture_lead({"name": "Ola Nowak", "email": "ola@x.pl", "country": "PL"})
    assert _stored(lead.id) == _fresh(rules, lead.id) == 5
    # A company already known as Logistics with 250 employees adds Industry and size.
    Company.create(
        name="Bałtyk Trans",
        name_key="bałtyk trans",
        industry="Logistics",
        employees=250,
        country="PL",
        created_at=rules.now(),
        updated_at=rules.now(),
    )
    lead = rules.capture_lead({"name": "Jan Nowak", "email": "jan@x.pl", "company": "Bałtyk Trans"})
    # No country typed: the company's country stands for the region.
    assert _stored(lead.id) == _fresh(rules, lead.id) == 20
    lead = rules.capture_lead({"name": "Zed", "email": "zed@x.example", "country": "BR"})
    assert _stored(lead.id) == _fresh(rules, lead.id) == 0


def test_answers_move_the_stored_score(rules):
    lead = rules.capture_lead({"name": "Ola Nowak", "email": "ola@x.pl", "country": "PL"})
    rules.answer(lead.id, "budget", "yes")
    assert _stored(lead.id) == _fresh(rules, lead.id) == 25
    rules.answer(lead.id, "need", "yes")
    rules.answer(lead.id, "icp:employees", "unknown", value="5000")
    assert _stored(lead.id) == _fresh(rules, lead.id) == 55
    rules.answer(lead.id, "budget", "no")
    assert _stored(lead.id) == _fresh(rules, lead.id) == 35


def test_country_and_company_changes_move_the_stored_score(rules):
    lead = rules.capture_lead({"name": "Ola Nowak", "email": "ola@x.pl", "country": "BR"})
    assert _stored(lead.id) == 0
    rules.update_lead(lead.id, {"country": "DE"})
    assert _stored(lead.id) == _fresh(rules, lead.id) == 5
    Company.create(
        name="Acme Software",
        name_key="acme software",
        industry="Software",
        employees=20,
        country="DE",
        created_at=rules.now(),
        updated_at=rules.now(),
    )
    rules.update_lead(lead.id, {"company": "Acme Software"})
    assert _stored(lead.id) == _fresh(rules, lead.id) == 15
    rules.update_lead(lead.id, {"company": ""})
    assert _stored(lead.id) == _fresh(rules, lead.id) == 5
    # Changes that do not touch what the score reads leave it alone.
    rules.update_lead(lead.id, {"title": "CTO"})
    assert _stored(lead.id) == 5


def test_rescore_follows_company_data_changed_elsewhere(rules):
    lead = rules.capture_lead(
        {"name": "Ola Nowak", "email": "ola@x.pl", "country": "PL", "company": "Nowak Sp."}
    )
    assert _stored(lead.id) == 5
    Company.update(industry="Finance", employees=900).where(
        Company.id == Lead.get_by_id(lead.id).company_id
    ).execute()
    assert _stored(lead.id) == 5  # stale until someone says so...
    assert rules.rescore(lead.id) == 20
    assert _stored(lead.id) == _fresh(rules, lead.id) == 20


def test_a_new_scoring_config_rescores_every_lead_once(rules, config):
    ids = [
        rules.capture_lead({"name": f"Lead {i}", "email": f"l{i}@x.pl", "country": "PL"}).id
        for i in range(5)
    ]
    rules.answer(ids[0], "need", "yes")
    assert [_stored(i) for i in ids] == [30, 5, 5, 5, 5]
    assert schemamod.get_meta(SCORE_META_KEY) == score_fingerprint(config)
    # The team doubles the weight of Need and drops the region from the profile.
    heavier = dataclasses.replace(
        config,
        bant_weights={**config.bant_weights, "need": 50},
        icp=tuple(c for c in config.icp if c.key != "region"),
    )
    assert score_fingerprint(heavier) != score_fingerprint(config)
    other = Funnel(heavier, "bob")  # opening with it rescores
    assert [_stored(i) for i in ids] == [round(100 * 50 / 120), 0, 0, 0, 0]
    assert all(_stored(i) == _fresh(other, i) for i in ids)
    assert schemamod.get_meta(SCORE_META_KEY) == score_fingerprint(heavier)
    assert sync_scores(heavier) == 0  # nothing left to do
    # Back to the first config: everything moves back.
    assert sync_scores(config) == 5
    assert [_stored(i) for i in ids] == [30, 5, 5, 5, 5]


def test_fingerprint_ignores_what_scores_do_not_read(config):
    stricter_gate = dataclasses.replace(config, min_score=90, need_required=False)
    assert score_fingerprint(stricter_gate) == score_fingerprint(config)
    reordered = dataclasses.replace(config, icp=tuple(reversed(config.icp)))
    assert score_fingerprint(reordered) == score_fingerprint(config)


def test_a_database_that_cannot_be_written_still_opens(rules, config, monkeypatch):
    import peewee

    from funnel_tui.rules import scoring

    lead = rules.capture_lead({"name": "Ola", "email": "ola@x.pl", "country": "PL"})

    def read_only(_config):
        raise peewee.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(scoring, "rescore_all", read_only)
    heavier = dataclasses.replace(config, bant_weights={**config.bant_weights, "need": 50})
    opened = Funnel(heavier, "bob")
    assert not opened.scores_current
    assert _stored(lead.id) == 5  # as it was; the next open tries again
    assert schemamod.get_meta(SCORE_META_KEY) == score_fingerprint(config)
    assert Funnel(config, "bob").scores_current
