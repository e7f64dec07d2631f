"""`funnel assign` and `funnel import --assign-to` on SQLite and PostgreSQL: one record,
a rep's open work with its count confirmed, round-robin, users new and misspelt."""

from __future__ import annotations

import io
import json

import pytest

from funnel_tui.cli import main
from funnel_tui.storage.models import History, Lead, Opportunity, User

from .test_assign import ANNA, _as, _deal, _leads, _owners


def cli(argv: list[str], capsys, db_target, rc: int = 0) -> tuple[str, str]:
    code = main(["--db", db_target, "--user", "alice", *argv])
    out, err = capsys.readouterr()
    assert code == rc, err
    return out, err


class _Typed(io.StringIO):
    """A terminal's standard input with an answer typed."""

    def isatty(self) -> bool:
        return True


def test_assign_one_lead_as_text_and_json(db_target, rules, capsys):
    (lead_id,) = _leads(rules, 1)
    out, _ = cli(["assign", str(lead_id), "--to", "ben"], capsys, db_target)
    assert out == "Handed lead #1 to ben; new user ben was made.\n"
    out, _ = cli(["assign", str(lead_id), "--to", "ben", "--format", "json"], capsys, db_target)
    assert json.loads(out)["unchanged"] == 1
    out, _ = cli(["assign", "1", "--to", "carla", "--format", "json"], capsys, db_target)
    data = json.loads(out)
    assert (data["leads"], data["to"], data["created_users"]) == (1, ["carla"], ["carla"])
    assert _owners([lead_id]) == ["carla"]


def test_assign_a_deal(db_target, rules, capsys):
    lead = rules.capture_lead(ANNA)
    deal_id = _deal(rules, lead.id)
    out, _ = cli(["assign", str(deal_id), "--opportunity", "--to", "ben"], capsys, db_target)
    assert out.startswith(f"Handed opportunity #{deal_id} to ben")
    assert Opportunity.get_by_id(deal_id).owner.login == "ben"


def test_a_misspelt_user_is_refused_with_the_close_name_and_the_way_past(
    db_target, rules, capsys, clock
):
    User.create(login="ben", display_name="Ben Ortiz", created_at=clock())
    (lead_id,) = _leads(rules, 1)
    _, err = cli(["assign", str(lead_id), "--to", "bne"], capsys, db_target, rc=1)
    assert err.splitlines() == [
        'funnel: to: no user "bne"; did you mean "ben"? (if "bne" is someone new, confirm '
        "it to add them)",
        "funnel: nothing was changed; if bne is someone new: --new-user bne",
    ]
    assert _owners([lead_id]) == ["alice"]
    cli(["assign", str(lead_id), "--to", "bne", "--new-user", "bne"], capsys, db_target)
    assert _owners([lead_id]) == ["bne"]


def test_hand_over_in_a_script_needs_yes(db_target, rules, capsys, monkeypatch):
    ids = _leads(_as(rules, "ana"), 3)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    _, err = cli(["assign", "--from", "ana", "--to", "ben,carla"], capsys, db_target, rc=1)
    assert "Would hand 3 leads from ana to ben, carla (ben 2, carla 1)" in err
    assert "add --yes" in err
    assert (
        _owners(ids) == ["ana"] * 3
        and not History.select().where(History.action == "assign").exists()
    )
    out, _ = cli(["assign", "--from", "ana", "--to", "ben,carla", "--yes"], capsys, db_target)
    assert out.startswith("Handed 3 leads from ana to ben, carla (ben 2, carla 1)")
    assert _owners(ids) == ["ben", "carla", "ben"]


def test_hand_over_asks_at_a_terminal(db_target, rules, capsys, monkeypatch):
    ids = _leads(_as(rules, "ana"), 2)
    monkeypatch.setattr("sys.stdin", _Typed("n\n"))
    out, err = cli(["assign", "--from", "ana", "--to", "ben"], capsys, db_target, rc=1)
    assert "Would hand 2 leads from ana to ben" in out and "not confirmed" in err
    assert _owners(ids) == ["ana", "ana"]
    monkeypatch.setattr("sys.stdin", _Typed("y\n"))
    out, _ = cli(["assign", "--from", "ana", "--to", "ben"], capsys, db_target)
    assert "Handed 2 leads from ana to ben" in out
    assert _owners(ids) == ["ben", "ben"]


def test_hand_over_by_status_as_json(db_target, rules, capsys):
    ana = _as(rules, "ana")
    ids = _leads(ana, 1) + _leads(ana, 1, status="nurturing")
    argv = ["assign", "--from", "ana", "--to", "ben", "--status", "nurturing", "--yes"]
    out, _ = cli([*argv, "--format", "json"], capsys, db_target)
    assert json.loads(out) == {
        "leads": 1,
        "deals": 0,
        "unchanged": 0,
        "to": ["ben"],
        "from": "ana",
        "per_owner": {"ben": 1},
        "created_users": ["ben"],
        "dry_run": False,
    }
    assert _owners(ids) == ["ana", "ben"]


def test_hand_over_of_nothing(db_target, rules, capsys):
    _as(rules, "ana").user_id  # noqa: B018 - ana exists, owning nothing
    _, err = cli(["assign", "--from", "ana", "--to", "ben", "--yes"], capsys, db_target, rc=1)
    assert err == "funnel: from: ana owns no open leads or deals; nothing was handed over\n"


def test_assign_needs_an_id_or_from(db_target, rules, capsys):
    _, err = cli(["assign", "--to", "ben"], capsys, db_target, rc=1)
    assert "give a record's ID" in err


@pytest.fixture
def people_csv(tmp_path):
    path = tmp_path / "people.csv"
    rows = [f"Person {n},p{n}@example.com" for n in range(5)]
    path.write_text("Name,Email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_assign_to_round_robin(db_target, rules, capsys, people_csv, clock):
    User.create(login="ana", display_name="Ana Lima", created_at=clock())
    argv = ["import", str(people_csv), "--assign-to", "ana,ben", "--format", "json"]
    out, _ = cli(argv, capsys, db_target)
    report = json.loads(out)
    assert (report["inserted"], report["assigned_to"], report["created_users"]) == (
        5,
        ["ana", "ben"],
        ["ben"],
    )
    ids = [i for (i,) in Lead.select(Lead.id).order_by(Lead.id).tuples()]
    assert _owners(ids) == ["ana", "ben", "ana", "ben", "ana"]


def test_import_assign_to_a_misspelt_user_imports_nothing(
    db_target, rules, capsys, people_csv, clock
):
    User.create(login="carla", display_name="", created_at=clock())
    _, err = cli(["import", str(people_csv), "--assign-to", "carl"], capsys, db_target, rc=1)
    assert 'did you mean "carla"' in err
    assert Lead.select().count() == 0
