"""Looking after the database: migrate, demo, counts, where."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, format_option, print_json
from funnel_tui.core.errors import EXIT_REFUSED, CliRefused
from funnel_tui.core.i18n import _, ngettext


def register(command: AddCommand) -> None:
    migrate = command(
        "migrate",
        _(
            "copy this database, every row and its history, into a new one "
            "(e.g. postgresql://user@host/funnel) and compare the counts per table"
        ),
    )
    migrate.add_argument("--to", required=True, metavar="TARGET", help=_("a URL or a file path"))
    format_option(migrate)
    migrate.set_defaults(run=cmd_migrate)

    demo = command("demo", _("fill the database with realistic demo data"))
    demo.add_argument("--leads", type=int, default=1000)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--into-existing",
        action="store_true",
        help=_("add the demo data to a database that already holds leads"),
    )
    format_option(demo)
    demo.set_defaults(run=cmd_demo)

    counts = command("counts", _("print how many records stand at each step of the funnel"))
    format_option(counts)
    counts.set_defaults(run=cmd_counts)
    where = command("where", _("print the database, config file and user funnel would use"))
    format_option(where)
    where.set_defaults(run=cmd_where)


def cmd_migrate(args: argparse.Namespace) -> int:
    ctx = Context(args, also=(args.to,))
    from funnel_tui.cli.tables import write_table
    from funnel_tui.core.formats import number
    from funnel_tui.storage.copy import copy_database
    from funnel_tui.storage.targets import describe

    text = args.format == "text"

    def progress(table: str, rows: int) -> None:
        if text and sys.stdout.isatty():
            said = ngettext("{table}: {count} row copied", "{table}: {count} rows copied", rows)
            print("  " + said.format(table=table, count=number(rows)), flush=True)

    if text:
        said = _("copying {source} → {target}")
        print(said.format(source=describe(ctx.target), target=describe(args.to)))
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
            "source": number(c.source),
            "target": number(c.target),
            "": "✓" if c.equal else _("✘ differs"),
        }
        for c in counts
    ]
    write_table(rows, ["table", "source", "target", ""], sys.stdout)
    if not equal:
        said = _("the counts differ; do not switch to the copy")
        print(f"funnel: {said}", file=sys.stderr)
        return EXIT_REFUSED
    said = _("every row is in {target}: use it with --db or FUNNEL_DB")
    print(said.format(target=describe(args.to)))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    if args.leads < 1:
        raise CliRefused(_("leads: must be at least 1"))
    ctx = Context(args, create=True)  # a demo goes into a new file (--db demo.db): said
    from funnel_tui.core.formats import number
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.read.queries import LeadQuery, lead_count
    from funnel_tui.storage.targets import describe

    held = lead_count(LeadQuery())
    if held and not args.into_existing:
        # A team's database filled with fake people by a mistyped --db or FUNNEL_DB.
        said = ngettext(
            "{database} already holds {count} lead: demo data would be mixed in with it; "
            "use a new file (--db demo.db), or add --into-existing",
            "{database} already holds {count} leads: demo data would be mixed in with them; "
            "use a new file (--db demo.db), or add --into-existing",
            held,
        )
        raise CliRefused(said.format(database=describe(ctx.target), count=number(held)))

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            said = _("{done}/{total} leads").format(done=number(done), total=number(total))
            print(f"\r{said}", end="", file=sys.stderr, flush=True)

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
    counts = [
        ngettext("{count} lead", "{count} leads", summary.leads),
        ngettext("{count} company", "{count} companies", summary.companies),
        ngettext("{count} opportunity", "{count} opportunities", summary.opportunities),
        ngettext("{count} activity", "{count} activities", summary.activities),
        ngettext("{count} history entry", "{count} history entries", summary.history),
    ]
    made = [
        said.format(count=number(n))
        for said, n in zip(
            counts,
            (
                summary.leads,
                summary.companies,
                summary.opportunities,
                summary.activities,
                summary.history,
            ),
            strict=True,
        )
    ]
    said = _("demo: {counts} in {seconds} s")
    print(said.format(counts=", ".join(made), seconds=number(summary.seconds, 1)))
    return EXIT_OK


def cmd_counts(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.read.queries import funnel_counts

    rows = funnel_counts(ctx.config)
    if args.format == "json":
        print_json([{"group": r.group, "key": r.key, "count": r.count} for r in rows])
        return EXIT_OK
    from funnel_tui.core.formats import number
    from funnel_tui.core.output import cell_width

    for row in rows:  # padded by terminal cells: a Chinese label is twice as wide
        padding = " " * max(0, 28 - cell_width(row.label))
        print(f"{row.label}{padding}{number(row.count):>10}")
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
    absent = _("{path} (not present; defaults)").format(path=user_config_path())
    print(_("database: {database}").format(database=database))
    print(_("config:   {path}").format(path=config.source_path or absent))
    print(_("user:     {user}").format(user=user))
    return EXIT_OK
