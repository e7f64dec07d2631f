"""The top and bottom lines of every screen: where you are and who you are, and the keys
that work here.

Textual's Header and Footer build a widget per key and per clock digit; on the lead list
they cost a third of the start-up and clip the palette hint at 80 columns. These are one
line each, drawn from the same Binding declarations the help screen reads.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from funnel_tui.core import formats
from funnel_tui.core.i18n import _, ngettext
from funnel_tui.core.output import plain
from funnel_tui.tui.widgets.keymap import in_declared_order

# Shown at the right end whatever else has to give way: they lead to everything else.
PINNED_ACTIONS = ("help", "app.help", "command_palette", "app.command_palette")


class TitleBar(Widget):
    """`funnel › Leads` on the left, the user and the database on the right; under it,
    on a database this user cannot write, a second line saying so and why."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"titlebar--place", "titlebar--who"}

    def on_mount(self) -> None:
        if self._read_only():
            self.styles.height = 2
        self.watch(self.screen, "title", lambda _value: self.refresh(), init=False)
        self.watch(self.app, "sub_title", lambda _value: self.refresh(), init=False)
        if hasattr(self.app, "today_counts"):
            self.watch(self.app, "today_counts", lambda _value: self.refresh(), init=False)
        if hasattr(self.app, "others"):
            self.watch(self.app, "others", lambda _value: self.refresh(), init=False)
        if hasattr(self.app, "database_trouble"):
            self.watch(self.app, "database_trouble", lambda _value: self.refresh(), init=False)

    def _read_only(self) -> str:
        return getattr(self.app, "read_only", "")

    def _read_only_line(self) -> Text:
        """`⊘ Read-only: team.db is on a read-only file system`, cut to the width (the
        whole of it was said when the app started, and is said by each refused write)."""
        line = Text(" ⊘ ", style="bold yellow")
        line.append(_("Read-only: {why}").format(why=plain(self._read_only())), style="bold")
        line.truncate(max(self.size.width, 1), overflow="ellipsis")
        return line

    def _others(self) -> Text:
        """`+bob +carol`: the other users with funnel open on this database."""
        from funnel_tui.live.presence import users_here

        users = users_here(getattr(self.app, "others", ()))
        text = Text()
        for login in users[:3]:
            text.append(f"+{plain(login)} ", style="bold cyan")
        if len(users) > 3:
            more = len(users) - 3
            shown = ngettext("+{count} more", "+{count} more", more)
            text.append(shown.format(count=formats.number(more)) + " ", style="cyan")
        return text

    def _today(self) -> Text:
        """`‼3 ●5 ○120`: the Today queue's overdue, due today and nothing scheduled;
        while the database does not answer, that instead of counts it cannot give."""
        if getattr(self.app, "database_trouble", ""):
            return Text(_("⚠ database away") + " ", style="bold red")
        counts = getattr(self.app, "today_counts", None)
        if not counts:
            return Text()
        text = Text("ctrl+t ", style="dim")
        for glyph, name, style in (
            ("‼", "overdue", "bold red"),
            ("●", "today", "bold yellow"),
            ("○", "unscheduled", ""),
        ):
            text.append(glyph, style=style if counts.get(name) else "dim")
            text.append(f"{formats.number(counts.get(name, 0))} ")
        return text

    def render(self) -> Text:
        place = Text.assemble(
            " ",
            (plain(self.app.title), "bold"),
            " › ",
            plain(_(self.screen.title) if self.screen.title else ""),
            style=self.get_component_rich_style("titlebar--place", partial=True),
        )
        who = Text(plain(self.app.sub_title) + " ")
        who.stylize(self.get_component_rich_style("titlebar--who", partial=True))
        others = self._others()
        if others:
            # Who else is here comes before the user and the database, which give way.
            room = self.size.width - place.cell_len - others.cell_len - 1
            if who.cell_len > room:
                who.truncate(max(room, 0), overflow="ellipsis")
            who = Text.assemble(others, who)
        today = self._today()
        if today and self.size.width - place.cell_len - today.cell_len > 12:
            # The queue's counts come before the database's name, which gives way.
            room = self.size.width - place.cell_len - today.cell_len - 3
            if who.cell_len > room:
                who.truncate(room, overflow="ellipsis")
            who = Text.assemble(today, "  ", who)
        gap = self.size.width - place.cell_len - who.cell_len
        if gap < 1:
            who.truncate(max(0, self.size.width - place.cell_len - 1), overflow="ellipsis")
            gap = 1
        top = Text.assemble(place, " " * gap, who, no_wrap=True, overflow="ellipsis")
        if not self._read_only():
            return top
        return Text.assemble(top, "\n", self._read_only_line(), no_wrap=True, overflow="ellipsis")


class KeyBar(Widget):
    """The keys of the focused widget, the screen and the app, as `key description`
    pairs; what does not fit gives way, except help and the palette, which list all."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyBar > .keybar--disabled {
        text-style: dim;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--disabled"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen) -> None:
        self.refresh()

    def shown_bindings(self) -> list[tuple[Binding, bool]]:
        """One (binding, enabled) per action, in Textual's order: focused widget first."""
        seen: dict[str, tuple[Binding, bool]] = {}
        for active in in_declared_order(self.screen):  # a rebound key keeps its place
            binding = active.binding
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding, active.enabled)
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            seen.setdefault(palette.binding.action, (palette.binding, palette.enabled))
        return list(seen.values())

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        off_style = self.get_component_rich_style("keybar--disabled", partial=True)

        def item(binding: Binding, enabled: bool) -> Text:
            palette = binding.action.endswith("command_palette")
            description = _("palette") if palette else _(binding.description)
            text = Text.assemble(
                (f" {_key_display(self.app.get_key_display(binding))} ", key_style),
                plain(description),
                " ",
            )
            if not enabled:
                text.stylize(off_style)
            return text

        shown = self.shown_bindings()
        pinned = [item(b, e) for b, e in shown if b.action in PINNED_ACTIONS]
        others = [item(b, e) for b, e in shown if b.action not in PINNED_ACTIONS]
        right = Text.assemble(*pinned)
        room = self.size.width - right.cell_len - 1
        left = Text()
        for index, text in enumerate(others):
            more = index < len(others) - 1
            if left.cell_len + text.cell_len + (1 if more else 0) > room:
                left.append("…", style=off_style)
                break
            left.append_text(text)
        gap = max(1, self.size.width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="crop")


def _key_display(shown: str) -> str:
    # Function keys read as printed on the keyboard: F1, not f1.
    if len(shown) > 1 and shown[0] == "f" and shown[1:].isdigit():
        return shown.upper()
    return shown
