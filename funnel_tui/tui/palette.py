"""The command palette finds records too: any lead by its name, company, email or phone
(the lead list's search), any deal by its name, any company by its name; choosing one
opens it. The database is read in a thread, so typing in the palette never waits on
it, and names are shown as typed, never read as markup (Textual's own highlighting and
help line would parse them)."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import Hit, Hits, Provider
from textual.markup import escape

from funnel_tui.core.output import plain
from funnel_tui.read.connection import connected, database_failure

MIN_QUERY = 2  # characters before the database is asked
PER_KIND = 6  # leads, then deals, offered at most


def _find(text: str, region: str = "") -> tuple[list[dict], list, list]:
    from funnel_tui.read.companies import companies_named
    from funnel_tui.read.pipeline import deals_named
    from funnel_tui.read.search import LeadQuery, lead_page

    with connected():
        leads = lead_page(LeadQuery(text=text, region=region), 0, PER_KIND)
        deals = deals_named(text, PER_KIND)
        companies = companies_named(text, PER_KIND)
    return leads, deals, companies


class RecordsProvider(Provider):
    """Leads, deals and companies by name, for ctrl+p."""

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if len(text) < MIN_QUERY:
            return
        try:
            region = self.app.config.default_region
            leads, deals, companies = await asyncio.to_thread(_find, text, region)
        except Exception as exc:
            if database_failure(exc) is None:
                raise  # a bug, as anywhere else (workers.py)
            return  # the database is away: the palette still finds commands
        app = self.app
        for rank, lead in enumerate(leads):
            shown = Text.assemble(("Lead  ", "dim"), plain(lead["name"]))
            if lead["company"]:
                shown.append(f" · {plain(lead['company'])}", style="dim")
            yield Hit(
                0.9 - rank / 100,
                shown,
                partial(app.open_lead, lead["id"]),
                text=f"Lead {plain(lead['name'])}",
                help=escape(f"#{lead['id']} · {lead['status']} · {plain(lead['owner'])}"),
            )
        for rank, card in enumerate(deals):
            shown = Text.assemble(("Deal  ", "dim"), plain(card.name))
            yield Hit(
                0.8 - rank / 100,
                shown,
                partial(app.open_opportunity, card.id),
                text=f"Deal {plain(card.name)}",
                help=escape(f"#{card.id} · {card.state} · {card.stage} · {plain(card.owner)}"),
            )
        for rank, (company_id, name, customer) in enumerate(companies):
            shown = Text.assemble(("Company  ", "dim"), plain(name))
            yield Hit(
                0.7 - rank / 100,
                shown,
                partial(app.open_company, company_id),
                text=f"Company {plain(name)}",
                help=escape(f"#{company_id} · {'customer' if customer else 'prospect'}"),
            )
