"""Reports on the funnel, computed in the database: each a Report of rows and columns
whose every figure knows the records behind it. No UI imports: the Reports screen and
`funnel report` both call run_report."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Lead, Opportunity
from ..report_names import REPORT_TITLES
from .base import SPLITS, Drill, Period, Report, ReportError
from .conversion import funnel_conversion

# name → (title, the report, the splits it offers); the names and titles are in
# report_names, for the command line's help.
REPORTS: dict[str, tuple[str, Callable[[Period, str | None], Report], tuple[str, ...]]] = {
    name: (REPORT_TITLES[name], make, splits)
    for name, make, splits in (("conversion", funnel_conversion, SPLITS),)
}


def run_report(name: str, period: Period, by: str | None = None) -> Report:
    if name not in REPORTS:
        raise ReportError(f"{name!r} is not a report; choose one of: {', '.join(REPORTS)}")
    _, make, splits = REPORTS[name]
    if by is not None and by not in splits:
        raise ReportError(f"--by {by}: the {name} report splits by {', '.join(splits)}")
    return make(period, by)


def records(drill: Drill, limit: int = 1000) -> list[tuple[int, str]]:
    """The records behind a figure, (id, name) each, oldest first; at most `limit`."""
    model = {"lead": Lead, "opportunity": Opportunity}[drill.entity]
    query = model.select(model.id, model.name).where(drill.where).order_by(model.id)
    return list(query.limit(limit).tuples())


__all__ = ["REPORTS", "Drill", "Period", "Report", "ReportError", "records", "run_report"]
