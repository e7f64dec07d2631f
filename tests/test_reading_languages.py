"""The reading side in the rep's language: a lead's record and a company's as `funnel
show` and `funnel company show` write them, why two leads look alike, the forecast report,
a list's refusals and the rules' refusals and phrases that read with them, each read in
German, Polish and Traditional Chinese from real rules on a real database under a pinned
clock; English as it always read, and the keys scripts read the same in every language."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.core.errors import FilterRefused, Refused, ReportError
from funnel_tui.core.i18n import use_language
from funnel_tui.read.companies import company_record
from funnel_tui.read.company_text import company_as_text, list_row
from funnel_tui.read.duplicates import possible_duplicates
from funnel_tui.read.queries import lead_record, parse_filter
from funnel_tui.read.record_text import record_as_dict, record_as_text
from funnel_tui.read.reports import Period, Request, run_report
from funnel_tui.read.search import LeadQuery, lead_page
from funnel_tui.rules.history_words import days_from_today, many

ALL_TIME = Period(None, None, dt.UTC)
# The forecast's today: the deals below close in its month and the next.
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def lead(rules):
    """Anna Nowak at Nowak Logistik, from a trade show: qualified, promoted and
    converted to a €40,000 deal, with a call logged and a next action due."""
    lead = rules.capture_lead(
        {
            "name": "Anna Nowak",
            "email": "anna@nowak.pl",
            "company": "Nowak Logistik",
            "source": "Trade show",
            "title": "CFO",
        }
    )
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.log_activity(
        lead_id=lead.id,
        kind="call",
        outcome="reached",
        note="Budget ok",
        next_action="Send offer",
        next_due=dt.date(2026, 11, 27),
    )
    rules.promote(lead.id)
    rules.convert(lead.id, amount="40000", currency="EUR", expected_close=dt.date(2026, 12, 15))
    return lead


def _record_text(rules, lead_id: int) -> str:
    record = lead_record(lead_id)
    score, gate = rules.score(lead_id), rules.gate_problems(lead_id)
    return record_as_text(record, score, gate, rules.config, rules.engagement(lead_id))


def _company_text(rules, company_id: int) -> str:
    return company_as_text(company_record(company_id), rules.config)


# ------------------------------------------------------------------ a lead's record

ENGLISH_RECORD = [
    "Lead #1  (times in UTC)",
    "  name                  Anna Nowak",
    "  source                Trade show",
    "  status                working",
    "  next action due       2026-11-27",
    "  owner                 alice",
    "Qualification (score 75/100, prospect at ≥ 60)",
    "  ✔ Budget                    yes      20/20",
    "  ? Company size (employees)  unknown   0/5",
    "Promotion gate: refused",
    "  ✘ level: lead #1 is already an opportunity",
    "Opportunities",
    "  #1 Nowak Logistik – Anna Nowak — EUR 40,000.00, Qualification (open)",
]


def test_a_leads_record_in_english_reads_as_it_always_has(rules, lead):
    text = _record_text(rules, lead.id)
    lines = text.splitlines()
    for line in ENGLISH_RECORD:
        assert line in lines
    assert "each counts half after 14 days" in text
    assert "alice: logged a call: reached — Budget ok → next: Send offer by Fri 27 Nov 2026" in (
        text
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            [
                "Lead #1  (Zeiten in UTC)",
                "  Quelle                  Messe",
                "  Status                  In Bearbeitung",
                "  Nächster Schritt fällig 27.11.2026",
                "Qualifizierung (Score 75/100, Interessent ab 60)",
                "  ✔ Entscheidungsbefugnis     ja         15/15",
                "Hochstufungsregeln: abgelehnt",
                "Verkaufschancen",
                "  #1 Nowak Logistik – Anna Nowak — 40.000,00\u00a0€, Qualifizierung (Offen)",
                "Verlauf",
            ],
        ),
        (
            "pl",
            [
                "Lead #1  (czas w strefie UTC)",
                "  Imię i nazwisko         Anna Nowak",
                "  Termin następnego kroku 27.11.2026",
                "Kwalifikacja (ocena 75/100, potencjalny klient od 60)",
                "  ? Wielkość firmy (pracownicy) nieznane   0/5",
                "Szanse sprzedaży",
                # CLDR's Polish groups and ends money with no-break spaces.
                "  #1 Nowak Logistik – Anna Nowak — 40\u00a0000,00\u00a0€, Kwalifikacja (otwarta)",
                "Historia",
            ],
        ),
        (
            "zh_TW",
            [
                "潛在客戶 #1（時間為 UTC 時區）",
                "  來源                  展覽",
                "  下一步到期日          2026/11/27",
                "資格評估（分數 75/100，達 60 分可升級為準客戶）",
                "升級條件：已拒絕",
                "商機",
                "歷程",
            ],
        ),
    ],
)
def test_a_leads_record_reads_in_the_reps_language(rules, lead, language, expected):
    english_json = record_as_dict(
        lead_record(lead.id), rules.score(lead.id), [], rules.engagement(lead.id)
    )
    with use_language(language):
        text = _record_text(rules, lead.id)
        json_now = record_as_dict(
            lead_record(lead.id), rules.score(lead.id), [], rules.engagement(lead.id)
        )
    lines = text.splitlines()
    for line in expected:
        assert line in lines
    # No English heading is left, and scripts read the same keys and stored words.
    for english in ("Qualification (", "Promotion gate", "Opportunities", "History"):
        assert english not in text
    assert json_now == english_json
    assert json_now["source"] == "Trade show" and json_now["status"] == "working"


def test_the_engagement_line_counts_in_each_language(rules, lead):
    with use_language("de"):
        german = _record_text(rules, lead.id)
    with use_language("pl"):
        polish = _record_text(rules, lead.id)
    with use_language("zh_TW"):
        chinese = _record_text(rules, lead.id)
    assert "Engagement 50/100: 1 beidseitiger Kontakt, zuletzt am 23.11.2026 10:00; " in german
    assert "jeder zählt nach 14 Tagen nur noch halb" in german
    assert "każdy liczy się w połowie po 14 dniach" in polish
    assert "互動熱度 50/100：1 次雙向互動，最近一次在 2026/11/23 10:00" in chinese
    # The activity line: the user's colon and the next step as each language writes it.
    assert "alice：記錄了一通電話：已聯絡上 — Budget ok → 下一步：Send offer" in chinese


# ------------------------------------------------------------------ a company


def test_a_company_in_english_reads_as_it_always_has(rules, lead):
    text = _company_text(rules, lead.company_id)
    lines = text.splitlines()
    assert lines[0] == "Company #1  (times in UTC)"
    assert "  name                  Nowak Logistik" in lines
    assert "  customer              not yet: no won deal" in lines
    assert "  #1 Anna Nowak, CFO — working, opportunity, owner alice" in lines
    assert "Activities (1 activity)" in lines
    assert any(
        line.endswith("alice: logged a call: reached — Budget ok (Anna Nowak)") for line in lines
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            [
                "Firma #1  (Zeiten in UTC)",
                "  Kunde                 noch nicht: keine gewonnene Verkaufschance",
                "Personen (1)",
                "  #1 Anna Nowak, CFO — In Bearbeitung, Chance, Inhaber alice",
                "Aktivitäten (1 Aktivität)",
            ],
        ),
        (
            "pl",
            [
                "Firma #1  (czas w strefie UTC)",
                "  Nazwa                 Nowak Logistik",
                "  Klient                jeszcze nie: brak wygranej szansy sprzedaży",
                "Aktywności (1 aktywność)",
            ],
        ),
        (
            "zh_TW",
            [
                "公司 #1（時間為 UTC 時區）",
                "  名稱                  Nowak Logistik",
                "  客戶                  尚未：沒有成交的商機",
                "  #1 Anna Nowak，CFO — 跟進中，商機，負責人 alice",
                "活動（1 筆活動）",
            ],
        ),
    ],
)
def test_a_company_reads_in_the_reps_language(rules, lead, language, expected):
    with use_language(language):
        lines = _company_text(rules, lead.company_id).splitlines()
    for line in expected:
        assert line in lines


def test_the_company_lists_customer_column_is_a_word_in_a_table_and_a_key_in_csv():
    row = {
        "id": 1,
        "name": "Nowak Logistik",
        "industry": "",
        "country": "PL",
        "people": 1,
        "customer": False,
        "open": {},
        "won": {},
        "last_activity": None,
    }
    with use_language("de"):
        assert list_row(row, "table")["customer"] == "nein"
        assert list_row(row, "csv")["customer"] == "no"
    assert list_row(row, "table")["customer"] == "no"


# ------------------------------------------------------------------ duplicates


@pytest.fixture
def alike(rules):
    """Two leads on one phone whose names differ by a letter, and two at one company
    whose names are the same once accents are folded."""
    rules.capture_lead({"name": "Anna Kowalska", "phone": "+48 512 345 678", "country": "PL"})
    rules.capture_lead(
        {"name": "Ana Kowalska", "phone": "+48 512 345 678", "country": "PL"},
        allow_duplicate=True,
    )
    rules.capture_lead(
        {"name": "Jürgen Müller", "company": "Kühne Logistik", "email": "jm@kuehne.de"}
    )
    rules.capture_lead(
        {"name": "Jurgen Muller", "company": "Kühne Logistik", "email": "j.mueller@kuehne.de"},
        allow_duplicate=True,
    )


def _reasons() -> list[str]:
    """Each pair's reasons in words, the pairs in the order of their ids."""
    return [pair.words() for pair in sorted(possible_duplicates(), key=lambda p: p.ids)]


