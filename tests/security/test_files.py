"""Files funnel writes in a folder others can write to: a link planted where a reject
file, an export or a draft goes is never written through, another user's file is never
replaced, and a reject file already there (someone may be fixing it) is kept.

The attack: in the team's setgid folder, a member plants `X-rejected.csv → ~/.bashrc`;
the next member who imports X.csv had the reject file written into their ~/.bashrc."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import UnsafeFile
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.transfer.importer import run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import

from ..test_cli import run

VICTIM_TEXT = "# the victim's shell start-up file\nexport PATH=$HOME/bin:$PATH\n"
CLEAN = "Name,Email\nAnn Lee,ann@example.com\nBo Chen,bo@example.com\n"
WITH_REFUSALS = "Name,Email\nAnn Lee,ann@example.com\nBad Row,bad@@example.com\n"
OTHER_UID = 12345  # a user id no test process runs as


@pytest.fixture
def victim(isolated_home) -> Path:
    """The file an attacker points a link at: the victim's ~/.bashrc."""
    path = isolated_home / ".bashrc"
    path.write_text(VICTIM_TEXT)
    return path


@pytest.fixture
def team(tmp_path) -> Path:
    """The team's shared folder."""
    folder = tmp_path / "team"
    folder.mkdir()
    return folder


@pytest.fixture
def sqlite_rules(sqlite_path):
    """The rules on a SQLite file: what is tested here is the files, not the storage."""
    open_database(sqlite_path)
    yield Funnel(load_config(), "alice")
    close_database()


