"""Commands on deals: convert a prospect, move, win, lose, reopen."""

from __future__ import annotations

import argparse

from .common import (
    EXIT_OK,
    AddCommand,
    CliRefused,
    Context,
    parse_date,
    read_back,
    safe,
)


def register(command: AddCommand) -> None:
    convert = command("convert", "open an opportunity for a prospect")
    convert.add_argument("id", type=int)
    convert.add_argument("--amount", required=True)
    convert.add_argument("--currency", default="")
    convert.add_argument("--close", help="expected close date: +2w, +1m, 12/01, 2026-12-01 …")
    convert.add_argument("--stage", default="")
    convert.add_argument("--name", default="", help="deal name (default: company – contact)")
    convert.add_argument(
        "--yes",
        action="store_true",
        help="confirm a close date in the past (e.g. when recording a deal after the fact)",
    )
    convert.set_defaults(run=cmd_convert)

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

    close = parse_date(args.close, "close", ctx)
    try:
        opp = ctx.rules.convert(
            args.id,
            amount=args.amount,
            currency=args.currency,
            expected_close=close,
            stage=args.stage,
            name=args.name,
            allow_past_close=args.yes,
        )
    except Refused as exc:
        messages = [str(p) for p in exc.problems]
        if any(p.field == "close" and p.code == "past" for p in exc.problems):
            messages.append("not saved; add --yes to use a close date in the past")
        raise CliRefused(*messages) from exc
    print(f"opened opportunity #{opp.id} {safe(opp.name)} in {opp.stage}")
    if opp.expected_close is not None:
        print(f"close by: {read_back(opp.expected_close, ctx)}")
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
