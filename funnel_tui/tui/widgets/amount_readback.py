"""The line under an amount field that says, as the rep types, what will be saved: the
amount in their own format with its currency (`= EUR 1.250,50`), or why it would be
refused (`'1,250' could be 1250 or 1,25`), or, empty, how to write one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widgets import Static

from funnel_tui.core.errors import AmountError
from funnel_tui.core.i18n import _
from funnel_tui.core.money import example_amount, read_back, warm


class AmountReadBack(Static):
    DEFAULT_CSS = """
    AmountReadBack { padding-left: 10; height: 1; color: $text-muted; }
    """

    def show(self, typed: str, currency: str, locale: str, ceiling: int) -> bool:
        """Show what `typed` reads as; whether it would be saved."""
        try:
            saved = read_back(typed, currency, locale, ceiling)
        except AmountError as exc:
            self.update(Text(f"✘ {exc.message}", style="yellow"))
            return False
        if not saved:
            example = example_amount(currency, locale)
            self.update(Text(_("as you write numbers, e.g. {example}").format(example=example)))
            return False
        self.update(Text.assemble("= ", (saved, "bold")))
        return True


def warm_then(screen: Any, then: Callable[[], None]) -> None:
    """Load Babel's number data for the user's locale in a thread (the first time, about
    30 ms), then call `then` on the UI thread: the form opens and takes keys at once."""

    def load() -> None:
        warm(screen.app.rules.locale)
        screen.app.call_from_thread(then)

    screen.run_worker(load, thread=True, group="amount-warm")