def plant_link(folder: Path, name: str, target: Path) -> Path:
    link = folder / name
    link.symlink_to(target)
    return link


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def as_root_only() -> None:
    """Making another user's file takes root (chown); the CI runs as root."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to give a file to another user")


# ------------------------------------------------------------------ reject files


@pytest.mark.parametrize(
    ("text", "options", "rc"),
    [(CLEAN, [], 0), (CLEAN, ["--dry-run"], 0), (WITH_REFUSALS, ["--dry-run"], 1)],
    ids=["clean import", "dry run", "dry run with refusals"],
)
def test_a_link_planted_as_the_reject_file_is_left_alone_when_nothing_is_kept(
    cli_env, team, victim, text, options, rc
):
    source = team / "expo.csv"
    source.write_text(text)
    link = plant_link(team, "expo-rejected.csv", victim)
    result = run(["import", str(source), *options], cli_env, rc)
    assert victim.read_text() == VICTIM_TEXT
    assert link.is_symlink() and os.readlink(link) == str(victim)
    # No reject file, and no temporary file left behind either.
    assert names(team) == ["expo-rejected.csv", "expo.csv"]
    if "--dry-run" in options:
        assert "no reject file" in result.stdout


def test_refused_rows_never_go_through_a_planted_link(cli_env, team, victim):
    source = team / "expo.csv"
    source.write_text(WITH_REFUSALS)
    link = plant_link(team, "expo-rejected.csv", victim)
    result = run(["import", str(source)], cli_env, 1)
    assert victim.read_text() == VICTIM_TEXT
    assert os.readlink(link) == str(victim)
    moved = team / "expo-rejected-2.csv"
    assert "bad@@example.com" in moved.read_text(encoding="utf-8-sig")
    assert not moved.is_symlink()
    # The report says where the rows went, and why not to the usual name.
    assert (
        f"refused rows, with the reasons, are in {moved} (expo-rejected.csv was there "
        "already and is kept as it is)" in result.stdout
    )


def test_a_reject_file_being_fixed_by_hand_is_never_replaced_or_deleted(sqlite_rules, team):
    source = team / "expo.csv"
    source.write_text(WITH_REFUSALS)
    by_hand = team / "expo-rejected.csv"
    by_hand.write_text("import row,refused field\n7,email  <- fixing this one\n")
    before = by_hand.read_bytes()
    reports = [run_import(sqlite_rules, plan_import(source), ImportOptions()) for _ in range(2)]
    assert [r.rejects for r in reports] == [
        team / "expo-rejected-2.csv",
        team / "expo-rejected-3.csv",
    ]
    assert by_hand.read_bytes() == before
    # An import that refuses nothing leaves every earlier reject file as it was.
    source.write_text(CLEAN.replace("ann@", "ann2@").replace("bo@", "bo2@"))
    clean = run_import(sqlite_rules, plan_import(source), ImportOptions())
    assert clean.rejects is None and clean.counts["inserted"] == 2
    assert names(team) == [
        "expo-rejected-2.csv",
        "expo-rejected-3.csv",
        "expo-rejected.csv",
        "expo.csv",
    ]
    assert by_hand.read_bytes() == before


def test_a_dry_run_writes_no_reject_file(sqlite_rules, team):
    source = team / "expo.csv"
    source.write_text(WITH_REFUSALS)
    report = run_import(sqlite_rules, plan_import(source), ImportOptions(dry_run=True))
    assert report.counts["refused"] == 1 and report.rejects is None
    assert names(team) == ["expo.csv"]


def test_a_reject_file_named_with_rejects_is_not_written_through_a_link(sqlite_rules, team, victim):
    source = team / "expo.csv"
    source.write_text(WITH_REFUSALS)
    link = plant_link(team, "mine.csv", victim)
    report = run_import(sqlite_rules, plan_import(source), ImportOptions(rejects=link))
    assert victim.read_text() == VICTIM_TEXT
    assert report.rejects == team / "mine-2.csv"


def test_a_reject_file_takes_the_team_folders_group_and_the_umask(cli_env, team):
    as_root_only()
    group = 4242
    os.chown(team, -1, group)
    team.chmod(0o2775)  # setgid, group-writable: the README's team folder
    source = team / "expo.csv"
    source.write_text(WITH_REFUSALS)
    run_cli(["import", str(source)], cli_env, 1, umask=0o002)
    info = (team / "expo-rejected.csv").stat()
    assert info.st_gid == group
    assert stat.S_IMODE(info.st_mode) == 0o664


# ------------------------------------------------------------------ exports


def run_cli(args: list[str], env: dict, rc: int, umask: int = 0o022):
    result = subprocess.run(
        [sys.executable, "-m", "funnel_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        umask=umask,
    )
    assert result.returncode == rc, result.stderr
    assert "Traceback" not in result.stderr
    return result


def seed_lead(env: dict) -> None:
    run(["add", "--name", "Ann Lee", "--email", "ann@example.com"], env)


def test_an_export_refuses_to_write_through_a_link(cli_env, team, victim):
    seed_lead(cli_env)
    link = plant_link(team, "leads.csv", victim)
    result = run_cli(["export", "-o", str(link)], cli_env, 1)
    assert result.stderr.strip() == (
        f"funnel: output: {link} is a symbolic link: funnel never writes through one "
        "(remove the link or choose another name)"
    )
    assert victim.read_text() == VICTIM_TEXT
    assert os.readlink(link) == str(victim)
    assert names(team) == ["leads.csv"]  # no temporary file left


def test_an_export_refuses_to_replace_another_users_file(cli_env, team):
    as_root_only()
    seed_lead(cli_env)
    theirs = team / "leads.csv"
    theirs.write_text("their own export\n")
    os.chown(theirs, OTHER_UID, -1)
    result = run_cli(["export", "-o", str(theirs)], cli_env, 1)
    assert f"output: {theirs} belongs to " in result.stderr
    assert "funnel does not replace another user's file" in result.stderr
    assert theirs.read_text() == "their own export\n"
    assert names(team) == ["leads.csv"]


def test_an_export_replaces_ones_own_file_whole_with_the_folders_group(cli_env, team):
    seed_lead(cli_env)
    mine = team / "leads.csv"
    mine.write_text("yesterday's export\n")
    if os.geteuid() == 0:
        os.chown(team, -1, 4242)
    team.chmod(0o2775)
    run_cli(["export", "-o", str(mine)], cli_env, 0, umask=0o002)
    assert "ann@example.com" in mine.read_text(encoding="utf-8-sig")
    info = mine.stat()
    assert stat.S_IMODE(info.st_mode) == 0o664
    assert info.st_gid == team.stat().st_gid
    assert names(team) == ["leads.csv"]


# ------------------------------------------------------------------ drafts


def test_a_draft_is_never_written_through_a_planted_link(tmp_path, victim):
    drafts = DraftStore("rita", tmp_path / "drafts")
    drafts.save("capture", {"name": "first"})
    target = tmp_path / "drafts" / "rita-capture.json"
    target.unlink()
    target.symlink_to(victim)
    with pytest.raises(UnsafeFile, match=r"rita-capture\.json is a symbolic link"):
        drafts.save("capture", {"name": "Anna"})
    assert victim.read_text() == VICTIM_TEXT
    # Nor read through one: a link is no draft of the user's.
    assert drafts.load("capture") is None


def test_drafts_are_private_files_in_a_private_folder(tmp_path):
    folder = tmp_path / "drafts"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # made by a loose umask: others could swap the files
    drafts = DraftStore("rita", folder)
    drafts.save("capture", {"name": "Anna"})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "rita-capture.json").stat().st_mode) == 0o600
    assert json.loads((folder / "rita-capture.json").read_text()) == {"name": "Anna"}
    assert [p.name for p in folder.iterdir()] == ["rita-capture.json"]


def test_a_draft_folder_or_file_of_another_user_is_refused(tmp_path):
    as_root_only()
    folder = tmp_path / "drafts"
    folder.mkdir()
    os.chown(folder, OTHER_UID, -1)
    with pytest.raises(UnsafeFile, match=r"drafts belongs to .*only in a folder of yours"):
        DraftStore("rita", folder).save("capture", {"name": "Anna"})
    os.chown(folder, 0, -1)
    theirs = folder / "rita-capture.json"
    theirs.write_text('{"name": "planted"}')
    os.chown(theirs, OTHER_UID, -1)
    drafts = DraftStore("rita", folder)
    assert drafts.load("capture") is None  # not the user's own: not offered back
    with pytest.raises(UnsafeFile, match="funnel does not replace another user's file"):
        drafts.save("capture", {"name": "Anna"})
    assert theirs.read_text() == '{"name": "planted"}'
