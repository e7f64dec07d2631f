"""funnel.toml: documented defaults, overrides key by key, clear errors."""

from __future__ import annotations

import pytest

from funnel_tui.config import DEFAULT_CONFIG, load_config, user_config_path
from funnel_tui.core.errors import ConfigError


def test_defaults_match_the_design(isolated_home):
    config = load_config()
    assert [(s.name, s.probability) for s in config.stages] == [
        ("Qualification", 10),
        ("Needs analysis", 25),
        ("Proposal", 50),
        ("Negotiation", 75),
        ("Won", 100),
        ("Lost", 0),
    ]
    assert [s.name for s in config.open_stages] == [
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
    ]
    assert (config.need_required, config.min_bant_yes, config.min_score) == (True, 3, 60)
    assert config.default_region == ""
    assert config.email_deliverability is False
    assert config.source_path is None
    assert "Trade show" in config.lead_sources and "Price" in config.loss_reasons


def test_user_file_overrides_only_the_keys_it_sets(isolated_home):
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text('default_region = "mx"\n[qualification]\nmin_score = 70\n', encoding="utf-8")
    config = load_config()
    assert config.default_region == "MX"
    assert config.min_score == 70
    assert config.min_bant_yes == 3  # untouched keys of the same table keep their defaults
    assert config.source_path == path


