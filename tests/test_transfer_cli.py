"""`funnel import` and `funnel export` as a script runs them: what is printed, exit codes,
messages instead of tracebacks, a round trip between two databases, and an import
killed mid-way that leaves whole batches and completes when run again (SQLite)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from funnel_tui.read.queries import EXPORT_COLUMNS
from funnel_tui.transfer.plan import BATCH_ROWS

from .test_cli import run
from .test_transfer import SALESFORCE, TRADE_SHOW, VCARDS, copy_fixture, write_file


def listed(env: dict, *args: str) -> list[dict]:
    return json.loads(run(["list", "--format", "json", *args], env).stdout)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


# ------------------------------------------------------------------ import


def test_import_shows_the_mapping_the_counts_and_where_the_rejects_are(cli_env, tmp_path):
    source = copy_fixture(tmp_path, TRADE_SHOW)
    result = run(["import", str(source)], cli_env, 1)  # 1: rows were refused
    out = result.stdout.splitlines()
    assert out[0] == "trade_show_2024.csv: CSV, semicolon-separated, UTF-8 with BOM"
    assert any(line.startswith("1. Badge ID") and "(not recognised)" in line for line in out)
    assert any(line.startswith("2. First Name") and "first name" in line for line in out)
    assert any(line.startswith("7. Phone Number") and "030 12345678" in line for line in out)
    summary = next(line for line in out if " rows read: " in line)
    assert summary.startswith("12 rows read: 8 inserted, 1 duplicate skipped, 3 refused in ")
    assert "  row 8: refused: phone: 512 34 is too short for Poland" in out
    assert "  row 9: refused: name: is required" in out
    assert "  row 11: duplicate: same phone as row 2 of this file" in out
    rejects = tmp_path / "trade_show_2024-rejected.csv"
    assert f"refused rows, with the reasons, are in {rejects}: fix them there and " in (
        result.stdout
    )
    assert rejects.exists()
    assert result.stderr == ""
    names = sorted(row["name"] for row in listed(cli_env))
    assert len(names) == 8 and "王小明" in names and "Jürgen Weiß" in names


def test_dry_run_and_strict_write_nothing_and_report_what_a_real_run_does(cli_env, tmp_path):
    source = str(copy_fixture(tmp_path, TRADE_SHOW))
    dry = json.loads(run(["import", source, "--dry-run", "--format", "json"], cli_env, 1).stdout)
    assert dry["dry_run"] is True
    assert (dry["rows_read"], dry["inserted"], dry["duplicate"], dry["refused"]) == (12, 8, 1, 3)
    assert (
        dry["inserted"] + dry["updated"] + dry["unchanged"] + dry["duplicate"] + dry["refused"]
        == dry["rows_read"]
    )
    assert {(e["row"], e["outcome"], e["field"]) for e in dry["examples"]} == {
        (7, "refused", "email"),
        (8, "refused", "phone"),
        (9, "refused", "name"),
        (11, "duplicate", "phone"),
    }
    assert listed(cli_env) == []

    strict = run(["import", source, "--strict"], cli_env, 1)
    assert (
        "funnel: --strict: 3 rows refused, so nothing was written; fix them and import again"
        in strict.stderr
    )
    assert listed(cli_env) == []

    real = json.loads(run(["import", source, "--format", "json"], cli_env, 1).stdout)
    assert real["dry_run"] is False
    keep = ("rows_read", "inserted", "updated", "unchanged", "duplicate", "refused")
    assert {k: real[k] for k in keep} == {k: dry[k] for k in keep}
    assert len(listed(cli_env)) == 8


def test_a_clean_file_exits_0_and_importing_it_again_adds_nothing(cli_env, tmp_path):
    source = str(copy_fixture(tmp_path, SALESFORCE))
    first = run(["import", source, "--map", "Lead Source="], cli_env, 0)
    assert "6 rows read: 6 inserted, 0 duplicates skipped, 0 refused" in first.stdout
    assert "(not imported)" in next(
        line for line in first.stdout.splitlines() if line.startswith("10. Lead Source")
    )
    again = run(["import", source, "--map", "Lead Source="], cli_env, 0)
    assert "6 rows read: 0 inserted, 6 duplicates skipped, 0 refused" in again.stdout
    assert len(listed(cli_env)) == 6
    updated = run(["import", source, "--update"], cli_env, 1)  # Purchased List: refused
    assert "6 rows read: 0 inserted, 5 updated, 0 unchanged" in updated.stdout
    sources = {row["name"]: row["source"] for row in listed(cli_env)}
    assert sources["Thomas Schneider"] == "Trade show" and sources["Kenji Tanaka"] == ""


def test_vcards_from_the_command_line(cli_env, tmp_path):
    source = str(copy_fixture(tmp_path, VCARDS))
    result = run(["import", source, "--source", "Business card"], cli_env, 1)
    assert result.stdout.startswith("phone_contacts.vcf: vCard, UTF-8\n")
    assert "4 rows read: 3 inserted, 0 duplicates skipped, 1 refused" in result.stdout
    assert "row 4: refused: contact: a lead needs a phone number or an email address" in (
        result.stdout
    )
    rows = {row["name"]: row for row in listed(cli_env)}
    assert sorted(rows) == ["Katrin Hoffmann", "Łucja Wójcik", "陳美玲"]
    assert {row["source"] for row in rows.values()} == {"Business card"}


BAD_INPUTS = [
    # (file name, content, extra args, exit code, what stderr or stdout says)
    ("book.csv", "xlsx", [], 1, "funnel: book.csv could not be read as an Excel workbook"),
    ("empty.csv", b"", [], 1, "funnel: empty.csv is empty"),
    ("blob.csv", bytes(range(1, 32)) * 50, [], 1, "funnel: blob.csv is a binary file"),
    ("a.csv", "Name,Email\nAnn,a@example.com\n", ["--map", "Nope=name"], 1, "no column 'Nope'"),
    ("b.csv", "Name,Email\nAnn,a@example.com\n", ["--encoding", "klingon"], 1, "'klingon' is not"),
    ("c.csv", "Foo,Email\nAnn,a@example.com\n", [], 1, "funnel: no column is the name"),
    ("d.csv", "Name,Email\n", [], 0, "0 rows read: 0 inserted"),
    ("e.csv", "Name,Email\nAnn,a@example.com,x\n", [], 1, "row 2: refused: has 3 cells"),
    (
        "f.csv",
        "Name,Email,Notes\nAnn,a@example.com," + "n" * 100_000 + "\n",
        [],
        1,
        "row 2: refused: notes: is 100000 characters long; at most 20000 fit",
    ),
    (
        "g.csv",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nEMAIL:a@example.com\nEND:VCARD\n",
        [],
        0,
        "g.csv is named like a CSV file but holds vCards: read as vCards",
    ),
    ("h.csv", "Name,Email\nAnn,a@example.com\n", ["--rejects", "SELF"], 1, "is the file being"),
    ("i.csv", "Name,Email\nAnn,a@example.com\n", ["--overwrite"], 1, "use it with --update"),
    ("j.csv", "Name,Email\nAnn,a@example.com\n", ["--delimiter", "ab"], 1, "one character"),
    (
        "k.csv",
        "Name,Email\nAnn,a@example.com\n",
        ["--rejects", "/nowhere/k-rejected.csv"],
        1,
        "rejects: there is no folder /nowhere; choose another file with --rejects",
    ),
]


def _xlsx_bytes() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def test_bad_input_gets_a_message_never_a_traceback(cli_env, tmp_path):
    for name, content, extra, code, said in BAD_INPUTS:
        data = _xlsx_bytes() if content == "xlsx" else content
        path = write_file(tmp_path, name, data)
        args = [str(path) if a == "SELF" else a for a in extra]
        result = run(["import", str(path), *args], cli_env, None)
        no_traceback(result)
        assert result.returncode == code, (name, result.stdout, result.stderr)
        assert said in result.stdout + result.stderr, (name, result.stdout, result.stderr)
        if code == 1 and "row 2" not in said:
            assert result.stderr.startswith("funnel: "), (name, result.stderr)
    missing = run(["import", str(tmp_path / "nowhere.csv")], cli_env, 1)
    assert "No such file or directory" in missing.stderr
    no_traceback(missing)
    assert run(["import"], cli_env, 2).stderr.startswith("usage:")
    assert (tmp_path / "h.csv").read_text() == "Name,Email\nAnn,a@example.com\n"


# ------------------------------------------------------------------ export


def _add_leads(env: dict) -> None:
    run(
        [
            "add",
            "--name",
            '=HYPERLINK("x")',
            "--company",
            "Grupo Norte, S.A.",
            "--phone",
            "+1 (201) 555-0123",
            "--email",
            "=x@example.com",
            "--source",
            "Referral",
            "--note",
            "line one\nline two, with a comma",
        ],
        env,
    )
    run(["add", "--name", "王小明", "--phone", "0912 345 678", "--country", "TW"], env)
    run(["add", "--name", "[bold]x[/bold]", "--email", "rich@example.com"], env)
    run(["status", "3", "unqualified", "--reason", "No budget"], env)


def test_export_writes_every_field_in_each_format(cli_env, tmp_path):
    _add_leads(cli_env)
    text = run(["export"], cli_env).stdout
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert lines[1].startswith('1,"\'=HYPERLINK(""x"")","Grupo Norte, S.A.",,+12015550123,')

    records = json.loads(run(["export", "--format", "json"], cli_env).stdout)
    assert [r["name"] for r in records] == ['=HYPERLINK("x")', "王小明", "[bold]x[/bold]"]
    assert records[1]["phone"] == "+886912345678" and records[1]["phone_display"]
    assert list(records[0]) == list(EXPORT_COLUMNS)

    only = json.loads(
        run(["export", "--format", "json", "--status", "unqualified"], cli_env).stdout
    )
    assert [r["name"] for r in only] == ["[bold]x[/bold]"]

    target = tmp_path / "out" / "leads.vcf"
    target.parent.mkdir()
    result = run(
        ["export", "--format", "vcf", "--vcard-version", "4.0", "-o", str(target)], cli_env
    )
    assert result.stderr == f"exported 3 leads to {target}\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["leads.vcf"]  # no .part left
    cards = target.read_bytes()
    assert cards.count(b"BEGIN:VCARD\r\nVERSION:4.0\r\n") == 3
    assert b"TEL;TYPE=cell,voice;VALUE=uri:tel:+886912345678" in cards

    refused = run(["export", "-o", str(tmp_path / "missing" / "x.csv")], cli_env, 1)
    assert refused.stderr.startswith("funnel: output: cannot write")
    no_traceback(refused)


@pytest.mark.parametrize("fmt", ["csv", "vcf"])
def test_export_imports_into_another_database_as_the_same_leads(cli_env, tmp_path, fmt):
    _add_leads(cli_env)
    exported = tmp_path / f"leads.{fmt}"
    run(["export", "--format", fmt, "-o", str(exported)], cli_env)
    other = str(tmp_path / "other.db")
    run(["import", str(exported), "--db", other, "--create"], cli_env)  # a new database

    def records(*db: str) -> list[dict]:
        rows = json.loads(run(["export", "--format", "json", *db], cli_env).stdout)
        same = ("name", "company", "title", "phone", "email", "country", "source", "notes")
        return [{k: row[k] for k in same} for row in rows]

    assert records("--db", other) == records()


# ------------------------------------------------------------------ killed mid-import

CRASH_ROWS = 20_000


def _write_big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("First Name,Last Name,Company,Email,Phone,Country,Notes\r\n")
        for i in range(rows):
            f.write(
                f"Jan{i},Kowalski{i},Firma {i % 300} Sp. z o.o.,"
                f"jan.kowalski{i}@firma{i % 300}.example.pl,"
                f"512 {i // 1000:03d} {i % 1000:03d},PL,wiersz {i}\r\n"
            )


def _leads_so_far(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return 0
    try:
        return con.execute('SELECT count(*) FROM "lead"').fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def _session_members(session: int) -> list[int]:
    """Live processes of a session (the killed import and any child it started)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, _group, sid = stat[stat.rindex(")") + 2 :].split()[:4]
        if int(sid) == session and state != "Z":
            members.append(int(entry.name))
    return members


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find child processes")
@pytest.mark.clock_free  # a signal mid-way
def test_an_import_killed_mid_way_leaves_whole_batches_and_a_rerun_completes(cli_env, tmp_path):
    source, db = tmp_path / "big.csv", tmp_path / "crash.db"
    _write_big_csv(source, CRASH_ROWS)
    command = [sys.executable, "-m", "funnel_tui", "import", str(source), "--db", str(db)]
    command.append("--create")  # a new database, made before the first batch
    proc = subprocess.Popen(
        command,
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own session: any child it starts is found by it
    )
    try:
        # Until the first batch is in: long enough for a loaded machine (two suites side
        # by side took over 30 s once), and no longer than that batch takes otherwise.
        deadline = time.monotonic() + 180
        while proc.poll() is None and time.monotonic() < deadline:
            if _leads_so_far(db) > 0:
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL, "the import ended before it could be killed"
        # A checking process the import started goes too: it has no one to write to.
        gone_by = time.monotonic() + 5
        while _session_members(proc.pid) and time.monotonic() < gone_by:
            time.sleep(0.05)
        orphans = _session_members(proc.pid)
    finally:
        for pid in _session_members(proc.pid):
            os.kill(pid, signal.SIGKILL)
    assert orphans == [], "a process of the killed import was left running"

    con = sqlite3.connect(db)  # a writer's connection: recovers what the kill left
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

        def one(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        leads = one('SELECT count(*) FROM "lead"')
        assert 0 < leads < CRASH_ROWS
        assert leads % BATCH_ROWS == 0, f"{leads} leads: part of a batch was left behind"
        imports = con.execute(
            "SELECT entity_id, new FROM history WHERE entity = 'lead' AND action = 'import'"
        ).fetchall()
        assert len(imports) == leads
        assert {lead_id for lead_id, _ in imports} == {
            lead_id for (lead_id,) in con.execute('SELECT id FROM "lead"')
        }
        assert sorted(json.loads(new)["row"] for _, new in imports) == list(range(2, leads + 2))
        assert one("SELECT count(*) FROM lead_search") == leads
        unindexed = 'SELECT count(*) FROM "lead" WHERE id NOT IN (SELECT rowid FROM lead_search)'
        assert one(unindexed) == 0
        unused = (
            'SELECT count(*) FROM company c WHERE NOT EXISTS (SELECT 1 FROM "lead" l '
            "WHERE l.company_id = c.id)"
        )
        assert one(unused) == 0
    finally:
        con.close()

    rerun = run(["import", str(source), "--db", str(db)], cli_env, 0)
    assert (
        f"{CRASH_ROWS:,} rows read: {CRASH_ROWS - leads:,} inserted, "
        f"{leads:,} duplicates skipped, 0 refused" in rerun.stdout
    )
    con = sqlite3.connect(db)
    try:
        totals = con.execute(
            'SELECT count(*), count(DISTINCT email_norm), count(DISTINCT phone_e164) FROM "lead"'
        ).fetchone()
        assert totals == (CRASH_ROWS, CRASH_ROWS, CRASH_ROWS)  # what one clean run gives
        imported = con.execute(
            "SELECT count(*) FROM history WHERE entity = 'lead' AND action = 'import'"
        ).fetchone()[0]
        assert imported == CRASH_ROWS
        assert con.execute("SELECT count(*) FROM lead_search").fetchone()[0] == CRASH_ROWS
    finally:
        con.close()
