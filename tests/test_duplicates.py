"""Possible duplicates: pairs found by capture's rules and by close names, each with its
reasons, strongest first, merged leads left out; and `funnel duplicates` on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from funnel_tui.read.duplicates import (
    CLOSE_NAME,
    CLOSE_NAME_COMPANY,
    CLOSE_NAME_PHONE,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_COMPANY,
    SAME_PHONE,
    SAME_WEBSITE,
    _prepared,
    name_similarity,
    possible_duplicate_companies,
    possible_duplicates,
    website_domain,
)
from funnel_tui.storage.models import Company

from .test_cli import run

PLANTED = [
    # (name, company, phone, email)
    ("Anna Kowalska", "Kowalski Logistyka", "+48 512 345 678", "anna@kowalski.pl"),
    ("Ana Kowalska", "Kowalski Logistyka", None, "ana.k@kowalski.pl"),  # a typo
    ("A. Kowalska", "Kowalski Logistyka", None, "a.kowalska@kowalski.pl"),  # an initial
    # Looks like the first but is not: another company, another phone and address.
    ("Anna Kowalska", "Nowak Transport", "+48 601 222 333", "anna@nowak-transport.pl"),
    ("陳志明", "台北貿易", "+886 912 345 678", "chen@taipei.tw"),  # Traditional
    ("陈志明", "台北貿易", None, "zhiming@taipei.tw"),  # Simplified
    ("Jürgen Müller", None, "+49 151 23456789", "jm@mueller.de"),
    ("Jurgen Muller", None, "+49 151 23456789", "j.muller@web.de"),  # accents dropped
    ("Piotr Nowak", None, None, "p.nowak@example.pl"),
    ("Peter Novak", None, None, "P.Nowak@example.pl"),  # the same address
    ("Jan Kowalski", "Acme", None, "jan1@acme.com"),
    ("Jan Kowalski", "Acme", None, "jan2@acme.com"),  # the same name at the same company
    ("Li Wei", "Acme", None, "li.wei@acme.com"),
    ("Li Wen", "Acme", None, "li.wen@acme.com"),  # 83: two people
]


def plant(rules) -> dict[str, list[int]]:
    """The PLANTED leads, saved as capture would when told to save a duplicate anyway:
    their ids by name."""
    ids: dict[str, list[int]] = {}
    for name, company, phone, email in PLANTED:
        data = {"name": name, "email": email}
        if company:
            data["company"] = company
        if phone:
            data["phone"] = phone
        lead = rules.capture_lead(data, allow_duplicate=True)
        ids.setdefault(name, []).append(lead.id)
    return ids


def by_ids(pairs) -> dict[tuple[int, int], object]:
    return {pair.ids: pair for pair in pairs}


def test_planted_duplicates_are_paired_with_their_reasons(rules):
    ids = plant(rules)
    pairs = by_ids(possible_duplicates())
    anna, other_anna = ids["Anna Kowalska"]
    ana, initial = ids["Ana Kowalska"][0], ids["A. Kowalska"][0]
    # Three at one company who may be one person: reported as their three pairs.
    assert pairs[(anna, ana)].reasons == (CLOSE_NAME_COMPANY,)
    assert pairs[(anna, ana)].similarity == 96.0
    assert pairs[(anna, initial)].reasons == (CLOSE_NAME_COMPANY,)
    assert pairs[(anna, initial)].similarity == 90.0  # an initial standing for a name
    assert (ana, initial) in pairs
    # The same name elsewhere, with another phone and address: no pair.
    assert not [key for key in pairs if other_anna in key]
    chen = (ids["陳志明"][0], ids["陈志明"][0])
    assert pairs[chen].reasons == (CLOSE_NAME_COMPANY,) and pairs[chen].similarity == 100.0
    muller = (ids["Jürgen Müller"][0], ids["Jurgen Muller"][0])
    assert pairs[muller].reasons == (SAME_PHONE, CLOSE_NAME_PHONE)
    nowak = (ids["Piotr Nowak"][0], ids["Peter Novak"][0])
    assert pairs[nowak].reasons == (SAME_EMAIL,)  # the address is compared casefolded
    jan = tuple(ids["Jan Kowalski"])
    assert pairs[jan].reasons == (SAME_NAME_COMPANY,)
    assert not [key for key in pairs if ids["Li Wen"][0] in key]
    assert len(pairs) == 7, sorted(pairs)


def test_pairs_come_strongest_first_each_once_lower_id_first(rules):
    ids = plant(rules)
    pairs = possible_duplicates()
    assert all(pair.first.id < pair.second.id for pair in pairs)
    assert len({pair.ids for pair in pairs}) == len(pairs)
    strengths = [pair.strength for pair in pairs]
    assert strengths == sorted(strengths, reverse=True)
    assert pairs[0].ids == tuple(ids["Jan Kowalski"])  # the same name at the same company
    first = pairs[0].first
    assert (first.name, first.company, first.email, first.owner) == (
        "Jan Kowalski",
        "Acme",
        "jan1@acme.com",
        "alice",
    )
    assert pairs[0].words() == "same name at the same company"
    muller = next(p for p in pairs if p.first.id == ids["Jürgen Müller"][0])
    assert muller.first.phone == "+49 1512 3456789"  # as the list shows it
    assert muller.words() == "same phone · same name on the same phone"
    assert [p.ids for p in possible_duplicates(limit=2)] == [p.ids for p in pairs[:2]]


def test_merged_leads_are_left_out(rules):
    ids = plant(rules)
    jan, twin = ids["Jan Kowalski"]
    rules.merge_leads(jan, twin)
    assert not [p for p in possible_duplicates() if twin in p.ids]


def test_progress_is_reported_up_to_the_total(rules):
    plant(rules)
    calls: list[tuple[int, int]] = []
    possible_duplicates(progress=lambda done, total: calls.append((done, total)))
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] > 0


def test_no_leads_no_pairs(rules):
    assert possible_duplicates() == []


@pytest.mark.parametrize(
    ("one", "other", "close"),
    [
        ("anna kowalska", "ana kowalska", True),
        ("kowalska anna", "anna kowalska", True),
        ("j. m. weiss", "jan maria weiss", True),
        ("a. kowalska", "anna nowak", False),
        ("a", "anna", False),  # an initial alone says too little
        ("li wei", "li wen", False),
        ("anna kowalska", "piotr kowalski", False),
    ],
)
def test_name_similarity_examples(one, other, close):
    score = name_similarity(_prepared(1, one, ""), _prepared(2, other, ""))
    assert (score >= 85) is close, score


def test_companies_with_the_same_or_a_close_name_or_website(rules):
    for index, (name, website, country) in enumerate(
        (
            ("Kowalski Logistyka", "https://www.kowalski.pl", "PL"),
            ("Kowalski Logistyka Sp. z o.o.", "", "PL"),  # its legal form
            ("Müller Maschinenbau", "", "DE"),
            ("Mueller Maschinenbau", "", "DE"),
            ("KOWALSKI TRANSPORT", "kowalski.pl/about", "PL"),  # the same domain
            ("Patel Capital LLP", "", "GB"),
            ("Patel Capital LLC", "", "US"),  # another country: another company
            ("Smith Retail", "", "US"),
            ("Smith Rental", "", "US"),  # 91.7: not close enough
            ("台北貿易", "", "TW"),
            ("台北贸易有限公司", "", "TW"),
        )
    ):
        rules.capture_lead({"name": "x", "email": f"c{index}@x.com", "company": name})
        Company.update(website=website, country=country).where(Company.name == name).execute()
    named = {(p.first.name, p.second.name): p for p in possible_duplicate_companies()}
    assert named[("Kowalski Logistyka", "Kowalski Logistyka Sp. z o.o.")].reasons == (CLOSE_NAME,)
    assert named[("Kowalski Logistyka", "KOWALSKI TRANSPORT")].reasons == (SAME_WEBSITE,)
    assert named[("Müller Maschinenbau", "Mueller Maschinenbau")].reasons == (CLOSE_NAME,)
    assert named[("台北貿易", "台北贸易有限公司")].reasons == (CLOSE_NAME,)
    assert ("Patel Capital LLP", "Patel Capital LLC") not in named
    assert ("Smith Retail", "Smith Rental") not in named
    assert named[("Kowalski Logistyka", "KOWALSKI TRANSPORT")].first.people == 1
    twin = Company.get(Company.name == "Smith Rental")
    Company.update(name="Smith Retail", name_key="smith retail").where(
        Company.id == twin.id
    ).execute()
    same = [p for p in possible_duplicate_companies() if p.second.id == twin.id]
    assert same[0].reasons == (SAME_NAME,)
    rules.merge_companies(same[0].first.id, twin.id)
    assert not [p for p in possible_duplicate_companies() if twin.id in p.ids]


def test_website_domain():
    assert website_domain("https://www.Acme.com/about") == "acme.com"
    assert website_domain("acme.com") == "acme.com"
    assert website_domain("") == ""


# ------------------------------------------------------------------ the command


@pytest.fixture
def cli_planted(rules, db_target, cli_env):
    ids = plant(rules)
    return ids, {**cli_env, "FUNNEL_DB": db_target, "PYTHONPATH": os.getcwd()}


def test_cli_table_shows_both_records_and_the_reason_in_words(cli_planted):
    ids, env = cli_planted
    out = run(["duplicates"], env).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "company", "phone", "email", "owner"]
    assert lines[1] == "1. same name at the same company"
    assert lines[2].split()[:4] == [str(ids["Jan Kowalski"][0]), "Jan", "Kowalski", "Acme"]
    assert lines[2].split()[-1] == "alice"
    assert "close name at the same company (96%)" in out
    assert "陈志明" in out and "台北貿易" in out
    assert lines[-1] == "7 possible duplicate pairs of leads"


def test_cli_json_and_csv_keep_stable_keys(cli_planted):
    _ids, env = cli_planted
    pairs = json.loads(run(["duplicates", "--format", "json", "--limit", "3"], env).stdout)
    assert len(pairs) == 3
    assert set(pairs[0]) == {"first", "second", "reasons", "similarity", "why"}
    assert set(pairs[0]["first"]) == {"id", "name", "company", "phone", "email", "owner"}
    assert pairs[0]["reasons"] == [SAME_NAME_COMPANY]
    rows = list(csv.DictReader(io.StringIO(run(["duplicates", "--format", "csv"], env).stdout)))
    assert len(rows) == 7
    muller = next(r for r in rows if r["first_name"] == "Jürgen Müller")
    assert muller["reasons"] == "same_phone;close_name_phone"
    assert muller["second_phone"] == "+4915123456789"  # E.164, for scripts


def test_cli_companies_and_a_bad_limit(cli_planted):
    _ids, env = cli_planted
    out = run(["duplicates", "--companies"], env).stdout
    assert out.strip() == "no possible duplicate companies"
    refused = run(["duplicates", "--limit", "0"], env, 1)
    assert refused.stderr == "funnel: --limit: 0 is not a number of pairs: give 1 or more\n"


def test_a_block_too_large_to_compare_all_with_all_is_compared_by_neighbours(rules, monkeypatch):
    from funnel_tui.read import duplicates

    ids = plant(rules)
    every = {p.ids for p in possible_duplicates()}
    monkeypatch.setattr(duplicates, "FULL_BLOCK", 2)  # every company block is "large"
    assert {p.ids for p in possible_duplicates()} == every
    assert (ids["Anna Kowalska"][0], ids["A. Kowalska"][0]) in every
