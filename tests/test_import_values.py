"""The rules of an import that a person would judge differently from a validator: values
not on a list (source, country, owner) mapped rather than refused, a source added to
the team's list for every user of the database, an owner column read as a user, and a
phone shared by people of different names imported and flagged rather than skipped.
On SQLite and PostgreSQL (`rules`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from funnel_tui.core.errors import MappingRefused
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.team_lists import added_values
from funnel_tui.storage.models import History, Lead, User
from funnel_tui.transfer.importer import ImportReport, run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import
from funnel_tui.transfer.same_person import names_agree
from funnel_tui.transfer.values import (
    ADDED,
    EMPTY,
    MAPPED,
    NO_USER,
    OFF_LIST,
    ON_LIST,
    Lists,
    ValueMap,
    count_values,
    suggest_option,
    value_states,
)

# A CRM's export as the issue met it: sources its own ("Web", "Webinar", "Fair"), a
# country written as it likes ("Amerika", German for the US; "U.S.A." is known), and one
# good row.
CRM = (
    "Name,Email,Lead Source,Country\n"
    "Ada Web,ada@example.com,Web,DE\n"
    "Bo Web,bo@example.com,web,DE\n"
    "Cy Webinar,cy@example.com,Webinar,PL\n"
    "Di Webinar,di@example.com,Webinar,PL\n"
    "Ed Fair,ed@example.com,Fair,MX\n"
    "Flo Usa,flo@example.com,Referral,Amerika\n"
    "Gus Good,gus@example.com,Referral,US\n"
)


def crm(tmp_path: Path) -> Path:
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="utf-8")
    return path


def do_import(rules, path: Path, *maps: str, values=(), **options) -> ImportReport:
    report = run_import(
        rules, plan_import(path, maps), ImportOptions(values=ValueMap.parse(values), **options)
    )
    assert report.adds_up(), (report.counts, report.rows_read)
    return report


def sources() -> dict[str, str]:
    return {lead.email_norm: lead.source for lead in Lead.select()}


def test_values_not_on_the_list_are_refused_and_counted_with_the_option_to_use(rules, tmp_path):
    report = do_import(rules, crm(tmp_path))
    assert report.counts["inserted"] == 1
    assert report.counts["refused"] == 6
    assert report.off_list_values("source") == [("Web", 2), ("Webinar", 2), ("Fair", 1)]
    assert report.off_list_values("country") == [("Amerika", 1)]
    listed = rules.config.lead_sources
    assert suggest_option("source", "Web", listed) == "--map-value 'source:Web=Web form'"
    assert suggest_option("source", "Fair", listed) == "--map-value source:Fair=+"
    assert suggest_option("country", "Amerika", ()) == "--map-value country:Amerika="


def test_mapped_added_and_emptied_values_keep_their_rows(rules, tmp_path, config, clock):
    maps = (
        "source:WEB=Web form",  # any case, as the lists compare
        "source:Webinar=+",
        "source:Fair=",
        "country:Amerika=US",
    )
    report = do_import(rules, crm(tmp_path), values=maps)
    assert report.counts["inserted"] == 7 and report.counts["refused"] == 0
    assert report.added == {"source": ("Webinar",)}
    assert sources() == {
        "ada@example.com": "Web form",
        "bo@example.com": "Web form",
        "cy@example.com": "Webinar",
        "di@example.com": "Webinar",
        "ed@example.com": "",
        "flo@example.com": "Referral",
        "gus@example.com": "Referral",
    }
    assert Lead.get(Lead.email_norm == "flo@example.com").country == "US"
    # Added for the team: another user's rules (capture, edits) know it from now on.
    assert added_values("lead_sources") == ("Webinar",)
    bob = Funnel(config, "bob", clock)
    assert bob.config.lead_sources[-1] == "Webinar"
    assert (
        bob.check_lead({"name": "X", "email": "x@example.com", "source": "webinar"})["source"]
        == "Webinar"
    )
    # Adding it again adds nothing twice.
    again = do_import(rules, crm(tmp_path), values=maps)
    assert again.added == {} and added_values("lead_sources") == ("Webinar",)


def test_a_dry_run_adds_nothing_to_the_list_but_counts_as_if(rules, tmp_path):
    report = do_import(rules, crm(tmp_path), values=("source:Webinar=+Events",), dry_run=True)
    assert report.counts["inserted"] == 3  # Cy, Di (as Events) and Gus
    assert report.added == {}
    assert added_values("lead_sources") == ()
    assert "Events" not in rules.config.lead_sources
    assert Lead.select().count() == 0
    assert not (tmp_path / "crm-rejected.csv").exists()


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("source:Web", "FIELD:VALUE=TARGET"),
        ("Web=Web form", "FIELD:VALUE=TARGET"),
        ("stage:Web=x", "'stage' has no list"),
        ("country:USA=Freedonia", "'Freedonia' is not a country funnel knows"),
        ("country:Atlantis=+", "values cannot be added to country"),
    ],
)
def test_a_wrong_map_value_says_how_it_is_written(option, says):
    with pytest.raises(MappingRefused, match=says):
        ValueMap.parse([option])


def test_distinct_values_are_counted_and_say_what_they_become(rules, tmp_path):
    plan = plan_import(crm(tmp_path))
    counts = count_values(plan)
    assert counts.rows == 7
    assert counts.listed("source") == [("Referral", 2), ("Web", 2), ("Webinar", 2), ("Fair", 1)]
    lists = Lists.of(rules.config, [])
    value_map = ValueMap.parse(["source:Web=web form", "source:Webinar=+", "source:Fair="])
    states = {
        (s.field, s.value): (s.state, s.becomes)
        for s in value_states(counts, value_map, lists, "alice")
    }
    assert states[("source", "Web")] == (MAPPED, "Web form")
    assert states[("source", "Webinar")] == (ADDED, "Webinar")
    assert states[("source", "Fair")] == (EMPTY, "")
    assert states[("source", "Referral")] == (ON_LIST, "Referral")
    assert states[("country", "Amerika")] == (OFF_LIST, "")
    assert states[("country", "PL")] == (ON_LIST, "Poland (PL)")
    # The values that cost a row come first.
    assert value_states(counts, value_map, lists, "alice")[0].value == "Amerika"


def test_an_owner_column_names_users_and_an_unknown_owner_goes_to_the_importer(
    rules, tmp_path, config, clock
):
    Funnel(config, "bob", clock).user_id  # noqa: B018 - bob exists
    User.update(display_name="Robert Brown").where(User.login == "bob").execute()
    path = tmp_path / "owned.csv"
    path.write_text(
        "Name,Email,Owner\n"
        "Ann,ann@example.com,BOB\n"
        "Ben,ben@example.com,Robert Brown\n"
        "Cat,cat@example.com,Zoe\n"
        "Dan,dan@example.com,Yuri\n"
        "Eve,eve@example.com,\n",
        encoding="utf-8",
    )
    report = do_import(rules, path, "Owner=owner", values=("owner:yuri=bob",))
    assert report.counts["inserted"] == 5
    owners = {lead.email_norm: lead.owner.login for lead in Lead.select()}
    assert owners == {
        "ann@example.com": "bob",
        "ben@example.com": "bob",
        "cat@example.com": "alice",
        "dan@example.com": "bob",
        "eve@example.com": "alice",
    }
    assert report.off_list_values("owner") == [("Zoe", 1)]
    counts = count_values(plan_import(path, ["Owner=owner"]))
    lists = Lists.of(config, User.select(User.id, User.login, User.display_name).tuples())
    states = {
        s.value: (s.state, s.becomes) for s in value_states(counts, ValueMap(), lists, "alice")
    }
    assert states["BOB"] == (ON_LIST, "bob")
    assert states["Robert Brown"] == (ON_LIST, "bob")
    assert states["Zoe"] == (NO_USER, "alice (the importing user)")


# ------------------------------------------------------------------ shared phones

SWITCHBOARD = (
    "First Name,Last Name,Account Name,Email,Phone\n"
    "Hans,Becker,Becker AG,hans@becker.example,+49 30 901820\n"
    "Greta,Becker,Becker AG,greta@becker.example,+49 30 901820\n"
    "Jonas,Wolf,Becker AG,jonas@becker.example,+49 30 901820\n"
    "H.,Becker,,,+49 30 901820\n"
)


def test_people_sharing_a_number_are_imported_and_flagged_not_skipped(rules, tmp_path):
    path = tmp_path / "salesforce.csv"
    path.write_text(SWITCHBOARD, encoding="utf-8")
    report = do_import(rules, path)
    assert report.counts["inserted"] == 3
    assert report.counts["duplicate"] == 1  # H. Becker: the same phone and a name that agrees
    assert [(o.row, o.reason) for o in report.examples] == [(5, "same phone as row 2 of this file")]
    assert [(o.row, o.reason) for o in report.possible] == [
        (3, "same phone as row 2 of this file (Hans Becker)"),
        (4, "same phone as row 2 of this file (Hans Becker)"),
    ]
    assert "2 possible duplicates (same phone, another name" in report.summary()
    flagged = [
        json.loads(h.new).get("possible_duplicate")
        for h in History.select().where(History.action == "import").order_by(History.id)
    ]
    shared = "same phone as row 2 of this file (Hans Becker)"
    assert flagged == [None, shared, shared]

    # Against the database: a new person on the number is imported and flagged; one
    # whose name agrees with a lead's is that lead.
    later = tmp_path / "later.csv"
    later.write_text(
        "Name,Phone\nMarta Lis,+49 30 901820\nGRETA BECKER,+49 30 901820\n", encoding="utf-8"
    )
    again = do_import(rules, later)
    assert again.counts["inserted"] == 1 and again.counts["duplicate"] == 1
    hans = Lead.get(Lead.name == "Hans Becker")
    greta = Lead.get(Lead.name == "Greta Becker")
    assert [(o.row, o.reason) for o in again.possible] == [
        (2, f"same phone as lead #{hans.id} Hans Becker")
    ]
    assert [(o.row, o.reason) for o in again.examples] == [
        (3, f"matches lead #{greta.id} Greta Becker (phone)")
    ]


def test_with_update_a_shared_phone_updates_only_the_lead_of_that_name(rules, tmp_path):
    rules.capture_lead({"name": "Hans Becker", "phone": "+49 30 901820"})
    rules.capture_lead({"name": "Greta Becker", "phone": "+49 30 901820"}, allow_duplicate=True)
    path = tmp_path / "titles.csv"
    path.write_text("Name,Phone,Title\nGreta Becker,+49 30 901820,CFO\n", encoding="utf-8")
    report = do_import(rules, path, update=True)
    assert report.counts["updated"] == 1
    assert Lead.get(Lead.name == "Greta Becker").title == "CFO"
    assert Lead.get(Lead.name == "Hans Becker").title == ""


@pytest.mark.parametrize(
    ("one", "other", "agree"),
    [
        ("Jürgen Weiß", "JURGEN WEISS", True),
        ("Jürgen Weiß", "J. Weiss", True),
        ("Kowalska Anna", "Anna Kowalska", True),
        ("Anna", "Anna Kowalska", True),
        ("李伟", "李 伟", True),
        ("Łucja Wójcik", "Lucja Wojcik", True),
        ("Anna Kowalska", "Piotr Kowalski", False),
        ("Hans Becker", "Greta Becker", False),
        ("J. Weiss", "K. Weiss", False),
        ("A. B.", "A. B.", True),
        ("", "Anna", False),
    ],
)
def test_names_agree_as_a_person_reads_them(one, other, agree):
    assert names_agree(one, other) is agree
    assert names_agree(other, one) is agree


def test_the_checking_process_maps_values_as_this_one_does(rules, tmp_path):
    """A large file is checked in a second process: the map goes with it."""
    path = crm(tmp_path)
    maps = ValueMap.parse(["source:Web=Web form", "source:Webinar=+", "country:Amerika=US"])
    options = ImportOptions(values=maps, dry_run=True)
    here = run_import(rules, plan_import(path), options, parallel=False)
    there = run_import(rules, plan_import(path), options, parallel=True)
    assert here.counts == there.counts
    assert here.counts["inserted"] == 6 and here.counts["refused"] == 1  # Fair
    assert here.off_list == there.off_list


def test_a_switchboard_on_every_row_still_finds_the_same_name_again(rules, tmp_path):
    """A name that agrees word for word is found however many rows share the number;
    looser agreements (initials) among the first rows of it (PHONE_ROWS_COMPARED)."""
    path = tmp_path / "switchboard.csv"
    rows = "".join(f"Person {i} Example,+49 30 901820\n" for i in range(300))
    path.write_text(
        "Name,Phone\n" + rows + "EXAMPLE PERSON 7,+49 30 901820\nP. 3 Example,+49 30 901820\n",
        encoding="utf-8",
    )
    report = do_import(rules, path)
    assert report.counts["inserted"] == 300
    assert report.possible_count == 299
    assert [(o.row, o.reason) for o in report.examples] == [
        (302, "same phone as row 9 of this file"),
        (303, "same phone as row 5 of this file"),
    ]
