"""Forms whose text survives a killed terminal: what is typed is written to the user's
drafts (drafts.DraftStore, mode 0600) when typing pauses, and when the app stops on an
error; the form takes it back when it is opened again on the same record, and the next
start offers every draft left (app._offer_drafts). A form that saved, or that the rep
cancelled, drops its draft.

A screen using this mixin names its draft (`draft_key`, None for no draft), says what
it holds in words (`draft_label`), gives its values (`draft_values`) and takes them back
(`apply_draft`); it calls `draft_typed()` when a value changes."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from funnel_tui.core.full_disk import full_words, is_full
from funnel_tui.core.i18n import _
from funnel_tui.live.drafts import LABEL

DRAFT_DELAY = 0.4  # seconds of quiet typing before the draft is written


class KeepsDraft:
    app: Any
    _draft_timer: Any = None
    _draft_off = False  # while the form fills itself (a draft, a reload): not typing

    # What each form says about itself.
    def draft_key(self) -> str | None:
        raise NotImplementedError

    def draft_label(self) -> str:
        raise NotImplementedError

    def draft_values(self) -> dict[str, str]:
        raise NotImplementedError

    def apply_draft(self, values: dict[str, str]) -> None:
        raise NotImplementedError

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        """Whether these values hold anything typed (not only the form's defaults)."""
        return any(str(v).strip() for v in values.values())

    # ------------------------------------------------------------------ keeping

    def draft_typed(self) -> None:
        """A value changed: write the draft once typing pauses (no disk write per key)."""
        if self._draft_off:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.keep_draft)  # type: ignore[attr-defined]

    def keep_draft(self) -> None:
        """Write the draft now (typing paused, the form left, or the app stopping)."""
        self._draft_timer = None
        key = self.draft_key()
        if key is None:
            return
        values = self.draft_values()
        if not self.draft_worth_keeping(values):
            self.app.drafts.discard(key)
            return
        try:
            self.app.drafts.save(key, {**values, LABEL: self.draft_label()})
        except OSError as exc:
            reason = full_words(self.app.drafts.folder) if is_full(exc) else exc
            self.app.notify(
                Text(_("Could not keep a draft of what you type: {reason}").format(reason=reason)),
                severity="warning",
                markup=False,
            )

    def drop_draft(self) -> None:
        """The form saved or was cancelled: its draft goes."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        key = self.draft_key()
        if key is not None:
            self.app.drafts.discard(key)

    def take_draft(self) -> bool:
        """Fill the form from its draft, if one was left; returns whether one was."""
        key = self.draft_key()
        values = self.app.drafts.load(key) if key is not None else None
        if not values:
            return False
        values.pop(LABEL, None)
        self._draft_off = True
        try:
            self.apply_draft(values)
        finally:
            self._draft_off = False
        return True
