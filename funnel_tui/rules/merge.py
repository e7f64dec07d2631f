"""Merging two leads that are one person: the plan shown before, and the merge itself.

The survivor ("keep") stays; for every field the two records hold differently the user
picks the value that stays (by default the survivor's, else the other's where the
survivor's is empty). The other's activities, deals and next action move to the
survivor, and its checklist answers where they are newer (or chosen). The other record
is kept exactly as it was, marked merged into the survivor (models.Lead.merged_into):
no list, count, search or report shows it again, and a search for its phone or email
finds the survivor. A merge is one transaction, in the history of both records, and
the one who merged can take it back exactly (rules.unmerge) while nobody has changed
either record since.

What the merge changed is kept in its history as a snapshot (the "merged" row's `old`,
JSON): the survivor's columns as they were, the ids of what moved. Undo reads it back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from funnel_tui.core.errors import NotFound, Problem, Refused
from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import FUNNEL_LEVELS
from funnel_tui.rules import history_words as words
from funnel_tui.rules.engagement import add_engagement
from funnel_tui.rules.session import Session, _column, _plain, _row_for_update
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import (
    Activity,
    Company,
    Lead,
    Opportunity,
    Qualification,
    database,
)

# The fields a person picks between, in the order the merge screen shows them, and the
# stored columns behind each (taken together: a phone is its typed form, its E.164
# number, its type and its display form).
LEAD_MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "name_key", "name_fold"),
    "company": ("company", "company_key", "company_fold"),
    "title": ("title",),
    "phone": ("phone_raw", "phone_e164", "phone_type", "phone_display"),
    "email": ("email_raw", "email_norm", "email_key"),
    "country": ("country",),
    "source": ("source",),
    "notes": ("notes",),
}
# Columns derived from the ones a person typed: written, not in the history.
_DERIVED = frozenset(
    {"name_key", "name_fold", "company_key", "company_fold", "phone_display", "email_key"}
)
# What the survivor gains from the other whatever is picked: the further funnel level,
# the first promotion, the latest activity, both engagements, the earlier next action.
_SUMMARY_COLUMNS = (
    "level",
    "promoted_at",
    "last_activity_at",
    "engagement_key",
    "next_action",
    "next_action_due",
    "next_action_at",
    "score",
)
# Columns a merge writes that a person does not read in the history: derived ones (a
# company's name key too).
_UNSHOWN = _DERIVED | frozenset(_SUMMARY_COLUMNS)
KEEP, OTHER = "keep", "other"
ANSWER_PREFIX = "answer:"  # a choice's key for a checklist item: "answer:budget"


@dataclass(frozen=True)
class FieldChoice:
    """One field the two records hold differently: both values as shown, and which the
    merge takes unless told otherwise."""

    field: str
    keep: str
    other: str
    default: str  # KEEP or OTHER


@dataclass(frozen=True)
class AnswerChoice:
    """A checklist item both leads answered differently: the newer answer is taken
    unless the user picks the other."""

    item: str
    keep: str  # "yes: signed budget" as shown
    other: str
    default: str


@dataclass(frozen=True)
class MergePlan:
    """What merging `other_id` into `keep_id` would do, read without writing."""

    kind: str  # "lead" or "company"
    keep_id: int
    other_id: int
    keep_name: str
    other_name: str
    keep_version: int
    other_version: int
    fields: list[FieldChoice]
    answers: list[AnswerChoice] = field(default_factory=list)
    # What moves to the survivor: {"activities": 3, "deals": 1, "answers": 2, ...}
    moves: dict[str, int] = field(default_factory=dict)

    def choices(self, take: Mapping[str, str] | None = None) -> dict[str, str]:
        """Every choice (fields, then "answer:<item>"), the defaults overridden by `take`."""
        chosen = {c.field: c.default for c in self.fields}
        chosen.update({ANSWER_PREFIX + a.item: a.default for a in self.answers})
        for name, side in (take or {}).items():
            if name not in chosen:
                known = ", ".join(c.field for c in self.fields) or _("none")
                raise Refused(
                    [
                        Problem(
                            "take",
                            "unknown",
                            _(
                                "{name!r} is not a field the two records hold differently "
                                "(those are: {known})"
                            ).format(name=name, known=known),
                        )
                    ]
                )
            if side not in (KEEP, OTHER):
                raise ValueError(f"side must be {KEEP!r} or {OTHER!r}")
            chosen[name] = side
        return chosen

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "keep": {"id": self.keep_id, "name": self.keep_name, "version": self.keep_version},
            "other": {"id": self.other_id, "name": self.other_name, "version": self.other_version},
            "fields": [c.__dict__ for c in self.fields],
            "answers": [a.__dict__ for a in self.answers],
            "moves": self.moves,
        }


@dataclass(frozen=True)
class Merged:
    """A merge done: which record survived, which was merged, the fields taken."""

    kind: str
    keep_id: int
    other_id: int
    taken: list[str]  # the fields whose value came from the other record
    moves: dict[str, int]

    def summary(self) -> str:
        return words.say(
            "merged_summary",
            other=words.record_words(self.kind, self.other_id),
            keep=words.record_words(self.kind, self.keep_id),
            taken=merged_taken_words(self.taken, self.other_id),
        )


def merged_taken_words(taken: list[str], other_id: int) -> str:
    """`: phone, email taken from #12`, or "" when nothing was."""
    if not taken:
        return ""
    return words.say(
        "merged_taken",
        fields=words.say("list").join(words.field_word(f) for f in taken),
        other=other_id,
    )


class MergeRules(Session):
    """Merging leads (companies: rules.company_merge)."""

    def plan_merge(self, keep_id: int, other_id: int) -> MergePlan:
        """What merging lead `other_id` into `keep_id` would take, move and leave;
        refused as the merge itself would be (itself, a merged record, deals in two
        currencies)."""
        keep, other = self._merge_pair(Lead, "lead", keep_id, other_id)
        _same_currency(keep_id, other_id)
        fields = []
        for name in LEAD_MERGE_FIELDS:
            mine, theirs = _lead_value(keep, name), _lead_value(other, name)
            if mine != theirs:
                fields.append(FieldChoice(name, mine, theirs, OTHER if not mine else KEEP))
        answers, moved_answers = _answer_choices(keep_id, other_id)
        moves = {
            "activities": Activity.select().where(Activity.lead == other_id).count(),
            "deals": Opportunity.select().where(Opportunity.lead == other_id).count(),
            "answers": moved_answers,
            "next_action": int(bool(other.next_action_due or other.next_action)),
        }
        return MergePlan(
            "lead",
            keep_id,
            other_id,
            keep.name,
            other.name,
            keep.version,
            other.version,
            fields,
            answers,
            moves,
        )

    @retry_writes
    def merge_leads(
        self,
        keep_id: int,
        other_id: int,
        take: Mapping[str, str] | None = None,
        *,
        keep_version: int | None = None,
        other_version: int | None = None,
    ) -> Merged:
        """Merge lead `other_id` into `keep_id` (see the module's docstring). `take`
        maps a field (or "answer:<item>") to KEEP or OTHER over the defaults. With the
        versions the plan was read at, a merge made on a stale plan is refused with
        what changed since (StaleEdit), as an edit is."""
        now = self.now()
        with database.atomic():
            plan = self.plan_merge(keep_id, other_id)
            keep, other, chosen, taken, values = self._take_fields(
                Lead, plan, take, (keep_version, other_version), LEAD_MERGE_FIELDS
            )
            values.update(_summary_values(keep, other))
            snapshot: dict[str, Any] = {
                "keep": {c: _plain(getattr(keep, _column(c))) for c in values},
                "other": {
                    "next_action": other.next_action,
                    "next_action_due": _plain(other.next_action_due),
                    "next_action_at": _plain(other.next_action_at),
                },
            }
            snapshot["keep"]["score"] = keep.score
            # What moves, by id, so that undo moves exactly these back.
            snapshot["activities"] = _ids(
                Activity.select(Activity.id).where(Activity.lead == other_id)
            )
            snapshot["deals"] = _ids(
                Opportunity.select(Opportunity.id).where(Opportunity.lead == other_id)
            )
            snapshot["merged_before"] = _ids(
                Lead.select(Lead.id).where(Lead.merged_into == other_id)
            )
            snapshot["answers"] = self._take_answers(keep_id, other_id, chosen)
            Activity.update(lead=keep_id).where(Activity.lead == other_id).execute()
            Opportunity.update(lead=keep_id).where(Opportunity.lead == other_id).execute()
            # A record merged into the other earlier now stands for the survivor too.
            Lead.update(merged_into=keep_id).where(Lead.merged_into == other_id).execute()
            # Its next action went to the survivor: the Today queue shows it once.
            moved = {"next_action": "", "next_action_due": None, "next_action_at": None}
            self._record_merge(Lead, keep, other, values, moved, snapshot, now)
            self.rescore(keep_id)
        return Merged("lead", keep_id, other_id, taken, plan.moves)

    def _record_merge(
        self,
        model: type,
        keep: Any,
        other: Any,
        values: Mapping[str, Any],
        other_values: Mapping[str, Any],
        snapshot: Mapping[str, Any],
        now: Any,
    ) -> None:
        """Write the survivor's new values and mark the other merged into it (both
        version-bumped), and say so in both histories: the survivor's fields a person
        reads, old → new, then its "merged" row holding `snapshot` for undo."""
        kind = model.__name__.lower()
        changes = [
            (c, _plain(getattr(keep, _column(c))), _plain(values[c]))
            for c in values
            if c not in _UNSHOWN and _plain(getattr(keep, _column(c))) != _plain(values[c])
        ]
        self._bump(model, keep, {**values, "updated_at": now})
        self._bump(model, other, {**other_values, "merged_into": keep.id, "updated_at": now})
        merged = ("merged", json.dumps(snapshot), str(other.id))
        self._history(kind, keep.id, "merge", [*changes, merged], now, keep.version)
        merged_into = ("merged_into", None, str(keep.id))
        self._history(kind, other.id, "merge", [merged_into], now, other.version)

    def _take_fields(
        self,
        model: type,
        plan: MergePlan,
        take: Mapping[str, str] | None,
        versions: tuple[int | None, int | None],
        columns: Mapping[str, tuple[str, ...]],
    ) -> tuple[Any, Any, dict[str, str], list[str], dict[str, Any]]:
        """Both records locked and version-checked as an edit is (StaleEdit when
        either changed since the plan was read), the choices, the fields taken from
        the other, and the columns to write on the survivor for them."""
        chosen = plan.choices(take)
        keep = _row_for_update(model, plan.keep_id)
        other = _row_for_update(model, plan.other_id)
        self._check_version(plan.kind, keep, versions[0], None)
        self._check_version(plan.kind, other, versions[1], None)
        taken = [c.field for c in plan.fields if chosen[c.field] == OTHER]
        values = {
            column: getattr(other, _column(column)) for name in taken for column in columns[name]
        }
        return keep, other, chosen, taken, values

    def _merge_pair(self, model: type, kind: str, keep_id: int, other_id: int) -> tuple[Any, Any]:
        """Both records, refused when they cannot be merged: the same one, missing, or
        one already merged into another."""
        if keep_id == other_id:
            raise Refused(
                [
                    Problem(
                        "other",
                        "same",
                        _("{record} cannot be merged into itself").format(
                            record=words.record_words(kind, keep_id)
                        ),
                    )
                ]
            )
        rows = {r.id: r for r in model.select().where(model.id.in_([keep_id, other_id]))}
        for role, ident in (("keep", keep_id), ("other", other_id)):
            if ident not in rows:
                raise NotFound(kind, ident)
            into = rows[ident].merged_into_id
            if into is not None:
                raise Refused(
                    [
                        Problem(
                            role,
                            "merged",
                            _(
                                "{record} was merged into #{into} already; "
                                "merge with #{into} instead"
                            ).format(record=words.record_words(kind, ident), into=into),
                        )
                    ]
                )
        return rows[keep_id], rows[other_id]

    def _take_answers(
        self, keep_id: int, other_id: int, chosen: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        """Copy the other's answers the survivor takes onto its own checklist; returns
        the survivor's rows as they were (None for an item it had not answered)."""
        mine = {q.item: q for q in Qualification.select().where(Qualification.lead == keep_id)}
        theirs = Qualification.select().where(Qualification.lead == other_id)
        before = []
        for row in theirs:
            current = mine.get(row.item)
            if current is not None and chosen.get(ANSWER_PREFIX + row.item, KEEP) != OTHER:
                continue
            if current is not None and _answer_text(current) == _answer_text(row):
                continue
            before.append({"item": row.item, "row": _answer_row(current) if current else None})
            values = {
                "answer": row.answer,
                "value": row.value,
                "evidence": row.evidence,
                "answered_by": row.answered_by_id,
                "answered_at": row.answered_at,
            }
            if current is None:
                Qualification.insert(lead=keep_id, item=row.item, **values).execute()
            else:
                Qualification.update(values).where(Qualification.id == current.id).execute()
        return before


