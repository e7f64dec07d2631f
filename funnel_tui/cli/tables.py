"""The tables commands print for people (`--format table/text`), headed in the rep's
language. A column's key stays what it is (the CSV and JSON use it); only the heading
a person reads changes, and in English it is the key itself, as it always was."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from funnel_tui.core.i18n import ENGLISH, current_language, pgettext


def headings() -> dict[str, str]:
    """Every column key of the command line's tables → its heading in this language."""
    return {
        "id": pgettext("column", "id"),
        "name": pgettext("column", "name"),
        "company": pgettext("column", "company"),
        "phone": pgettext("column", "phone"),
        "email": pgettext("column", "email"),
        "status": pgettext("column", "status"),
        "level": pgettext("column", "level"),
        "owner": pgettext("column", "owner"),
        "score": pgettext("column", "score"),
        "engagement": pgettext("column", "engagement"),
        "industry": pgettext("column", "industry"),
        "country": pgettext("column", "country"),
        "website": pgettext("column", "website"),
        "people": pgettext("column", "people"),
        "customer": pgettext("column", "customer"),
        "open_pipeline": pgettext("column", "open_pipeline"),
        "won": pgettext("column", "won"),
        "last_activity": pgettext("column", "last_activity"),
        "due": pgettext("column", "due"),
        "state": pgettext("column", "state"),
        "next action": pgettext("column", "next action"),
        "last": pgettext("column", "last"),
        "when": pgettext("column", "when"),
        "user": pgettext("column", "user"),
        "record": pgettext("column", "record"),
        "change": pgettext("column", "change"),
        "table": pgettext("column", "table"),
        "source": pgettext("column", "source"),
        "target": pgettext("column", "target"),
        "column": pgettext("column", "column"),
        "→ field": pgettext("column", "→ field"),
        "first row": pgettext("column", "first row"),
        "taken": pgettext("column", "taken"),
        "size": pgettext("column", "size"),
        "leads": pgettext("column", "leads"),
        "file": pgettext("column", "file"),
    }


def headed(columns: Sequence[str]) -> list[str]:
    """The headings of `columns`, in order (a key without one heads itself)."""
    if current_language() == ENGLISH:
        return list(columns)
    known = headings()
    return [known.get(column, column) for column in columns]


def write_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO, max_width: int = 40
) -> None:
    """output.write_table, each column headed in the rep's language."""
    from funnel_tui.core import output

    names = headed(columns)
    if names != list(columns):
        rows = [{name: row.get(c) for name, c in zip(names, columns, strict=True)} for row in rows]
    output.write_table(rows, names, out, max_width)
