"""Close spellings of one person: a warning, never a refusal.

Exact duplicates (the same address, number, or name at the same company) are found by
Funnel.find_duplicates. A person is also typed in again with the accents dropped or a
letter swapped ("Lucja Kowalska", "Łucja Kowalksa"): those are looked for only among the
leads at the same company or with the same number, a handful found through an index, so
the check costs about a millisecond however many leads there are. Names are compared
folded (folding.fold) with rapidfuzz: the better of the plain and the word-order-free
similarity, from CLOSE_SCORE of 100 up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from funnel_tui.core.folding import fold
from funnel_tui.core.i18n import _
from funnel_tui.storage.models import database

CLOSE_SCORE = 85  # "lucja kowalska" ~ "lucja kowalksa": 92.9; "jan kowalski" ~ "jan nowak": 57
CANDIDATES = 500  # leads at one company or with one number that are compared, at most


@dataclass(frozen=True)
class NearDuplicate:
    """An existing lead whose name is close to the one typed, and why it was compared."""

    lead_id: int
    name: str
    company: str
    why: str  # "company" (the same company) or "phone" (the same number)
    score: float

    @property
    def message(self) -> str:
        if self.company:
            said = (
                _("close to {name} at {company}, lead {id}, same phone")
                if self.why == "phone"
                else _("close to {name} at {company}, lead {id}")
            )
        else:
            said = (
                _("close to {name}, lead {id}, same phone")
                if self.why == "phone"
                else _("close to {name}, lead {id}")
            )
        return said.format(name=self.name, company=self.company, id=self.lead_id)


def close_names(
    name_key: str,
    company_key: str,
    phone_e164: str | None,
    exclude: Iterable[int] = (),
) -> list[NearDuplicate]:
    """Leads at the company with `company_key` or with the number `phone_e164` whose
    names are close to `name_key`'s, closest first; `exclude` (the exact duplicates
    already said, the lead itself) left out."""
    if not name_key or not (company_key or phone_e164):
        return []
    found: dict[int, NearDuplicate] = {}
    skip = set(exclude)
    lookups = (("company", "company_key", company_key), ("phone", "phone_e164", phone_e164))
    for why, column, value in lookups:
        if not value:
            continue
        for hit in _closest(fold(name_key), _candidates(column, value), why):
            if hit.lead_id not in skip and hit.lead_id not in found:
                found[hit.lead_id] = hit
    return sorted(found.values(), key=lambda h: (-h.score, h.lead_id))


def close_names_many(
    rows: Sequence[tuple[str, str]],
) -> list[list[NearDuplicate]]:
    """close_names for many (name_key, company_key) pairs at once (an import's batch):
    the leads of all their companies read in a few statements."""
    wanted = sorted({company for _id, company in rows if company})
    by_company: dict[str, list[tuple]] = {}
    param = database.obj.param
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ", ".join([param] * len(chunk))
        live = 'AND l."merged_into_id" IS NULL'
        for row in database.execute_sql(
            _SELECT + f'WHERE l."company_key" IN ({marks}) {live}', chunk
        ):
            by_company.setdefault(row[-1], []).append(row)
    out = []
    for name_key, company_key in rows:
        candidates = by_company.get(company_key, []) if company_key and name_key else []
        out.append(
            sorted(
                _closest(fold(name_key), candidates[:CANDIDATES], "company"),
                key=lambda h: (-h.score, h.lead_id),
            )
        )
    return out


_SELECT = (
    'SELECT l."id", l."name", l."name_key", l."name_fold", COALESCE(c."name", \'\'), '
    'l."company_key" FROM "lead" l LEFT JOIN "company" c ON c."id" = l."company_id" '
)


def _candidates(column: str, value: str) -> list[tuple]:
    param = database.obj.param
    sql = (
        _SELECT + f'WHERE l."{column}" = {param} AND l."merged_into_id" IS NULL '
        f'ORDER BY l."id" LIMIT {CANDIDATES}'
    )
    return database.execute_sql(sql, (value,)).fetchall()


def _closest(folded: str, candidates: list[tuple[Any, ...]], why: str) -> list[NearDuplicate]:
    if not candidates:
        return []
    from rapidfuzz import fuzz  # 15 ms, on the first check only

    hits = []
    for lead_id, name, name_key, name_fold, company, _phone in candidates:
        other = name_fold or name_key
        score = max(fuzz.ratio(folded, other), fuzz.token_sort_ratio(folded, other))
        if score >= CLOSE_SCORE:
            hits.append(NearDuplicate(lead_id, name, company, why, score))
    return hits
