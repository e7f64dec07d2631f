"""`funnel import` and `funnel export`: the command line of funnel_tui.transfer.

Import exits 0 when every row was placed (inserted, updated, unchanged or skipped as a
duplicate), 1 when a row was refused or the import stopped early, 2 for a bad option.
Refused rows go to a new reject file, NAME-rejected.csv or, when that name is taken (a
file someone may be fixing, or anything else), NAME-rejected-2.csv and so on: the report
says which. A dry run writes no reject file; an import that refuses nothing makes none.
`export -o FILE` replaces FILE only when it is the user's own regular file (not a link).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
from pathlib import Path

from funnel_tui.cli.assign import NEW_USER_HELP
from funnel_tui.cli.common import (
    EXIT_OK,
    AddCommand,
    Context,
    filter_options,
    safe,
    stored_name,
    stored_stages,
)
from funnel_tui.core.errors import EXIT_REFUSED, CliRefused
from funnel_tui.core.i18n import _, ngettext


def register(command: AddCommand) -> None:
    importing = command(
        "import",
        _(
            "import leads from a CSV file (a spreadsheet, another CRM) or a vCard file "
            "(a phone); each row is checked like a lead typed in, refused rows go to a "
            "reject file"
        ),
    )
    importing.add_argument(
        "file",
        help=_(
            "a .csv, .xlsx or .vcf file; - reads standard input (CSV or vCards, told apart "
            "by what they hold; refused rows go to stdin-rejected.csv here unless --rejects)"
        ),
    )
    importing.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help=_(
            'import COLUMN (a header or a number) as FIELD, e.g. --map "Tel=phone"; '
            '"Fax=" leaves a column out. Fields: name, first_name, middle_name, last_name, '
            "company, title, phone, email, country, source, notes, owner (a user's login or "
            "name)"
        ),
    )
    importing.add_argument(
        "--map-value",
        action="append",
        default=[],
        metavar="FIELD:VALUE=TARGET",
        help=_(
            "what a value of the file that is not on funnel's list becomes (FIELD: source, "
            'country or owner; VALUE compared case-insensitively): "source:Web=Web form" '
            'maps it to a listed value, "source:Webinar=" keeps its rows with the field '
            'empty, "source:Webinar=+" adds it to the team\'s sources ("=+Name" adds Name '
            "instead). Without one, rows with a source or country not on the list are "
            "refused and the summary names each value with the option that would take it; "
            "an owner that is no user gives the lead to you"
        ),
    )
    importing.add_argument(
        "--update",
        action="store_true",
        help=_(
            "a row whose email or phone matches a lead fills in that lead's empty fields "
            "(default: such rows are skipped as duplicates)"
        ),
    )
    importing.add_argument(
        "--overwrite", action="store_true", help=_("with --update: replace filled fields too")
    )
    importing.add_argument(
        "--dry-run", action="store_true", help=_("write nothing; report what would happen")
    )
    importing.add_argument(
        "--strict", action="store_true", help=_("if any row is refused, write nothing at all")
    )
    importing.add_argument("--source", default="", help=_("the source of rows that name none"))
    importing.add_argument(
        "--assign-to",
        metavar="USER[,USER…]",
        help=_(
            "give the new leads to these users in turn (round-robin); a row whose file "
            "names its owner keeps that one. A name no one has is a new user, made and said so"
        ),
    )
    importing.add_argument(
        "--new-user",
        action="append",
        default=[],
        metavar="NAME",
        help=_("with --assign-to: {help}").format(help=_(NEW_USER_HELP)),
    )
    importing.add_argument(
        "--rejects", metavar="FILE", help=_("where refused rows go (default: FILE-rejected.csv)")
    )
    importing.add_argument("--encoding", help=_("the file's encoding, if not the one detected"))
    importing.add_argument("--delimiter", help=_("the CSV delimiter, if not the one detected"))
    importing.add_argument(
        "--skip-lines", type=int, metavar="N", help=_("N lines precede the header")
    )
    importing.add_argument("--format", choices=("text", "json"), default="text")
    importing.set_defaults(run=cmd_import)

    exporting = command("export", _("export leads with every field: CSV, JSON or vCard"))
    exporting.add_argument("--format", choices=("csv", "json", "vcf"), default="csv")
    filter_options(exporting)
    exporting.add_argument(
        "--vcard-version", choices=("3.0", "4.0"), default="3.0", help=_("for --format vcf")
    )
    exporting.add_argument(
        "-o", "--output", metavar="FILE", help=_("write here; - (the default) is standard output")
    )
    exporting.set_defaults(run=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    from funnel_tui.transfer.scratch import ending_on_signals

    # A closed SSH session or a kill ends the import by unwinding: its scratch files go.
    with ending_on_signals():
        return _import_from(args)


def _import_from(args: argparse.Namespace) -> int:
    if args.file != "-":
        return _import(args)
    if sys.stdin.isatty():  # nothing piped in: waiting would look like a hang
        raise CliRefused(
            _(
                "import -: standard input is the terminal; pipe a file in "
                "(funnel import - < leads.csv) or name the file"
            )
        )
    # Standard input, read once into a private file: the import reads its start to
    # judge it, then reads it whole (twice with --strict).
    from funnel_tui.transfer.scratch import scratch_folder, spool

    with scratch_folder() as folder:
        path = folder / "stdin"
        spool(sys.stdin.buffer, path)
        args.file = str(path)
        if not args.rejects:  # beside the file would be the folder about to go
            args.rejects = str(Path.cwd() / "stdin-rejected.csv")
        return _import(args)


def _import(args: argparse.Namespace) -> int:
    from funnel_tui.core.errors import FileRefused, MappingRefused
    from funnel_tui.transfer.importer import run_import
    from funnel_tui.transfer.plan import ImportOptions, plan_import
    from funnel_tui.transfer.values import ValueMap

    try:
        value_map = ValueMap.parse(args.map_value)
    except MappingRefused as exc:
        raise CliRefused(str(exc)) from exc
    options = ImportOptions(
        update=args.update,
        overwrite=args.overwrite,
        dry_run=args.dry_run,
        strict=args.strict,
        source=args.source,
        rejects=Path(args.rejects) if args.rejects else None,
        values=value_map,
    )
    if options.problems():
        raise CliRefused(*options.problems())
    try:
        plan = plan_import(args.file, args.map, args.encoding, args.delimiter, args.skip_lines)
    except (FileRefused, MappingRefused) as exc:
        raise CliRefused(str(exc)) from exc
    text = args.format == "text"
    if text:
        _show_plan(plan)
    problems = plan.column_map.problems()
    if problems:
        raise CliRefused(*problems)
    ctx = Context(args)
    if options.source:  # typed as the rep reads it, stored as the config names it
        source = stored_name(options.source, ctx.config.lead_sources)
        options = dataclasses.replace(options, source=source)
    _check_owner_targets(value_map, plan)
    people = _assign_to(args, ctx, options) if args.assign_to else []
    if people and not options.dry_run:
        options = dataclasses.replace(options, assign_to=tuple(p.user_id for p in people))
    bar = _ProgressBar() if text and sys.stdout.isatty() else None
    try:
        report = run_import(ctx.rules, plan, options, progress=bar, cancel=threading.Event())
    except FileRefused as exc:
        raise CliRefused(str(exc)) from exc
    finally:
        if bar is not None:
            bar.clear()
    if text:
        _show_report(report, ctx.rules.config, ctx.user)
        if people:
            print(_assigned_words(people, options.dry_run))
    else:
        data = _report_json(report)
        if people:
            data["assigned_to"] = [p.login for p in people]
            data["created_users"] = [p.login for p in people if p.new]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    refused = report.counts["refused"]
    return EXIT_REFUSED if refused or report.aborted else EXIT_OK


def _assign_to(args: argparse.Namespace, ctx: Context, options) -> list:
    """The users --assign-to names, those new made (unless a dry run): rules.assign."""
    from funnel_tui.cli.assign import refused, user_list
    from funnel_tui.core.errors import Refused

    find = ctx.rules.find_users if options.dry_run else ctx.rules.make_users
    try:
        return find(user_list(args.assign_to), args.new_user)
    except Refused as exc:
        raise refused(exc) from exc


def _assigned_words(people: list, dry_run: bool) -> str:
    """`new leads given in turn to ana, ben; new user ben made`."""
    logins = ", ".join(safe(p.login) for p in people)
    made = ", ".join(safe(p.login) for p in people if p.new)
    if dry_run:
        said = _("new leads would go in turn to {users}").format(users=logins)
        if made:
            said = _("new leads would go in turn to {users}; new user {made} would be made")
    else:
        said = _("new leads given in turn to {users}").format(users=logins)
        if made:
            said = _("new leads given in turn to {users}; new user {made} was made")
    return said.format(users=logins, made=made)


def _check_owner_targets(value_map, plan) -> None:
    """An owner mapped to nobody is a typo: said before anything is imported."""
    from funnel_tui.transfer.importer import user_names
    from funnel_tui.transfer.values import fold

    users = user_names()
    for rule in value_map.rules:
        if rule.field == "owner" and rule.target and fold(rule.target) not in users:
            said = _(
                "--map-value owner:{value}={target}: there is no user {user}; a user's "
                "login or name, or empty for you"
            )
            raise CliRefused(
                said.format(value=rule.value, target=rule.target, user=repr(rule.target))
            )


def _show_plan(plan) -> None:
    from funnel_tui.cli.tables import write_table
    from funnel_tui.transfer.columns import field_shown, how_shown

    print(f"{safe(plan.facts.path.name)}: {plan.kind_label}, {plan.facts.encoding.label}")
    for note in plan.facts.notes:
        print(f"  {safe(note)}")
    first = plan.samples[0].cells if plan.samples else []
    rows = [
        {
            "column": f"{c.number}. {c.header}",
            "→ field": field_shown(c.field) if c.field else f"({how_shown(c.how)})",
            "first row": first[c.number - 1] if c.number <= len(first) else "",
        }
        for c in plan.column_map.columns
    ]
    write_table(rows, ["column", "→ field", "first row"], sys.stdout, max_width=32)
    print(_('change with --map "COLUMN=field"; try it first with --dry-run'))
    print()


class _ProgressBar:
    """One line redrawn in place: bar, share done, rows, rows/s, time left."""

    WIDTH = 24

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, p) -> None:
        from funnel_tui.core.formats import number
        from funnel_tui.transfer.importer import format_eta

        filled = round(p.fraction * self.WIDTH)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        rows = ngettext("{count} row", "{count} rows", p.rows).format(count=number(p.rows))
        speed = _("{count} rows/s").format(count=number(p.rows_per_second, 0))
        line = (
            f"\r{p.phase} [{bar}] {p.fraction:4.0%}  {rows}  {speed}  {format_eta(p.eta_seconds)}"
        )
        sys.stdout.write(line.ljust(78))
        sys.stdout.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            sys.stdout.write("\r" + " " * 78 + "\r")
            sys.stdout.flush()


def _show_report(report, config, user: str) -> None:
    from funnel_tui.core.formats import number
    from funnel_tui.transfer.importer import iter_outcomes

    said = _("{summary} in {seconds} s")
    print(said.format(summary=safe(report.summary()), seconds=number(report.seconds, 1)))
    if report.left_out:
        said = _('{note} (keep one with --map "COLUMN=notes")')
        print(said.format(note=safe(report.left_out_note())))
    if report.dry_run:
        print(_("dry run: nothing was written, and no reject file"))
    for name, values in report.added.items():
        said = _("added to the team's {list} list: {values}")
        print(said.format(list=name, values=safe(", ".join(values))))
    _show_off_list(report, config, user)
    for o in report.possible[:10]:
        said = _("row {row}: possible duplicate: {reason}")
        print("  " + said.format(row=o.row, reason=safe(o.reason)))
    if report.possible_count > 10:
        more = report.possible_count - 10
        said = ngettext(
            "… and {count} more possible duplicate", "… and {count} more possible duplicates", more
        )
        print("  " + said.format(count=number(more)))
    for line in list(iter_outcomes(report))[:10]:
        print(f"  {safe(line)}")
    not_shown = report.counts["duplicate"] + report.counts["refused"] - 10
    if not_shown > 0:
        if report.rejects:
            said = _("… and {count} more (every refused row is in the reject file)")
        else:
            said = _("… and {count} more")
        print("  " + said.format(count=number(not_shown)))
    if report.rejects:
        said = _(
            "refused rows, with the reasons, are in {file}: fix them there and import that file"
        )
        print(said.format(file=safe(report.rejects_note)))
    if report.rejects_problem:
        print(f"funnel: {safe(report.rejects_problem)}", file=sys.stderr)
    if report.aborted:
        print(f"funnel: {safe(report.aborted)}", file=sys.stderr)
    if not report.adds_up():  # a bug, said rather than hidden
        said = _("the counts do not add up to the rows read")
        print(f"funnel: {said}", file=sys.stderr)


def _show_off_list(report, config, user: str) -> None:
    """The values not on a list, with their rows and the --map-value that takes each."""
    from funnel_tui.core.formats import number
    from funnel_tui.transfer.values import suggest_option

    choices = {"source": config.lead_sources, "country": (), "owner": ()}
    for name in ("source", "country"):
        values = report.off_list_values(name)
        if not values:
            continue
        listed = _counted_values(values)
        if len(values) > 10:
            more = _(" and {count} more").format(count=number(len(values) - 10))
        else:
            more = ""
        if name == "source":
            said = _("source not on the list, so those rows were refused: {values}{more}")
        else:
            said = _("country not on the list, so those rows were refused: {values}{more}")
        print(said.format(values=safe(listed), more=more))
        for value, _count in values[:10]:
            print(f"  {safe(suggest_option(name, value, choices[name]))}")
        if name == "source":
            said = _(
                '(the sources: {sources}; "=+" adds the value to them, "=" keeps the rows '
                "with no source)"
            )
            print("  " + said.format(sources=safe(", ".join(config.lead_sources))))
        else:
            said = _(
                '(a country funnel knows, by name or code such as "US"; "=" keeps the '
                "rows with no country)"
            )
            print("  " + said)
    owners = report.off_list_values("owner")
    if owners:
        said = _(
            "owner is no user here, so those leads are yours ({user}): {values}; "
            'map one with --map-value "owner:NAME=LOGIN"'
        )
        print(said.format(user=safe(user), values=safe(_counted_values(owners))))


def _counted_values(values: list) -> str:
    """`'Webinar' (3 rows), 'Fair' (1 row)`: the first ten values and their rows."""
    from funnel_tui.core.formats import number

    return ", ".join(
        ngettext("{value} ({count} row)", "{value} ({count} rows)", n).format(
            value=repr(v), count=number(n)
        )
        for v, n in values[:10]
    )


def _report_json(report) -> dict:
    return {
        "file": report.file,
        "rows_read": report.rows_read,
        **report.counts,
        "dry_run": report.dry_run,
        "left_out": report.left_out,
        "rejects": str(report.rejects) if report.rejects else None,
        "rejects_problem": report.rejects_problem or None,
        "aborted": report.aborted or None,
        "seconds": round(report.seconds, 3),
        "possible_duplicates": [{"row": o.row, "reason": o.reason} for o in report.possible],
        "not_on_list": [
            {"field": name, "value": value, "rows": rows}
            for name in ("source", "country", "owner")
            for value, rows in report.off_list_values(name)
        ],
        "added_to_lists": {name: list(values) for name, values in report.added.items()},
        "examples": [
            {"row": o.row, "outcome": o.outcome, "field": o.field, "reason": o.reason}
            for o in report.examples
        ],
    }


def cmd_export(args: argparse.Namespace) -> int:
    from funnel_tui.transfer.scratch import ending_on_signals

    # Killed or hung up mid-way, the export unwinds: its part file (every lead exported
    # so far, beside the target) goes, and the target is left as it was.
    with ending_on_signals():
        return _export(args)


def _export(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.read.queries import parse_filter

    flt = parse_filter(
        ctx.config, args.status, stored_stages(args.stage, ctx.config), args.owner or ""
    )
    if not args.output or args.output == "-":
        from funnel_tui.transfer.exporter import export_leads

        sys.stdout.reconfigure(encoding="utf-8")
        export_leads(sys.stdout, args.format, flt, args.vcard_version)
        return EXIT_OK
    from funnel_tui.core.errors import UnsafeFile
    from funnel_tui.transfer.exporter import export_to_file

    target = Path(args.output)
    try:
        count = export_to_file(target, args.format, flt, args.vcard_version)
    except UnsafeFile as exc:
        raise CliRefused(_("output: {problem}").format(problem=exc)) from exc
    except OSError as exc:
        from funnel_tui.core.full_disk import full_words, is_full

        if is_full(exc):
            said = _("output: {problem}").format(problem=full_words(target.absolute().parent))
            raise CliRefused(said) from exc
        said = _("output: cannot write {file} ({problem})")
        raise CliRefused(said.format(file=target, problem=exc.strerror or exc)) from exc
    from funnel_tui.core.formats import number

    said = ngettext("exported {count} lead to {file}", "exported {count} leads to {file}", count)
    print(said.format(count=number(count), file=target), file=sys.stderr)
    return EXIT_OK
