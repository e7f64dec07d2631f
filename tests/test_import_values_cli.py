"""`funnel import` with values not on a list (--map-value), an owner column, shared
phones, and the reject file of a dry run and of a later real run, as a script runs it."""

from __future__ import annotations

import json

from .test_cli import run
from .test_import_values import CRM

SUGGESTED = (
    "--map-value 'source:Web=Web form'",
    "--map-value source:Webinar=+",
    "--map-value source:Fair=+",
    "--map-value country:Amerika=",
)


def test_without_a_mapping_the_summary_names_each_value_and_the_option_to_use(cli_env, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="utf-8")
    result = run(["import", str(path)], cli_env, 1)
    out = result.stdout
    assert "7 rows read: 1 inserted, 0 duplicates skipped, 6 refused" in out
    assert (
        "source not on the list, so those rows were refused: 'Web' (2 rows), 'Webinar' "
        "(2 rows), 'Fair' (1 row)" in out
    )
    assert "country not on the list, so those rows were refused: 'Amerika' (1 row)" in out
    for option in SUGGESTED:
        assert f"  {option}\n" in out

    # The options as printed take every row; the added source is the team's from now.
    again = run(
        [
            "import",
            str(path),
            "--map-value",
            "source:Web=Web form",
            "--map-value",
            "source:Webinar=+",
            "--map-value",
            "source:Fair=",
            "--map-value",
            "country:Amerika=US",
        ],
        cli_env,
        0,
    )
    assert "7 rows read: 6 inserted, 1 duplicate skipped, 0 refused" in again.stdout
    assert "added to the team's source list: Webinar" in again.stdout
    other = {**cli_env, "FUNNEL_USER": "dora"}
    run(["add", "--name", "Zed", "--email", "zed@example.com", "--source", "webinar"], other)
    leads = json.loads(run(["list", "--format", "json"], other).stdout)
    assert {lead["name"]: lead["source"] for lead in leads}["Zed"] == "Webinar"


def test_a_map_value_that_cannot_be_read_or_names_no_user_writes_nothing(cli_env, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="utf-8")
    bad = run(["import", str(path), "--map-value", "source=Web"], cli_env, None)
    assert bad.returncode != 0 and "FIELD:VALUE=TARGET" in bad.stderr
    owned = tmp_path / "owned.csv"
    owned.write_text("Name,Email,Owner\nAnn,ann@example.com,Bob\n", encoding="utf-8")
    nobody = run(
        ["import", str(owned), "--map", "Owner=owner", "--map-value", "owner:Bob=bobby"],
        cli_env,
        None,
    )
    assert nobody.returncode != 0 and "there is no user 'bobby'" in nobody.stderr
    assert json.loads(run(["list", "--format", "json"], cli_env).stdout) == []
    # Unmapped, an unknown owner costs nothing: the lead is the importer's, and said.
    mine = run(["import", str(owned), "--map", "Owner=owner"], cli_env, 0)
    assert "owner is no user here, so those leads are yours (carol): 'Bob' (1 row)" in (mine.stdout)
    assert json.loads(run(["list", "--format", "json"], cli_env).stdout)[0]["owner"] == "carol"


def test_people_sharing_a_number_are_imported_and_the_summary_flags_them(cli_env, tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text(
        "Name,Phone\nHans Becker,+49 30 901820\nGreta Becker,+49 30 901820\n", encoding="utf-8"
    )
    result = run(["import", str(path)], cli_env, 0)
    assert "2 inserted" in result.stdout and "1 possible duplicate (same phone" in result.stdout
    assert (
        "  row 3: possible duplicate: same phone as row 2 of this file (Hans Becker)"
        in result.stdout
    )


def test_a_dry_run_never_touches_the_reject_file_of_the_real_import(cli_env, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="utf-8")
    rejects = tmp_path / "crm-rejected.csv"
    dry = run(["import", str(path), "--dry-run"], cli_env, 1)
    assert "dry run: nothing was written, and no reject file" in dry.stdout
    assert not rejects.exists()
    run(["import", str(path), "--map-value", "source:Web=Web form"], cli_env, 1)
    kept = rejects.read_bytes()
    assert kept.count(b"\n") == 1 + 4  # header, Webinar ×2, Fair, Amerika
    dry = run(["import", str(path), "--dry-run"], cli_env, 1)
    assert rejects.read_bytes() == kept
    assert not (tmp_path / "crm-rejected-2.csv").exists()
    real = run(["import", str(path)], cli_env, 1)
    second = tmp_path / "crm-rejected-2.csv"
    assert f"are in {second} (crm-rejected.csv was there already and is kept as it is)" in (
        real.stdout
    )
    assert rejects.read_bytes() == kept
