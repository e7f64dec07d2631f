"""Pick the user a record is handed to: type to filter the team by login or name, ↑ ↓
to choose, enter to hand over. A name nobody has is offered as a new user, added only
once confirmed (and, when it is one slip from a user's name, with that user suggested:
rules.assign.resolve_user's rule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.errors import FunnelError, Refused
from funnel_tui.core.folding import fold
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.read.team import Member
from funnel_tui.rules.assign import closest_login, resolve_user
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS, ConfirmDialog
from funnel_tui.tui.widgets.scroll_keys import KeyedOptions
from funnel_tui.tui.widgets.text_input import TextInput

_NEW = "+new"


@dataclass(frozen=True)
class Picked:
    """The user chosen: `new` when they never used funnel (confirmed to be added)."""

    login: str
    new: bool = False


class UserPicker(ModalScreen[Picked | None]):
    TITLE = N_("Hand over")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="UserPicker")
        + """
    UserPicker #people { height: auto; max-height: 12; }
    UserPicker #who { margin: 1 0 0 0; }
    """
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        # The filter keeps the focus: the arrows move through the people it leaves.
        Binding("down", "move(1)", "Next person", id="picker.down", show=False),
        Binding("up", "move(-1)", "Previous person", id="picker.up", show=False),
    ]

    def __init__(self, title: Text, owner: str = "", members: list[Member] | None = None):
        """`title`: what is handed over; `owner`: its owner now (marked, not offered
        first); `members`: the team, or None until set_members brings it."""
        super().__init__()
        self.title_text, self.owner, self.members = title, owner, members
        self.shown: list[Member] = []
        # Keys pressed before the team was read, done once it is: arrows, enter.
        self.moves: list[int] = []
        self.submitted = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield TextInput(placeholder=_("type a login or a name"), id="who")
            yield KeyedOptions(id="people")
            yield Static("", id="problem", classes="error")
            yield Static(
                Text(_("type to filter  ·  ↑↓ choose  ·  enter hand over  ·  esc cancel")),
                classes="keys",
            )

    def on_mount(self) -> None:
        self.query_one("#problem").display = False
        if self.members is not None:
            self._filter("")
        self.query_one("#who", Input).focus()

    def set_members(self, members: list[Member]) -> None:
        """The team, read: the list shows it filtered by what was typed meanwhile."""
        self.members = members
        if not self.is_attached:
            return  # cancelled meanwhile
        self._filter(self.query_one("#who", Input).value)
        moves, self.moves = self.moves, []
        for step in moves:
            self.action_move(step)
        if self.submitted:
            self.submitted = False
            self._submit()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#problem").display = False
        if self.members is not None:
            self._filter(event.value)

    def _filter(self, typed: str) -> None:
        wanted = fold(typed.strip())
        members = self.members or []
        self.shown = [
            m
            for m in members
            if not wanted or wanted in fold(m.login) or wanted in fold(m.display_name)
        ]
        # The owner now last: handing a record to whoever has it does nothing.
        self.shown.sort(key=lambda m: m.login == self.owner)
        options = [Option(self._label(m), id=m.login) for m in self.shown]
        exact = any(wanted in (fold(m.login), fold(m.display_name)) for m in members)
        if wanted and not exact:
            options.append(
                Option(
                    Text.assemble(
                        ("+ ", "bold"), _('new user "{login}"').format(login=typed.strip())
                    ),
                    id=_NEW,
                )
            )
        people = self.query_one("#people", OptionList)
        people.clear_options()
        people.add_options(options)
        people.highlighted = 0 if options else None

    def _label(self, member: Member) -> Text:
        label = Text(member.login, style="bold")
        if member.display_name and member.display_name != member.login:
            label.append(f"  {member.display_name}")
        count = member.open_leads
        opened = ngettext("{count} open", "{count} open", count).format(count=number(count))
        label.append(f"  · {opened}", style="dim")
        if member.login == self.owner:
            label.append("  " + _("(owner now)"), style="dim italic")
        return label

    def action_move(self, step: int) -> None:
        if self.members is None:
            self.moves.append(step)
            return
        people = self.query_one("#people", OptionList)
        if people.option_count:
            at = (people.highlighted or 0) + step
            people.highlighted = max(0, min(at, people.option_count - 1))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.members is None:
            self.submitted = True
            return
        self._submit()

    def _submit(self) -> None:
        people = self.query_one("#people", OptionList)
        if people.highlighted is not None:
            self._choose(people.get_option_at_index(people.highlighted).id or "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id or "")

    def _choose(self, chosen: str) -> None:
        if chosen != _NEW:
            self.dismiss(Picked(chosen))
            return
        typed = self.query_one("#who", Input).value.strip()
        users = [(m.user_id, m.login, m.display_name) for m in self.members or []]
        question = _('"{login}" has never used funnel: add them as a new user?').format(login=typed)
        try:
            resolve_user(typed, users)
        except Refused as refused:
            problem = refused.problems[0]
            if problem.code != "misspelt_user":
                self._problem(problem.message)
                return
            # The user it names, found again as the rule found it: its message is in
            # the rep's language, with that language's quotes („…“, 「…」).
            close = closest_login(fold(typed), users) or ""
            question = _(
                'No user "{login}"; did you mean "{close}"? Add "{login}" as a new user?'
            ).format(login=typed, close=close)
        except FunnelError as exc:  # not a name a user can have
            self._problem("; ".join(exc.user_lines()))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(Picked(typed, new=True))

        self.app.push_screen(
            ConfirmDialog(_("New user"), Text(question), yes=_("Add and hand over"), no=_("Back")),
            answered,
        )

    def _problem(self, message: str) -> None:
        problem = self.query_one("#problem", Static)
        problem.update(Text(message))
        problem.display = True

    def action_cancel(self) -> None:
        self.dismiss(None)
