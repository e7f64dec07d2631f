"""Working the funnel day to day: log an activity, the Today queue, the history, undo."""

from __future__ import annotations

import argparse
import sys

from funnel_tui.cli.common import (
    EXIT_OK,
    AddCommand,
    Context,
    done,
    format_option,
    parse_date,
    print_json,
)
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import ENGLISH, _, current_language

TODAY_LIMIT = 50  # items of each Today section listed unless --limit or --all says otherwise


def register(command: AddCommand) -> None:
    log = command("log", _("log an activity on a lead (or --opportunity)"))
    log.add_argument("id", type=int)
    log.add_argument("--opportunity", action="store_true", help=_("ID is an opportunity"))
    log.add_argument(
        "--type",
        dest="kind",
        required=True,
        help="call, email, meeting, sms, social, in_person, note",
    )
    log.add_argument("--direction", default="outbound", choices=("outbound", "inbound"))
    log.add_argument("--outcome", default="", help=_("e.g. reached, no_answer, left_voicemail"))
    log.add_argument("--note", default="")
    log.add_argument(
        "--next",
        dest="next_action",
        default="",
        help=_(
            'the next action, its due date (and time) first: "+3d call back", '
            '"fri 14:30 send quote"'
        ),
    )
    log.add_argument(
        "--due",
        help=_(
            "the next action's due date, and a time if it has one (fri, tomorrow 9, "
            "12/01 16:00, +2h), if --next does not start with one"
        ),
    )
    format_option(log)
    log.set_defaults(run=cmd_log)

    today = command("today", _("list your Today queue: overdue, due today, nothing scheduled"))
    # A rep handed a purchased list may have 50,000 items: the first of each section are
    # the ones to work now, the counts say how many more there are.
    shown = today.add_mutually_exclusive_group()
    shown.add_argument(
        "--limit",
        type=int,
        metavar="N",
        default=TODAY_LIMIT,
        help=_("at most N items of each section (default {limit})").format(limit=TODAY_LIMIT),
    )
    shown.add_argument(
        "--all", dest="limit", action="store_const", const=None, help=_("every item")
    )
    today.add_argument(
        "--due-within",
        metavar="SPAN",
        help=_(
            "only the next actions at a time that fall due from now to SPAN ahead "
            "(15m, 2h, 1d): for a desktop notifier or cron"
        ),
    )
    today.add_argument("--format", choices=("table", "json"), default="table")
    today.set_defaults(run=cmd_today)

    history = command(
        "history",
        _("list changes: who changed which field of which record, from what to what"),
        user_help=_("only this user's changes"),
    )
    history.add_argument("id", type=int, nargs="?", help=_("a lead (its deals and activities too)"))
    history.add_argument("--opportunity", action="store_true", help=_("ID is an opportunity"))
    history.add_argument(
        "--since",
        help=_("from this day on: 2026-11-01, yesterday, 7d, fri (in your time zone)"),
    )
    history.add_argument("--limit", type=int, default=200, help=_("the newest N (default 200)"))
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.set_defaults(run=cmd_history)

    undo = command("undo", _("undo your latest change (to lead ID, or --opportunity ID)"))
    undo.add_argument("id", type=int, nargs="?")
    undo.add_argument("--opportunity", action="store_true", help=_("ID is an opportunity"))
    undo.add_argument("--company", action="store_true", help=_("ID is a company"))
    format_option(undo)
    undo.set_defaults(run=cmd_undo)


