"""funnel in the rep's language: a refusal with its field and row named in it (while
what scripts read, `as_dict` and the codes, stays the same in every language);
countries, money and quick dates as each language writes them."""

from __future__ import annotations

import pytest

from funnel_tui.core.errors import NotFound, Problem, ValidationError
from funnel_tui.core.i18n import use_language
from funnel_tui.core.validators import check_name, check_phone


def test_a_phone_refusal_names_the_field_in_german_and_keeps_its_keys():
    check = check_phone("+49 30 12")
    problem = Problem("phone", check.code, check.message, row=3)
    english = str(problem)
    with use_language("de"):
        check = check_phone("+49 30 12")
        german = Problem("phone", check.code, check.message, row=3)
        assert str(german).startswith("Zeile 3: Telefon: +49 30 12 ist für ")
        assert german.as_dict() | {"message": ""} == problem.as_dict() | {"message": ""}
    assert english.startswith("row 3: phone: +49 30 12 is not a valid number for ")


@pytest.mark.parametrize(
    ("language", "row", "field", "required"),
    [
        ("zh_TW", "第 2 列", "姓名", "為必填"),
        ("zh_CN", "第 2 行", "姓名", "为必填项"),
        ("pl", "wiersz 2", "Imię i nazwisko", "jest wymagane"),
    ],
)
def test_a_missing_name_in_each_language(language, row, field, required):
    with use_language(language):
        check = check_name("")
        shown = str(Problem("name", check.code, check.message, row=2))
        colon = "：" if language.startswith("zh") else ": "
        assert shown == f"{row}{colon}{field}{colon}{required}"
        assert check.code == "required"


def test_not_found_reads_with_the_noun_in_its_case():
    with use_language("pl"):
        assert ValidationError.user_lines(NotFound("lead", 7)) == ["Nr: nie ma leada #7"]
    assert NotFound("lead", 7).user_lines() == ["id: no lead #7"]


def test_the_gate_refuses_in_german_and_traditional_chinese(rules):
    from funnel_tui.core.errors import Refused

    lead = rules.capture_lead({"name": "Jürgen Weiß", "email": "j.weiss@kuehne-log.de"})
    with use_language("de"):
        lines = [str(p) for p in rules.gate_problems(lead.id)]
        assert "Bedarf: unbekannt (Bedarf muss „Ja“ sein)" in lines
        assert any("von 4 BANT-Punkten sind „Ja“" in line for line in lines)
    with use_language("zh_TW"):
        with pytest.raises(Refused) as refused:
            rules.capture_lead({"name": "陳美玲"})
        assert refused.value.user_lines() == ["聯絡方式：潛在客戶需要電話號碼或電子郵件地址"]
        assert refused.value.problems[0].as_dict()["field"] == "contact"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Niemcy", "DE"), ("中華民國", "TW"), ("Szwecja", "SE"), ("瑞典", "SE"), ("Schweden", "SE")],
)
def test_a_country_is_read_from_its_name_in_any_language(typed, code):
    from funnel_tui.core.countries import country_code

    assert country_code(typed) == code


def test_a_country_is_named_in_the_reps_language():
    from funnel_tui.core.countries import country_name

    assert country_name("DE") == "Germany"
    with use_language("pl"):
        assert country_name("DE") == "Niemcy"
    with use_language("zh_TW"):
        assert country_name("TW") == "台灣"
    with use_language("de"):
        check = check_phone("+48 12")
        assert "für Polen" in check.message


@pytest.mark.parametrize(
    ("language", "cents", "currency", "shown"),
    [
        ("de", 123456, "EUR", "1.234,56\xa0€"),
        ("pl", 123456, "PLN", "1\xa0234,56\xa0zł"),
        ("zh_TW", 123400, "TWD", "NT$1,234"),
        ("zh_CN", 123400, "CNY", "¥1,234.00"),
        ("en", 123456, "EUR", "EUR 1,234.56"),
    ],
)
def test_money_is_written_as_the_reps_country_writes_it(language, cents, currency, shown):
    from funnel_tui.core.money import exact_money

    with use_language(language):
        assert exact_money(cents, currency) == shown


@pytest.mark.parametrize(
    ("language", "short", "whole"),
    [
        ("en", "PLN 12.5k", "12,500"),
        ("de", "PLN 12,5k", "12.500"),
        ("pl", "PLN 12,5k", "12\xa0500"),
        ("zh_TW", "PLN 12.5k", "12,500"),
    ],
)
def test_board_and_report_figures_mark_decimals_and_groups_as_the_locale(language, short, whole):
    """The board's short amounts and a report's money column, not only exact amounts."""
    from funnel_tui.core.money import short_money, whole_figure

    with use_language(language):
        assert (short_money(1_250_000, "PLN"), whole_figure(1_250_000)) == (short, whole)


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("morgen", 1),
        ("übermorgen", 2),
        ("Fr.", 7),
        ("nächsten Montag", 3),
        ("in 3 Tagen", 3),
        ("jutro", 1),
        ("pojutrze", 2),
        ("pt.", 7),
        ("w przyszły poniedziałek", 3),
        ("za 3 dni", 3),
        ("明天", 1),
        ("後天", 2),
        ("后天", 2),
        ("週五", 7),
        ("周五", 7),
        ("下週一", 3),
        ("下周一", 3),
        ("3天後", 3),
    ],
)
def test_quick_dates_in_each_language(clock, typed, days):
    import datetime as dt

    from funnel_tui.core.dates import parse_due

    today = clock().date()
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7)  # a Friday from the clock
    assert parse_due(typed, friday) == friday + dt.timedelta(days=days)


def test_typed_dates_follow_the_language_when_no_region_says_otherwise():
    from funnel_tui.config import load_config

    with use_language("de"):
        assert load_config().date_order == "dmy"
    with use_language("zh_TW"):
        assert load_config().date_order == "ymd"
    assert load_config().date_order == "mdy"


def test_amounts_are_read_as_the_language_writes_them_when_no_locale_says(rules, config, clock):
    from funnel_tui.rules.funnel import Funnel

    assert rules.locale == "en"  # LC_ALL=C (conftest): English numbers
    with use_language("de"):
        assert Funnel(config, "alice", clock).locale == "de_DE"


@pytest.mark.parametrize("language", ["en", "de", "pl", "zh_TW", "zh_CN"])
@pytest.mark.parametrize("order", ["mdy", "dmy", "ymd"])
@pytest.mark.parametrize("back", [False, True])
def test_every_date_form_a_field_suggests_is_read_in_that_language(clock, language, order, back):
    """The examples a date field shows are in the reader's words, and each is a date."""
    import re

    from funnel_tui.core.dates import parse_date, quick_forms

    with use_language(language):
        forms = [f.replace(" (ago)", "") for f in re.split(r", |、", quick_forms(order, back))]
        assert len(forms) == 7, forms
        for form in forms:
            parse_date(form, clock.now.date(), order, back=back)
    if language != "en":
        with use_language("en"):
            english = quick_forms(order, back)
        with use_language(language):
            assert quick_forms(order, back) != english
