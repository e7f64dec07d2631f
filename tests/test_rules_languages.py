"""The rules layer in the rep's language: a gate refusal, a deal's refusal, undo's
refusal naming who changed what and when, the history's lines of a merge and of a lost
deal, the score's explanation and a hand-over's summary, each read in German, Polish
and Traditional Chinese from real rules on a real database; the names the team keeps
as shipped (stages, reasons, sources) translated, the keys scripts read unchanged."""

from __future__ import annotations

import dataclasses

import pytest

from funnel_tui.core.errors import Refused
from funnel_tui.core.i18n import use_language
from funnel_tui.read.history import company_names, history_entries
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_lines import describe


def _history(config) -> list[str]:
    entries = history_entries()
    return [
        f"{line.record} {line.text}"
        for line in describe(entries, config, companies=company_names(entries))
    ]


def _deal_lost(rules) -> tuple[int, int]:
    """A lead merged with its duplicate, qualified, converted, moved to Proposal and
    lost on price: (lead id, deal id)."""
    keep = rules.capture_lead(
        {"name": "Jürgen Weiß", "email": "j.weiss@kuehne-log.de", "source": "Trade show"}
    )
    other = rules.capture_lead(
        {"name": "Jürgen Weiss", "email": "jw@kuehne-log.de", "title": "CTO"},
        allow_duplicate=True,
    )
    rules.merge_leads(keep.id, other.id)
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(keep.id, item, "yes")
    rules.promote(keep.id)
    deal = rules.convert(keep.id, amount="40000", currency="EUR")
    rules.move(deal.id, "Proposal")
    rules.lose(deal.id, "Price")
    return keep.id, deal.id


@pytest.mark.parametrize(
    ("language", "already", "unqualified"),
    [
        (
            "de",
            "Lead #1 ist bereits ein Interessent",
            "Status: der Lead ist disqualifiziert (Kein Budget); zuerst wieder öffnen",
        ),
        (
            "pl",
            "lead #1 jest już potencjalnym klientem",
            "Status: lead jest niezakwalifikowany (Brak budżetu); najpierw otwórz go ponownie",
        ),
        (
            "zh_TW",
            "潛在客戶 #1 已經是準客戶",
            "狀態：此潛在客戶不合格（沒有預算）；請先重新開啟",
        ),
    ],
)
def test_gate_refusals_read_in_the_reps_language(rules, language, already, unqualified):
    lead = rules.capture_lead({"name": "Anna Nowak", "email": "anna@nowak.pl"})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    other = rules.capture_lead({"name": "Jan Kowalski", "email": "jan@kowalski.pl"})
    rules.set_status(other.id, "unqualified", reason="No budget")
    with use_language(language):
        with pytest.raises(Refused) as refused:
            rules.promote(lead.id)
        assert refused.value.problems[0].message == already
        said = [str(p) for p in rules.gate_problems(other.id)]
        assert unqualified in said
    # What scripts read stays the same keys in every language.
    assert [(p.field, p.code) for p in refused.value.problems] == [("level", "already")]
    assert rules.gate_problems(other.id)[0].message == (
        "the lead is unqualified (No budget); reopen it first"
    )


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "de",
            [
                "Lead #1 erfasst: Jürgen Weiß, j.weiss@kuehne-log.de, Quelle Messe",
                "Lead #1 Lead #2 in diesen Datensatz zusammengeführt",
                "Lead #1 Position: leer → CTO (durch Zusammenführen)",
                "Lead #2 in Lead #1 zusammengeführt",
                "Verkaufschance #1 verloren (Preis): Angebot → Verloren",
            ],
        ),
        (
            "pl",
            [
                "lead #1 dodano: Jürgen Weiß, j.weiss@kuehne-log.de, źródło Targi",
                "lead #1 scalono lead #2 z tym rekordem",
                "lead #1 Stanowisko: puste → CTO (przez scalenie)",
                "szansa #1 przegrana (Cena): Oferta → Przegrana",
            ],
        ),
        (
            "zh_TW",
            [
                "潛在客戶 #1 已新增：Jürgen Weiß、j.weiss@kuehne-log.de、來源 展覽",
                "潛在客戶 #1 已將 潛在客戶 #2 合併到此記錄",
                "潛在客戶 #1 職稱：空白 → CTO（經合併）",
                "商機 #1 失單（價格）：提案 → 失單",
            ],
        ),
    ],
)
def test_history_of_a_merge_and_a_lost_deal_in_the_reps_language(rules, config, language, lines):
    _deal_lost(rules)
    with use_language(language):
        said = _history(config)
    for line in lines:
        assert line in said
    english = _history(config)
    assert "lead #1 merged lead #2 into this record" in english
    assert "lead #1 Title: empty → CTO (by merge)" in english
    assert "opportunity #1 lost (Price): Proposal → Lost" in english


