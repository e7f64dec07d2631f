"""Handing over (rules.assign) on SQLite and PostgreSQL: one record, many leads, a rep's
open work; who a typed name means; the history's words; undo of the whole action."""

from __future__ import annotations

import pytest

from funnel_tui.core.errors import NotFound, Refused, StaleEdit
from funnel_tui.read.history import history_entries
from funnel_tui.rules.assign import resolve_user
from funnel_tui.rules.bulk_leads import NewLead
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import describe
from funnel_tui.storage.models import History, Lead, Opportunity, User, database

ANNA = {
    "name": "Anna Kowalska",
    "phone": "512 345 678",
    "email": "anna@kowalski.pl",
    "country": "PL",
}
USERS = [(1, "ana", "Ana Lima"), (2, "ben", "Ben Ortiz"), (3, "carla", "")]


def _as(rules: Funnel, login: str) -> Funnel:
    return Funnel(rules.config, login, rules.now)


def _leads(rules: Funnel, count: int, status: str = "new") -> list[int]:
    rows = [
        NewLead(
            {
                "name": f"Lead {n}",
                "name_key": f"lead {n}",
                "email_raw": f"l{n}@example.com",
                "email_norm": f"l{n}@example.com",
                "status": status,
            },
            "",
            "",
        )
        for n in range(count)
    ]
    with database.atomic():
        return rules.insert_leads(rows, action="create")


def _owners(ids):
    found = dict(Lead.select(Lead.id, User.login).join(User, on=Lead.owner == User.id).tuples())
    return [found[i] for i in ids]


# ------------------------------------------------------------------ who is meant


def test_exact_login_and_folded_display_name_find_the_user():
    assert resolve_user("ben", USERS).user_id == 2
    assert resolve_user("BEN", USERS).login == "ben"
    assert resolve_user("ana lima", USERS).login == "ana"


@pytest.mark.parametrize("typed", ["bne", "benn", "carl", "Ana Lma"])
def test_a_name_one_slip_from_a_user_is_refused_with_the_close_name(typed):
    with pytest.raises(Refused) as refused:
        resolve_user(typed, USERS)
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("to", "misspelt_user")
    assert f'no user "{typed}"; did you mean' in problem.message


def test_the_suggestion_names_the_login():
    with pytest.raises(Refused, match='did you mean "ben"'):
        resolve_user("bne", USERS)


def test_a_name_far_from_every_user_is_someone_new():
    person = resolve_user("dorota", USERS)
    assert person.new and person.user_id is None and person.login == "dorota"


def test_a_close_name_confirmed_as_new_is_someone_new():
    assert resolve_user("bob", [(1, "rob", "")], new_ok={"bob"}).new


def test_long_names_may_be_two_slips_off():
    users = [(1, "margarethe", "")]
    with pytest.raises(Refused):
        resolve_user("margerethe", users)  # one slip
    with pytest.raises(Refused):
        resolve_user("magrarethe", users)  # a swap and a change: two
    assert resolve_user("margot", users).new


def test_a_display_name_two_users_share_is_ambiguous():
    with pytest.raises(Refused, match='"ben", "benny"'):
        resolve_user("Ben", [(1, "ben", "Benny"), (2, "benny", "Ben")])


# ------------------------------------------------------------------ one record


def test_assign_one_lead_records_who_handed_it_to_whom(rules, clock):
    lead = rules.capture_lead({"name": "Anna", "email": "anna@example.com"})
    _as(rules, "ben").find_users(["ben"])  # nothing written by a look-up
    User.create(login="ben", display_name="Ben", created_at=clock())
    done = rules.assign("lead", lead.id, "ben", expected_version=lead.version)
    assert (done.leads, done.created, done.to) == (1, (), ("ben",))
    stored = Lead.get_by_id(lead.id)
    assert stored.owner.login == "ben" and stored.version == lead.version + 1
    row = History.get((History.entity == "lead") & (History.action == "assign"))
    assert (row.field, row.old, row.new, row.version) == ("owner", "alice", "ben", stored.version)
    lines = describe(history_entries(lead_id=lead.id))
    assert lines[-1].text == "handed over: from alice to ben"


def test_assign_to_someone_who_never_used_funnel_makes_them_and_says_so(rules):
    lead = rules.capture_lead({"name": "Anna", "email": "anna@example.com"})
    done = rules.assign("lead", lead.id, "dorota")
    assert done.created == ("dorota",)
    assert "new user dorota was made" in done.summary()
    assert Lead.get_by_id(lead.id).owner.login == "dorota"


