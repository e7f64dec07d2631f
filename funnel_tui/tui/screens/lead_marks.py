"""The lead list's marks: which leads the next bulk action applies to.

Marks are lead ids, not rows: they stay through scrolling, paging, a new search and a
live refresh, and "mark all that match" adds the ids of every lead the list's query
finds (read.queries.lead_ids, all pages, not only the one loaded). The mark column
shows them; it is there only while something is marked, so the list keeps its columns
the rest of the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text

from funnel_tui.core.formats import number
from funnel_tui.core.i18n import ngettext
from funnel_tui.tui.widgets.lead_table import Column

MARK = "✓"


class Marks:
    """A set of marked lead ids."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self.ids

    def toggle(self, lead_id: int) -> bool:
        """Mark the lead, or unmark it if it was; True when it is marked now."""
        if lead_id in self.ids:
            self.ids.discard(lead_id)
            return False
        self.ids.add(lead_id)
        return True

    def add(self, ids: Iterable[int]) -> int:
        """Mark these too; returns how many were not marked before."""
        before = len(self.ids)
        self.ids.update(ids)
        return len(self.ids) - before

    def clear(self) -> int:
        """Unmark every lead; returns how many were marked."""
        count = len(self.ids)
        self.ids.clear()
        return count

    def chosen(self, current: int | None) -> list[int]:
        """What a bulk action applies to: the marked leads, else the one under the
        cursor, else none."""
        if self.ids:
            return sorted(self.ids)
        return [current] if current is not None else []


def mark_column(marks: Marks) -> Column:
    """The column that shows a row's mark."""

    def render(row: dict[str, Any]) -> Text:
        return Text(MARK, style="bold") if row["id"] in marks else Text(" ")

    return Column("mark", MARK, 1, render)


def leads_words(count: int) -> str:
    """`1 lead`, `1,204 leads`."""
    return ngettext("{count} lead", "{count} leads", count).format(count=number(count))
