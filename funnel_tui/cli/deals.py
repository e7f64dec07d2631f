"""Commands on deals: convert a prospect, change a deal's fields (`deal update`), move,
win, lose, reopen."""

from __future__ import annotations

import argparse

from .common import (
    EXIT_OK,
    AddCommand,
    CliRefused,
    Context,
    common_options,
    parse_date,
    safe,
)


def register(command: AddCommand) -> None:
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
    convert.set_defaults(run=cmd_convert)

    deal = command("deal", "change a deal: `funnel deal update ID --amount …`")
    verbs = deal.add_subparsers(dest="verb", metavar="VERB", required=True)
    update = verbs.add_parser(
        "update",
        help="change a deal's name, amount, currency, expected close or notes",
        description="Change a deal's fields; what is not given stays. The amount is read "
        "as your locale writes numbers (`locale` in funnel.toml, else $LC_ALL / $LANG) "
        "and printed back as saved.",
    )
    common_options(update, suppress=True)
    update.add_argument("id", type=int, help="the opportunity's id")
    update.add_argument("--name")
    update.add_argument("--amount", help="e.g. 1250.50, 1.250,50 (de), 1 250,50 (pl)")
    update.add_argument("--currency", help="ISO 4217: EUR, PLN, USD, TWD, CNY, MXN …")
    update.add_argument("--close", help="expected close: +2w, fri, 12/01, 2026-12-01; '' for none")
    update.add_argument("--notes")
    update.add_argument("--expect-version", type=int, help="refuse if the deal changed since")
    update.add_argument("--yes", action="store_true", help="confirm an expected close in the past")
    update.add_argument("--format", choices=("text", "json"), default="text")
    update.set_defaults(run=cmd_deal_update)

    move = command("move", "move an opportunity to a stage")
    move.add_argument("id", type=int)
    move.add_argument("stage")
    move.set_defaults(run=cmd_move)

    win = command("win", "mark an opportunity won")
    win.add_argument("id", type=int)
    win.set_defaults(run=cmd_win)

    lose = command("lose", "mark an opportunity lost")
    lose.add_argument("id", type=int)
    lose.add_argument("--reason", required=True)
    lose.set_defaults(run=cmd_lose)

    reopen = command("reopen", "reopen a won or lost opportunity")
    reopen.add_argument("id", type=int)
    reopen.set_defaults(run=cmd_reopen)


def cmd_convert(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from ..funnel import Refused

    try:
        opp = ctx.rules.convert(
            args.id,
            amount=args.amount,
            currency=args.currency,
            expected_close=parse_date(args.close, "close"),
            stage=args.stage,
            name=args.name,
            allow_past_close=args.yes,
        )
    except Refused as exc:
        messages = [str(p) for p in exc.problems]
        if any(p.field == "close" and p.code == "past" for p in exc.problems):
            messages.append("not saved; add --yes to use a close date in the past")
        raise CliRefused(*messages) from exc
    from ..money import format_amount

    amount = format_amount(opp.amount_cents, opp.currency, ctx.rules.locale)
    print(f"opened opportunity #{opp.id} {safe(opp.name)} in {opp.stage}: {amount}")
    return EXIT_OK


def cmd_deal_update(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from ..deal_edits import read_close
    from ..funnel import Refused
    from ..money import format_amount

    values: dict = {
        name: getattr(args, name)
        for name in ("name", "amount", "currency", "notes")
        if getattr(args, name) is not None
    }
    if args.close is not None:
        try:
            values["close"] = read_close(args.close, ctx.rules.today(), ctx.config.date_order)
        except ValueError as exc:
            raise CliRefused(f"close: {exc}") from exc
    if not values:
        raise CliRefused("nothing to change: give at least one field, e.g. --amount")
    try:
        opp = ctx.rules.update_deal(
            args.id, values, expected_version=args.expect_version, allow_past_close=args.yes
        )
    except Refused as exc:
        messages = [str(p) for p in exc.problems]
        if any(p.field == "close" and p.code == "past" for p in exc.problems):
            messages.append("not saved; add --yes to use a close date in the past")
        raise CliRefused(*messages) from exc
    amount = format_amount(opp.amount_cents, opp.currency, ctx.rules.locale)
    if args.format == "json":
        import json

        from ..output import to_json_value

        record = {
            "id": opp.id,
            "version": opp.version,
            "name": opp.name,
            "amount": opp.amount_cents / 100,
            "currency": opp.currency,
            "expected_close": to_json_value(opp.expected_close),
            "notes": opp.notes,
            "stage": opp.stage,
            "state": opp.state,
        }
        print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    close = opp.expected_close.isoformat() if opp.expected_close else "no close date"
    print(f"updated opportunity #{opp.id} {safe(opp.name)} (version {opp.version})")
    print(f"  {amount} · closing {close}")
    return EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    opp = Context(args).rules.move(args.id, args.stage)
    print(f"opportunity #{opp.id} is now in {opp.stage}")
    return EXIT_OK


def cmd_win(args: argparse.Namespace) -> int:
    opp = Context(args).rules.win(args.id)
    print(f"opportunity #{opp.id} {safe(opp.name)} won")
    return EXIT_OK


def cmd_lose(args: argparse.Namespace) -> int:
    opp = Context(args).rules.lose(args.id, args.reason)
    print(f"opportunity #{opp.id} {safe(opp.name)} lost: {opp.lost_reason}")
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    opp = Context(args).rules.reopen(args.id)
    print(f"opportunity #{opp.id} reopened in {opp.stage}")
    return EXIT_OK
