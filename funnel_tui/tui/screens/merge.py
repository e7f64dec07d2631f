"""The merge choice: two records side by side, field by field, the value that stays
marked; ← and → (or space) pick, w swaps which record stays, ctrl+s merges.

What merging would do is read from the rules (plan_merge, plan_company_merge) in a
worker; the merge runs through run_write with the versions the plan was read at, so a
record someone changed meanwhile is read again and shown, choices kept, not merged over.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.errors import Refused
from funnel_tui.core.i18n import N_
from funnel_tui.tui.workers import read_worker, run_write, write_worker

KEEP, OTHER = "keep", "other"
LABELS = {
    "name": "Name",
    "company": "Company",
    "title": "Title",
    "phone": "Phone",
    "email": "Email",
    "country": "Country",
    "source": "Source",
    "notes": "Notes",
    "industry": "Industry",
    "employees": "Employees",
    "website": "Website",
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
                Text(f"Merge {self.kind} #{self.other_id} into #{self.keep_id}"),
                classes="title",
                id="m-title",
            )
            yield Static(Text(""), id="m-head")
            yield OptionList(id="m-fields")
            yield Static(Text(""), id="m-moves")
            yield Static(Text("Reading both records…", style="dim"), id="m-said")
            yield Static(
                Text("←/→ or space pick  ·  w swap  ·  ctrl+s merge  ·  esc cancel"),
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
        said.append("\nesc goes back.", style="dim")
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
        title = Text(f"Merge {plan.kind} #{plan.other_id} ")
        title.append_text(_cut(plan.other_name, 22))
        title.append(f" into #{plan.keep_id} ")
        title.append_text(_cut(plan.keep_name, 22))
        self.query_one("#m-title", Label).update(title)
        # Over the values, past the label and the marker ("● ") of each column.
        head = Text(" " * (LABEL_WIDTH + 3))
        head.append(f"#{plan.keep_id} stays".ljust(VALUE_WIDTH + 2), style="bold")
        head.append(f"#{plan.other_id} merged", style="bold")
        self.query_one("#m-head", Static).update(head)
        self._draw_rows()
        moving = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in plan.moves.items() if n)
        moves = Text(f"Moving to #{plan.keep_id}: {moving}" if moving else "Nothing else moves.")
        self.query_one("#m-moves", Static).update(moves)
        if not plan.fields and not plan.answers:
            said = Text("The two records hold the same values: nothing to pick.", style="dim")
        else:
            said = Text("")
        self.query_one("#m-said", Static).update(note or said)
        self.query_one("#m-fields", OptionList).focus()

    def _rows(self) -> list[tuple[str, str, str, str]]:
        """(choice key, label, survivor's value, other's value) for every choice."""
        rows = [(c.field, LABELS.get(c.field, c.field), c.keep, c.other) for c in self.plan.fields]
        rows += [
            (f"answer:{a.item}", a.item.capitalize(), a.keep, a.other) for a in self.plan.answers
        ]
        return rows

    def _draw_rows(self) -> None:
        options = self.query_one("#m-fields", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for key, label, mine, theirs in self._rows():
            side = self.chosen[key]
            line = Text(label.ljust(LABEL_WIDTH)[:LABEL_WIDTH] + " ", style="bold")
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
        self.query_one("#m-said", Static).update(Text("Merging…", style="dim"))
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
        self.app.notify(merged.summary(), title="Merged", markup=False)
        self.dismiss(merged)

    def _refused(self, exc: Refused) -> None:
        self._merging = False
        said = Text("✘ Not merged: ", style="red")
        said.append("; ".join(p.message for p in exc.problems), style="red")
        self.query_one("#m-said", Static).update(said)

    def _stale(self, exc: Refused, fresh: Any) -> None:
        self._merging = False
        note = Text(
            "⚠ Changed by someone else since you looked; here it is as it is now. "
            "ctrl+s merges it.",
            style="yellow",
        )
        self._show_plan(fresh, note)

    def _failed(self, reason: str) -> None:
        self._merging = False
        said = Text(f"✘ Not merged ({reason}); your choices are kept: ctrl+s tries again.")
        said.stylize("red")
        self.query_one("#m-said", Static).update(said)

    def action_cancel(self) -> None:
        if not self._merging:
            self.dismiss(None)


def _cell(value: str, chosen: bool) -> Text:
    """A value in its column, marked when it is the one that stays."""
    shown = _cut(value or "(empty)", VALUE_WIDTH - 2)
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
