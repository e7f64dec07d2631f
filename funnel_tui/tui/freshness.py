"""No screen shows a fact older than the database once it is shown.

Every write (this instance's, or another's heard by the change watcher) reaches the
screens on the terminal at once: the top one and those visible under a dialog. A screen
out of sight (under another screen, in another mode) notes what it missed, and reloads
the moment it is shown again, whatever brought it back (a key, a pop, a mode switch).
Before, only the top screen heard: a deal's screen came back reading its old stage, and
a lead under its checklist kept its old score and version (its next save was refused as
a clash with oneself)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from textual.app import App
from textual.screen import Screen

from funnel_tui.live.changes import Changes
from funnel_tui.tui.contracts import Refreshable

EVERYTHING = Changes(everything=True)


def merged(first: Changes | None, second: Changes) -> Changes:
    """What a hidden screen missed, from two batches of changes."""
    if first is None:
        return second
    return first.merged_with(second)


class KeepsScreensFresh(App):
    """An App whose screens offering `refresh_data(changes)` show what the database
    holds: at once when visible, on being shown again when not (module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._missed: WeakKeyDictionary[Screen, Changes] = WeakKeyDictionary()

    def refresh_screens(self, changes: Changes | None) -> None:
        """Data changed (`changes` None: this instance wrote; anything may differ)."""
        visible = self.visible_screens()
        for screen in self.every_screen():
            if not isinstance(screen, Refreshable):
                continue
            if screen in visible:
                screen.refresh_data(changes)
            else:
                self._missed[screen] = merged(self._missed.get(screen), changes or EVERYTHING)

    def refresh_shown(self) -> None:
        """The screens on the terminal changed: those that missed changes reload."""
        for screen in self.visible_screens():
            missed = self._missed.pop(screen, None)
            if missed is not None and isinstance(screen, Refreshable):
                screen.refresh_data(missed)

    def visible_screens(self) -> list[Screen]:
        """The top screen and those showing around the dialogs above them."""
        shown = []
        for screen in reversed(self.screen_stack):
            shown.append(screen)
            if not screen.is_modal:
                break
        return shown

    def every_screen(self) -> list[Screen]:
        """The screens of every mode's stack and those installed (made, not named)."""
        found = [screen for stack in self._screen_stacks.values() for screen in stack]
        found += [s for s in self._installed_screens.values() if isinstance(s, Screen)]
        return list(dict.fromkeys(found))
