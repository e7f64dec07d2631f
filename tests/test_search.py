"""The lead list's queries on SQLite and PostgreSQL: search as you type, filters, sorts,
stable paging and counts from the database."""

from __future__ import annotations

import datetime as dt
import zlib

import peewee
import pytest

from funnel_tui.core.folding import fold
from funnel_tui.core.validators import normalise_key
from funnel_tui.core.vocab import LEAD_STATUSES
from funnel_tui.read import search, search_terms
from funnel_tui.read.queries import (
    PAGE_KEYS,
    SORT_KEYS,
    LeadFilter,
    LeadQuery,
    lead_count,
    lead_page,
    list_leads,
    parse_search,
    status_counts,
)
from funnel_tui.read.search import one_answer
from funnel_tui.storage.list_index import PAIRED_CHARS
from funnel_tui.storage.models import Company, Lead, User, database


def _ids(text: str, **kw) -> list[int]:
    return [row["id"] for row in lead_page(LeadQuery(text=text, **kw), 0, 1000)]


def _add(rules, name: str, **data):
    if "phone" not in data and "email" not in data:
        # An address made of characters no hostile search below contains.
        data["email"] = f"h{zlib.crc32(name.encode())}@q.qq"
    return rules.capture_lead({"name": name, **data}, allow_duplicate=True)


def _sqlite() -> bool:
    import peewee

    from funnel_tui.storage.models import database

    return isinstance(database.obj, peewee.SqliteDatabase)


def _found_by(lead: Lead, text: str) -> bool:
    """Whether a search for `text` should list `lead`, by the rules search.py documents
    (worked out here in Python from the lead's fields)."""
    terms = parse_search(text)
    if terms is None:
        return True
    email = lead.email_key or lead.email_raw.lower()
    phone = lead.phone_e164 or ""
    display = lead.phone_display
    national = "".join(ch for ch in display[display.find(" ") + 1 :] if ch.isdigit())
    fields = (fold(lead.name_key), fold(lead.company_key), email, phone, national)
    if terms.phone:
        return any((phone if s[0] == "+" else national).startswith(s) for s in terms.starts)
    cjk_fields = [f[:PAIRED_CHARS] for f in fields[:2] if any(_cjk(ch) for ch in f)]
    if _sqlite() and terms.short:
        if _cjk_pair(terms.whole) and any(terms.whole in f for f in cjk_fields):
            return True
        one_cjk = len(terms.whole) == 1 and _cjk(terms.whole)
        if one_cjk and any(terms.whole in f for f in cjk_fields if len(f) > 1):
            return True
        return any(f.startswith(terms.whole) for f in fields)
    document = "\x1f".join(fields)
    words = terms.words
    if _sqlite() and all(len(w) < search_terms.MIN_TRIGRAM and not _cjk_pair(w) for w in words):
        words = (terms.whole,)  # short words only: SQLite looks the text up whole
    return all(w in document for w in words)


def _cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3"


def _cjk_pair(word: str) -> bool:
    return len(word) == 2 and all(_cjk(ch) for ch in word)


@pytest.fixture(params=["read", "probe", "each", "deep"])
def plan(request, monkeypatch):
    """Run a test with every way SQLite can run a list query: a search's matches read by
    id and sorted (few matches), or an index walked while probing the matches (many),
    or while testing the search document of each row passed (most leads match); and
    every page taken as a deep one (filtered ids first, then probed). Small test
    databases would otherwise only ever take some of them."""
    share = 1.0 if request.param == "read" else 0.0
    monkeypatch.setattr(search, "ROW_CHECK_FACTOR", 0.0 if request.param == "each" else 1e12)
    monkeypatch.setattr(search, "PROBE_PAGE_FACTOR", 1e12 if request.param == "read" else 0.0)
    monkeypatch.setattr(search, "PROBE_COUNT_ABOVE", share)
    if request.param == "deep":
        monkeypatch.setattr(search, "DEEP_OFFSET", 0)
        monkeypatch.setattr(search._Plan, "sorts_matches", lambda *args: False)
    return request.param


