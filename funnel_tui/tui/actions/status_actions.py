"""A lead's status changes, offered alike by the lead record and the checklist: mark
working, nurture until a date, unqualify with a reason, back to new.

The screen using this mixin has `lead_id` and `version` (None: no version check), and
answers the outcome of a write through `_written(done)`, `_refused(problems)`,
`_stale(exc)` and `_failed(message)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from funnel_tui.core.dates import describe_due
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.vocab import STATUS_NURTURING, STATUS_UNQUALIFIED
from funnel_tui.rules.funnel import Funnel
from funnel_tui.tui.dialogs.date_dialog import DateDialog
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog
from funnel_tui.tui.workers import run_write, write_worker


class LeadStatusActions:
    lead_id: int
    version: int | None
    app: Any

    def action_status(self, status: str) -> None:
        self._write(
            lambda rules: rules.set_status(self.lead_id, status, expected_version=self.version),
            _("Now {status}.").format(status=vocab_label(status)),
        )

    def action_nurture(self) -> None:
        def chosen(until: dt.date | None) -> None:
            if until:
                self._write(
                    lambda rules: rules.set_status(
                        self.lead_id, STATUS_NURTURING, until=until, expected_version=self.version
                    ),
                    _("Nurturing until {day}.").format(day=describe_due(until, today)),
                )

        today = self.app.today()
        dialog = DateDialog(
            _("Touch again on"), today, self.app.config.date_order, field="until", earliest=today
        )
        self.app.push_screen(dialog, chosen)

    def action_unqualify(self) -> None:
        # Each reason as the rep reads it; the stored name is what is written.
        reasons = {shown_name(r): r for r in self.app.config.unqualified_reasons}

        def chosen(shown: str | None) -> None:
            if shown:
                reason = reasons[shown]
                self._write(
                    lambda rules: rules.set_status(
                        self.lead_id,
                        STATUS_UNQUALIFIED,
                        reason=reason,
                        expected_version=self.version,
                    ),
                    _("Unqualified: {reason}.").format(reason=shown),
                )

        self.app.push_screen(
            ChoiceDialog(_("Why is this lead unqualified?"), tuple(reasons)),
            chosen,
        )

    @write_worker("lead-write")
    def _write(self, operation: Callable[[Funnel], Any], done: str | Callable[[Any], str]) -> None:
        """Run `operation` against the rules in a worker; the screen hears how it went:
        `done`, or `done(result)` when it is a function."""

        def write(rules: Funnel) -> str:
            result = operation(rules)
            return done(result) if callable(done) else done

        run_write(
            self.app,
            write,
            done=self._written,
            refused=lambda exc: self._refused(exc.problems),
            stale=self._stale,
            failed=self._failed,
            retry=lambda: self._write(operation, done),
        )
