"""`also here: bob viewing, carol editing ✎`: who else has this record open."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from funnel_tui.core.i18n import _
from funnel_tui.core.output import plain
from funnel_tui.live.presence import on_record
from funnel_tui.rules.history_words import say


class HereLine(Static):
    """Follows the app's `others` (presence.Seen of the other instances) for one
    record; hidden while nobody else shows it."""

    DEFAULT_CSS = """
    HereLine { height: auto; padding: 0 1; display: none; }
    """

    def __init__(self, entity: str, entity_id: int) -> None:
        super().__init__("")
        self.entity, self.entity_id = entity, entity_id

    def on_mount(self) -> None:
        self.watch(self.app, "others", self._others)

    def follow(self, entity_id: int) -> None:
        """Show who else has another record of the same kind open (a screen that
        serves record after record)."""
        self.entity_id = entity_id
        if self.is_mounted:
            self._others(self.app.others)

    def _others(self, others: tuple) -> None:
        seen = on_record(others, self.entity, self.entity_id)
        self.display = bool(seen)
        text = Text(_("also here: "), style="dim")
        for index, other in enumerate(seen):
            text.append(say("list") if index else "")  # `, ` (`、` in Chinese)
            text.append(plain(other.login), style="bold")
            text.append(" " + (_("(editing ✎)") if other.editing else _("(viewing)")), style="dim")
        self.update(text)
