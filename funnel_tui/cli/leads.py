"""Commands on leads: add, update, list, show, status, qualify, promote."""

from __future__ import annotations

import argparse
import sys

from funnel_tui.cli.common import (
    EXIT_OK,
    AddCommand,
    Context,
    done,
    filter_options,
    format_option,
    lead_data,
    parse_date,
    print_json,
    read_back,
    safe,
    stored_name,
    stored_stages,
)
from funnel_tui.core.errors import EXIT_USAGE, CliRefused
from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import BANT_ITEMS as BANT


def register(command: AddCommand) -> None:
    add = command("add", _("capture a lead"))
    add.add_argument("--name", required=True)
    for name in ("company", "email", "phone", "country", "source", "title"):
        add.add_argument(f"--{name}")
    add.add_argument("--note", dest="notes")
    add.add_argument(
        "--allow-duplicate",
        action="store_true",
        help=_("save even if it matches an existing lead"),
    )
    format_option(add)
    add.set_defaults(run=cmd_add)

    update = command("update", _("change fields of a lead"))
    update.add_argument("id", type=int)
    for name in ("name", "company", "email", "phone", "country", "source", "title"):
        update.add_argument(f"--{name}")
    update.add_argument("--note", dest="notes")
    update.add_argument("--expect-version", type=int, help=_("refuse if the lead changed since"))
    format_option(update)
    update.set_defaults(run=cmd_update)

    listing = command("list", _("list leads"))
    filter_options(listing)
    listing.add_argument("--limit", type=int)
    listing.add_argument(
        "--search",
        metavar="TEXT",
        default="",
        help=_(
            "leads a search for TEXT finds, as / in the list does (name, company, email, "
            "phone; accents and case ignored)"
        ),
    )
    listing.add_argument(
        "--sort",
        default="newest",
        help=_(
            "newest (default), score or engagement: best first; name or company: A to Z, "
            "accents aside (Ł with L, Ä with A)"
        ),
    )
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    listing.set_defaults(run=cmd_list)

    show = command("show", _("show a lead with its checklist, score, deals and history"))
    show.add_argument("id", type=int)
    format_option(show)
    show.set_defaults(run=cmd_show)

    status = command("status", _("set a lead's status"))
    status.add_argument("id", type=int)
    status.add_argument("status", help=_("new, working, nurturing or unqualified"))
    status.add_argument("--reason", default="", help=_("why (required for unqualified)"))
    status.add_argument(
        "--until",
        help=_("touch again on: +2w, fri, 12/01, 2026-12-01 … (required for nurturing)"),
    )
    format_option(status)
    status.set_defaults(run=cmd_status)

    qualify = command(
        "qualify",
        _("answer checklist items, all or none; prints the explained score and the gate"),
    )
    qualify.add_argument("id", type=int)
    for item in BANT:
        qualify.add_argument(f"--{item}", metavar="yes|no|unknown")
    qualify.add_argument(
        "--icp",
        action="append",
        default=[],
        metavar="KEY=ANSWER",
        help=_("an ideal-customer-profile criterion of the config, e.g. employees=yes; repeatable"),
    )
    qualify.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="KEY=FIGURE",
        help=_(
            "what the lead told for an ICP criterion, judged by the config's rule, "
            "e.g. employees=250; repeatable"
        ),
    )
    qualify.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="ITEM=TEXT",
        help=_(
            'why, e.g. need="fleet tracking is on paper"; ITEM is budget, authority, need, '
            "timeline or icp:KEY; repeatable"
        ),
    )
    format_option(qualify)
    qualify.add_argument("stray", nargs="*", help=argparse.SUPPRESS)
    qualify.set_defaults(run=cmd_qualify)

    promote = command("promote", _("promote a lead to prospect through the gate"))
    promote.add_argument("id", type=int)
    format_option(promote)
    promote.set_defaults(run=cmd_promote)


def _lead_values(args: argparse.Namespace, config) -> dict:
    names = ("name", "company", "email", "phone", "country", "source", "title", "notes")
    values = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if values.get("source"):  # typed as the rep reads it, stored as the config names it
        values["source"] = stored_name(values["source"], config.lead_sources)
    return values


