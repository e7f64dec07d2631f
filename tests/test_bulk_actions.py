"""Acting on many leads at once (rules/bulk_actions.py), on SQLite and PostgreSQL: a
status with its reason or date on each, the same activity on each, one transaction and
one undo step each, refused whole when someone changed a lead since, and nothing
written for no leads."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.core.errors import Refused
from funnel_tui.core.vocab import NURTURE_ACTION
from funnel_tui.rules.bulk_actions import BULK_ACTIVITY, BULK_STATUS
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import describe
from funnel_tui.rules.undo import BATCH_ACTIONS
from funnel_tui.storage.models import Activity, History, Lead


def _leads(rules, count: int) -> list[int]:
    return [
        rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"}).id
        for n in range(count)
    ]


def _state(ids):
    return {
        lead.id: (lead.status, lead.unqualified_reason, lead.nurture_until, lead.next_action)
        for lead in Lead.select().where(Lead.id.in_(ids))
    }


def test_the_bulk_actions_are_batches_undo_takes_back_as_one_step():
    assert {BULK_STATUS, BULK_ACTIVITY} <= BATCH_ACTIONS


def test_status_set_on_many_with_a_reason_is_one_change_each_sharing_its_moment(rules, clock):
    ids = _leads(rules, 5)
    rules.set_status(ids[0], "unqualified", reason="No budget")  # already as wanted
    clock.advance(minutes=1)
    done = rules.bulk_set_status(ids, "unqualified", reason="No budget")
    assert (done.changed, done.unchanged, done.missing) == (4, 1, 0)
    assert all(s == ("unqualified", "No budget", None, "") for s in _state(ids).values())
    rows = list(History.select().where(History.action == BULK_STATUS))
    assert {(r.entity_id, r.field, r.old, r.new) for r in rows} == {
        *((i, "status", "new", "unqualified") for i in ids[1:]),
        *((i, "unqualified_reason", "", "No budget") for i in ids[1:]),
    }
    assert {r.at for r in rows} == {clock.now} and {r.version for r in rows} == {2}
    assert all(lead.version == 2 for lead in Lead.select().where(Lead.id.in_(ids[1:])))
    said = describe(rows[:2])
    assert said[0].body == "new → unqualified: No budget", said


def test_nurturing_many_sets_the_date_and_the_next_action_and_undo_restores_all(rules, clock):
    ids = _leads(rules, 3)
    rules.set_status(ids[1], "working")
    before = _state(ids)
    clock.advance(minutes=1)
    until = rules.today() + dt.timedelta(days=30)
    rules.bulk_set_status(ids, "nurturing", until=until)
    for lead in Lead.select().where(Lead.id.in_(ids)):
        assert (lead.status, lead.nurture_until) == ("nurturing", until)
        assert (lead.next_action, lead.next_action_due) == (NURTURE_ACTION, until)
    clock.advance(minutes=1)
    undone = rules.undo_last()
    assert undone.records == 3
    assert undone.summary() == "Undone: your status change on 3 records."
    assert _state(ids) == before
    assert all(lead.next_action_due is None for lead in Lead.select().where(Lead.id.in_(ids)))


def test_a_status_refused_for_one_lead_is_refused_for_many_and_writes_nothing(rules):
    ids = _leads(rules, 2)
    for status, kwargs, field in (
        ("unqualified", {}, "reason"),
        ("nurturing", {}, "until"),
        ("nurturing", {"until": rules.today() - dt.timedelta(days=1)}, "until"),
        ("gone", {}, "status"),
    ):
        with pytest.raises(Refused) as refused:
            rules.bulk_set_status(ids, status, **kwargs)
        assert refused.value.problems[0].field == field
    assert History.select().where(History.action == BULK_STATUS).count() == 0


def test_an_action_on_no_leads_says_so_and_writes_nothing(rules):
    before = History.select().count()
    with pytest.raises(Refused) as refused:
        rules.bulk_set_status([], "working")
    assert refused.value.problems[0].field == "leads"
    assert "nothing was changed" in str(refused.value.problems[0])
    with pytest.raises(Refused):
        rules.bulk_log_activity([], kind="call", outcome="reached")
    with pytest.raises(Refused) as gone:
        rules.bulk_set_status([987654], "working")
    assert "none of the 1 leads" in str(gone.value.problems[0])
    assert History.select().count() == before


def test_undo_of_a_status_on_many_is_refused_whole_when_someone_changed_one_since(
    rules, config, clock
):
    ids = _leads(rules, 3)
    clock.advance(minutes=1)
    rules.bulk_set_status(ids, "working")
    clock.advance(minutes=1)
    bob = Funnel(config, "bob", clock)
    bob.set_status(ids[2], "unqualified", reason="No budget")
    clock.advance(minutes=1)
    with pytest.raises(Refused) as refused:
        rules.undo_last()
    message = str(refused.value.problems[0])
    assert "bob" in message and f"#{ids[2]}" in message, message
    assert [s[0] for s in _state(ids).values()] == ["working", "working", "unqualified"]


def test_an_activity_logged_on_many_moves_new_leads_settles_next_actions_and_undoes(rules, clock):
    ids = _leads(rules, 3)
    due = rules.today() + dt.timedelta(days=2)
    first = rules.log_activity(
        lead_id=ids[0], kind="email", outcome="sent", next_action="Call", next_due=due
    )
    rules.set_status(ids[1], "working")
    before = {
        lead.id: (lead.status, lead.version, lead.last_activity_at, lead.engagement_key,
                  lead.next_action, lead.next_action_due)
        for lead in Lead.select().where(Lead.id.in_(ids))
    }  # fmt: skip
    clock.advance(hours=1)
    later = rules.today() + dt.timedelta(days=7)
    done = rules.bulk_log_activity(
        ids, kind="call", outcome="reached", note="Fair follow-up", next_action="Demo",
        next_due=later,
    )  # fmt: skip
    assert done.changed == 3
    made = list(Activity.select().where(Activity.id != first.id))
    assert len(made) == 3 and {a.note for a in made} == {"Fair follow-up"}
    assert Activity.get_by_id(first.id).next_action_done is True
    for lead in Lead.select().where(Lead.id.in_(ids)):
        assert (lead.status, lead.next_action, lead.next_action_due) == ("working", "Demo", later)
        assert lead.last_activity_at == clock.now and lead.engagement_key is not None
    one = Funnel(rules.config, "alice", clock)
    assert one.engagement(ids[2]).interactions == 1
    rows = list(History.select().where(History.action == BULK_ACTIVITY).order_by(History.id))
    assert {r.at for r in rows} == {clock.now}
    lines = describe(rows)
    assert any(line.head == "logged a call" and "reached" in line.body for line in lines), lines
    # Undone as one step: the activities go, the first one's next action is open again,
    # and each lead is as it was.
    clock.advance(minutes=1)
    undone = rules.undo_last()
    assert undone.records == 3
    assert undone.summary() == "Undone: your activity logged on 3 records."
    assert Activity.select().count() == 1
    assert Activity.get_by_id(first.id).next_action_done is False
    after = {
        lead.id: (lead.status, lead.last_activity_at, lead.engagement_key,
                  lead.next_action, lead.next_action_due)
        for lead in Lead.select().where(Lead.id.in_(ids))
    }  # fmt: skip
    assert after == {i: (s, la, k, na, nd) for i, (s, _v, la, k, na, nd) in before.items()}
    # ... and the undo undone logs them again, with their ids.
    clock.advance(minutes=1)
    rules.undo_last()
    assert {a.id for a in Activity.select()} == {first.id, *(a.id for a in made)}
    assert all(
        lead.next_action == "Demo" and lead.status == "working"
        for lead in Lead.select().where(Lead.id.in_(ids))
    )
    assert Activity.get_by_id(first.id).next_action_done is True
    lines = describe(History.select().where(History.action == "undo_batch"))
    assert any("(by undo)" in line.body for line in lines), lines


def test_an_activity_on_many_is_refused_as_one_is(rules):
    ids = _leads(rules, 2)
    with pytest.raises(Refused) as refused:
        rules.bulk_log_activity(ids, kind="call", next_action="Call back")
    assert refused.value.problems[0].field == "due"
    with pytest.raises(Refused) as refused:
        rules.bulk_log_activity(ids, kind="fax")
    assert refused.value.problems[0].field == "type"
    assert Activity.select().count() == 0


def test_a_next_action_on_unqualified_leads_is_refused_as_it_would_show_nowhere(rules, clock):
    """Today, the calendar and the reminders leave unqualified leads out: a next action
    set on one was accepted and then seen nowhere. One lead or many, it is refused,
    naming them, and nothing is written; an activity without one is logged as before."""
    ids = _leads(rules, 3)
    for lead_id in ids[1:]:
        rules.set_status(lead_id, "unqualified", reason="No budget")
    tomorrow = clock().date() + dt.timedelta(days=1)
    with pytest.raises(Refused) as refused:
        rules.log_activity(lead_id=ids[1], kind="call", next_action="Try again",
                           next_due=tomorrow)  # fmt: skip
    (problem,) = refused.value.problems
    assert problem.field == "next_action"
    assert problem.message.startswith(f"lead #{ids[1]} (Lead 1) is unqualified: a next action")
    with pytest.raises(Refused) as refused:
        rules.bulk_log_activity(ids, kind="email", next_action="Call", next_due=tomorrow)
    assert f"leads #{ids[1]}, #{ids[2]} are unqualified" in str(refused.value.problems[0])
    assert Activity.select().count() == 0
    assert Lead.get_by_id(ids[0]).next_action_due is None
    rules.log_activity(lead_id=ids[1], kind="call", outcome="reached", note="Still no budget")
    assert Activity.select().count() == 1


def test_many_leads_in_several_statements_report_progress(rules, monkeypatch):
    from funnel_tui.rules import bulk_actions

    monkeypatch.setattr(bulk_actions, "CHUNK", 2)
    ids = _leads(rules, 5)
    seen = []
    rules.bulk_set_status(ids, "working", progress=lambda done, of: seen.append((done, of)))
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert {s[0] for s in _state(ids).values()} == {"working"}


def test_a_lead_merged_since_it_was_marked_is_skipped_and_counted(rules, clock):
    ids = _leads(rules, 3)
    rules.merge_leads(ids[0], ids[1])
    clock.advance(minutes=1)
    done = rules.bulk_set_status(ids, "working")
    assert (done.changed, done.unchanged, done.missing) == (2, 0, 1)
    assert Lead.get_by_id(ids[1]).status == "new"  # the merged record is left as it was


def test_mark_all_finds_every_lead_the_list_shows_for_its_query(rules):
    from funnel_tui.read.queries import LeadQuery, lead_count, lead_ids, lead_page

    ids = _leads(rules, 7)
    rules.set_status(ids[0], "working")
    rules.merge_leads(ids[1], ids[2])  # a merged lead is never listed, nor marked
    for query in (
        LeadQuery(),
        LeadQuery(statuses=("new",)),
        LeadQuery(text="lead"),
        LeadQuery(text="lead3@example"),
        LeadQuery(text="lead", statuses=("working",)),
        LeadQuery(text="nobody"),
    ):
        shown = [row["id"] for row in lead_page(query, 0, 100)]
        assert sorted(lead_ids(query)) == sorted(shown), query
        assert len(shown) == lead_count(query)
    assert ids[2] not in lead_ids(LeadQuery())


def test_an_export_of_the_marked_leads_writes_those_and_no_other(rules):
    import io

    from funnel_tui.read.queries import LeadFilter
    from funnel_tui.transfer.exporter import export_leads

    ids = _leads(rules, 5)
    out = io.StringIO()
    count = export_leads(out, "csv", LeadFilter(ids=(ids[3], ids[1], ids[3])))
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert count == 2 and len(lines) == 3
    assert [line.split(",")[0] for line in lines[1:]] == [str(ids[1]), str(ids[3])]


def test_a_lead_changed_since_it_was_marked_gets_the_status_from_its_current_one(
    rules, config, clock
):
    """The documented choice for stale rows: the marks name leads, and the action
    applies to each as it is now; its history says the old value it really had."""
    ids = _leads(rules, 2)  # both new when alice marks them
    bob = Funnel(config, "bob", clock)
    bob.set_status(ids[0], "unqualified", reason="No budget")
    clock.advance(minutes=1)
    rules.bulk_set_status(ids, "working")
    rows = History.select().where((History.action == BULK_STATUS) & (History.entity_id == ids[0]))
    assert {(r.field, r.old, r.new) for r in rows} == {
        ("status", "unqualified", "working"),
        ("unqualified_reason", "No budget", ""),
    }
    assert Lead.get_by_id(ids[0]).version == 3  # bob's change, then alice's