def test_stages_can_be_replaced(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text(
        'won_stage = "Closed won"\nlost_stage = "Closed lost"\n'
        '[[stages]]\nname = "Discovery"\nprobability = 20\n'
        '[[stages]]\nname = "Closed won"\nprobability = 100\n'
        '[[stages]]\nname = "Closed lost"\nprobability = 0\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert [s.name for s in config.open_stages] == ["Discovery"]
    assert config.stage("discovery").stale_days == 14


def refusal(tmp_path, text: str) -> list[str]:
    """The lines of the ConfigError a funnel.toml holding `text` is refused with, each with
    the file's path taken off the front."""
    path = tmp_path / "funnel.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    lines = str(error.value).splitlines()
    assert all(line.startswith(f"{path}") for line in lines), lines
    return [line.removeprefix(str(path)) for line in lines]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'default_region = "DE"\ncolour = "blue"\n',
            ', line 2: unknown setting "colour" (known: default_region, email_deliverability,',
            id="unknown top-level key",
        ),
        pytest.param(
            "[qualification]\nmin_score = 50\nmin_scor = 70\n",
            ', line 3: qualification has an unknown setting "min_scor" '
            "(known: need_required, min_bant_yes, min_score, weights)",
            id="unknown key in [qualification]",
        ),
        pytest.param(
            "[qualification.weights]\nbudget = 10\nfit = 5\n",
            ', line 3: qualification.weights has an unknown setting "fit" '
            "(known: budget, authority, need, timeline)",
            id="unknown key in [qualification.weights]",
        ),
        pytest.param(
            "[[stages]]\nname = 'Open'\nprobability = 5\n"
            "[[stages]]\nname = 'Won'\nprobability = 100\nstale = 3\n"
            "[[stages]]\nname = 'Lost'\nprobability = 0\n",
            ', line 7: stages[2] has an unknown setting "stale" '
            "(known: name, probability, stale_days)",
            id="unknown key in [[stages]]",
        ),
        pytest.param(
            "[[icp]]\nkey = 'industry'\nkind = 'in'\nweight = 5\n"
            "[[icp]]\nkey = 'employees'\nkind = 'min'\nweigth = 5\n",
            ', line 8: icp[2] has an unknown setting "weigth" '
            "(known: key, label, kind, values, value, weight)",
            id="unknown key in [[icp]]",
        ),
        pytest.param(
            '\n[qualification.weights]\nneed = 25\nbudget = "lots"\n',
            ', line 4: qualification.weights.budget must be a whole number, not "lots"',
            id="whole number expected",
        ),
        pytest.param(
            "[[stages]]\nname = 'Open'\nprobability = 12.5\n"
            "[[stages]]\nname = 'Won'\nprobability = 100\n"
            "[[stages]]\nname = 'Lost'\nprobability = 0\n",
            ", line 3: stages[1].probability must be a whole number, not 12.5",
            id="fraction where a whole number is expected",
        ),
        pytest.param(
            "engagement_half_life_days = '2 weeks'\n",
            ', line 1: engagement_half_life_days must be a number, not "2 weeks"',
            id="number expected",
        ),
        pytest.param(
            "# sources\nlead_sources = 'Web form'\n",
            ', line 2: lead_sources must be a list of texts in quotes, like ["a", "b"], '
            'not "Web form"',
            id="list of texts expected",
        ),
        pytest.param(
            "loss_reasons = [\n  'Price',\n  42,\n]\n",
            ", line 3: loss_reasons[2] must be text in quotes, not 42",
            id="text expected in a list",
        ),
        pytest.param(
            "[qualification]\nneed_required = 'yes'\n",
            ', line 2: qualification.need_required must be true or false, not "yes"',
            id="bool expected",
        ),
        pytest.param(
            "email_deliverability = 1\n",
            ", line 1: email_deliverability must be true or false, not 1",
            id="number where a bool is expected",
        ),
        pytest.param(
            "[qualification]\nmin_score = true\n",
            ", line 2: qualification.min_score must be a whole number, not true",
            id="bool where a number is expected",
        ),
        pytest.param(
            "[qualification]\nweights = 5\n",
            ", line 2: qualification.weights must be a table ([qualification.weights]), not 5",
            id="table expected",
        ),
        pytest.param(
            "[stages]\nname = 'Open'\n",
            ", line 1: stages must be [[stages]] tables, not a table",
            id="array of tables expected",
        ),
        pytest.param(
            "[[stages]]\nname = 'Won'\nprobability = 150\n"
            "[[stages]]\nname = 'Lost'\nprobability = 0\n"
            "[[stages]]\nname = 'Open'\nprobability = 5\n",
            ", line 3: stages[1].probability must be from 0 to 100, not 150",
            id="probability over 100",
        ),
        pytest.param(
            "[[icp]]\nkey = 'x'\nkind = 'maybe'\nweight = 1\n",
            ', line 3: icp[1].kind must be "in" or "min", not "maybe"',
            id="unknown icp kind",
        ),
        pytest.param(
            'won_stage = "Champagne"\n',
            ', line 1: won_stage "Champagne" is not one of the stages: "Qualification", '
            '"Needs analysis", "Proposal", "Negotiation", "Won", "Lost"',
            id="unknown won stage",
        ),
        pytest.param(
            "lost_stage = 'Won'\n",
            ", line 1: won_stage and lost_stage are the same stage",
            id="won and lost stage the same",
        ),
        pytest.param(
            "[[stages]]\nname = 'Open'\nprobability = 5\n"
            "[[stages]]\nname = 'Won'\nprobability = 100\n"
            "[[stages]]\nname = 'open'\nprobability = 50\n"
            "[[stages]]\nname = 'Lost'\nprobability = 0\n",
            ', line 8: stages[3] is named "open" like stages[1]; stage names must be unique',
            id="duplicate stage names",
        ),
        pytest.param(
            "[[stages]]\nname = 'Won'\nprobability = 100\n"
            "[[stages]]\nname = 'Lost'\nprobability = 0\n",
            ", line 1: stages need at least one open stage besides won_stage and lost_stage",
            id="no open stage",
        ),
        pytest.param(
            "loss_reasons = []\n",
            ", line 1: loss_reasons cannot be empty: marking a deal lost asks for one of them",
            id="empty loss reasons",
        ),
        pytest.param(
            "max_amount = 0\n",
            ", line 1: max_amount must be more than 0, not 0",
            id="max_amount zero",
        ),
        pytest.param(
            "engagement_half_life_days = -3\n",
            ", line 1: engagement_half_life_days must be more than 0, not -3",
            id="half-life negative",
        ),
        pytest.param(
            "[qualification.weights]\nbudget = 0\nauthority = 0\nneed = 0\ntimeline = 0\n"
            "[[icp]]\nkey = 'x'\nkind = 'min'\nvalue = 3\n",
            ", line 1: the qualification weights and the icp weights add up to 0; "
            "at least one must give points",
            id="weights add up to nothing",
        ),
        pytest.param(
            'default_currency = "euro"\n',
            ', line 1: default_currency must be a three-letter currency code such as "EUR", '
            'not "euro"',
            id="currency code",
        ),
        pytest.param(
            "[qualification]\nmin_score = 60\nmin_bant_yes = 5\n",
            ", line 3: qualification.min_bant_yes must be from 0 to 4, not 5",
            id="more BANT yes than items",
        ),
    ],
)
def test_a_broken_setting_is_refused_with_the_file_line_and_reason(tmp_path, text, expected):
    lines = refusal(tmp_path, text)
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected)


