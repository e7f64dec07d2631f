"""`funnel duplicates`: the possible duplicate leads (or companies) with why, strongest
first, as a table for people or JSON and CSV for scripts (read.duplicates finds them).

JSON and CSV keys stay the same from one version to the next: each record's fields, the
reasons as keys (same_phone, same_email, same_name_company, close_name_company,
close_name_phone; for companies same_name, close_name, same_website) and the similarity
of the names, 0–100."""

from __future__ import annotations

import argparse
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, print_json
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _, ngettext

LEAD_FIELDS = ("id", "name", "company", "phone", "email", "owner")
COMPANY_FIELDS = ("id", "name", "country", "website", "people")
WIDEST = 28  # a column of the table, at most: a pair's two records fit a line of 150


def register(command: AddCommand) -> None:
    dups = command(
        "duplicates",
        _(
            "list possible duplicate leads (same phone, email, or name at the same company; "
            "close names at the same company or on the same phone), strongest first"
        ),
    )
    dups.add_argument(
        "--companies",
        action="store_true",
        help=_("possible duplicate companies instead (same or close name, same website)"),
    )
    dups.add_argument("--limit", type=int, metavar="N", help=_("at most N pairs"))
    dups.add_argument("--format", choices=("table", "json", "csv"), default="table")
    dups.set_defaults(run=cmd_duplicates)


def cmd_duplicates(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        said = _("--limit: {limit} is not a number of pairs: give 1 or more")
        raise CliRefused(said.format(limit=args.limit))
    Context(args)
    from funnel_tui.read.duplicates import possible_duplicate_companies, possible_duplicates

    if args.companies:
        pairs, fields = possible_duplicate_companies(limit=args.limit), COMPANY_FIELDS
    else:
        pairs, fields = possible_duplicates(limit=args.limit), LEAD_FIELDS
    sys.stdout.reconfigure(encoding="utf-8")
    if args.format == "json":
        print_json([_pair_data(pair, fields) for pair in pairs])
    elif args.format == "csv":
        from funnel_tui.core.output import write_csv

        columns = [f"{side}_{name}" for side in ("first", "second") for name in fields]
        columns += ["reasons", "similarity", "why"]
        write_csv((_flat(pair, fields) for pair in pairs), columns, sys.stdout)
    else:
        _table(pairs, fields, args.companies)
    return EXIT_OK


def _side(side, fields: tuple[str, ...]) -> dict:
    """A record for scripts: its phone in E.164 when it has a valid one."""
    data = {name: getattr(side, name) for name in fields}
    if "phone" in data:
        data["phone"] = side.phone_e164 or side.phone
    return data


def _pair_data(pair, fields: tuple[str, ...]) -> dict:
    return {
        "first": _side(pair.first, fields),
        "second": _side(pair.second, fields),
        "reasons": list(pair.reasons),
        "similarity": pair.similarity,
        "why": pair.words(),
    }


def _flat(pair, fields: tuple[str, ...]) -> dict:
    row = {f"first_{k}": v for k, v in _side(pair.first, fields).items()}
    row.update({f"second_{k}": v for k, v in _side(pair.second, fields).items()})
    row.update(reasons=";".join(pair.reasons), similarity=pair.similarity, why=pair.words())
    return row


def _table(pairs, fields: tuple[str, ...], companies: bool) -> None:
    """Each pair as its reason in words, then its two records in aligned columns."""
    from funnel_tui.cli.tables import headed
    from funnel_tui.core.formats import number
    from funnel_tui.core.output import cell_width, fit, plain

    if not pairs:
        none = _("no possible duplicate companies") if companies else None
        print(none or _("no possible duplicate leads"))
        return
    names = headed(fields)
    records = [[plain(getattr(s, f)) for f in fields] for p in pairs for s in (p.first, p.second)]
    widths = [
        min(WIDEST, max([cell_width(name), *(cell_width(r[i]) for r in records)]))
        for i, name in enumerate(names)
    ]

    def line(cells) -> str:
        return "    " + "  ".join(fit(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    print(line(names))
    for index, pair in enumerate(pairs, 1):
        print(f"{index}. {plain(pair.words())}")
        print(line(records[2 * index - 2]))
        print(line(records[2 * index - 1]))
    count = len(pairs)
    if companies:
        said = ngettext(
            "{count} possible duplicate pair of companies",
            "{count} possible duplicate pairs of companies",
            count,
        )
    else:
        said = ngettext(
            "{count} possible duplicate pair of leads",
            "{count} possible duplicate pairs of leads",
            count,
        )
    print(said.format(count=number(count)))
