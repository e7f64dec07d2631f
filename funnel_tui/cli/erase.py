"""`funnel erase ID`: erase a person's data on request (rules.erasure), confirmed by
typing the lead's name; says which older backups still hold it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, format_option, print_json, safe
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _, ngettext


def register(command: AddCommand) -> None:
    erase = command(
        "erase",
        _(
            "erase a person's data on request (name, phone, email, notes, the text of "
            "their activities and history), leaving an anonymous record"
        ),
    )
    erase.add_argument("lead", type=int, metavar="ID", help=_("the lead's number"))
    erase.add_argument(
        "--confirm",
        metavar="NAME",
        help=_("the lead's name, typed to confirm (asked for when not given)"),
    )
    erase.add_argument(
        "--with-deals",
        action="store_true",
        help=_("erase even while an open deal needs the contact (the deal stays)"),
    )
    format_option(erase)
    erase.set_defaults(run=cmd_erase)


def cmd_erase(args: argparse.Namespace) -> int:
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.live.erasure import copies_before, drop_drafts

    ctx = Context(args)
    confirm = args.confirm
    if confirm is None:
        lead = ctx.rules.get_lead(args.lead)
        if not sys.stdin.isatty():
            raise CliRefused(_("erase: nothing erased; add --confirm NAME, the lead's name"))
        said = _("Erase the personal data of lead #{id} {name} for good? Type its name: ")
        confirm = input(safe(said.format(id=lead.id, name=lead.name)))
    erased = ctx.rules.erase_lead(args.lead, confirm=confirm, with_deals=args.with_deals)
    drop_drafts(DraftStore(ctx.user), erased.lead_ids)
    copies = copies_before(ctx.target, erased.at)
    if args.format == "json":
        print_json(
            {
                "erased": erased.lead_id,
                "leads": list(erased.lead_ids),
                "name": erased.name,
                "deals": erased.deals,
                "log_cleared": erased.log_cleared,
                "older_copies": [str(p) for p in copies],
            }
        )
        return EXIT_OK
    print(safe(erased.summary()))
    if not erased.log_cleared:
        print(
            _(
                "Others have the database open: SQLite's log may hold the old values "
                "until they close funnel."
            )
        )
    if copies:
        print(_older_copies(copies, erased.at))
    return EXIT_OK


def _older_copies(copies: list[Path], at: dt.datetime) -> str:
    """The copies made before the erasure, named, and the command that removes them."""
    head = ngettext(
        "{count} copy made before still holds the person's data until it expires:",
        "{count} copies made before still hold the person's data until they expire:",
        len(copies),
    ).format(count=len(copies))
    # The minute after the erasure, in UTC as --prune-before reads a time with a Z.
    after = (at + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%MZ")
    lines = [head, *(f"  {safe(str(p))}" for p in copies)]
    lines.append(_("`funnel backup --prune-before {moment}` removes them.").format(moment=after))
    return "\n".join(lines)
