"""An Input that keeps everything pasted into it."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from ..validators import clean_text


class TextInput(Input):
    """Textual's Input keeps only the first line of a paste; a rep pasting an address
    block or a signature would silently lose the rest. Lines and tabs become spaces and
    control characters are dropped, as the rules layer stores them anyway.

    The cursor does not blink: over SSH each blink is a repaint sent twice a second to an
    idle terminal."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
        self.cursor_blink = False

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            text = clean_text(event.text, "name")
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
        event.stop()
        event.prevent_default()  # Input's own handler would paste the first line again