@pytest.fixture
def people(rules):
    """A handful of leads in several scripts, countries and companies."""
    leads = {
        "lucja": _add(
            rules,
            "Łucja Kowalska",
            company="Kowalski Logistyka",
            phone="+48 512 345 678",
            email="Lucja.Kowalska@kowalski.pl",
            country="PL",
        ),
        "dawid": _add(rules, "Dawid Wójcik", company="Kowalski Logistyka", email="dawid@gmail.com"),
        "ming": _add(rules, "王小明", company="台北精密", phone="0912 345 678", country="TW"),
        "taro": _add(rules, "山田 太郎", phone="090-1234-5678", country="JP"),
        "ann": _add(
            rules, "Ann Miller", company="Miller & Sons", phone="(201) 555-0123", country="US"
        ),
        "hans": _add(
            rules,
            "Hans Müller",
            company="Straße Bau GmbH",
            phone="0151 29876543",
            email="h.mueller@strasse-bau.de",
            country="DE",
        ),
    }
    return {key: lead.id for key, lead in leads.items()}


# ------------------------------------------------------------------------ searching


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("kowalska", {"lucja"}),
        ("OWALSKA", {"lucja"}),  # inside a word, any case
        ("owals", {"lucja", "dawid"}),  # …and in the company, Kowalski Logistyka
        ("łucja", {"lucja"}),
        ("ŁUCJA KOW", {"lucja"}),
        ("kowalska łucja", {"lucja"}),  # words in any order
        ("Wójcik", {"dawid"}),
        ("müller", {"hans"}),
        ("王小", {"ming"}),  # two CJK characters
        ("王小明", {"ming"}),
        ("小明", {"ming"}),  # two CJK characters inside a name
        ("山田", {"taro"}),
        ("山田 太郎", {"taro"}),
        ("太郎", {"taro"}),
        ("田 太", {"taro"}),  # two words of one CJK character each: the text whole
        ("小明 kowal", set()),  # every word must match
        ("精密 王", {"ming"}),  # a CJK pair and a one-character word
        ("ow", set()),  # two Latin letters: only the start of a field, on SQLite
    ],
)
def test_search_by_name(people, text, who):
    if not _sqlite() and text == "ow":
        who = {"lucja", "dawid"}  # PostgreSQL matches short text anywhere
    assert set(_ids(text)) == {people[k] for k in who}


def test_letters_are_found_however_they_are_spelt(people):
    # Accents and the letters without a separable one fold both ways.
    assert _ids("Wojcik") == _ids("WÓJCIK") == [people["dawid"]]
    assert _ids("Muller") == [people["hans"]]
    assert _ids("hans müller") == [people["hans"]]
    assert _ids("Lucja") == _ids("łucja") == [people["lucja"]]
    assert _ids("Strasse Bau") == [people["hans"]]
    # Full-width letters and digits, as a CJK keyboard types them.
    assert _ids("ＭＵＬＬＥＲ") == [people["hans"]]
    assert _ids("０５１２ ３４５ ６７８") == [people["lucja"]]


def test_more_spellings_are_found(rules):
    names = {
        "Jürgen Groß": ("jurgen", "gross", "JURGEN GROSS"),
        "Søren Ærø": ("soren", "aero"),
        "Paweł Łęcki": ("pawel lecki", "lecki"),
        "Đorđe Þórsson": ("dorde", "thorsson"),
        "José Núñez": ("jose nunez",),
    }
    made = {name: _add(rules, name).id for name in names}
    for name, searches in names.items():
        for text in searches:
            assert _ids(text) == [made[name]], text
            assert _ids(name) == [made[name]], name  # as typed, too


def test_traditional_and_simplified_chinese_find_each_other(rules):
    traditional = _add(rules, "陳志明", company="台灣電子股份有限公司").id
    simplified = _add(rules, "陈国华", company="广东电子").id
    assert _ids("陈志明") == _ids("陳志明") == [traditional]
    assert _ids("陳國華") == _ids("陈国华") == [simplified]
    assert _ids("台湾电子") == [traditional]
    assert set(_ids("電子")) == {traditional, simplified}


