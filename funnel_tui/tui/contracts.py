"""What the app may ask of a screen beyond Textual's own: each a Protocol, so the app
asks with `isinstance` and a screen takes part by having the method, no base class.

Screens differ in what they can do (a record says which one it shows; a form keeps a
draft; the list reloads); the app asks only those that can, by these names.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from funnel_tui.live.changes import Changes


@runtime_checkable
class Refreshable(Protocol):
    """Shows data the database holds and reloads it when something was written
    (freshness.KeepsScreensFresh): at once when visible, on being shown when not."""

    def refresh_data(self, changes: Changes | None = None) -> None: ...


@runtime_checkable
class ShowsRecord(Protocol):
    """Shows one record, which the other instances hear of (live.presence)."""

    def showing(self) -> tuple[str, int, bool]:
        """(kind, id, editing), e.g. ("lead", 12, True)."""
        ...


@runtime_checkable
class KeepsDrafts(Protocol):
    """Holds a half-typed form, written to disk when the screen is left or the app
    stops (form_draft.KeepsDraft)."""

    def keep_draft(self) -> None: ...


@runtime_checkable
class Fillable(Protocol):
    """A form that takes values back from a draft (the capture form)."""

    def fill(self, values: dict[str, str]) -> None: ...


@runtime_checkable
class CountsToday(Protocol):
    """Keeps the top line's Today counts itself (the Today screen), so a write need not
    count them again."""

    counts_today: bool
