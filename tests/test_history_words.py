"""The history in words: every action the rules layer, the importer and the demo write
has its wording; a rep reads fields by their labels, values as dates, amounts and names
(no JSON, no column names), on SQLite and PostgreSQL, and `--format json` keeps the rows
as stored. Also the messages that share these words: counts, articles, undo."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from funnel_tui.core.errors import Refused
from funnel_tui.demo.generator import generate_demo
from funnel_tui.read.history import company_names, history_entries
from funnel_tui.read.pipeline import deal_record, stage_history
from funnel_tui.read.queries import lead_record
from funnel_tui.rules import history_words as words
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import ACTIONS, describe
from funnel_tui.rules.history_words import many, with_article
from funnel_tui.rules.undo_words import undo_summary
from funnel_tui.storage.models import database
from funnel_tui.tui.widgets.timeline import history_events, move_event

PACKAGE = Path(__file__).resolve().parent.parent / "funnel_tui"
# The modules that write history rows, and where their action is passed on.
# Every rules module may write history rows (one module per concern since issue 21).
RULES_MODULES = tuple(sorted(f"rules/{p.name}" for p in (PACKAGE / "rules").glob("*.py")))
WRITERS = (
    *RULES_MODULES,
    "transfer/importer.py",
    "demo/people.py",
    "demo/stories.py",
    "demo/deals.py",
)
ENTITIES = {"lead", "opportunity", "activity", "company"}
# A history row written as a tuple: (at, user, entity, entity id, action, field, old, new,
# version), as funnel.py and demo.py insert them in bulk.
HISTORY_ROW = ("at", "user", "entity", "entity_id", "action", "field", "old", "new", "version")
TAIPEI = ZoneInfo("Asia/Taipei")
T0 = dt.datetime(2026, 11, 2, 1, 30)  # naive UTC: 09:30 in Taipei

# Column names and history fields a rep should never read.
INTERNAL = re.compile(
    r"email_norm|email_raw|phone_e164|phone_raw|phone_type|name_key|company_key|"
    r"nurture_until|unqualified_reason|next_action|lost_reason|closed_at|amount_cents|"
    r"duplicate_of|\.answer|\.evidence|icp:|∅|\{"
)


class Clock:
    """A pinned clock that a test moves on by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, minutes: int = 1) -> None:
        self.now += dt.timedelta(minutes=minutes)


# ------------------------------------------------------- every action is worded


