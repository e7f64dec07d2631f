"""Every currency of every column: what the board's headers shorten to fit."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from funnel_tui.config import Config
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.labels import shown_name
from funnel_tui.core.money import exact_money
from funnel_tui.core.output import plain
from funnel_tui.read.pipeline import StageTotals, convert
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS
from funnel_tui.tui.widgets.scroll_keys import KeyedScroll


class TotalsDialog(ModalScreen[None]):
    TITLE = N_("Totals")
    DEFAULT_CSS = DIALOG_CSS.format(name="TotalsDialog").replace("width: 70;", "width: 90;") + (
        "TotalsDialog KeyedScroll { height: auto; max-height: 18; }"
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,q,dollar_sign", "dismiss", "Close", id="totals.close"),
    ]

    def __init__(self, totals: list[StageTotals], config: Config, filters: str) -> None:
        super().__init__()
        self.totals, self.config, self.filters = totals, config, filters

    def compose(self) -> ComposeResult:
        table = Table(box=None, pad_edge=False, expand=True)
        for title, justify in (
            (_("Stage"), "left"),
            (_("Deals"), "right"),
            (_("Amount"), "right"),
            (_("Weighted"), "right"),
        ):
            table.add_column(title, justify=justify, no_wrap=True)
        for totals in self.totals:
            weighted = totals.weighted
            first = True
            for currency, cents in totals.amounts.items() or [("", 0)]:
                table.add_row(
                    Text(plain(shown_name(totals.stage)) if first else "", style="bold"),
                    number(totals.count) if first else "",
                    exact_money(cents, currency) if currency else "—",
                    exact_money(weighted[currency], currency) if currency else "",
                )
                first = False
            converted = convert(self.config, totals.amounts)
            if converted is not None and converted.total is not None and len(totals.amounts) > 1:
                wconv = convert(self.config, weighted)
                table.add_row(
                    "",
                    "",
                    Text(f"≈ {exact_money(converted.total, converted.currency)}", style="dim"),
                    Text(f"≈ {exact_money(wconv.total or 0, converted.currency)}", style="dim"),
                )
        note = _(
            "Each currency is summed on its own; amounts in different currencies are not added."
        )
        if self.config.report_currency:
            note = _(
                "≈ rows convert to {currency} at the rates in funnel.toml; "
                "currencies without a rate are left out of them."
            ).format(currency=self.config.report_currency)
        with Vertical():
            title = _("Totals per currency") + (f" · {self.filters}" if self.filters else "")
            yield Label(Text(title), classes="title")
            with KeyedScroll():
                yield Static(table)
            yield Static(Text(note, style="dim"))
            yield Static(Text(_("esc close")), classes="keys")
