"""An Input that keeps everything pasted into it."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input

from funnel_tui.core.validators import clean_text


class TextInput(Input):
    """Textual's Input keeps only the first line of a paste; a rep pasting an address
    block or a signature would silently lose the rest. Lines and tabs become spaces and
    control characters are dropped, as the rules layer stores them anyway.

    A value read from the database may hold control characters (anyone who can write
    the file can put them there): they are drawn as their control pictures (ESC as ␛),
    one cell each so the cursor stays in step, and never reach the terminal.

    The cursor does not blink: over SSH each blink is a repaint sent twice a second to an
    idle terminal.

    A new value does not lay the screen out again: Textual's Input sets its virtual size
    to its content width at every change, and every layout sets it back to its region's,
    so each key typed, and each field a saved form clears, laid out the whole screen (a
    list of 18 rows, a capture form of 30 widgets) before the next frame."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
        self.cursor_blink = False

    @property
    def _value(self) -> Text:
        text = super()._value
        if not text.plain.isprintable():
            text = Text(
                text.plain.translate(_CONTROL_PICTURES), no_wrap=True, overflow="ignore", end=""
            )
        return text

    def _watch_value(self, value: str) -> None:
        # The size Input's watcher is about to set, set first without a layout: the
        # watcher then finds it unchanged (it still scrolls, posts Changed, validates).
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            text = clean_text(event.text, "name")
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
        event.stop()
        event.prevent_default()  # Input's own handler would paste the first line again


# C0 controls and DEL as their Unicode control pictures (U+2400…); C1 controls as "�".
_CONTROL_PICTURES = {
    **{code: 0x2400 + code for code in range(0x20)},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
}
