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
from typing import TYPE_CHECKING, Any

from rich.text import Text

from funnel_tui.core.dates import describe_due
from funnel_tui.core.errors import FunnelError, Refused
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language, ngettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.vocab import LEAD_STATUSES, STATUS_NURTURING, STATUS_UNQUALIFIED
from funnel_tui.tui.screens.lead_marks import Marks, leads_words
from funnel_tui.tui.workers import read_worker, run_write, write_worker

if TYPE_CHECKING:
    from funnel_tui.rules.funnel import Funnel

NOTHING_CHOSEN = N_("Nothing to act on: mark leads with space (* marks all that match).")


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
        # The dialogs' modules load when first asked for, not at every start of the list.
        from funnel_tui.tui.dialogs.bulk_menu import BulkEntry, BulkMenu

        ids = self.marks.chosen(self.current_lead_id())
        if not ids:
            self.say(Text(_(NOTHING_CHOSEN), style="yellow"))
            return
        if len(ids) > 1:
            heading = ngettext(
                "the {count} marked lead", "the {count} marked leads", len(ids)
            ).format(count=number(len(ids)))
        elif self.marks:
            heading = _("the marked lead")
        else:
            heading = _("the lead under the cursor (#{id})").format(id=ids[0])
        merge = ""
        if len(ids) != 2:
            merge = _("mark exactly two")
        entries = [
            BulkEntry("s", _("Set status…")),
            BulkEntry("l", _("Log an activity…")),
            BulkEntry("e", _("Export to a file…")),
            BulkEntry("a", _("Assign to…")),
            BulkEntry("m", _("Merge the two…"), merge),
        ]
        if self.marks:
            entries.append(BulkEntry("c", _("Clear the marks")))

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
        self.say(
            _("Marks cleared ({leads}).").format(leads=leads_words(cleared))
            if cleared
            else _("Nothing is marked.")
        )

    def marks_changed(self) -> None:
        raise NotImplementedError

    def _confirm(self, title: str, question: str, then: Callable[[], None]) -> None:
        from funnel_tui.tui.dialogs.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                then()
            else:
                self.say(Text(_("Nothing done."), style="dim"))

        self.app.push_screen(ConfirmDialog(title, question), answered)

    # ------------------------------------------------------------------ status

    def _ask_status(self, ids: list[int]) -> None:
        from funnel_tui.tui.dialogs.date_dialog import DateDialog
        from funnel_tui.tui.dialogs.dialogs import ChoiceDialog

        def status_chosen(status: str | None) -> None:
            if status == STATUS_UNQUALIFIED:
                reasons = {shown_name(r): r for r in self.app.config.unqualified_reasons}
                self.app.push_screen(
                    ChoiceDialog(_("Why are they unqualified?"), tuple(reasons)),
                    lambda shown: shown and confirm(status, reason=reasons[shown]),
                )
            elif status == STATUS_NURTURING:
                today = self.app.today()
                dialog = DateDialog(
                    _("Touch them again on"),
                    today,
                    self.app.config.date_order,
                    field="until",
                    earliest=today,
                )
                self.app.push_screen(dialog, lambda until: until and confirm(status, until=until))
            elif status:
                confirm(status)

        def confirm(status: str, reason: str = "", until: dt.date | None = None) -> None:
            told = vocab_label(status)
            if reason:
                told = _("{status} ({reason})").format(status=told, reason=shown_name(reason))
            if until:
                when = describe_due(until, self.app.today())
                told = _("{status} until {date}").format(status=told, date=when)
            self._confirm(
                _("Set status"),
                _("Set the status of {leads} to {status}?").format(
                    leads=leads_words(len(ids)), status=told
                ),
                lambda: self._run(
                    lambda rules, progress: rules.bulk_set_status(
                        ids, status, reason=reason, until=until, progress=progress
                    ),
                    _("Setting status"),
                    lambda done: (
                        _("Status set to {status} on {leads}").format(
                            status=told, leads=leads_words(done.changed)
                        )
                        + _also(done, status)
                    ),
                ),
            )

        statuses = {vocab_label(s): s for s in LEAD_STATUSES}
        self.app.push_screen(
            ChoiceDialog(
                _("Set the status of {leads} to").format(leads=leads_words(len(ids))),
                tuple(statuses),
            ),
            lambda shown: status_chosen(statuses[shown] if shown else None),
        )

    # ------------------------------------------------------------------ activity

    def _ask_activity(self, ids: list[int]) -> None:
        from funnel_tui.tui.screens.bulk_log import BulkLog, BulkLogScreen

        def typed(log: BulkLog | None) -> None:
            if log is None:
                return
            what = _activity_words(log.kind, log.outcome)
            self._confirm(
                _("Log an activity"),
                _("Log the same {activity} on each of {leads}?").format(
                    activity=what, leads=leads_words(len(ids))
                ),
                lambda: self._run(
                    lambda rules, progress: rules.bulk_log_activity(
                        ids,
                        kind=log.kind,
                        direction=log.direction,
                        outcome=log.outcome,
                        note=log.note,
                        next_action=log.next_action,
                        next_due=log.due,
                        next_at=None if log.when is None else log.when.at,
                        progress=progress,
                    ),
                    _("Logging"),
                    lambda done: (
                        _("Logged {activity} on {leads}").format(
                            activity=what, leads=leads_words(done.changed)
                        )
                        + _also(done)
                    ),
                ),
            )

        self.app.push_screen(BulkLogScreen(leads_words(len(ids))), typed)

    # ------------------------------------------------------------------ export

    def _ask_export(self, ids: list[int]) -> None:
        from funnel_tui.tui.dialogs.dialogs import TextDialog

        def typed(path: str | None) -> None:
            if not path or not path.strip():
                return
            where = Path(os.path.expanduser(path.strip()))
            fmt = "vcf" if where.suffix.lower() in (".vcf", ".vcard") else "csv"
            kind = "vCards" if fmt == "vcf" else "CSV"
            self._confirm(
                _("Export"),
                _("Write {leads} to {path} as {format}?").format(
                    leads=leads_words(len(ids)), path=where, format=kind
                ),
                lambda: self._export(ids, where, fmt),
            )

        self.app.push_screen(
            TextDialog(
                _("Export {leads} to a file (.csv, or .vcf for vCards)").format(
                    leads=leads_words(len(ids))
                ),
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
            from funnel_tui.core.full_disk import full_words, is_full

            reason = full_words(where.absolute().parent) if is_full(exc) else exc
            said = Text(_("✘ Not exported: {reason}").format(reason=reason), style="red")
        else:
            exported = _("✔ Exported {leads} to {path}").format(
                leads=leads_words(count), path=where
            )
            said = Text(exported, style="green")
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
                _("Assign"),
                _("Hand {leads} over to {user}?").format(
                    leads=leads_words(len(ids)), user=choice.login
                ),
                lambda: self._run(
                    lambda rules, _progress: rules.assign_leads(
                        ids, [choice.login], new_ok={choice.login} if choice.new else ()
                    ),
                    _("Handing over"),
                    lambda done: (
                        _said(done)
                        or _("Assigned {leads} to {user}").format(
                            leads=leads_words(len(ids)), user=choice.login
                        )
                    ),
                ),
            )

        picker = UserPicker(Text(_("Hand {leads} to…").format(leads=leads_words(len(ids)))))
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
            said = _said(result) or _("Merged #{other} into #{keep}").format(other=other, keep=keep)
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
            said = _("{doing}… {count} of {total}").format(
                doing=doing, count=number(count), total=number(of)
            )
            self.app.call_from_thread(self.say, Text(said, style="dim"))

        run_write(
            self.app,
            lambda rules: operation(rules, progress),
            done=lambda result: self._bulk_done(Text(f"✔ {done(result)}.", style="green")),
            refused=self._bulk_refused,
            failed=lambda reason: self.say(
                Text(_("✘ Nothing done ({reason}).").format(reason=reason), style="red")
            ),
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
            _("Undoing"),
            lambda undone: undone.summary().rstrip("."),
        )


def _said(result: Any) -> str:
    """What a result says of itself (the hand-over's Handed.summary), without its stop."""
    summary = getattr(result, "summary", None)
    return summary().rstrip(".") if callable(summary) else ""


def _also(done: Any, status: str = "") -> str:
    """What the action left alone: `; 3 already working; 1 merged or gone`."""
    parts = []
    if done.unchanged and status:
        parts.append(
            ngettext("{count} already {status}", "{count} already {status}", done.unchanged).format(
                count=number(done.unchanged), status=vocab_label(status)
            )
        )
    if done.missing:
        parts.append(
            ngettext("{count} merged or gone", "{count} merged or gone", done.missing).format(
                count=number(done.missing)
            )
        )
    return "".join(_("; {part}").format(part=p) for p in parts)


def _activity_words(kind: str, outcome: str) -> str:
    """`call reached`: the same activity logged on each lead (English its stored words)."""
    if current_language() == ENGLISH:
        words = (kind.replace("_", " "), outcome.replace("_", " "))
    else:
        from funnel_tui.tui.screens.log_activity import kind_label, outcome_label

        words = (kind_label(kind), outcome_label(outcome) if outcome else "")
    return " ".join(p for p in words if p)
