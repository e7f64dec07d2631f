"""Possible duplicates: pairs of live leads (and of companies) that may be one record
typed twice, each with why, strongest first. Never writes; the merge is rules.merge's.

Leads are paired by what capture checks (rules.leads.find_duplicates: the same E.164
phone, the same email key, the same name key at the same company) and by close names at
the same company or on the same phone (rules.near_duplicates: the better of rapidfuzz's
plain and word-order-free similarity of the folded names, CLOSE_SCORE of 100 up, so the
list and capture's warning agree):

- "Anna Kowalska" ~ "Ana Kowalska": 96, a pair; "Jan Nowak" ~ "Jan Novak": 88.9;
- "陳志明" ~ "陈志明": 100 (both fold to Simplified), "Jürgen Müller" ~ "Jurgen Muller": 100;
- "Kowalska Anna" ~ "Anna Kowalska": 100 (word order);
- "A. Kowalska" ~ "Anna Kowalska": INITIAL_SCORE, when an initial stands for a word and
  every other word is the same;
- not "Li Wei" ~ "Li Wen" (83.3) nor "Anna Kowalska" ~ "Piotr Kowalski" (59.3).

Blocking keeps it fast: SQL groups the leads by phone, by email and by company and reads
only those sharing one with another lead; names are compared only inside a block, in
rapidfuzz's C loop. A block larger than FULL_BLOCK (a company with thousands of leads)
is compared by sorted neighbourhood: each name against the WINDOW names next to it in
the order of its folded name and of its words sorted, which finds typos but not every
far pair. Groups of three or more come as their pairs, each pair once, lower id first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlsplit

from funnel_tui.core.folding import fold
from funnel_tui.core.i18n import N_, _
from funnel_tui.rules.near_duplicates import CLOSE_SCORE
from funnel_tui.storage.list_index import LIVE_LEAD_SQL
from funnel_tui.storage.models import database

# The reasons, as JSON and CSV give them (stable keys), and in words.
SAME_PHONE, SAME_EMAIL, SAME_NAME_COMPANY = "same_phone", "same_email", "same_name_company"
CLOSE_NAME_COMPANY, CLOSE_NAME_PHONE = "close_name_company", "close_name_phone"
SAME_NAME, CLOSE_NAME, SAME_WEBSITE = "same_name", "close_name", "same_website"
REASON_WORDS = {
    SAME_EMAIL: N_("same email"),
    SAME_PHONE: N_("same phone"),
    SAME_NAME_COMPANY: N_("same name at the same company"),
    CLOSE_NAME_COMPANY: N_("close name at the same company"),
    CLOSE_NAME_PHONE: N_("close name on the same phone"),
    SAME_NAME: N_("same name"),
    CLOSE_NAME: N_("close name"),
    SAME_WEBSITE: N_("same website"),
}
# A close name that is the same once folded (accents, 陳/陈) is said to be the same.
_ALIKE_WORDS = {
    CLOSE_NAME_COMPANY: N_("same name at the same company"),
    CLOSE_NAME_PHONE: N_("same name on the same phone"),
    CLOSE_NAME: N_("same name"),
}
# A pair's strength is its name similarity plus the weight of each reason: an address is
# one person's, a phone is often shared (a switchboard), a close name alone may be two
# people. A shared address with unlike names (80 + 40) comes before a shared phone with
# unlike names (20 + 30), and a typo at the same company (20 + 96) between them.
REASON_WEIGHTS = {
    SAME_EMAIL: 40,
    SAME_NAME_COMPANY: 40,
    SAME_PHONE: 20,
    CLOSE_NAME_COMPANY: 20,
    CLOSE_NAME_PHONE: 0,  # its phone counts as same_phone already
    SAME_NAME: 40,
    SAME_WEBSITE: 40,
    CLOSE_NAME: 0,
}
INITIAL_SCORE = 90.0  # "A. Kowalska" ~ "Anna Kowalska": agreement, not identity
# Company names are compared stricter than people's, their legal form left out first:
# "Jones Retail Group" ~ "Jones Retail Grp" 94.1 and "Müller Maschinenbau" ~ "Mueller
# Maschinenbau" 97.4 are pairs; "Smith Retail" ~ "Smith Rental" (91.7) is not.
COMPANY_CLOSE_SCORE = 92
FULL_BLOCK = 400  # names in a block compared all with all (at most 80,000 pairs)
WINDOW = 25  # neighbours compared in a larger block, in each of its two orders
PROGRESS_EVERY = 2000  # rows between two calls of the progress callback
CHUNK = 500  # ids per IN (...)

Progress = Callable[[int, int], None]
_WORDS = re.compile(r"\w+")
# Legal forms, dropped before company names are compared ("Sp. z o.o.", "GmbH", 有限公司).
_LEGAL_WORDS = frozenset(
    ["gmbh", "ag", "kg", "ohg", "ug", "mbh", "co", "ltd", "limited", "llc", "llp", "inc",
     "incorporated", "corp", "corporation", "plc", "sa", "sas", "sarl", "sl", "sp", "z", "o",
     "oo", "spa", "srl", "bv", "nv", "ab", "oy", "as", "aps", "ltda", "cv", "de", "rl", "sc",
     "sac", "eirl", "kk", "pte", "pty", "group"]
)  # fmt: skip
_CJK_FORMS = (
    "股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社", "公司"
)  # fmt: skip


@dataclass
class Side:
    """One record of a pair, as the list shows it."""

    id: int
    name: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""
    owner: str = ""
    phone_e164: str = ""  # the phone as stored, for scripts ("" when not valid)
    # For companies: their country, website and how many live leads they have.
    country: str = ""
    website: str = ""
    people: int = 0


@dataclass
class Pair:
    """Two records that may be one: `first` has the lower id. `reasons` are stable keys
    (REASON_WORDS), strongest first; `similarity` of their folded names, 0–100."""

    first: Side
    second: Side
    reasons: tuple[str, ...]
    similarity: float
    strength: float = field(default=0.0)

    @property
    def ids(self) -> tuple[int, int]:
        return (self.first.id, self.second.id)

    def words(self) -> str:
        """The reasons as a person reads them: "same phone · close name on the same
        phone (96%)"; a close name is not said again beside the same name, and names
        that differ only as folding undoes (accents, 陳/陈) are said to be the same."""
        same_name = SAME_NAME_COMPANY in self.reasons or SAME_NAME in self.reasons
        percent = f"{self.similarity:.0f}"
        said = []
        for reason in self.reasons:
            if reason not in (CLOSE_NAME_COMPANY, CLOSE_NAME_PHONE, CLOSE_NAME):
                said.append(_(REASON_WORDS[reason]))
            elif not same_name and self.similarity >= 99.95:  # alike once folded
                said.append(_(_ALIKE_WORDS[reason]))
            elif not same_name:
                said.append(
                    _("{reason} ({percent}%)").format(
                        reason=_(REASON_WORDS[reason]), percent=percent
                    )
                )
        if not same_name and not any(r.startswith("close_") for r in self.reasons):
            said.append(_("names {percent}% alike").format(percent=percent))
        return " · ".join(said)


# ------------------------------------------------------------------- leads


def possible_duplicates(progress: Progress | None = None, limit: int | None = None) -> list[Pair]:
    """Pairs of live leads that may be one person, strongest first (module doc), at most
    `limit`; `progress(done, total)` is called as the blocks are compared (rows)."""
    blocks = {column: _lead_blocks(column) for column in ("phone_e164", "email_key", "company_key")}
    total = sum(len(rows) for rows in blocks.values())
    done = [0, 0]  # rows compared, rows at the last call

    def step(rows: int) -> None:
        done[0] += rows
        if progress is not None and done[0] - done[1] >= PROGRESS_EVERY:
            done[1] = done[0]
            progress(done[0], total)

    if progress is not None:
        progress(0, total)
    found: dict[tuple[int, int], dict[str, float]] = {}
    names: dict[int, _Name] = {}
    for column, rows in blocks.items():
        for _key, block in groupby(rows, key=lambda row: row[0]):
            members = [_name_of(names, row) for row in block]
            _pair_block(column, members, found)
            step(len(members))
    pairs = []
    for (low, high), reasons in found.items():
        similarity = reasons.pop("", None)
        if similarity is None:
            similarity = name_similarity(names[low], names[high])
        ordered = tuple(sorted(reasons, key=lambda r: (-REASON_WEIGHTS[r], r)))
        strength = similarity + sum(REASON_WEIGHTS[r] for r in ordered)
        pairs.append(Pair(Side(low), Side(high), ordered, round(similarity, 1), strength))
    pairs.sort(key=lambda p: (-p.strength, p.first.id, p.second.id))
    if limit is not None:
        pairs = pairs[: max(0, limit)]
    _fill_leads(pairs)
    if progress is not None:
        progress(total, total)
    return pairs


def _lead_blocks(column: str) -> list[tuple]:
    """(key, id, name_key, name_fold) of the live leads sharing `column` with another
    live lead, by key then id: the grouping is the database's."""
    sql = (
        f'SELECT l."{column}", l."id", l."name_key", l."name_fold" FROM "lead" l '
        f'WHERE {LIVE_LEAD_SQL} AND l."{column}" IN ('
        f'SELECT l."{column}" FROM "lead" l WHERE {LIVE_LEAD_SQL} '
        f'AND l."{column}" IS NOT NULL AND l."{column}" <> \'\' '
        f'GROUP BY l."{column}" HAVING COUNT(*) > 1) '
        f'ORDER BY l."{column}", l."id"'
    )
    return database.execute_sql(sql).fetchall()


