"""Looking after the database: migrate, demo, counts, where."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, format_option, print_json
from funnel_tui.core.errors import EXIT_REFUSED, CliRefused


def register(command: AddCommand) -> None:
    migrate = command(
        "migrate",
        "copy this database, every row and its history, into a new one "
        "(e.g. postgresql://user@host/funnel) and compare the counts per table",
    )
    migrate.add_argument("--to", required=True, metavar="TARGET", help="a URL or a file path")
    format_option(migrate)
    migrate.set_defaults(run=cmd_migrate)

    demo = command("demo", "fill the database with realistic demo data")
    demo.add_argument("--leads", type=int, default=1000)
    demo.add_argument("--seed", type=int, default=1)
    format_option(demo)
    demo.set_defaults(run=cmd_demo)

    counts = command("counts", "print how many records stand at each step of the funnel")
    format_option(counts)
    counts.set_defaults(run=cmd_counts)
    where = command("where", "print the database, config file and user funnel would use")
    format_option(where)
    where.set_defaults(run=cmd_where)


def cmd_migrate(args: argparse.Namespace) -> int:
    ctx = Context(args, also=(args.to,))
    from funnel_tui.core.output import write_table
    from funnel_tui.rules.history_words import many
    from funnel_tui.storage.copy import copy_database
    from funnel_tui.storage.targets import describe

    text = args.format == "text"

    def progress(table: str, rows: int) -> None:
        if text and sys.stdout.isatty():
            print(f"  {table}: {many(rows, 'row')} copied", flush=True)

    if text:
        print(f"copying {describe(ctx.target)} → {describe(args.to)}")
    counts = copy_database(ctx.db, args.to, progress)
    equal = all(c.equal for c in counts)
    if not text:
        tables = [
            {"table": c.table, "source": c.source, "target": c.target, "equal": c.equal}
            for c in counts
        ]
        data = {"from": describe(ctx.target), "to": describe(args.to), "tables": tables}
        print_json({**data, "equal": equal})
        return EXIT_OK if equal else EXIT_REFUSED
    rows = [
        {
            "table": c.table,
            "source": f"{c.source:,}",
            "target": f"{c.target:,}",
            "": "✓" if c.equal else "✘ differs",
        }
        for c in counts
    ]
    write_table(rows, ["table", "source", "target", ""], sys.stdout)
    if not equal:
        print("funnel: the counts differ; do not switch to the copy", file=sys.stderr)
        return EXIT_REFUSED
    print(f"every row is in {describe(args.to)}: use it with --db or FUNNEL_DB")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    if args.leads < 1:
        raise CliRefused("leads: must be at least 1")
    ctx = Context(args)
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.rules.history_words import many

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done:,}/{total:,} leads", end="", file=sys.stderr, flush=True)

    summary = generate_demo(
        ctx.db,
        ctx.config,
        leads=args.leads,
        seed=args.seed,
        user=ctx.user,
        progress=progress,
        today=ctx.rules.today(),  # the user's date: the demo's "today" is theirs
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.format == "json":
        print_json(dataclasses.asdict(summary))
        return EXIT_OK
    print(
        f"demo: {many(summary.leads, 'lead')}, {many(summary.companies, 'company')}, "
        f"{many(summary.opportunities, 'opportunity')}, "
        f"{many(summary.activities, 'activity')}, "
        f"{many(summary.history, 'history_entry')} in {summary.seconds:.1f} s"
    )
    return EXIT_OK


def cmd_counts(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.read.queries import funnel_counts

    rows = funnel_counts(ctx.config)
    if args.format == "json":
        print_json([{"group": r.group, "key": r.key, "count": r.count} for r in rows])
        return EXIT_OK
    for row in rows:
        print(f"{row.label:<28}{row.count:>10,}")
    return EXIT_OK


def cmd_where(args: argparse.Namespace) -> int:
    from funnel_tui.config import current_user, database_target, load_config, user_config_path

    config = load_config(getattr(args, "config", None))
    from funnel_tui.storage.targets import describe

    database = describe(database_target(getattr(args, "db", None)))
    user = current_user(getattr(args, "user", None))
    if args.format == "json":
        print_json(
            {
                "database": database,
                "config": str(config.source_path) if config.source_path else None,
                "config_default": str(user_config_path()),
                "user": user,
            }
        )
        return EXIT_OK
    print(f"database: {database}")
    print(f"config:   {config.source_path or f'{user_config_path()} (not present; defaults)'}")
    print(f"user:     {user}")
    return EXIT_OK
