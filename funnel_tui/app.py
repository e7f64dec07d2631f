"""The Textual app: the screens, the keys that reach them from anywhere, the command
palette, and the guard against a terminal smaller than 80×24."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .config import Config
from .db import describe
from .drafts import DraftStore
from .funnel import Funnel
from .models import database
from .screens.capture import DRAFT, CaptureScreen
from .screens.dialogs import ConfirmDialog
from .screens.funnel_counts import FunnelScreen
from .screens.help import HelpScreen
from .screens.lead import LeadScreen
from .screens.leads import LeadListScreen
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from .widgets.keymap import screen_actions

REFRESH_SECONDS = 2.0
SCREENS_BY_KEY = (
    # (mode, title, palette help)
    ("leads", "Leads", "The lead list: search, filter, sort, open"),
    ("capture", "Capture a lead", "The quick capture form"),
    ("funnel", "Funnel overview", "How many records stand at each step"),
)


class FunnelApp(App[None]):
    TITLE = "funnel"
    MODES: ClassVar[dict[str, type[Screen]]] = {
        "leads": LeadListScreen,
        "capture": CaptureScreen,
        "funnel": FunnelScreen,
    }
    DEFAULT_MODE = "leads"
    BINDINGS: ClassVar[list[Binding]] = [
        # ctrl keys and F-keys work while typing in a field, so these reach a screen from
        # anywhere; letters would be typed into the field instead.
        Binding("ctrl+n,f2", "switch_mode('capture')", "New lead", id="go.capture", priority=True),
        Binding("f3", "switch_mode('leads')", "Leads", id="go.leads", priority=True),
        Binding("f4", "switch_mode('funnel')", "Funnel", id="go.funnel", priority=True),
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("question_mark", "help", "Help", id="help.key", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(
        self, *, config: Config, target: str, user: str, drafts: DraftStore | None = None
    ) -> None:
        super().__init__()
        self.config = config
        self.target = target
        self.user = user
        self.rules = Funnel(config, user)
        self.drafts = drafts or DraftStore(user)
        self.sub_title = f"{user} · {describe(target)}"
        self._too_small = False

    def on_mount(self) -> None:
        self._prepare_user()
        self._check_size()
        self.set_interval(REFRESH_SECONDS, self.data_changed)
        draft = self.drafts.load(DRAFT)
        if draft and any(value.strip() for key, value in draft.items() if key != "source"):
            self._offer_draft(draft)

    @work(thread=True, group="startup")
    def _prepare_user(self) -> None:
        # Creating the user row is a write: never on the UI thread.
        with database.connection_context():
            _ = self.rules.user_id

    # ------------------------------------------------------------------ screens

    def open_lead(self, lead_id: int) -> None:
        if self.current_mode != "leads":
            self.switch_mode("leads")
        self.push_screen(LeadScreen(lead_id))

    def data_changed(self) -> None:
        """Something was written: the screen on top reloads what it shows."""
        screen = self.screen
        reload = getattr(screen, "refresh_data", None) or getattr(screen, "reload", None)
        if reload and not isinstance(screen, LeadScreen):
            if isinstance(screen, LeadListScreen):
                screen.reload(keep_cursor=True)
            else:
                reload()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def _offer_draft(self, draft: dict[str, str]) -> None:
        body = Text()
        for key in ("name", "company", "phone", "email"):
            if draft.get(key):
                body.append(f"{key}: ", style="bold")
                body.append(draft[key])
                body.append("\n")

        def answered(restore: bool | None) -> None:
            if restore:
                self.switch_mode("capture")
                self.call_after_refresh(self._restore_draft, draft)
            else:
                self.drafts.discard(DRAFT)

        self.push_screen(
            ConfirmDialog(
                "Restore the lead you were typing?", body, yes="Restore it", no="Discard it"
            ),
            answered,
        )

    def _restore_draft(self, draft: dict[str, str]) -> None:
        screen = self.screen
        if isinstance(screen, CaptureScreen):
            screen.fill(draft)

    # ------------------------------------------------------------ the palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode, title, help_text in SCREENS_BY_KEY:
            yield SystemCommand(title, help_text, lambda m=mode: self.switch_mode(m))
        for action in screen_actions(screen):
            if action.node is self:
                continue
            yield SystemCommand(
                action.description,
                f"{action.keys} · this screen",
                lambda a=action: self.call_later(a.node.run_action, a.action),
            )
        yield SystemCommand("Help", "Keys of this screen (? or F1)", self.action_help)
        yield from super().get_system_commands(screen)

    # ------------------------------------------------------------ terminal size

    def on_resize(self) -> None:
        self._check_size()

    def _check_size(self) -> None:
        small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        if small and not self._too_small:
            self._too_small = True
            self.push_screen(TooSmallScreen())
        elif not small and self._too_small:
            self._too_small = False
            if isinstance(self.screen, TooSmallScreen):
                self.pop_screen()