@dataclass(frozen=True)
class _Name:
    """A name as compared: its key, its words folded, and those words in order."""

    id: int
    key: str
    plain: str
    sorted: str
    initials: frozenset[str]


def _prepared(lead_id: int, key: str, folded: str) -> _Name:
    """A lead's name as compared, from its stored key and fold (an empty fold: the key
    folds to itself, models.Lead.name_fold)."""
    words = _WORDS.findall(folded or key)
    initials = frozenset(w for w in words if len(w) == 1 and w.isascii() and w.isalpha())
    return _Name(lead_id, key, " ".join(words), " ".join(sorted(words)), initials)


def _name_of(names: dict[int, _Name], row: tuple) -> _Name:
    _key, lead_id, name_key, name_fold = row
    name = names.get(lead_id)
    if name is None:
        name = names[lead_id] = _prepared(lead_id, name_key or "", name_fold or "")
    return name


def name_similarity(a: _Name, b: _Name) -> float:
    """How alike two prepared names are, 0–100: the better of the plain and the
    word-order-free ratio, and INITIAL_SCORE when an initial stands for a word."""
    from rapidfuzz import fuzz

    score = max(fuzz.ratio(a.plain, b.plain), fuzz.ratio(a.sorted, b.sorted))
    if score < INITIAL_SCORE and (a.initials or b.initials) and _initials_agree(a, b):
        return INITIAL_SCORE
    return score


