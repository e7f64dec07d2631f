"""Erasure on request from a lead's record (shift+delete): the question with the name typed to
confirm, then the erasure in a worker (rules.erasure), the rep's drafts of the record
dropped, and the older backups that still hold the person named in the message."""

from __future__ import annotations

from typing import Any

from funnel_tui.core.i18n import _, ngettext
from funnel_tui.core.vocab import OPP_OPEN
from funnel_tui.live.erasure import copies_before, drop_drafts
from funnel_tui.tui.dialogs.erase_dialog import EraseDialog


class ErasesOnRequest:
    """For the lead screen, beside LeadStatusActions (whose _write runs the erasure)."""

    lead_id: int
    record: dict[str, Any] | None
    deals: list[Any]
    app: Any
    _write: Any  # LeadStatusActions': a write in a worker, its outcome in the message line

    def action_erase(self) -> None:
        if self.record is None:
            return  # not loaded yet
        lead = self.record["lead"]
        open_deals = sum(1 for deal in self.deals if deal.state == OPP_OPEN)

        def typed(name: str | None) -> None:
            if name:
                self._write(lambda rules: self._erase(rules, name), _erased_words)

        self.app.push_screen(EraseDialog(lead.id, lead.name, open_deals), typed)

    def _erase(self, rules: Any, name: str) -> tuple[Any, int]:
        # The dialog said what happens to open deals and the rep typed the name.
        erased = rules.erase_lead(self.lead_id, confirm=name, with_deals=True)
        drop_drafts(self.app.drafts, erased.lead_ids)
        return erased, len(copies_before(self.app.target, erased.at))


def _erased_words(result: tuple[Any, int]) -> str:
    erased, copies = result
    said = erased.summary()
    if copies:
        said += " " + ngettext(
            "A backup made before still holds the data: `funnel backup --prune-before` removes it.",
            "{count} backups made before still hold the data: `funnel backup "
            "--prune-before` removes them.",
            copies,
        ).format(count=copies)
    if not erased.log_cleared:
        said += " " + _("SQLite's log may hold the old values until the others close funnel.")
    return said
