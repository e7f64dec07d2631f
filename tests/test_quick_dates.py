"""One reading of typed dates everywhere (dates.parse_date), in the order of the user's
region; snoozes landing on working days; and the config's checks that go with them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.dates import (
    describe_due,
    next_working_day,
    order_for_region,
    parse_date,
    quick_forms,
)
from funnel_tui.core.errors import ConfigError, DueDateError
from funnel_tui.rules.funnel import Funnel

from .clock import NOW
from .test_cli import run

TODAY = NOW.date()  # the pinned clock's day (a Monday)


def _friday() -> dt.date:
    """The Friday of the pinned clock's week."""
    return TODAY + dt.timedelta(days=(4 - TODAY.weekday()) % 7)


# ------------------------------------------------------------------ the forms


def test_one_set_of_forms_ahead_and_back():
    ahead = lambda text: parse_date(text, TODAY)  # noqa: E731
    back = lambda text: parse_date(text, TODAY, back=True)  # noqa: E731
    assert ahead("+3d") == back("+3d") == TODAY + dt.timedelta(days=3)  # the sign decides
    assert ahead("-3d") == back("3d ago") == back("3d") == TODAY - dt.timedelta(days=3)
    assert ahead("3d") == TODAY + dt.timedelta(days=3)  # a bare count: the field's way
    assert ahead("yesterday") == back("yesterday") == TODAY - dt.timedelta(days=1)
    assert ahead("tomorrow") == back("tomorrow") == TODAY + dt.timedelta(days=1)
    assert ahead("fri") == _friday() and back("fri") == _friday() - dt.timedelta(weeks=1)
    assert back("last mon") == TODAY - dt.timedelta(days=TODAY.weekday() + 7)


@pytest.mark.parametrize(
    ("region", "typed", "month", "day"),
    [
        ("US", "12/01", 12, 1),
        ("DE", "01.12.", 12, 1),
        ("PL", "1.12", 12, 1),
        ("MX", "01/12", 12, 1),
        ("TW", "12/01", 12, 1),
        ("CN", "2027/12/01", 12, 1),
        ("DE", "01.12.2027", 12, 1),
    ],
)
def test_day_and_month_read_in_the_regions_order(region, typed, month, day):
    found = parse_date(typed, TODAY, order_for_region(region))
    assert (found.month, found.day) == (month, day)
    assert TODAY <= found < TODAY.replace(year=TODAY.year + 2)  # no year: the next one


def test_the_date_order_follows_default_region_unless_set(tmp_path):
    path = tmp_path / "funnel.toml"
    for text, order in (
        ('default_region = "DE"\n', "dmy"),
        ('default_region = "tw"\n', "ymd"),
        ('default_region = "US"\n', "mdy"),
        ('default_region = "DE"\ndate_order = "mdy"\n', "mdy"),
        ("", "mdy"),
    ):
        path.write_text(text)
        assert load_config(path).date_order == order, text


def test_placeholder_and_refusal_name_the_quick_forms():
    assert "+2w" in quick_forms("dmy") and "1.12." in quick_forms("dmy")
    with pytest.raises(DueDateError) as refused:
        parse_date("soon", TODAY, "dmy")
    assert "'soon' is not a date" in str(refused.value) and "1.12." in str(refused.value)


def test_a_date_reads_back_with_its_weekday_and_month_in_words():
    assert describe_due(_friday(), TODAY).startswith(
        f"Fri {_friday().day} {_friday():%b} {_friday().year}"
    )


# ------------------------------------------------------------------ working days


def test_a_fridays_snooze_lands_on_monday(db, config):
    friday = dt.datetime.combine(_friday(), NOW.time())
    rules = Funnel(dataclasses.replace(config, timezone="Etc/UTC"), "alice", lambda: friday)
    lead = rules.capture_lead({"name": "Fay", "email": "fay@example.com"})
    monday = _friday() + dt.timedelta(days=3)
    assert rules.snooze(lead_id=lead.id, days=1) == monday
    # A week that works Sunday to Thursday: the Friday's +1 is Sunday.
    sunday_week = dataclasses.replace(config, timezone="Etc/UTC", working_days=(6, 0, 1, 2, 3))
    other = Funnel(sunday_week, "alice", lambda: friday)
    late = other.capture_lead({"name": "Gil", "email": "gil@example.com"})
    assert other.snooze(lead_id=late.id, days=1) == monday - dt.timedelta(days=1)


def test_next_working_day():
    saturday = _friday() + dt.timedelta(days=1)
    assert next_working_day(saturday, (0, 1, 2, 3, 4)) == saturday + dt.timedelta(days=2)
    assert next_working_day(_friday(), (0, 1, 2, 3, 4)) == _friday()


