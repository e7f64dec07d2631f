"""Reading the terminal safely: a paste is text, and a stray byte is not a crash.

Textual's xterm parser follows an ESC inside a bracketed paste as if it began an escape
sequence, and sends what follows as key presses: a pasted address book entry holding an
escape code could press ctrl+q or answer a dialog. Its input thread also decodes UTF-8
strictly, so one invalid byte (a terminal set to Latin-1, line noise over SSH) killed
the app. Here the paste is cut out of the stream before the parser sees it, between the
terminal's own markers, and undecodable bytes become U+FFFD.

An escape with a key after it in the same read is two keys. A terminal sends alt+n as
ESC n, so the parser read Esc-then-n typed ahead over SSH (one packet) as alt+n: the
escape was lost, and the n typed itself into the field the Esc was meant to leave
(Esc then ctrl+n became ctrl+n on the form, Esc then tab became shift+tab, Esc then
1 became "¡"). funnel binds no alt keys, so the keys go on in order; an alt key the
rep binds in funnel.toml's [keys] stays that key. The chords terminals send for
editing stay too: alt+backspace deletes a word, option+arrows on a Mac (ESC b, ESC f)
move by words.
"""

from __future__ import annotations

import os
import selectors
import time
from codecs import getincrementaldecoder
from collections.abc import Iterable

from textual import constants, events
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message


def _partial_suffix(text: str, marker: str) -> int:
    """How many characters at the end of `text` could begin `marker` (0 if none)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0


# ESC and one character that a terminal sends for an editing chord (module docstring).
EDITING_CHORDS = frozenset({"\x1b\x7f", "\x1bb", "\x1bf"})
# What may follow ESC in a longer sequence (CSI, SS3), or is itself an escape.
SEQUENCE_STARTS = frozenset("[O\x1b")


class PasteSafeParser(XTermParser):
    """An XTermParser that never parses the inside of a bracketed paste: the text
    between the paste markers becomes one Paste event, whatever it contains. An
    escape followed by a key is the two keys, in order (module docstring)."""

    def __init__(self, debug: bool = False, alt_keys: frozenset[str] = frozenset()) -> None:
        super().__init__(debug)
        self._alt_keys = alt_keys  # the alt keys bound in [keys]: ESC and a key is one
        self._pasting = False
        self._pasted: list[str] = []
        self._held = ""  # the start of a marker cut by a read's end
        self._held_since = 0.0

    def feed(self, data: str) -> Iterable[Message]:
        found: list[Message] = []
        text, self._held = self._held + data, ""
        while text:
            marker = BRACKETED_PASTE_END if self._pasting else BRACKETED_PASTE_START
            at = text.find(marker)
            if at < 0:
                # Hold back what may be the start of a marker cut by the read; a lone
                # ESC goes on (it is the escape key, and the parser times it itself).
                keep = _partial_suffix(text, marker)
                if keep == 1 and not self._pasting:
                    keep = 0
                if keep:
                    self._held, self._held_since = text[-keep:], time.monotonic()
                    text = text[:-keep]
                self._take(text, found)
                break
            self._take(text[:at], found)
            text = text[at + len(marker) :]
            if self._pasting:
                found.append(events.Paste("".join(self._pasted).replace("\x00", "")))
                self._pasted.clear()
            self._pasting = not self._pasting
        return found

    def _take(self, text: str, found: list[Message]) -> None:
        if not text:
            return
        if self._pasting:
            self._pasted.append(text)
        else:
            found.extend(super().feed(text))

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if (
            len(sequence) == 2
            and sequence[0] == "\x1b"
            and sequence[1] not in SEQUENCE_STARTS
            and sequence not in EDITING_CHORDS
        ):
            chord = list(super()._sequence_to_key_events(sequence[1], alt=True))
            if any(key.key in self._alt_keys for key in chord):
                yield from chord
                return
            yield events.Key("escape", "\x1b")
            yield from super()._sequence_to_key_events(sequence[1], alt)
            return
        yield from super()._sequence_to_key_events(sequence, alt)

    def tick(self) -> Iterable[Message]:
        found = list(super().tick())
        if self._held and time.monotonic() - self._held_since > constants.ESCAPE_DELAY:
            # Not a marker after all (alt+[ and the like): on to the parser.
            held, self._held = self._held, ""
            self._take(held, found)
        return found


def alt_keys_bound(app) -> frozenset[str]:
    """The alt keys the rep's [keys] binds ("alt+n"), as the app's keymap holds them."""
    keymap: dict[str, str] = getattr(app, "_keymap", {}) or {}
    keys = (key.strip() for keys in keymap.values() for key in keys.split(","))
    return frozenset(key for key in keys if key.startswith("alt+"))


class SafeInputDriver(LinuxDriver):
    """Textual's Linux/macOS driver, reading with PasteSafeParser and a UTF-8 decoder
    that replaces what it cannot decode."""

    def run_input_thread(self) -> None:
        # The loop is Textual's own (textual/drivers/linux_driver.py), with the two
        # differences above.
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = PasteSafeParser(self._debug, alt_keys_bound(self._app))
        decode = getincrementaldecoder("utf-8")(errors="replace").decode

        def process(selected, final: bool = False) -> None:
            for last, (_key, mask) in loop_last(selected):
                if mask & selectors.EVENT_READ:
                    text = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not text:
                        break
                    for event in parser.feed(text):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(0.1))
            selector.unregister(self.fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
