"""Handing a record over (ctrl+r), alike on the lead record, the deal record, the lead
list (the current row) and the board (the current card): the team read in a worker, a
user picked (dialogs.user_picker), then rules.assign run through workers.run_write.

The screen using this mixin gives `hand_over_target()` (None: nothing under the
cursor) and shows the outcome with `_hand_over_said(text)`; every screen reloads
through app.data_changed, and the new owner's Today (in their own instance) hears of it
through the history like any change (live.changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding

from funnel_tui.core.errors import StaleEdit
from funnel_tui.core.i18n import _
from funnel_tui.core.output import plain
from funnel_tui.read.team import team_members
from funnel_tui.rules.history_words import record_words
from funnel_tui.tui.filled import filled
from funnel_tui.tui.workers import read_worker, run_write, write_worker

if TYPE_CHECKING:
    from funnel_tui.rules.assign import Handed
    from funnel_tui.tui.dialogs.user_picker import Picked, UserPicker

HAND_OVER_KEY = "ctrl+r"


def hand_over_binding(screen: str) -> Binding:
    """The key of the hand-over on `screen` (its id: `screen.hand_over`, for [keys]):
    named in the help and the palette, left off the key bars, full at 80 columns."""
    key = screen + ".hand_over"  # built apart: an f-string in the call stops extraction
    return Binding(HAND_OVER_KEY, "hand_over", "Hand over…", id=key, show=False)


@dataclass(frozen=True)
class HandOverTarget:
    """The record a screen hands over: the version it showed (None: not checked) and
    its owner's login now."""

    entity: str  # "lead" or "opportunity"
    record_id: int
    name: str
    owner: str
    version: int | None = None

    @property
    def words(self) -> str:
        return record_words(self.entity, self.record_id, self.name)


class HandsOver:
    app: Any

    def hand_over_target(self) -> HandOverTarget | None:
        raise NotImplementedError

    def _hand_over_said(self, text: Text) -> None:
        raise NotImplementedError

    def action_hand_over(self) -> None:
        """The picker opens at once, so a name typed straight after the key goes into
        it; the team fills it when read (enter pressed before waits for it)."""
        target = self.hand_over_target()
        if target is None:
            return
        # The picker's modules load when first asked for, not at every start.
        from funnel_tui.tui.dialogs.user_picker import UserPicker

        title = filled(_("Hand {record} to…"), record=Text(plain(target.words), style="bold"))

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                self._hand_over(target, choice)

        picker = UserPicker(title, target.owner)
        self.app.push_screen(picker, picked)
        self._read_team(picker)

    @read_worker("hand-over-team", exclusive=True)
    def _read_team(self, picker: UserPicker) -> None:
        members = team_members()
        self.app.call_from_thread(picker.set_members, members)

    @write_worker("hand-over")
    def _hand_over(self, target: HandOverTarget, choice: Picked) -> None:
        run_write(
            self.app,
            lambda rules: rules.assign(
                target.entity,
                target.record_id,
                choice.login,
                expected_version=target.version,
                new_ok={choice.login} if choice.new else (),
            ),
            done=lambda handed: self._handed(target, handed),
            refused=lambda exc: self._said_and_reload(
                Text("✘ " + "; ".join(p.message for p in exc.problems), style="red")
            ),
            stale=lambda exc: self._said_and_reload(_stale_text(target, exc)),
            failed=lambda reason: self._hand_over_said(
                Text(_("✘ Nothing changed: {reason}.").format(reason=reason), style="red")
            ),
            retry=lambda: self._hand_over(target, choice),
        )

    def _handed(self, target: HandOverTarget, handed: Handed) -> None:
        login = plain(handed.to[0])
        record = plain(target.words)
        if not handed.moved:
            said = _("{record} is already {login}'s: nothing changed.")
            text = Text(said.format(record=record, login=login))
        else:
            if handed.created:
                said = _(
                    "✔ Handed {record} to {login}; new user {login} was made. ctrl+z takes it back."
                )
            else:
                said = _("✔ Handed {record} to {login}. ctrl+z takes it back.")
            text = Text(said.format(record=record, login=login), style="green")
        self._said_and_reload(text)

    def _said_and_reload(self, text: Text) -> None:
        self._hand_over_said(text)
        self.app.data_changed()


def _stale_text(target: HandOverTarget, exc: StaleEdit) -> Text:
    owners = [c for c in exc.changes if c["field"] == "owner"] or exc.changes
    last = owners[-1] if owners else None
    record = plain(target.words)
    if last:
        said = _(
            "✘ {record} changed hands meanwhile ({user} gave it to {owner}): nothing changed. "
            "Shown as it is now."
        ).format(record=record, user=plain(last["user"]), owner=plain(last["new"] or ""))
    else:
        said = _("✘ {record} changed hands meanwhile: nothing changed. Shown as it is now.")
        said = said.format(record=record)
    return Text(said, style="red")
