"""Forms mark the row whose field has the cursor, so the highlighted label is always the
one that receives the keys. Textual's `:focus-within` missed a focus moved while a
modal form was mounting (the log form opened from Today lit Type, keys went to
Outcome); the form sets the class itself, from the focus it is told of."""

from __future__ import annotations

from textual import events
from textual.widget import Widget

CURRENT = "-current"


class MarksCurrentRow:
    """A screen mixin: the `.row` holding the focused widget gets class `-current`
    (style it as `.row.-current .label`)."""

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.mark_current_row(event.widget)

    def mark_current_row(self, widget: Widget | None) -> None:
        chain = widget.ancestors_with_self if widget is not None else []
        row = next((node for node in chain if node.has_class("row")), None)
        for other in self.query(f".row.{CURRENT}"):  # type: ignore[attr-defined]
            if other is not row:
                other.remove_class(CURRENT)
        if row is not None:
            row.add_class(CURRENT)
