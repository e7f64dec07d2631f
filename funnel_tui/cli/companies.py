"""Commands on companies as accounts: `funnel company list`, `show` and `update`."""

from __future__ import annotations

import argparse
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, done, print_json, safe
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _

SORTS = ("name", "pipeline", "won", "activity", "people")


def register(command: AddCommand) -> None:
    company = command(
        "company",
        _("companies as accounts: `funnel company list`, `show ID`, `update ID --industry …`"),
    )
    verbs = company.add_subparsers(dest="verb", metavar="VERB", required=True)

    listing = verbs.add_parser(
        "list",
        help=_("list companies with their people, open pipeline and won amount"),
        description=_(
            "List companies. Amounts are per currency, never added together; a "
            "sort by money compares them in report_currency with the configured "
            "exchange_rates (funnel.toml), a currency without a rate after the others."
        ),
    )
    _common(listing)
    listing.add_argument("--search", metavar="TEXT", default="", help=_("in the company's name"))
    listing.add_argument(
        "--sort",
        choices=SORTS,
        default="name",
        help=_(
            "name (A–Z, the default); pipeline, won, activity or people: largest or latest first"
        ),
    )
    kind = listing.add_mutually_exclusive_group()
    kind.add_argument("--customers", action="store_true", help=_("only companies with a won deal"))
    kind.add_argument("--prospects", action="store_true", help=_("only companies without one"))
    listing.add_argument("--limit", type=int, help=_("at most this many companies"))
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    listing.set_defaults(run=cmd_list)

    show = verbs.add_parser(
        "show", help=_("a company with its people, deals, activities and history")
    )
    _common(show)
    show.add_argument("id", type=int, help=_("the company's id"))
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=cmd_show)

    update = verbs.add_parser(
        "update",
        help=_("change a company's name, industry, employees, country or website"),
        description=_("Change a company's fields; what is not given stays, '' empties one."),
    )
    _common(update)
    update.add_argument("id", type=int, help=_("the company's id"))
    update.add_argument("--name")
    update.add_argument("--industry")
    update.add_argument("--employees", help=_("a whole number; '' when not known"))
    update.add_argument("--country", help=_("a code or a name: DE, Mexico, TW …"))
    update.add_argument("--website")
    update.add_argument(
        "--version",
        dest="expect_version",
        type=int,
        help=_("the version you read: refused if someone changed the same fields since"),
    )
    update.add_argument("--format", choices=("text", "json"), default="text")
    update.set_defaults(run=cmd_update)


def _common(parser: argparse.ArgumentParser) -> None:
    from funnel_tui.cli.common import common_options

    common_options(parser, suppress=True)


def cmd_list(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core import output
    from funnel_tui.read.companies import CompanyQuery, company_page
    from funnel_tui.read.company_text import LIST_COLUMNS, list_row

    if args.limit is not None and args.limit < 0:
        said = _("limit: {limit} is below 0; give a number of companies")
        raise CliRefused(said.format(limit=args.limit))
    kind = "customers" if args.customers else "prospects" if args.prospects else ""
    query = CompanyQuery.from_config(ctx.config, text=args.search, sort=args.sort, kind=kind)

    def rows():
        step, offset = 500, 0
        left = args.limit
        while left is None or left > 0:
            take = step if left is None else min(step, left)
            page = company_page(query, offset, take)
            yield from (list_row(row, args.format) for row in page)
            if len(page) < take:
                return
            offset += take
            if left is not None:
                left -= take

    if args.format == "json":
        output.write_json(rows(), LIST_COLUMNS, sys.stdout)
    elif args.format == "csv":
        output.write_csv(rows(), LIST_COLUMNS, sys.stdout)
    else:
        from funnel_tui.cli.tables import write_table

        write_table(list(rows()), LIST_COLUMNS, sys.stdout)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.read.companies import company_record
    from funnel_tui.read.company_text import company_as_dict, company_as_text

    record = company_record(args.id)
    if record is None:
        said = _("id: no company #{id}; `funnel company list` shows them")
        raise CliRefused(said.format(id=args.id))
    if args.format == "json":
        print_json(company_as_dict(record))
    else:
        sys.stdout.write(company_as_text(record, ctx.config, ctx.rules.zone))
    return EXIT_OK


def cmd_update(args: argparse.Namespace) -> int:
    ctx = Context(args)
    fields = ("name", "industry", "employees", "country", "website")
    values = {name: getattr(args, name) for name in fields if getattr(args, name) is not None}
    if not values:
        raise CliRefused(_("nothing to change: give at least one field, e.g. --industry"))
    company = ctx.rules.update_company(args.id, values, expected_version=args.expect_version)
    text = _("updated company #{id} {name} (version {version})").format(
        id=company.id, name=safe(company.name), version=company.version
    )
    data = {
        "id": company.id,
        **{name: getattr(company, name) for name in fields},
        "version": company.version,
        "changed": sorted(values),
    }
    return done(args, text, data)