def test_why_two_leads_look_alike_reads_in_the_reps_language(alike):
    assert _reasons() == [
        "same phone · close name on the same phone (96%)",
        "same name at the same company",
    ]
    said = {}
    for language in ("de", "pl", "zh_TW"):
        with use_language(language):
            said[language] = _reasons()
    assert said["de"] == [
        "gleiche Telefonnummer · ähnlicher Name bei derselben Telefonnummer (96 %)",
        "gleicher Name in derselben Firma",
    ]
    assert said["pl"] == [
        "ten sam telefon · podobne imię i nazwisko przy tym samym telefonie (96%)",
        "to samo imię i nazwisko w tej samej firmie",
    ]
    assert said["zh_TW"] == ["電話相同 · 同電話且姓名相近（96%）", "同公司且姓名相同"]
    # The reasons' keys, which --format json/csv give, are the same in every language.
    with use_language("de"):
        german_keys = sorted(pair.reasons for pair in possible_duplicates())
    assert german_keys == sorted(pair.reasons for pair in possible_duplicates())


# ------------------------------------------------------------------ the forecast


@pytest.fixture
def forecast_deals(rules, lead):
    """Besides Anna's €40,000 closing in December: a deal with no amount closing in
    January, and one in dollars, which the euro forecast counts but cannot add."""
    for n, (amount, currency, close) in enumerate(
        (("0", "EUR", dt.date(2027, 1, 20)), ("5000", "USD", dt.date(2026, 12, 3))), 2
    ):
        other = rules.capture_lead({"name": f"Person {n}", "email": f"p{n}@example.de"})
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(other.id, item, "yes")
        rules.promote(other.id)
        rules.convert(other.id, amount=amount, currency=currency, expected_close=close)


