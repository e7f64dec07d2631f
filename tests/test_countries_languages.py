"""Countries, currencies and names in the reader's language, from CLDR (Babel): a
country typed in any of the five languages is read, its name shows in the one spoken,
the generated tables are what the generator writes, and names sort as the reader's
alphabet orders them."""

from __future__ import annotations

from pathlib import Path

import pytest

from funnel_tui.core import countries
from funnel_tui.core.collation import sort_key
from funnel_tui.core.countries import country_code, country_name, english_name
from funnel_tui.core.currencies import currency_name
from funnel_tui.core.i18n import use_language

LANGUAGES = ("de", "pl", "zh_TW", "zh_CN")

# ------------------------------------------------------------------ countries


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Niemcy", "DE"),
        ("Deutschland", "DE"),
        ("德國", "DE"),
        ("德国", "DE"),
        ("中華民國", "TW"),
        ("臺灣", "TW"),
        ("台灣", "TW"),
        ("台湾", "TW"),
        ("Republic of China", "TW"),
        ("Polska", "PL"),
        ("Tajwan", "TW"),
        ("Czechia", "CZ"),
        ("Polen", "PL"),
        ("波蘭", "PL"),
        ("Vereinigte Staaten", "US"),
        ("Wielka Brytania", "GB"),
    ],
)
def test_a_country_is_read_in_any_language_whatever_language_is_spoken(typed, code):
    for language in ("en", "pl"):
        with use_language(language):
            assert country_code(typed) == code


def test_a_countrys_name_shows_in_the_readers_language():
    shown = {}
    for language in ("en", *LANGUAGES):
        with use_language(language):
            shown[language] = (country_name("DE"), country_name("TW"))
    assert shown == {
        "en": ("Germany", "Taiwan"),
        "de": ("Deutschland", "Taiwan"),
        "pl": ("Niemcy", "Tajwan"),
        "zh_TW": ("德國", "台灣"),
        "zh_CN": ("德国", "台湾"),
    }


def test_the_country_tables_are_what_the_generator_writes_from_babel():
    assert countries.name_clashes() == {}
    for path, text in zip(countries.TABLES, countries.generated_tables(), strict=True):
        assert Path(path).read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python -m funnel_tui.core.countries"
        )


# ------------------------------------------------------------------ names and order


def test_currency_names_in_the_readers_language():
    names = {}
    for language in ("en", *LANGUAGES):
        with use_language(language):
            names[language] = currency_name("TWD")
    assert names == {
        "en": "New Taiwan Dollar",
        "de": "Neuer Taiwan-Dollar",
        "pl": "nowy dolar tajwański",
        "zh_TW": "新台幣",
        "zh_CN": "新台币",
    }


def test_names_sort_as_the_readers_alphabet_orders_them():
    names = ["Zając", "Łukasz", "Lis", "Mazur", "Żak", "Źrebak", "Sowa", "Ślusarz"]
    with use_language("pl"):
        assert sorted(names, key=sort_key) == [
            "Lis", "Łukasz", "Mazur", "Sowa", "Ślusarz", "Zając", "Źrebak", "Żak",
        ]  # fmt: skip
    with use_language("de"):
        assert sorted(["Ozean", "Öl", "Ober", "Ärger", "Azar", "Ast"], key=sort_key) == [
            "Ärger", "Ast", "Azar", "Ober", "Öl", "Ozean",
        ]  # fmt: skip
    with use_language("zh_TW"):  # Han characters in Unicode order
        assert sorted(["台灣", "中國", "Berlin", "Ärger"], key=sort_key) == [
            "Ärger", "Berlin", "中國", "台灣",
        ]  # fmt: skip


def test_data_written_out_names_a_country_in_english_whatever_the_language():
    for language in ("en", *LANGUAGES):
        with use_language(language):
            assert (english_name("de"), english_name("TW")) == ("Germany", "Taiwan")