def test_a_missing_required_key_points_at_its_table(tmp_path):
    text = (
        "[[stages]]\nname = 'Open'\nprobability = 5\n"
        "[[stages]]\nname = 'Won'\n# no probability here\n"
        "[[stages]]\nname = 'Lost'\nprobability = 0\n"
    )
    assert refusal(tmp_path, text) == [", line 4: stages[2] has no probability, which is required"]


def test_a_default_stage_missing_from_replaced_stages_is_named_plainly(tmp_path):
    text = "lost_stage = 'Gone'\n\n[[stages]]\nname = 'Open'\nprobability = 5\n"
    text += "[[stages]]\nname = 'Gone'\nprobability = 0\n"
    assert refusal(tmp_path, text) == [
        ', line 3: won_stage is not set, so it is "Won", which is not one of the stages: '
        '"Open", "Gone"'
    ]


def test_a_toml_syntax_error_keeps_its_line_and_column(tmp_path):
    assert refusal(tmp_path, "default_region = 'DE'\nmin_score = \n") == [
        ", line 2, column 13: invalid value"
    ]


def test_every_problem_is_reported_one_per_line_in_file_order(tmp_path):
    text = (
        "max_amount = 0\n"  # 1
        "colour = 'blue'\n"  # 2
        "[qualification]\n"  # 3
        "need_required = 'yes'\n"  # 4
        "[qualification.weights]\n"  # 5
        "budget = 'lots'\n"  # 6
        "[[icp]]\n"  # 7
        "key = 'industry'\n"  # 8
        "kind = 'in'\n"  # 9
        "[[icp]]\n"  # 10
        "key = 'size'\n"  # 11
        "kind = 'maybe'\n"  # 12
        "weigth = 5\n"  # 13
    )
    lines = refusal(tmp_path, text)
    assert [line.split(":")[0] for line in lines] == [
        ", line 1",
        ", line 2",
        ", line 4",
        ", line 6",
        ", line 12",
        ", line 13",
    ]
    assert 'icp[2] has an unknown setting "weigth"' in lines[-1]


def test_the_locator_is_not_fooled_by_comments_strings_and_key_forms(tmp_path):
    text = (
        "# weigth = 1 in a comment\n"  # 1
        'lead_sources = ["a", "weigth = 2"]  # weigth = 3\n'  # 2
        'unqualified_reasons = ["""\n'  # 3
        "[[icp]]\n"  # 4: inside a string
        'weigth = 4\n"""]\n'  # 5, 6
        "[[icp]]\n"  # 7
        "key = 'industry'\n"  # 8
        "kind = 'in'\n"  # 9
        "[[icp]]\n"  # 10
        "'key' = 'size'\n"  # 11
        '"kind" = "min"\n'  # 12
        "  weigth   =   5\n"  # 13
        "[qualification]\n"  # 14
        "weights.budget = 'x'\n"  # 15
        "[[icp]]\n"  # 16
        "key = 'region'\n"  # 17
        "kind = 'in'\n"  # 18
        "values = [\n"  # 19
        "  'DE',\n"  # 20
        "  3,\n"  # 21
        "]\n"  # 22
    )
    assert refusal(tmp_path, text) == [
        ', line 13: icp[2] has an unknown setting "weigth" '
        "(known: key, label, kind, values, value, weight)",
        ', line 15: qualification.weights.budget must be a whole number, not "x"',
        ", line 21: icp[3].values[2] must be text in quotes, not 3",
    ]