def _forecast(config, period=ALL_TIME):
    return run_report("forecast", Request(period, None, config, TODAY, "EUR"))


def test_the_forecast_in_english_reads_as_it_always_has(config, forecast_deals):
    report = _forecast(config)
    assert report.title == "Forecast"
    assert [c.label for c in report.columns][:5] == [
        "closing",
        "deals",
        "no amount",
        "amount EUR",
        "weighted",
    ]
    assert report.columns[5].help == "amount in Qualification (10 %)"
    assert report.notes == [
        "amounts are in EUR: 1 open deal in USD is counted but its amount is not (pick a"
        " currency with c on the Reports screen or --currency, or give exchange_rates in"
        " funnel.toml)",
        "1 open deal has no amount: counted as deals, adding nothing",
    ]


@pytest.mark.parametrize(
    ("language", "title", "columns", "stage_help", "notes"),
    [
        (
            "de",
            "Prognose",
            ["Abschlussmonat", "Verkaufschancen", "ohne Betrag", "Betrag EUR", "gewichtet"],
            "Betrag in Qualifizierung (10 %)",
            [
                "Beträge in EUR: 1 offene Verkaufschance in USD ist mitgezählt, ihr Betrag"
                " aber nicht (wählen Sie mit c in den Berichten oder mit --currency eine"
                " Währung, oder geben Sie exchange_rates in funnel.toml an)",
                "1 offene Verkaufschance hat keinen Betrag: mitgezählt, ohne Wert",
            ],
        ),
        (
            "pl",
            "Prognoza",
            ["miesiąc zamknięcia", "szanse", "bez kwoty", "kwota EUR", "ważona"],
            "kwota w etapie Kwalifikacja (10%)",
            [
                "kwoty w EUR: 1 otwarta szansa sprzedaży w USD jest liczona, ale jej kwota"
                " nie (wybierz walutę klawiszem c na ekranie raportów lub opcją --currency"
                " albo podaj exchange_rates w funnel.toml)",
                "1 otwarta szansa sprzedaży nie ma kwoty: liczona jako szansa, nic nie dodaje",
            ],
        ),
        (
            "zh_TW",
            "預測",
            ["成交月份", "商機", "無金額", "金額 EUR", "加權"],
            "「資格評估」階段的金額（10%）",
            [
                "金額以 EUR 計：USD 的 1 筆進行中商機計入筆數，但不計入金額（在「報表」畫面按 c"
                " 或用 --currency 選擇幣別，或在 funnel.toml 設定 exchange_rates）",
                "1 筆進行中的商機沒有金額：計入商機數，不計入金額",
            ],
        ),
    ],
)
def test_the_forecast_reads_in_the_reps_language(
    config, forecast_deals, language, title, columns, stage_help, notes
):
    english = _forecast(config)
    with use_language(language):
        report = _forecast(config)
    assert report.title == title
    assert [c.label for c in report.columns][:5] == columns
    assert report.columns[5].help == stage_help
    assert report.notes == notes
    # The rows scripts read: the same keys and figures in every language.
    assert [c.key for c in report.columns] == [c.key for c in english.columns]
    assert [(r.key, r.values["deals"], r.values["amount"]) for r in report.all_rows()] == [
        (r.key, r.values["deals"], r.values["amount"]) for r in english.all_rows()
    ]