def test_one_cjk_character_finds_the_names_it_is_part_of(rules):
    wang = _add(rules, "王林").id
    lin = _add(rules, "林志玲").id
    _add(rules, "陈小明")
    assert set(_ids("林")) == {wang, lin}
    assert _ids("玲") == [lin]  # the last character of a longer name
    assert _ids("志") == [lin]  # and one in the middle


def test_casefolding_matches_like_the_name_keys(people):
    # "Straße" is keyed "strasse": both spellings find it, in any case.
    assert _ids("STRASSE BAU") == [people["hans"]]
    assert _ids("straße") == [people["hans"]]


def test_search_by_company(people):
    assert set(_ids("logistyka")) == {people["lucja"], people["dawid"]}
    assert _ids("Miller & Sons") == [people["ann"]]
    assert _ids("台北精") == [people["ming"]]
    assert _ids("台北") == [people["ming"]]  # the start of the company
    assert _ids("精密") == [people["ming"]]  # a CJK word inside the company


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("lucja.kowalska@kowalski.pl", {"lucja"}),
        ("LUCJA.KOWALSKA@", {"lucja"}),
        ("@kowalski", {"lucja"}),
        ("kowalski.pl", {"lucja"}),
        ("gmail", {"dawid"}),
        ("dawid@", {"dawid"}),
        ("strasse-bau.de", {"hans"}),
    ],
)
def test_search_by_email_part(people, text, who):
    assert set(_ids(text)) == {people[k] for k in who}


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("+48 512 345 678", "lucja"),
        ("+48512345678", "lucja"),
        ("0048 512 345 678", "lucja"),  # international prefix
        ("0512 345 678", "lucja"),  # a trunk zero, typed from habit
        ("512-345-678", "lucja"),
        ("512 345", "lucja"),
        ("+48 51", "lucja"),
        ("48 512", "lucja"),  # the international number without its +
        ("(201) 555-0123", "ann"),
        ("201-555-0123", "ann"),
        ("+1 201 555 0123", "ann"),
        ("0151 2987 6543", "hans"),
        ("+49 1512 9876543", "hans"),
        ("0912-345-678", "ming"),
        ("+886 912 345 678", "ming"),
        ("090 1234 5678", "taro"),
        ("+81 90-1234-5678", "taro"),
    ],
)
def test_a_number_in_any_format_finds_its_e164(people, text, who):
    assert _ids(text) == [people[who]]


@pytest.mark.parametrize(
    "text", ["+4", "+48", "48", "0", "+", "4", "ł", "王", "d", "dA", "小明", "北精", "明台", "田"]
)
def test_one_or_two_characters_search_too(people, text):
    expected = {lead.id for lead in Lead.select() if _found_by(lead, text)}
    assert set(_ids(text)) == expected
    if text in ("+4", "+48", "ł", "王", "d"):  # the start of a phone, name, or email
        assert expected


def test_digits_inside_a_number_are_not_looked_for(people):
    assert _ids("555.0123") == []  # the end of +1 201 555 0123
    assert _ids("345 678") == []  # the end of +48 512 345 678
    assert _ids("2987 6543") == []  # the end of +49 151 2987 6543
    assert _ids("151") == _ids("0151") == [people["hans"]]  # its national number's start


def test_the_trunk_prefix_of_the_users_region_means_its_national_number(rules):
    berlin = _add(rules, "Jonas Berg", phone="+49 151 2345 6789").id
    lodz = _add(rules, "Ola Wit", phone="+48 151 234 567").id  # a Polish 151…
    both = {berlin, lodz}
    assert set(_ids("0151", region="DE")) == {berlin}  # a German mobile prefix
    assert set(_ids("0151 2345", region="DE")) == {berlin}
    assert set(_ids("151", region="DE")) == both  # the start of a national number
    assert set(_ids("0151", region="PL")) == both  # PL has no trunk prefix
    assert set(_ids("0151")) == both  # nor does "no region"
    assert set(_ids("+48 151", region="DE")) == {lodz}
    assert set(_ids("0048 151", region="DE")) == {lodz}
    us = _add(rules, "Amy Fox", phone="+1 212 555 0199").id
    assert _ids("1 212 555", region="US") == [us]  # the US trunk prefix is 1
    assert _ids("212 555", region="US") == [us]


