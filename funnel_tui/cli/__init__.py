"""Command line: `funnel` opens the TUI; subcommands script the same rules.

Exit codes: 0 ok, 1 refused (the reasons on stderr, each naming its field), 2 usage (also
a config file funnel cannot use: each problem on stderr with the file and line).
Imports are deferred into the commands: `funnel --help` loads neither Peewee nor
Textual, and nothing but the TUI loads Textual.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

BANT = ("budget", "authority", "need", "timeline")  # config.BANT_ITEMS, without importing it


class CliRefused(Exception):
    """Refused with messages already worded for the user."""

    def __init__(self, *messages: str):
        self.messages = messages
        super().__init__("; ".join(messages))


def _common(
    parser: argparse.ArgumentParser,
    suppress: bool,
    user_help: str = "act as this user (default: $FUNNEL_USER, else your login)",
) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=default,
        help="database file, sqlite:///PATH or postgresql://USER@HOST/NAME "
        "(default: $FUNNEL_DB, else funnel.db in your data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=user_help,
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="funnel.toml to use (default: $FUNNEL_CONFIG, else the one in your config folder)",
    )


def _filter_options(parser: argparse.ArgumentParser) -> None:
    """--status, --stage and --owner: which leads `list` and `export` take."""
    parser.add_argument(
        "--status", action="append", default=[], help="new, working, nurturing, unqualified"
    )
    parser.add_argument(
        "--stage",
        action="append",
        default=[],
        help="lead, prospect, opportunity, customer, or a pipeline stage such as Proposal",
    )
    parser.add_argument("--owner", help="only leads owned by this user")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="funnel",
        description="Keyboard-driven CRM for the front of the sales funnel. "
        "Without a command, opens the terminal UI.",
    )
    _common(parser, suppress=False)
    parser.add_argument(
        "--screen",
        choices=("leads", "today", "board", "capture", "funnel", "import"),
        default="leads",
        help="the screen the terminal UI opens on (default: the lead list)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, **common: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common(sub, suppress=True, **common)
        return sub

    add = command("add", "capture a lead")
    add.add_argument("--name", required=True)
    for name in ("company", "email", "phone", "country", "source", "title"):
        add.add_argument(f"--{name}")
    add.add_argument("--note", dest="notes")
    add.add_argument(
        "--allow-duplicate", action="store_true", help="save even if it matches an existing lead"
    )
    add.add_argument("--format", choices=("text", "json"), default="text")

    update = command("update", "change fields of a lead")
    update.add_argument("id", type=int)
    for name in ("name", "company", "email", "phone", "country", "source", "title"):
        update.add_argument(f"--{name}")
    update.add_argument("--note", dest="notes")
    update.add_argument("--expect-version", type=int, help="refuse if the lead changed since")

    listing = command("list", "list leads")
    _filter_options(listing)
    listing.add_argument("--limit", type=int)
    listing.add_argument(
        "--sort",
        default="newest",
        help="newest (default), score or engagement: best first",
    )
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")

    show = command("show", "show a lead with its checklist, score, deals and history")
    show.add_argument("id", type=int)
    show.add_argument("--format", choices=("text", "json"), default="text")

    status = command("status", "set a lead's status")
    status.add_argument("id", type=int)
    status.add_argument("status", help="new, working, nurturing or unqualified")
    status.add_argument("--reason", default="", help="why (required for unqualified)")
    status.add_argument("--until", help="touch again on YYYY-MM-DD (required for nurturing)")

    qualify = command(
        "qualify",
        "answer checklist items, all or none; prints the explained score and the gate",
    )
    qualify.add_argument("id", type=int)
    for item in BANT:
        qualify.add_argument(f"--{item}", metavar="yes|no|unknown")
    qualify.add_argument(
        "--icp",
        action="append",
        default=[],
        metavar="KEY=ANSWER",
        help="an ideal-customer-profile criterion of the config, e.g. employees=yes; repeatable",
    )
    qualify.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="KEY=FIGURE",
        help="what the lead told for an ICP criterion, judged by the config's rule, "
        "e.g. employees=250; repeatable",
    )
    qualify.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="ITEM=TEXT",
        help='why, e.g. need="fleet tracking is on paper"; ITEM is budget, authority, need, '
        "timeline or icp:KEY; repeatable",
    )
    qualify.add_argument("stray", nargs="*", help=argparse.SUPPRESS)

    promote = command("promote", "promote a lead to prospect through the gate")
    promote.add_argument("id", type=int)

    convert = command("convert", "open an opportunity for a prospect")
    convert.add_argument("id", type=int)
    convert.add_argument("--amount", required=True)
    convert.add_argument("--currency", default="")
    convert.add_argument("--close", help="expected close date YYYY-MM-DD")
    convert.add_argument("--stage", default="")
    convert.add_argument("--name", default="", help="deal name (default: company – contact)")
    convert.add_argument(
        "--yes",
        action="store_true",
        help="confirm a close date in the past (e.g. when recording a deal after the fact)",
    )

    move = command("move", "move an opportunity to a stage")
    move.add_argument("id", type=int)
    move.add_argument("stage")

    win = command("win", "mark an opportunity won")
    win.add_argument("id", type=int)

    lose = command("lose", "mark an opportunity lost")
    lose.add_argument("id", type=int)
    lose.add_argument("--reason", required=True)

    reopen = command("reopen", "reopen a won or lost opportunity")
    reopen.add_argument("id", type=int)

    log = command("log", "log an activity on a lead (or --opportunity)")
    log.add_argument("id", type=int)
    log.add_argument("--opportunity", action="store_true", help="ID is an opportunity")
    log.add_argument(
        "--type",
        dest="kind",
        required=True,
        help="call, email, meeting, sms, social, in_person, note",
    )
    log.add_argument("--direction", default="outbound", choices=("outbound", "inbound"))
    log.add_argument("--outcome", default="", help="e.g. reached, no_answer, left_voicemail")
    log.add_argument("--note", default="")
    log.add_argument(
        "--next",
        dest="next_action",
        default="",
        help='the next action, its due date first: "+3d call back", "fri send quote"',
    )
    log.add_argument("--due", help="the next action's due date, if --next does not start with one")

    today = command("today", "list your Today queue: overdue, due today, nothing scheduled")
    today.add_argument("--format", choices=("table", "json"), default="table")

    history = command(
        "history",
        "list changes: who changed which field of which record, from what to what",
        user_help="only this user's changes",
    )
    history.add_argument("id", type=int, nargs="?", help="a lead (its deals and activities too)")
    history.add_argument("--opportunity", action="store_true", help="ID is an opportunity")
    history.add_argument(
        "--since", help="from this day on: 2026-11-01, yesterday, 7d, fri (in your time zone)"
    )
    history.add_argument("--limit", type=int, default=200, help="the newest N (default 200)")
    history.add_argument("--format", choices=("table", "json"), default="table")

    undo = command("undo", "undo your latest change (to lead ID, or --opportunity ID)")
    undo.add_argument("id", type=int, nargs="?")
    undo.add_argument("--opportunity", action="store_true", help="ID is an opportunity")

    migrate = command(
        "migrate",
        "copy this database, every row and its history, into a new one "
        "(e.g. postgresql://user@host/funnel) and compare the counts per table",
    )
    migrate.add_argument("--to", required=True, metavar="TARGET", help="a URL or a file path")

    importing = command(
        "import",
        "import leads from a CSV file (a spreadsheet, another CRM) or a vCard file (a phone); "
        "each row is checked like a lead typed in, refused rows go to a reject file",
    )
    importing.add_argument("file", help="a .csv or .vcf file")
    importing.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help='import COLUMN (a header or a number) as FIELD, e.g. --map "Tel=phone"; '
        '"Fax=" leaves a column out. Fields: name, first_name, last_name, company, title, '
        "phone, email, country, source, notes",
    )
    importing.add_argument(
        "--update",
        action="store_true",
        help="a row whose email or phone matches a lead fills in that lead's empty fields "
        "(default: such rows are skipped as duplicates)",
    )
    importing.add_argument(
        "--overwrite", action="store_true", help="with --update: replace filled fields too"
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="write nothing; report what would happen"
    )
    importing.add_argument(
        "--strict", action="store_true", help="if any row is refused, write nothing at all"
    )
    importing.add_argument("--source", default="", help="the source of rows that name none")
    importing.add_argument(
        "--rejects", metavar="FILE", help="where refused rows go (default: FILE-rejected.csv)"
    )
    importing.add_argument("--encoding", help="the file's encoding, if not the one detected")
    importing.add_argument("--delimiter", help="the CSV delimiter, if not the one detected")
    importing.add_argument("--format", choices=("text", "json"), default="text")

    exporting = command("export", "export leads with every field: CSV, JSON or vCard")
    exporting.add_argument("--format", choices=("csv", "json", "vcf"), default="csv")
    _filter_options(exporting)
    exporting.add_argument(
        "--vcard-version", choices=("3.0", "4.0"), default="3.0", help="for --format vcf"
    )
    exporting.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")

    demo = command("demo", "fill the database with realistic demo data")
    demo.add_argument("--leads", type=int, default=1000)
    demo.add_argument("--seed", type=int, default=1)

    from .cli_reports import add_report_command

    add_report_command(command)
    command("counts", "print how many records stand at each step of the funnel")
    command("where", "print the database, config file and user funnel would use")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _open_tui(args)
        handler = globals()[f"cmd_{args.command}"]
        return handler(args) or EXIT_OK
    except CliRefused as exc:
        for message in exc.messages:
            print(f"funnel: {message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `funnel list | head`
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        from .config import ConfigError

        if isinstance(exc, ConfigError):  # a usage error: the file, not the data, is wrong
            for line in exc.lines:
                print(f"funnel: {line}", file=sys.stderr)
            return EXIT_USAGE
        refusal = _as_refusal(exc)
        if refusal is None:
            raise
        for message in refusal:
            print(f"funnel: {message}", file=sys.stderr)
        return EXIT_REFUSED


def _as_refusal(exc: Exception) -> list[str] | None:
    """Known failures as messages; None for bugs, which keep their traceback."""
    from .validators import ValidationError

    if isinstance(exc, ValidationError):
        return [str(p) for p in exc.problems]
    if "peewee" in sys.modules:
        from .db import DatabaseError

        if isinstance(exc, DatabaseError):
            return [f"database: {exc}"]
        import peewee

        if isinstance(exc, peewee.OperationalError | peewee.InterfaceError):
            return [f"database: {exc}"]
    return None


# ----------------------------------------------------------------------- context


class Context:
    """Config, database and rules for one command, opened on first use."""

    def __init__(self, args: argparse.Namespace):
        from .config import current_user, database_target, load_config

        self.config = load_config(getattr(args, "config", None))
        self.target = database_target(getattr(args, "db", None))
        self.user = current_user(getattr(args, "user", None))
        if not self.user:
            raise CliRefused("user: the user name cannot be empty")
        from .db import open_database

        self.db = open_database(self.target)
        from .funnel import Funnel

        self.rules = Funnel(self.config, self.user)


def _date(text: str | None, field: str):
    if not text:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CliRefused(f"{field}: {text!r} is not a date like 2026-12-01") from exc


def _lead_values(args: argparse.Namespace) -> dict:
    names = ("name", "company", "email", "phone", "country", "source", "title", "notes")
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


# ---------------------------------------------------------------------- commands


def cmd_add(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .funnel import DuplicateFound

    try:
        lead = ctx.rules.capture_lead(_lead_values(args), allow_duplicate=args.allow_duplicate)
    except DuplicateFound as exc:
        messages = [str(p) for p in exc.problems]
        messages.append("not saved; add --allow-duplicate to save it anyway")
        raise CliRefused(*messages) from exc
    if args.format == "json":
        import json

        print(json.dumps({"id": lead.id, "name": lead.name}, ensure_ascii=False))
    else:
        print(f"added lead #{lead.id} {_safe(lead.name)}")
    return EXIT_OK


def cmd_update(args: argparse.Namespace) -> int:
    ctx = Context(args)
    values = _lead_values(args)
    if not values:
        raise CliRefused("nothing to change: give at least one field, e.g. --phone")
    lead = ctx.rules.update_lead(args.id, values, expected_version=args.expect_version)
    print(f"updated lead #{lead.id} {_safe(lead.name)} (version {lead.version})")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from . import output
    from .queries import LIST_COLUMNS, iter_leads, list_leads, parse_filter

    flt = parse_filter(ctx.config, args.status, args.stage, args.owner or "", args.limit, args.sort)
    if args.format == "json":
        output.write_json(
            iter_leads(ctx.config, flt) if flt.limit is None else list_leads(ctx.config, flt),
            LIST_COLUMNS,
            sys.stdout,
        )
    elif args.format == "csv":
        output.write_csv(iter_leads(ctx.config, flt), LIST_COLUMNS, sys.stdout)
    else:
        columns = (
            "id",
            "name",
            "company",
            "phone",
            "email",
            "status",
            "level",
            "owner",
            "score",
            "engagement",
        )
        output.write_table(list_leads(ctx.config, flt), columns, sys.stdout)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .queries import lead_record
    from .record_text import record_as_dict, record_as_text

    record = lead_record(args.id)
    if record is None:
        raise CliRefused(f"id: no lead #{args.id}")
    score = ctx.rules.score(args.id)
    gate = ctx.rules.gate_problems(args.id)
    engagement = ctx.rules.engagement(args.id)
    if args.format == "json":
        import json

        data = record_as_dict(record, score, gate, engagement)
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        sys.stdout.write(
            record_as_text(record, score, gate, ctx.config, engagement, ctx.rules.zone)
        )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    ctx = Context(args)
    lead = ctx.rules.set_status(
        args.id, args.status.lower(), reason=args.reason, until=_date(args.until, "until")
    )
    print(f"lead #{lead.id} {_safe(lead.name)} is now {lead.status}")
    return EXIT_OK


def cmd_qualify(args: argparse.Namespace) -> int:
    if args.stray:
        print(
            "funnel qualify: answers are options now, e.g. "
            f'funnel qualify {args.id} --need yes --evidence need="on the call"',
            file=sys.stderr,
        )
        return EXIT_USAGE
    ctx = Context(args)
    plan = _qualify_plan(args, ctx.config)
    from .models import ANSWER_UNKNOWN, Qualification, database

    with database.atomic():  # every answer or none
        ctx.rules.get_lead(args.id)
        stored = {q.item: q for q in Qualification.select().where(Qualification.lead == args.id)}
        for item, given in plan.items():
            row = stored.get(item)
            ctx.rules.answer(
                args.id,
                item,
                given.get("answer", row.answer if row else ANSWER_UNKNOWN),
                evidence=given.get("evidence", row.evidence if row else ""),
                value=given.get("value", row.value if row else ""),
            )
    lead = ctx.rules.get_lead(args.id)
    changed = ", ".join(
        f"{item} = {_safe(given['answer'])}"
        if "answer" in given
        else f"{item} ({', '.join(given)})"
        for item, given in plan.items()
    )
    print(f"lead #{lead.id} {_safe(lead.name)}: {changed}")
    for line in ctx.rules.score(args.id).explain():
        print(f"  {_safe(line)}")
    gate = ctx.rules.gate_problems(args.id)
    print("Promotion gate: " + ("refused" if gate else "passes"))
    for problem in gate:
        print(f"  ✘ {_safe(str(problem))}")
    return EXIT_OK


def _qualify_plan(args: argparse.Namespace, config) -> dict[str, dict[str, str]]:
    """What `qualify` was told, item by item (`need`, `icp:employees`) and part by part
    (answer, evidence, value); CliRefused with every problem before anything is written."""
    from .models import ANSWERS
    from .validators import check_text

    icp_keys = [c.key for c in config.icp]
    items = [*BANT, *(f"icp:{k}" for k in icp_keys)]
    problems: list[str] = []
    plan: dict[str, dict[str, str]] = {}

    def put(item: str, part: str, text: str) -> None:
        slot = plan.setdefault(item, {})
        if part in slot and slot[part] != text:
            problems.append(f"{item}: {part} given twice, {slot[part]!r} and {text!r}")
        slot[part] = text

    def answer(item: str, text: str) -> None:
        word = text.strip().lower()
        if word in ANSWERS:
            put(item, "answer", word)
        else:
            problems.append(f"{item}: {text!r} is not an answer: yes, no or unknown")

    def icp_item(key: str, option: str) -> str | None:
        key = key.strip().removeprefix("icp:")
        if key in icp_keys:
            return f"icp:{key}"
        known = ", ".join(icp_keys) or "none in the config"
        problems.append(f"{option}: {key!r} is not an ICP criterion: {known}")
        return None

    for item in BANT:
        if getattr(args, item) is not None:
            answer(item, getattr(args, item))
    for option, pairs, example in (
        ("icp", args.icp, "employees=yes"),
        ("value", args.value, "employees=250"),
        ("evidence", args.evidence, 'need="on the call"'),
    ):
        for pair in pairs:
            key, equals, text = pair.partition("=")
            if not equals or not key.strip():
                problems.append(f"{option}: {pair!r} must be KEY=..., e.g. {example}")
                continue
            if option == "evidence":
                item = key.strip().lower()
                if item not in items and f"icp:{item}" not in items:
                    listed = ", ".join(items)
                    problems.append(f"evidence: {key!r} is not a checklist item: {listed}")
                    continue
                item = item if item in items else f"icp:{item}"
            else:
                item = icp_item(key, option)
            if item is None:
                continue
            if option == "icp":
                answer(item, text)
                continue
            check = check_text(option, text)
            if check.ok:
                put(item, option, check.value)
            else:
                problems.append(f"{item}.{option}: {check.message}")
    if problems:
        raise CliRefused(*problems)
    if not plan:
        raise CliRefused(
            "nothing to answer: give at least one of --budget, --authority, --need, "
            "--timeline, --icp, --value or --evidence"
        )
    return plan


def cmd_promote(args: argparse.Namespace) -> int:
    ctx = Context(args)
    lead = ctx.rules.promote(args.id)
    print(f"lead #{lead.id} {_safe(lead.name)} is now a prospect")
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .funnel import Refused

    try:
        opp = ctx.rules.convert(
            args.id,
            amount=args.amount,
            currency=args.currency,
            expected_close=_date(args.close, "close"),
            stage=args.stage,
            name=args.name,
            allow_past_close=args.yes,
        )
    except Refused as exc:
        messages = [str(p) for p in exc.problems]
        if any(p.field == "close" and p.code == "past" for p in exc.problems):
            messages.append("not saved; add --yes to use a close date in the past")
        raise CliRefused(*messages) from exc
    print(f"opened opportunity #{opp.id} {_safe(opp.name)} in {opp.stage}")
    return EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    opp = Context(args).rules.move(args.id, args.stage)
    print(f"opportunity #{opp.id} is now in {opp.stage}")
    return EXIT_OK


def cmd_win(args: argparse.Namespace) -> int:
    opp = Context(args).rules.win(args.id)
    print(f"opportunity #{opp.id} {_safe(opp.name)} won")
    return EXIT_OK


def cmd_lose(args: argparse.Namespace) -> int:
    opp = Context(args).rules.lose(args.id, args.reason)
    print(f"opportunity #{opp.id} {_safe(opp.name)} lost: {opp.lost_reason}")
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    opp = Context(args).rules.reopen(args.id)
    print(f"opportunity #{opp.id} reopened in {opp.stage}")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .dates import DueDateError, describe_due, parse_due, split_due

    today, order = ctx.rules.today(), ctx.config.date_order
    action, due = args.next_action.strip(), None
    try:
        if args.due:
            due = parse_due(args.due, today, order)
        elif action:
            due, action = split_due(action, today, order)
    except DueDateError as exc:
        raise CliRefused(f"{'due' if args.due else 'next'}: {exc}") from exc
    target = {"opportunity_id": args.id} if args.opportunity else {"lead_id": args.id}
    activity = ctx.rules.log_activity(
        **target,
        kind=args.kind,
        direction=args.direction,
        outcome=args.outcome,
        note=args.note,
        next_action=action,
        next_due=due,
    )
    print(f"logged {activity.kind} #{activity.id}")
    if due is not None:
        print(f"next: {action or 'next action'} · {describe_due(due, today)}")
    return EXIT_OK


def cmd_today(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .dates import ago, short_due
    from .output import to_json_value, write_table
    from .today import DEAL, SECTION_TITLES, SECTIONS, load_queue, owner_id

    today = ctx.rules.today()
    queue = load_queue(owner_id(ctx.user), today)
    now = ctx.rules.now()

    def row(item) -> dict:
        return {
            "kind": item.kind,
            "id": item.id,
            "lead_id": item.lead_id,
            "name": item.person,
            "company": item.company,
            "deal": item.deal,
            "stage" if item.kind == DEAL else "status": item.state,
            "contact": item.contact,
            "next_action": item.next_action,
            "due": item.due,
            "last_activity": item.last_touch,
            "amount": item.amount_cents / 100 if item.kind == DEAL else None,
            "currency": item.currency or None,
        }

    if args.format == "json":
        import json

        data = {
            "user": ctx.user,
            "today": today.isoformat(),
            "timezone": str(ctx.rules.zone),
            "counts": queue.counts,
            "sections": {
                name: [
                    {k: to_json_value(v) for k, v in row(item).items()}
                    for item in queue.sections[name]
                ]
                for name in SECTIONS
            },
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    counts = queue.counts
    print(
        f"Today {today:%a} {today.day} {today:%b %Y} ({ctx.rules.zone}), {ctx.user}: "
        + " · ".join(f"{counts[n]} {SECTION_TITLES[n].lower()}" for n in SECTIONS)
    )
    for name in SECTIONS:
        items = queue.sections[name]
        print(f"\n{SECTION_TITLES[name]} ({len(items)})")
        if not items:
            continue
        rows = [
            {
                "due": short_due(i.due, today) if i.due else "",
                "id": f"{'D' if i.kind == DEAL else 'L'}{i.id}",
                "name": i.person,
                "company": i.company,
                "state": i.state,
                "next action": i.next_action,
                "last": ago(i.last_touch, now),
            }
            for i in items
        ]
        columns = ["due", "id", "name", "company", "state", "next action", "last"]
        if name == "unscheduled":
            columns = [c for c in columns if c not in ("due", "next action")]
        write_table(rows, columns, sys.stdout, max_width=30)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    ctx = Context(args)
    import datetime as dt

    from .dates import DueDateError, local_today, parse_since, to_local
    from .history import history_entries, user_exists
    from .output import to_json_value, write_table

    since = None
    if args.since:
        try:
            day = parse_since(args.since, local_today(ctx.rules.now(), ctx.rules.zone))
        except DueDateError as exc:
            raise CliRefused(f"since: {exc}") from exc
        # Midnight of that day in the user's zone, as the naive UTC the history stores.
        start = dt.datetime.combine(day, dt.time()).replace(tzinfo=ctx.rules.zone)
        since = start.astimezone(dt.UTC).replace(tzinfo=None)
    # --user names whose changes to list here; reading acts as nobody.
    who = getattr(args, "user", None)
    if who and not user_exists(who):
        raise CliRefused(f"user: nobody called {who!r} has changed anything here")
    if args.limit < 1:
        raise CliRefused("limit: give a number of changes, 1 or more")
    where = {}
    if args.id is not None:
        where = {"opportunity_id" if args.opportunity else "lead_id": args.id}
    entries = history_entries(**where, user=who, since=since, limit=args.limit)
    if args.format == "json":
        import json

        rows = [
            {
                "id": e.id,
                "at": to_json_value(e.at),
                "user": e.user,
                "record": f"{e.entity} #{e.entity_id}",
                "action": e.action,
                "field": e.field,
                "old": e.old,
                "new": e.new,
            }
            for e in entries
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("no changes match")
        return EXIT_OK
    rows = [
        {
            "when": f"{to_local(e.at, ctx.rules.zone):%Y-%m-%d %H:%M}",
            "user": e.user,
            "record": f"{e.entity} #{e.entity_id}",
            "action": e.action,
            "field": e.field,
            "old": "" if e.old is None else e.old,
            "new": "" if e.new is None else e.new,
        }
        for e in entries
    ]
    write_table(
        rows, ["when", "user", "record", "action", "field", "old", "new"], sys.stdout, max_width=30
    )
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    ctx = Context(args)
    if args.id is None:
        undone = ctx.rules.undo_last()
    else:
        undone = ctx.rules.undo_last("opportunity" if args.opportunity else "lead", args.id)
    print(undone.summary())
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .db import describe
    from .migrate import copy_database
    from .output import write_table

    def progress(table: str, rows: int) -> None:
        if sys.stdout.isatty():
            print(f"  {table}: {rows:,} rows copied", flush=True)

    print(f"copying {describe(ctx.target)} → {describe(args.to)}")
    counts = copy_database(ctx.db, args.to, progress)
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
    if not all(c.equal for c in counts):
        print("funnel: the counts differ; do not switch to the copy", file=sys.stderr)
        return EXIT_REFUSED
    print(f"every row is in {describe(args.to)}: use it with --db or FUNNEL_DB")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    if args.leads < 1:
        raise CliRefused("leads: must be at least 1")
    ctx = Context(args)
    from .demo import generate_demo

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done:,}/{total:,} leads", end="", file=sys.stderr, flush=True)

    summary = generate_demo(
        ctx.db, ctx.config, leads=args.leads, seed=args.seed, user=ctx.user, progress=progress
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        f"demo: {summary.leads:,} leads, {summary.companies:,} companies, "
        f"{summary.opportunities:,} opportunities, {summary.activities:,} activities, "
        f"{summary.history:,} history entries in {summary.seconds:.1f} s"
    )
    return EXIT_OK


def cmd_counts(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from .queries import funnel_counts

    for row in funnel_counts(ctx.config):
        print(f"{row.label:<28}{row.count:>10,}")
    return EXIT_OK


def cmd_where(args: argparse.Namespace) -> int:
    from .config import current_user, database_target, load_config, user_config_path

    config = load_config(getattr(args, "config", None))
    from .db import describe

    print(f"database: {describe(database_target(getattr(args, 'db', None)))}")
    print(f"config:   {config.source_path or f'{user_config_path()} (not present; defaults)'}")
    print(f"user:     {current_user(getattr(args, 'user', None))}")
    return EXIT_OK


def _open_tui(args: argparse.Namespace) -> int:
    make_app(args.db, args.user, args.config, args.screen).run()
    return EXIT_OK


def make_app(
    db: str | None = None,
    user: str | None = None,
    config_path: str | None = None,
    screen: str = "leads",
):
    """The TUI for `funnel [--db] [--user] [--config]`, its database already open so a
    bad one is refused before the screen takes over."""
    # Start-up allocates half a million objects that live as long as the process
    # (modules, classes, CSS rules), and the collector would scan them over and over:
    # 35 ms of a 300 ms start. It stays off until the first screen is up; then
    # FunnelApp.startup_done freezes those objects out of its scans and turns it on.
    gc.disable()
    try:
        from .config import current_user, database_target, load_config

        config = load_config(config_path)
        target = database_target(db)
        if not target.lower().startswith("postgres"):
            _spare_postgres_driver()
        from .db import open_database

        open_database(target)
        from .app import FunnelApp

        return FunnelApp(config=config, target=target, user=current_user(user), start=screen)
    except BaseException:
        gc.enable()
        raise


def _spare_postgres_driver() -> None:
    """Peewee imports psycopg2 whenever it is installed (≈ 20 ms and a few MB at every
    start); a session on a SQLite file never uses it, so it is marked unavailable."""
    if "psycopg2" not in sys.modules and "peewee" not in sys.modules:
        sys.modules["psycopg2"] = None  # type: ignore[assignment]


def _safe(text: str) -> str:
    from .output import plain

    return plain(text)


# The import and export commands live beside the rest, in their own module.
from .cli_reports import cmd_report as cmd_report  # noqa: E402
from .cli_transfer import cmd_export as cmd_export  # noqa: E402
from .cli_transfer import cmd_import as cmd_import  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
