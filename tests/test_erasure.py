"""Erasure on request: the person's name, phone, email and notes are gone from the
record, its checklist, its activities, its deals and its history, from the search index
and from the database file's bytes (the file, its WAL), while the anonymous record keeps
every report's totals as they were; the erasure is in the history without the values
and cannot be undone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from funnel_tui.cli import main
from funnel_tui.config import load_config
from funnel_tui.core.errors import Refused
from funnel_tui.read.queries import LeadFilter, list_leads
from funnel_tui.read.reports import REPORTS, Period, Request, run_report
from funnel_tui.rules.erasure import anonymous_name
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import describe
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, History, Lead, Opportunity, Qualification

from .clock import Clock

NAME = "Anna Weißmüller-Kowalska"
PHONE = "+49 30 901820"
EMAIL = "anna.weissmueller@example.de"
NOTES = "prefers calls after five, private mobile on her card"
OTHER_PHONE = "+49 30 90182011"
# Every form these may take in the file: as typed, folded, casefolded, E.164.
SECRETS = (
    "Weißmüller",
    "weißmüller",
    "weissmuller",
    "Weissmüller",
    "901820",
    "anna.weissmueller",
    "prefers calls after five",
)


def _person(rules: Funnel, clock: Clock) -> tuple[int, int]:
    """Anna captured twice (merged), edited, qualified with evidence, called, promoted
    and converted to a deal named after her; Bob, another lead, beside her."""
    data = {"name": NAME, "phone": PHONE, "email": EMAIL, "country": "DE", "source": "Web form"}
    anna = rules.capture_lead({**data, "title": "Head of Logistics", "notes": NOTES})
    twice = rules.capture_lead({**data, "phone": OTHER_PHONE}, allow_duplicate=True)
    rules.merge_leads(anna.id, twice.id)
    clock.advance(hours=1)
    rules.update_lead(anna.id, {"phone": OTHER_PHONE})
    rules.update_lead(anna.id, {"phone": PHONE})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(anna.id, item, "yes", evidence=f"{NAME} said so on the call")
    rules.log_activity(
        lead_id=anna.id,
        kind="call",
        outcome="connected",
        note=f"spoke with {NAME} at {PHONE}",
        next_action=f"send {EMAIL} the offer",
        next_due=rules.today() + dt.timedelta(days=2),
    )
    rules.promote(anna.id)
    deal = rules.convert(anna.id, amount="5000", name=f"Acme – {NAME}")
    rules.log_activity(opportunity_id=deal.id, kind="email", note=f"offer to {EMAIL}")
    bob = rules.capture_lead({"name": "Bob Example", "email": "bob@example.com"})
    return anna.id, bob.id


def _found(config, search: str) -> list[int]:
    return [row["id"] for row in list_leads(config, LeadFilter(search=search))]


def _totals(config) -> dict[str, dict]:
    """Every report's total row, as JSON writes it."""
    found = {}
    for name in REPORTS:
        request = Request(Period(None, None, dt.UTC), None, config, dt.date(2026, 11, 23))
        report = run_report(name, request)
        found[name] = dict(report.total.values) if report.total else None
    return found


def test_an_erased_lead_keeps_its_place_and_loses_its_person(rules, clock, config):
    anna, bob = _person(rules, clock)
    before = _totals(rules.config)
    merged = Lead.get(Lead.merged_into == anna).id

    with pytest.raises(Refused, match="type the lead's name exactly"):
        rules.erase_lead(anna, confirm="Anna")
    with pytest.raises(Refused, match="open deal needs this contact"):
        rules.erase_lead(anna, confirm=NAME)
    clock.advance(hours=1)
    erased = rules.erase_lead(anna, confirm=f"  {NAME.upper()} ", with_deals=True)

    assert erased.lead_ids == (anna, merged) and erased.name == anonymous_name(anna)
    lead = Lead.get_by_id(anna)
    assert (lead.name, lead.title, lead.phone_raw, lead.email_raw, lead.notes) == (
        f"#{anna}",
        "",
        "",
        "",
        "",
    )
    assert lead.phone_e164 is None and lead.email_key is None and lead.next_action == ""
    assert (lead.level, lead.source, lead.country) == ("opportunity", "Web form", "DE")
    assert Lead.get_by_id(merged).name == f"#{merged}"
    assert Lead.get_by_id(bob).name == "Bob Example"
    assert {q.evidence for q in Qualification.select().where(Qualification.lead == anna)} == {""}
    # Her activities, on the lead and on the deal, keep their kind and outcome.
    logged = Activity.select().where(Activity.lead == anna).order_by(Activity.id)
    assert [(a.kind, a.outcome, a.note, a.next_action) for a in logged] == [
        ("call", "connected", "", ""),
        ("email", "", "", ""),
    ]
    deal = Opportunity.get(Opportunity.lead == anna)
    assert deal.name == f"Acme – #{anna}" and deal.amount_cents == 500000
    # Nothing of hers in any history row, of any record; the reports add up as before.
    for row in History.select():
        for value in (row.old, row.new):
            assert not any(s in (value or "") for s in (NAME, PHONE, EMAIL, NOTES)), row.__data__
    assert _totals(rules.config) == before
    # Search finds neither her name nor her email; her number finds her record.
    assert _found(rules.config, "Weißmüller") == []
    assert _found(rules.config, "weissmueller") == []
    assert _found(rules.config, "Bob") == [bob]