def _written_actions() -> set[str]:
    """The action strings the writers pass to the history: the third argument of
    _history(...), an `action=` given or defaulted, and the action of a history row
    written as a tuple (at, user, entity, id, action, ...)."""
    found: set[str] = set()

    def text(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    for name in WRITERS:
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == "_history" and len(node.args) >= 3 and text(node.args[2]):
                    found.add(text(node.args[2]))
                found.update(text(k.value) for k in node.keywords if k.arg == "action")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.args + node.args.kwonlyargs
                defaults = [None] * (len(node.args.args) - len(node.args.defaults))
                defaults += node.args.defaults + node.args.kw_defaults
                for arg, default in zip(args, defaults, strict=True):
                    if arg.arg == "action" and default is not None and text(default):
                        found.add(text(default))
            elif (
                isinstance(node, ast.Tuple)
                and len(node.elts) == len(HISTORY_ROW)
                and text(node.elts[2]) in ENTITIES
                and not text(node.elts[3])
            ):
                found.add(text(node.elts[4]))
    found.discard(None)
    return found


def test_every_action_written_has_words():
    written = _written_actions()
    # The scan sees the writers' actions at all (it cannot pass by finding nothing).
    assert {"create", "import", "duplicate_saved", "move", "undo", "auto"} <= written
    assert written - set(ACTIONS) == set(), "actions written that history_words cannot word"


def test_an_action_nobody_knows_is_shown_as_stored_not_lost():
    row = _Row("lead", 3, "teleport", "survivor", None, "7")
    [line] = describe([row])
    assert line.text == "teleport: survivor: empty → 7"


class _Row:
    """A history row as history_entries gives it."""

    def __init__(self, entity, entity_id, action, field, old, new, user="alice", at=T0):
        self.entity, self.entity_id, self.action = entity, entity_id, action
        self.field, self.old, self.new, self.user, self.at = field, old, new, user, at


# ---------------------------------------------------------- a lead's whole life


def _a_leads_life(config) -> tuple[Funnel, int, int, int]:
    clock = Clock(T0)
    alice = Funnel(config, "alice", clock)

    def step(call, *args, **kwargs):
        clock.tick()
        return call(*args, **kwargs)

    anna = step(
        alice.capture_lead,
        {
            "name": "Anna Dup",
            "email": "a@dup.com",
            "company": "Acme",
            "phone": "+48 512 345 678",
            "source": "Trade show",
        },
    )
    dup = step(alice.capture_lead, {"name": "Anna Dup", "email": "a@dup.com"}, allow_duplicate=True)
    for item in ("budget", "authority", "timeline"):
        step(alice.answer, anna.id, item, "yes")
    step(alice.answer, anna.id, "need", "yes", evidence="fleet on paper")
    step(alice.answer, anna.id, "icp:employees", "unknown", value="250")
    step(alice.update_lead, anna.id, {"title": "CTO", "phone": "+48 600 100 200"})
    step(alice.set_status, dup.id, "nurturing", until=dt.date(2027, 3, 1))
    step(alice.set_status, dup.id, "unqualified", reason="no budget")
    step(alice.undo_last, "lead", dup.id)
    step(alice.promote, anna.id)
    opp = step(
        alice.convert,
        anna.id,
        amount="40000",
        currency="EUR",
        expected_close=dt.date(2027, 2, 1),
        today=T0.date(),
    )
    step(alice.move, opp.id, "Proposal")
    step(alice.log_activity, lead_id=anna.id, kind="meeting", direction="inbound", outcome="held")
    step(
        alice.log_activity,
        lead_id=anna.id,
        kind="call",
        outcome="left_voicemail",
        next_action="send pricing",
        next_due=dt.date(2026, 11, 5),
    )
    step(alice.snooze, lead_id=anna.id, days=2)
    step(alice.lose, opp.id, "Price")
    step(alice.reopen, opp.id)
    step(alice.win, opp.id)
    step(alice.undo_last, "opportunity", opp.id)
    step(alice.update_lead, anna.id, {"company": "Globex"})
    return alice, anna.id, dup.id, opp.id


def test_a_leads_life_reads_in_words(db, config):
    _a_leads_life(config)
    entries = history_entries()
    lines = describe(entries, config, TAIPEI, company_names(entries))
    said = [(line.record, line.text) for line in lines]
    assert said == [
        ("company #1", "new company: Acme"),
        ("lead #1", "captured: Anna Dup, Acme, a@dup.com, +48 512 345 678, source Trade show"),
        ("lead #2", "captured: Anna Dup, a@dup.com"),
        ("lead #2", "saved although it matches lead #1"),
        ("lead #1", "Budget: unknown → yes"),
        ("lead #1", "Authority: unknown → yes"),
        ("lead #1", "Timeline: unknown → yes"),
        ("lead #1", "Need: unknown → yes; evidence: fleet on paper"),
        ("lead #1", "Company size (employees): unknown → unknown; figure: 250"),
        ("lead #1", "Phone: +48 512 345 678 → +48 600 100 200"),
        ("lead #1", "Title: empty → CTO"),
        ("lead #2", "Status: new → nurturing until Mon 1 Mar 2027"),
        ("lead #2", "Next action: Check in again, due Mon 1 Mar 2027"),
        ("lead #2", "Status: nurturing → unqualified: no budget"),
        ("lead #2", "Status: unqualified → nurturing until Mon 1 Mar 2027 (by undo)"),
        (
            "lead #1",
            "promoted to prospect (yes: Budget, Authority, Need, Timeline, "
            "Company size (employees))",
        ),
        (
            "opportunity #1",
            "opened: Acme – Anna Dup, EUR 40,000.00 in Qualification, "
            "closing Mon 1 Feb 2027, from lead #1",
        ),
        ("lead #1", "converted: opened opportunity #1"),
        ("opportunity #1", "moved: Qualification → Proposal"),
        ("activity #1", "logged a meeting (inbound): held"),
        ("lead #1", "Status: new → working (done for you: a two-way contact)"),
        ("activity #2", "logged a call: left a voicemail; next: send pricing by Thu 5 Nov 2026"),
        ("lead #1", "snoozed: to Mon 9 Nov 2026 (was Thu 5 Nov 2026)"),
        ("opportunity #1", "lost (Price): Proposal → Lost"),
        ("opportunity #1", "reopened: Lost → Proposal"),
        ("opportunity #1", "won: Proposal → Won"),
        ("lead #1", "became a customer: its deal was won"),
        ("opportunity #1", "reopened: Won → Proposal"),
        ("lead #1", "back to opportunity: its won deal was reopened"),
        ("company #2", "new company: Globex"),
        ("lead #1", "Company: Acme → Globex"),
    ]
    assert {line.action for line in lines} <= set(ACTIONS)
    assert not [text for _, text in said if INTERNAL.search(text)]
    # Each line keeps who and when of its change.
    assert {line.user for line in lines} == {"alice"}
    assert lines[0].at == T0 + dt.timedelta(minutes=1)


def test_the_lead_and_deal_timelines_read_in_words(db, config):
    _, anna, _, opp = _a_leads_life(config)
    record = lead_record(anna)
    events = history_events(record["history"], config, TAIPEI, mark_deals=True)
    shown = [(e.origin, e.line.plain) for e in events]
    assert ("", "Title: empty → CTO") in shown
    assert ("$1", "won: Proposal → Won") in shown  # a deal's change carries its mark
    assert not [line for _, line in shown if INTERNAL.search(line)]
    deal = deal_record(opp)
    moves = [move_event(m, config).line.plain for m in stage_history(opp)]
    assert moves == [
        "opened in Qualification",
        "moved Qualification → Proposal",
        "lost Proposal → Lost",
        "reopened Lost → Proposal",
        "won Proposal → Won",
        "reopened Won → Proposal",
    ]
    assert deal is not None


def test_demo_history_reads_in_words(db, config):
    generate_demo(database.obj, config, leads=80, seed=3, today=dt.date(2026, 11, 2))
    entries = history_entries(limit=5000)
    lines = describe(entries, config, TAIPEI, company_names(entries))
    assert {e.action for e in entries} <= set(ACTIONS)
    assert {"create", "promote", "convert", "move", "status"} <= {e.action for e in entries}
    assert not [line.text for line in lines if INTERNAL.search(line.text)]
    # A demo deal closes with the reason it was lost, and a lead captures with its name.
    assert any(re.fullmatch(r"lost \(.+\): .+ → Lost", line.text) for line in lines)
    assert any(line.text.startswith("captured: ") for line in lines)


# ------------------------------------------------------------- values in words


def test_times_read_in_the_users_zone_and_dates_with_their_weekday():
    # 20:00 UTC on New Year's Eve is already the next year in Taipei.
    assert words.time_words(dt.datetime(2026, 12, 31, 20, 0), TAIPEI) == "Fri 1 Jan 2027 04:00"
    assert words.date_words(dt.date(2028, 2, 29)) == "Tue 29 Feb 2028"
    closed = _Row("opportunity", 4, "update", "closed_at", None, "2026-12-31T20:00:00")
    assert words.Context(zone=TAIPEI).value("closed_at", closed.new) == "Fri 1 Jan 2027 04:00"


def test_counts_agree_and_levels_take_their_article():
    assert [many(n, "deal") for n in (0, 1, 2, 1500)] == [
        "0 deals",
        "1 deal",
        "2 deals",
        "1,500 deals",
    ]
    assert many(1, "currency_no_rate") == "1 currency has no rate"
    assert words.days_from_today(1) == "in 1 day"
    assert words.days_from_today(-3) == "3 days ago"
    assert words.days_from_today(0) == "today"
    assert with_article("opportunity") == "an opportunity"
    assert with_article("prospect") == "a prospect"


def test_duplicates_of_several_leads_name_them_all():
    row = _Row("lead", 9, "duplicate_saved", "duplicate_of", None, "3,5")
    assert [line.text for line in describe([row])] == ["saved although it matches leads #3, #5"]


def test_gate_says_already_an_opportunity(db, config):
    alice, anna, _, opp = _a_leads_life(config)
    assert "lead #1 is already an opportunity" in [p.message for p in alice.gate_problems(anna)]
    alice.win(opp)
    assert "lead #1 is already a customer" in [p.message for p in alice.gate_problems(anna)]


# ------------------------------------------------------------------------ undo


def test_undo_says_what_went_back_where(db, config):
    clock = Clock(T0)
    alice = Funnel(config, "alice", clock)
    lead = alice.capture_lead({"name": "Anna Dup", "email": "a@dup.com", "company": "Acme"})
    clock.tick()
    alice.set_status(lead.id, "unqualified", reason="student")
    clock.tick()
    assert (
        alice.undo_last("lead", lead.id).summary()
        == "Undone: your change of status on lead #1 Anna Dup: back to new."
    )
    clock.tick()
    alice.update_lead(lead.id, {"title": "CTO", "phone": "+48 600 100 200", "company": "Globex"})
    clock.tick()
    assert alice.undo_last("lead", lead.id).summary() == (
        "Undone: your edit of lead #1 Anna Dup: "
        "phone back to empty, title back to empty, company back to Acme."
    )
    clock.tick()
    alice.answer(lead.id, "need", "yes", evidence="fleet on paper")
    clock.tick()
    assert alice.undo_last("lead", lead.id).summary() == (
        "Undone: your checklist answer on lead #1 Anna Dup: "
        "Need back to unknown, Need evidence back to empty."
    )


def test_undo_of_a_deal_names_the_move_the_win_or_the_loss(db, config):
    clock = Clock(T0)
    alice = Funnel(config, "alice", clock)
    lead = alice.capture_lead({"name": "Anna Dup", "email": "a@dup.com"})
    for item in ("budget", "authority", "need", "timeline"):
        alice.answer(lead.id, item, "yes")
    alice.promote(lead.id)
    opp = alice.convert(lead.id, amount="10", name="Fleet", today=T0.date())
    for act, expected in (
        (
            lambda: alice.move(opp.id, "Proposal"),
            "your move of opportunity #1 Fleet: back to Qualification",
        ),
        (lambda: alice.win(opp.id), "your win of opportunity #1 Fleet: back to Qualification"),
        (
            lambda: alice.lose(opp.id, "Price"),
            "your loss of opportunity #1 Fleet: back to Qualification",
        ),
    ):
        clock.tick()
        act()
        clock.tick()
        assert alice.undo_last("opportunity", opp.id).summary() == f"Undone: {expected}."


def test_undo_summary_folds_more_than_three_fields():
    fields = [(name, "x", "") for name in ("name", "title", "notes", "source", "country")]
    said = undo_summary("lead", 4, "update", fields, "Ola")
    assert said == (
        "Undone: your edit of lead #4 Ola: name back to empty, title back to empty, "
        "notes back to empty and 2 more."
    )


def test_undo_refusals_name_the_change_and_the_field(db, config, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Taipei")  # the user's zone, where the time is told
    clock = Clock(T0)
    alice, bob = Funnel(config, "alice", clock), Funnel(config, "bob", clock)
    lead = alice.capture_lead({"name": "Anna Dup", "email": "a@dup.com"})
    clock.tick()
    with pytest.raises(Refused, match=r"your last change \(the creation of lead #1\) stays"):
        alice.undo_last()
    alice.update_lead(lead.id, {"notes": "x"})
    clock.tick(60)
    bob.update_lead(lead.id, {"notes": "y"})
    with pytest.raises(Refused) as refused:
        alice.undo_last("lead", lead.id)
    assert "bob changed the notes of lead #1 since (Mon 2 Nov 2026 10:31)" in str(refused.value)


# ------------------------------------------------------------ the command line


def _funnel(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "funnel_tui", *args],
        env={**env, "TZ": "Asia/Taipei"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_history_table_reads_in_words_and_json_keeps_the_rows(cli_env, tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text("name,email\nImre Nagy,imre@example.hu\n", encoding="utf-8")
    _funnel(cli_env, "add", "--name", "Anna Dup", "--email", "A@dup.com")
    _funnel(cli_env, "qualify", "1", "--budget", "yes")
    _funnel(cli_env, "import", str(csv))
    table = _funnel(cli_env, "history")
    assert table.splitlines()[0].split() == ["when", "user", "record", "change"]
    assert "captured: Anna Dup, A@dup.com" in table
    assert "Budget: unknown → yes" in table
    assert "imported from leads.csv, row 2: Imre Nagy, imre@example.hu" in table
    assert "email_norm" not in table and "{" not in table
    rows = json.loads(_funnel(cli_env, "history", "--format", "json"))
    assert [set(r) for r in rows] == [
        {"id", "at", "user", "record", "action", "field", "old", "new"}
    ] * len(rows)
    assert [(r["action"], r["field"], r["new"]) for r in rows[1:2]] == [
        ("qualify", "budget.answer", "yes")
    ]
    assert json.loads(rows[0]["new"])["email_norm"] == "A@dup.com"


def test_a_leads_life_reads_in_german_and_polish(db, config):
    from funnel_tui.core.i18n import use_language

    _a_leads_life(config)
    entries = history_entries()
    with use_language("de"):
        said = [line.text for line in describe(entries, config, TAIPEI, company_names(entries))]
        assert "Budget: unbekannt → ja" in said
        assert "Position: leer → CTO" in said
        assert "Status: Neu → Zurückgestellt bis Mo., 1. März 2027" in said
    with use_language("pl"):
        said = [line.text for line in describe(entries, config, TAIPEI, company_names(entries))]
        assert "Budżet: nieznane → tak" in said


def test_every_change_undo_refuses_to_take_back_is_named_in_words():
    """Undo's refusal names the change ("the erasure on request of lead #3"), never the
    stored action ("erase lead #3")."""
    from funnel_tui.rules.history_words import CHANGE_NAMES
    from funnel_tui.rules.undo import NOT_UNDONE

    assert set(NOT_UNDONE) - set(CHANGE_NAMES) == set()
