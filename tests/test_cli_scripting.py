"""The command line as scripts and shells use it: limits in every format, `-` for
standard input and output, JSON that parses with UTC marked, completion from the parser,
and an install that carries PostgreSQL's driver only when asked."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from funnel_tui.cli import main

ROOT = Path(__file__).resolve().parent.parent


def add_leads(rules, count: int) -> list[int]:
    return [
        rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"}).id
        for n in range(count)
    ]


def run_cli(argv: list[str], capsys, rc: int = 0) -> str:
    assert main(argv) == rc, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_list_limit_holds_in_every_format(db_target, rules, capsys, fmt):
    ids = add_leads(rules, 6)
    out = run_cli(["list", "--db", db_target, "--limit", "4", "--format", fmt], capsys)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [int(r["id"]) for r in rows] == sorted(ids, reverse=True)[:4]
    elif fmt == "json":
        assert [r["id"] for r in json.loads(out)] == sorted(ids, reverse=True)[:4]
    else:
        assert len(out.splitlines()) == 1 + 4


def test_a_sqlite_command_never_imports_the_postgres_driver(made_db):
    """psycopg2 costs 12 ms at every start; only a postgresql:// database needs it."""
    code = (
        "import sys\n"
        "from funnel_tui.cli import main\n"
        "assert main(sys.argv[1:]) == 0\n"
        "print(sorted(m for m, v in sys.modules.items() if v and m.startswith(('psycopg', "
        "'peewee', 'shtab'))))\n"
    )
    db = made_db
    runs = (
        ["--db", db, "add", "--name", "Ana", "--email", "ana@example.com"],
        ["--db", db, "list"],
        ["--db", f"sqlite:///{db}", "list"],  # a URL, checked for a password first
    )
    for argv in runs:
        result = subprocess.run(
            [sys.executable, "-c", code, *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        # Peewee is there (the database was opened), its PostgreSQL driver is not, nor
        # shtab (for `completion` alone).
        assert result.stdout.splitlines()[-1] == "['peewee']"


def test_a_postgresql_url_without_its_driver_says_what_to_install(tmp_path):
    """The driver is the `postgresql` extra: without it, one line naming what to
    install, exit 1 (as on an install made without the extra)."""
    code = (
        "import sys; sys.modules['psycopg2'] = None\n"  # what an install without it has
        "from funnel_tui.cli import main\n"
        "sys.exit(main(['list', '--db', 'postgresql://ana@127.0.0.1:9/funnel']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "funnel: database: a postgresql:// database needs PostgreSQL's driver, psycopg2, "
        "which is not installed here: pip install 'funnel-tui[postgresql]' (see the README)"
    ]


def test_the_package_names_its_licence_authors_and_postgresql_extra():
    from importlib.metadata import metadata

    meta = metadata("funnel-tui")
    assert meta["License-Expression"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert meta["Author"]
    assert "Environment :: Console" in meta.get_all("Classifier")
    assert "postgresql" in meta.get_all("Provides-Extra")
    requires = meta.get_all("Requires-Dist")
    assert [r for r in requires if r.startswith("psycopg2")] == [
        'psycopg2-binary>=2.9; extra == "postgresql"'
    ]


# Commands whose output is not records or a result: the TUI has no output, and
# `completion` prints a shell script.
# What prints a format of its own: a shell's completion script, an iCalendar file.
NOT_RECORDS = {"completion", "calendar"}


def subcommands() -> dict[str, object]:
    """Every command that runs, by its words: a group's verbs (`deal update`) stand for
    the group."""
    import argparse

    from funnel_tui.cli import build_parser

    def verbs(parser, prefix: str) -> dict[str, object]:
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not groups:
            return {prefix: parser}
        found: dict[str, object] = {}
        for name, sub in groups[0].choices.items():
            found.update(verbs(sub, f"{prefix} {name}".strip()))
        return found

    return verbs(build_parser(), "")


def test_every_command_that_prints_a_result_offers_json():
    missing = []
    for name, sub in subcommands().items():
        if name in NOT_RECORDS:
            continue
        formats = [a for a in sub._actions if "--format" in a.option_strings]
        if not formats or "json" not in formats[0].choices:
            missing.append(name)
    assert missing == []


def test_every_commands_json_parses_and_marks_utc(tmp_path, made_db, capsys, monkeypatch):
    """Each command run with --format json, in an order that gives each something to
    do: every output parses, times end in Z, dates are plain YYYY-MM-DD."""
    monkeypatch.setenv("FUNNEL_DB", made_db)
    monkeypatch.setenv("FUNNEL_USER", "carol")
    people = tmp_path / "people.csv"
    people.write_text("Name,Email\nBo Li,bo@example.com\n", encoding="utf-8")
    runs = [
        ["add", "--name", "Ana", "--email", "ana@example.com", "--phone", "+48 512 345 678"],
        ["update", "1", "--title", "CEO"],
        ["qualify", "1", *("--budget", "yes", "--authority", "yes", "--need", "yes")],
        ["qualify", "1", "--timeline", "yes"],
        ["status", "1", "working"],
        ["promote", "1"],
        ["convert", "1", "--amount", "1000", "--currency", "EUR", "--close", "2099-01-31"],
        ["deal", "update", "1", "--notes", "met at the fair"],
        ["move", "1", "Proposal"],
        ["log", "1", "--type", "call", "--next", "+3d call back"],
        ["win", "1"],
        ["reopen", "1"],
        ["lose", "1", "--reason", "price"],
        ["undo"],
        ["show", "1"],
        ["list"],
        ["today"],
        ["history"],
        ["report", "conversion"],
        ["report", "forecast"],
        ["export"],
        ["import", str(people)],
        # The same number again (lead 3): a possible duplicate of lead 1, merged into it.
        ["add", "--name", "Ana K", "--phone", "+48 512 345 678", "--allow-duplicate"],
        ["duplicates"],
        ["merge", "1", "3", "--yes"],
        ["assign", "1", "--to", "dora"],
        # Lead 1's company as an account.
        ["update", "1", "--company", "Acme"],
        ["company", "update", "1", "--industry", "Retail"],
        ["company", "list"],
        ["company", "show", "1"],
        ["counts"],
        ["where"],
        ["demo", "--leads", "3", "--seed", "2", "--into-existing"],
        ["migrate", "--to", str(tmp_path / "copy.db")],
        ["erase", "2", "--confirm", "Bo Li"],  # the imported lead
        ["backup"],
        ["backup", "--list"],
        ["check"],
        ["restore", str(tmp_path / "copy.db"), "--to", str(tmp_path / "restored.db")],
    ]
    ran = set()
    for argv in runs:
        out = run_cli([*argv, "--format", "json"], capsys)
        data = json.loads(out)
        assert data not in ({}, [], None), argv
        ran.add(" ".join(argv[:2]) if argv[0] in ("deal", "company") else argv[0])
        for value in _strings(data):
            if len(value) >= 19 and value[10:11] == "T" and value[:4].isdigit():
                assert value.endswith("Z"), (argv, value)
    shown = json.loads(run_cli(["show", "1", "--format", "json"], capsys))
    assert shown["created_at"].endswith("Z")
    assert len(shown["opportunities"][0]["expected_close"]) == len("2099-01-31")
    offered = {n for n in subcommands() if n not in NOT_RECORDS}
    assert offered - ran == set()


# A change's values are the history's stored text, given as stored.
STORED_TEXT = {"old", "new", "from", "to"}


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in STORED_TEXT:
                yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def funnel(argv: list[str], cwd: Path, stdin: str = "", rc: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "funnel_tui", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**__import__("os").environ, "FUNNEL_USER": "carol"},
    )
    assert result.returncode == rc, result.stderr
    return result


def test_import_dash_reads_standard_input_and_export_dash_writes_standard_output(
    db_target, tmp_path
):
    people = "Name,Email,Phone\nBo Li,bo@example.com,+86 138 0013 8000\nNo Way,not-an-email,\n"
    command = ["--db", db_target, "import", "-", "--create", "--format", "json"]
    result = funnel(command, tmp_path, people, 1)
    report = json.loads(result.stdout)
    assert (report["file"], report["inserted"], report["refused"]) == ("stdin", 1, 1)
    # The refused row waits in the folder the command ran in, named after stdin.
    assert (tmp_path / "stdin-rejected.csv").read_text(encoding="utf-8-sig").count("No Way") == 1
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ewa Nowak\r\nEMAIL:ewa@example.pl\r\nEND:VCARD\r\n"
    funnel(["--db", db_target, "import", "-"], tmp_path, card)

    exported = funnel(["--db", db_target, "export", "-o", "-", "--format", "json"], tmp_path)
    assert sorted(r["name"] for r in json.loads(exported.stdout)) == ["Bo Li", "Ewa Nowak"]
    assert not (tmp_path / "-").exists()


def test_help_says_dash_is_standard_input_and_output(capsys):
    for argv in (["import", "--help"], ["export", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
    said = " ".join(capsys.readouterr().out.split())
    assert "- reads standard input" in said
    assert "- (the default) is standard output" in said


def test_completion_for_bash_completes_commands_and_choices(tmp_path, capsys):
    script = tmp_path / "funnel.bash"
    script.write_text(run_cli(["completion", "bash"], capsys), encoding="utf-8")

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        probe = (
            f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
            f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; "
            '_shtab_funnel; printf "%s\\n" "${COMPREPLY[@]}"'
        )
        result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return sorted(result.stdout.split())

    assert complete("funnel co") == ["company", "completion", "convert", "counts"]
    assert complete("funnel list --format ") == ["csv", "json", "table"]
    assert "--vcard-version" in complete("funnel export --")
    (tmp_path / "leads.csv").write_text("Name\n", encoding="utf-8")
    assert str(tmp_path / "leads.csv") in complete(f"funnel import {tmp_path}/le")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_for_zsh_and_fish_knows_every_command(shell, capsys):
    script = run_cli(["completion", shell], capsys)
    for name in subcommands():
        assert all(word in script for word in name.split())
    assert "vcard-version" in script


def test_migrate_from_sqlite_to_postgresql_loads_the_driver_it_needs(tmp_path, pg_server):
    """The SQLite side spares the driver; the postgresql:// target of --to still gets it."""
    from .conftest import PG_TEST_DB, _reset_pg

    source = str(tmp_path / "team.db")
    funnel(["--db", source, "add", "--create", "--name", "Ana", "--email", "ana@ex.com"], tmp_path)
    _reset_pg(pg_server)
    url = pg_server.url(PG_TEST_DB)
    moved = funnel(["--db", source, "migrate", "--to", url, "--format", "json"], tmp_path)
    copy = json.loads(moved.stdout)
    assert copy["equal"] is True
    assert {"table": "lead", "source": 1, "target": 1, "equal": True} in copy["tables"]
    listed = funnel(["--db", url, "list", "--format", "json"], tmp_path)
    assert [r["name"] for r in json.loads(listed.stdout)] == ["Ana"]


def test_import_dash_from_a_terminal_says_to_pipe_a_file_instead_of_waiting(db_target, tmp_path):
    """`funnel import -` typed with nothing piped in would wait for ctrl+d, looking hung."""
    import os
    import pty

    main_end, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "funnel_tui", "--db", db_target, "import", "-"],
            stdin=terminal,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env={**os.environ, "FUNNEL_USER": "carol"},
        )
    finally:
        os.close(terminal)
        os.close(main_end)
    assert result.returncode == 1, result.stderr
    assert "standard input is the terminal" in result.stderr
    assert "funnel import - < leads.csv" in result.stderr
