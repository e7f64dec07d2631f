"""`funnel report NAME`: a report of funnel_tui.read.reports as a table, CSV or JSON.

The CSV and JSON use the columns' keys and plain numbers (rates as fractions), which
stay the same from one version to the next for scripts; the table is for people."""

from __future__ import annotations

import argparse
import json
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, parse_date
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _


def register(command: AddCommand) -> None:
    from funnel_tui.core.report_names import REPORT_TITLES

    names = ", ".join(f"{name} ({_(title)})" for name, title in REPORT_TITLES.items())
    report = command("report", _("print a report on the funnel: {names}").format(names=names))
    report.add_argument("name", metavar="NAME", choices=list(REPORT_TITLES), help=_("the report"))
    report.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help=_("first day: 2026-01-01, 30d, 3m, monday …"),
    )
    report.add_argument("--to", dest="end", metavar="DATE", help=_("last day, included"))
    report.add_argument(
        "--by",
        choices=("source", "owner", "month", "week"),
        help=_("split the figures (each report says which splits it has)"),
    )
    report.add_argument(
        "--currency",
        metavar="CUR",
        help=_("amounts in this currency (default: report_currency, else default_currency)"),
    )
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.set_defaults(run=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    ctx = Context(args)
    from funnel_tui.core.errors import ReportError
    from funnel_tui.read.reports import Period, Request, run_report

    today = ctx.rules.today()
    days = {
        option: parse_date(text, option, ctx, back=True)
        for option, text in (("--from", args.start), ("--to", args.end))
    }
    try:
        period = Period(days.get("--from"), days.get("--to"), ctx.rules.zone)
        request = Request(period, args.by, ctx.config, today, (args.currency or "").upper())
        report = run_report(args.name, request)
    except ReportError as exc:
        raise CliRefused(str(exc)) from exc
    sys.stdout.reconfigure(encoding="utf-8")
    {"table": _table, "csv": _csv, "json": _json}[args.format](report)
    return EXIT_OK


def _table(report) -> None:
    from funnel_tui.core.output import write_table
    from funnel_tui.read.reports.base import shown_cell

    said = _("{title} · {period} · by {by}") if report.by else _("{title} · {period}")
    print(said.format(title=report.title, period=report.period.label(), by=report.by))
    for part in (report, *report.parts):
        if part is not report:
            print(f"\n{part.title}")
        _one_table(part, write_table, shown_cell)
    for note in report.notes:
        print(_("note: {note}").format(note=note))


def _one_table(report, write_table, shown_cell) -> None:
    labels = [c.label for c in report.columns]
    columns = list(zip(labels, report.columns, strict=True))
    rows = [{label: shown_cell(row, c) for label, c in columns} for row in report.all_rows()]
    write_table(rows, labels, sys.stdout)


def _json_table(report) -> dict:
    rows = list(_plain_rows(report))
    return {
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in report.columns],
        "rows": rows[: len(report.rows)],
        "total": rows[len(report.rows)] if report.total else None,
    }


def _plain_rows(report):
    from funnel_tui.read.reports.base import plain_value

    for row in report.all_rows():
        yield {c.key: plain_value(row.values.get(c.key), c.kind) for c in report.columns}


def _csv(report) -> None:
    """The report's main table; its further tables (loss reasons) follow, each after a
    blank line, so a script reading the first table stops at the blank line."""
    from funnel_tui.core.output import write_csv

    for index, part in enumerate((report, *report.parts)):
        if index:
            sys.stdout.write("\n")
        write_csv(_plain_rows(part), [c.key for c in part.columns], sys.stdout)


def _json(report) -> None:
    document = {
        "report": report.name,
        "title": report.title,
        "from": report.period.start.isoformat() if report.period.start else None,
        "to": report.period.end.isoformat() if report.period.end else None,
        "by": report.by,
        "currency": report.currency or None,
        **_json_table(report),
        "parts": {part.name: _json_table(part) for part in report.parts},
        "notes": report.notes,
    }
    if report.series:
        document["weeks"] = report.x_labels
        document["series"] = report.series
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