def test_parse_search_reads_phone_numbers_and_words():
    assert parse_search("  ") is None
    assert parse_search("\x1b[31m") is not None  # escape codes are removed, "[31m" stays
    assert parse_search("0512 345 678").words == ("0512345678",)
    assert parse_search("0512 345 678").starts == ("+512345678", "512345678")
    assert parse_search("0512 345 678").phone
    assert parse_search("+48 (512) 345-678").starts == ("+48512345678",)
    assert parse_search("0048 512").starts == ("+48512",)
    assert parse_search("0151 23", "DE").starts == ("+4915123",)
    assert parse_search("Müller").words == ("muller",)
    assert parse_search("Jan  KOWALSKI jan").words == ("jan", "kowalski")
    assert not parse_search("Jan 512").phone


# ------------------------------------------------------------------- kept in sync


def test_new_captures_are_found_at_once(rules, people):
    assert _ids("zuzanna") == []
    new = _add(rules, "Zuzanna Nowak", email="zuza@onet.pl")
    assert _ids("zuzanna") == [new.id]
    assert _ids("onet.pl") == [new.id]


def test_update_lead_moves_it_in_the_search(rules, people):
    lucja = people["lucja"]
    rules.update_lead(
        lucja,
        {
            "name": "Łucja Nowicka",
            "email": "l.nowicka@wp.pl",
            "phone": "+48 601 234 567",
            "company": "Bałtyk Trans",
        },
    )
    assert _ids("kowalska") == []
    assert _ids("nowicka") == [lucja]
    assert _ids("lucja.kowalska@") == [] and _ids("nowicka@wp") == [lucja]
    assert _ids("512 345 678") == [] and _ids("601 234 567") == [lucja]
    assert _ids("bałtyk") == [lucja]
    assert _ids("logistyka") == [people["dawid"]]
    assert Lead.get_by_id(lucja).company_key == "bałtyk trans"
    rules.update_lead(lucja, {"company": ""})
    assert _ids("bałtyk") == []
    assert Lead.get_by_id(lucja).company_key == ""


def test_a_company_renamed_is_found_under_its_new_name(people):
    company = Company.get(Company.name == "Kowalski Logistyka")
    Company.update(name="Nowak Cargo", name_key=normalise_key("Nowak Cargo")).where(
        Company.id == company.id
    ).execute()
    assert _ids("logistyka") == []
    assert set(_ids("nowak cargo")) == {people["lucja"], people["dawid"]}
    assert lead_page(LeadQuery(text="cargo", sort="name"), 0, 5)[0]["company"] == "Nowak Cargo"


def test_a_lead_inserted_without_its_company_key_gets_it(rules, people):
    """Writers may leave company_key out: the database fills it from the company."""
    company = Company.get(Company.name == "Miller & Sons")
    lead = Lead.create(
        name="Bob Stone",
        name_key="bob stone",
        company=company.id,
        email_raw="bob@stone.example",
        email_norm="bob@stone.example",
        owner=User.get().id,
        created_by=User.get().id,
        created_at=dt.datetime(2026, 1, 1),
        updated_at=dt.datetime(2026, 1, 1),
    )
    assert Lead.get_by_id(lead.id).company_key == "miller & sons"
    assert set(_ids("miller & sons")) == {people["ann"], lead.id}


def test_deleted_leads_and_companies_leave_the_search(people):
    Lead.delete().where(Lead.id == people["taro"]).execute()
    assert _ids("山田") == []
    company = Company.get(Company.name == "Miller & Sons")
    Company.delete().where(Company.id == company.id).execute()
    assert _ids("miller & sons") == []
    assert Lead.get_by_id(people["ann"]).company_key == ""
    assert _ids("ann miller") == [people["ann"]]


# --------------------------------------------------------------- hostile text


HOSTILE_NAMES = (
    "[bold]x Bold",
    "100% Gold",
    "Ann_Smith",
    "O'Brien",
    'Say "Hi"',
    "NEAR(me) Near",
    "Star* Power",
    "Black OR White",
    "Back\\slash",
    "Semi; -- colon",
)


