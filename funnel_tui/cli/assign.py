"""`funnel assign`: hand one lead or deal to a user, or all of a rep's open work to one
or several (round-robin), with the count confirmed first (rules.assign)."""

from __future__ import annotations

import argparse
import sys

from funnel_tui.cli.common import AddCommand, Context, done, format_option
from funnel_tui.core.errors import CliRefused, Refused
from funnel_tui.core.i18n import N_, _, pgettext

NEW_USER_HELP = N_(
    "NAME is someone new, not a misspelling of a user close to it (a name one slip from "
    "a user's is refused with that user suggested); repeat for several"
)


def register(command: AddCommand) -> None:
    assign = command(
        "assign",
        _(
            "hand a lead or a deal to a user (ID --to USER), or all of a rep's open leads and "
            "deals to one or several users, round-robin (--from USER --to ana,ben)"
        ),
    )
    assign.add_argument(
        "id", type=int, nargs="?", help=_("the lead's id (with --opportunity: the deal's)")
    )
    assign.add_argument(
        "--opportunity", action="store_true", help=_("ID is an opportunity's (a deal's)")
    )
    assign.add_argument(
        "--to",
        required=True,
        metavar="USER[,USER…]",
        help=_(
            "a login or a user's name; several, comma-separated, share the records in turn. "
            "A name no one has is a new user, made and said so"
        ),
    )
    assign.add_argument(
        "--from", dest="from_user", metavar="USER", help=_("hand over all of this user's open work")
    )
    assign.add_argument(
        "--status",
        action="append",
        default=[],
        help=_(
            "with --from: only leads in this status (repeatable; default: new, working, "
            "nurturing — every one but unqualified)"
        ),
    )
    assign.add_argument(
        "--leads-only",
        action="store_true",
        help=_("with --from: leave the open deals where they are"),
    )
    assign.add_argument(
        "--yes", action="store_true", help=_("with --from: hand over without asking to confirm")
    )
    assign.add_argument(
        "--new-user", action="append", default=[], metavar="NAME", help=_(NEW_USER_HELP)
    )
    assign.add_argument(
        "--expect-version", type=int, help=_("with ID: refuse if its owner changed since")
    )
    format_option(assign)
    assign.set_defaults(run=cmd_assign)


def user_list(text: str) -> list[str]:
    """`ana, ben,carla` → the names, blanks dropped."""
    return [name.strip() for name in text.split(",") if name.strip()]


def refused(exc: Refused) -> CliRefused:
    """A refusal of an assignment, with the way past a name taken for a misspelling."""
    messages = [str(p) for p in exc.problems]
    for problem in exc.problems:
        if problem.code == "misspelt_user":
            name = problem.message.split('"')[1]
            said = _("nothing was changed; if {name} is someone new: --new-user {name}")
            messages.append(said.format(name=name))
    return CliRefused(*messages)


def cmd_assign(args: argparse.Namespace) -> int:
    if (args.id is None) == (args.from_user is None):
        raise CliRefused(
            _(
                "assign: give a record's ID (funnel assign 12 --to ben) or --from USER "
                "(funnel assign --from ana --to ben), not both"
            )
        )
    if args.id is not None and (args.status or args.leads_only):
        raise CliRefused(_("--status and --leads-only go with --from, not with an ID"))
    names = user_list(args.to)
    ctx = Context(args)
    try:
        if args.id is not None:
            if len(names) != 1:
                raise CliRefused(_("--to: one record goes to one user"))
            entity = "opportunity" if args.opportunity else "lead"
            result = ctx.rules.assign(
                entity,
                args.id,
                names[0],
                expected_version=args.expect_version,
                new_ok=args.new_user,
            )
            record = (_("opportunity #{id}") if args.opportunity else _("lead #{id}")).format(
                id=args.id
            )
            return _said(args, result, record)
        kwargs = {
            "statuses": args.status or None,
            "deals": not args.leads_only,
            "new_ok": args.new_user,
        }
        if not args.yes:
            plan = ctx.rules.hand_over(args.from_user, names, dry_run=True, **kwargs)
            _confirm(plan)
        result = ctx.rules.hand_over(args.from_user, names, **kwargs)
    except Refused as exc:
        raise refused(exc) from exc
    return _said(args, result)


def _confirm(plan) -> None:
    """Ask before a hand-over, saying the counts; a script must say --yes."""
    if not sys.stdin.isatty():
        raise CliRefused(
            plan.summary(),
            _("not confirmed: nothing was changed; add --yes to hand over without asking"),
        )
    print(plan.summary())
    answer = input(_("Hand them over? [y/N] ")).strip().lower()
    if not confirmed(answer):
        raise CliRefused(_("not confirmed: nothing was changed"))


def confirmed(answer: str) -> bool:
    """Whether the answer to a [y/N] question is yes: in English always, or in the
    rep's language ("j", "ja"; "t", "tak"; "是")."""
    words = ("y", "yes", pgettext("confirm", "y"), pgettext("confirm", "yes"))
    return answer.strip().lower() in {word.lower() for word in words}


def _said(args: argparse.Namespace, result, record: str = "") -> int:
    """The result in words (`Handed lead #12 to ben.`), or as JSON."""
    text = result.summary()
    if record and not result.moved:
        text = _("Nothing to do: {record} is already {user}'s.").format(
            record=record, user=result.to[0]
        )
    elif record:
        text = text.replace("1 lead", record, 1).replace("1 deal", record, 1)
    return done(args, text, result.as_dict())
