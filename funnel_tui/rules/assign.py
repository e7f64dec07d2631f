"""Handing over: the owner of a lead or a deal changed, one record, many, or all of a
rep's open work (rules layer, no UI).

One record (`assign`) is version-checked like an edit. Many (`assign_leads`, and
`hand_over` for a rep who leaves or changes territory) are one transaction of bulk SQL
(storage.bulk): the rows read and locked in chunks, one UPDATE per new owner and chunk,
the history rows inserted many at once. Every history row of one action shares the
user, the moment and the action "assign" (rules.undo.BATCH_ACTIONS), so undo takes the
whole action back as one step. The history's field is "owner" and its old and new
values are logins, the names History itself reads users by (a login is never renamed).

Who is meant by a name typed (`find_users`): see resolve_user's rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from funnel_tui.config import check_login
from funnel_tui.core.errors import NotFound, Problem, Refused
from funnel_tui.core.folding import fold
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _, ngettext
from funnel_tui.core.labels import vocab_label
from funnel_tui.core.vocab import LEAD_STATUSES, OPEN_STATUSES, OPP_OPEN
from funnel_tui.rules import history_words as words
from funnel_tui.rules.session import Session, _row_for_update
from funnel_tui.storage.bulk import insert_many, rows_by_id, set_by_id
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Lead, Opportunity, User, database
from funnel_tui.storage.statements import stored_time

ASSIGN = "assign"  # the history's action of every change of owner
# A hand-over moves the leads in OPEN_STATUSES unless told others: every one that is
# still being worked (an unqualified lead is closed; it stays with who closed it).
_HISTORY_COLUMNS = ("at", "user_id", "entity", "entity_id", "action", "field", "old", "new")
_HISTORY_COLUMNS += ("version",)


# ------------------------------------------------------------------ who is meant


@dataclass(frozen=True)
class Person:
    """A user named in an assignment; `new` for one who never used funnel (`user_id`
    None until the assignment creates them)."""

    login: str
    user_id: int | None
    display_name: str = ""
    new: bool = False


def close_distance(typed: str) -> int:
    """How many slips (a letter left out, added, changed, or two swapped) a name may
    be from an existing one and still be taken for a misspelling of it: 1, or 2 for
    names of 8 letters and more."""
    return 2 if len(typed) >= 8 else 1


def resolve_user(
    name: str, users: Sequence[tuple[int, str, str]], new_ok: Collection[str] = ()
) -> Person:
    """The user `name` means, among `users` ((id, login, display name) each).

    The rule, in order, comparing names folded (case and accents aside):
    1. a user whose login is `name`, else whose login or display name folds to it, is
       that user (two such users: refused as ambiguous, naming both);
    2. a name within close_distance slips of a login or display name is a misspelling:
       refused, suggesting the closest one (`no user "bne"; did you mean "ben"?`) —
       unless `name` is in `new_ok`, someone new confirmed by the person assigning;
    3. any other name is someone who never used funnel: a Person to be created.
    """
    login = check_login(name)
    for user_id, user_login, display in users:
        if user_login == login:
            return Person(user_login, user_id, display)
    typed = fold(login)
    same = {
        (user_id, user_login, display)
        for user_id, user_login, display in users
        if typed in (fold(user_login), fold(display or ""))
    }
    if len(same) == 1:
        user_id, user_login, display = same.pop()
        return Person(user_login, user_id, display)
    if same:
        listed = words.listed(
            words.say("quoted", text=u[1]) for u in sorted(same, key=lambda u: u[1])
        )
        said = _('"{login}" names {users}: give the login').format(login=login, users=listed)
        raise Refused([Problem("to", "ambiguous_user", said)])
    if login not in new_ok:
        best = closest_login(typed, users)
        if best is not None:
            raise Refused(
                [
                    Problem(
                        "to",
                        "misspelt_user",
                        _(
                            'no user "{login}"; did you mean "{best}"? '
                            '(if "{login}" is someone new, confirm it to add them)'
                        ).format(login=login, best=best),
                    )
                ]
            )
    return Person(login, None, login, new=True)


def closest_login(typed: str, users: Sequence[tuple[int, str, str]]) -> str | None:
    """The login whose login or name is one slip (two for long names) from `typed`
    (folded), the closest first; None when none is that close: a typo, not a new user."""
    from rapidfuzz.distance import OSA  # 11 ms to load: not at every start, only here

    limit = close_distance(typed)
    best: tuple[int, str] | None = None
    for _id, user_login, display in users:
        for candidate in {fold(user_login), fold(display or "")} - {""}:
            distance = OSA.distance(typed, candidate, score_cutoff=limit)
            if distance <= limit and (best is None or (distance, user_login) < best):
                best = (distance, user_login)
    return best[1] if best else None


def team() -> list[tuple[int, str, str]]:
    """Every user as (id, login, display name), by login: whom a record can go to."""
    return list(User.select(User.id, User.login, User.display_name).order_by(User.login).tuples())


# ------------------------------------------------------------------ what was done


@dataclass(frozen=True)
class Handed:
    """What an assignment did (or, for a dry run, would do)."""

    leads: int = 0  # leads whose owner changed
    deals: int = 0  # deals whose owner changed
    unchanged: int = 0  # records already owned by the user they were given to
    to: tuple[str, ...] = ()  # the new owners' logins, in round-robin order
    created: tuple[str, ...] = ()  # users made for it (who never used funnel before)
    per_owner: dict[str, int] = field(default_factory=dict)  # records moved, by login
    from_login: str = ""  # the rep handed over from (hand_over)
    at: dt.datetime | None = None  # the moment stamped on its history (None: no write)
    dry_run: bool = False

    @property
    def moved(self) -> int:
        return self.leads + self.deals

    def summary(self) -> str:
        """`Handed 3 leads and 1 deal from ana to ben, carla (new user carla made).`"""
        leads, deals = words.many(self.leads, "lead"), words.many(self.deals, "deal")
        if self.leads and self.deals:
            what = _("{leads} and {deals}").format(leads=leads, deals=deals)
        else:
            what = deals if self.deals else leads
        to = words.listed(self.to)
        if self.dry_run:
            said = (
                _("Would hand {what} from {source} to {to}")
                if self.from_login
                else _("Would hand {what} to {to}")
            )
        else:
            said = (
                _("Handed {what} from {source} to {to}")
                if self.from_login
                else _("Handed {what} to {to}")
            )
        said = said.format(what=what, source=self.from_login, to=to)
        if len(self.to) > 1 and self.moved:
            each = words.listed(
                _("{user} {count}").format(user=u, count=number(n))
                for u, n in self.per_owner.items()
            )
            said = _("{summary} ({each})").format(summary=said, each=each)
        if self.unchanged:
            said = ngettext(
                "{summary}; {count} record already theirs",
                "{summary}; {count} records already theirs",
                self.unchanged,
            ).format(summary=said, count=number(self.unchanged))
        if self.created:
            made = words.listed(self.created)
            said = (
                _("{summary}; new user {made} would be made")
                if self.dry_run
                else _("{summary}; new user {made} was made")
            ).format(summary=said, made=made)
        return _("{summary}.").format(summary=said)

    def as_dict(self) -> dict[str, Any]:
        return {
            "leads": self.leads,
            "deals": self.deals,
            "unchanged": self.unchanged,
            "to": list(self.to),
            "from": self.from_login or None,
            "per_owner": dict(self.per_owner),
            "created_users": list(self.created),
            "dry_run": self.dry_run,
        }


# ------------------------------------------------------------------ the rules


class AssignRules(Session):
    """Changing owners: one record, many leads, or a rep's open work."""

    def find_users(self, names: Sequence[str], new_ok: Collection[str] = ()) -> list[Person]:
        """The users `names` mean (resolve_user's rule), every refusal at once; a name
        given twice counts once. Nothing is written."""
        users = team()
        people: list[Person] = []
        problems: list[Problem] = []
        for name in names:
            try:
                person = resolve_user(name, users, new_ok)
            except Refused as refused:
                problems += refused.problems
                continue
            if person.login not in {p.login for p in people}:
                people.append(person)
        if not people and not problems:
            problems.append(Problem("to", "required", _("name the user to hand over to")))
        if problems:
            raise Refused(problems)
        return people

    @retry_writes
    def make_users(self, names: Sequence[str], new_ok: Collection[str] = ()) -> list[Person]:
        """The users `names` mean (find_users), those who never used funnel created now
        (each Person's `new` says which): for an import that gives its leads to them."""
        people = self.find_users(names, new_ok)
        with database.atomic():
            return self._made(people, self.now())

    def _made(self, people: list[Person], now: dt.datetime) -> list[Person]:
        """`people` with the new ones created (in the caller's transaction)."""
        out = []
        for person in people:
            if person.new:
                User.insert(
                    login=person.login, display_name=person.login, created_at=now
                ).on_conflict_ignore().execute()
                made = User.get(User.login == person.login)
                person = Person(made.login, made.id, made.display_name, new=True)
            out.append(person)
        return out

    @retry_writes
    def assign(
        self,
        entity: str,
        record_id: int,
        to_login: str,
        *,
        expected_version: int | None = None,
        new_ok: Collection[str] = (),
    ) -> Handed:
        """Give one lead (`entity` "lead") or deal ("opportunity") to `to_login`.

        Checked like an edit made on a copy read at `expected_version`: refused as
        stale when someone else changed its owner since (to another user). A user who
        never used funnel is created (the result names them); a misspelt one refused
        with the close name (resolve_user)."""
        model = _model(entity)
        (person,) = self.find_users([to_login], new_ok)
        now = self.now()
        with database.atomic():
            row = _row_for_update(model, record_id)
            if row is None:
                raise NotFound(entity, record_id)
            _refuse_merged(entity, row)
            if row.owner_id == person.user_id:
                return Handed(unchanged=1, to=(person.login,))
            self._check_version(entity, row, expected_version, {"owner"})
            (person,) = self._made([person], now)
            old = User.get_by_id(row.owner_id).login
            self._bump(model, row, {"owner": person.user_id, "updated_at": now})
            self._history(
                entity, record_id, ASSIGN, [("owner", old, person.login)], now, row.version
            )
        deal = entity == "opportunity"
        return Handed(
            leads=0 if deal else 1,
            deals=1 if deal else 0,
            to=(person.login,),
            created=(person.login,) if person.new else (),
            per_owner={person.login: 1},
            at=now,
        )

    @retry_writes
    def assign_leads(
        self, ids: Sequence[int], to_logins: Sequence[str], *, new_ok: Collection[str] = ()
    ) -> Handed:
        """Give the leads `ids` to the users `to_logins`, round-robin in the order of
        `ids` when several, in one transaction; undo takes it back as one step. A lead
        already owned by the user it falls to is left as it is (counted unchanged).
        Refused, with nothing written, for no ids, an id that is no lead or a merged
        one, and a user misspelt (resolve_user); users who never used funnel are made."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            raise Refused([Problem("leads", "none", _("no leads to assign: mark some first"))])
        people = self.find_users(to_logins, new_ok)
        now = self.now()
        with database.atomic():
            found = {r[0]: r for r in rows_by_id("lead", _LEAD_READ, wanted, lock=True)}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise NotFound("lead", _listed(missing))
            merged = [i for i in wanted if found[i][3] is not None]
            if merged:
                raise Refused(
                    [
                        Problem(
                            "leads",
                            "merged",
                            _(
                                "lead {ids} was merged into another lead; "
                                "assign the lead it was merged into"
                            ).format(ids=_listed(merged)),
                        )
                    ]
                )
            people = self._made(people, now)
            rows = [found[i][:3] for i in wanted]
            leads, unchanged, per_owner = self._reassign("lead", rows, people, now)
        return _handed(people, per_owner, now, leads=leads, unchanged=unchanged)

    @retry_writes
    def hand_over(
        self,
        from_login: str,
        to_logins: Sequence[str],
        *,
        statuses: Sequence[str] | None = None,
        deals: bool = True,
        new_ok: Collection[str] = (),
        dry_run: bool = False,
    ) -> Handed:
        """Give all of `from_login`'s open leads (OPEN_STATUSES, or `statuses`) and
        open deals to `to_logins`, round-robin when several (a deal goes with its lead
        when the lead moves too), in one transaction; undo takes it back as one step.
        `dry_run`: the counts only, nothing written and no user made (for the count a
        person confirms first). Refused, with nothing written, when there is nothing
        to move."""
        problems = []
        statuses = tuple(statuses or OPEN_STATUSES)
        bad = [s for s in statuses if s not in LEAD_STATUSES]
        if bad:
            problems.append(
                Problem(
                    "status",
                    "invalid",
                    _("{statuses} is no lead status; use {known}").format(
                        statuses=", ".join(bad), known=", ".join(LEAD_STATUSES)
                    ),
                )
            )
        source = User.get_or_none(User.login == from_login)
        if source is None:
            hint = closest_login(fold(from_login), team())
            unknown = (
                _('no user "{login}"; did you mean "{best}"?') if hint else _('no user "{login}"')
            ).format(login=from_login, best=hint)
            problems.append(Problem("from", "unknown_user", unknown))
        try:
            people = self.find_users(to_logins, new_ok)
        except Refused as refused:
            problems += refused.problems
        if problems:
            raise Refused(problems)
        if [p.login for p in people] == [from_login]:
            raise Refused(
                [
                    Problem(
                        "to",
                        "same_user",
                        _("{user} already owns them: name someone else").format(user=from_login),
                    )
                ]
            )
        now = self.now()
        lock = database.obj.for_update and not dry_run
        with database.atomic():
            leads = _open_leads(source.id, statuses, lock)
            open_deals = _open_deals(source.id, lock) if deals else []
            if not leads and not open_deals:
                if statuses == OPEN_STATUSES:
                    none = (
                        _("{user} owns no open leads or deals; nothing was handed over")
                        if deals
                        else _("{user} owns no open leads; nothing was handed over")
                    )
                else:
                    none = (
                        _("{user} owns no {statuses} leads or deals; nothing was handed over")
                        if deals
                        else _("{user} owns no {statuses} leads; nothing was handed over")
                    )
                nothing = none.format(
                    user=from_login, statuses="/".join(vocab_label(s) for s in statuses)
                )
                raise Refused(
                    [
                        Problem(
                            "from",
                            "nothing",
                            nothing,
                        )
                    ]
                )
            if dry_run:
                per_owner = _round_robin_counts(len(leads) + len(open_deals), people)
                return _handed(
                    people,
                    per_owner,
                    None,
                    leads=len(leads),
                    deals=len(open_deals),
                    from_login=from_login,
                    dry_run=True,
                )
            people = self._made(people, now)
            moved_leads, _kept, per_owner = self._reassign("lead", leads, people, now)
            # A deal goes to whoever its lead went to; a deal whose lead stays, in turn.
            lead_goes = {row[0]: people[n % len(people)].user_id for n, row in enumerate(leads)}
            deal_rows = [row[:3] for row in open_deals]
            follow = [lead_goes.get(row[3]) for row in open_deals]
            moved_deals, _kept, deal_counts = self._reassign(
                "opportunity", deal_rows, people, now, follow
            )
        for login, count in deal_counts.items():
            per_owner[login] = per_owner.get(login, 0) + count
        return _handed(
            people, per_owner, now, leads=moved_leads, deals=moved_deals, from_login=from_login
        )

    def _reassign(
        self,
        entity: str,
        rows: Sequence[tuple[int, int, int]],
        people: list[Person],
        now: dt.datetime,
        chosen: Sequence[int | None] | None = None,
    ) -> tuple[int, int, dict[str, int]]:
        """Give `rows` ((id, owner id, version) each) to `people` round-robin (or to the
        user id `chosen` names for a row, where it names one), in bulk: one UPDATE per
        new owner and chunk, the history rows inserted many at once. Returns (records
        moved, records already theirs, moved by login)."""
        logins = dict(User.select(User.id, User.login).tuples())
        by_owner: dict[int, list[int]] = {}
        history = []
        stored_now, user_id = stored_time(now), self.user_id
        turn = unchanged = 0
        for n, (record_id, owner_id, version) in enumerate(rows):
            target = chosen[n] if chosen is not None else None
            if target is None:
                target = people[turn % len(people)].user_id
                turn += 1
            if target == owner_id:
                unchanged += 1
                continue
            by_owner.setdefault(target, []).append(record_id)
            history.append(
                (
                    stored_now,
                    user_id,
                    entity,
                    record_id,
                    ASSIGN,
                    "owner",
                    logins[owner_id],
                    logins[target],
                    version + 1,
                )
            )
        table = "lead" if entity == "lead" else "opportunity"
        for owner_id, ids in by_owner.items():
            set_by_id(table, {"owner_id": owner_id, "updated_at": stored_now}, ids)
        insert_many("history", _HISTORY_COLUMNS, history)
        counts = {logins[o]: len(ids) for o, ids in by_owner.items()}
        return len(history), unchanged, counts


_LEAD_READ = ("owner_id", "version", "merged_into_id")


def _model(entity: str) -> type[Lead] | type[Opportunity]:
    if entity == "lead":
        return Lead
    if entity == "opportunity":
        return Opportunity
    raise ValueError(f"not a record with an owner: {entity}")


def _refuse_merged(entity: str, row: Any) -> None:
    if entity == "lead" and row.merged_into_id is not None:
        raise Refused(
            [
                Problem(
                    "id",
                    "merged",
                    _("lead #{id} was merged into lead #{into}; assign #{into}").format(
                        id=row.id, into=row.merged_into_id
                    ),
                )
            ]
        )


def _listed(ids: Sequence[int]) -> str:
    shown = words.listed(f"#{i}" for i in ids[:5])
    if len(ids) > 5:
        return words.say("undone_more", listed=shown, count=number(len(ids) - 5))
    return shown


def _open_leads(owner_id: int, statuses: Sequence[str], lock: bool) -> list[tuple[int, int, int]]:
    query = (
        Lead.select(Lead.id, Lead.owner, Lead.version)
        .where(
            (Lead.owner == owner_id) & Lead.status.in_(list(statuses)) & Lead.merged_into.is_null()
        )
        .order_by(Lead.id)
    )
    if lock:
        query = query.for_update()
    return list(query.tuples())


def _open_deals(owner_id: int, lock: bool) -> list[tuple[int, int, int, int]]:
    query = (
        Opportunity.select(Opportunity.id, Opportunity.owner, Opportunity.version, Opportunity.lead)
        .where((Opportunity.owner == owner_id) & (Opportunity.state == OPP_OPEN))
        .order_by(Opportunity.id)
    )
    if lock:
        query = query.for_update()
    return list(query.tuples())


def _round_robin_counts(count: int, people: list[Person]) -> dict[str, int]:
    tally: Counter[str] = Counter()
    for n in range(count):
        tally[people[n % len(people)].login] += 1
    return dict(tally)


def _handed(
    people: list[Person],
    per_owner: dict[str, int],
    at: dt.datetime | None,
    **counts: Any,
) -> Handed:
    return Handed(
        to=tuple(p.login for p in people),
        created=tuple(p.login for p in people if p.new),
        per_owner={p.login: per_owner[p.login] for p in people if per_owner.get(p.login)},
        at=at,
        **counts,
    )