def _initials_agree(a: _Name, b: _Name) -> bool:
    """Whether the names are the same words but for initials in one standing for words
    of the other ("a kowalska", "anna kowalska"; "j m weiss", "jan maria weiss"), with
    at least one whole word the same (an initial alone says too little)."""
    for one, other in ((a.plain.split(), b.plain.split()), (b.plain.split(), a.plain.split())):
        rest, initials, whole = list(other), [], 0
        for word in one:
            if word in rest:
                rest.remove(word)
                whole += len(word) > 1
            elif len(word) == 1 and word.isalpha():
                initials.append(word)
            else:
                break
        else:
            if (
                initials
                and whole
                and len(rest) == len(initials)
                and all(len(w) > 1 for w in rest)
                and sorted(w[0] for w in rest) == sorted(initials)
            ):
                return True
    return False


def _pair_block(column: str, members: list[_Name], found: dict) -> None:
    """Add the pairs of one block (leads sharing a phone, an email or a company)."""
    if column == "email_key":
        for a, b in _all_pairs(members):
            _add(found, a, b, SAME_EMAIL)
        return
    if column == "phone_e164":
        for a, b in _all_pairs(members):
            similarity = name_similarity(a, b)
            _add(found, a, b, SAME_PHONE, similarity)
            if similarity >= CLOSE_SCORE:
                _add(found, a, b, CLOSE_NAME_PHONE, similarity)
        return
    for a, b, similarity in _close_pairs(members):
        reason = SAME_NAME_COMPANY if a.key == b.key else CLOSE_NAME_COMPANY
        _add(found, a, b, reason, 100.0 if a.key == b.key else similarity)


