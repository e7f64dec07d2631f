"""The command line in the rep's language: every command's help and argparse's own words
("usage:", "options", "invalid choice"), the refusals on stderr and the headings of the
tables for people; the JSON scripts read stays the same in every language."""

from __future__ import annotations

import json

import pytest

from funnel_tui.cli import main
from funnel_tui.core.output import cell_width


def help_of(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_the_whole_help_reads_in_german(capsys):
    said = help_of(["--lang", "de", "--help"], capsys)
    assert said.startswith("Aufruf: funnel ")
    assert "Positionsargumente:" in said
    assert "Optionen:" in said
    assert "diese Hilfe anzeigen und beenden" in said
    assert "einen Lead erfassen" in said  # add
    assert "eine Verkaufschance als gewonnen markieren" in said  # win
    assert "Version von funnel ausgeben und beenden" in said
    # argparse's own English is gone, and so is funnel's
    for english in ("usage:", "positional arguments", "show this help", "capture a lead"):
        assert english not in said


def test_a_commands_help_reads_in_polish(capsys):
    said = " ".join(help_of(["--lang", "pl", "list", "--help"], capsys).split())
    assert said.startswith("użycie: funnel list ")
    assert "opcje:" in said
    assert "wypisz leady" in said
    assert "tylko leady tego użytkownika" in said
    assert "pokaż tę pomoc i zakończ" in said
    # metavars and choices are what is typed: they stay
    assert "--search TEXT" in said
    assert "{table,csv,json}" in said


def test_chinese_help_is_wrapped_to_the_terminal_by_its_columns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    said = help_of(["--lang", "zh_TW", "import", "--help"], capsys)
    assert said.startswith("用法：funnel import ")
    assert "從 CSV 檔" in said
    assert "\n選項：\n" in said  # a Chinese colon after a Chinese heading
    assert "被拒絕的列寫入何處" in said
    assert max(cell_width(line) for line in said.splitlines()) <= 80
    # the usage's second line stands under the first's arguments, by columns
    first, second = said.splitlines()[:2]
    assert cell_width(first[: first.index("[")]) == len(second) - len(second.lstrip())


def test_the_environments_language_is_spoken_without_lang(capsys, monkeypatch):
    monkeypatch.delenv("LC_ALL")
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    said = help_of(["--help"], capsys)
    assert said.startswith("用法：funnel ")
    assert "以鍵盤操作的 CRM" in said
    assert "新增潛在客戶" in said  # add, in Traditional characters, Taiwan's words


def test_refusals_are_said_in_german_with_the_same_exit_codes(made_db, capsys):
    db = made_db
    assert main(["--lang", "de", "--db", db, "update", "1"]) == 1
    assert capsys.readouterr().err == (
        "funnel: nichts zu ändern: geben Sie mindestens ein Feld an, z. B. --phone\n"
    )
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "de", "--db", db, "list", "--format", "xml"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error == (
        "funnel list: Fehler: Argument --format: ungültige Auswahl: 'xml' "
        "(möglich: 'table', 'csv', 'json')"
    )


def test_a_missing_argument_is_said_in_simplified_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "zh_CN", "add"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "funnel add：错误：必须提供下列参数：--name"
    )


def test_json_is_the_same_in_every_language_and_the_table_is_headed_in_the_reps(
    db_target, rules, capsys
):
    lead = rules.capture_lead({"name": "Zoë Kraft", "company": "Kraft GmbH", "email": "z@k.de"})
    rules.capture_lead({"name": "王小明", "email": "wang@example.tw"})

    def run(*argv: str) -> str:
        assert main(["--db", db_target, *argv]) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    for argv in (
        ["list", "--format", "json"],
        ["show", str(lead.id), "--format", "json"],
        ["counts", "--format", "json"],
        ["company", "list", "--format", "json"],
    ):
        english = run(*argv)
        for language in ("de", "pl", "zh_TW", "zh_CN"):
            assert run("--lang", language, *argv) == english, (language, argv)
    json.loads(english)

    assert run("list").splitlines()[0].split()[:3] == ["id", "name", "company"]
    assert run("--lang", "de", "list").splitlines()[0].split()[:3] == ["ID", "Name", "Firma"]
    assert "Kraft GmbH" in run("--lang", "de", "list")