def test_deal_refusals_name_stages_and_reasons_in_the_reps_language(rules):
    _lead, deal = _deal_lost(rules)
    with use_language("de"):
        with pytest.raises(Refused) as refused:
            rules.lose(deal, "Price")
        assert refused.value.user_lines() == ["Stand: Verkaufschance #1 ist bereits verloren"]
        with pytest.raises(Refused) as refused:
            rules.move(deal, "Nowhere")
        assert refused.value.problems[0].message == (
            "'Nowhere' ist keine offene Phase: Qualifizierung, Bedarfsanalyse, Angebot, Verhandlung"
        )
    with use_language("zh_TW"):
        with pytest.raises(Refused) as refused:
            rules.move(deal, "Nowhere")
        assert refused.value.problems[0].message == (
            "'Nowhere' 不是進行中的階段：資格評估、需求分析、提案、議價"
        )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "de",
            "bob hat seitdem das Feld „Status“ von Lead #1 geändert (Mo., 23. Nov. 2026 12:00); "
            "Rückgängig würde das überschreiben, daher wurde nichts geändert",
        ),
        ("pl", "bob zmienił potem pole „status” w rekordzie lead #1 (pon., 23 lis 2026 12:00)"),
        ("zh_TW", "bob 之後修改了 潛在客戶 #1 的狀態（2026年11月23日週一 12:00）；"),
    ],
)
def test_undo_refusal_names_who_changed_what_and_when(db, config, clock, language, said):
    # The time is said in the team's zone: pinned, so the hour does not move with the
    # machine's (the suite runs in Asia/Taipei too).
    config = dataclasses.replace(config, timezone="UTC")
    rules = Funnel(config, "alice", clock)
    lead = rules.capture_lead({"name": "Anna Nowak", "email": "anna@nowak.pl"})
    rules.set_status(lead.id, "working")
    clock.advance(hours=2)
    Funnel(config, "bob", clock).set_status(lead.id, "unqualified", reason="No budget")
    with use_language(language), pytest.raises(Refused) as refused:
        rules.undo_last("lead", lead.id)
    assert said in refused.value.problems[0].message
    assert refused.value.problems[0].code == "changed"


def test_score_explanation_reads_naturally_in_german_and_chinese(rules):
    lead = rules.capture_lead(
        {"name": "Anna Nowak", "email": "anna@nowak.pl", "company": "Acme", "country": "PL"}
    )
    rules.answer(lead.id, "budget", "yes")
    english = rules.score(lead.id).explain()
    assert english[0] == "Budget: yes → 20/20"
    assert "Region: yes → 5/5 (company data)" in english
    with use_language("de"):
        lines = rules.score(lead.id).explain()
        assert lines[0] == "Budget: ja → 20/20"
        assert lines[1] == "Entscheidungsbefugnis: unbekannt → 0/15"
        assert "Region: ja → 5/5 (aus den Firmendaten)" in lines
        assert lines[-1].startswith("Score ")
    with use_language("zh_CN"):
        lines = rules.score(lead.id).explain()
        assert lines[0] == "预算：是 → 20/20"
        assert "地区：是 → 5/5（依据公司数据）" in lines


def test_hand_over_summary_counts_by_the_languages_rule(rules):
    for n in range(5):
        rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"})
    with use_language("de"):
        done = rules.hand_over("alice", ["bob"])
        assert (
            done.summary()
            == "5 Leads von alice an bob übergeben; neuer Benutzer bob wurde angelegt."
        )
    with use_language("pl"):
        assert rules.hand_over("bob", ["alice"], dry_run=True).summary() == (
            "Do przekazania: 5 leadów, od bob do alice."
        )
        with pytest.raises(Refused) as refused:
            rules.hand_over("bob", ["bbo"])
        assert refused.value.problems[0].message.startswith(
            "nie ma użytkownika „bbo”; czy chodziło o „bob”?"
        )
    # The field is the hand-over's receiver, not the end of a date range.
    with use_language("de"):
        with pytest.raises(Refused) as refused:
            rules.hand_over("bob", ["bbo"])
        assert str(refused.value.problems[0]).startswith("An: ")
    with use_language("zh_TW"):
        assert rules.hand_over("bob", ["alice"], dry_run=True).summary() == (
            "將把 5 位潛在客戶從 bob 移交給 alice。"
        )
        with pytest.raises(Refused) as refused:
            rules.hand_over("bob", ["bbo"])
        assert str(refused.value.problems[0]).startswith("移交給：")
    assert rules.hand_over("bob", ["alice"], dry_run=True).summary() == (
        "Would hand 5 leads from bob to alice."
    )