def test_working_days_are_read_and_checked(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text('working_days = ["sun", "Monday", "tue", "wed", "thu"]\n')
    assert load_config(path).working_days == (0, 1, 2, 3, 6)
    for text, said in (
        ('working_days = ["mon", "funday"]', '"funday", which is not a weekday'),
        ("working_days = []", "working_days cannot be empty"),
    ):
        path.write_text(f"# mine\n{text}\n")
        with pytest.raises(ConfigError) as refused:
            load_config(path)
        assert "line 2: working_days" in str(refused.value) and said in str(refused.value)


# ------------------------------------------------------------------ the config


def test_default_region_must_be_a_real_region(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text('default_region = "XX"\n')
    with pytest.raises(ConfigError, match='line 1: default_region is "XX", which is not a'):
        load_config(path)
    path.write_text('default_region = "tw"\n')
    assert load_config(path).default_region == "TW"


def test_an_unclosed_toml_value_is_put_at_the_line_it_starts_on(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text('timezone = ""\nlead_sources = ["Web form",\n  "Fair"\n\nmax_amount = 5\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value).startswith(f"{path}, line 2: ")


def test_the_default_config_names_only_commands_that_exist(cli_env):
    from funnel_tui.config import DEFAULT_CONFIG

    named = set(re.findall(r"`funnel ([a-z][a-z-]*)", DEFAULT_CONFIG.read_text()))
    assert named
    for command in named:
        assert run([command, "--help"], cli_env).returncode == 0, command


# ------------------------------------------------------------------ the commands


def test_status_until_and_convert_close_take_quick_forms(cli_env, tmp_path):
    config = tmp_path / "funnel.toml"
    config.write_text('default_region = "DE"\n')
    cli_env["FUNNEL_CONFIG"] = str(config)
    run(["add", "--name", "Ada Adler", "--email", "ada@example.com"], cli_env)
    refused = run(["status", "1", "nurturing", "--until", "soon"], cli_env, 1)
    assert "until: 'soon' is not a date" in refused.stderr and "+2w" in refused.stderr
    said = run(["status", "1", "nurturing", "--until", "+2w"], cli_env).stdout
    assert "in 14 days" in said
    shown = json.loads(run(["show", "1", "--format", "json"], cli_env).stdout)
    until = dt.date.fromisoformat(shown["nurture_until"])
    assert f"until: {until:%a} {until.day} {until:%b %Y}" in said
    run(["add", "--name", "Bo Berg", "--email", "bo@example.com"], cli_env)
    run(["qualify", "2", "--need", "yes", "--budget", "yes", "--authority", "yes"], cli_env)
    run(["qualify", "2", "--timeline", "yes"], cli_env)
    run(["promote", "2"], cli_env)
    opened = run(["convert", "2", "--amount", "100", "--close", "01.12."], cli_env).stdout
    # The next 1 December: today on the day itself, whenever this runs.
    assert re.search(r"close by: \w{3} 1 Dec \d{4} · (today|tomorrow|in \d+ days)", opened)


# ------------------------------------------------------------------ smaller things


def test_cycle_time_bars_of_same_day_moves_are_labelled_apart(db, config):
    from funnel_tui.read.reports import Period, Request, run_report
    from funnel_tui.tui.widgets.report_chart import draw_bars

    zone = dataclasses.replace(config, timezone="Etc/UTC")
    at = NOW
    rules = Funnel(zone, "alice", lambda: at)
    lead = rules.capture_lead({"name": "Quick", "email": "quick@example.com"})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    at = NOW + dt.timedelta(minutes=50)
    rules.promote(lead.id)
    at = NOW + dt.timedelta(minutes=55)
    rules.convert(lead.id, amount="100", expected_close=TODAY + dt.timedelta(days=30))
    request = Request(Period(None, None, dt.UTC), None, zone, TODAY, "")
    chart = draw_bars(run_report("cycle", request), "median_days", 80, 0).plain
    lines = {line.split("  ")[0].strip(): line for line in chart.splitlines()}
    assert lines["lead → prospect"].endswith("50 min"), chart
    assert lines["prospect → opportunity"].endswith("5 min"), chart
    assert "0.0 d" not in chart


def _setup_copy(tmp_path, pip_says: str, pip_exits: int):
    """.ci/setup in a copy of the repo whose virtualenv's python is a stand-in: pip
    prints `pip_says` to stderr and exits `pip_exits`; anything else succeeds."""
    import shutil
    import subprocess
    from pathlib import Path

    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(Path(__file__).parents[1] / ".ci" / "setup", repo / ".ci" / "setup")
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (repo / "funnel_tui").mkdir()
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        f'if [ "$2" = pip ]; then printf "%s\\n" "{pip_says}" >&2; exit {pip_exits}; fi\n'
    )
    python.chmod(0o755)
    return subprocess.run(
        ["bash", str(repo / ".ci" / "setup")], capture_output=True, text=True, timeout=60
    )


def test_setup_keeps_pips_editable_warning_out_of_the_terminal(tmp_path):
    done = _setup_copy(tmp_path, "BuildBackendWarning: Editable installation.", 0)
    assert done.returncode == 0 and "Editable installation" not in done.stderr, done.stderr


def test_setup_still_shows_a_failed_install(tmp_path):
    failed = _setup_copy(tmp_path, "ERROR: No matching distribution found for textual", 1)
    assert failed.returncode != 0
    assert "No matching distribution found for textual" in failed.stderr
    assert "installing its dependencies failed" in failed.stderr


def test_history_since_reads_the_day_and_month_in_the_regions_order(cli_env, tmp_path):
    config = tmp_path / "funnel.toml"
    config.write_text('default_region = "PL"\n')
    cli_env["FUNNEL_CONFIG"] = str(config)
    run(["add", "--name", "Ola Nowak", "--email", "ola@example.pl"], cli_env)
    run(["history", "--since", "13.11."], cli_env)  # 13 November, not month 13
    refused = run(["history", "--since", "11/13"], cli_env, 1)
    assert "since: '11/13' is not a date" in refused.stderr and "1.12." in refused.stderr
