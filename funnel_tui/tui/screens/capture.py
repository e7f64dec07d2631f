"""Quick capture: type a lead between two calls, save, and the form is ready for the next.

Validation runs when a field is left, never on each keystroke (over SSH every repaint
costs bytes); the draft is written to disk while typing so nothing is lost if the
connection drops.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from funnel_tui.core import validators as v
from funnel_tui.core.errors import DuplicateFound, Refused
from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.core.labels import field_label, shown_name
from funnel_tui.live.drafts import CAPTURE_DRAFT as DRAFT
from funnel_tui.rules.near_duplicates import NearDuplicate
from funnel_tui.tui.dialogs.dialogs import DuplicateDialog
from funnel_tui.tui.form_draft import KeepsDraft
from funnel_tui.tui.screens.current_row import MarksCurrentRow
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.field_feedback import CHECKED_FIELDS, feedback, named, show_hint
from funnel_tui.tui.widgets.text_block import TextBlock
from funnel_tui.tui.widgets.text_input import TextInput
from funnel_tui.tui.workers import read_worker, run_write, write_worker

FIELDS = (
    ("name", N_("Name")),
    ("company", N_("Company")),
    ("phone", N_("Phone")),
    ("email", N_("Email")),
    ("country", N_("Country")),
    ("title", N_("Title")),
    ("source", N_("Source")),
    ("notes", N_("Notes")),
)
TEXT_FIELDS = tuple(name for name, _label in FIELDS if name != "source")
PLACEHOLDERS = {"phone": N_("the number, the email, or both: they are sorted out for you")}
LABEL_WIDTH = 10  # cells; wider where the language's longest label needs it


class CaptureScreen(MarksCurrentRow, KeepsDraft, Screen[None]):
    TITLE = N_("Capture")
    CSS_PATH = "capture.tcss"
    AUTO_FOCUS = "#f-name"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "save", "Save", id="capture.save", priority=True),
        Binding("ctrl+r", "clear", "Clear form", id="capture.clear"),
        Binding("escape", "leave", "Back", id="capture.leave"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._saving = False
        self._card = 0  # which card the form holds: a duplicate check answers for one
        self._merge_into: int | None = None  # the lead the card saved is merged into
        # Whether the cursor has been on Country this card: until then a number without
        # a country code waits for it rather than being refused (Country comes later).
        self._country_reached = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="form"):
            yield Static(
                Text(
                    _("New lead — tab moves, ctrl+s saves. Phone and email may both go in Phone.")
                ),
                id="intro",
            )
            width = max(LABEL_WIDTH, *(cell_len(_(label)) + 1 for _name, label in FIELDS))
            for name, label in FIELDS:
                with Horizontal(classes="row", id=f"row-{name}"):
                    shown = Label(_(label), classes="label")
                    shown.styles.width = width
                    yield shown
                    if name == "source":
                        sources = self.app.config.lead_sources
                        options = [(Text(shown_name(s)), s) for s in sources]
                        yield Select(options, compact=True, id="f-source", prompt=_("(none)"))
                    else:
                        placeholder = PLACEHOLDERS.get(name, "")
                        yield TextInput(
                            compact=True,
                            id=f"f-{name}",
                            select_on_focus=False,
                            placeholder=_(placeholder) if placeholder else "",
                        )
                hint = Static("", classes="hint", id=f"hint-{name}")
                hint.styles.padding = (0, 0, 0, width)
                yield hint
            # Asks for a new layout only when its height changes: a save's "Saved #12"
            # replacing the last one's repaints that line alone.
            yield TextBlock("", id="outcome")
        yield KeyBar()

    def on_mount(self) -> None:
        last = self.app.drafts.last_source()
        if last in self.app.config.lead_sources:
            self.query_one("#f-source", Select).value = last
        self.query_one("#f-country", Input).value = self.app.drafts.last_country()
        for hint in self.query(".hint"):
            hint.display = False

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, str]:
        data = {name: self.query_one(f"#f-{name}", Input).value for name in TEXT_FIELDS}
        source = self.query_one("#f-source", Select).value
        data["source"] = source if isinstance(source, str) else ""
        return data

    def fill(self, values: dict[str, str]) -> None:
        for name in TEXT_FIELDS:
            self.query_one(f"#f-{name}", Input).value = values.get(name, "")
        source = values.get("source", "")
        if source in self.app.config.lead_sources:
            self.query_one("#f-source", Select).value = source
        for name in ("phone", "email", "country"):
            self._check_field(name)

    # ------------------------------------------------------------- as you type

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        # Only a timer here: no repaint per keystroke, the draft is written when typing pauses.
        self.draft_typed()

    @on(Select.Changed)
    def _source_changed(self) -> None:
        self.keep_draft()

    def draft_key(self) -> str:
        return DRAFT

    def draft_label(self) -> str:
        name = self.query_one("#f-name", Input).value.strip()
        return _("a new lead: {name}").format(name=name) if name else _("a new lead")

    def draft_values(self) -> dict[str, str]:
        return self.values()

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        # The source and country alone are the form's memory of the last card, not
        # something typed.
        remembered = ("source", "country")
        return any(value.strip() for key, value in values.items() if key not in remembered)

    def apply_draft(self, values: dict[str, str]) -> None:
        self.fill(values)

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("f-")
        if name == "country":
            self._country_reached = True
        if name in ("phone", "email") and self._sort_contact():
            for moved in ("phone", "email"):
                self._check_field(moved)
        elif name in CHECKED_FIELDS:
            self._check_field(name)
        if name in ("name", "company", "phone", "email"):
            self._look_for_duplicates(self.values(), self._card)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "f-notes":
            self.action_save()
        else:
            self.focus_next()

    def _check_field(self, name: str) -> None:
        values = self.values()
        if name == "phone" and self._phone_waits(values):
            waits = _("… checked with the Country below (or type the +country code)")
            self._hint(name, Text(waits, style="dim"))
            return
        self._hint(name, feedback(name, values, self.app.config.default_region))
        if name == "country" and values["phone"]:
            self._check_field("phone")  # a new country changes how the number reads

    def _phone_waits(self, values: dict[str, str]) -> bool:
        """A number typed without its country code, on a card whose Country is still
        empty and not yet reached: it is read once the country is there (or left)."""
        phone = values["phone"].strip()
        return bool(
            phone
            and not phone.startswith(("+", "00"))
            and not values["country"].strip()
            and not self._country_reached
        )

    def _sort_contact(self) -> bool:
        """Move an email typed into Phone, or a number typed into Email, to its own
        field (validators.sort_contact): one field and no extra Tab for a card with
        both. Returns whether anything moved."""
        phone, email = self.query_one("#f-phone", Input), self.query_one("#f-email", Input)
        sorted_phone, sorted_email = v.sort_contact(phone.value, email.value)
        if (sorted_phone, sorted_email) == (phone.value, email.value):
            return False
        phone.value, email.value = sorted_phone, sorted_email
        return True

    def _hint(self, name: str, text: Text | None) -> None:
        show_hint(self.query_one(f"#hint-{name}", Static), text)

    @read_worker("capture-duplicates", exclusive=True)
    def _look_for_duplicates(self, values: dict[str, str], card: int) -> None:
        region = v.check_country(values["country"]).value or self.app.config.default_region
        email = v.check_email(values["email"]).value
        phone = v.check_phone(values["phone"], region).value
        name_key = v.normalise_key(v.clean_text(values["name"], "name"))
        company_key = v.normalise_key(v.clean_text(values["company"], "company"))
        rules = self.app.rules
        found = rules.find_duplicates(email, phone, name_key, company_key)
        close = rules.near_duplicates(name_key, company_key, phone, [f[0] for f in found])
        self.app.call_from_thread(self._show_duplicates, found, close, card)

    def _show_duplicates(
        self, found: list[tuple[int, str, str]], close: list[NearDuplicate], card: int
    ) -> None:
        if card != self._card:
            return  # asked about a card saved since: it would match itself
        if not found and not close:
            if self._outcome_kind == "duplicate":
                self._outcome(None)
            return
        text = Text(_("⚠ already here?") + " ", style="yellow")
        for lead_id, name, why in found[:3]:
            text.append(f"#{lead_id} ")
            text.append(name)
            text.append(
                " " + _("(same {field})").format(field=field_label(why)) + "  ", style="dim"
            )
        # Close spellings warn only: saving goes ahead without a question.
        for near in close[: max(0, 3 - len(found))]:
            text.append(near.message)
            text.append("  ")
        self._outcome(text, kind="duplicate")

    _outcome_kind = ""

    def _outcome(self, text: Text | None, kind: str = "") -> None:
        self._outcome_kind = kind if text is not None else ""
        self.query_one("#outcome", TextBlock).show(text or "")

    # ------------------------------------------------------------------ saving

    def action_save(self, allow_duplicate: bool = False) -> None:
        if self._saving:
            return
        self._saving = True
        self._sort_contact()
        # The keys typed after ctrl+s belong to the next lead: the write holds them until
        # the form is cleared (or until the cursor is on what must be fixed).
        self._save(self.values(), allow_duplicate)

    @write_worker("capture-save")
    def _save(self, values: dict[str, str], allow_duplicate: bool) -> None:
        country = v.check_country(values["country"]).value or ""
        run_write(
            self.app,
            lambda rules: rules.capture_lead(values, allow_duplicate=allow_duplicate),
            done=lambda lead: self._saved(lead.id, lead.name, values["source"], country),
            refused=self._not_saved,
            failed=self._failed,
            # Saved again from the form as it is then: typing may have gone on meanwhile.
            retry=lambda: self.action_save(allow_duplicate),
        )

    def _not_saved(self, exc: Refused) -> None:
        if isinstance(exc, DuplicateFound):
            self._duplicate(exc)
        else:
            self._refused(exc.problems)

    def _saved(self, lead_id: int, name: str, source: str, country: str) -> None:
        self._saving = False
        self._new_card()
        self.drop_draft()
        # Preferences, not things typed: a folder that refuses them costs nothing.
        with contextlib.suppress(OSError):
            self.app.drafts.remember_card(**({"source": source} if source else {}), country=country)
        self._clear_fields(country)
        self._outcome(
            Text.assemble(
                ("✔ " + _("Saved") + " ", "green"),
                (f"#{lead_id} ", "bold"),
                name,
                (" — " + _("ready for the next lead"), "dim"),
            )
        )
        self.query_one("#f-name", Input).focus()
        self.app.data_changed()
        merge_into, self._merge_into = self._merge_into, None
        if merge_into is not None:
            from funnel_tui.tui.screens.merge import MergeScreen

            self.app.push_screen(MergeScreen(merge_into, lead_id))

    def _refused(self, problems: list[v.Problem]) -> None:
        self._saving = False
        self._merge_into = None
        first = None
        for problem in problems:
            field = "phone" if problem.field == "contact" else problem.field
            if f"f-{field}" not in {f"f-{n}" for n, _label in FIELDS}:
                continue
            self._hint(field, Text(f"✘ {named(field, problem.message)}", style="red"))
            first = first or field
        count = len(problems)
        to_fix = ngettext(
            "✘ Not saved: {count} thing to fix", "✘ Not saved: {count} things to fix", count
        )
        outcome = Text(to_fix.format(count=count), style="red")
        outcome.append(_dropped_keys(self.app.discard_typed_ahead()), style="dim")
        self._outcome(outcome)
        if first:
            self.query_one(f"#f-{first}").focus()

    def _duplicate(self, exc: DuplicateFound) -> None:
        self._saving = False
        found = exc.found
        # Letters answer the dialog: the next card typed ahead must not.
        dropped = self.app.discard_typed_ahead()
        if dropped:
            self._outcome(Text(_dropped_keys(dropped).strip(), style="yellow"))

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.action_save(allow_duplicate=True)
            elif choice == "merge" and found:
                # Saved as typed, then merged into the stored lead, field by field.
                self._merge_into = found[0][0]
                self.action_save(allow_duplicate=True)
            elif choice == "open" and found:
                self.app.open_lead(found[0][0])

        self.app.push_screen(DuplicateDialog(found), chosen)

    def _failed(self, reason: str) -> None:
        self._saving = False
        self._merge_into = None
        self._outcome(
            Text(
                _(
                    "✘ Could not save ({reason}). Everything typed is kept: ctrl+s tries again."
                ).format(reason=reason),
                style="red",
            )
        )

    # ------------------------------------------------------------------- other

    def _new_card(self) -> None:
        self._card += 1  # the next card starts here
        self._country_reached = False

    def _clear_fields(self, country: str) -> None:
        """Empty the form for the next card; Country keeps `country`, as Source keeps
        its choice: a stack of cards from one show is one country."""
        for field in TEXT_FIELDS:
            self.query_one(f"#f-{field}", Input).value = country if field == "country" else ""
            self._hint(field, None)

    def action_clear(self) -> None:
        self._new_card()
        self._clear_fields(self.app.drafts.last_country())
        self._outcome(None)
        self.drop_draft()
        self.query_one("#f-name", Input).focus()

    def action_leave(self) -> None:
        # Back where the rep was: the list, or a record left open over it (the key bar
        # says "Back", not "to the list": keys typed on act on that record's fields).
        self.keep_draft()
        self.app.switch_mode("leads")


def _dropped_keys(count: int) -> str:
    """Why the keys typed after a save that did not happen went nowhere."""
    if not count:
        return ""
    unused = ngettext(
        "({count} key typed after ctrl+s not used: this lead comes first)",
        "({count} keys typed after ctrl+s not used: this lead comes first)",
        count,
    )
    return " " + unused.format(count=count)
