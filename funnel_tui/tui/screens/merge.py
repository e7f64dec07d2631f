"""The merge choice: two records side by side, field by field, the value that stays
marked; ← and → (or space) pick, w swaps which record stays, ctrl+s merges.

What merging would do is read from the rules (plan_merge, plan_company_merge) in a
worker; the merge runs through run_write with the versions the plan was read at, so a
record someone changed meanwhile is read again and shown, choices kept, not merged over.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.errors import Refused
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import ENGLISH, N_, N_plural, _, current_language, ngettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.tui.workers import read_worker, run_write, write_worker

KEEP, OTHER = "keep", "other"
LABELS = {
    "name": N_("Name"),
    "company": N_("Company"),
    "title": N_("Title"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "country": N_("Country"),
    "source": N_("Source"),
    "notes": N_("Notes"),
    "industry": N_("Industry"),
    "employees": N_("Employees"),
    "website": N_("Website"),
}
# What moves to the record that stays, counted (English names the key, as it always has).
MOVES = {
    "activities": N_plural("{count} activity", "{count} activities"),
    "deals": N_plural("{count} deal", "{count} deals"),
    "answers": N_plural("{count} checklist answer", "{count} checklist answers"),
    "next_action": N_plural("{count} next action", "{count} next actions"),
    "people": N_plural("{count} person", "{count} people"),
}
LABEL_WIDTH = 11
VALUE_WIDTH = 30


class MergeScreen(ModalScreen[Any]):
    """Merge record `other_id` into `keep_id` (leads, or companies with `kind`); the
    result is the rules' Merged, or None when nothing was merged."""

    TITLE = N_("Merge")
    DEFAULT_CSS = """
    MergeScreen { align: center middle; }
    MergeScreen > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $warning; background: $surface; padding: 0 1;
    }
    MergeScreen .title { text-style: bold; }
    MergeScreen #m-head { color: $text-muted; }
    MergeScreen #m-fields { height: auto; max-height: 12; border: none; padding: 0; }
    MergeScreen #m-moves { margin-top: 1; }
    MergeScreen #m-said { height: auto; }
    MergeScreen .keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("left", "side('keep')", "Keep the survivor's value", id="merge.keep"),
        Binding("right", "side('other')", "Take the other's value", id="merge.other"),
        Binding("space", "toggle", "Switch the value that stays", id="merge.toggle"),
        Binding("w", "swap", "Swap which record stays", id="merge.swap"),
        Binding("ctrl+s", "merge", "Merge", id="merge.go", priority=True),
        Binding("escape", "cancel", "Cancel", id="merge.cancel"),
    ]

    def __init__(self, keep_id: int, other_id: int, kind: str = "lead"):
        super().__init__()
        self.keep_id, self.other_id, self.kind = keep_id, other_id, kind
        self.plan: Any = None
        self.chosen: dict[str, str] = {}
        self._merging = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Text(_merge_title(self.kind).format(other=self.other_id, keep=self.keep_id)),
                classes="title",
                id="m-title",
            )
            yield Static(Text(""), id="m-head")
            yield OptionList(id="m-fields")
            yield Static(Text(""), id="m-moves")
            yield Static(Text(_("Reading both records…"), style="dim"), id="m-said")
            yield Static(
                Text(_("←/→ or space pick  ·  w swap  ·  ctrl+s merge  ·  esc cancel")),
                classes="keys",
            )

    def on_mount(self) -> None:
        self._read_plan(self.keep_id, self.other_id)

    # ------------------------------------------------------------------ reading

    @read_worker("merge-plan", exclusive=True)
    def _read_plan(self, keep_id: int, other_id: int) -> None:
        rules = self.app.rules
        plan_of = rules.plan_company_merge if self.kind == "company" else rules.plan_merge
        try:
            plan = plan_of(keep_id, other_id)
        except Refused as exc:
            self.app.call_from_thread(self._cannot, exc)
            return
        self.app.call_from_thread(self._show_plan, plan)

    def _cannot(self, exc: Refused) -> None:
        said = Text("✘ ", style="red")
        said.append("; ".join(p.message for p in exc.problems), style="red")
        said.append("\n" + _("esc goes back."), style="dim")
        self.query_one("#m-said", Static).update(said)

    def _show_plan(self, plan: Any, note: Text | None = None) -> None:
        kept = dict(self.chosen)
        self.plan = plan
        self.keep_id, self.other_id = plan.keep_id, plan.other_id
        self.chosen = plan.choices()
        # Choices made before a swap or a re-read stay where the field still differs.
        for name, side in kept.items():
            if name in self.chosen:
                self.chosen[name] = side
        title = _filled(
            _named_merge_title(plan.kind),
            other=str(plan.other_id),
            other_name=_cut(plan.other_name, 22),
            keep=str(plan.keep_id),
            keep_name=_cut(plan.keep_name, 22),
        )
        self.query_one("#m-title", Label).update(title)
        # Over the values, past the label and the marker ("● ") of each column.
        head = Text(" " * (LABEL_WIDTH + 3))
        stays = Text(_("#{id} stays").format(id=plan.keep_id), style="bold")
        stays.pad_right(VALUE_WIDTH + 2 - stays.cell_len)
        head.append_text(stays)
        head.append(_("#{id} merged").format(id=plan.other_id), style="bold")
        self.query_one("#m-head", Static).update(head)
        self._draw_rows()
        moving = _(", ").join(_moved(k, n) for k, n in plan.moves.items() if n)
        moves = Text(
            _("Moving to #{id}: {moving}").format(id=plan.keep_id, moving=moving)
            if moving
            else _("Nothing else moves.")
        )
        self.query_one("#m-moves", Static).update(moves)
        if not plan.fields and not plan.answers:
            said = Text(_("The two records hold the same values: nothing to pick."), style="dim")
        else:
            said = Text("")
        self.query_one("#m-said", Static).update(note or said)
        self.query_one("#m-fields", OptionList).focus()

    def _rows(self) -> list[tuple[str, str, str, str]]:
        """(choice key, label, survivor's value, other's value) for every choice."""
        rows = [
            (
                c.field,
                _(LABELS[c.field]) if c.field in LABELS else c.field,
                _shown(c.field, c.keep),
                _shown(c.field, c.other),
            )
            for c in self.plan.fields
        ]
        rows += [
            (
                f"answer:{a.item}",
                _capitalized(vocab_label(a.item)),
                _answer_shown(a.keep),
                _answer_shown(a.other),
            )
            for a in self.plan.answers
        ]
        return rows

    def _draw_rows(self) -> None:
        options = self.query_one("#m-fields", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for key, label, mine, theirs in self._rows():
            side = self.chosen[key]
            line = Text(label, style="bold")
            line.truncate(LABEL_WIDTH, pad=True)  # in cells: a Chinese label is two a character
            line.append(" ")
            line.append_text(_cell(mine, side == KEEP))
            line.append("  ")
            line.append_text(_cell(theirs, side == OTHER))
            options.add_option(Option(line, id=key))
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
        # Two records alike in every field have nothing to pick: no empty table.
        options.display = self.query_one("#m-head").display = bool(options.option_count)

    # ------------------------------------------------------------------ choosing

    def _current(self) -> str | None:
        options = self.query_one("#m-fields", OptionList)
        if self.plan is None or options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_side(self, side: str) -> None:
        key = self._current()
        if key is not None:
            self.chosen[key] = side
            self._draw_rows()

    def action_toggle(self) -> None:
        key = self._current()
        if key is not None:
            self.chosen[key] = OTHER if self.chosen[key] == KEEP else KEEP
            self._draw_rows()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_toggle()

    def action_swap(self) -> None:
        """The other record stays instead: the plan read again the other way round."""
        if self.plan is None or self._merging:
            return
        self.chosen = {}
        self._read_plan(self.other_id, self.keep_id)

    # ------------------------------------------------------------------ merging

    def action_merge(self) -> None:
        if self.plan is None or self._merging:
            return
        self._merging = True
        self.query_one("#m-said", Static).update(Text(_("Merging…"), style="dim"))
        self._merge(self.plan, dict(self.chosen))

    @write_worker("merge")
    def _merge(self, plan: Any, chosen: dict[str, str]) -> None:
        company = plan.kind == "company"

        def merge(rules: Any) -> Any:
            run = rules.merge_companies if company else rules.merge_leads
            return run(
                plan.keep_id,
                plan.other_id,
                chosen,
                keep_version=plan.keep_version,
                other_version=plan.other_version,
            )

        def reread() -> Any:
            rules = self.app.rules
            read = rules.plan_company_merge if company else rules.plan_merge
            return read(plan.keep_id, plan.other_id)

        run_write(
            self.app,
            merge,
            done=self._merged,
            refused=self._refused,
            failed=self._failed,
            retry=self.action_merge,
            stale=self._stale,
            reread=reread,
        )

    def _merged(self, merged: Any) -> None:
        self._merging = False
        self.app.data_changed()
        self.app.notify(merged.summary(), title=_("Merged"), markup=False)
        self.dismiss(merged)

    def _refused(self, exc: Refused) -> None:
        self._merging = False
        said = Text(_("✘ Not merged: "), style="red")
        said.append("; ".join(p.message for p in exc.problems), style="red")
        self.query_one("#m-said", Static).update(said)

    def _stale(self, exc: Refused, fresh: Any) -> None:
        self._merging = False
        note = Text(
            _(
                "⚠ Changed by someone else since you looked; here it is as it is now. "
                "ctrl+s merges it."
            ),
            style="yellow",
        )
        self._show_plan(fresh, note)

    def _failed(self, reason: str) -> None:
        self._merging = False
        said = Text(
            _("✘ Not merged ({reason}); your choices are kept: ctrl+s tries again.").format(
                reason=reason
            )
        )
        said.stylize("red")
        self.query_one("#m-said", Static).update(said)

    def action_cancel(self) -> None:
        if not self._merging:
            self.dismiss(None)


def _cell(value: str, chosen: bool) -> Text:
    """A value in its column, marked when it is the one that stays."""
    shown = _cut(value or _("(empty)"), VALUE_WIDTH - 2)
    shown.pad_right(VALUE_WIDTH - 2 - shown.cell_len)
    if chosen:
        shown.stylize("bold")
        return Text.assemble(("● ", "bold green"), shown)
    shown.stylize("dim")
    return Text.assemble(("○ ", "dim"), shown)


def _cut(text: str, width: int) -> Text:
    """`text` (data, never markup) on one line, cut to `width` cells with an ellipsis."""
    line = Text(" ".join(text.split()))
    line.truncate(width, overflow="ellipsis")
    return line


def _merge_title(kind: str) -> str:
    if kind == "company":
        return _("Merge company #{other} into #{keep}")
    return _("Merge lead #{other} into #{keep}")


def _named_merge_title(kind: str) -> str:
    if kind == "company":
        return _("Merge company #{other} {other_name} into #{keep} {keep_name}")
    return _("Merge lead #{other} {other_name} into #{keep} {keep_name}")


def _filled(template: str, **parts: str | Text) -> Text:
    """`template` with its `{name}` placeholders filled by text or by styled Text (the
    names are data: appended as Text, never read as markup)."""
    text = Text()
    for n, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if n % 2:
            part = parts[piece]
            text.append_text(part if isinstance(part, Text) else Text(part))
        else:
            text.append(piece)
    return text


def _moved(key: str, count: int) -> str:
    """`3 activities` moving over (English as it always said it: `1 deals`)."""
    if current_language() == ENGLISH or key not in MOVES:
        return f"{count} {key.replace('_', ' ')}"
    return ngettext(*MOVES[key], count).format(count=number(count))


def _capitalized(label: str) -> str:
    return label[:1].upper() + label[1:]


def _shown(field: str, value: str) -> str:
    """A field's value as the rep reads it: a source by its shown name."""
    return shown_name(value) if field == "source" and value else value


def _answer_shown(value: str) -> str:
    """`yes: signed budget` with the answer in the rep's word (the evidence as typed)."""
    answer, colon, evidence = value.partition(": ")
    return vocab_label(answer) + colon + evidence
