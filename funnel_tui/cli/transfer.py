"""`funnel import` and `funnel export`: the command line of funnel_tui.transfer.

Import exits 0 when every row was placed (inserted, updated, unchanged or skipped as a
duplicate), 1 when a row was refused or the import stopped early, 2 for a bad option.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from . import cli


def cmd_import(args: argparse.Namespace) -> int:
    from .transfer.columns import FIELD_LABELS, MappingRefused
    from .transfer.importer import ImportOptions, plan_import, run_import
    from .transfer.textfile import FileRefused

    options = ImportOptions(
        update=args.update,
        overwrite=args.overwrite,
        dry_run=args.dry_run,
        strict=args.strict,
        source=args.source,
        rejects=Path(args.rejects) if args.rejects else None,
    )
    if options.problems():
        raise cli.CliRefused(*options.problems())
    try:
        plan = plan_import(args.file, args.map, args.encoding, args.delimiter)
    except (FileRefused, MappingRefused) as exc:
        raise cli.CliRefused(str(exc)) from exc
    text = args.format == "text"
    if text:
        _show_plan(plan, FIELD_LABELS)
    problems = plan.column_map.problems()
    if problems:
        raise cli.CliRefused(*problems)
    ctx = cli.Context(args)
    bar = _ProgressBar() if text and sys.stdout.isatty() else None
    try:
        report = run_import(ctx.rules, plan, options, progress=bar, cancel=threading.Event())
    except FileRefused as exc:
        raise cli.CliRefused(str(exc)) from exc
    finally:
        if bar is not None:
            bar.clear()
    if text:
        _show_report(report)
    else:
        print(json.dumps(_report_json(report), ensure_ascii=False, indent=2))
    refused = report.counts["refused"]
    return cli.EXIT_REFUSED if refused or report.aborted else cli.EXIT_OK


def _show_plan(plan, labels: dict[str, str]) -> None:
    from .output import write_table

    print(f"{cli._safe(plan.facts.path.name)}: {plan.kind_label}, {plan.facts.encoding.label}")
    for note in plan.facts.notes:
        print(f"  {cli._safe(note)}")
    first = plan.samples[0].cells if plan.samples else []
    rows = [
        {
            "column": f"{c.number}. {c.header}",
            "→ field": labels[c.field] if c.field else f"({c.how})",
            "first row": first[c.number - 1] if c.number <= len(first) else "",
        }
        for c in plan.column_map.columns
    ]
    write_table(rows, ["column", "→ field", "first row"], sys.stdout, max_width=32)
    print('change with --map "COLUMN=field"; try it first with --dry-run')
    print()


class _ProgressBar:
    """One line redrawn in place: bar, share done, rows, rows/s, time left."""

    WIDTH = 24

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, p) -> None:
        from .transfer.importer import format_eta

        filled = round(p.fraction * self.WIDTH)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        line = (
            f"\r{p.phase} [{bar}] {p.fraction:4.0%}  {p.rows:,} rows  "
            f"{p.rows_per_second:,.0f} rows/s  {format_eta(p.eta_seconds)}"
        )
        sys.stdout.write(line.ljust(78))
        sys.stdout.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            sys.stdout.write("\r" + " " * 78 + "\r")
            sys.stdout.flush()


def _show_report(report) -> None:
    from .transfer.importer import iter_outcomes

    print(cli._safe(report.summary()) + f" in {report.seconds:.1f} s")
    if report.dry_run:
        print("dry run: nothing was written")
    for line in list(iter_outcomes(report))[:10]:
        print(f"  {cli._safe(line)}")
    not_shown = report.counts["duplicate"] + report.counts["refused"] - 10
    if not_shown > 0:
        where = " (every refused row is in the reject file)" if report.rejects else ""
        print(f"  … and {not_shown:,} more{where}")
    if report.rejects:
        print(
            f"refused rows, with the reasons, are in {report.rejects}: fix them there and "
            "import that file"
        )
    if report.aborted:
        print(f"funnel: {cli._safe(report.aborted)}", file=sys.stderr)
    if not report.adds_up():  # a bug, said rather than hidden
        print("funnel: the counts do not add up to the rows read", file=sys.stderr)


def _report_json(report) -> dict:
    return {
        "file": report.file,
        "rows_read": report.rows_read,
        **report.counts,
        "dry_run": report.dry_run,
        "rejects": str(report.rejects) if report.rejects else None,
        "aborted": report.aborted or None,
        "seconds": round(report.seconds, 3),
        "examples": [
            {"row": o.row, "outcome": o.outcome, "field": o.field, "reason": o.reason}
            for o in report.examples
        ],
    }


def cmd_export(args: argparse.Namespace) -> int:
    ctx = cli.Context(args)
    from .queries import parse_filter
    from .transfer.exporter import export_leads

    flt = parse_filter(ctx.config, args.status, args.stage, args.owner or "")
    if not args.output:
        sys.stdout.reconfigure(encoding="utf-8")
        export_leads(sys.stdout, args.format, flt, args.vcard_version)
        return cli.EXIT_OK
    target = Path(args.output)
    partial = target.with_name(f".{target.name}.part")
    try:
        # newline="": the csv module writes its own line ends; vCards are CRLF already.
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = export_leads(out, args.format, flt, args.vcard_version)
        partial.replace(target)  # a reader never sees half a file
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise cli.CliRefused(f"output: cannot write {target} ({exc.strerror})") from exc
    print(f"exported {count:,} lead{'s' * (count != 1)} to {target}", file=sys.stderr)
    return cli.EXIT_OK
