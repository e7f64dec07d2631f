"""Commands on deals: convert a prospect, move, win, lose, reopen."""

from __future__ import annotations

import argparse

from .common import (
    AddCommand,
    CliRefused,
    Context,
    done,
    format_option,
    opportunity_data,
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
    format_option(convert)
    convert.set_defaults(run=cmd_convert)

    move = command("move", "move an opportunity to a stage")
    move.add_argument("id", type=int)
    move.add_argument("stage")
    format_option(move)
    move.set_defaults(run=cmd_move)

    win = command("win", "mark an opportunity won")
    win.add_argument("id", type=int)
    format_option(win)
    win.set_defaults(run=cmd_win)

    lose = command("lose", "mark an opportunity lost")
    lose.add_argument("id", type=int)
    lose.add_argument("--reason", required=True)
    format_option(lose)
    lose.set_defaults(run=cmd_lose)

    reopen = command("reopen", "reopen a won or lost opportunity")
    reopen.add_argument("id", type=int)
    format_option(reopen)
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
    text = f"opened opportunity #{opp.id} {safe(opp.name)} in {opp.stage}"
    return done(args, text, opportunity_data(opp))


def cmd_move(args: argparse.Namespace) -> int:
    opp = Context(args).rules.move(args.id, args.stage)
    return done(args, f"opportunity #{opp.id} is now in {opp.stage}", opportunity_data(opp))


def cmd_win(args: argparse.Namespace) -> int:
    opp = Context(args).rules.win(args.id)
    return done(args, f"opportunity #{opp.id} {safe(opp.name)} won", opportunity_data(opp))


def cmd_lose(args: argparse.Namespace) -> int:
    opp = Context(args).rules.lose(args.id, args.reason)
    text = f"opportunity #{opp.id} {safe(opp.name)} lost: {safe(opp.lost_reason)}"
    return done(args, text, opportunity_data(opp))


def cmd_reopen(args: argparse.Namespace) -> int:
    opp = Context(args).rules.reopen(args.id)
    return done(args, f"opportunity #{opp.id} reopened in {opp.stage}", opportunity_data(opp))
