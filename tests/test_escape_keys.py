"""An escape with a key after it in one read is the two keys, in order: typed ahead
over SSH, Esc-then-n arrives as ESC n, which is also how a terminal sends alt+n
(tui/terminal_input.py). The escape sequences of real keys, the editing chords and the
alt keys a rep binds in [keys] stay what they are."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from funnel_tui.tui.terminal_input import PasteSafeParser, alt_keys_bound


def keys(data: str, alt_keys: frozenset[str] = frozenset()) -> list[str]:
    """The keys the parser reads from `data` arriving in one read."""
    parser = PasteSafeParser(alt_keys=alt_keys)
    found = list(parser.feed(data))
    time.sleep(0.15)  # past the escape delay: a lone ESC is the escape key
    found += parser.tick()
    return [event.key for event in found]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("\x1bn", ["escape", "n"]),  # was alt+n: the n typed into the field left
        ("\x1b\x0e", ["escape", "ctrl+n"]),  # was ctrl+n alone
        ("\x1b\t", ["escape", "tab"]),  # was shift+tab
        ("\x1b\r", ["escape", "enter"]),  # was enter alone
        ("\x1b1", ["escape", "1"]),  # was "¡"
        ("\x1b/", ["escape", "slash"]),
        ("\x1b中", ["escape", "中"]),
        ("ab\x1bjk", ["a", "b", "escape", "j", "k"]),
        ("\x1b\x1bq", ["escape", "escape", "q"]),
    ],
)
def test_an_escape_and_the_key_after_it_are_two_keys_in_order(typed, read):
    assert keys(typed) == read


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("\x1b", ["escape"]),
        ("\x1b[A", ["up"]),
        ("\x1bOP", ["f1"]),
        ("\x1b[1;3D", ["alt+left"]),
        ("\x1b[Z", ["shift+tab"]),
        ("\x1b\x7f", ["ctrl+w"]),  # alt+backspace: delete a word
        ("\x1bb", ["ctrl+left"]),  # option+left on a Mac: a word back
        ("\x1bf", ["ctrl+right"]),
    ],
)
def test_the_sequences_of_real_keys_and_the_editing_chords_stay(sent, read):
    assert keys(sent) == read


def test_an_alt_key_bound_in_the_keymap_stays_that_key():
    # What the driver reads of the app: its keymap, as App.set_keymap holds it.
    app = SimpleNamespace(_keymap={"go.today": "alt+t, f9", "leads.search": "slash"})
    bound = alt_keys_bound(app)
    assert bound == {"alt+t"}
    assert keys("\x1bt", bound) == ["alt+t"]
    assert keys("\x1bn", bound) == ["escape", "n"]