def test_the_history_says_erased_on_request_by_whom_without_the_values(rules, clock):
    anna, _bob = _person(rules, clock)
    rules.erase_lead(anna, confirm=NAME, with_deals=True)
    entries = (
        History.select()
        .where((History.entity == "lead") & (History.entity_id == anna))
        .order_by(History.id)
    )
    lines = describe(entries)
    assert (lines[-1].user, lines[-1].head) == ("alice", "erased on request")
    assert lines[-1].body == "name, title, phone, email, notes, next action"
    captured = next(line for line in lines if line.head == "captured")
    assert NAME not in captured.body and "Web form" in captured.body
    snapshot = json.loads(
        History.get((History.entity_id == anna) & (History.action == "create")).new
    )
    assert "name" not in snapshot and snapshot["source"] == "Web form"


def test_an_erasure_is_not_undone_nor_the_changes_before_it(rules, clock, config):
    anna, _bob = _person(rules, clock)
    ben = Funnel(config, "ben", clock)
    ben.update_lead(anna, {"title": "COO"})
    clock.advance(minutes=5)
    rules.erase_lead(anna, confirm=NAME, with_deals=True)
    with pytest.raises(Refused, match="an erasure on request is for good"):
        rules.undo_last()
    with pytest.raises(Refused, match="was erased on request since"):
        ben.undo_last()
    assert Lead.get_by_id(anna).title == ""
    with pytest.raises(Refused, match="already erased"):
        rules.erase_lead(anna, confirm=f"#{anna}")


def test_a_merged_away_record_is_erased_through_the_one_it_went_into(rules, clock):
    anna, _bob = _person(rules, clock)
    merged = Lead.get(Lead.merged_into == anna).id
    with pytest.raises(Refused, match=f"merged into #{anna}"):
        rules.erase_lead(merged, confirm=NAME)


# ------------------------------------------------------------------ the file's bytes


def _bytes(folder: Path) -> bytes:
    """The database file and whatever SQLite keeps beside it."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("team.db*")))


def test_nothing_of_the_person_is_left_in_the_files_bytes(tmp_path):
    path = tmp_path / "team.db"
    open_database(str(path))
    clock = Clock()
    rules = Funnel(load_config(), "ana", clock)
    anna, _bob = _person(rules, clock)
    written = _bytes(tmp_path)
    assert all(s.encode() in written for s in ("Weißmüller", "anna.weissmueller"))

    erased = rules.erase_lead(anna, confirm=NAME, with_deals=True)
    assert erased.log_cleared
    left = _bytes(tmp_path)
    close_database()
    left += _bytes(tmp_path)
    for secret in SECRETS:
        assert secret.encode() not in left, secret
        assert secret.encode("utf-16-le") not in left, secret
    assert b"Bob Example" in left


def test_erase_from_the_command_line_names_older_backups_and_prunes_them(tmp_path, capsys):
    path = tmp_path / "team.db"
    open_database(str(path))
    clock = Clock(dt.datetime(2026, 11, 23, 10, 0))
    anna, _bob = _person(Funnel(load_config(), "ana", clock), clock)
    close_database()
    db = ["--db", str(path), "--user", "ana"]
    assert main([*db, "backup"]) == 0
    (older,) = (tmp_path / "backups").iterdir()
    capsys.readouterr()

    assert main([*db, "erase", str(anna), "--confirm", "Anna"]) == 1
    assert "type the lead's name exactly" in capsys.readouterr().err
    assert main([*db, "erase", str(anna), "--confirm", NAME]) == 1
    assert "open deal needs this contact" in capsys.readouterr().err
    assert main([*db, "erase", str(anna), "--confirm", NAME, "--with-deals"]) == 0
    said = capsys.readouterr().out
    assert f"Erased lead #{anna}" in said
    assert older.name in said and "funnel backup --prune-before" in said

    assert main([*db, "erase", str(anna), "--confirm", NAME, "--format", "json"]) == 1
    assert main([*db, "check"]) == 0  # the search index, scores and all agree
    capsys.readouterr()
    assert main([*db, "backup", "--prune-before", "2999-01-01", "--yes"]) == 0
    assert older.name in capsys.readouterr().out
    assert not older.exists()
