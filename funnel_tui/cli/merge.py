"""`funnel merge KEEP OTHER`: merge two duplicate leads (or companies) into one."""

from __future__ import annotations

import argparse
import re
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, format_option, print_json, safe
from funnel_tui.core.errors import CliRefused

_RECORD = re.compile(r"(?:(lead|company)[:#]?|#)?(\d+)", re.IGNORECASE)


def register(command: AddCommand) -> None:
    merge = command(
        "merge",
        "merge two duplicate leads (or companies) into one: OTHER into KEEP",
    )
    merge.add_argument("keep", metavar="KEEP", help="the record that stays: 12, lead:12")
    merge.add_argument(
        "other", metavar="OTHER", help="the record merged into it, kept as merged: 15"
    )
    merge.add_argument(
        "--companies",
        action="store_true",
        help="KEEP and OTHER are companies (also written company:5)",
    )
    merge.add_argument(
        "--take",
        action="append",
        default=[],
        metavar="FIELD",
        help="take this field from OTHER (repeat for more); a checklist answer is answer:budget",
    )
    merge.add_argument(
        "--keep",
        dest="keep_fields",
        action="append",
        default=[],
        metavar="FIELD",
        help="keep KEEP's value of this field, even where it is empty",
    )
    merge.add_argument("--yes", action="store_true", help="merge without asking")
    format_option(merge)
    merge.set_defaults(run=cmd_merge)


def cmd_merge(args: argparse.Namespace) -> int:
    keep_kind, keep_id = _record(args.keep, "KEEP", args.companies)
    other_kind, other_id = _record(args.other, "OTHER", args.companies)
    if keep_kind != other_kind:
        raise CliRefused(
            f"merge: {args.keep} is a {keep_kind} and {args.other} a {other_kind}; "
            "a lead merges with a lead, a company with a company"
        )
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
            raise CliRefused("merge: nothing merged; add --yes to merge without asking")
        if input("Merge? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing merged")
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
        raise CliRefused(f"{role}: {text!r} is not a record; give its number, e.g. 12")
    kind = (found.group(1) or ("company" if companies else "lead")).lower()
    if companies and kind != "company":
        raise CliRefused(f"{role}: {text} is a lead, and --companies merges companies")
    return kind, int(found.group(2))


def _show_plan(plan, chosen: dict[str, str]) -> None:
    kind = plan.kind
    print(
        safe(
            f"Merge {kind} #{plan.other_id} {plan.other_name} into "
            f"{kind} #{plan.keep_id} {plan.keep_name}"
        )
    )
    for choice in plan.fields:
        side = chosen[choice.field]
        value = choice.other if side == "other" else choice.keep
        source = f"#{plan.other_id}" if side == "other" else f"#{plan.keep_id}"
        shown = value or "(empty)"
        print(safe(f"  {choice.field}: {shown}  (from {source})"))
    for answer in plan.answers:
        side = chosen["answer:" + answer.item]
        value = answer.other if side == "other" else answer.keep
        source = f"#{plan.other_id}" if side == "other" else f"#{plan.keep_id}"
        print(safe(f"  checklist {answer.item}: {value}  (from {source})"))
    moving = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in plan.moves.items() if n)
    if moving:
        print(f"  moving to #{plan.keep_id}: {moving}")
