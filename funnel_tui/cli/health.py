"""funnel check [--repair]: the database's health, from the command line (rules.health).

A database file SQLite finds damaged is reported with the way back and never opened
through funnel (which would write to it); the other checks run on the open database."""

from __future__ import annotations

import argparse

from funnel_tui.cli.common import EXIT_OK, AddCommand, format_option, print_json
from funnel_tui.core.errors import EXIT_REFUSED
from funnel_tui.core.i18n import _


def register(command: AddCommand) -> None:
    check = command(
        "check",
        _(
            "check the database: its file, references, schema, search index, report "
            "tallies, leads per status, scores and engagement; exit 1 with what is wrong"
        ),
    )
    check.add_argument(
        "--repair",
        action="store_true",
        help=_(
            "rebuild what can be rebuilt (the search index, report tallies, leads per status, "
            "scores, engagement)"
        ),
    )
    format_option(check)
    check.set_defaults(run=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from funnel_tui.config import database_target
    from funnel_tui.rules.health import RESTORE_HINT, Finding
    from funnel_tui.storage import backups
    from funnel_tui.storage.targets import describe

    target = database_target(getattr(args, "db", None))
    path = backups.sqlite_path(target)
    findings: list[Finding] = []
    if path is not None:
        if not path.is_file():
            from funnel_tui.core.errors import CliRefused

            raise CliRefused(_("{path} is not a database file").format(path=path))
        damage = backups.file_problems(path)
        if damage:
            said = _("the file is damaged: {reason}; restore a backup ({hint})").format(
                reason="; ".join(damage[:3]), hint=RESTORE_HINT
            )
            return _report(describe(target), [Finding("integrity", len(damage), said)], args)
        findings.append(Finding("integrity", 0, _("file: whole")))
    findings += _open_and_check(target, args)
    return _report(describe(target), findings, args)


def _open_and_check(target: str, args: argparse.Namespace):
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.rules.health import check_database
    from funnel_tui.storage.database import close_database, open_database

    open_database(target, migrate_schema=False, create=False)  # an empty file: refused
    try:
        config = Funnel(load_config(getattr(args, "config", None)), "check").config
        return check_database(config, repair=args.repair)
    finally:
        close_database()


def _report(where: str, findings, args: argparse.Namespace) -> int:
    healthy = all(f.ok for f in findings)
    if args.format == "json":
        print_json(
            {
                "database": where,
                "healthy": healthy,
                "checks": [
                    {"check": f.check, "problems": f.problems, "repaired": f.repaired}
                    for f in findings
                ],
            }
        )
    else:
        for finding in findings:
            print(("✔ " if finding.ok else "✘ ") + finding.said)
    return EXIT_OK if healthy else EXIT_REFUSED
