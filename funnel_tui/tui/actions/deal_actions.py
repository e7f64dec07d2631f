"""What a deal's screens (the board and an opportunity's record) do to a deal alike:
move it a stage on or back, mark it won, mark it lost with a reason, reopen it.

Every write carries the version of the deal as the screen showed it. When someone else
moved or closed it meanwhile, nothing is written; the screen says who did what and
shows the deal as it is now. It never undoes their change.

The screen using this mixin has `current_deal()`, and answers `_deal_written(opp_id,
done, fresh)` with `fresh` what `_after_deal_write(opp_id)` read in the worker, and
`_deal_message(text)`; `_deal_reload()` shows the deals as they are now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text

from funnel_tui.core.errors import StaleEdit
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import field_label, shown_name, vocab_label
from funnel_tui.core.output import plain
from funnel_tui.core.vocab import OPP_OPEN
from funnel_tui.read.pipeline import Card
from funnel_tui.rules.funnel import Funnel
from funnel_tui.tui.filled import filled
from funnel_tui.tui.workers import run_write, write_worker


class DealActions:
    app: Any

    def current_deal(self) -> Card | None:
        raise NotImplementedError

    def _after_deal_write(self, opp_id: int) -> Any:
        """Read in the worker, after a write, what the screen shows next."""
        return None

    def _deal_written(self, opp_id: int, done: Text, fresh: Any) -> None:
        raise NotImplementedError

    def _deal_message(self, text: Text) -> None:
        raise NotImplementedError

    def _deal_reload(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ actions

    def action_log(self) -> None:
        """The log form for the deal; what was logged shows in the screen's message."""
        card = self.current_deal()
        if card is None:
            return
        from funnel_tui.tui.screens.log_activity import LogTarget, log_title

        title = log_title(card.name, card.company)
        target = LogTarget(
            card.lead_id,
            card.id,
            f"$ {title}",
            card.next_action,
            card.next_action_due,
            card.next_action_at,
        )

        def done(logged) -> None:
            if logged is not None:
                self._deal_message(logged.summary(self.app.now(), self.app.zone))
                self._deal_reload()

        self.app.open_log(target, done)

    def action_step(self, delta: int) -> None:
        card = self._open_deal(_("This deal is {state}: o reopens it before you move it."))
        if card is None:
            return
        stages = [s.name for s in self.app.config.open_stages]
        index = stages.index(card.stage) + delta if card.stage in stages else -1
        if not 0 <= index < len(stages):
            if delta > 0:
                said = _("{stage} is the last open stage: w marks it won, x lost.")
            else:
                said = _("{stage} is the first open stage: it cannot go further back.")
            self._deal_message(Text(said.format(stage=shown_name(card.stage)), style="yellow"))
            return
        target = stages[index]
        self._deal_write(
            card,
            lambda rules: rules.move(card.id, target, expected_version=card.version),
            filled(
                _("✔ {deal} moved {from_stage} → {to_stage}."),
                deal=_title(card),
                from_stage=shown_name(card.stage),
                to_stage=shown_name(target),
            ),
        )

    def action_won(self) -> None:
        card = self._open_deal(_("This deal is {state}: o reopens it before you mark it won."))
        if card is not None:
            self._deal_write(
                card,
                lambda rules: rules.win(card.id, expected_version=card.version),
                filled(_("✔ {deal} won. o reopens it."), deal=_title(card)),
            )

    def action_lost(self) -> None:
        card = self._open_deal(_("This deal is {state}: o reopens it before you mark it lost."))
        if card is None:
            return
        # Each reason as the rep reads it; the stored name is what is written.
        reasons = {shown_name(r): r for r in self.app.config.loss_reasons}

        def chosen(shown: str | None) -> None:
            if not shown:
                self._deal_message(
                    Text(_("Not marked lost: a lost deal needs a reason."), style="yellow")
                )
                return
            reason = reasons[shown]
            self._deal_write(
                card,
                lambda rules: rules.lose(card.id, reason, expected_version=card.version),
                filled(
                    _("✔ {deal} lost: {reason}. o reopens it."), deal=_title(card), reason=shown
                ),
            )

        # The dialog's modules (with DataTable's key table) load when first asked for.
        from funnel_tui.tui.dialogs.dialogs import ChoiceDialog

        self.app.push_screen(
            ChoiceDialog(_("Why was {name} lost?").format(name=plain(card.name)), tuple(reasons)),
            chosen,
        )

    def action_reopen(self) -> None:
        card = self.current_deal()
        if card is None:
            return
        if card.state == OPP_OPEN:
            self._deal_message(Text(_("This deal is open already."), style="dim"))
            return
        self._deal_write(
            card,
            lambda rules: rules.reopen(card.id, expected_version=card.version),
            filled(_("✔ {deal} reopened."), deal=_title(card)),
        )

    def action_undo(self) -> None:
        """Undo my latest change to this deal: an edit of its fields, a move, win, loss
        or reopening (refused, with why, when someone else has changed it since)."""
        card = self.current_deal()
        if card is not None:
            self._deal_write(
                card,
                lambda rules: rules.undo_last("opportunity", card.id),
                filled(_("✔ {deal}: your last change to it is undone."), deal=_title(card)),
            )

    def _open_deal(self, closed: str) -> Card | None:
        """The deal under the cursor while it is open; closed, `closed` (a message with
        the deal's `{state}`) says so and None is returned."""
        card = self.current_deal()
        if card is not None and card.state != OPP_OPEN:
            self._deal_message(Text(closed.format(state=vocab_label(card.state)), style="dim"))
            return None
        return card

    # ------------------------------------------------------------------ writing

    @write_worker("deal-write", exclusive=False)
    def _deal_write(self, card: Card, operation: Callable[[Funnel], Any], done: Text) -> None:
        def write_and_read(rules: Funnel) -> Any:
            operation(rules)
            return self._after_deal_write(card.id)

        run_write(
            self.app,
            write_and_read,
            done=lambda fresh: self._deal_written(card.id, done, fresh),
            refused=lambda exc: self._deal_refused(
                Text("✘ " + "; ".join(p.message for p in exc.problems), style="red")
            ),
            stale=lambda exc: self._deal_stale(card, exc),
            failed=lambda reason: self._deal_message(
                Text(_("✘ Nothing changed: {reason}.").format(reason=reason), style="red")
            ),
            retry=lambda: self._deal_write(card, operation, done),
        )

    def _deal_stale(self, card: Card, exc: StaleEdit) -> None:
        self._deal_message(stale_text(card, exc.changes))
        self._deal_reload()

    def _deal_refused(self, text: Text) -> None:
        self._deal_message(text)
        self._deal_reload()


