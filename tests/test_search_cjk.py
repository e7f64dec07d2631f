"""Searching one or two CJK characters: the leads a substring check over the data finds
(SQLite: within the first PAIRED_CHARS characters, by its pairs) on both engines, and on
PostgreSQL through the index of CJK grams (list_index.cjk_grams_sql) rather than a scan of
every lead."""

from __future__ import annotations

import peewee
import pytest

from funnel_tui.core.vocab import LEAD_STATUSES
from funnel_tui.read import search, search_terms
from funnel_tui.read.search import LeadQuery, lead_count, lead_page, status_counts
from funnel_tui.storage import list_index as indexmod
from funnel_tui.storage.models import Lead

from .test_search import _add, _found_by, plan  # noqa: F401 (a fixture)


def _postgres(db: peewee.Database) -> bool:
    return isinstance(db, peewee.PostgresqlDatabase)


def _ids(text: str) -> set[int]:
    return {row["id"] for row in lead_page(LeadQuery(text=text), 0, 1000)}


@pytest.fixture
def names(rules):
    """CJK names and companies: pairs within a given name (小明) and across the surname
    (王小), a character deep in a long company name, kana, Hangul, and Latin beside them."""
    made = {
        "ming": _add(rules, "王小明", company="台北精密"),
        "wanglin": _add(rules, "王林", email="wang.lin@hqe.cn"),
        "lin": _add(rules, "林志玲", company="台灣股份有限公司"),
        "xiaoming": _add(rules, "陈小明", company="广东电子"),
        "taro": _add(rules, "山田 太郎", company="株式会社大阪若松システムソリューションズ東日本"),
        "kana": _add(rules, "さとう はなこ"),
        "korean": _add(rules, "김민준", company="삼성전자"),
        "anna": _add(rules, "Anna Wang 王", company="Acme 有限公司"),
        "latin": _add(rules, "Dawid Wójcik", company="Kowalski Logistyka"),
    }
    rules.set_status(made["lin"].id, "unqualified", reason="no budget")
    rules.log_activity(lead_id=made["ming"].id, kind="call", outcome="reached")
    return {key: lead.id for key, lead in made.items()}


def _probes() -> list[str]:
    """Every one and two neighbouring characters of the leads' names and companies, and
    text that none holds."""
    found = {"龘", "龘龘", "明王", "王 明", "小明 王", "小明 精密", "王a", "a王"}
    found |= {"3号楼", "陳", "東日", "本"}
    for lead in Lead.select():
        for text in (lead.name, lead.company.name if lead.company else ""):
            found.update(text)
            found.update(text[i : i + 2] for i in range(len(text) - 1))
    return sorted(t for t in found if t.strip())


def test_short_cjk_searches_find_what_the_rules_say(names, plan):  # noqa: F811
    """In each of SQLite's plans (test_search.plan): a lone character is found as a
    pair's start or end, by the index and by the test of each row's document."""
    leads = list(Lead.select())
    for text in _probes():
        expected = {lead.id for lead in leads if _found_by(lead, text)}
        assert _ids(text) == expected, text
        query = LeadQuery(text=text)
        assert lead_count(query) == lead_count(query, cap=1000) == len(expected), text
        per_status = {
            s: sum(lead.status == s for lead in leads if lead.id in expected) for s in LEAD_STATUSES
        }
        assert status_counts(query) == per_status, text


def test_names_found_by_one_or_two_cjk_characters(names):
    assert _ids("小明") == {names["ming"], names["xiaoming"]}  # the given name
    assert _ids("王小") == {names["ming"]}  # across surname and given name
    assert _ids("王") == {names["ming"], names["wanglin"], names["anna"]}
    assert _ids("林") == {names["wanglin"], names["lin"]}
    assert _ids("股份") == {names["lin"]}  # in a company
    assert _ids("有限") == {names["lin"], names["anna"]}
    assert _ids("민준") == {names["korean"]}
    assert _ids("はな") == {names["kana"]}
    assert _ids("小明 王") == {names["ming"]}  # two words, each somewhere
    for nothing in ("龘", "龘龘", "明王", "小王"):
        assert _ids(nothing) == set(), nothing
        assert lead_count(LeadQuery(text=nothing), cap=1000) == 0
        assert set(status_counts(LeadQuery(text=nothing)).values()) == {0}


def test_cjk_grams_of_typed_words():
    assert search_terms.cjk_grams(("王",)) == ["王"]
    assert search_terms.cjk_grams(("王小明", "林")) == ["王小", "小明", "林"]
    assert search_terms.cjk_grams(("3号楼", "anna", "a王b")) == ["号楼", "王"]
    assert search_terms.cjk_grams(("", "kowal")) == []


