"""`funnel merge` on SQLite and PostgreSQL: the plan shown, --take/--keep, --yes in a
script, JSON, the refusals' words and exit codes, and `funnel undo` taking it back."""

from __future__ import annotations

import json

import pytest

from funnel_tui.cli import main

ANNA = ["--name", "Anna Kowalska", "--company", "Kowalski Logistyka", "--phone", "+48512345678"]
ANNA_AGAIN = [
    "--name",
    "Anna Kowalska",
    "--company",
    "Kowalski Logistyka",
    "--email",
    "anna@kowalski.pl",
    "--title",
    "CFO",
    "--allow-duplicate",
]


@pytest.fixture
def funnel(db_target, db, monkeypatch, capsys):
    """`funnel ARGS...` in this process on the test's database (made beforehand): (exit
    code, out, err)."""
    monkeypatch.setenv("FUNNEL_DB", db_target)
    monkeypatch.setenv("FUNNEL_USER", "carol")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _two(funnel) -> None:
    assert funnel("add", *ANNA)[0] == 0
    assert funnel("add", *ANNA_AGAIN)[0] == 0


def test_merge_shows_the_plan_and_needs_yes_in_a_script(funnel):
    _two(funnel)
    code, out, err = funnel("merge", "1", "2")
    assert code == 1
    assert "Merge lead #2 Anna Kowalska into lead #1 Anna Kowalska" in out
    assert "email: anna@kowalski.pl  (from #2)" in out
    assert "add --yes to merge without asking" in err
    code, out, _ = funnel("list", "--format", "json")
    assert len(json.loads(out)) == 2  # nothing merged


def test_merge_with_yes_take_and_json_then_undo(funnel):
    _two(funnel)
    code, out, err = funnel("merge", "1", "#2", "--keep", "title", "--yes", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["merged"] is True and result["taken"] == ["email"]
    assert result["keep"]["id"] == 1 and result["other"]["id"] == 2
    listed = json.loads(funnel("list", "--format", "json")[1])
    assert [(r["id"], r["email"], r["title"]) for r in listed] == [(1, "anna@kowalski.pl", "")]
    shown = json.loads(funnel("show", "2", "--format", "json")[1])
    assert shown["merged_into"] == 1
    code, out, _ = funnel("undo")
    assert code == 0 and "Undone: your merge of lead #2 into lead #1" in out
    assert len(json.loads(funnel("list", "--format", "json")[1])) == 2


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["1", "1"], "lead #1 cannot be merged into itself"),
        (["1", "9"], "no lead #9"),
        (["1", "company:1"], "a lead merges with a lead, a company with a company"),
        (["1", "x"], "OTHER: 'x' is not a record"),
        (["1", "2", "--take", "budget"], "'budget' is not a field the two records hold"),
    ],
)
def test_merge_refusals_name_what_is_wrong_and_merge_nothing(funnel, args, said):
    _two(funnel)
    code, _, err = funnel("merge", *args, "--yes")
    assert code == 1
    assert said in err
    assert "Traceback" not in err
    assert len(json.loads(funnel("list", "--format", "json")[1])) == 2


def test_merge_companies(funnel):
    assert funnel("add", *ANNA)[0] == 0
    assert (
        funnel(
            "add", "--name", "Jan Nowak", "--company", "Kowalski Log.", "--phone", "+48600100200"
        )[0]
        == 0
    )
    code, out, err = funnel("merge", "--companies", "1", "2", "--yes")
    assert code == 0, err
    assert "Merged company #2 into company #1" in out
    listed = json.loads(funnel("list", "--format", "json")[1])
    assert {r["company"] for r in listed} == {"Kowalski Logistyka"}