def cmd_add(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core.errors import DuplicateFound

    try:
        lead = ctx.rules.capture_lead(
            _lead_values(args, ctx.config), allow_duplicate=args.allow_duplicate
        )
    except DuplicateFound as exc:
        messages = [str(p) for p in exc.problems]
        messages.append(_("not saved; add --allow-duplicate to save it anyway"))
        raise CliRefused(*messages) from exc
    # A close spelling of someone at the same company or number is saved, with a word:
    # the exact duplicates above are refused, a near one may well be another person.
    close = ctx.rules.near_duplicates(lead.name_key, lead.company_key, lead.phone_e164, [lead.id])
    for near in close[:3]:
        warning = _("warning: possible duplicate: {message}").format(message=safe(near.message))
        print(f"funnel: {warning}", file=sys.stderr)
    text = _("added lead #{id} {name}").format(id=lead.id, name=safe(lead.name))
    return done(args, text, lead_data(lead))


def cmd_update(args: argparse.Namespace) -> int:
    ctx = Context(args)
    values = _lead_values(args, ctx.config)
    if not values:
        raise CliRefused(_("nothing to change: give at least one field, e.g. --phone"))
    lead = ctx.rules.update_lead(args.id, values, expected_version=args.expect_version)
    text = _("updated lead #{id} {name} (version {version})").format(
        id=lead.id, name=safe(lead.name), version=lead.version
    )
    return done(args, text, {**lead_data(lead), "changed": sorted(values)})


def cmd_list(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core import output
    from funnel_tui.read.queries import LIST_COLUMNS, iter_leads, list_leads, parse_filter

    flt = parse_filter(
        ctx.config,
        args.status,
        stored_stages(args.stage, ctx.config),
        args.owner or "",
        args.limit,
        args.sort,
        search=args.search,
    )
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
        from funnel_tui.cli.tables import write_table

        write_table(list_leads(ctx.config, flt), columns, sys.stdout)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.read.queries import lead_record
    from funnel_tui.read.record_text import record_as_dict, record_as_text

    record = lead_record(args.id)
    if record is None:
        raise CliRefused(_("id: no lead #{id}").format(id=args.id))
    score = ctx.rules.score(args.id)
    gate = ctx.rules.gate_problems(args.id)
    engagement = ctx.rules.engagement(args.id)
    if args.format == "json":
        print_json(record_as_dict(record, score, gate, engagement))
    else:
        sys.stdout.write(
            record_as_text(record, score, gate, ctx.config, engagement, ctx.rules.zone)
        )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    ctx = Context(args)
    until = parse_date(args.until, "until", ctx)
    reason = stored_name(args.reason, ctx.config.unqualified_reasons)
    lead = ctx.rules.set_status(args.id, args.status.lower(), reason=reason, until=until)
    text = _("lead #{id} {name} is now {status}").format(
        id=lead.id, name=safe(lead.name), status=lead.status
    )
    if until is not None:
        text += "\n" + _("until: {date}").format(date=read_back(until, ctx))
    return done(args, text, lead_data(lead))


def cmd_qualify(args: argparse.Namespace) -> int:
    if args.stray:
        said = _(
            "funnel qualify: answers are options now, e.g. funnel qualify {id} --need yes "
            '--evidence need="on the call"'
        )
        print(said.format(id=args.id), file=sys.stderr)
        return EXIT_USAGE
    ctx = Context(args)
    plan = _qualify_plan(args, ctx.config)
    from funnel_tui.core.vocab import ANSWER_UNKNOWN
    from funnel_tui.storage.models import Qualification, database

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
    score, gate = ctx.rules.score(args.id), ctx.rules.gate_problems(args.id)
    if args.format == "json":
        from funnel_tui.read.record_text import gate_as_list, score_as_dict

        print_json(
            {
                **lead_data(lead),
                "answered": plan,
                "score": score_as_dict(score),
                "gate": gate_as_list(gate),
                "gate_passes": not gate,
            }
        )
        return EXIT_OK
    changed = ", ".join(
        f"{item} = {safe(given['answer'])}" if "answer" in given else f"{item} ({', '.join(given)})"
        for item, given in plan.items()
    )
    print(f"lead #{lead.id} {safe(lead.name)}: {changed}")
    for line in score.explain():
        print(f"  {safe(line)}")
    print(_("Promotion gate: refused") if gate else _("Promotion gate: passes"))
    for problem in gate:
        print(f"  ✘ {safe(str(problem))}")
    return EXIT_OK


def _qualify_plan(args: argparse.Namespace, config) -> dict[str, dict[str, str]]:
    """What `qualify` was told, item by item (`need`, `icp:employees`) and part by part
    (answer, evidence, value); CliRefused with every problem before anything is written."""
    from funnel_tui.core.validators import check_text
    from funnel_tui.core.vocab import ANSWERS

    icp_keys = [c.key for c in config.icp]
    items = [*BANT, *(f"icp:{k}" for k in icp_keys)]
    problems: list[str] = []
    plan: dict[str, dict[str, str]] = {}

    def put(item: str, part: str, text: str) -> None:
        slot = plan.setdefault(item, {})
        if part in slot and slot[part] != text:
            said = _("{item}: {part} given twice, {first} and {second}")
            problems.append(
                said.format(item=item, part=part, first=repr(slot[part]), second=repr(text))
            )
        slot[part] = text

    def answer(item: str, text: str) -> None:
        word = text.strip().lower()
        if word in ANSWERS:
            put(item, "answer", word)
        else:
            said = _("{item}: {text} is not an answer: yes, no or unknown")
            problems.append(said.format(item=item, text=repr(text)))

    def icp_item(key: str, option: str) -> str | None:
        key = key.strip().removeprefix("icp:")
        if key in icp_keys:
            return f"icp:{key}"
        known = ", ".join(icp_keys) or _("none in the config")
        said = _("{option}: {key} is not an ICP criterion: {known}")
        problems.append(said.format(option=option, key=repr(key), known=known))
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
                said = _("{option}: {pair} must be KEY=..., e.g. {example}")
                problems.append(said.format(option=option, pair=repr(pair), example=example))
                continue
            if option == "evidence":
                item = key.strip().lower()
                if item not in items and f"icp:{item}" not in items:
                    listed = ", ".join(items)
                    said = _("evidence: {key} is not a checklist item: {listed}")
                    problems.append(said.format(key=repr(key), listed=listed))
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
            _(
                "nothing to answer: give at least one of --budget, --authority, --need, "
                "--timeline, --icp, --value or --evidence"
            )
        )
    return plan


def cmd_promote(args: argparse.Namespace) -> int:
    ctx = Context(args)
    lead = ctx.rules.promote(args.id)
    text = _("lead #{id} {name} is now a prospect").format(id=lead.id, name=safe(lead.name))
    return done(args, text, lead_data(lead))