def test_assign_to_a_misspelt_user_writes_nothing(rules, clock):
    User.create(login="ben", display_name="Ben", created_at=clock())
    lead = rules.capture_lead({"name": "Anna", "email": "anna@example.com"})
    before = History.select().count(), User.select().count()
    with pytest.raises(Refused, match='did you mean "ben"'):
        rules.assign("lead", lead.id, "bne")
    assert (History.select().count(), User.select().count()) == before
    assert Lead.get_by_id(lead.id).owner.login == "alice"


def test_assign_a_deal(rules):
    lead = rules.capture_lead(ANNA)
    deal_id = _deal(rules, lead.id)
    done = _as(rules, "alice").assign("opportunity", deal_id, "ben")
    assert (done.deals, done.leads) == (1, 0)
    assert Opportunity.get_by_id(deal_id).owner.login == "ben"
    assert Lead.get_by_id(lead.id).owner.login == "alice"


def test_assign_on_a_stale_copy_is_refused_when_someone_moved_the_owner(rules, clock):
    lead = rules.capture_lead({"name": "Anna", "email": "anna@example.com"})
    _as(rules, "carla").assign("lead", lead.id, "ben")
    with pytest.raises(StaleEdit):
        rules.assign("lead", lead.id, "dorota", expected_version=lead.version)
    # Another field changed since is no clash with a change of owner.
    fresh = Lead.get_by_id(lead.id)
    rules.update_lead(lead.id, {"title": "CFO"}, expected_version=fresh.version)
    rules.assign("lead", lead.id, "dorota", expected_version=fresh.version)
    assert Lead.get_by_id(lead.id).owner.login == "dorota"


def test_assign_to_the_owner_changes_nothing(rules):
    lead = rules.capture_lead({"name": "Anna", "email": "anna@example.com"})
    count = History.select().count()
    done = rules.assign("lead", lead.id, "alice")
    assert (done.leads, done.unchanged) == (0, 1)
    assert History.select().count() == count


def test_assign_a_lead_that_is_not_there(rules):
    with pytest.raises(NotFound):
        rules.assign("lead", 999, "ben")


def test_undo_of_one_assignment(rules, clock):
    lead = rules.capture_lead({"name": "Anna", "email": "anna@example.com"})
    rules.assign("lead", lead.id, "ben")
    clock.advance(minutes=1)
    undone = rules.undo_last()
    assert Lead.get_by_id(lead.id).owner.login == "alice"
    assert undone.summary() == 'Undone: your hand-over of lead #1 Anna: owner back to "alice".'


# ------------------------------------------------------------------ many


def test_assign_leads_round_robin_in_one_action(rules, clock):
    ids = _leads(rules, 7)
    done = rules.assign_leads(ids, ["ben", "carla"])
    assert _owners(ids) == ["ben", "carla"] * 3 + ["ben"]
    assert (done.leads, done.per_owner, set(done.created)) == (
        7,
        {"ben": 4, "carla": 3},
        {"ben", "carla"},
    )
    rows = History.select().where(History.action == "assign")
    assert {(r.at, r.user_id) for r in rows} == {(clock(), rules.user_id)}
    assert Lead.get_by_id(ids[0]).version == 2


def test_assign_leads_leaves_those_already_theirs(rules):
    ids = _leads(rules, 3)
    rules.assign_leads(ids[:1], ["ben"])
    done = rules.assign_leads(ids, ["ben"])
    assert (done.leads, done.unchanged) == (2, 1)


def test_assign_leads_refuses_zero_ids_and_unknown_ones_writing_nothing(rules):
    ids = _leads(rules, 2)
    count = History.select().count()
    with pytest.raises(Refused, match="no leads to assign"):
        rules.assign_leads([], ["ben"])
    with pytest.raises(NotFound, match="#999"):
        rules.assign_leads([*ids, 999], ["ben"])
    assert History.select().count() == count
    assert not User.select().where(User.login == "ben").exists()


def test_assign_leads_refuses_a_misspelt_user_among_several(rules, clock):
    User.create(login="carla", display_name="", created_at=clock())
    ids = _leads(rules, 2)
    with pytest.raises(Refused, match='did you mean "carla"'):
        rules.assign_leads(ids, ["ben", "carl"])
    assert _owners(ids) == ["alice", "alice"]