@pytest.mark.parametrize(
    "text",
    [
        "[bold]",
        "[bold]x",
        "0% g",
        "n_s",
        "o'b",
        "'",
        '"hi"',
        '"',
        '""',
        "near(",
        "NEAR(me)",
        "ar*",
        "*",
        " or ",
        "OR",
        "k\\s",
        "; --",
        "%",
        "_",
        "%%%",
        "x' OR '1'='1",
        'a" OR "b',
        "^",
        "-",
        "NOT",
        "AND",
        ":",
        "doc:",
        "{",
    ],
)
def test_hostile_search_text_is_matched_literally(rules, text):
    for name in HOSTILE_NAMES:
        _add(rules, name)
    _add(rules, "Plain Person")
    found = set(_ids(text))
    assert found == {lead.id for lead in Lead.select() if _found_by(lead, text)}
    assert len(found) < len(HOSTILE_NAMES) + 1  # no wildcard matched everyone
    assert lead_count(LeadQuery(text=text)) == len(found)
    assert sum(status_counts(LeadQuery(text=text)).values()) == len(found)


def test_hostile_names_are_found_by_what_they_contain(rules):
    ids = {name: _add(rules, name).id for name in HOSTILE_NAMES}
    for name, text in [
        ("100% Gold", "0% g"),
        ("Ann_Smith", "n_s"),
        ("O'Brien", "o'b"),
        ('Say "Hi"', '"hi"'),
        ("NEAR(me) Near", "near(me)"),
        ("Star* Power", "star*"),
        ("Black OR White", "k or w"),
        ("Back\\slash", "k\\s"),
        ("[bold]x Bold", "[bold]x"),
    ]:
        assert _ids(text) == [ids[name]], text


# --------------------------------------------------------------- sorts and pages


@pytest.fixture
def crowd(rules, config, clock):
    """40 leads with ties in every sort column (same names, companies, countries)."""
    from funnel_tui.rules.funnel import Funnel

    others = [Funnel(config, login, clock) for login in ("bob", "zoe")]
    countries = ("PL", "DE", "", "TW")
    for i in range(40):
        if i % 2:  # capture times in pairs: ties, and an order to sort by
            clock.advance(hours=1)
        who = (rules, *others)[i % 3]
        lead = _add(
            who,
            ("Anna Nowak", "anna nowak", "Zbigniew Ząb", "Émile Zola", "李四")[i % 5],
            company=("", "Acme", "Beta", "acme")[i % 4],
            country=countries[i % 4],
            source=rules.config.lead_sources[i % 3],
            email=f"p{i}@crowd.example",
        )
        if i % 4 == 1:
            rules.answer(lead.id, "budget", "yes")
        if i % 5 == 2:
            rules.answer(lead.id, "need", "yes")
        if i % 6 == 3:
            rules.set_status(lead.id, "unqualified", reason="no budget")
        elif i % 6 == 4:
            rules.log_activity(lead_id=lead.id, kind="call", outcome="reached")
        if i % 7 == 0:  # engagement of several ages, and of two interactions (i = 28)
            ago = dt.timedelta(days=i, hours=i)
            rules.log_activity(
                lead_id=lead.id,
                kind="email",
                direction="inbound",
                outcome="replied",
                occurred_at=rules.now() - ago,
            )
    return [row["id"] for row in lead_page(LeadQuery(sort="created_at"), 0, 100)]


def _python_order(sort: str, descending: bool) -> list[int]:
    from funnel_tui.core.vocab import FUNNEL_LEVELS

    def key(lead: Lead):
        value = {
            "name": lead.name_fold or lead.name_key,
            "company": lead.company_fold or lead.company_key,
            "status": LEAD_STATUSES.index(lead.status),
            "level": FUNNEL_LEVELS.index(lead.level),
            "source": lead.source,
            "owner": lead.owner.login,
            "score": lead.score,
            "created_at": lead.created_at,
            "country": lead.country,
            # No two-way interaction: the least engaged of all.
            "engagement": (float("-inf") if lead.engagement_key is None else lead.engagement_key),
        }[sort]
        return (value, lead.id)

    return [lead.id for lead in sorted(Lead.select(), key=key, reverse=descending)]


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_every_sort_orders_by_its_column_then_id_and_pages_add_up(crowd, sort):
    for descending in (False, True):
        query = LeadQuery(sort=sort, descending=descending)
        whole = [row["id"] for row in lead_page(query, 0, 1000)]
        assert whole == _python_order(sort, descending)
        pages = [row["id"] for start in range(0, 45, 7) for row in lead_page(query, start, 7)]
        assert pages == whole
        assert lead_page(query, 40, 10) == []


