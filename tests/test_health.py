"""`funnel check` on real databases: healthy, with derived data gone wrong (repaired by
--repair), with a broken reference (not repairable), and a damaged file (never written
to); on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3

import pytest

from funnel_tui.cli import main
from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, database

from .clock import Clock

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent


def _seed(target: str) -> None:
    open_database(target)
    rules = Funnel(load_config(), "ana", Clock())
    for n in range(4):
        lead = rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"})
        rules.log_activity(lead_id=lead.id, kind="call", direction="inbound")
    close_database()


def _check(target: str, capsys, *more: str) -> tuple[int, dict]:
    code = main(["--db", target, "check", "--format", "json", *more])
    return code, json.loads(capsys.readouterr().out)


def _wrong(report: dict) -> dict[str, int]:
    return {c["check"]: c["problems"] for c in report["checks"] if c["problems"]}


def test_a_healthy_database_passes_every_check(db_target, capsys):
    _seed(db_target)
    code, report = _check(db_target, capsys)
    assert code == 0 and report["healthy"] and _wrong(report) == {}
    checks = [c["check"] for c in report["checks"]]
    assert checks[-6:] == [
        "schema", "search_index", "tallies", "status_counts", "scores", "engagement"
    ]  # fmt: skip
    assert main(["--db", db_target, "check"]) == 0
    said = capsys.readouterr().out
    assert "✘" not in said and "scores: all 4 leads' as the rules give them" in said


def test_derived_data_gone_wrong_is_found_and_rebuilt(db_target, capsys):
    _seed(db_target)
    open_database(db_target)
    Lead.update(score=Lead.score + 7).where(Lead.id <= 2).execute()
    Lead.update(engagement_key=123.0).where(Lead.id == 3).execute()
    sqlite = database.obj.__class__.__name__.startswith("Sqlite")
    if sqlite:
        database.obj.execute_sql('DELETE FROM "lead_search" WHERE rowid = 4')
    # A tally no longer what the records give (as a hand-written UPDATE with the
    # triggers dropped would leave it).
    database.obj.execute_sql('UPDATE "activity_tally" SET "logged" = "logged" + 1')
    # And one count of the percentile reports' waits.
    keys = '"span", "start", "kind", "dim", "grp", "bucket"'
    database.obj.execute_sql(
        f'UPDATE "wait_tally" SET "n" = "n" + 1 WHERE ({keys}) = '
        f'(SELECT {keys} FROM "wait_tally" ORDER BY {keys} LIMIT 1)'
    )
    # And a count per status (the list's top line) likewise.
    database.obj.execute_sql(
        'UPDATE "lead_status_count" SET "leads" = "leads" + 1 '
        'WHERE "status" = (SELECT MIN("status") FROM "lead_status_count")'
    )
    close_database()
    code, report = _check(db_target, capsys)
    expected = {"scores": 2, "engagement": 1, "tallies": 2, "status_counts": 1} | (
        {"search_index": 1} if sqlite else {}
    )
    assert code == 1 and not report["healthy"] and _wrong(report) == expected
    # Checking changed nothing: the same again.
    assert _check(db_target, capsys)[1] == report

    code, repaired = _check(db_target, capsys, "--repair")
    assert code == 0 and repaired["healthy"]
    assert {c["check"] for c in repaired["checks"] if c["repaired"]} == set(expected)
    code, after = _check(db_target, capsys)
    assert code == 0 and _wrong(after) == {}


def test_a_broken_reference_is_named_and_not_repaired(tmp_path, capsys):
    path = str(tmp_path / "team.db")
    _seed(path)
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute('UPDATE "activity" SET "lead_id" = 9999 WHERE "id" = 1')
    code, report = _check(path, capsys, "--repair")
    # The lead that lost its call is re-weighed (repaired); the reference cannot be.
    assert code == 1 and _wrong(report) == {"foreign_keys": 1, "engagement": 1}
    assert [c["check"] for c in report["checks"] if c["repaired"]] == ["engagement"]
    main(["--db", path, "check"])
    said = capsys.readouterr().out
    assert "✘ 1 reference to a row that is not there (in activity): restore a backup" in said


def test_a_damaged_file_is_reported_with_the_way_back_and_never_written(tmp_path, capsys):
    path = tmp_path / "team.db"
    _seed(str(path))
    whole = path.read_bytes()
    damaged = whole[:8192] + b"\xff" * 8192 + whole[16384:]
    path.write_bytes(damaged)
    assert main(["--db", str(path), "check", "--repair"]) == 1
    said = capsys.readouterr().out
    assert said.startswith("✘ the file is damaged:") and "funnel restore BACKUP" in said
    assert path.read_bytes() == damaged
    assert main(["--lang", "de", "--db", str(path), "check"]) == 1
    assert "die Datei ist beschädigt" in capsys.readouterr().out


def test_a_mistyped_path_is_refused_not_created(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "tema.db"), "check"]) == 1
    assert "is not a database file" in capsys.readouterr().err
    assert not (tmp_path / "tema.db").exists()


@pytest.mark.parametrize("language", ["de", "pl", "zh_TW"])
def test_check_reads_in_the_reps_language(tmp_path, capsys, language):
    path = str(tmp_path / "team.db")
    _seed(path)
    assert main(["--lang", language, "--db", path, "check"]) == 0
    said = capsys.readouterr().out
    assert "scores" not in said and "search index" not in said and said.count("✔") == 8


@pytest.mark.clock_free  # bytes of a damaged file
def test_randomly_damaged_databases_end_in_the_way_back_never_a_traceback(tmp_path):
    """200 copies of a database, each damaged at random places; every command that
    meets the damage says the file is damaged with the restore hint (exit 1), never a
    traceback (exit 3); one that does not meet it works (exit 0)."""
    import os
    import random
    import subprocess
    import sys

    from funnel_tui.demo.generator import generate_demo

    source = tmp_path / "whole.db"
    generate_demo(open_database(str(source)), load_config(), leads=150, seed=7, user="ana")
    close_database()
    with sqlite3.connect(source) as raw:
        raw.execute("PRAGMA journal_mode=DELETE")  # one file to damage, no WAL beside it
    whole = source.read_bytes()
    chance = random.Random(200)
    script = (
        "import json, sys\n"
        "from funnel_tui.cli import main\n"
        "codes = []\n"
        "for path in sys.argv[1:]:\n"
        "    for command in (['list'], ['today'], ['report', 'conversion']):\n"
        "        codes.append(main(['--db', path, '--user', 'ana', *command]))\n"
        "print(json.dumps(codes))\n"
    )
    paths = []
    for n in range(200):
        damaged = bytearray(whole)
        for _spot in range(chance.choice((1, 3, 10, 50))):
            at = chance.randrange(0, len(damaged) - 64)
            for k in range(chance.choice((1, 4, 16, 64))):
                damaged[at + k] = chance.randrange(256)
        path = tmp_path / f"damaged-{n}.db"
        path.write_bytes(bytes(damaged))
        paths.append(str(path))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script, *paths], capture_output=True, text=True, env=env
    )
    codes = json.loads(done.stdout.strip().splitlines()[-1])
    said = [line for line in done.stderr.splitlines() if line.startswith("funnel: ")]
    assert len(codes) == 600 and set(codes) <= {0, 1}, done.stderr[-2000:]
    assert codes.count(1) >= 20  # the damage was met often enough to mean something
    assert len(said) == codes.count(1)
    assert all("damaged" in line and "funnel restore BACKUP" in line for line in said), said
