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


def test_a_sqlite_command_never_imports_the_postgres_driver(tmp_path):
    """psycopg2 costs 12 ms at every start; only a postgresql:// database needs it."""
    code = (
        "import sys\n"
        "from funnel_tui.cli import main\n"
        "assert main(sys.argv[1:]) == 0\n"
        "print(sorted(m for m, v in sys.modules.items() if v and m.startswith(('psycopg', "
        "'peewee'))))\n"
    )
    db = str(tmp_path / "x.db")
    for argv in (["add", "--name", "Ana", "--email", "ana@example.com"], ["list"]):
        result = subprocess.run(
            [sys.executable, "-c", code, "--db", db, *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        # Peewee is there (the database was opened), its PostgreSQL driver is not.
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