def stale_text(card: Card, changes: list[dict[str, Any]]) -> Text:
    """What someone else did to the deal since the screen read it."""
    shown = [c for c in changes if c["field"] in ("stage", "state", "lost_reason")] or changes
    said = Text()
    for index, change in enumerate(shown[:3]):
        said.append("; " if index else "")
        said.append(plain(change["user"]), style="bold")
        when = change["at"]
        said.append(f" {when:%H:%M} " if hasattr(when, "strftime") else " ")
        field = change["field"]
        old, new = _value_words(field, change["old"]), _value_words(field, change["new"])
        said.append(f"{plain(field_label(field))} {old or '∅'} → ")
        said.append(new or "∅")
    text = Text("✘ ", style="red")
    template = _("{deal} was changed meanwhile, so nothing was done: {changes}")
    text.append_text(filled(template, style="red", deal=_title(card), changes=said))
    text.append(_(". Shown as it is now."), style="dim")
    return text


def _value_words(field: str, value: Any) -> str:
    """A stage, state or reason as the rep reads it; any other value as stored."""
    if field == "state":
        return vocab_label(plain(value))
    if field in ("stage", "lost_reason"):
        return plain(shown_name(plain(value)))
    return plain(value)


def _title(card: Card) -> Text:
    return Text(f"#{card.id} ") + Text(plain(card.company or card.name), style="bold")