def _add(found: dict, a: _Name, b: _Name, reason: str, similarity: float | None = None) -> None:
    key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
    reasons = found.setdefault(key, {})
    reasons[reason] = 1.0
    if similarity is not None:
        reasons[""] = max(similarity, reasons.get("", 0.0))


def _all_pairs(members: Sequence[_Name]) -> Iterable[tuple[_Name, _Name]]:
    for index, a in enumerate(members):
        for b in members[index + 1 :]:
            yield a, b


def _close_pairs(members: list[_Name]) -> Iterable[tuple[_Name, _Name, float]]:
    """The pairs of a block whose names are close (CLOSE_SCORE up), with their score."""
    from rapidfuzz import fuzz, process

    seen: set[tuple[int, int]] = set()

    def compare(a: _Name, others: Sequence[_Name]) -> Iterable[tuple[_Name, _Name, float]]:
        if not others:
            return
        hits: dict[int, float] = {}
        for attr in ("plain", "sorted"):
            choices = [getattr(o, attr) for o in others]
            for _match, score, index in process.extract(
                getattr(a, attr),
                choices,
                scorer=fuzz.ratio,
                score_cutoff=CLOSE_SCORE,
                limit=None,
            ):
                hits[index] = max(score, hits.get(index, 0.0))
        for index, other in enumerate(others):
            if (
                (a.initials or other.initials)
                and hits.get(index, 0.0) < INITIAL_SCORE
                and _initials_agree(a, other)
            ):
                hits[index] = INITIAL_SCORE
        for index, score in hits.items():
            b = others[index]
            key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if key not in seen:
                seen.add(key)
                yield a, b, score

    if len(members) <= FULL_BLOCK:
        for index, a in enumerate(members):
            yield from compare(a, members[index + 1 :])
        return
    for attr in ("plain", "sorted"):
        ordered = sorted(members, key=lambda n: (getattr(n, attr), n.id))
        for index, a in enumerate(ordered):
            yield from compare(a, ordered[index + 1 : index + 1 + WINDOW])


def _fill_leads(pairs: list[Pair]) -> None:
    """Each side's name, company, phone, email and owner, read for these pairs only."""
    ids = sorted({i for pair in pairs for i in pair.ids})
    shown: dict[int, Side] = {}
    param = database.obj.param
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join([param] * len(chunk))
        sql = (
            'SELECT l."id", l."name", COALESCE(c."name", \'\'), '
            'COALESCE(NULLIF(l."phone_display", \'\'), l."phone_e164", l."phone_raw", \'\'), '
            'COALESCE(l."email_norm", l."email_raw", \'\'), COALESCE(u."login", \'\'), '
            "COALESCE(l.\"phone_e164\", '') "
            'FROM "lead" l LEFT JOIN "company" c ON c."id" = l."company_id" '
            'LEFT JOIN "user" u ON u."id" = l."owner_id" '
            f'WHERE l."id" IN ({marks})'
        )
        for lead_id, *values in database.execute_sql(sql, chunk):
            shown[lead_id] = Side(lead_id, *values)
    for pair in pairs:
        pair.first, pair.second = shown[pair.first.id], shown[pair.second.id]


# ------------------------------------------------------------------- companies