def test_status_and_level_sort_in_funnel_order(crowd, rules):
    rows = lead_page(LeadQuery(sort="status", descending=False), 0, 100)
    seen = list(dict.fromkeys(row["status"] for row in rows))
    assert seen == [s for s in LEAD_STATUSES if s in seen] and len(seen) >= 3


def test_page_rows_carry_the_list_columns(people):
    rows = lead_page(LeadQuery(sort="name", descending=False), 0, 100)
    assert all(tuple(row) == PAGE_KEYS for row in rows)
    hans = next(row for row in rows if row["id"] == people["hans"])
    assert hans["company"] == "Straße Bau GmbH"
    assert hans["phone_e164"] == "+4915129876543" and hans["owner"] == "alice"
    assert isinstance(hans["created_at"], dt.datetime)
    assert next(row for row in rows if row["id"] == people["taro"])["company"] == ""


def test_names_sort_by_their_letters_without_accents_from_an_index(rules):
    """Ł with the L's and Ä with the A's, not after Z (as Polish and German readers look
    for them), in the list and the command line alike, each page read from an index."""
    names = ["Zając", "Łukasz Lis", "Mazur", "Ärger", "Adam", "Lars", "Żaneta", "Bob"]
    for name in names:
        _add(rules, name, company=name.split()[0] + " sp.")
    expected = ["Adam", "Ärger", "Bob", "Lars", "Łukasz Lis", "Mazur", "Zając", "Żaneta"]
    for sort in ("name", "company"):
        rows = lead_page(LeadQuery(sort=sort, descending=False), 0, 20)
        assert [row["name"] for row in rows] == expected, sort
        listed = list_leads(rules.config, LeadFilter(sort=sort))
        assert [row["name"] for row in listed] == expected, sort
        if _sqlite():
            order = search._SORT_SQL[sort]
            plan = search.database.execute_sql(
                f'EXPLAIN QUERY PLAN SELECT l."id" FROM "lead" l ORDER BY {order}, l."id" LIMIT 5'
            ).fetchall()
            assert not any("TEMP B-TREE" in step[-1] for step in plan), plan


def test_an_unknown_sort_is_refused(people):
    with pytest.raises(ValueError, match="sort must be one of"):
        lead_page(LeadQuery(sort="notes"), 0, 10)


# ------------------------------------------------------------ filters and counts


def _matches(lead: Lead, query: LeadQuery, use_statuses: bool = True) -> bool:
    return (
        (not use_statuses or not query.statuses or lead.status in query.statuses)
        and (not query.levels or lead.level in query.levels)
        and (not query.sources or lead.source in query.sources)
        and (not query.owner or lead.owner.login == query.owner)
        and (query.min_score is None or lead.score >= query.min_score)
        and _found_by(lead, query.text)
    )