def test_inline_tables_point_at_their_line(tmp_path):
    text = "icp = [\n  {key = 'a', kind = 'in'},\n  {key = 'b', kind = 'in', weigth = 1},\n]\n"
    assert refusal(tmp_path, text) == [
        ', line 3: icp[2] has an unknown setting "weigth" '
        "(known: key, label, kind, values, value, weight)"
    ]


def test_control_characters_in_a_key_are_shown_escaped(tmp_path):
    lines = refusal(tmp_path, '"\\u001b[2Jx" = 1\n')
    assert lines[0].startswith(', line 1: unknown setting "\\u001b[2Jx"')
    assert "\x1b" not in lines[0]


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_bytes(b"default_region = '\xff'\n")
    with pytest.raises(ConfigError, match="is not UTF-8 text") as error:
        load_config(path)
    assert str(error.value).startswith(str(path))


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml")


def test_a_copy_of_the_shipped_defaults_is_a_valid_user_file(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text(DEFAULT_CONFIG.read_text("utf-8"), encoding="utf-8")
    assert load_config(path) == load_config()


def test_every_setting_has_its_default_in_the_shipped_file_and_only_there():
    """The schema and default_config.toml name the same settings, key for key: a setting
    declared without a default, or a default no setting reads, fails here. In a
    [[stages]] or [[icp]] block every key is either required or says what leaving it
    out means (`absent`), never both."""
    from funnel_tui.config import default_data
    from funnel_tui.config.schema import SCHEMA, Setting, Table, Tables

    def compare(spec: Table, data: dict, where: str) -> None:
        assert set(data) == set(spec.settings), where
        for key, setting in spec.settings.items():
            if isinstance(setting, Table):
                assert isinstance(data[key], dict), f"{where}{key}"
                compare(setting, data[key], f"{where}{key}.")
            elif isinstance(setting, Tables):
                keys = set(setting.table.settings)
                assert set(setting.required) | set(setting.absent) == keys, f"{where}{key}"
                assert not set(setting.required) & set(setting.absent), f"{where}{key}"
                assert data[key], f"{where}{key} has no default blocks"
                for item in data[key]:
                    assert set(item) <= keys, f"{where}{key}: {set(item) - keys}"
            else:
                assert isinstance(setting, Setting)

    compare(SCHEMA, default_data(), "")


def test_keys_rebind_bindings_by_id_dotted_or_quoted(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text('[keys]\ngo.today = "f9"\n"leads.search" = "ctrl+f, slash"\n', "utf-8")
    from funnel_tui.tui.widgets.keymap import user_keymap

    keys = load_config(path).keys
    assert keys.bindings == {"go.today": "f9", "leads.search": "ctrl+f, slash"}
    assert user_keymap(keys) == keys.bindings  # both name bindings, with keys Textual knows
    assert load_config().keys.bindings == {}


def test_a_malformed_key_is_refused_with_its_line(tmp_path):
    text = '[keys]\ngo.today = "f9"\n"leads.search" = "ctrl+"\ngo.board = 5\n'
    assert refusal(tmp_path, text) == [
        ', line 3: keys."leads.search" must be keys such as "ctrl+a", "f6" or "ctrl+a,f6", '
        'not "ctrl+"',
        ", line 4: keys.go.board must be text in quotes, not 5",
    ]


def test_an_unknown_binding_id_is_refused_with_its_line(tmp_path):
    """Only the UI knows its bindings: it refuses an id that names none (and a key
    Textual does not know) before the screen takes over, as a config problem."""
    from funnel_tui.tui.widgets.keymap import user_keymap

    path = tmp_path / "funnel.toml"
    path.write_text(
        '# my keys\n[keys]\ngo.today = "f9"\ngo.tody = "f8"\n"leads.search" = "ctrl+bogus"\n',
        "utf-8",
    )
    config = load_config(path)
    with pytest.raises(ConfigError) as error:
        user_keymap(config.keys)
    assert error.value.lines == (
        f"{path}, line 4: keys.go.tody is not a key binding; the go bindings are "
        "go.board, go.capture, go.companies, go.funnel, go.leads, go.reports, go.today",
        f'{path}, line 5: keys."leads.search" has "ctrl+bogus", which is not a key; keys '
        'are written as "ctrl+a", "f6", "slash", "question_mark"',
    )
