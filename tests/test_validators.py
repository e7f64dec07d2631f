"""Validators: structured results (field, code, message, normalised value)."""

from __future__ import annotations

import pytest

from funnel_tui.core import validators as v


@pytest.mark.parametrize(
    ("text", "region", "e164", "kind"),
    [
        ("030 901820", "DE", "+4930901820", "fixed line"),
        ("+49 1512 3456789", "", "+4915123456789", "mobile"),
        ("0912 345 678", "TW", "+886912345678", "mobile"),
        ("+86 139 1234 5678", "", "+8613912345678", "mobile"),
        ("+48 512 345 678", "", "+48512345678", "mobile"),
        ("55 1234 5678", "MX", "+525512345678", "fixed line or mobile"),
        ("(201) 555-0123", "US", "+12015550123", "fixed line or mobile"),
        ("0049 30 901820", "PL", "+4930901820", "fixed line"),
    ],
)
def test_phone_valid_numbers_are_stored_as_e164(text, region, e164, kind):
    check = v.check_phone(text, region)
    assert check.ok, check.message
    assert check.value == e164
    assert check.details["type"] == kind
    assert check.details["international"].startswith("+")


def test_phone_without_country_code_or_region_asks_for_the_country_code():
    check = v.check_phone("030 901820", "")
    assert not check.ok
    assert check.code == "no_region"
    assert "add the country code" in check.message
    assert str(check.problem).startswith("phone: ")


def test_phone_too_short_names_the_country():
    check = v.check_phone("+48 12 34", "")
    assert not check.ok
    assert check.code == "too_short"
    assert check.message == "+48 12 34 is too short for Poland"


def test_phone_possible_but_not_valid_is_called_out():
    check = v.check_phone("+52 1 234", "")
    assert not check.ok
    assert check.code in ("not_valid", "too_short", "invalid_length")
    check = v.check_phone("+1 201 055 0123", "")  # US area codes never start with 0 after 1
    assert not check.ok
    assert check.code == "not_valid"
    assert "not a valid number for United States" in check.message


def test_phone_unknown_country_code_and_garbage():
    assert v.check_phone("+999 1234567", "").code == "invalid_country_code"
    assert v.check_phone("call me maybe", "DE").code == "not_a_number"


def test_phone_empty_is_ok_and_empty():
    check = v.check_phone("   ", "DE")
    assert check.ok and check.value == ""


def test_phone_too_long_text_is_refused_not_cut():
    check = v.check_phone("+49 " + "1" * 80, "")
    assert not check.ok and check.code == "too_long"


def test_email_normalised_domain_lowercased_local_part_kept():
    check = v.check_email("  Anna.Kowalska@Example.COM ")
    assert check.ok
    assert check.value == "Anna.Kowalska@example.com"


def test_email_internationalised_addresses_are_accepted():
    assert v.check_email("josé@correo.mx").ok
    check = v.check_email("用户@例子.广告")
    assert check.ok, check.message
    assert check.value == "用户@例子.广告"


@pytest.mark.parametrize("text", ["anna@", "anna", "anna@@example.com", "a b@example.com"])
def test_email_invalid_is_refused_with_a_reason(text):
    check = v.check_email(text)
    assert not check.ok
    assert check.code == "invalid"
    assert str(check.problem).startswith(f"email: {text} is not valid")


def test_email_check_is_offline_by_default():
    # A domain that does not exist passes the syntax check: no DNS is asked.
    assert v.check_email("someone@no-such-domain-funnel-test.example").ok


def test_name_is_required_and_trimmed():
    assert v.check_name("   ").code == "required"
    assert v.check_name("  Anna  Kowalska ").value == "Anna  Kowalska"


def test_name_limit_refuses_longer_text_and_keeps_500_characters():
    assert v.check_name("x" * 500).value == "x" * 500
    check = v.check_name("x" * 501)
    assert not check.ok
    assert check.message == "is 501 characters long; at most 500 fit"


def test_control_characters_are_stripped_and_markup_kept():
    assert v.clean_text("[bold red]x\x1b[2J\x07", "name") == "[bold red]x[2J"
    assert v.clean_text("line one\r\nline two\x00", "notes") == "line one\nline two"
    assert v.clean_text("a\nb\tc", "name") == "a b c"


def test_right_to_left_emoji_and_joiners_are_kept():
    text = "שלום مرحبا 👩‍💻 王小明"
    assert v.clean_text(text, "name") == text


def test_country_accepts_codes_and_names():
    assert v.check_country("de").value == "DE"
    assert v.check_country("Germany").value == "DE"
    assert v.check_country("台灣").value == "TW"
    check = v.check_country("Atlantis")
    assert not check.ok and check.code == "unknown_country"


def test_choice_matches_case_insensitively_and_lists_the_choices():
    assert v.check_choice("source", "trade SHOW", ("Trade show", "Web form")).value == "Trade show"
    check = v.check_choice("source", "Billboard", ("Trade show", "Web form"))
    assert not check.ok
    assert "Trade show, Web form" in check.message


def test_problem_string_names_field_and_row():
    assert str(v.Problem("phone", "too_short", "is short", row=7)) == "row 7: phone: is short"


@pytest.mark.parametrize(
    ("phone", "email", "expected"),
    [
        ("anna@kowalski.pl", "", ("", "anna@kowalski.pl")),
        ("+48 512 345 678 anna@kowalski.pl", "", ("+48 512 345 678", "anna@kowalski.pl")),
        ("anna@kowalski.pl, +48 512 345 678", "", ("+48 512 345 678", "anna@kowalski.pl")),
        ("", "+48 512 345 678", ("+48 512 345 678", "")),
        ("", "(201) 555-0123", ("(201) 555-0123", "")),
        # Nothing moves onto what is already typed, and what moves nowhere stays as is.
        ("anna@kowalski.pl", "other@x.pl", ("anna@kowalski.pl", "other@x.pl")),
        ("+1 201 555 0123", "+48 512 345 678", ("+1 201 555 0123", "+48 512 345 678")),
        (" 0512 345 678 ", "", (" 0512 345 678 ", "")),
        ("", "12", ("", "12")),  # too few digits for a number: left for the email check
        ("", "anna at kowalski", ("", "anna at kowalski")),
    ],
)
def test_contact_typed_in_the_other_field_moves_to_its_own(phone, email, expected):
    assert v.sort_contact(phone, email) == expected
