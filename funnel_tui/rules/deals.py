"""Deals: converting a prospect into one, moving it through the stages, win, lose, reopen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from funnel_tui.core import validators as v
from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.formats import date_short
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name
from funnel_tui.core.vocab import (
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
)
from funnel_tui.rules import deal_edits
from funnel_tui.rules import history_words as words
from funnel_tui.rules.deal_edits import read_amount, read_currency
from funnel_tui.rules.qualify import QualifyRules
from funnel_tui.rules.session import _json, _plain, _row_for_update
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Lead, Opportunity, StageChange, database


class DealRules(QualifyRules):
    """A deal from conversion to close."""

    @retry_writes
    def convert(
        self,
        lead_id: int,
        *,
        amount: str | float | int,
        currency: str = "",
        expected_close: dt.date | None = None,
        stage: str = "",
        name: str = "",
        allow_past_close: bool = False,
        today: dt.date | None = None,
    ) -> Opportunity:
        """Open an opportunity for a prospect, carrying over company, owner and notes.

        Refuses, all at once: an amount that is negative, not a number, above the
        configured ceiling (`config.max_amount`, whole currency units), with more
        decimals than its currency has, or that could be read two ways in the user's
        locale ("1,250" in de: money.parse_amount); a currency that is not ISO 4217; a
        stage that is not open; and an expected close before
        `today` (default: the user's, in their zone) unless `allow_past_close`, so that a date
        in the past is used only when the user confirms it.
        """
        problems: list[Problem] = []
        currency = read_currency(currency or self.config.default_currency, problems)
        cents = read_amount(amount, currency, self.locale, self.config.max_amount, problems)
        problems.sort(key=lambda p: p.field != "amount")  # amount, currency: the form's order
        first = self.config.open_stages[0].name
        stage_obj = self.config.stage(stage or first)
        if stage_obj is None or stage_obj not in self.config.open_stages:
            names = words.listed(shown_name(s.name) for s in self.config.open_stages)
            problems.append(Problem("stage", "invalid", _not_open_stage(stage, names)))
        name_check = v.check_text("title", name)
        if not name_check.ok:
            problems.append(name_check.problem)
        today = today or self.today()
        if expected_close is not None and expected_close < today and not allow_past_close:
            problems.append(
                Problem(
                    "close",
                    "past",
                    _("{date} is in the past; confirm to use it anyway").format(
                        date=date_short(expected_close)
                    ),
                )
            )
        if problems:
            raise Refused(problems)
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
            if lead.level == LEVEL_LEAD:
                raise Refused(
                    [
                        Problem(
                            "level",
                            "not_prospect",
                            _("lead #{id} must be promoted to prospect first").format(id=lead.id),
                        )
                    ]
                )
            title = name_check.value or (
                f"{lead.company.name} – {lead.name}" if lead.company_id else lead.name
            )
            opp = Opportunity.create(
                lead=lead.id,
                company=lead.company_id,
                name=title,
                amount_cents=cents,
                currency=currency,
                expected_close=expected_close,
                stage=stage_obj.name,
                state=OPP_OPEN,
                notes=lead.notes,
                owner=lead.owner_id,
                created_by=self.user_id,
                created_at=now,
                updated_at=now,
                stage_entered_at=now,
            )
            StageChange.create(
                opportunity=opp.id,
                from_stage=None,
                to_stage=stage_obj.name,
                user=self.user_id,
                at=now,
            )
            snapshot = {
                "lead": lead.id,
                # The contact and the checklist the deal was opened on, as they stood.
                "contact": {
                    "name": lead.name,
                    "title": lead.title,
                    "phone": lead.phone_e164 or lead.phone_raw,
                    "email": lead.email_norm or lead.email_raw,
                },
                "checklist": self._checklist_as_it_stands(lead.id),
                "amount_cents": cents,
                "currency": currency,
                "expected_close": expected_close,
                "stage": stage_obj.name,
                "name": title,
            }
            self._history("opportunity", opp.id, "create", [("", None, _json(snapshot))], now, 1)
            if lead.level == LEVEL_PROSPECT:
                self._bump(Lead, lead, {"level": LEVEL_OPPORTUNITY, "updated_at": now})
                self._history(
                    "lead",
                    lead.id,
                    "convert",
                    [("level", LEVEL_PROSPECT, LEVEL_OPPORTUNITY), ("opportunity", None, opp.id)],
                    now,
                    lead.version,
                )
        return opp

    @retry_writes
    def update_deal(
        self,
        opp_id: int,
        data: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        allow_past_close: bool = False,
    ) -> Opportunity:
        """Change some of a deal's fields: "name", "amount" (read as convert reads it, in
        the new currency when "currency" is given too), "currency" (ISO 4217; the stored
        amount must fit it), "close" (a date or None) and "notes"; history records each
        changed field, and undo_last takes the edit back.

        As update_lead: with `expected_version`, saved over changes made since unless one
        of them is to a field this edit sets (StaleEdit then). An expected close moved
        into the past of an open deal is refused unless `allow_past_close`."""
        return deal_edits.update_deal(
            self,
            opp_id,
            data,
            expected_version=expected_version,
            allow_past_close=allow_past_close,
        )

    @retry_writes
    def move(
        self, opp_id: int, to_stage: str, *, expected_version: int | None = None
    ) -> Opportunity:
        """Move an open opportunity to another open stage; recorded in its stage history."""
        stage = self.config.stage(to_stage)
        if stage is None or stage not in self.config.open_stages:
            names = words.listed(shown_name(s.name) for s in self.config.open_stages)
            raise Refused([Problem("stage", "invalid", _not_open_stage(to_stage, names))])
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state != OPP_OPEN:
                raise Refused(
                    [
                        Problem(
                            "stage",
                            "closed",
                            _deal_closed(opp_id, opp.state, reopen=True),
                        )
                    ]
                )
            if opp.stage == stage.name:
                return opp
            self._change_stage(opp, stage.name, {})
        return opp

    @retry_writes
    def step(self, opp_id: int, delta: int, *, expected_version: int | None = None) -> Opportunity:
        """Move to the next (+1) or previous (-1) open stage."""
        opp = self.get_opportunity(opp_id)
        names = [s.name for s in self.config.open_stages]
        if opp.stage not in names:
            raise Refused([Problem("stage", "closed", _deal_closed(opp_id, opp.state))])
        index = names.index(opp.stage) + delta
        if not 0 <= index < len(names):
            edge = (
                _("{stage} is the last open stage")
                if delta > 0
                else _("{stage} is the first open stage")
            )
            raise Refused([Problem("stage", "edge", edge.format(stage=shown_name(opp.stage)))])
        return self.move(opp_id, names[index], expected_version=expected_version)

    @retry_writes
    def win(self, opp_id: int, *, expected_version: int | None = None) -> Opportunity:
        """Close a deal as won; its lead becomes a customer."""
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state != OPP_OPEN:
                raise Refused([Problem("state", "closed", _already_closed(opp_id, opp.state))])
            now = self.now()
            self._change_stage(
                opp, self.config.won_stage, {"state": OPP_WON, "closed_at": now}, now
            )
            lead = _row_for_update(Lead, opp.lead_id)
            if lead.level != LEVEL_CUSTOMER:
                self._bump(Lead, lead, {"level": LEVEL_CUSTOMER, "updated_at": now})
                self._history(
                    "lead",
                    lead.id,
                    "won",
                    [("level", LEVEL_OPPORTUNITY, LEVEL_CUSTOMER)],
                    now,
                    lead.version,
                )
        return opp

    @retry_writes
    def lose(self, opp_id: int, reason: str, *, expected_version: int | None = None) -> Opportunity:
        """Close a deal as lost; the reason must be one of the configured loss reasons."""
        check = v.check_choice("reason", reason, self.config.loss_reasons)
        if check.ok and not check.value:
            check = v.Check(
                "reason",
                False,
                "required",
                _("a lost deal needs a reason: {reasons}").format(
                    reasons=words.listed(shown_name(r) for r in self.config.loss_reasons)
                ),
            )
        if not check.ok:
            raise Refused([check.problem])
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state != OPP_OPEN:
                raise Refused([Problem("state", "closed", _already_closed(opp_id, opp.state))])
            now = self.now()
            self._change_stage(
                opp,
                self.config.lost_stage,
                {"state": OPP_LOST, "closed_at": now, "lost_reason": check.value},
                now,
            )
        return opp

    @retry_writes
    def reopen(self, opp_id: int, *, expected_version: int | None = None) -> Opportunity:
        """Reopen a won or lost deal in the stage it was closed from."""
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state == OPP_OPEN:
                raise Refused(
                    [
                        Problem(
                            "state",
                            "open",
                            _("opportunity #{id} is already open").format(id=opp_id),
                        )
                    ]
                )
            last = (
                StageChange.select()
                .where((StageChange.opportunity == opp.id) & (StageChange.to_stage == opp.stage))
                .order_by(StageChange.id.desc())
                .first()
            )
            open_names = [s.name for s in self.config.open_stages]
            back = last.from_stage if last and last.from_stage in open_names else open_names[0]
            was_won = opp.state == OPP_WON
            now = self.now()
            self._change_stage(
                opp, back, {"state": OPP_OPEN, "closed_at": None, "lost_reason": ""}, now
            )
            if was_won:
                lead = _row_for_update(Lead, opp.lead_id)
                still_won = (
                    Opportunity.select()
                    .where((Opportunity.lead == lead.id) & (Opportunity.state == OPP_WON))
                    .exists()
                )
                if not still_won and lead.level == LEVEL_CUSTOMER:
                    self._bump(Lead, lead, {"level": LEVEL_OPPORTUNITY, "updated_at": now})
                    self._history(
                        "lead",
                        lead.id,
                        "reopen",
                        [("level", LEVEL_CUSTOMER, LEVEL_OPPORTUNITY)],
                        now,
                        lead.version,
                    )
        return opp

    def _change_stage(
        self,
        opp: Opportunity,
        to_stage: str,
        extra: dict[str, Any],
        now: dt.datetime | None = None,
        action: str = "move",
    ) -> None:
        now = now or self.now()
        old_stage, old_extra = opp.stage, {k: _plain(getattr(opp, k)) for k in extra}
        self._bump(
            Opportunity,
            opp,
            {"stage": to_stage, "stage_entered_at": now, "updated_at": now, **extra},
        )
        StageChange.create(
            opportunity=opp.id, from_stage=old_stage, to_stage=to_stage, user=self.user_id, at=now
        )
        changes = [("stage", old_stage, to_stage)] + [
            (k, old_extra[k], _plain(val))
            for k, val in extra.items()
            if old_extra[k] != _plain(val)
        ]
        self._history("opportunity", opp.id, action, changes, now, opp.version)


def _not_open_stage(stage: object, names: str) -> str:
    return _("{stage!r} is not an open stage: {stages}").format(stage=stage, stages=names)


def _deal_closed(opp_id: int, state: str, *, reopen: bool = False) -> str:
    if reopen:
        sentences = {
            "won": _("opportunity #{id} is won; reopen it first"),
            "lost": _("opportunity #{id} is lost; reopen it first"),
        }
        other = _("opportunity #{id} is {state}; reopen it first")
    else:
        sentences = {
            "won": _("opportunity #{id} is won"),
            "lost": _("opportunity #{id} is lost"),
        }
        other = _("opportunity #{id} is {state}")
    return sentences.get(state, other).format(id=opp_id, state=state)


def _already_closed(opp_id: int, state: str) -> str:
    sentences = {
        "won": _("opportunity #{id} is already won"),
        "lost": _("opportunity #{id} is already lost"),
    }
    default = _("opportunity #{id} is already {state}")
    return sentences.get(state, default).format(id=opp_id, state=state)
