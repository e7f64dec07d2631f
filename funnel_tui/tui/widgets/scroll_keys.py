"""A table and a scrolling text that move with the keys their help names: Down/Up,
PageDown/PageUp, Home/End (and j/k, ctrl+f/ctrl+b, g/G as the lead list has them), and a
list of choices that does the same with the arrows, pages and Home/End.

Textual's DataTable moves sideways on Home/End in a table of rows, and its keys are not
in the help (F1 lists what this app declares): a list of refused rows at 80×24 seemed
not to scroll. Declared here, the keys do what they say and F1 names them.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, OptionList


class KeyedTable(DataTable):
    """A DataTable of rows: Home/End go to the first/last row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.pagedown"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.pageup"),
        Binding("home,g", "scroll_top", "First", show=False, id="list.first"),
        Binding("end,G", "scroll_bottom", "Last", show=False, id="list.last"),
    ]


class KeyedScroll(VerticalScroll, can_focus=True):
    """Text longer than the screen, read with the keys of a list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll_down", "Down", show=False, id="scroll.down"),
        Binding("up,k", "scroll_up", "Up", show=False, id="scroll.up"),
        Binding(
            "pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="scroll.pagedown"
        ),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="scroll.pageup"),
        Binding("home,g", "scroll_home", "Top", show=False, id="scroll.first"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="scroll.last"),
    ]


class KeyedOptions(OptionList):
    """A list of choices: its keys declared so F1 names them. No letters: a dialog's
    letters pick (the sort dialog jumps to the choice that starts with one)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False, id="options.down"),
        Binding("up", "cursor_up", "Up", show=False, id="options.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="options.pagedown"),
        Binding("pageup", "page_up", "Page up", show=False, id="options.pageup"),
        Binding("home", "first", "First", show=False, id="options.first"),
        Binding("end", "last", "Last", show=False, id="options.last"),
    ]
