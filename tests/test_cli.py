"""The command line as a script sees it: output, exit codes, messages naming fields."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from funnel_tui.cli import main

NEXT_YEAR = dt.date.today().year + 1  # dates that stay in the future

HOSTILE = [
    "[bold red]x",
    "=cmd|' /C calc'!A0",
    "王小明",
    "שלום",
    "🚀 Zoë",
    "m" * 500,
]


def run(args: list[str], env: dict, check_rc: int | None = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "funnel_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if check_rc is not None:
        assert result.returncode == check_rc, result.stderr
    return result


def test_add_then_list_as_json_round_trips_hostile_text(cli_env):
    for index, name in enumerate(HOSTILE):
        run(["add", "--name", name, "--email", f"p{index}@example.com", "--note", name], cli_env)
    listed = json.loads(run(["list", "--format", "json"], cli_env).stdout)
    assert sorted(row["name"] for row in listed) == sorted(HOSTILE)


def test_escape_codes_are_stripped_before_storing(cli_env):
    run(["add", "--name", "\x1b[2Jevil\x1b[0m", "--email", "e@example.com"], cli_env)
    listed = json.loads(run(["list", "--format", "json"], cli_env).stdout)
    assert listed[0]["name"] == "[2Jevil[0m"


def test_refused_input_exits_1_and_names_each_field(cli_env):
    result = run(["add", "--name", "", "--phone", "+48 12 34", "--email", "a@"], cli_env, 1)
    lines = result.stderr.splitlines()
    assert lines[0] == "funnel: name: is required"
    assert lines[1] == "funnel: phone: +48 12 34 is too short for Poland"
    assert lines[2].startswith("funnel: email: a@ is not valid")
    assert json.loads(run(["list", "--format", "json"], cli_env).stdout) == []


def test_usage_errors_exit_2(cli_env):
    assert run(["list", "--format", "xml"], cli_env, 2).stderr.startswith("usage:")
    assert run(["add"], cli_env, 2).returncode == 2


def test_duplicate_is_refused_until_allowed(cli_env):
    args = ["add", "--name", "Jan", "--phone", "+48 512 345 678"]
    run(args, cli_env)
    refused = run([*args[:2], "Jan Nowak", *args[3:]], cli_env, 1)
    assert "funnel: phone: matches lead #1 Jan" in refused.stderr
    run([*args, "--allow-duplicate"], cli_env)
    assert len(json.loads(run(["list", "--format", "json"], cli_env).stdout)) == 2


def test_csv_export_cannot_start_a_formula(cli_env):
    run(
        ["add", "--name", "=1+2", "--email", "f@example.com", "--phone", "+48 512 345 678"], cli_env
    )
    text = run(["list", "--format", "csv"], cli_env).stdout
    row = text.splitlines()[1]
    assert row.startswith("1,'=1+2,")
    # A plain number stays readable (and re-imports as the same phone); the typed form
    # with spaces is not a number a spreadsheet would keep, so it is neutralised.
    assert ",+48512345678," in row
    assert ",'+48 512 345 678," in row


def test_list_filters_by_status_and_stage(cli_env):
    run(["add", "--name", "New One", "--email", "n@example.com"], cli_env)
    run(["add", "--name", "Gone", "--email", "g@example.com"], cli_env)
    run(["status", "2", "unqualified", "--reason", "left the company"], cli_env)

    def names(*filters):
        listed = run(["list", *filters, "--format", "json"], cli_env).stdout
        return [row["name"] for row in json.loads(listed)]

    assert names("--status", "unqualified") == ["Gone"]
    assert names("--stage", "leads") == ["Gone", "New One"]
    assert names("--stage", "prospect") == []
    assert "is not one of" in run(["list", "--stage", "nowhere"], cli_env, 1).stderr


def test_list_sorts_by_score_or_engagement_best_first(cli_env):
    for n, name in enumerate(("Quiet", "Talked to", "Qualified")):
        run(["add", "--name", name, "--email", f"lead{n}@example.com"], cli_env)
    run(["log", "2", "--type", "call", "--outcome", "reached"], cli_env)
    run(["qualify", "3", "--need", "yes", "--budget", "yes"], cli_env)

    def listed(*options):
        rows = json.loads(run(["list", *options, "--format", "json"], cli_env).stdout)
        return [(row["name"], row["score"], row["engagement"]) for row in rows]

    by_engagement = listed("--sort", "engagement")
    assert [name for name, _, _ in by_engagement] == ["Talked to", "Qualified", "Quiet"]
    assert by_engagement[0][2] == 50 and by_engagement[1][2] is None
    by_score = listed("--sort", "score")
    assert by_score[0][0] == "Qualified" and by_score[0][1] > 0 == by_score[1][1]
    table = run(["list", "--sort", "engagement"], cli_env).stdout
    assert "engagement" in table.splitlines()[0]
    shown = run(["show", "2"], cli_env).stdout
    assert "Engagement 50/100: 1 two-way interaction, the last" in shown
    assert "no two-way interaction yet" in run(["show", "1"], cli_env).stdout
    record = json.loads(run(["show", "2", "--format", "json"], cli_env).stdout)
    assert record["engagement"]["level"] == 50
    assert record["engagement"]["two_way_interactions"] == 1
    refused = run(["list", "--sort", "mood"], cli_env, 1).stderr
    assert "sort: 'mood' is not one of newest, score, engagement" in refused


def test_whole_funnel_from_the_command_line(cli_env):
    run(
        [
            "add",
            "--name",
            "Ana López",
            "--company",
            "Grupo Norte",
            "--phone",
            "55 1234 5678",
            "--country",
            "MX",
            "--source",
            "referral",
        ],
        cli_env,
    )
    refused = run(["promote", "1"], cli_env, 1)
    assert "funnel: need: unknown (Need must be yes)" in refused.stderr
    assert "funnel: authority: unknown" in refused.stderr
    qualified = run(
        [
            *("qualify", "1", "--need", "yes", "--budget", "yes", "--authority", "yes"),
            *("--timeline", "yes", "--evidence", "need=on the call"),
        ],
        cli_env,
    ).stdout
    assert "score 80/100" in qualified and "Promotion gate: passes" in qualified
    assert run(["promote", "1"], cli_env).stdout.startswith("lead #1 Ana López is now a prospect")
    assert (
        "in Qualification"
        in run(
            [
                "convert",
                "1",
                "--amount",
                "25000",
                "--currency",
                "MXN",
                "--close",
                f"{NEXT_YEAR}-02-28",
            ],
            cli_env,
        ).stdout
    )
    run(["move", "1", "proposal"], cli_env)
    run(
        [
            "log",
            "1",
            "--opportunity",
            "--type",
            "meeting",
            "--note",
            "pricing review",
            "--next",
            "send contract",
            "--due",
            f"{NEXT_YEAR}-01-15",
        ],
        cli_env,
    )
    assert "lost: Price" in run(["lose", "1", "--reason", "price"], cli_env).stdout
    assert "reopened in Proposal" in run(["reopen", "1"], cli_env).stdout
    run(["win", "1"], cli_env)
    shown = json.loads(run(["show", "1", "--format", "json"], cli_env).stdout)
    assert shown["level"] == "customer"
    assert shown["status"] == "working"  # the meeting was a two-way interaction
    assert shown["opportunities"][0]["state"] == "won"
    assert shown["phone_e164"] == "+525512345678"
    text = run(["show", "1"], cli_env).stdout
    assert "Promotion gate" in text and "carol" in text
    counts = run(["counts"], cli_env).stdout
    assert "Customers" in counts and counts.count("\n") >= 10


def test_show_unknown_id_is_refused(cli_env):
    assert run(["show", "42"], cli_env, 1).stderr == "funnel: id: no lead #42\n"


def test_newer_database_is_refused_with_a_message_not_a_traceback(cli_env, tmp_path):
    import sqlite3

    run(["counts"], cli_env)
    conn = sqlite3.connect(cli_env["FUNNEL_DB"])
    conn.execute("UPDATE funnel_meta SET value = '99'")
    conn.commit()
    conn.close()
    result = run(["list"], cli_env, 1)
    assert "newer funnel" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_option_accepts_a_postgres_url(cli_env, pg_server):
    url = pg_server.create_database("funnel_cli")
    env = {**cli_env, "FUNNEL_DB": "/nonexistent/should-not-be-used.db"}
    run(["add", "--db", url, "--name", "Paweł", "--email", "pawel@example.pl"], env)
    listed = json.loads(run(["--db", url, "list", "--format", "json"], env).stdout)
    assert [r["name"] for r in listed] == ["Paweł"]


def test_demo_builds_a_deterministic_database(cli_env, tmp_path):
    first = run(["demo", "--leads", "300", "--seed", "7", "--db", str(tmp_path / "a.db")], cli_env)
    assert first.stdout.startswith("demo: 300 leads")
    run(["demo", "--leads", "300", "--seed", "7", "--db", str(tmp_path / "b.db")], cli_env)
    a = run(["list", "--format", "json", "--db", str(tmp_path / "a.db")], cli_env).stdout
    b = run(["list", "--format", "json", "--db", str(tmp_path / "b.db")], cli_env).stdout
    assert a == b
    assert len(json.loads(a)) == 300


@pytest.mark.parametrize("argv", [["--help"], ["list"]])
def test_help_and_list_do_not_import_textual(cli_env, argv):
    code = (
        "import sys\n"
        "from funnel_tui.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('textual' in sys.modules, 'peewee' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli_env, timeout=60
    )
    textual_loaded, peewee_loaded = result.stderr.split()[-2:]
    assert textual_loaded == "False"
    assert peewee_loaded == ("False" if argv == ["--help"] else "True")


def test_version_is_the_installed_packages(cli_env):
    from importlib.metadata import version

    result = run(["--version"], cli_env)
    assert result.stdout.strip() == f"funnel {version('funnel-tui')}"


def test_every_palette_screen_can_be_opened_with_screen(capsys):
    from funnel_tui.core.screen_names import SCREEN_MODES

    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "reports" in SCREEN_MODES
    assert "--screen {" + ",".join(SCREEN_MODES) + "}" in help_text


def test_main_returns_exit_codes_in_process(made_db, capsys, monkeypatch):
    monkeypatch.setenv("FUNNEL_DB", made_db)
    assert main(["add", "--name", "Ok", "--email", "ok@example.com"]) == 0
    assert main(["add", "--name", "Bad", "--email", "bad"]) == 1
    assert "funnel: email: bad is not valid" in capsys.readouterr().err


BROKEN_CONFIG = "[qualification.weights]\nbudget = 'lots'\n\n[[icp]]\nkey = 'size'\nweigth = 5\n"


@pytest.mark.parametrize("argv", [["list"], []], ids=["subcommand", "opening the TUI"])
def test_a_broken_config_exits_2_with_each_problem_not_a_traceback(cli_env, tmp_path, argv):
    path = tmp_path / "funnel.toml"
    path.write_text(BROKEN_CONFIG, encoding="utf-8")
    result = run(["--config", str(path), *argv], cli_env, 2)
    assert result.stderr.splitlines() == [
        f'funnel: {path}, line 2: qualification.weights.budget must be a whole number, not "lots"',
        f"funnel: {path}, line 4: icp[1] has no kind, which is required",
        f'funnel: {path}, line 6: icp[1] has an unknown setting "weigth" '
        "(known: key, label, kind, values, value, weight)",
    ]
    assert result.stdout == ""


def test_a_config_syntax_error_from_the_environment_exits_2(cli_env, tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text("[qualification]\nmin_score = = 3\n", encoding="utf-8")
    result = run(["counts"], {**cli_env, "FUNNEL_CONFIG": str(path)}, 2)
    assert result.stderr == f"funnel: {path}, line 2, column 13: invalid value\n"


def test_a_missing_config_file_exits_2(cli_env, tmp_path):
    result = run(["where", "--config", str(tmp_path / "nope.toml")], cli_env, 2)
    assert result.stderr == f"funnel: {tmp_path / 'nope.toml'}: no such config file\n"


def add_ana(env: dict) -> None:
    run(["add", "--name", "Ana López", "--phone", "55 1234 5678", "--country", "MX"], env)


def checklist(env: dict, lead: int = 1) -> dict:
    shown = json.loads(run(["show", str(lead), "--format", "json"], env).stdout)
    return {i["key"]: (i["answer"], i["evidence"]) for i in shown["score"]["items"]}


def test_qualify_answers_several_items_and_explains_the_score_and_gate(cli_env):
    add_ana(cli_env)
    result = run(
        [
            *("qualify", "1", "--need", "yes", "--budget", "unknown", "--authority", "no"),
            *("--timeline", "Yes", "--evidence", "need=fleet tracking is on paper"),
            *("--icp", "employees=yes", "--value", "industry=Logistics"),
        ],
        cli_env,
    )
    assert result.stdout.splitlines() == [
        "lead #1 Ana López: budget = unknown, authority = no, need = yes, timeline = yes, "
        "icp:employees = yes, icp:industry (value)",
        "  Budget: unknown → 0/20",
        "  Authority: no → 0/15",
        "  Need: yes → 25/25",
        "  Timeline: yes → 15/15",
        "  Industry: yes → 10/10",
        "  Company size (employees): yes → 5/5",
        "  Region: yes → 5/5 (company data)",
        "  Budget (EUR): unknown → 0/5",
        "  score 60/100",
        "Promotion gate: refused",
        "  ✘ budget: unknown",
        "  ✘ authority: no",
        "  ✘ bant: 2 of 4 BANT items are yes; 3 needed",
    ]
    items = checklist(cli_env)
    assert items["need"] == ("yes", "fleet tracking is on paper")
    assert items["icp:employees"] == ("yes", "")


def test_qualify_keeps_what_it_is_not_told(cli_env):
    add_ana(cli_env)
    run(["qualify", "1", "--need", "yes", "--evidence", "need=on the call"], cli_env)
    run(["qualify", "1", "--budget", "yes"], cli_env)
    assert checklist(cli_env)["need"] == ("yes", "on the call")
    run(
        ["qualify", "1", "--evidence", "need=signed the NDA", "--evidence", "icp:budget=50k"],
        cli_env,
    )
    items = checklist(cli_env)
    assert items["need"] == ("yes", "signed the NDA")
    assert items["icp:budget"] == ("unknown", "50k")
    assert items["budget"] == ("yes", "")  # the BANT item, not the ICP criterion of that name


def test_qualify_refuses_the_whole_command_with_every_problem(cli_env):
    add_ana(cli_env)
    result = run(
        [
            *("qualify", "1", "--need", "yes", "--budget", "maybe", "--icp", "size=yes"),
            *("--icp", "region=perhaps", "--value", "employees", "--evidence", "mood=good"),
        ],
        cli_env,
        1,
    )
    assert result.stderr.splitlines() == [
        "funnel: budget: 'maybe' is not an answer: yes, no or unknown",
        "funnel: icp: 'size' is not an ICP criterion: industry, employees, region, budget",
        "funnel: icp:region: 'perhaps' is not an answer: yes, no or unknown",
        "funnel: value: 'employees' must be KEY=..., e.g. employees=250",
        "funnel: evidence: 'mood' is not a checklist item: budget, authority, need, timeline, "
        "icp:industry, icp:employees, icp:region, icp:budget",
    ]
    assert result.stdout == ""
    assert checklist(cli_env)["need"] == ("unknown", "")  # the valid --need was not written


def test_qualify_refusals_name_the_lead_and_the_old_form(cli_env):
    add_ana(cli_env)
    assert run(["qualify", "7", "--need", "yes"], cli_env, 1).stderr == "funnel: id: no lead #7\n"
    assert "nothing to answer" in run(["qualify", "1"], cli_env, 1).stderr
    old_form = run(["qualify", "1", "need", "yes"], cli_env, 2).stderr
    assert "answers are options now" in old_form and "--need yes" in old_form
    assert "funnel: need: answer given twice" not in old_form


def test_qualify_then_promote_refuses_with_the_gate_reasons(cli_env):
    add_ana(cli_env)
    run(["qualify", "1", "--need", "yes", "--budget", "yes"], cli_env)
    refused = run(["promote", "1"], cli_env, 1)
    assert refused.stderr.splitlines() == [
        "funnel: authority: unknown",
        "funnel: timeline: unknown",
        "funnel: bant: 2 of 4 BANT items are yes; 3 needed",
        "funnel: score: 50 < 60",
    ]
    run(["qualify", "1", "--authority", "yes"], cli_env)
    assert "is now a prospect" in run(["promote", "1"], cli_env).stdout


def test_the_cli_knows_the_bant_items_of_the_rules():
    from funnel_tui.core.vocab import BANT_ITEMS
    from funnel_tui.core.vocab import BANT_ITEMS as BANT

    assert BANT == BANT_ITEMS


def test_convert_refuses_a_past_close_date_until_confirmed(cli_env):
    # Needs Funnel.convert(allow_past_close=...) from the rules layer (issue 4).
    add_ana(cli_env)
    run(["qualify", "1", "--need", "yes", "--budget", "yes", "--authority", "yes"], cli_env)
    run(["promote", "1"], cli_env)
    deal = ["convert", "1", "--amount", "25000", "--currency", "MXN", "--close", "2020-01-31"]
    refused = run(deal, cli_env, 1)
    first, hint = refused.stderr.splitlines()
    assert first.startswith("funnel: close: 2020-01-31 is in the past")
    assert hint == "funnel: not saved; add --yes to use a close date in the past"
    assert refused.stdout == ""
    assert json.loads(run(["show", "1", "--format", "json"], cli_env).stdout)["opportunities"] == []
    assert "opened opportunity #1" in run([*deal, "--yes"], cli_env).stdout
    shown = json.loads(run(["show", "1", "--format", "json"], cli_env).stdout)
    assert shown["opportunities"][0]["expected_close"] == "2020-01-31"


def test_convert_refusals_list_every_problem(cli_env):
    add_ana(cli_env)
    refused = run(["convert", "1", "--amount", "lots", "--currency", "pesos"], cli_env, 1)
    fields = [line.split(":")[1].strip() for line in refused.stderr.splitlines()]
    assert fields == ["amount", "currency"]
