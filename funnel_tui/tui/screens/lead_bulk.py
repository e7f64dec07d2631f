"""The lead list's bulk actions: on the marked leads (or the one under the cursor when
none is marked), from one menu (`b`): set a status with the reason or date it needs, log
the same activity, export to a file, assign (rules/assign.py), merge two (the merge choice).

Each asks what it needs, then confirms with the count, then runs as one action of the
rules (rules/bulk_actions.py) in a worker that says how far it has got; the list's
message line says what was done, and ctrl+z takes the whole action back as one step.
Nothing chosen (no mark, an empty list) says so and writes nothing.

The screen using this mixin has `marks` (lead_marks.Marks), `say(text)` for its message
line, `current_lead_id()` and `refresh_data()`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text

from funnel_tui.core.dates import describe_due
from funnel_tui.core.errors import FunnelError, Refused
from funnel_tui.core.vocab import LEAD_STATUSES, STATUS_NURTURING, STATUS_UNQUALIFIED
from funnel_tui.rules.funnel import Funnel
from funnel_tui.tui.dialogs.bulk_menu import BulkEntry, BulkMenu
from funnel_tui.tui.dialogs.date_dialog import DateDialog
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from funnel_tui.tui.screens.lead_marks import Marks, leads_words
from funnel_tui.tui.workers import read_worker, run_write, write_worker

NOTHING_CHOSEN = "Nothing to act on: mark leads with space (* marks all that match)."


class LeadBulkActions:
    marks: Marks
    app: Any

    def say(self, text: Text | str) -> None:
        raise NotImplementedError

    def current_lead_id(self) -> int | None:
        raise NotImplementedError

    def refresh_data(self, changes: Any = None) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ the menu

    def action_bulk(self) -> None:
        ids = self.marks.chosen(self.current_lead_id())
        if not ids:
            self.say(Text(NOTHING_CHOSEN, style="yellow"))
            return
        if len(ids) > 1:
            heading = f"the {len(ids):,} marked leads"
        else:
            heading = "the marked lead" if self.marks else f"the lead under the cursor (#{ids[0]})"
        merge = ""
        if len(ids) != 2:
            merge = "mark exactly two"
        entries = [
            BulkEntry("s", "Set status…"),
            BulkEntry("l", "Log an activity…"),
            BulkEntry("e", "Export to a file…"),
            BulkEntry("a", "Assign to…"),
            BulkEntry("m", "Merge the two…", merge),
        ]
        if self.marks:
            entries.append(BulkEntry("c", "Clear the marks"))

        def chosen(key: str | None) -> None:
            handlers: dict[str, Callable[[list[int]], None]] = {
                "s": self._ask_status,
                "l": self._ask_activity,
                "e": self._ask_export,
                "a": self._ask_assign,
                "m": self._merge,
                "c": lambda _ids: self.action_clear_marks(),
            }
            if key in handlers:
                handlers[key](ids)

        self.app.push_screen(BulkMenu(heading, entries), chosen)

    def action_clear_marks(self) -> None:
        cleared = self.marks.clear()
        self.marks_changed()
        self.say(f"Marks cleared ({leads_words(cleared)})." if cleared else "Nothing is marked.")

    def marks_changed(self) -> None:
        raise NotImplementedError

    def _confirm(self, title: str, question: str, then: Callable[[], None]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                then()
            else:
                self.say(Text("Nothing done.", style="dim"))

        self.app.push_screen(ConfirmDialog(title, question), answered)

    # ------------------------------------------------------------------ status

    def _ask_status(self, ids: list[int]) -> None:
        def status_chosen(status: str | None) -> None:
            if status == STATUS_UNQUALIFIED:
                self.app.push_screen(
                    ChoiceDialog("Why are they unqualified?", self.app.config.unqualified_reasons),
                    lambda reason: reason and confirm(status, reason=reason),
                )
            elif status == STATUS_NURTURING:
                today = self.app.rules.today()
                dialog = DateDialog(
                    "Touch them again on",
                    today,
                    self.app.config.date_order,
                    field="until",
                    earliest=today,
                )
                self.app.push_screen(dialog, lambda until: until and confirm(status, until=until))
            elif status:
                confirm(status)

        def confirm(status: str, reason: str = "", until: dt.date | None = None) -> None:
            told = status
            if reason:
                told += f" ({reason})"
            if until:
                told += f" until {describe_due(until, self.app.rules.today())}"
            self._confirm(
                "Set status",
                f"Set the status of {leads_words(len(ids))} to {told}?",
                lambda: self._run(
                    lambda rules, progress: rules.bulk_set_status(
                        ids, status, reason=reason, until=until, progress=progress
                    ),
                    "Setting status",
                    lambda done: (
                        f"Status set to {told} on {leads_words(done.changed)}"
                        + _also(done, f"already {status}")
                    ),
                ),
            )

        self.app.push_screen(
            ChoiceDialog(f"Set the status of {leads_words(len(ids))} to", LEAD_STATUSES),
            status_chosen,
        )

    # ------------------------------------------------------------------ activity

    def _ask_activity(self, ids: list[int]) -> None:
        from funnel_tui.tui.screens.bulk_log import BulkLog, BulkLogScreen

        def typed(log: BulkLog | None) -> None:
            if log is None:
                return
            what = " ".join(
                p for p in (log.kind.replace("_", " "), log.outcome.replace("_", " ")) if p
            )
            self._confirm(
                "Log an activity",
                f"Log the same {what} on each of {leads_words(len(ids))}?",
                lambda: self._run(
                    lambda rules, progress: rules.bulk_log_activity(
                        ids,
                        kind=log.kind,
                        direction=log.direction,
                        outcome=log.outcome,
                        note=log.note,
                        next_action=log.next_action,
                        next_due=log.due,
                        progress=progress,
                    ),
                    "Logging",
                    lambda done: f"Logged {what} on {leads_words(done.changed)}" + _also(done),
                ),
            )

        self.app.push_screen(BulkLogScreen(leads_words(len(ids))), typed)

    # ------------------------------------------------------------------ export

    def _ask_export(self, ids: list[int]) -> None:
        def typed(path: str | None) -> None:
            if not path or not path.strip():
                return
            where = Path(os.path.expanduser(path.strip()))
            fmt = "vcf" if where.suffix.lower() in (".vcf", ".vcard") else "csv"
            kind = "vCards" if fmt == "vcf" else "CSV"
            self._confirm(
                "Export",
                f"Write {leads_words(len(ids))} to {where} as {kind}?",
                lambda: self._export(ids, where, fmt),
            )

        self.app.push_screen(
            TextDialog(
                f"Export {leads_words(len(ids))} to a file (.csv, or .vcf for vCards)",
                "leads.csv",
            ),
            typed,
        )

    @read_worker("bulk-export", exclusive=True)
    def _export(self, ids: list[int], where: Path, fmt: str) -> None:
        from funnel_tui.read.queries import LeadFilter
        from funnel_tui.transfer.exporter import export_to_file

        try:
            count = export_to_file(where, fmt, LeadFilter(ids=tuple(ids)))
        except (FunnelError, OSError) as exc:
            said = Text(f"✘ Not exported: {exc}", style="red")
        else:
            said = Text(f"✔ Exported {leads_words(count)} to {where}", style="green")
        self.app.call_from_thread(self.say, said)

    # ------------------------------------------------------------------ assign, merge

    def _ask_assign(self, ids: list[int]) -> None:
        """The hand-over's picker of the team (a new name added only once confirmed),
        then the count confirmed; rules.assign hands them all over in one action."""
        from funnel_tui.tui.dialogs.user_picker import Picked, UserPicker

        def picked(choice: Picked | None) -> None:
            if choice is None:
                return
            self._confirm(
                "Assign",
                f"Hand {leads_words(len(ids))} over to {choice.login}?",
                lambda: self._run(
                    lambda rules, _progress: rules.assign_leads(
                        ids, [choice.login], new_ok={choice.login} if choice.new else ()
                    ),
                    "Handing over",
                    lambda done: (
                        _said(done) or f"Assigned {leads_words(len(ids))} to {choice.login}"
                    ),
                ),
            )

        picker = UserPicker(Text(f"Hand {leads_words(len(ids))} to…"))
        self.app.push_screen(picker, picked)
        self._read_bulk_team(picker)

    @read_worker("bulk-team", exclusive=True)
    def _read_bulk_team(self, picker: Any) -> None:
        from funnel_tui.read.team import team_members

        members = team_members()
        self.app.call_from_thread(picker.set_members, members)

    def _merge(self, ids: list[int]) -> None:
        """The merge choice for the two marked leads, the older one kept by default
        (w there swaps); merged, the one merged away leaves the marks and the list."""
        from funnel_tui.tui.screens.merge import MergeScreen

        keep, other = ids

        def merged(result: Any) -> None:
            if not result:
                return
            self.marks.ids.discard(getattr(result, "other_id", other))
            self.marks_changed()
            self.refresh_data()
            said = _said(result) or f"Merged #{other} into #{keep}"
            self.say(Text(f"✔ {said}.", style="green"))

        self.app.push_screen(MergeScreen(keep, other), merged)

    # ------------------------------------------------------------------ running

    @write_worker("bulk-write")
    def _run(
        self,
        operation: Callable[[Funnel, Callable[[int, int], None]], Any],
        doing: str,
        done: Callable[[Any], str],
    ) -> None:
        """Run `operation(rules, progress)` in this worker; the message line follows its
        progress, then says `done(result)`, and the list reloads."""

        def progress(count: int, of: int) -> None:
            self.app.call_from_thread(self.say, Text(f"{doing}… {count:,} of {of:,}", style="dim"))

        run_write(
            self.app,
            lambda rules: operation(rules, progress),
            done=lambda result: self._bulk_done(Text(f"✔ {done(result)}.", style="green")),
            refused=self._bulk_refused,
            failed=lambda reason: self.say(Text(f"✘ Nothing done ({reason}).", style="red")),
            retry=lambda: self._run(operation, doing, done),
        )

    def _bulk_done(self, said: Text) -> None:
        self.refresh_data()
        self.say(said)

    def _bulk_refused(self, exc: Refused) -> None:
        self.say(Text("✘ " + "; ".join(str(p) for p in exc.problems), style="red"))

    def action_undo(self) -> None:
        """Undo my latest change, a whole bulk action as one step; refused (with why)
        when someone else has changed one of those leads since."""
        self._run(
            lambda rules, _progress: rules.undo_last(),
            "Undoing",
            lambda undone: undone.summary().rstrip("."),
        )


def _said(result: Any) -> str:
    """What a result says of itself (the hand-over's Handed.summary), without its stop."""
    summary = getattr(result, "summary", None)
    return summary().rstrip(".") if callable(summary) else ""


def _also(done: Any, unchanged: str = "") -> str:
    """What the action left alone: `; 3 already working; 1 merged or gone`."""
    parts = []
    if done.unchanged and unchanged:
        parts.append(f"{done.unchanged:,} {unchanged}")
    if done.missing:
        parts.append(f"{done.missing:,} merged or gone")
    return "".join(f"; {p}" for p in parts)