def possible_duplicate_companies(limit: int | None = None) -> list[Pair]:
    """Pairs of live companies that may be one: the same name once folded (SAME_NAME),
    a close name once their legal form is left out (CLOSE_NAME, COMPANY_CLOSE_SCORE up,
    compared by sorted neighbourhood, in the same country), the same website domain
    (SAME_WEBSITE). Strongest first, at most `limit`; each side with its country,
    website and number of live leads."""
    from rapidfuzz import fuzz

    rows = database.execute_sql(
        'SELECT c."id", c."name", c."name_key", c."website", c."country" FROM "company" c '
        'WHERE c."merged_into_id" IS NULL ORDER BY c."id"'
    ).fetchall()
    companies = {row[0]: row for row in rows}
    found: dict[tuple[int, int], dict[str, float]] = {}
    folded = {row[0]: fold(row[2] or row[1]) for row in rows}
    cores = {cid: _company_core(text) for cid, text in folded.items()}

    def add(a: int, b: int, reason: str) -> None:
        key = (a, b) if a < b else (b, a)
        found.setdefault(key, {})[reason] = 1.0

    for column, reason in ((folded, SAME_NAME), (_websites(rows), SAME_WEBSITE)):
        by_value: dict[str, list[int]] = {}
        for cid, value in column.items():
            if value:
                by_value.setdefault(value, []).append(cid)
        for ids in by_value.values():
            for index, a in enumerate(ids):
                for b in ids[index + 1 :]:
                    add(a, b, reason)
    for order in (lambda c: cores[c], lambda c: " ".join(sorted(cores[c].split()))):
        ordered = sorted((cid for cid in cores if cores[cid]), key=lambda c: (order(c), c))
        for index, a in enumerate(ordered):
            for b in ordered[index + 1 : index + 1 + WINDOW]:
                if folded[a] == folded[b] or not _same_country(companies[a], companies[b]):
                    continue
                score = fuzz.ratio(order(a), order(b), score_cutoff=COMPANY_CLOSE_SCORE)
                if score:
                    add(a, b, CLOSE_NAME)
    pairs = []
    for (low, high), reasons in found.items():
        similarity = 100.0 if SAME_NAME in reasons else _company_similarity(cores, low, high)
        ordered_reasons = tuple(sorted(reasons, key=lambda r: (-REASON_WEIGHTS[r], r)))
        strength = similarity + sum(REASON_WEIGHTS[r] for r in ordered_reasons)
        sides = [
            Side(i, companies[i][1], country=companies[i][4], website=companies[i][3])
            for i in (low, high)
        ]
        pairs.append(Pair(*sides, ordered_reasons, round(similarity, 1), strength))
    pairs.sort(key=lambda p: (-p.strength, p.first.id, p.second.id))
    if limit is not None:
        pairs = pairs[: max(0, limit)]
    _count_people(pairs)
    return pairs


def _same_country(a: tuple, b: tuple) -> bool:
    """A close name in two countries is two companies ("Patel Capital LLP" in GB and
    "Patel Capital LLC" in the US); a company without a country may be either."""
    return not a[4] or not b[4] or a[4] == b[4]


def _company_core(folded: str) -> str:
    """A folded company name without its legal form and punctuation."""
    for form in _CJK_FORMS:
        if folded.endswith(form) and len(folded) > len(form):
            folded = folded[: -len(form)]
            break
    words = _WORDS.findall(folded)
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)


def _company_similarity(cores: dict[int, str], a: int, b: int) -> float:
    from rapidfuzz import fuzz

    one, other = cores[a], cores[b]
    return max(
        fuzz.ratio(one, other),
        fuzz.ratio(" ".join(sorted(one.split())), " ".join(sorted(other.split()))),
    )


def website_domain(website: str) -> str:
    """The host of a website as typed ("https://www.Acme.com/about" → "acme.com"), "" for
    none."""
    text = (website or "").strip().lower()
    if not text:
        return ""
    host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    return host.removeprefix("www.")


def _websites(rows: Sequence[tuple]) -> dict[int, str]:
    return {row[0]: website_domain(row[3]) for row in rows}


def _count_people(pairs: list[Pair]) -> None:
    ids = sorted({i for pair in pairs for i in pair.ids})
    counts: dict[int, int] = {}
    param = database.obj.param
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join([param] * len(chunk))
        sql = (
            f'SELECT l."company_id", COUNT(*) FROM "lead" l WHERE {LIVE_LEAD_SQL} '
            f'AND l."company_id" IN ({marks}) GROUP BY l."company_id"'
        )
        counts.update(database.execute_sql(sql, chunk).fetchall())
    for pair in pairs:
        pair.first.people = counts.get(pair.first.id, 0)
        pair.second.people = counts.get(pair.second.id, 0)