def test_undo_takes_back_a_whole_round_robin(rules, clock):
    ids = _leads(rules, 5)
    rules.assign_leads(ids, ["ben", "carla"])
    clock.advance(minutes=1)
    undone = rules.undo_last()
    assert undone.records == 5
    assert undone.summary() == "Undone: your hand-over of 5 records."
    assert _owners(ids) == ["alice"] * 5
    assert {v for (v,) in Lead.select(Lead.version).tuples()} == {3}
    # And undoing the undo hands them over again.
    clock.advance(minutes=1)
    rules.undo_last()
    assert _owners(ids) == ["ben", "carla", "ben", "carla", "ben"]


def test_undo_refused_when_someone_changed_an_owner_since(rules, clock):
    ids = _leads(rules, 3)
    rules.assign_leads(ids, ["ben"])
    clock.advance(minutes=1)
    _as(rules, "ben").assign("lead", ids[1], "carla")
    clock.advance(minutes=1)
    with pytest.raises(Refused, match="ben changed the owner of lead #2 since"):
        rules.undo_last()
    assert _owners(ids) == ["ben", "carla", "ben"]


# ------------------------------------------------------------------ a rep's work


def _deal(rules: Funnel, lead_id: int) -> int:
    rules.answer(lead_id, "budget", "yes", evidence="said so")
    rules.answer(lead_id, "authority", "yes", evidence="said so")
    rules.answer(lead_id, "need", "yes", evidence="said so")
    rules.answer(lead_id, "timeline", "yes", evidence="said so")
    rules.promote(lead_id)
    return rules.convert(lead_id, amount="1000", currency="EUR", name="Deal").id


def test_hand_over_moves_open_leads_and_deals_with_their_lead(rules, clock):
    ana = _as(rules, "ana")
    ids = _leads(ana, 4)
    ana.set_status(ids[3], "unqualified", reason="no budget")
    lead = ana.capture_lead(ANNA)
    deal_id = _deal(ana, lead.id)
    plan = rules.hand_over("ana", ["ben", "carla"], dry_run=True)
    assert (plan.leads, plan.deals, plan.created) == (4, 1, ("ben", "carla"))
    assert not User.select().where(User.login == "ben").exists()
    done = rules.hand_over("ana", ["ben", "carla"])
    assert (done.leads, done.deals) == (4, 1)
    assert _owners([*ids, lead.id]) == ["ben", "carla", "ben", "ana", "carla"]
    assert Opportunity.get_by_id(deal_id).owner.login == "carla"  # with its lead
    assert "Handed 4 leads and 1 deal from ana to ben, carla" in done.summary()


def test_hand_over_by_status(rules):
    ana = _as(rules, "ana")
    ids = _leads(ana, 2) + _leads(ana, 1, status="nurturing")
    done = rules.hand_over("ana", ["ben"], statuses=["nurturing"], deals=False)
    assert done.leads == 1
    assert _owners(ids) == ["ana", "ana", "ben"]


def test_hand_over_of_nothing_says_so_and_writes_nothing(rules):
    ana = _as(rules, "ana")
    _leads(ana, 1, status="unqualified")
    count = History.select().count()
    with pytest.raises(Refused, match="ana owns no open leads or deals; nothing was handed"):
        rules.hand_over("ana", ["ben"])
    assert History.select().count() == count
    assert not User.select().where(User.login == "ben").exists()


def test_hand_over_from_a_misspelt_user_suggests_the_login(rules):
    _leads(_as(rules, "ana"), 1)
    with pytest.raises(Refused, match='no user "anna"; did you mean "ana"'):
        rules.hand_over("anna", ["ben"])


def test_hand_over_refuses_an_unknown_status(rules):
    with pytest.raises(Refused, match="lost is no lead status"):
        rules.hand_over("alice", ["ben"], statuses=["lost"])


def test_hand_over_of_10000_leads_and_its_undo(rules, clock):
    ana = _as(rules, "ana")
    ids = _leads(ana, 10_000)
    done = rules.hand_over("ana", ["ben", "carla", "dorota"])
    assert done.leads == 10_000
    assert done.per_owner == {"ben": 3334, "carla": 3333, "dorota": 3333}
    assert History.select().where(History.action == "assign").count() == 10_000
    clock.advance(minutes=1)
    assert rules.undo_last().records == 10_000
    assert Lead.select().where(Lead.owner == User.get(User.login == "ana").id).count() == 10_000
    assert _owners(ids[:2]) == ["ana", "ana"]
