"""`funnel merge KEEP OTHER`: merge two duplicate leads (or companies) into one."""

from __future__ import annotations

import argparse
import re
import sys

from funnel_tui.cli.assign import confirmed
from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, format_option, print_json, safe
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _, ngettext

_RECORD = re.compile(r"(?:(lead|company)[:#]?|#)?(\d+)", re.IGNORECASE)


def register(command: AddCommand) -> None:
    merge = command(
        "merge",
        _("merge two duplicate leads (or companies) into one: OTHER into KEEP"),
    )
    merge.add_argument("keep", metavar="KEEP", help=_("the record that stays: 12, lead:12"))
    merge.add_argument(
        "other", metavar="OTHER", help=_("the record merged into it, kept as merged: 15")
    )
    merge.add_argument(
        "--companies",
        action="store_true",
        help=_("KEEP and OTHER are companies (also written company:5)"),
    )
    merge.add_argument(
        "--take",
        action="append",
        default=[],
        metavar="FIELD",
        help=_("take this field from OTHER (repeat for more); a checklist answer is answer:budget"),
    )
    merge.add_argument(
        "--keep",
        dest="keep_fields",
        action="append",
        default=[],
        metavar="FIELD",
        help=_("keep KEEP's value of this field, even where it is empty"),
    )
    merge.add_argument("--yes", action="store_true", help=_("merge without asking"))
    format_option(merge)
    merge.set_defaults(run=cmd_merge)


def cmd_merge(args: argparse.Namespace) -> int:
    keep_kind, keep_id = _record(args.keep, "KEEP", args.companies)
    other_kind, other_id = _record(args.other, "OTHER", args.companies)
    if keep_kind != other_kind:
        said = (
            _(
                "merge: {keep} is a lead and {other} a company; "
                "a lead merges with a lead, a company with a company"
            )
            if keep_kind == "lead"
            else _(
                "merge: {keep} is a company and {other} a lead; "
                "a lead merges with a lead, a company with a company"
            )
        )
        raise CliRefused(said.format(keep=args.keep, other=args.other))
    ctx = Context(args)
    rules = ctx.rules
    companies = keep_kind == "company"
    plan = (
        rules.plan_company_merge(keep_id, other_id)
        if companies
        else rules.plan_merge(keep_id, other_id)
    )
    take = {name: "other" for name in args.take}
    take.update({name: "keep" for name in args.keep_fields})
    chosen = plan.choices(take)  # refuses a field the two do not hold differently
    if args.format != "json":
        _show_plan(plan, chosen)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliRefused(_("merge: nothing merged; add --yes to merge without asking"))
        if not confirmed(input(_("Merge? [y/N] "))):
            print(_("nothing merged"))
            return EXIT_OK
    merge = rules.merge_companies if companies else rules.merge_leads
    merged = merge(
        keep_id,
        other_id,
        take,
        keep_version=plan.keep_version,
        other_version=plan.other_version,
    )
    if args.format == "json":
        print_json({**plan.as_dict(), "taken": merged.taken, "merged": True})
    else:
        print(safe(merged.summary()))
    return EXIT_OK


def _record(text: str, role: str, companies: bool) -> tuple[str, int]:
    found = _RECORD.fullmatch(text.strip())
    if not found:
        said = _("{role}: {text} is not a record; give its number, e.g. 12")
        raise CliRefused(said.format(role=role, text=repr(text)))
    kind = (found.group(1) or ("company" if companies else "lead")).lower()
    if companies and kind != "company":
        said = _("{role}: {text} is a lead, and --companies merges companies")
        raise CliRefused(said.format(role=role, text=text))
    return kind, int(found.group(2))


def _show_plan(plan, chosen: dict[str, str]) -> None:
    said = (
        _("Merge company #{other_id} {other_name} into company #{keep_id} {keep_name}")
        if plan.kind == "company"
        else _("Merge lead #{other_id} {other_name} into lead #{keep_id} {keep_name}")
    )
    print(
        safe(
            said.format(
                other_id=plan.other_id,
                other_name=plan.other_name,
                keep_id=plan.keep_id,
                keep_name=plan.keep_name,
            )
        )
    )
    for choice in plan.fields:
        side = chosen[choice.field]
        value = choice.other if side == "other" else choice.keep
        source = f"#{plan.other_id}" if side == "other" else f"#{plan.keep_id}"
        shown = value or _("(empty)")
        said = _("{field}: {value}  (from {source})")
        print("  " + safe(said.format(field=choice.field, value=shown, source=source)))
    for answer in plan.answers:
        side = chosen["answer:" + answer.item]
        value = answer.other if side == "other" else answer.keep
        source = f"#{plan.other_id}" if side == "other" else f"#{plan.keep_id}"
        said = _("checklist {item}: {value}  (from {source})")
        print("  " + safe(said.format(item=answer.item, value=value, source=source)))
    moving = ", ".join(_moving(what, n) for what, n in plan.moves.items() if n)
    if moving:
        said = _("moving to #{id}: {moving}").format(id=plan.keep_id, moving=moving)
        print(f"  {said}")


def _moving(what: str, count: int) -> str:
    """`3 activities`: what moves to the survivor, counted in the rep's language."""
    from funnel_tui.core.formats import number

    words = {
        "activities": ngettext("{count} activity", "{count} activities", count),
        "deals": ngettext("{count} deal", "{count} deals", count),
        "answers": ngettext("{count} answer", "{count} answers", count),
        "next_action": ngettext("{count} next action", "{count} next actions", count),
        "people": ngettext("{count} person", "{count} people", count),
    }
    said = words.get(what, "{count} " + what.replace("_", " "))
    return said.format(count=number(count))
