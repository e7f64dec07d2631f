"""One line of choices, each picked by one key: `call  email  meeting …` with the key
letter marked. Picking one moves on to the next field, so a call's outcome is two keys
away (open the form, press r for reached), not a list to scroll."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


def hotkeys(labels: list[str]) -> list[str]:
    """A distinct letter for each label: a word's first letter where free, else the
    first free letter in it. ASCII letters only, as every keyboard types them without a
    compose key or an input method: a Chinese label has none, so no key ("" — the
    caller puts the English key before it, `c 電話`: log_activity.keyed)."""
    taken: set[str] = set()
    keys = []
    for label in labels:
        words = label.casefold().split()
        letters = [c for c in label.casefold() if c.isascii() and c.isalpha()]
        candidates = [w[0] for w in words if w[0] in letters] + letters
        key = next((c for c in candidates if c not in taken), "")
        taken.add(key)
        keys.append(key)
    return keys


class ChoiceRow(Widget, can_focus=True):
    DEFAULT_CSS = """
    ChoiceRow { height: 1; width: 1fr; }
    ChoiceRow > .choice-row--chosen { text-style: bold reverse; }
    ChoiceRow:focus > .choice-row--chosen { background: $accent; color: $text; }
    ChoiceRow > .choice-row--key { text-style: bold underline; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice-row--chosen", "choice-row--key"}
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("left", "step(-1)", "Previous choice", show=False, id="choice_row.previous"),
        Binding("right,space", "step(1)", "Next choice", show=False, id="choice_row.next"),
    ]

    chosen: reactive[int] = reactive(0)

    class Picked(Message):
        """A choice was made by its key (the form moves on) or by the arrows (not)."""

        def __init__(self, row: ChoiceRow, value: str, by_key: bool) -> None:
            super().__init__()
            self.row, self.value, self.by_key = row, value, by_key

        @property
        def control(self) -> ChoiceRow:
            return self.row

    def __init__(self, choices: list[tuple[str, str]], value: str = "", **kwargs: object) -> None:
        """`choices`: (value, label) pairs."""
        super().__init__(**kwargs)
        self.set_choices(choices, value)

    def set_choices(self, choices: list[tuple[str, str]], value: str = "") -> None:
        self.choices = choices
        self.keys = hotkeys([label for _, label in choices])
        values = [v for v, _ in choices]
        self.set_reactive(ChoiceRow.chosen, values.index(value) if value in values else 0)
        self.refresh()

    @property
    def value(self) -> str:
        return self.choices[self.chosen][0] if self.choices else ""

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        key_style = self.get_component_rich_style("choice-row--key", partial=True)
        chosen_style = self.get_component_rich_style("choice-row--chosen", partial=True)
        for index, ((_, label), key) in enumerate(zip(self.choices, self.keys, strict=True)):
            part = Text(f" {label} ")
            at = label.casefold().find(key) if key else -1
            if at >= 0:
                part.stylize(key_style, at + 1, at + 2)
            if index == self.chosen:
                part.stylize(chosen_style)
            text.append_text(part)
            text.append(" ")
        return text

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").casefold()
        if char and char in self.keys:
            event.stop()
            event.prevent_default()
            self.chosen = self.keys.index(char)
            self.post_message(self.Picked(self, self.value, by_key=True))

    def action_step(self, delta: int) -> None:
        if self.choices:
            self.chosen = (self.chosen + delta) % len(self.choices)
            self.post_message(self.Picked(self, self.value, by_key=False))