def test_a_stage_is_typed_as_stored_whatever_its_case(config):
    from funnel_tui.cli.common import stored_name, stored_stages

    assert stored_stages(["proposal,lead", "Won"], config) == ["Proposal,lead", "Won"]
    assert stored_name("web FORM", config.lead_sources) == "Web form"
    assert stored_name("Webinar", config.lead_sources) == "Webinar"  # left for the rules


def test_a_confirmation_takes_yes_in_the_reps_language():
    from funnel_tui.cli.assign import confirmed
    from funnel_tui.core.i18n import use_language

    assert confirmed("y") and confirmed("YES") and not confirmed("") and not confirmed("n")
    with use_language("de"):
        assert confirmed("j") and confirmed("Ja") and confirmed("y")
    with use_language("pl"):
        assert confirmed("t") and confirmed("tak")
    assert not confirmed("ja")  # in English, "ja" is no answer


def test_a_stage_and_a_reason_typed_as_the_rep_reads_them_are_stored_by_their_names(
    db_target, rules, capsys
):
    lead = rules.capture_lead({"name": "Anna Berg", "email": "anna@berg.de"})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    deal = rules.convert(lead.id, amount="1000", currency="EUR")

    def run(*argv: str) -> str:
        assert main(["--lang", "de", "--db", db_target, *argv]) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    assert (
        run("move", str(deal.id), "angebot") == f"Verkaufschance #{deal.id} ist jetzt in Angebot\n"
    )
    assert (
        json.loads(run("show", str(lead.id), "--format", "json"))["opportunities"][0]["stage"]
        == "Proposal"
    )
    lost = json.loads(run("lose", str(deal.id), "--reason", "Preis", "--format", "json"))
    assert (lost["state"], lost["lost_reason"]) == ("lost", "Price")
    listed = json.loads(run("list", "--stage", "Angebot", "--format", "json"))
    assert listed == []  # the deal is lost now, so no lead stands in Proposal


def test_what_a_command_did_is_said_in_polish_and_its_json_is_not(made_db, capsys):
    db = made_db
    argv = ["--lang", "pl", "--db", db, "add", "--name", "Ewa Nowak", "--email", "ewa@nowak.pl"]
    assert main(argv) == 0
    assert capsys.readouterr().out == "dodano lead #1 Ewa Nowak\n"
    assert main([*argv[:4], "update", "1", "--title", "CEO", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == ["title"]
    # The kind logged and the queue's states in words; its JSON keeps the keys.
    logged = [*argv[:4], "log", "1", "--type", "call", "--outcome", "reached"]
    assert main(logged) == 0
    assert capsys.readouterr().out.startswith("zapisano telefon #1\n")
    assert main([*argv[:4], "today", "--all"]) == 0
    assert "w toku" in capsys.readouterr().out
    assert main([*argv[:4], "today", "--all", "--format", "json"]) == 0
    assert '"working"' in capsys.readouterr().out


def test_an_imports_plan_names_the_fields_in_the_reps_language(tmp_path, made_db, capsys):
    """The columns' fields and how each was found, as the import screen names them."""
    source = tmp_path / "messe.csv"
    source.write_text("Name,Job title,Email,Fax\nAnna Nowak,CEO,anna@nowak.pl,1\n", "utf-8")
    db = made_db
    assert main(["--lang", "de", "--db", db, "import", str(source), "--dry-run"]) == 0
    plan = capsys.readouterr().out
    assert "Position" in plan and "(nicht erkannt)" in plan, plan
    assert "job title" not in plan and "not recognised" not in plan, plan