def _lead_value(lead: Lead, name: str) -> str:
    """A field of a lead as the merge shows it."""
    if name == "company":
        company = Company.get_or_none(Company.id == lead.company_id) if lead.company_id else None
        return company.name if company else ""
    if name == "phone":
        return lead.phone_raw or ""
    if name == "email":
        return lead.email_raw or ""
    return str(getattr(lead, name) or "")


def _summary_values(keep: Lead, other: Lead) -> dict[str, Any]:
    """What the survivor gains from the other whatever is picked (see _SUMMARY_COLUMNS)."""
    values: dict[str, Any] = {}
    if FUNNEL_LEVELS.index(other.level) > FUNNEL_LEVELS.index(keep.level):
        values["level"] = other.level
    if other.promoted_at and (not keep.promoted_at or other.promoted_at < keep.promoted_at):
        values["promoted_at"] = other.promoted_at
    if other.last_activity_at and (
        not keep.last_activity_at or other.last_activity_at > keep.last_activity_at
    ):
        values["last_activity_at"] = other.last_activity_at
    if other.engagement_key is not None:
        # Engagement is a sum over two-way interactions: both leads' together.
        values["engagement_key"] = add_engagement(keep.engagement_key, other.engagement_key)
    sooner = other.next_action_due and (
        not keep.next_action_due or _when_due(other) < _when_due(keep)
    )
    if sooner or (other.next_action and not keep.next_action):
        values["next_action"] = other.next_action
        values["next_action_due"] = other.next_action_due
        values["next_action_at"] = other.next_action_at
    return values