def cmd_log(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core.errors import DueDateError
    from funnel_tui.core.times import describe_when, parse_when, split_when
    from funnel_tui.rules.history_words import kind_words

    now, zone, order = ctx.rules.now(), ctx.rules.zone, ctx.config.date_order
    action, when = args.next_action.strip(), None
    try:
        if args.due:
            when = parse_when(args.due, now, zone, order)
        elif action:
            when, action = split_when(action, now, zone, order)
    except DueDateError as exc:
        said = _("due: {problem}") if args.due else _("next: {problem}")
        raise CliRefused(said.format(problem=exc)) from exc
    target = {"opportunity_id": args.id} if args.opportunity else {"lead_id": args.id}
    activity = ctx.rules.log_activity(
        **target,
        kind=args.kind,
        direction=args.direction,
        outcome=args.outcome,
        note=args.note,
        next_action=action,
        next_due=when and when.day,
        next_at=when and when.at,
    )
    due = when and when.day
    if args.format == "json":
        print_json(
            {
                "id": activity.id,
                "lead_id": activity.lead_id,
                "opportunity_id": activity.opportunity_id,
                "type": activity.kind,
                "direction": activity.direction,
                "outcome": activity.outcome,
                "at": activity.occurred_at,
                "next_action": action if due is not None else "",
                "next_due": due,
                "next_at": when and when.at,
            }
        )
        return EXIT_OK
    print(_("logged {kind} #{id}").format(kind=kind_words(activity.kind), id=activity.id))
    if when is not None:
        said = _("next: {action} · {due}")
        due_said = describe_when(when, now, zone)
        print(said.format(action=action or _("next action"), due=due_said))
    return EXIT_OK


def cmd_today(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.cli.tables import write_table as write_headed
    from funnel_tui.core.dates import ago
    from funnel_tui.core.formats import number
    from funnel_tui.core.labels import shown_name, vocab_label
    from funnel_tui.core.money import amount_value
    from funnel_tui.core.output import to_json_value
    from funnel_tui.core.times import due_text
    from funnel_tui.read.today import DEAL, SECTION_TITLES, SECTIONS, load_queue, owner_id

    if args.limit is not None and args.limit < 1:
        raise CliRefused(_("limit: give a number of items, 1 or more"))
    if args.due_within is not None:
        return _due_within(ctx, args)
    today = ctx.rules.today()
    queue = load_queue(owner_id(ctx.user), today, limit=args.limit)
    now, zone = ctx.rules.now(), ctx.rules.zone

    def row(item) -> dict:
        return _json_row(item, DEAL, amount_value)

    if args.format == "json":
        import json

        data = {
            "user": ctx.user,
            "today": today.isoformat(),
            "timezone": str(ctx.rules.zone),
            "counts": queue.counts,
            "limit": args.limit,  # each section's list stops there (null: --all)
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
    if current_language() == ENGLISH:
        day = f"{today:%a} {today.day} {today:%b %Y}"
    else:
        from funnel_tui.core.formats import date_weekday

        day = date_weekday(today)
    said = _("Today {date} ({zone}), {user}: {counts}")
    shown = " · ".join(f"{counts[n]} {_(SECTION_TITLES[n]).lower()}" for n in SECTIONS)
    print(said.format(date=day, zone=ctx.rules.zone, user=ctx.user, counts=shown))
    cut = False
    for name in SECTIONS:
        items = queue.sections[name]
        print(f"\n{_(SECTION_TITLES[name])} ({counts[name]})")
        if not items:
            continue
        rows = [
            {
                "due": due_text(i.due, i.at, now, zone) if i.due else "",
                "id": f"{'D' if i.kind == DEAL else 'L'}{i.id}",
                "name": i.person,
                "company": i.company,
                # The table is read: a status or stage in words (JSON keeps the keys).
                "state": shown_name(i.state) if i.kind == DEAL else vocab_label(i.state),
                "next action": i.next_action,
                "last": ago(i.last_touch, now),
            }
            for i in items
        ]
        columns = ["due", "id", "name", "company", "state", "next action", "last"]
        if name == "unscheduled":
            columns = [c for c in columns if c not in ("due", "next action")]
        write_headed(rows, columns, sys.stdout, max_width=30)
        if counts[name] > len(items):
            print(_("… and {count} more").format(count=number(counts[name] - len(items))))
            cut = True
    if cut:
        print("\n" + _("--all lists every item, --limit N the first N of each section"))
    return EXIT_OK


def _json_row(item, deal: str, amount_value) -> dict:
    """One item of the queue as `funnel today --format json` gives it: its due date,
    and its moment (UTC) when it has a time."""
    return {
        "kind": item.kind,
        "id": item.id,
        "lead_id": item.lead_id,
        "name": item.person,
        "company": item.company,
        "deal": item.deal,
        "stage" if item.kind == deal else "status": item.state,
        "contact": item.contact,
        "next_action": item.next_action,
        "due": item.due,
        "at": item.at,
        "last_activity": item.last_touch,
        "amount": amount_value(item.amount_cents) if item.kind == deal else None,
        "currency": item.currency or None,
    }


def _due_within(ctx: Context, args: argparse.Namespace) -> int:
    """`funnel today --due-within 15m`: the timed next actions falling due from now to
    the span ahead, soonest first (none is an empty list, exit 0)."""

    from funnel_tui.cli.tables import write_table
    from funnel_tui.core.errors import DueDateError
    from funnel_tui.core.money import amount_value
    from funnel_tui.core.output import to_json_value
    from funnel_tui.core.times import clock_text, local_moment, parse_span, until_text
    from funnel_tui.read.today import DEAL, coming_due, owner_id

    try:
        span = parse_span(args.due_within)
    except DueDateError as exc:
        raise CliRefused(_("due-within: {problem}").format(problem=exc)) from exc
    now, zone = ctx.rules.now(), ctx.rules.zone
    end = now + span
    items = coming_due(owner_id(ctx.user), now, end)
    if args.format == "json":
        print_json(
            {
                "user": ctx.user,
                "now": to_json_value(now),
                "timezone": str(zone),
                "within_minutes": int(span.total_seconds() // 60),
                "items": [
                    {
                        **{
                            k: to_json_value(v) for k, v in _json_row(i, DEAL, amount_value).items()
                        },
                        "local_time": local_moment(i.at, zone).isoformat(timespec="minutes"),
                    }
                    for i in items
                ],
            }
        )
        return EXIT_OK
    if not items:
        print(_("Nothing falls due in the next {span}.").format(span=args.due_within.strip()))
        return EXIT_OK
    rows = [
        {
            "at": f"{clock_text(local_moment(i.at, zone))} · {until_text(i.at, now)}",
            "id": f"{'D' if i.kind == DEAL else 'L'}{i.id}",
            "name": i.person,
            "company": i.company,
            "next action": i.next_action,
            "contact": i.contact,
        }
        for i in items
    ]
    write_table(
        rows, ["at", "id", "name", "company", "next action", "contact"], sys.stdout, max_width=30
    )
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    ctx = Context(args)
    import datetime as dt

    from funnel_tui.cli.tables import write_table as write_headed
    from funnel_tui.core.dates import to_local
    from funnel_tui.core.output import to_json_value
    from funnel_tui.read.history import history_entries, user_exists

    since = None
    if args.since:
        day = parse_date(args.since, "since", ctx, back=True)
        # Midnight of that day in the user's zone, as the naive UTC the history stores.
        start = dt.datetime.combine(day, dt.time()).replace(tzinfo=ctx.rules.zone)
        since = start.astimezone(dt.UTC).replace(tzinfo=None)
    # --user names whose changes to list here; reading acts as nobody.
    who = getattr(args, "user", None)
    if who and not user_exists(who):
        said = _("user: nobody called {user} has changed anything here")
        raise CliRefused(said.format(user=repr(who)))
    if args.limit < 1:
        raise CliRefused(_("limit: give a number of changes, 1 or more"))
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
        print(_("no changes match"))
        return EXIT_OK
    from funnel_tui.read.history import company_names
    from funnel_tui.rules.history_lines import describe

    lines = describe(entries, ctx.config, ctx.rules.zone, company_names(entries))
    rows = [
        {
            "when": _when(to_local(line.at, ctx.rules.zone)),
            "user": line.user,
            "record": line.record,
            "change": line.text,
        }
        for line in lines
    ]
    # Wide enough that a change reads whole; a user or record that long is cut.
    write_headed(rows, ["when", "user", "record", "change"], sys.stdout, max_width=120)
    return EXIT_OK


def _when(moment) -> str:
    """`2026-12-04 15:46` (`04.12.2026 15:46` in German): a change's local time."""
    from funnel_tui.core.formats import date_short

    return f"{date_short(moment.date())} {moment:%H:%M}"


def cmd_undo(args: argparse.Namespace) -> int:
    ctx = Context(args)
    if args.id is None:
        undone = ctx.rules.undo_last()
    else:
        entity = "opportunity" if args.opportunity else "company" if args.company else "lead"
        undone = ctx.rules.undo_last(entity, args.id)
    data = {
        "record": undone.entity,
        "id": undone.entity_id,
        "action": undone.action,
        "at": undone.at,
        "name": undone.name,
        "fields": [{"field": f, "from": old, "to": new} for f, old, new in undone.fields],
    }
    return done(args, undone.summary(), data)