def _bulk_leads(db: peewee.Database, model_id: int, count: int) -> None:
    """`count` copies of lead `model_id` in one statement, named with two CJK characters
    that are neither 王 nor 小 (U+4E00.. and U+6000..) or in Latin letters."""
    columns = [f.column_name for f in Lead._meta.sorted_fields if f.column_name != "id"]
    named = {
        "name": "n",
        "name_key": "n",
        "name_fold": "''",
        "email_raw": "'p' || g || '@bulk.example'",
        "email_norm": "'p' || g || '@bulk.example'",
        "email_key": "'p' || g || '@bulk.example'",
    }
    values = [named.get(c, f'l."{c}"') for c in columns]
    name = (
        "CASE WHEN g % 3 = 0 THEN 'Anna Nowak ' || g "
        "ELSE chr(19968 + g % 300) || chr(24576 + g % 500) END"
    )
    into = ", ".join(f'"{c}"' for c in columns)
    sql = (
        f'INSERT INTO "lead" ({into}) SELECT {", ".join(values)} FROM "lead" l, '
        f"LATERAL (SELECT g, {name} AS n FROM generate_series(1, {count}) g) s "
        f'WHERE l."id" = {model_id}'
    )
    db.execute_sql(sql.replace("%", "%%"))  # no parameters, but psycopg2 reads % marks


def _plans(monkeypatch) -> list[tuple[str, str]]:
    """(statement, its plan) of each search statement the list runs from now on."""
    seen: list[tuple[str, str]] = []
    run = search._Plan.run

    def explained(search_plan, sql, params):
        if "@>" in sql:
            lines = run(search_plan, "EXPLAIN " + sql, params)
            seen.append((sql, "\n".join(line[0] for line in lines)))
        return run(search_plan, sql, params)

    monkeypatch.setattr(search._Plan, "run", explained)
    return seen


def test_postgres_looks_short_cjk_up_in_the_grams_index(db, rules, monkeypatch):
    if not _postgres(db):
        pytest.skip("SQLite's FTS5 documents hold the pairs (test_search)")
    ming = _add(rules, "王小明", company="台北精密").id
    lin = _add(rules, "王林").id
    _bulk_leads(db, _add(rules, "Model Lead").id, 4000)
    db.execute_sql('ANALYZE "lead"')
    seen = _plans(monkeypatch)
    for text, found in (("王", {ming, lin}), ("王小", {ming}), ("龘龘", set())):
        query = LeadQuery(text=text)
        assert _ids(text) == found, text
        assert lead_count(query, cap=1000) == lead_count(query) == len(found)
        assert sum(status_counts(query).values()) == len(found)
    assert len(seen) >= 9  # each text's page, capped count, count and counts per status
    for sql, explained in seen:
        assert indexmod.PG_GRAMS_INDEX in explained, (sql, explained)
        assert "Seq Scan on lead" not in explained, (sql, explained)
    # Without pg_trgm (a server without contrib) three CJK characters are looked up by
    # their pairs too, not scanned.
    db.execute_sql(f'DROP INDEX "{indexmod.PG_TRIGRAM_INDEX}"')
    seen.clear()
    assert _ids("王小明") == {ming}
    assert seen and all(indexmod.PG_GRAMS_INDEX in explained for _sql, explained in seen)


def test_a_schema_15_database_gets_the_grams_index(db_target, config):
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage import schema
    from funnel_tui.storage.database import close_database, open_database

    from .legacy_schema import undo_schema_16

    database = open_database(db_target)
    rules = Funnel(config, "olga")
    ming = _add(rules, "王小明", company="台北精密").id
    _add(rules, "Anna Nowak")
    with database.atomic():
        undo_schema_16(database)
        schema.set_meta("schema_version", "15")
    close_database()

    database = open_database(db_target)
    assert schema.stored_version(database) == schema.SCHEMA_VERSION == 17
    postgres = _postgres(database)
    assert (indexmod.PG_GRAMS_INDEX in indexmod.list_index_names(database)) == postgres
    assert _ids("小明") == _ids("王小") == _ids("精") == {ming}
    if postgres:
        # The migration gave the planner its statistics of the new expression.
        analysed = database.execute_sql(
            "SELECT 1 FROM pg_stats WHERE tablename = %s", (indexmod.PG_GRAMS_INDEX,)
        ).fetchone()
        assert analysed
    _add(Funnel(config, "olga"), "李小龍")  # and written by every insert from then on
    assert len(_ids("小")) == 2