def test_a_forecast_with_nothing_in_its_period_says_so_with_a_plural(config, forecast_deals):
    empty = Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31), dt.UTC)
    with use_language("pl"):
        notes = _forecast(config, empty).notes
    assert notes == ["brak otwartych szans sprzedaży z zamknięciem: 01.01.2025 – 31.01.2025"]
    with use_language("de"):
        assert _forecast(config, empty).notes[0].startswith("keine offene Verkaufschance")


# ------------------------------------------------------------------ refusals


def test_a_lists_refusals_read_in_the_reps_language(config, db):
    with use_language("de"):
        with pytest.raises(ValueError) as sort:
            lead_page(LeadQuery(sort="shoe size"), 0, 10)
        with pytest.raises(FilterRefused) as refused:
            parse_filter(config, ["hot"], [], sort="size")
        said = [str(p) for p in refused.value.problems]
    assert str(sort.value).startswith("Die Sortierung muss eine davon sein: ")
    assert said == [
        "Status: 'hot' ist keiner von: new, working, nurturing, unqualified",
        "Sortierung: 'size' ist keiner von: newest, score, engagement, name, company",
    ]
    # The fields scripts read stay keys.
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("status", "invalid"),
        ("sort", "invalid"),
    ]


@pytest.mark.parametrize(
    ("language", "not_a_report", "no_split", "backwards"),
    [
        (
            "de",
            "'velocity' ist kein Bericht; wählen Sie einen von: ",
            "--by owner: Der Bericht cycle lässt sich nicht aufteilen",
            "Der Zeitraum endet (01.01.2026), bevor er beginnt (01.02.2026)",
        ),
        (
            "pl",
            "'velocity' nie jest raportem; wybierz jeden z: ",
            "--by owner: raportu cycle nie można dzielić",
            "okres kończy się (01.01.2026), zanim się zaczyna (01.02.2026)",
        ),
        (
            "zh_TW",
            "'velocity' 不是報表；請從以下選擇：",
            "--by owner：cycle 報表無法分組",
            "期間的結束日（2026/01/01）早於開始日（2026/02/01）",
        ),
    ],
)
def test_a_reports_refusals_read_in_the_reps_language(
    config, db, language, not_a_report, no_split, backwards
):
    request = Request(ALL_TIME, None, config, TODAY)
    with use_language(language):
        with pytest.raises(ReportError) as unknown:
            run_report("velocity", request)
        with pytest.raises(ReportError) as split:
            run_report("cycle", Request(ALL_TIME, "owner", config, TODAY))
        with pytest.raises(ReportError) as period:
            Period(dt.date(2026, 2, 1), dt.date(2026, 1, 1), dt.UTC)
    assert str(unknown.value).startswith(not_a_report)
    assert str(split.value) == no_split
    assert str(period.value) == backwards