def _when_due(lead: Lead) -> tuple[Any, dt.datetime]:
    """When a lead's next action is due, its time (if any) before the end of its day."""
    return (lead.next_action_due, lead.next_action_at or dt.datetime.max)


def _same_currency(keep_id: int, other_id: int) -> None:
    """Refuse merging leads whose deals are in different currencies: the survivor's
    totals would mix them."""
    found: dict[int, set[str]] = {keep_id: set(), other_id: set()}
    rows = Opportunity.select(Opportunity.lead, Opportunity.currency).where(
        Opportunity.lead.in_([keep_id, other_id])
    )
    for lead_id, currency in rows.tuples():
        found[lead_id].add(currency)
    if found[keep_id] and found[other_id] and found[keep_id] != found[other_id]:
        mine, theirs = (", ".join(sorted(found[i])) for i in (keep_id, other_id))
        raise Refused(
            [
                Problem(
                    "deals",
                    "currencies",
                    _(
                        "lead #{keep}'s deals are in {mine} and lead #{other}'s in "
                        "{theirs}; a lead's deals are kept in one currency, so win, lose or "
                        "re-price one side's deals before merging"
                    ).format(keep=keep_id, mine=mine, other=other_id, theirs=theirs),
                )
            ]
        )


def _answer_choices(keep_id: int, other_id: int) -> tuple[list[AnswerChoice], int]:
    """Checklist items both answered differently (a choice, the newer by default), and
    how many of the other's answers the survivor takes by default."""
    mine = {q.item: q for q in Qualification.select().where(Qualification.lead == keep_id)}
    choices, taken = [], 0
    for row in (
        Qualification.select().where(Qualification.lead == other_id).order_by(Qualification.id)
    ):
        current = mine.get(row.item)
        if current is None:
            taken += 1
            continue
        if _answer_text(current) == _answer_text(row):
            continue
        newer = row.answered_at > current.answered_at
        taken += newer
        choices.append(
            AnswerChoice(
                row.item, _answer_text(current), _answer_text(row), OTHER if newer else KEEP
            )
        )
    return choices, taken


def _answer_text(row: Qualification) -> str:
    parts = [row.answer]
    if row.value:
        parts.append(row.value)
    text = " ".join(parts)
    return f"{text}: {row.evidence}" if row.evidence else text


def _answer_row(row: Qualification) -> dict[str, Any]:
    return {
        "answer": row.answer,
        "value": row.value,
        "evidence": row.evidence,
        "answered_by": row.answered_by_id,
        "answered_at": _plain(row.answered_at),
    }


def _ids(query: Any) -> list[int]:
    return [row[0] for row in query.tuples()]
