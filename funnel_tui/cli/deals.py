"""Commands on deals: convert a prospect, change a deal's fields (`deal update`), move,
win, lose, reopen."""

from __future__ import annotations

import argparse

from funnel_tui.cli.common import (
    AddCommand,
    Context,
    common_options,
    done,
    format_option,
    opportunity_data,
    parse_date,
    read_back,
    safe,
    stored_name,
)
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name


def register(command: AddCommand) -> None:
    convert = command("convert", _("open an opportunity for a prospect"))
    convert.add_argument("id", type=int)
    convert.add_argument("--amount", required=True)
    convert.add_argument("--currency", default="")
    convert.add_argument("--close", help=_("expected close date: +2w, +1m, 12/01, 2026-12-01 …"))
    convert.add_argument("--stage", default="")
    convert.add_argument("--name", default="", help=_("deal name (default: company – contact)"))
    convert.add_argument(
        "--yes",
        action="store_true",
        help=_("confirm a close date in the past (e.g. when recording a deal after the fact)"),
    )
    format_option(convert)
    convert.set_defaults(run=cmd_convert)

    deal = command("deal", _("change a deal: `funnel deal update ID --amount …`"))
    verbs = deal.add_subparsers(dest="verb", metavar="VERB", required=True)
    update = verbs.add_parser(
        "update",
        help=_("change a deal's name, amount, currency, expected close or notes"),
        description=_(
            "Change a deal's fields; what is not given stays. The amount is read "
            "as your locale writes numbers (`locale` in funnel.toml, else $LC_ALL / $LANG) "
            "and printed back as saved."
        ),
    )
    common_options(update, suppress=True)
    update.add_argument("id", type=int, help=_("the opportunity's id"))
    update.add_argument("--name")
    update.add_argument("--amount", help=_("e.g. 1250.50, 1.250,50 (de), 1 250,50 (pl)"))
    update.add_argument("--currency", help=_("ISO 4217: EUR, PLN, USD, TWD, CNY, MXN …"))
    update.add_argument(
        "--close", help=_("expected close: +2w, fri, 12/01, 2026-12-01; '' for none")
    )
    update.add_argument("--notes")
    update.add_argument("--expect-version", type=int, help=_("refuse if the deal changed since"))
    update.add_argument(
        "--yes", action="store_true", help=_("confirm an expected close in the past")
    )
    format_option(update)
    update.set_defaults(run=cmd_deal_update)

    move = command("move", _("move an opportunity to a stage"))
    move.add_argument("id", type=int)
    move.add_argument("stage")
    format_option(move)
    move.set_defaults(run=cmd_move)

    win = command("win", _("mark an opportunity won"))
    win.add_argument("id", type=int)
    format_option(win)
    win.set_defaults(run=cmd_win)

    lose = command("lose", _("mark an opportunity lost"))
    lose.add_argument("id", type=int)
    lose.add_argument("--reason", required=True)
    format_option(lose)
    lose.set_defaults(run=cmd_lose)

    reopen = command("reopen", _("reopen a won or lost opportunity"))
    reopen.add_argument("id", type=int)
    format_option(reopen)
    reopen.set_defaults(run=cmd_reopen)


def cmd_convert(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core.errors import Refused

    close = parse_date(args.close, "close", ctx)
    try:
        opp = ctx.rules.convert(
            args.id,
            amount=args.amount,
            currency=args.currency,
            expected_close=close,
            stage=_stage(args.stage, ctx),
            name=args.name,
            allow_past_close=args.yes,
        )
    except Refused as exc:
        raise _refused(exc) from exc
    from funnel_tui.core.money import format_amount

    amount = format_amount(opp.amount_cents, opp.currency, ctx.rules.locale)
    text = _("opened opportunity #{id} {name} in {stage}: {amount}").format(
        id=opp.id, name=safe(opp.name), stage=shown_name(opp.stage), amount=amount
    )
    if opp.expected_close is not None:
        text += "\n" + _("close by: {date}").format(date=read_back(opp.expected_close, ctx))
    return done(args, text, opportunity_data(opp))


def _refused(exc) -> CliRefused:
    """A refusal of convert or deal update, with the way past a close date in the past."""
    messages = [str(p) for p in exc.problems]
    if any(p.field == "close" and p.code == "past" for p in exc.problems):
        messages.append(_("not saved; add --yes to use a close date in the past"))
    return CliRefused(*messages)


def cmd_deal_update(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core.errors import Refused
    from funnel_tui.core.money import format_amount
    from funnel_tui.rules.deal_edits import read_close

    values: dict = {
        name: getattr(args, name)
        for name in ("name", "amount", "currency", "notes")
        if getattr(args, name) is not None
    }
    if args.close is not None:
        try:
            values["close"] = read_close(args.close, ctx.rules.today(), ctx.config.date_order)
        except ValueError as exc:
            raise CliRefused(_("close: {problem}").format(problem=exc)) from exc
    if not values:
        raise CliRefused(_("nothing to change: give at least one field, e.g. --amount"))
    try:
        opp = ctx.rules.update_deal(
            args.id, values, expected_version=args.expect_version, allow_past_close=args.yes
        )
    except Refused as exc:
        raise _refused(exc) from exc
    amount = format_amount(opp.amount_cents, opp.currency, ctx.rules.locale)
    from funnel_tui.core.formats import date_short

    close = date_short(opp.expected_close) if opp.expected_close else _("no close date")
    text = (
        _("updated opportunity #{id} {name} (version {version})").format(
            id=opp.id, name=safe(opp.name), version=opp.version
        )
        + "\n  "
        + _("{amount} · closing {close}").format(amount=amount, close=close)
    )
    return done(args, text, {**opportunity_data(opp), "notes": opp.notes})


def cmd_move(args: argparse.Namespace) -> int:
    ctx = Context(args)
    opp = ctx.rules.move(args.id, _stage(args.stage, ctx))
    text = _("opportunity #{id} is now in {stage}").format(id=opp.id, stage=shown_name(opp.stage))
    return done(args, text, opportunity_data(opp))


def cmd_win(args: argparse.Namespace) -> int:
    opp = Context(args).rules.win(args.id)
    text = _("opportunity #{id} {name} won").format(id=opp.id, name=safe(opp.name))
    return done(args, text, opportunity_data(opp))


def cmd_lose(args: argparse.Namespace) -> int:
    ctx = Context(args)
    opp = ctx.rules.lose(args.id, stored_name(args.reason, ctx.config.loss_reasons))
    text = _("opportunity #{id} {name} lost: {reason}").format(
        id=opp.id, name=safe(opp.name), reason=safe(shown_name(opp.lost_reason))
    )
    return done(args, text, opportunity_data(opp))


def cmd_reopen(args: argparse.Namespace) -> int:
    opp = Context(args).rules.reopen(args.id)
    text = _("opportunity #{id} reopened in {stage}").format(id=opp.id, stage=shown_name(opp.stage))
    return done(args, text, opportunity_data(opp))


def _stage(text: str, ctx: Context) -> str:
    """A stage typed as stored or as the rep reads it, by its stored name."""
    return stored_name(text, [stage.name for stage in ctx.config.stages]) or text