def test_the_rules_refusals_and_days_read_in_the_reps_language(rules, lead):
    with use_language("de"):
        assert days_from_today(20) == "in 20 Tagen"
        assert days_from_today(-3) == "vor 3 Tagen"
        assert days_from_today(1) == "in 1 Tag"
        # A deal's days in its stage, after "seit": the dative too, one phrase a count.
        assert many(20, "stage_for_days", stage="Angebot") == "seit 20 Tagen in der Phase Angebot"
        assert many(1, "stage_for_days", stage="Angebot") == "seit 1 Tag in der Phase Angebot"
    with use_language("pl"):
        assert many(1, "stage_for_days", stage="Oferta") == "Oferta od 1 dnia"
        assert many(5, "stage_for_days", stage="Oferta") == "Oferta od 5 dni"
    with use_language("de"):
        with pytest.raises(Refused) as refused:
            rules.promote(lead.id)
        said = str(refused.value.problems[0])
    assert said == "Stufe: Lead #1 ist bereits eine Verkaufschance"
    with use_language("pl"):
        assert days_from_today(22) == "za 22 dni"
    assert days_from_today(20) == "in 20 days"
    assert days_from_today(-1) == "1 day ago"


def test_the_cycle_and_activity_reports_rows_and_columns_read_in_the_reps_language(config, lead):
    request = Request(ALL_TIME, None, config, TODAY)
    english = run_report("cycle", request)
    with use_language("de"):
        cycle = run_report("cycle", request)
        activity = run_report("activity", Request(ALL_TIME, "owner", config, TODAY))
    assert [row.label for row in english.rows][:2] == ["lead → prospect", "prospect → opportunity"]
    assert [row.label for row in cycle.rows][:2] == [
        "Lead → Interessent",
        "Interessent → Verkaufschance",
    ]
    assert cycle.rows[0].drills["count"].title == "hochgestuft"
    kinds = {c.key: (c.label, c.help) for c in activity.columns}
    assert kinds["call"] == ("Anruf", "erfasste Anrufe")
    assert kinds["in_person"][1] == "erfasste persönliche Treffen"
    assert [row.key for row in cycle.rows] == [row.key for row in english.rows]


def test_loss_reasons_and_a_missing_source_read_in_the_reps_language(rules, config, lead):
    rules.lose(1, "Price")  # the lead's deal
    rules.capture_lead({"name": "No Source", "email": "nosource@example.de"})
    request = Request(ALL_TIME, None, config, TODAY)
    english = run_report("winrate", request).parts[0]
    with use_language("de"):
        german = run_report("winrate", request).parts[0]
        by_source = run_report("conversion", Request(ALL_TIME, "source", config, TODAY))
    assert [row.label for row in english.rows] == ["Price"]
    assert [row.label for row in german.rows] == ["Preis"]
    assert [row.key for row in german.rows] == ["Price"]
    assert "(ohne Quelle)" in [row.label for row in by_source.rows]