QUERIES = [
    LeadQuery(),
    LeadQuery(statuses=("new",)),
    LeadQuery(statuses=("new", "unqualified"), owner="bob"),
    LeadQuery(owner="zoe", min_score=20),
    LeadQuery(text="anna", statuses=("working",)),
    LeadQuery(text="nowak", owner="alice", sources=("Web form", "Trade show")),
    LeadQuery(text="zbigniew", min_score=1, sort="score"),
    LeadQuery(levels=("lead",), min_score=25),
    LeadQuery(levels=("prospect",)),
    LeadQuery(text="李四", sort="owner"),
    LeadQuery(owner="nobody"),
    LeadQuery(text="no such person"),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
# Every plan and filter at once: the single cases run under the shifted clocks too.
@pytest.mark.clock_free
def test_filters_combine_and_counts_agree(crowd, plan, query):
    leads = list(Lead.select())
    expected = {lead.id for lead in leads if _matches(lead, query)}
    assert {row["id"] for row in lead_page(query, 0, 1000)} == expected
    assert lead_count(query) == len(expected)
    by_status = {
        s: sum(1 for lead in leads if lead.status == s and _matches(lead, query, False))
        for s in LEAD_STATUSES
    }
    # The header counts ignore the status filter, whatever it is.
    assert status_counts(query) == by_status
    assert status_counts(query) == status_counts(LeadQuery(**{**query.__dict__, "statuses": ()}))
    if not query.statuses:
        assert sum(by_status.values()) == len(expected)


def test_searches_page_stably_in_every_plan(crowd, plan):
    for sort in ("name", "owner", "status", "created_at"):
        query = LeadQuery(text="nowak", sort=sort)
        whole = [row["id"] for row in lead_page(query, 0, 100)]
        assert len(whole) == 16
        assert [r["id"] for s in range(0, 16, 5) for r in lead_page(query, s, 5)] == whole


@pytest.mark.parametrize(
    "query",
    [
        LeadQuery(statuses=("new", "working")),
        LeadQuery(owner="bob", min_score=1),
        LeadQuery(text="nowak", levels=("lead",)),
        LeadQuery(text="a", sources=("Web form",)),
    ],
    ids=["statuses", "owner+score", "search+level", "short search+source"],
)
# Every plan, sort and page: the single cases run under the shifted clocks too.
@pytest.mark.clock_free
def test_filtered_lists_sort_and_page_alike_in_every_plan(crowd, plan, query):
    wanted = {lead.id for lead in Lead.select() if _matches(lead, query)}
    assert len(wanted) > 3
    for sort in SORT_KEYS:
        for descending in (False, True):
            order = [i for i in _python_order(sort, descending) if i in wanted]
            q = LeadQuery(**{**query.__dict__, "sort": sort, "descending": descending})
            pages = [r["id"] for start in range(0, 45, 4) for r in lead_page(q, start, 4)]
            assert pages == order, (sort, descending)


def test_score_filter_keeps_leads_at_or_above(crowd):
    scores = sorted(lead.score for lead in Lead.select())
    assert scores[0] < scores[-1]  # the crowd has different scores
    threshold = scores[len(scores) // 2]
    rows = lead_page(LeadQuery(min_score=threshold, sort="score"), 0, 100)
    assert rows and all(row["score"] >= threshold for row in rows)
    assert len(rows) == sum(1 for s in scores if s >= threshold)


def test_count_cap_means_more_than(crowd):
    assert lead_count(LeadQuery()) == 40
    assert lead_count(LeadQuery(), cap=10) == 11
    assert lead_count(LeadQuery(statuses=("new",)), cap=3) == 4
    assert lead_count(LeadQuery(text="nowak"), cap=100) == 16
    assert lead_count(LeadQuery(text="nowak"), cap=5) == 6


def test_a_typed_search_counts_its_matches_only_as_far_as_it_needs(crowd, monkeypatch):
    """A keystroke's count (capped) and page count the search's matches up to what their
    choices need, not all of them (35 ms for a lone "+" at 1M leads); an exact count
    still counts all, and every answer is the same."""
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        pytest.skip("SQLite's FTS5 counts; PostgreSQL has none to bound")
    monkeypatch.setattr(search, "FIRST_COUNT", 3)
    counts: list[str] = []
    run = search._Plan.run

    def seen(self, sql, params):
        if "COUNT(*)" in sql and "MATCH" in sql:
            counts.append(sql)
        return run(self, sql, params)

    monkeypatch.setattr(search._Plan, "run", seen)
    query = LeadQuery(text="nowak")
    with one_answer():
        assert lead_count(query, cap=5) == 6
        assert len(lead_page(query, 0, 100)) == 16
    assert counts and all("LIMIT ?" in sql for sql in counts)
    counts.clear()
    assert lead_count(query) == 16
    assert any("LIMIT ?" not in sql for sql in counts)


def test_an_empty_database_lists_nothing(db):
    assert lead_page(LeadQuery(), 0, 50) == []
    assert lead_page(LeadQuery(text="x"), 0, 50) == []
    assert lead_count(LeadQuery(text="kowal")) == 0
    assert status_counts(LeadQuery(text="kowal")) == dict.fromkeys(LEAD_STATUSES, 0)
